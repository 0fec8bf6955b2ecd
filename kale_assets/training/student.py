"""The student model: a LLaVA-style composition of a vision tower and a causal LM, or an existing small VLM.

Every hub id is loaded at its pinned revision (`StudentSpec.revisions`); a local folder is loaded as is.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from kale_assets.prompts import CHATML_IMAGE_TEMPLATE, student_messages
from kale_assets.training.data import IMAGE_TOKEN
from kale_assets.training.specs import StudentSpec, TrainSpec


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
    except (ValueError, TypeError, KeyError, jinja2.TemplateError):
        # A template that cannot render our probe conversation cannot serve the student either.
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


def _hf_tower(spec: StudentSpec) -> tuple[str, str | None]:
    """The tower as a transformers checkpoint (id, revision): OpenCLIP towers are converted once, at the
    student's resolution, into a folder beside the hub cache."""
    if spec.vision_tower_format != "open_clip":
        return spec.vision_tower_id, spec.revision_of(spec.vision_tower_id)
    from kale_assets.training.openclip import (
        convert_openclip_tower,
        converted_tower_dir,
    )

    revision = spec.revision_of(spec.vision_tower_id)
    if Path(spec.vision_tower_id).is_dir():
        from kale_assets.tiny_models import checkpoint_revision

        revision = "local-" + checkpoint_revision(spec.vision_tower_id)
    out = converted_tower_dir(spec.vision_tower_id, revision, spec.image_size)
    return str(convert_openclip_tower(spec.vision_tower_id, out, revision=spec.revision_of(spec.vision_tower_id),
                                      image_size=spec.image_size)), None


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
    lm_at = dict(remote, revision=spec.revision_of(spec.language_model_id))
    tower_id, tower_rev = _hf_tower(spec)
    tower_at = dict(remote, revision=tower_rev)

    # --- language model + tokenizer (with an <image> token)
    tokenizer = _load_tokenizer(spec.language_model_id, **lm_at)
    lm = AutoModelForCausalLM.from_pretrained(spec.language_model_id, dtype=torch.float32, **lm_at)
    if tokenizer.convert_tokens_to_ids(IMAGE_TOKEN) in (None, tokenizer.unk_token_id):
        tokenizer.add_tokens([IMAGE_TOKEN], special_tokens=True)
    image_token_id = tokenizer.convert_tokens_to_ids(IMAGE_TOKEN)
    if image_token_id >= lm.get_input_embeddings().weight.shape[0]:
        lm.resize_token_embeddings(len(tokenizer), pad_to_multiple_of=64)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    text_config = lm.config

    # --- vision tower (+ optional position-embedding resize)
    tower_config = _vision_config_of(AutoConfig.from_pretrained(tower_id, **tower_at))
    vision_config = type(tower_config).from_dict(tower_config.to_dict())
    tower_cls = MODEL_MAPPING[type(vision_config)]  # CLIPVisionModel, SiglipVisionModel, ...
    tower = tower_cls.from_pretrained(tower_id, dtype=torch.float32, **tower_at)
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
    except (ValueError, TypeError):
        # An LM whose saved generation settings do not validate: start from defaults, eos/pad set below.
        model.generation_config = GenerationConfig()
    _ensure_eos(model, tokenizer)

    # --- processor
    image_processor = AutoImageProcessor.from_pretrained(tower_id, **tower_at)
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

    at = dict(trust_remote_code=spec.trust_remote_code, revision=spec.revision_of(spec.base_vlm_id))
    processor = AutoProcessor.from_pretrained(spec.base_vlm_id, **at)
    model = AutoModelForImageTextToText.from_pretrained(spec.base_vlm_id, dtype=torch.float32, **at)
    tokenizer = processor.tokenizer
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    _ensure_eos(model, tokenizer)
    return model, processor



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




def prepare_for_training(model, train: TrainSpec) -> None:
    """Freeze what the recipe keeps fixed; recompute decoder activations in backward when asked.

    Gradient checkpointing keeps one hidden state per layer and sample instead of every intermediate
    activation, which is what lets paper-size micro-batches fit (README, "Training the student").
    """
    _set_trainable(model, train)
    if train.gradient_checkpointing and getattr(model, "supports_gradient_checkpointing", False):
        # Non-reentrant checkpointing works with frozen inputs and under DDP.
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
