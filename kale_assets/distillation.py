"""Stage 2 of KALE: distil the two-model Stage-1 captioner into one small student VLM.

Paper (arXiv 2411.07461, section 2.2): a LLaVA-style VLM - DFN ViT-H vision encoder with its positional
embeddings resized to 490x490, a projector, and a Qwen ~1.5B language model - takes the image and the original
alt-text and is trained to write the knowledge-augmented (fused) caption of Stage 1. The student then captions
the images Stage 1 never reached.

Two routes build the student (`kale_assets.training.student`):

- ``llava_compose``: join a pretrained vision tower and a pretrained causal LM into a
  ``LlavaForConditionalGeneration`` with a freshly initialised 2-layer GELU projector;
- ``finetune_vlm``: fine-tune an existing small VLM (SmolVLM / Idefics3, ...) as is.

Training (`kale_assets.training`) streams (image, alt-text) -> fused caption from the stage-1 shards, with the
targets passed through the final artifact filter first, in the exact prompt the pipeline runs the student with,
loss only on the caption tokens; it checkpoints and resumes, and runs as one process or as a torchrun/DDP job.
The result is a standard Hugging Face checkpoint that `kale_assets.engines.TransformersEngine` loads.

Teacher-student agreement (`TrainingReport.agreement`) is the mean unigram F1 between the student's greedy
caption of a held-out image (generated through `TransformersEngine` from the saved checkpoint, greedy,
``no_repeat_ngram_size=3``) and the fused Stage-1 caption of that image; words are lower-cased ``\\w+``
tokens counted as multisets (`unigram_f1`). 1.0 means the same bag of words, 0.0 no word in common.

No pickles anywhere: weights and training state go through safetensors, everything else through parquet/JSON.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kale_assets.io_utils import atomic_dir, atomic_write_json
from kale_assets.prompts import prompt_hash, student_messages
from kale_assets.training.data import (
    DistillationExample,
    ImageSource,
    MemoryImages,
    PreparedData,
    TarImages,
    cut_alt_text,
    heldout_examples,
    memory_tables,
    prepare_training_data,
)
from kale_assets.training.specs import StudentSpec, TrainSpec

log = logging.getLogger(__name__)

# Bump when the training recipe changes in a way that changes the weights it produces.
# 2: streaming order, filtered targets, label-position loss, global batch independent of the process count.
DISTILLATION_CODE_VERSION = "2"


@dataclass
class TrainingReport:
    version: str
    checkpoint_dir: str
    n_train: int
    n_heldout: int
    steps: int
    seconds: float  # wall time of the optimizer steps, data waits included (evaluation excluded)
    train_tokens: int  # non-padding tokens (image + prompt + caption) pushed through training steps
    tokens_per_second: float
    final_train_loss: float
    final_heldout_loss: float
    initial_heldout_loss: float
    agreement: float  # mean unigram F1, student caption vs fused caption, held-out images
    loss_curve_path: str  # parquet: step, split ("train"/"heldout"), loss
    loss_plot_path: str  # png
    num_parameters: int
    # extras (not needed by callers, kept for the dataset card / debugging)
    trainable_parameters: int = 0
    target_tokens: int = 0  # caption tokens (the ones with a loss) in training steps
    agreement_n: int = 0
    total_seconds: float = 0.0
    device: str = ""
    compute_dtype: str = ""
    recipe: str = ""
    base_models: dict[str, str] = field(default_factory=dict)  # id -> resolved revision
    data_fingerprint: str = ""
    agreement_examples: list[dict[str, Any]] = field(default_factory=list)
    world_size: int = 1
    resumed_from: str | None = None  # the checkpoint this run resumed from, if any
    n_input: int = 0  # stage-1 rows before the artifact filter
    dropped_by_filter: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------------------------------- versioning
def _base_revisions(spec: StudentSpec) -> dict[str, str]:
    from kale_assets.engines import ModelSpec, resolve_revision

    return {
        model_id: resolve_revision(ModelSpec(model_id, revision=spec.revision_of(model_id),
                                             trust_remote_code=spec.trust_remote_code))
        for model_id in spec.base_model_ids()
    }


def student_version(spec: StudentSpec, training_data_fingerprint: str) -> str:
    """12-hex id of a student: the spec, the base models' revisions, the prompt, the code and the data."""
    material = json.dumps(
        {
            "spec": spec.version_material(),
            "revisions": _base_revisions(spec),
            "data": training_data_fingerprint,
            "prompt_hash": prompt_hash(),
            "code": DISTILLATION_CODE_VERSION,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(material.encode()).hexdigest()[:12]


def _word_tokens(text: str | None) -> list[str]:
    return re.findall(r"\w+", (text or "").lower())


def unigram_f1(prediction: str | None, reference: str | None) -> float:
    """F1 of the lower-cased word multisets of two texts (1.0 if both are empty)."""
    pred, ref = Counter(_word_tokens(prediction)), Counter(_word_tokens(reference))
    if not pred and not ref:
        return 1.0
    overlap = sum((pred & ref).values())
    if overlap == 0:
        return 0.0
    precision = overlap / sum(pred.values())
    recall = overlap / sum(ref.values())
    return 2 * precision * recall / (precision + recall)



def _write_curves(curve: list[dict[str, Any]], parquet_path: Path, png_path: Path) -> None:
    import polars as pl
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    schema = {"step": pl.Int64, "split": pl.Utf8, "loss": pl.Float64}
    frame = pl.DataFrame(curve, schema=schema) if curve else pl.DataFrame(schema=schema)
    frame.write_parquet(parquet_path)
    fig = Figure(figsize=(6, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    for split, style in (("train", "-"), ("heldout", "o-")):
        part = frame.filter(pl.col("split") == split)
        if part.height:
            ax.plot(part["step"].to_list(), part["loss"].to_list(), style, label=split)
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("caption-token cross-entropy")
    ax.set_title("student distillation loss")
    ax.legend()
    fig.tight_layout()
    fig.savefig(png_path, format="png")



def load_report(checkpoint_dir: str | Path) -> TrainingReport:
    data = json.loads((Path(checkpoint_dir) / "training_report.json").read_text())
    return TrainingReport(**data)


def latest_student(out_dir: str | Path) -> Path | None:
    """The checkpoint folder ``out_dir/CURRENT`` points at, or None when there is none (yet)."""
    pointer = Path(out_dir) / "CURRENT"
    if not pointer.exists():
        return None
    data = json.loads(pointer.read_text())
    # Only paths inside out_dir: an absolute path (written by older versions) would make a copied or moved
    # work folder use the original folder's student.
    relative = data.get("path", "")
    candidates = [Path(out_dir) / str(data.get("version", ""))]
    if relative and not Path(relative).is_absolute():
        candidates.insert(0, Path(out_dir) / relative)
    for candidate in candidates:
        if candidate != Path(out_dir) and (candidate / "config.json").exists():
            return candidate
    return None


def training_mfu(report: TrainingReport, peak_flops: float, num_parameters: int | None = None) -> float:
    """Approximate model-FLOPs utilisation: 6 * params * tokens / seconds / peak.

    6N per token counts a full forward+backward; a frozen vision tower needs no weight gradients, so this
    slightly overstates the work done for the default recipe.
    """
    n = num_parameters if num_parameters is not None else report.num_parameters
    if report.seconds <= 0 or peak_flops <= 0:
        return 0.0
    return 6.0 * n * report.train_tokens / report.seconds / peak_flops


# ---------------------------------------------------------------------------------------- training
def _agreement(checkpoint: Path, heldout: Sequence[DistillationExample], spec: StudentSpec, version: str,
               device: str) -> tuple[float, list[dict[str, Any]]]:
    """Generate on held-out images through the pipeline's engine, from the saved checkpoint."""
    from kale_assets.engines import (
        GenerationRequest,
        ModelSpec,
        SamplingSpec,
        TransformersEngine,
    )

    train = spec.train
    if not heldout:
        return float("nan"), []
    model_spec = ModelSpec(
        model_id=str(checkpoint),
        revision=f"student-{version}",  # no content hash of a folder still being written
        dtype=spec.dtype,
        batch_size=max(1, train.micro_batch_size),
        sampling=SamplingSpec(max_new_tokens=train.agreement_max_new_tokens, no_repeat_ngram_size=3),
    )
    engine = TransformersEngine(model_spec, device=device)
    try:
        requests = [
            GenerationRequest(
                e.uid, student_messages(cut_alt_text(e.alt_text, engine.tokenizer, train.max_alt_text_tokens)), e.image
            )
            for e in heldout
        ]
        results = engine.generate(requests)
    finally:
        del engine
    scores, rows = [], []
    for example, result in zip(heldout, results):
        score = unigram_f1(result.text, example.target) if result.error is None else 0.0
        scores.append(score)
        rows.append({"uid": example.uid, "student": result.text, "error": result.error, "f1": round(score, 4)})
    return sum(scores) / len(scores), rows


def resolve_num_processes(train: TrainSpec) -> int:
    if train.num_processes > 0:
        return train.num_processes
    import torch

    return max(1, torch.cuda.device_count())


def _launch_torchrun(job_path: Path, world: int, say: Callable[[str], None]) -> None:
    """Run the job on ``world`` local ranks with torchrun; its output goes to ``say`` line by line."""
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={world}",
           "-m", "kale_assets.training.loop", str(job_path)]
    tail: list[str] = []
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        for line in proc.stdout:
            tail = (tail + [line.rstrip()])[-40:]
            say(line.rstrip())
        code = proc.wait()
    if code != 0:
        raise RuntimeError(f"torchrun training failed (exit {code}):\n" + "\n".join(tail))


def run_job(job, images: ImageSource | None, world: int, say: Callable[[str], None]) -> None:
    """Run a training job in this process (one rank) or under torchrun (several)."""
    from kale_assets.training.loop import run_training

    if world == 1:
        run_training(job, images, say)
        return
    if job.images is None:
        raise ValueError("multi-process training reads images from the shard tars (TarImages)")
    job_path = Path(job.run_dir) / "job.json"
    job_path.parent.mkdir(parents=True, exist_ok=True)
    job.save(job_path)
    _launch_torchrun(job_path, world, say)


def train_student(
    data: Sequence[DistillationExample] | PreparedData,
    spec: StudentSpec,
    out_dir: str | Path,
    *,
    data_fingerprint: str | None = None,
    images: ImageSource | None = None,
    progress: Callable[[str], None] | None = None,
    device: str | None = None,
) -> TrainingReport:
    """Train the student and save it as ``out_dir/<version>/``; ``out_dir/CURRENT`` then points at it.

    ``data`` is prepared stage-1 data (`prepare_training_data`) with its ``images`` source, or a list of
    in-memory examples (used as they are, one process). A run keeps checkpoints in ``out_dir/runs/<version>``
    and a re-run of the same version resumes from the newest one; the folder is removed once the student is
    saved. Deterministic for the same inputs, device and process count.
    """
    from kale_assets.training.loop import FINAL, FINAL_STATE, TrainingJob

    started = time.perf_counter()
    say = progress or (lambda msg: log.info("%s", msg))
    out_dir = Path(out_dir)
    train = spec.train
    if not isinstance(data, PreparedData):
        examples = list(data)
        if not examples:
            raise ValueError("no training examples")
        if len({e.uid for e in examples}) != len(examples):
            raise ValueError("example uids must be unique")
        data = prepare_training_data(memory_tables(examples), out_dir / "data", heldout_fraction=train.heldout_fraction,
                                     min_heldout=train.min_heldout, seed=train.seed)
        images = MemoryImages(examples)
    if images is None:
        raise ValueError("prepared data needs its image source")
    fingerprint = data_fingerprint or data.fingerprint
    version = student_version(spec, fingerprint)
    run_dir = out_dir / "runs" / version
    world = resolve_num_processes(train)
    say(f"student {version}: {data.n_train} train / {data.n_heldout} held-out rows, {world} process(es)")
    job = TrainingJob(spec.to_json(), data.root, str(run_dir),
                      images.to_json() if isinstance(images, TarImages) else None, device)
    run_job(job, images, world, say)
    final = run_dir / FINAL
    state = json.loads((final / FINAL_STATE).read_text())
    report = _finish(final, state, data, images, spec, version, fingerprint, out_dir, say)
    report.total_seconds = time.perf_counter() - started
    atomic_write_json(Path(report.checkpoint_dir) / "training_report.json", report.to_json())
    # Relative to out_dir, so a copied or moved work folder points at its own copy of the student.
    relative = Path(report.checkpoint_dir).resolve().relative_to(Path(out_dir).resolve()).as_posix()
    atomic_write_json(out_dir / "CURRENT", {"version": version, "path": relative})
    shutil.rmtree(run_dir, ignore_errors=True)  # checkpoints are only needed until the student is saved
    return report


def _finish(final: Path, state: dict, data: PreparedData, images: ImageSource, spec: StudentSpec, version: str,
            fingerprint: str, out_dir: Path, say) -> TrainingReport:
    """Copy the trained model to ``out_dir/<version>`` with its agreement score, curves and report."""
    curve = state["curve"]
    train_losses = [p["loss"] for p in curve if p["split"] == "train"]
    heldout = [p["loss"] for p in curve if p["split"] == "heldout"]
    device = "cuda" if str(state.get("device", "")).startswith("cuda") else "cpu"
    target = out_dir / version
    with atomic_dir(target) as tmp:
        for item in final.iterdir():
            shutil.copy2(item, tmp / item.name)
        os.remove(tmp / "train_state.json")
        sample = list(heldout_examples(data, images, spec.train.agreement_samples))
        agreement, rows = _agreement(tmp, sample, spec, version, device)
        say(f"teacher-student agreement (unigram F1, {len(rows)} held-out): {agreement:.4f}")
        _write_curves(curve, tmp / "loss_curve.parquet", tmp / "loss_curve.png")
        seconds = float(state["train_seconds"])
        report = TrainingReport(
            version=version, checkpoint_dir=str(target), n_train=data.n_train, n_heldout=data.n_heldout,
            steps=int(state["steps"]), seconds=seconds, train_tokens=int(state["train_tokens"]),
            tokens_per_second=state["train_tokens"] / seconds if seconds > 0 else 0.0,
            final_train_loss=train_losses[-1] if train_losses else float("nan"),
            final_heldout_loss=heldout[-1] if heldout else float("nan"),
            initial_heldout_loss=heldout[0] if heldout else float("nan"),
            agreement=agreement, loss_curve_path=str(target / "loss_curve.parquet"),
            loss_plot_path=str(target / "loss_curve.png"), num_parameters=int(state["num_parameters"]),
            trainable_parameters=int(state["trainable_parameters"]), target_tokens=int(state["target_tokens"]),
            agreement_n=len(rows), device=str(state["device"]), compute_dtype=str(state["compute_dtype"]),
            recipe=spec.recipe, base_models=_base_revisions(spec), data_fingerprint=fingerprint,
            agreement_examples=rows[:8], world_size=int(state["world_size"]), resumed_from=state.get("resumed_from"),
            n_input=data.n_input, dropped_by_filter=dict(data.dropped))
    return report
