"""Stage 2 of KALE: distil the two-model Stage-1 captioner into one small student VLM.

Paper (section 2.2): a LLaVA-style VLM - DFN ViT-H vision encoder with its positional embeddings resized
to 490x490, a projector, and a Qwen ~1.5B language model - takes the image and the original alt-text and
is trained to write the knowledge-augmented (fused) caption of Stage 1. The student then captions the
images Stage 1 never reached.

Two routes build the student:

- ``llava_compose``: join a pretrained vision tower (CLIP / SigLIP vision model, or the vision half of a
  full CLIP/SigLIP checkpoint) and a pretrained causal LM into a ``LlavaForConditionalGeneration`` with a
  freshly initialised 2-layer GELU projector (`compose_llava_student`);
- ``finetune_vlm``: fine-tune an existing small VLM (SmolVLM / Idefics3, ...) as is (`load_base_student`).

Either way the student is trained on (image, alt-text) -> fused caption with exactly the prompt the
pipeline runs it with (`kale_assets.prompts.student_messages`), loss only on the caption tokens, and saved
as a standard Hugging Face checkpoint that `kale_assets.generation.TransformersEngine` (the engine every
generation stage uses) loads with ``AutoModelForImageTextToText`` + ``AutoProcessor``.

Teacher-student agreement (`TrainingReport.agreement`) is the mean unigram F1 between the student's greedy
caption of a held-out image (generated through `TransformersEngine` from the saved checkpoint, greedy,
``no_repeat_ngram_size=3``) and the fused Stage-1 caption of that image; words are lower-cased ``\\w+``
tokens counted as multisets (`unigram_f1`). 1.0 means the same bag of words, 0.0 no word in common.

No pickles anywhere: weights go through ``save_pretrained`` (safetensors), curves through parquet/JSON.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from PIL import Image

from kale_assets.io_utils import atomic_dir, atomic_write_json
from kale_assets.prompts import CHATML_IMAGE_TEMPLATE, AltTextBudget, prompt_hash, student_messages

log = logging.getLogger(__name__)

# Bump when the training recipe in this module changes in a way that changes the weights it produces.
DISTILLATION_CODE_VERSION = "1"
IMAGE_TOKEN = "<image>"
IGNORE_INDEX = -100



# --------------------------------------------------------------------------------------------- specs
@dataclass(frozen=True)
class TrainSpec:
    epochs: int = 1
    max_steps: int | None = None  # optimizer steps; overrides epochs when set
    batch_size: int = 8
    grad_accum_steps: int = 1
    learning_rate: float = 5e-5  # the paper's peak learning rate
    weight_decay: float = 0.0
    warmup_ratio: float = 0.03
    freeze_vision_tower: bool = True
    train_language_model: bool = True
    heldout_fraction: float = 0.1
    min_heldout: int = 1
    eval_every_steps: int = 50
    max_target_tokens: int = 256
    max_alt_text_tokens: int = 64
    seed: int = 0
    agreement_max_new_tokens: int = 64
    agreement_samples: int = 64
    heldout_eval_samples: int = 512  # held-out loss is computed on the first N held-out uids (all if fewer)


@dataclass(frozen=True)
class StudentSpec:
    recipe: Literal["llava_compose", "finetune_vlm"]
    vision_tower_id: str | None = None  # llava_compose: CLIPVisionModel / SiglipVisionModel / full CLIPModel
    language_model_id: str | None = None  # llava_compose: causal LM id or dir
    base_vlm_id: str | None = None  # finetune_vlm: AutoModelForImageTextToText id or dir
    image_size: int | None = None  # llava_compose: resize the tower's position embeddings (paper: 490)
    trust_remote_code: bool = False
    dtype: str = "auto"  # "auto": fp32 weights + bf16 autocast on CUDA, fp32 on CPU
    train: TrainSpec = field(default_factory=TrainSpec)

    def base_model_ids(self) -> list[str]:
        if self.recipe == "llava_compose":
            return [i for i in (self.vision_tower_id, self.language_model_id) if i]
        return [self.base_vlm_id] if self.base_vlm_id else []


@dataclass(frozen=True)
class DistillationExample:
    uid: str
    image: Image.Image
    alt_text: str
    target: str  # the fused (knowledge-augmented) Stage-1 caption


@dataclass
class TrainingReport:
    version: str
    checkpoint_dir: str
    n_train: int
    n_heldout: int
    steps: int
    seconds: float  # wall time of the optimizer steps (evaluation excluded)
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

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------------------------------- versioning
def _base_revisions(spec: StudentSpec) -> dict[str, str]:
    from kale_assets.generation import ModelSpec, resolve_revision

    return {
        model_id: resolve_revision(ModelSpec(model_id, trust_remote_code=spec.trust_remote_code))
        for model_id in spec.base_model_ids()
    }


def student_version(spec: StudentSpec, training_data_fingerprint: str) -> str:
    """12-hex id of a student: the spec, the base models' revisions, the prompt, the code and the data."""
    material = json.dumps(
        {
            "spec": asdict(spec),
            "revisions": _base_revisions(spec),
            "data": training_data_fingerprint,
            "prompt_hash": prompt_hash(),
            "code": DISTILLATION_CODE_VERSION,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(material.encode()).hexdigest()[:12]


# ---------------------------------------------------------------------------------------- held-out
def _uid_score(uid: str, seed: int) -> float:
    digest = hashlib.sha256(f"kale-heldout|{seed}|{uid}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_heldout(uids: Sequence[str], fraction: float, min_heldout: int, seed: int) -> set[str]:
    """Held-out uids, chosen by a hash of each uid alone.

    A uid is held out when its hash score is below ``fraction``, so membership does not move when more data
    arrives. When that gives fewer than ``min_heldout`` (small sets) the lowest-scoring uids are added; the
    result never holds every uid (at least one is left to train on).
    """
    unique = sorted(set(uids))
    n = len(unique)
    if n <= 1:
        return set()
    scored = sorted(unique, key=lambda u: (_uid_score(u, seed), u))
    chosen = [u for u in scored if _uid_score(u, seed) < fraction]
    want_min = min(max(0, min_heldout), n - 1)
    if len(chosen) < want_min:
        chosen = scored[:want_min]
    if len(chosen) >= n:
        chosen = scored[: n - 1]
    return set(chosen)


# ---------------------------------------------------------------------------------------- building
def _torch():
    import torch

    return torch


def _default_device() -> str:
    return "cuda" if _torch().cuda.is_available() else "cpu"


def _vision_config_of(config):
    """The vision config of a tower checkpoint: itself, or the vision half of a full CLIP/SigLIP model."""
    vision = getattr(config, "vision_config", None)
    return vision if vision is not None else config


def _resize_position_embeddings(state: dict, vision_config, new_size: int) -> dict:
    """Bicubic-interpolate the tower's 2-D position grid (keeping a CLS row if there is one)."""
    torch = _torch()
    keys = [k for k in state if k.endswith("position_embedding.weight")]
    if len(keys) != 1:
        raise ValueError(f"cannot find one position embedding to resize (found {keys})")
    key = keys[0]
    weight = state[key]
    patch = vision_config.patch_size
    old_grid = vision_config.image_size // patch
    new_grid = new_size // patch
    n_extra = weight.shape[0] - old_grid * old_grid
    if n_extra not in (0, 1):
        raise ValueError(f"position embedding has {weight.shape[0]} rows, not a {old_grid}x{old_grid} grid (+CLS)")
    extra, grid = weight[:n_extra], weight[n_extra:]
    dim = grid.shape[-1]
    grid = grid.float().reshape(1, old_grid, old_grid, dim).permute(0, 3, 1, 2)
    grid = torch.nn.functional.interpolate(grid, size=(new_grid, new_grid), mode="bicubic", align_corners=False)
    grid = grid.permute(0, 2, 3, 1).reshape(new_grid * new_grid, dim).to(weight.dtype)
    state = dict(state)
    state[key] = torch.cat([extra, grid], dim=0)
    return state


def _resized_image_processor(image_processor, image_size: int):
    size = dict(image_processor.size) if getattr(image_processor, "size", None) is not None else {}
    size = {k: v for k, v in size.items() if v is not None}
    if "shortest_edge" in size:
        new_size = {"shortest_edge": image_size}
    elif "longest_edge" in size:
        new_size = {"longest_edge": image_size}
    else:
        new_size = {"height": image_size, "width": image_size}
    updates: dict[str, Any] = {"size": new_size}
    if getattr(image_processor, "crop_size", None) is not None:
        updates["crop_size"] = {"height": image_size, "width": image_size}
    config = image_processor.to_dict()
    config.update(updates)
    config.pop("image_processor_type", None)
    config.pop("processor_class", None)
    return type(image_processor)(**config)


def _template_renders_images(tokenizer, template: str | None) -> bool:
    if not template:
        return False
    try:
        text = tokenizer.apply_chat_template(
            student_messages("probe"), chat_template=template, add_generation_prompt=True, tokenize=False
        )
    except Exception:  # noqa: BLE001 - any template failure means "cannot use it"
        return False
    return isinstance(text, str) and text.count(IMAGE_TOKEN) == 1 and "probe" in text


def _load_tokenizer(model_id: str, **kwargs):
    """AutoTokenizer, except that a local folder whose tokenizer_config names the generic tokenizers backend
    is loaded as exactly that.

    transformers 5 replaces the generic class by the model type's own one for some types (qwen2 among
    them), rebuilding the pre-tokenizer and decoder from the vocabulary; for a tokenizer.json that carries
    its own pipeline (the tiny test models use Metaspace) that loses the spaces between words.
    """
    from transformers import AutoTokenizer

    folder = Path(model_id)
    config_file = folder / "tokenizer_config.json"
    if folder.is_dir() and (folder / "tokenizer.json").exists() and config_file.exists():
        declared = json.loads(config_file.read_text()).get("tokenizer_class")
        if declared in ("TokenizersBackend", "PreTrainedTokenizerFast"):
            from transformers import TokenizersBackend

            return TokenizersBackend.from_pretrained(model_id, **kwargs)
    return AutoTokenizer.from_pretrained(model_id, **kwargs)


def compose_llava_student(spec: StudentSpec):
    """LLaVA-style student from a pretrained vision tower and a pretrained causal LM.

    The composed model holds the tower's and the LM's pretrained weights (loaded tensor by tensor and
    checked), a randomly initialised projector (seeded by ``spec.train.seed``), and, when
    ``spec.image_size`` is set, the tower's position grid bicubic-resized to that resolution.
    Returns ``(LlavaForConditionalGeneration, LlavaProcessor)``.
    """
    torch = _torch()
    from transformers import (
        AutoConfig,
        AutoImageProcessor,
        AutoModelForCausalLM,
        GenerationConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
    )
    from transformers.models.auto.modeling_auto import MODEL_MAPPING

    if spec.recipe != "llava_compose" or not spec.vision_tower_id or not spec.language_model_id:
        raise ValueError("llava_compose needs recipe='llava_compose', vision_tower_id and language_model_id")
    remote = dict(trust_remote_code=spec.trust_remote_code)

    # --- language model + tokenizer (with an <image> token)
    tokenizer = _load_tokenizer(spec.language_model_id, **remote)
    lm = AutoModelForCausalLM.from_pretrained(spec.language_model_id, dtype=torch.float32, **remote)
    if tokenizer.convert_tokens_to_ids(IMAGE_TOKEN) in (None, tokenizer.unk_token_id):
        tokenizer.add_tokens([IMAGE_TOKEN], special_tokens=True)
    image_token_id = tokenizer.convert_tokens_to_ids(IMAGE_TOKEN)
    if image_token_id >= lm.get_input_embeddings().weight.shape[0]:
        lm.resize_token_embeddings(len(tokenizer), pad_to_multiple_of=64)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    text_config = lm.config

    # --- vision tower (+ optional position-embedding resize)
    tower_config = _vision_config_of(AutoConfig.from_pretrained(spec.vision_tower_id, **remote))
    vision_config = type(tower_config).from_dict(tower_config.to_dict())
    tower_cls = MODEL_MAPPING[type(vision_config)]  # CLIPVisionModel, SiglipVisionModel, ...
    tower = tower_cls.from_pretrained(spec.vision_tower_id, dtype=torch.float32, **remote)
    tower_state = tower.state_dict()
    if spec.image_size and spec.image_size != vision_config.image_size:
        tower_state = _resize_position_embeddings(tower_state, vision_config, spec.image_size)
        vision_config.image_size = spec.image_size
    n_positions = next(v for k, v in tower_state.items() if k.endswith("position_embedding.weight")).shape[0]
    grid = (vision_config.image_size // vision_config.patch_size) ** 2
    has_cls = n_positions == grid + 1
    select_strategy = "default" if has_cls else "full"  # "default" drops the CLS token; SigLIP has none

    config = LlavaConfig(
        vision_config=vision_config.to_dict(),
        text_config=text_config.to_dict(),
        image_token_id=image_token_id,
        vision_feature_select_strategy=select_strategy,
        vision_feature_layer=-2,
        projector_hidden_act="gelu",
        image_seq_length=grid,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=bool(getattr(text_config, "tie_word_embeddings", False)),
    )
    torch.manual_seed(spec.train.seed)
    model = LlavaForConditionalGeneration(config).float()

    # --- load the pretrained weights into the composed model, and check them
    model.model.vision_tower.load_state_dict(tower_state, strict=True)
    lm_backbone = lm.get_decoder() if hasattr(lm, "get_decoder") else lm.model
    model.model.language_model.load_state_dict(lm_backbone.state_dict(), strict=True)
    with torch.no_grad():
        model.lm_head.weight.copy_(lm.get_output_embeddings().weight)
    if config.tie_word_embeddings:
        model.tie_weights()
    _check_loaded(model.model.vision_tower.state_dict(), tower_state, "vision tower")
    _check_loaded(model.model.language_model.state_dict(), lm_backbone.state_dict(), "language model")
    _check_loaded({"w": model.lm_head.weight}, {"w": lm.get_output_embeddings().weight}, "lm head")

    # --- generation config follows the LM's (eos/pad), so generation stops where the LM would
    try:
        model.generation_config = GenerationConfig.from_dict(lm.generation_config.to_dict())
    except Exception:  # noqa: BLE001
        model.generation_config = GenerationConfig()
    _ensure_eos(model, tokenizer)

    # --- processor
    image_processor = AutoImageProcessor.from_pretrained(spec.vision_tower_id, **remote)
    if spec.image_size:
        image_processor = _resized_image_processor(image_processor, spec.image_size)
    template = getattr(tokenizer, "chat_template", None)
    if not _template_renders_images(tokenizer, template):
        template = CHATML_IMAGE_TEMPLATE
    tokenizer.chat_template = template
    processor = LlavaProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        patch_size=vision_config.patch_size,
        vision_feature_select_strategy=select_strategy,
        chat_template=template,
        image_token=IMAGE_TOKEN,
        num_additional_image_tokens=1 if has_cls else 0,
    )
    del lm, tower
    return model, processor


def _check_loaded(loaded: dict, source: dict, what: str) -> None:
    torch = _torch()
    missing = [k for k, v in source.items() if k not in loaded or not torch.equal(loaded[k].cpu(), v.cpu())]
    if missing:
        raise RuntimeError(f"{what}: pretrained weights did not load into the composed model: {missing[:5]}")


def _ensure_eos(model, tokenizer) -> None:
    """Generation stops on the token training appends after every caption."""
    eos = model.generation_config.eos_token_id
    ids = list(eos) if isinstance(eos, (list, tuple)) else ([eos] if eos is not None else [])
    if tokenizer.eos_token_id is not None and tokenizer.eos_token_id not in ids:
        ids.append(tokenizer.eos_token_id)
    model.generation_config.eos_token_id = ids[0] if len(ids) == 1 else ids
    if model.generation_config.pad_token_id is None and tokenizer.pad_token_id is not None:
        model.generation_config.pad_token_id = tokenizer.pad_token_id


def load_base_student(spec: StudentSpec):
    """(model, processor) to start training from, in float32 on the CPU."""
    if spec.recipe == "llava_compose":
        return compose_llava_student(spec)
    if spec.recipe != "finetune_vlm":
        raise ValueError(f"unknown student recipe {spec.recipe!r}")
    if not spec.base_vlm_id:
        raise ValueError("finetune_vlm needs base_vlm_id")
    torch = _torch()
    from transformers import AutoModelForImageTextToText, AutoProcessor

    remote = dict(trust_remote_code=spec.trust_remote_code)
    processor = AutoProcessor.from_pretrained(spec.base_vlm_id, **remote)
    model = AutoModelForImageTextToText.from_pretrained(spec.base_vlm_id, dtype=torch.float32, **remote)
    tokenizer = processor.tokenizer
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    _ensure_eos(model, tokenizer)
    return model, processor


# ------------------------------------------------------------------------------------------ data
@dataclass
class EncodedExample:
    uid: str
    input_ids: list[int]
    labels: list[int]
    extra: dict[str, Any]  # processor outputs besides the text (pixel_values, ...), each with batch dim 1
    text_aligned: dict[str, list[int]]  # other per-token processor outputs (token_type_ids, ...)
    n_prompt: int
    n_target: int


def cut_alt_text(alt_text: str | None, tokenizer, max_tokens: int) -> str:
    """Sanitise and cut alt-text to ``max_tokens`` of the student's tokenizer - same as at inference."""

    def truncate(text: str, n: int) -> str:
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        return text if len(ids) <= n else tokenizer.decode(ids[:n], skip_special_tokens=True)

    return AltTextBudget(max_tokens, truncate).apply(alt_text)[0]


def _processor_tokenizer(processor):
    return getattr(processor, "tokenizer", processor)


def encode_example(processor, example: DistillationExample, train: TrainSpec) -> EncodedExample:
    """Prompt (image + alt-text, rendered and expanded by the processor exactly as the engine does) followed
    by the caption tokens and EOS. Labels are -100 on every prompt token; a cut caption gets no EOS."""
    tokenizer = _processor_tokenizer(processor)
    alt = cut_alt_text(example.alt_text, tokenizer, train.max_alt_text_tokens)
    prompt = processor.apply_chat_template(student_messages(alt), add_generation_prompt=True, tokenize=False)
    image = example.image.convert("RGB") if example.image.mode != "RGB" else example.image
    enc = processor(text=[prompt], images=[[image]], return_tensors="pt")
    prompt_ids = enc["input_ids"][0].tolist()
    target_ids = tokenizer(example.target.strip(), add_special_tokens=False)["input_ids"]
    if len(target_ids) > train.max_target_tokens:
        target_ids = target_ids[: train.max_target_tokens]
    elif tokenizer.eos_token_id is not None:
        target_ids = target_ids + [tokenizer.eos_token_id]
    extra: dict[str, Any] = {}
    text_aligned: dict[str, list[int]] = {}
    for key, value in enc.items():
        if key in ("input_ids", "attention_mask"):
            continue
        if hasattr(value, "shape") and tuple(value.shape) == tuple(enc["input_ids"].shape):
            text_aligned[key] = value[0].tolist()
        else:
            extra[key] = value
    return EncodedExample(
        uid=example.uid,
        input_ids=prompt_ids + target_ids,
        labels=[IGNORE_INDEX] * len(prompt_ids) + list(target_ids),
        extra=extra,
        text_aligned=text_aligned,
        n_prompt=len(prompt_ids),
        n_target=len(target_ids),
    )


def collate_batch(encoded: Sequence[EncodedExample], pad_token_id: int) -> dict[str, Any]:
    """Right-padded batch: input_ids, attention_mask, labels (-100 on prompt and padding), pixel tensors."""
    torch = _torch()
    width = max(len(e.input_ids) for e in encoded)
    input_ids = torch.full((len(encoded), width), pad_token_id, dtype=torch.long)
    attention = torch.zeros((len(encoded), width), dtype=torch.long)
    labels = torch.full((len(encoded), width), IGNORE_INDEX, dtype=torch.long)
    for row, e in enumerate(encoded):
        n = len(e.input_ids)
        input_ids[row, :n] = torch.tensor(e.input_ids)
        attention[row, :n] = 1
        labels[row, :n] = torch.tensor(e.labels)
    batch: dict[str, Any] = {"input_ids": input_ids, "attention_mask": attention, "labels": labels}
    for key in encoded[0].text_aligned:
        t = torch.zeros((len(encoded), width), dtype=torch.long)
        for row, e in enumerate(encoded):
            values = e.text_aligned[key]
            t[row, : len(values)] = torch.tensor(values)
        batch[key] = t
    for key in encoded[0].extra:
        tensors = [e.extra[key] for e in encoded]
        if not all(hasattr(t, "shape") for t in tensors):
            continue
        shape = [max(t.shape[d] for t in tensors) for d in range(tensors[0].dim())]
        padded = []
        for t in tensors:
            if list(t.shape) != shape:
                # Zero padding is what the processors themselves use for missing image tiles.
                out = torch.zeros(shape, dtype=t.dtype)
                out[tuple(slice(0, s) for s in t.shape)] = t
                t = out
            padded.append(t)
        batch[key] = torch.cat(padded, dim=0)
    return batch


# ------------------------------------------------------------------------------------------ training
def _submodule(model, names: Sequence[str]):
    for root in (getattr(model, "model", None), model):
        if root is None:
            continue
        for name in names:
            module = getattr(root, name, None)
            if module is not None and hasattr(module, "parameters"):
                return module
    return None


def _set_trainable(model, train: TrainSpec) -> None:
    for p in model.parameters():
        p.requires_grad_(True)
    vision = _submodule(model, ("vision_tower", "vision_model", "visual", "vision_encoder"))
    if train.freeze_vision_tower and vision is not None:
        for p in vision.parameters():
            p.requires_grad_(False)
    if not train.train_language_model:
        text = _submodule(model, ("language_model", "text_model"))
        modules = [m for m in (text, model.get_output_embeddings()) if m is not None]
        for module in modules:
            for p in module.parameters():
                p.requires_grad_(False)


def _lr_factor(step: int, warmup: int, total: int) -> float:
    """Linear warmup to the peak over ``warmup`` steps, then cosine decay towards 0 at ``total``."""
    if warmup > 0 and step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


def _to_device(batch: dict[str, Any], device: str, float_dtype) -> dict[str, Any]:
    torch = _torch()
    out = {}
    for key, value in batch.items():
        if isinstance(value, torch.Tensor):
            value = value.to(device)
            if value.is_floating_point():
                value = value.to(float_dtype)
        out[key] = value
    return out


def _loss_sum(model, batch: dict[str, Any], device: str, weight_dtype, autocast_dtype):
    """Summed token cross-entropy over the label positions (next-token shift), and the token count."""
    torch = _torch()
    inputs = _to_device(batch, device, weight_dtype)
    labels = inputs.pop("labels")
    ctx = (
        torch.autocast(device_type=device.split(":")[0], dtype=autocast_dtype)
        if autocast_dtype is not None
        else contextlib.nullcontext()
    )
    with ctx:
        logits = model(**inputs, use_cache=False).logits
    shift_logits = logits[:, :-1, :].float()
    shift_labels = labels[:, 1:]
    loss = torch.nn.functional.cross_entropy(
        shift_logits.reshape(-1, shift_logits.shape[-1]),
        shift_labels.reshape(-1),
        ignore_index=IGNORE_INDEX,
        reduction="sum",
    )
    return loss, int((shift_labels != IGNORE_INDEX).sum().item())


class _LazyBatches:
    """A re-iterable sequence of batches built on demand."""

    def __init__(self, chunks: list, build: Callable[[Any], dict[str, Any]]):
        self._chunks, self._build = chunks, build

    def __len__(self) -> int:
        return len(self._chunks)

    def __iter__(self):
        return (self._build(chunk) for chunk in self._chunks)


def _evaluate(model, batches, device, weight_dtype, autocast_dtype) -> float:
    torch = _torch()
    if not batches:
        return float("nan")
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for batch in batches:
            loss, n = _loss_sum(model, batch, device, weight_dtype, autocast_dtype)
            total += float(loss)
            count += n
    model.train()
    return total / max(1, count)


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


def _agreement(
    checkpoint: Path, heldout: Sequence[DistillationExample], spec: StudentSpec, version: str, device: str
) -> tuple[float, list[dict[str, Any]]]:
    """Generate on held-out images through the pipeline's engine, from the saved checkpoint."""
    from kale_assets.generation import GenerationRequest, ModelSpec, SamplingSpec, TransformersEngine

    train = spec.train
    sample = sorted(heldout, key=lambda e: e.uid)[: max(0, train.agreement_samples)]
    if not sample:
        return float("nan"), []
    model_spec = ModelSpec(
        model_id=str(checkpoint),
        revision=f"student-{version}",  # no content hash of a folder still being written
        dtype=spec.dtype,
        batch_size=max(1, train.batch_size),
        sampling=SamplingSpec(max_new_tokens=train.agreement_max_new_tokens, no_repeat_ngram_size=3),
    )
    engine = TransformersEngine(model_spec, device=device)
    try:
        requests = [
            GenerationRequest(
                e.uid, student_messages(cut_alt_text(e.alt_text, engine.tokenizer, train.max_alt_text_tokens)), e.image
            )
            for e in sample
        ]
        results = engine.generate(requests)
    finally:
        del engine
    scores, rows = [], []
    for example, result in zip(sample, results):
        score = unigram_f1(result.text, example.target) if result.error is None else 0.0
        scores.append(score)
        rows.append({"uid": example.uid, "student": result.text, "error": result.error, "f1": round(score, 4)})
    return sum(scores) / len(scores), rows


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


def _compute_dtypes(spec: StudentSpec, device: str):
    torch = _torch()
    if spec.dtype == "auto":
        return torch.float32, (torch.bfloat16 if device.startswith("cuda") else None)
    weight = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[spec.dtype]
    return weight, None


def train_student(
    examples: Sequence[DistillationExample],
    spec: StudentSpec,
    out_dir: str | Path,
    *,
    data_fingerprint: str,
    progress: Callable[[str], None] | None = None,
    device: str | None = None,
) -> TrainingReport:
    """Train the student on (image, alt-text) -> fused caption and save it as ``out_dir/<version>/``.

    Deterministic for the same inputs on the same device (seeded init, seeded shuffling, fixed schedule).
    On success ``out_dir/CURRENT`` points at the new version.
    """
    torch = _torch()
    started = time.perf_counter()
    say = progress or (lambda msg: log.info("%s", msg))
    train = spec.train
    out_dir = Path(out_dir)
    device = device or _default_device()
    weight_dtype, autocast_dtype = _compute_dtypes(spec, device)
    if not examples:
        raise ValueError("no training examples")
    uids = [e.uid for e in examples]
    if len(set(uids)) != len(uids):
        raise ValueError("example uids must be unique")

    revisions = _base_revisions(spec)
    version = student_version(spec, data_fingerprint)
    heldout_uids = split_heldout(uids, train.heldout_fraction, train.min_heldout, train.seed)
    train_set = sorted((e for e in examples if e.uid not in heldout_uids), key=lambda e: e.uid)
    heldout_set = sorted((e for e in examples if e.uid in heldout_uids), key=lambda e: e.uid)
    say(f"student {version}: {len(train_set)} train / {len(heldout_set)} held-out examples on {device}")

    torch.manual_seed(train.seed)
    random.seed(train.seed)
    model, processor = load_base_student(spec)
    tokenizer = _processor_tokenizer(processor)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    _set_trainable(model, train)
    model.to(device=device, dtype=weight_dtype)
    model.train()
    num_parameters = sum(p.numel() for p in model.parameters())
    trainable = [p for p in model.parameters() if p.requires_grad]
    n_trainable = sum(p.numel() for p in trainable)

    encode = lambda e: encode_example(processor, e, train)  # noqa: E731
    bs = max(1, train.batch_size)
    eval_set = heldout_set[: max(0, train.heldout_eval_samples)]
    # Encoded lazily at each evaluation: held on to, full-resolution pixel tensors of a large held-out set
    # would cost gigabytes of host memory.
    heldout_batches = _LazyBatches(
        [eval_set[i : i + bs] for i in range(0, len(eval_set), bs)], lambda chunk: collate_batch(
            [encode(e) for e in chunk], pad_id)
    )

    micro_per_epoch = math.ceil(len(train_set) / bs)
    steps_per_epoch = max(1, math.ceil(micro_per_epoch / max(1, train.grad_accum_steps)))
    total_steps = train.max_steps if train.max_steps is not None else steps_per_epoch * max(1, train.epochs)
    warmup = math.ceil(train.warmup_ratio * total_steps) if train.warmup_ratio > 0 else 0
    optimizer = torch.optim.AdamW(trainable, lr=train.learning_rate, weight_decay=train.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: _lr_factor(s, warmup, total_steps))

    curve: list[dict[str, Any]] = []
    initial_heldout = _evaluate(model, heldout_batches, device, weight_dtype, autocast_dtype)
    if heldout_batches:
        curve.append({"step": 0, "split": "heldout", "loss": initial_heldout})
    say(f"initial held-out loss {initial_heldout:.4f}; {total_steps} steps ({warmup} warmup)")

    def micro_batches():
        epoch = 0
        while True:
            order = list(train_set)
            random.Random(f"{train.seed}|{epoch}").shuffle(order)
            for i in range(0, len(order), bs):
                yield order[i : i + bs]
            epoch += 1

    stream = micro_batches()
    step, train_seconds, train_tokens, target_tokens = 0, 0.0, 0, 0
    final_train_loss = float("nan")
    last_eval_step = 0
    heldout_loss = initial_heldout
    while step < total_steps:
        group = [collate_batch([encode(e) for e in next(stream)], pad_id) for _ in range(max(1, train.grad_accum_steps))]
        t0 = time.perf_counter()
        n_group = sum(int((b["labels"][:, 1:] != IGNORE_INDEX).sum()) for b in group)
        loss_total = 0.0
        for batch in group:
            loss, _ = _loss_sum(model, batch, device, weight_dtype, autocast_dtype)
            (loss / max(1, n_group)).backward()
            loss_total += float(loss.detach())
            train_tokens += int(batch["attention_mask"].sum())
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        train_seconds += time.perf_counter() - t0
        target_tokens += n_group
        step += 1
        final_train_loss = loss_total / max(1, n_group)
        curve.append({"step": step, "split": "train", "loss": final_train_loss})
        if train.eval_every_steps > 0 and step % train.eval_every_steps == 0 and step < total_steps:
            if heldout_batches:
                heldout_loss = _evaluate(model, heldout_batches, device, weight_dtype, autocast_dtype)
                curve.append({"step": step, "split": "heldout", "loss": heldout_loss})
                last_eval_step = step
            say(f"step {step}/{total_steps}: train {final_train_loss:.4f}, held-out {heldout_loss:.4f}, "
                f"{train_tokens / max(train_seconds, 1e-9):.0f} tokens/s")
    if heldout_batches and last_eval_step != step:
        heldout_loss = _evaluate(model, heldout_batches, device, weight_dtype, autocast_dtype)
        curve.append({"step": step, "split": "heldout", "loss": heldout_loss})
    say(f"trained {step} steps in {train_seconds:.1f}s: train {final_train_loss:.4f}, held-out {heldout_loss:.4f}")

    del optimizer, scheduler
    final = out_dir / version
    with atomic_dir(final) as tmp:
        model.eval()
        if autocast_dtype is not None:
            model.to(autocast_dtype)  # the engine runs it in bf16 on CUDA anyway; half the bytes on disk
        model.to("cpu")
        model.save_pretrained(tmp, safe_serialization=True)
        processor.save_pretrained(tmp)
        del model
        if device.startswith("cuda"):
            torch.cuda.empty_cache()
        agreement, agreement_rows = _agreement(tmp, heldout_set, spec, version, device)
        say(f"teacher-student agreement (unigram F1, {len(agreement_rows)} held-out): {agreement:.4f}")
        _write_curves(curve, tmp / "loss_curve.parquet", tmp / "loss_curve.png")
        report = TrainingReport(
            version=version,
            checkpoint_dir=str(final),
            n_train=len(train_set),
            n_heldout=len(heldout_set),
            steps=step,
            seconds=train_seconds,
            train_tokens=train_tokens,
            tokens_per_second=train_tokens / train_seconds if train_seconds > 0 else 0.0,
            final_train_loss=final_train_loss,
            final_heldout_loss=heldout_loss,
            initial_heldout_loss=initial_heldout,
            agreement=agreement,
            loss_curve_path=str(final / "loss_curve.parquet"),
            loss_plot_path=str(final / "loss_curve.png"),
            num_parameters=num_parameters,
            trainable_parameters=n_trainable,
            target_tokens=target_tokens,
            agreement_n=len(agreement_rows),
            total_seconds=time.perf_counter() - started,
            device=device,
            compute_dtype=str(autocast_dtype or weight_dtype).replace("torch.", ""),
            recipe=spec.recipe,
            base_models=revisions,
            data_fingerprint=data_fingerprint,
            agreement_examples=agreement_rows[:8],
        )
        atomic_write_json(tmp / "training_report.json", report.to_json())
    atomic_write_json(out_dir / "CURRENT", {"version": version, "path": str(final.resolve())})
    return report


def load_report(checkpoint_dir: str | Path) -> TrainingReport:
    data = json.loads((Path(checkpoint_dir) / "training_report.json").read_text())
    return TrainingReport(**data)


def latest_student(out_dir: str | Path) -> Path | None:
    """The checkpoint folder ``out_dir/CURRENT`` points at, or None when there is none (yet)."""
    pointer = Path(out_dir) / "CURRENT"
    if not pointer.exists():
        return None
    data = json.loads(pointer.read_text())
    for candidate in (Path(data.get("path", "")), Path(out_dir) / str(data.get("version", ""))):
        if str(candidate) and (candidate / "config.json").exists():
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
