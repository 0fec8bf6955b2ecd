"""Pipeline configuration: model presets, pool assignment and the self-describing work folder.

A work folder holds ``kale.yaml`` (written by ``kale run`` / ``kale demo``); every Dagster step reads it
through the `KaleResource`, so the UI, the CLI and a backfill all see the same settings. Changing the
model preset is a configuration change only: the same code runs the `tiny` models on a CPU and the
`kale-paper` checkpoints on GPUs.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

import yaml

from kale_assets.distillation import StudentSpec, TrainSpec
from kale_assets.engines import ENGINE_NAMES, ModelSpec, SamplingSpec
from kale_assets.engines.settings import apply_settings, check_settings
from kale_assets.fleet.settings import EXECUTORS, RaySettings
from kale_assets.io_utils import atomic_write_text
from kale_assets.layout import WorkLayout

CONFIG_FILE = "kale.yaml"
Pool = Literal["stage1", "stage2"]


@dataclass(frozen=True)
class PoolRule:
    """Which shards feed stage 1 (teacher + fusion, training data) and which stage 2 (student captions).

    ``fraction`` (default): shard number n goes to stage 1 when floor(n*f) != floor((n-1)*f). Shard 0 is
    always stage 1, the share of stage-1 shards converges to f, and a shard's pool never depends on which
    other shards exist, so discovering new shards later never moves old ones. The paper's split is 100M of
    218M samples, so f defaults to 0.46. Shard ids that are not numbers are placed by a stable hash.
    ``explicit``: the listed shard ids are stage 1, every other shard stage 2.
    """

    kind: Literal["fraction", "explicit"] = "fraction"
    stage1_fraction: float = 0.46
    stage1_shards: tuple[str, ...] = ()

    def __post_init__(self):
        if self.kind == "fraction" and not 0.0 < self.stage1_fraction <= 1.0:
            raise ValueError(f"stage1_fraction must be in (0, 1], got {self.stage1_fraction}")
        if self.kind not in ("fraction", "explicit"):
            raise ValueError(f"unknown pool rule kind {self.kind!r}")

    def pool_of(self, shard_id: str) -> Pool:
        if self.kind == "explicit":
            return "stage1" if shard_id in self.stage1_shards else "stage2"
        n = _shard_number(shard_id)
        f = self.stage1_fraction
        return "stage1" if math.floor(n * f) != math.floor((n - 1) * f) else "stage2"


def _shard_number(shard_id: str) -> int:
    if re.fullmatch(r"\d+", shard_id):
        return int(shard_id)
    import hashlib

    return int.from_bytes(hashlib.sha256(shard_id.encode()).digest()[:6], "big")


@dataclass(frozen=True)
class Preset:
    name: str
    teacher: ModelSpec
    fusion: ModelSpec
    student: StudentSpec
    student_generation: ModelSpec  # model_id is filled in with the trained checkpoint at run time
    # One alt-text token budget for the student, in training and at stage 2 (and for fusion's prompt).
    alt_text_max_tokens: int = 64
    # Names shown on the dataset card (Table 1 "captioner size" uses measured parameter counts).
    teacher_label: str = ""
    fusion_label: str = ""
    student_label: str = ""
    tiny: bool = False

    def __post_init__(self):
        if self.student.train.max_alt_text_tokens != self.alt_text_max_tokens:
            raise ValueError(f"preset {self.name}: the student trains with a {self.student.train.max_alt_text_tokens}"
                             f"-token alt-text budget but stage 2 cuts at {self.alt_text_max_tokens}")


def tiny_preset(models_dir: str | Path) -> Preset:
    from kale_assets.tiny_models import tiny_model_paths

    paths = tiny_model_paths(models_dir)
    # Random weights: greedy decoding would loop on one token and every caption would be dropped as
    # degenerate; seeded top-k sampling gives varied (meaningless) text that reaches the final shards.
    sampling = SamplingSpec(max_new_tokens=48, min_new_tokens=8, do_sample=True, temperature=1.0, top_k=40, seed=0)
    alt_budget = 48
    return Preset(
        name="tiny",
        teacher=ModelSpec(str(paths.teacher), batch_size=8, sampling=sampling),
        fusion=ModelSpec(str(paths.fusion), batch_size=8, sampling=replace(sampling, seed=1, max_new_tokens=64)),
        student=StudentSpec(
            recipe="llava_compose",
            vision_tower_id=str(paths.student_vision),
            language_model_id=str(paths.student_lm),
            base_vlm_id=str(paths.student_vlm),
            train=TrainSpec(epochs=2, global_batch_size=8, micro_batch_size=8, data_streams=4, learning_rate=1e-3,
                            eval_every_steps=5, max_target_tokens=96, max_alt_text_tokens=alt_budget,
                            agreement_samples=8, agreement_max_new_tokens=24),
        ),
        student_generation=ModelSpec("", batch_size=8, sampling=replace(sampling, seed=2)),
        alt_text_max_tokens=alt_budget,
        teacher_label="tiny Idefics3 (random weights)",
        fusion_label="tiny Mistral (random weights)",
        student_label="tiny CLIP + Qwen2 LLaVA (random weights)",
        tiny=True,
    )


def _paper_student(alt_budget: int) -> StudentSpec:
    """The paper's student (arXiv 2411.07461, section 2.2) and our training settings for it.

    From the paper: LLaVA-style, DFN ViT-H vision encoder with position embeddings resized to 490x490, a Qwen
    ~1.5B LM (the paper writes "Qwen1.5-1.5B" citing the Qwen2 report; no such checkpoint exists, so we take
    Qwen2.5-1.5B, the LM its section 3.1 names). The paper gives no training hyper-parameters for the student:
    every number in TrainSpec below is ours. Batch 80 and peak LR 5e-5 are borrowed from the paper's downstream
    evaluation VLM (section 3.1), which is a different model.
    """
    from kale_assets.model_pins import PINS

    repos = ("apple/DFN5B-CLIP-ViT-H-14-378", "Qwen/Qwen2.5-1.5B", "HuggingFaceTB/SmolVLM-Instruct")
    return StudentSpec(
        recipe="llava_compose",
        vision_tower_id="apple/DFN5B-CLIP-ViT-H-14-378",
        vision_tower_format="open_clip",  # converted to a CLIPVisionModel at 490 px, squash resize
        language_model_id="Qwen/Qwen2.5-1.5B",
        # the finetune_vlm route: an existing ~2B VLM (Idefics3 architecture, served by vLLM too)
        base_vlm_id="HuggingFaceTB/SmolVLM-Instruct",
        image_size=490,
        revisions={r: PINS[r].revision for r in repos if PINS[r].revision},
        train=TrainSpec(
            epochs=1, global_batch_size=80, micro_batch_size=10, learning_rate=5e-5, warmup_ratio=0.03,
            weight_decay=0.0, eval_every_steps=500, max_target_tokens=256, max_alt_text_tokens=alt_budget,
            data_streams=16, num_workers=2, num_processes=0, checkpoint_every_steps=500, keep_checkpoints=2,
        ),
    )


def kale_paper_preset() -> Preset:
    """The paper's models. CogVLM ships custom code: it needs ``trust_remote_code`` as an explicit opt-in.

    CogVLM has no processor or chat template on the hub; its tokenizer is Vicuna's and its prompt is
    "Question: ... Answer:". The `cogvlm` engine (kale_assets/engines/cogvlm.py) handles both.
    """
    from kale_assets.model_pins import revision

    greedy = SamplingSpec(max_new_tokens=256, do_sample=False, repetition_penalty=1.05)
    alt_budget = 96
    return Preset(
        name="kale-paper",
        teacher=ModelSpec("THUDM/cogvlm-chat-hf", revision=revision("THUDM/cogvlm-chat-hf"), engine="cogvlm",
                          batch_size=16, sampling=greedy, params_billions=17.6),
        fusion=ModelSpec("mistralai/Mistral-7B-Instruct-v0.2", revision=revision("mistralai/Mistral-7B-Instruct-v0.2"),
                         batch_size=32, sampling=greedy, params_billions=7.2),
        student=_paper_student(alt_budget),
        student_generation=ModelSpec("", batch_size=64, sampling=greedy),
        alt_text_max_tokens=alt_budget,
        teacher_label="CogVLM-17B",
        fusion_label="Mistral-7B-Instruct-v0.2",
        student_label="DFN ViT-H + Qwen2.5-1.5B (LLaVA-style)",
    )


def kale_qwen_vl_preset() -> Preset:
    """The paper's pipeline with a teacher vLLM serves natively: Qwen2.5-VL-7B-Instruct (our choice, not the
    paper's). Its processor and chat template are on the hub, so no remote code is needed anywhere."""
    from kale_assets.model_pins import revision

    greedy = SamplingSpec(max_new_tokens=256, do_sample=False, repetition_penalty=1.05)
    paper = kale_paper_preset()
    return replace(
        paper,
        name="kale-qwen-vl",
        teacher=ModelSpec("Qwen/Qwen2.5-VL-7B-Instruct", revision=revision("Qwen/Qwen2.5-VL-7B-Instruct"),
                          engine="vllm", batch_size=32, sampling=greedy, params_billions=8.3),
        fusion=replace(paper.fusion, engine="vllm"),
        teacher_label="Qwen2.5-VL-7B-Instruct",
    )


