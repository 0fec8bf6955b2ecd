"""OpenCLIP ViT checkpoints (the paper's DFN ViT-H) -> a Hugging Face ``CLIPVisionModelWithProjection`` folder.

``apple/DFN5B-CLIP-ViT-H-14-378`` ships ``open_clip_config.json`` and OpenCLIP weights, which ``AutoConfig``
cannot read. The converter maps the ``visual.*`` tensors onto transformers' CLIP vision layout (the fused
``in_proj`` attention weight is split into q/k/v), bicubic-interpolates the position grid to the student's
resolution (paper: 490 px, 35x35 patches of 14 px) and writes an image processor that resizes by *squashing*
to a square without a centre crop, as DFN was trained (OpenCLIP ``resize_mode="squash"``).

Supported: the plain OpenCLIP ``VisionTransformer`` (class-token pooling, learnable positions, ln_pre, no layer
scale, no attentional pooler) - which covers DFN ViT-H/L/B and OpenAI/LAION ViTs. Anything else is refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CONFIG_FILE = "open_clip_config.json"
WEIGHT_FILES = ("open_clip_model.safetensors", "open_clip_pytorch_model.bin")
OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)
_UNSUPPORTED = ("ls_init_value", "attentional_pool", "no_ln_pre", "final_ln_after_pool", "timm_model_name",
                "qk_norm", "scaled_cosine_attn", "scale_heads", "scale_attn", "scale_fc")


def vision_config(open_clip_config: dict[str, Any]):
    """The ``CLIPVisionConfig`` of an OpenCLIP model config (``open_clip_config.json`` or its ``model_cfg``)."""
    from transformers import CLIPVisionConfig

    model_cfg = open_clip_config.get("model_cfg", open_clip_config)
    vision = model_cfg["vision_cfg"]
    bad = [k for k in _UNSUPPORTED if vision.get(k)]
    if bad or vision.get("pool_type", "tok") != "tok" or vision.get("pos_embed_type", "learnable") != "learnable":
        raise ValueError(f"OpenCLIP vision tower options without a CLIPVisionModel equivalent: {bad or vision}")
    width = int(vision["width"])
    return CLIPVisionConfig(
        hidden_size=width,
        intermediate_size=int(width * float(vision.get("mlp_ratio", 4.0))),
        num_hidden_layers=int(vision["layers"]),
        num_attention_heads=width // int(vision.get("head_width", 64)),
        image_size=int(vision["image_size"]),
        patch_size=int(vision["patch_size"]),
        projection_dim=int(model_cfg["embed_dim"]),
        hidden_act="quick_gelu" if model_cfg.get("quick_gelu") else "gelu",
        layer_norm_eps=1e-5,  # torch.nn.LayerNorm's default, which OpenCLIP uses
    )


def convert_state_dict(state: dict, num_layers: int) -> dict:
    """OpenCLIP ``visual.*`` (or bare VisionTransformer) tensors -> CLIPVisionModelWithProjection names."""
    prefix = "visual." if any(k.startswith("visual.") for k in state) else ""
    v = {k[len(prefix):]: t for k, t in state.items() if k.startswith(prefix)}
    out = {
        "vision_model.embeddings.class_embedding": v["class_embedding"],
        "vision_model.embeddings.patch_embedding.weight": v["conv1.weight"],
        "vision_model.embeddings.position_embedding.weight": v["positional_embedding"],
        "vision_model.pre_layrnorm.weight": v["ln_pre.weight"],
        "vision_model.pre_layrnorm.bias": v["ln_pre.bias"],
        "vision_model.post_layernorm.weight": v["ln_post.weight"],
        "vision_model.post_layernorm.bias": v["ln_post.bias"],
        "visual_projection.weight": v["proj"].t().contiguous(),  # OpenCLIP computes x @ proj
    }
    for i in range(num_layers):
        src, dst = f"transformer.resblocks.{i}.", f"vision_model.encoder.layers.{i}."
        q, k, val = v[src + "attn.in_proj_weight"].chunk(3, dim=0)
        qb, kb, vb = v[src + "attn.in_proj_bias"].chunk(3, dim=0)
        out.update({
            dst + "self_attn.q_proj.weight": q, dst + "self_attn.k_proj.weight": k,
            dst + "self_attn.v_proj.weight": val, dst + "self_attn.q_proj.bias": qb,
            dst + "self_attn.k_proj.bias": kb, dst + "self_attn.v_proj.bias": vb,
            dst + "self_attn.out_proj.weight": v[src + "attn.out_proj.weight"],
            dst + "self_attn.out_proj.bias": v[src + "attn.out_proj.bias"],
            dst + "layer_norm1.weight": v[src + "ln_1.weight"], dst + "layer_norm1.bias": v[src + "ln_1.bias"],
            dst + "layer_norm2.weight": v[src + "ln_2.weight"], dst + "layer_norm2.bias": v[src + "ln_2.bias"],
            dst + "mlp.fc1.weight": v[src + "mlp.c_fc.weight"], dst + "mlp.fc1.bias": v[src + "mlp.c_fc.bias"],
            dst + "mlp.fc2.weight": v[src + "mlp.c_proj.weight"], dst + "mlp.fc2.bias": v[src + "mlp.c_proj.bias"],
        })
    return {k: t.contiguous() for k, t in out.items()}


def squash_image_processor(image_size: int, preprocess_cfg: dict[str, Any] | None = None):
    """Resize to ``image_size`` x ``image_size`` ignoring the aspect ratio (no crop), bicubic, CLIP-normalised."""
    from transformers import CLIPImageProcessorPil
    from transformers.image_utils import PILImageResampling

    cfg = preprocess_cfg or {}
    return CLIPImageProcessorPil(
        do_resize=True, size={"height": image_size, "width": image_size}, resample=PILImageResampling.BICUBIC,
        do_center_crop=False, do_rescale=True, do_normalize=True, do_convert_rgb=True,
        image_mean=list(cfg.get("mean", OPENAI_MEAN)), image_std=list(cfg.get("std", OPENAI_STD)))


def _load_weights(folder: Path) -> dict:
    for name in WEIGHT_FILES:
        path = folder / name
        if path.exists():
            if path.suffix == ".safetensors":
                from safetensors.torch import load_file

                return load_file(str(path))
            import torch

            # A plain tensor dict: weights_only refuses anything that would run code while unpickling.
            return torch.load(str(path), map_location="cpu", weights_only=True)
    raise FileNotFoundError(f"no OpenCLIP weights ({' or '.join(WEIGHT_FILES)}) in {folder}")


def _fetch(repo_or_dir: str, revision: str | None) -> Path:
    """A local folder as is; a hub repo's config and weights at the pinned revision."""
    if Path(repo_or_dir).is_dir():
        return Path(repo_or_dir)
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError

    config = Path(hf_hub_download(repo_or_dir, CONFIG_FILE, revision=revision))
    for name in WEIGHT_FILES:
        try:
            hf_hub_download(repo_or_dir, name, revision=revision)
            return config.parent
        except EntryNotFoundError:
            continue
    raise FileNotFoundError(f"{repo_or_dir}@{revision}: no OpenCLIP weights")


