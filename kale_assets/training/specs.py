"""What a student is made of and how it is trained (plain, JSON-able dataclasses)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

# Fields that change how a run executes but not the weights it ends with (up to float summation order across
# processes): left out of the student's version hash, so re-running a job with more workers finds its checkpoints.
EXECUTION_ONLY_FIELDS = ("num_workers", "num_processes", "checkpoint_every_steps", "keep_checkpoints")


@dataclass(frozen=True)
class TrainSpec:
    epochs: int = 1
    max_steps: int | None = None  # optimizer steps; overrides epochs when set
    # Samples per optimizer step, summed over all processes: the same number of processes or not, a step sees the
    # same samples, so the loss curve does not depend on how many GPUs ran it.
    global_batch_size: int = 8
    micro_batch_size: int = 8  # samples per forward/backward on one process; accumulation makes up the rest
    learning_rate: float = 5e-5
    weight_decay: float = 0.0
    warmup_ratio: float = 0.03
    freeze_vision_tower: bool = True
    train_language_model: bool = True
    heldout_fraction: float = 0.1
    min_heldout: int = 1
    eval_every_steps: int = 50
    max_target_tokens: int = 256
    # The alt-text token budget of the student prompt. Presets set it from Preset.alt_text_max_tokens, the budget
    # stage 2 cuts with, so the student is trained on the prompt it will be run with (Preset checks they agree).
    max_alt_text_tokens: int = 64
    seed: int = 0
    agreement_max_new_tokens: int = 64
    agreement_samples: int = 64
    heldout_eval_samples: int = 512  # held-out loss is computed on the first N held-out rows (all if fewer)
    # --- data stream: the global order is S interleaved streams over the epoch's shuffled shard list; within a
    # shard rows are shuffled inside windows of consecutive rows, so a reader holds at most ~window decoded images.
    data_streams: int = 4
    shuffle_window: int = 256
    num_workers: int = 0  # DataLoader worker processes per training process (0: decode in the training process)
    # --- memory
    gradient_checkpointing: bool = True
    loss_chunk_tokens: int = 1024  # label positions per lm_head + cross-entropy chunk (recomputed in backward)
    # --- execution
    num_processes: int = 1  # 1: in the calling process; N > 1: torchrun with N ranks; 0: one rank per CUDA device
    checkpoint_every_steps: int = 0  # 0: no intermediate checkpoints
    keep_checkpoints: int = 2

    def __post_init__(self):
        if self.global_batch_size < 1 or self.micro_batch_size < 1 or self.data_streams < 1:
            raise ValueError("global_batch_size, micro_batch_size and data_streams must be >= 1")
        if self.global_batch_size % self.data_streams:
            raise ValueError(f"global_batch_size {self.global_batch_size} must be a multiple of data_streams "
                             f"{self.data_streams} (every stream gives the same number of samples to a step)")


@dataclass(frozen=True)
class StudentSpec:
    recipe: Literal["llava_compose", "finetune_vlm"]
    vision_tower_id: str | None = None  # llava_compose: CLIPVisionModel / SiglipVisionModel / full CLIPModel
    # "hf": a transformers checkpoint; "open_clip": an OpenCLIP ViT (DFN), converted by training/openclip.py
    vision_tower_format: Literal["hf", "open_clip"] = "hf"
    language_model_id: str | None = None  # llava_compose: causal LM id or dir
    base_vlm_id: str | None = None  # finetune_vlm: AutoModelForImageTextToText id or dir
    image_size: int | None = None  # llava_compose: resize the tower's position embeddings (paper: 490)
    trust_remote_code: bool = False
    dtype: str = "auto"  # "auto": fp32 weights + bf16 autocast on CUDA, fp32 on CPU
    # Pinned hub revisions (commit hashes) per model id; a local folder is recorded by content hash instead.
    revisions: dict[str, str] = field(default_factory=dict)
    train: TrainSpec = field(default_factory=TrainSpec)

    def base_model_ids(self) -> list[str]:
        if self.recipe == "llava_compose":
            return [i for i in (self.vision_tower_id, self.language_model_id) if i]
        return [self.base_vlm_id] if self.base_vlm_id else []

    def revision_of(self, model_id: str | None) -> str | None:
        return self.revisions.get(model_id) if model_id else None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StudentSpec:
        data = dict(data)
        train = TrainSpec(**data.pop("train", {}))
        return cls(train=train, **data)

    def version_material(self) -> dict[str, Any]:
        data = asdict(self)
        data["train"] = {f.name: getattr(self.train, f.name) for f in fields(self.train)
                         if f.name not in EXECUTION_ONLY_FIELDS}
        return data