def preset_by_name(name: str, models_dir: str | Path) -> Preset:
    if name == "tiny":
        return tiny_preset(models_dir)
    return {"kale-paper": kale_paper_preset, "kale-qwen-vl": kale_qwen_vl_preset}[name]()


PRESETS = ("tiny", "kale-paper", "kale-qwen-vl")
# The generation roles an engine can be chosen for; "student" is stage-2 captioning by the trained student.
ENGINE_ROLES = ("teacher", "fusion", "student")


def parse_engine_option(values: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``--engine`` values to `PipelineConfig.engines`: ``vllm`` (every role) or ``role=engine``, repeatable.

    Later values win, so ``--engine vllm --engine student=transformers`` serves all but the student on vLLM.
    """
    engines: dict[str, str] = {}
    for value in values:
        role, sep, engine = value.partition("=")
        if not sep:
            engines.update({r: value for r in ENGINE_ROLES})
        else:
            engines[role.strip()] = engine.strip()
    _validate_engines(engines)
    return engines


def _validate_engines(engines: dict[str, str]) -> None:
    unknown_roles = set(engines) - set(ENGINE_ROLES)
    if unknown_roles:
        raise ValueError(f"engines takes roles {'/'.join(ENGINE_ROLES)}, got {sorted(unknown_roles)}")
    unknown = {e for e in engines.values() if e not in ENGINE_NAMES}
    if unknown:
        raise ValueError(f"unknown engine {sorted(unknown)}; choose one of {ENGINE_NAMES}")


@dataclass(frozen=True)
class PipelineConfig:
    """Everything a run needs besides the Dagster instance. Stored as ``<workdir>/kale.yaml``."""

    workdir: str
    source: str
    preset: str = "tiny"
    pool_rule: PoolRule = field(default_factory=PoolRule)
    storage_options: dict = field(default_factory=dict)
    # Opt-in per role ("teacher", "fusion", "student"); off unless the user turns it on.
    trust_remote_code: tuple[str, ...] = ()
    models_dir: str | None = None
    # None: the rules file shipped in the package (kale_assets/rules/artifact_rules.yaml).
    rules_path: str | None = None
    # None: the preset's recipe. "llava_compose" joins a vision tower and an LM (the paper's recipe);
    # "finetune_vlm" fine-tunes the preset's existing small VLM.
    student_recipe: str | None = None
    # Generation engine per role ("teacher", "fusion", "student"): "transformers" or "vllm"; a role not
    # listed keeps the preset's engine (transformers). kale.yaml may give a role a mapping instead
    # ({engine, batch_size, device, dtype, max_in_flight, vllm: {...}}): the engine name stays here and the
    # rest moves to engine_settings (kale_assets/engines/settings.py), merged over the preset's model spec.
    engines: dict = field(default_factory=dict)
    engine_settings: dict = field(default_factory=dict)
    # A sample whose alt-text is empty or whitespace: "caption" (the paper captions every image; fusion then
    # keeps the dense caption and the row is marked not knowledge-augmented) or "reject" (missing_alt_text).
    empty_alt_text: str = "caption"
    # A generation stage whose engine rejects more than this share of its input fails its blocking check:
    # that many per-request failures point at a broken engine or prompt, not at bad samples.
    max_generation_reject_share: float = 0.02
    # Consecutive shards per Dagster partition (kale_assets.shard_groups): 1 keeps one partition per shard;
    # DataComp-1B's ~128k shards need more (the datacomp-1b preset below uses 100: ~1.3k partitions).
    shards_per_partition: int = 1
    # Control plane (kale_assets/defs/sensors.py). Partitions per run when a rules change re-finalizes shards:
    # None = one per run for one-shard partitions, 500 for shard groups (DataComp-1B's 1.3k groups: 3 runs).
    refilter_partitions_per_run: int | None = None
    # In a shard group, a shard whose commit already holds this exact work (same engine spec, same committed
    # inputs, same code version: `versions.work_key`) is reused instead of generated again, so a straggler joining
    # a group of 100 costs one shard. false: every materialization regenerates every shard of the group.
    reuse_committed_shards: bool = True
    # The discovery sensor lists only what is new beyond its cursor; this often it lists the whole source, which
    # catches shards that arrived out of order.
    discovery_full_relist_seconds: float = 3600.0
    # Who runs the generation stages (teacher, fusion, student): "local" (the Dagster step's own process, the
    # default) or "ray" (a Ray Data pipeline of engine actors, kale_assets/fleet/); `ray` holds its settings
    # (kale_assets.fleet.settings.RaySettings: address, actors per role, gpus/cpus per actor, batch_size).
    executor: str = "local"
    ray: dict = field(default_factory=dict)
    # A local folder for what cannot live on an object store (Dagster instance, uid index, run lock, staging,
    # progress chunks, the student's checkpoints). None: the work folder itself when it is local; for an
    # s3:// work folder, ~/.cache/kale/state/<bucket>/<prefix> on the machine that runs.
    state_dir: str | None = None

    def __post_init__(self):
        # Absolute paths, so kale.yaml means the same thing read from any folder; URLs stay as they are.
        for name in ("workdir", "source", "models_dir", "rules_path", "state_dir"):
            object.__setattr__(self, name, _absolute(getattr(self, name)))
        if self.state_dir is not None and "://" in self.state_dir:
            raise ValueError(f"state_dir must be a local folder (it holds SQLite and a file lock), got {self.state_dir!r}")
        if self.empty_alt_text not in EMPTY_ALT_TEXT_POLICIES:
            raise ValueError(f"empty_alt_text must be one of {EMPTY_ALT_TEXT_POLICIES}, got {self.empty_alt_text!r}")
        if self.student_recipe not in (None, "llava_compose", "finetune_vlm"):
            raise ValueError(f"student_recipe must be llava_compose or finetune_vlm, got {self.student_recipe!r}")
        if self.preset not in PRESETS:
            raise ValueError(f"unknown preset {self.preset!r}; choose one of {PRESETS}")
        unknown = set(self.trust_remote_code) - {"teacher", "fusion", "student"}
        if unknown:
            raise ValueError(f"trust_remote_code takes roles teacher/fusion/student, got {sorted(unknown)}")
        self._split_engine_settings()
        _validate_engines(self.engines)
        if not 0.0 <= self.max_generation_reject_share <= 1.0:
            raise ValueError(f"max_generation_reject_share must be in [0, 1], got {self.max_generation_reject_share}")
        if not isinstance(self.shards_per_partition, int) or self.shards_per_partition < 1:
            raise ValueError(f"shards_per_partition must be a whole number >= 1, got {self.shards_per_partition!r}")
        if self.refilter_partitions_per_run is not None and (
                not isinstance(self.refilter_partitions_per_run, int) or self.refilter_partitions_per_run < 1):
            raise ValueError("refilter_partitions_per_run must be a whole number >= 1 (or absent), got "
                             f"{self.refilter_partitions_per_run!r}")
        if not self.discovery_full_relist_seconds >= 0:
            raise ValueError(f"discovery_full_relist_seconds must be >= 0, got {self.discovery_full_relist_seconds!r}")
        if self.executor not in EXECUTORS:
            raise ValueError(f"executor must be one of {EXECUTORS}, got {self.executor!r}")
        self.ray_settings()  # a mistake in the ray: section fails here, not in the middle of a run

    def _split_engine_settings(self) -> None:
        # Every mistake of both forms in one error, one line each.
        check_settings({r: v for r, v in (self.engines or {}).items() if not isinstance(v, str)}, ENGINE_ROLES,
                       self.engine_settings or {})
        names: dict = {}
        settings: dict = {role: dict(value) for role, value in (self.engine_settings or {}).items()}
        for role, value in (self.engines or {}).items():
            if isinstance(value, str):
                names[role] = value
                continue
            value = dict(value)
            if "engine" in value:
                names[role] = value.pop("engine")
            settings[role] = {**settings.get(role, {}), **value}
        check_settings(settings, ENGINE_ROLES)
        for role, value in settings.items():
            if "engine" in value:
                names.setdefault(role, value.pop("engine"))
        object.__setattr__(self, "engines", names)
        object.__setattr__(self, "engine_settings", {role: value for role, value in settings.items() if value})

    def ray_settings(self) -> RaySettings:
        return RaySettings.from_dict(self.ray)

    @property
    def root(self) -> Path:
        """The work folder: a local Path, or a `upath.UPath` on an object store (with `storage_options`)."""
        return work_path(self.workdir, self.storage_options)

    @property
    def scratch(self) -> Path:
        """The local folder of `WorkLayout.scratch`."""
        if self.state_dir is not None:
            return Path(self.state_dir)
        if "://" not in self.workdir:
            return Path(self.workdir)
        return default_state_dir(self.workdir)

    def layout(self) -> WorkLayout:
        return WorkLayout(self.root, self.scratch)

    @property
    def models_root(self) -> Path:
        return Path(self.models_dir) if self.models_dir else self.scratch / "models"

    def resolve_preset(self) -> Preset:
        preset = preset_by_name(self.preset, self.models_root)
        trc = set(self.trust_remote_code)
        if self.student_recipe and self.student_recipe != preset.student.recipe:
            label = preset.student_label if self.student_recipe == "llava_compose" else \
                f"fine-tuned {Path(preset.student.base_vlm_id or '').name or 'VLM'}"
            preset = replace(preset, student=replace(preset.student, recipe=self.student_recipe), student_label=label)
        engines = self.engines
        if preset.teacher.engine == "cogvlm" and engines.get("teacher", "cogvlm") != "cogvlm":
            raise ValueError(f"the {self.preset} preset's teacher (CogVLM v1) runs on the cogvlm engine only; vLLM "
                             "and the generic transformers engine cannot serve it: drop --engine teacher=..., or use "
                             "the kale-qwen-vl preset for a teacher that vLLM serves")
        settings = self.engine_settings
        return replace(
            preset,
            teacher=apply_settings(replace(preset.teacher, trust_remote_code="teacher" in trc,
                                           engine=engines.get("teacher", preset.teacher.engine)),
                                   settings.get("teacher")),
            fusion=apply_settings(replace(preset.fusion, trust_remote_code="fusion" in trc,
                                          engine=engines.get("fusion", preset.fusion.engine)),
                                  settings.get("fusion")),
            student=replace(preset.student, trust_remote_code="student" in trc),
            student_generation=apply_settings(
                replace(preset.student_generation, trust_remote_code="student" in trc,
                        engine=engines.get("student", preset.student_generation.engine)),
                settings.get("student")),
        )

    def to_yaml(self) -> str:
        data = asdict(self)
        data["pool_rule"]["stage1_shards"] = list(self.pool_rule.stage1_shards)
        data["trust_remote_code"] = list(self.trust_remote_code)
        return yaml.safe_dump(data, sort_keys=True)

    def save(self) -> Path:
        path = self.root / CONFIG_FILE
        atomic_write_text(path, self.to_yaml())
        return path

    @classmethod
    def load(cls, workdir: str | Path, storage_options: dict | None = None) -> PipelineConfig:
        """Read ``<workdir>/kale.yaml``; ``storage_options`` reach an object-store work folder (endpoint,
        region: never credentials) before kale.yaml's own options are known."""
        path = work_path(str(workdir), storage_options) / CONFIG_FILE
        if not path.exists():
            raise FileNotFoundError(
                f"{path} not found: create the work folder with `kale run --source DIR --workdir {workdir}` "
                "(or `kale demo`) before materializing assets"
            )
        data = yaml.safe_load(path.read_text()) or {}
        rule = data.pop("pool_rule", {}) or {}
        rule["stage1_shards"] = tuple(rule.get("stage1_shards", ()))
        data["trust_remote_code"] = tuple(data.get("trust_remote_code", ()))
        data["engines"] = dict(data.get("engines") or {})
        data["engine_settings"] = dict(data.get("engine_settings") or {})
        data["workdir"] = str(workdir)
        # A hand-written kale.yaml may hold relative paths: they are relative to the work folder, not to
        # wherever the reader runs.
        for name in ("source", "models_dir", "rules_path", "state_dir"):
            if data.get(name) is not None and "://" not in str(workdir):
                data[name] = _absolute(data[name], base=Path(workdir))
        return cls(pool_rule=PoolRule(**rule), **data)


EMPTY_ALT_TEXT_POLICIES = ("caption", "reject")


def work_path(workdir: str, storage_options: dict | None = None) -> Path:
    """A work folder as a path object: `pathlib.Path` semantics for a local folder, a `upath.UPath` (fsspec)
    for a URL such as ``s3://bucket/prefix``."""
    if "://" not in workdir:
        return Path(workdir)
    from upath import UPath

    return UPath(workdir, **(storage_options or {}))


def default_state_dir(workdir_url: str) -> Path:
    """Where an object-store work folder keeps its local state on this machine (read when called, not at import)."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    scheme, _, rest = workdir_url.partition("://")
    safe = "/".join(part for part in rest.strip("/").split("/") if part not in ("", ".", ".."))
    return Path(cache) / "kale" / "state" / scheme / safe


def _absolute(value: str | None, base: Path | None = None) -> str | None:
    """A local path made absolute (against ``base``, else the current folder); URLs and None unchanged."""
    if value is None or "://" in str(value):
        return value
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = (base if base is not None else Path.cwd()) / path
    # abspath, not resolve(): a user's symlinked folder keeps the name they gave it.
    return os.path.abspath(path)