def convert_openclip_tower(repo_or_dir: str, out_dir: str | Path, *, revision: str | None = None,
                           image_size: int | None = None) -> Path:
    """Write ``out_dir`` (skipped when it is already complete): CLIPVisionModelWithProjection + processor."""
    from kale_assets.io_utils import atomic_dir
    from kale_assets.training.student import _resize_position_embeddings

    out = Path(out_dir)
    if (out / "config.json").exists():
        return out
    from transformers import CLIPVisionModelWithProjection

    source = _fetch(repo_or_dir, revision)
    cfg = json.loads((source / CONFIG_FILE).read_text())
    config = vision_config(cfg)
    state = convert_state_dict(_load_weights(source), config.num_hidden_layers)
    if image_size and image_size != config.image_size:
        state = _resize_position_embeddings(state, config, image_size)
        config.image_size = image_size
    model = CLIPVisionModelWithProjection(config)
    model.load_state_dict(state, strict=True)
    with atomic_dir(out) as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        squash_image_processor(config.image_size, cfg.get("preprocess_cfg")).save_pretrained(tmp)
        (tmp / "converted_from.json").write_text(json.dumps({"source": repo_or_dir, "revision": revision,
                                                             "image_size": config.image_size}))
    return out


def converted_tower_dir(repo: str, revision: str | None, image_size: int | None) -> Path:
    """Where a converted hub tower is kept: beside the Hugging Face cache (read when called, not at import)."""
    from huggingface_hub import constants

    name = f"{repo.replace('/', '--')}@{revision or 'unpinned'}-{image_size or 'native'}px"
    return Path(constants.HF_HUB_CACHE).parent / "kale-converted" / name
