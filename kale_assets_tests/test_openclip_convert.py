"""The OpenCLIP -> CLIPVisionModel converter against OpenCLIP's own VisionTransformer, random weights, offline.

OpenCLIP's package ``__init__`` imports torchvision (transforms, FrozenBatchNorm2d), and no torchvision build works
with the CPU torch here (the matching 0.28.0 wheel fails at import: "operator torchvision::nms does not exist").
The vision tower itself needs none of it: ``open_clip/transformer.py`` uses torch only, and its helper module
``open_clip/utils.py`` imports ``FrozenBatchNorm2d`` solely for ``freeze_batch_norm_2d``, which a ViT never calls.
So the test imports ``open_clip.transformer`` from the installed package (installed with ``--no-deps`` by
scripts/setup, unmodified) under a bare package object, with that one unused torchvision name stubbed for the
duration of the test. The model under test is OpenCLIP's unmodified VisionTransformer code.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import types
from pathlib import Path

import pytest
import torch
from PIL import Image

from kale_assets.training.openclip import convert_openclip_tower, squash_image_processor

WIDTH, LAYERS, HEADS, PATCH, SIZE, EMBED = 64, 3, 2, 8, 32, 48


@pytest.fixture
def open_clip_transformer(monkeypatch):
    import transformers  # noqa: F401 - imported before the stub so it never sees it

    spec = importlib.util.find_spec("open_clip")
    if spec is None:
        pytest.skip("open_clip_torch is not installed (scripts/setup --dev installs it)")
    package = types.ModuleType("open_clip")
    package.__path__ = list(spec.submodule_search_locations)
    for name in [n for n in sys.modules if n == "open_clip" or n.startswith("open_clip.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "open_clip", package)
    stub = types.ModuleType("torchvision.ops.misc")
    stub.FrozenBatchNorm2d = type("FrozenBatchNorm2d", (), {})  # only referenced by freeze_batch_norm_2d
    for name, module in (("torchvision", types.ModuleType("torchvision")),
                         ("torchvision.ops", types.ModuleType("torchvision.ops")), ("torchvision.ops.misc", stub)):
        monkeypatch.setitem(sys.modules, name, module)
    module = importlib.import_module("open_clip.transformer")
    yield module
    for name in [n for n in sys.modules if n.startswith("open_clip.")]:
        monkeypatch.delitem(sys.modules, name, raising=False)


def _openclip_vit(oc, seed: int = 0):
    torch.manual_seed(seed)
    vit = oc.VisionTransformer(image_size=SIZE, patch_size=PATCH, width=WIDTH, layers=LAYERS, heads=HEADS,
                               mlp_ratio=4.0, output_dim=EMBED, act_layer=oc.QuickGELU)
    with torch.no_grad():
        for p in vit.parameters():  # random everything, LayerNorms included, so no tensor can be mapped wrongly
            p.copy_(torch.randn_like(p) * 0.2 + (1.0 if p.dim() == 1 and p.shape[0] == WIDTH else 0.0))
    return vit.eval()


def _write_openclip_folder(vit, folder: Path) -> None:
    from safetensors.torch import save_file

    folder.mkdir(parents=True)
    save_file({f"visual.{k}": v.contiguous() for k, v in vit.state_dict().items()},
              str(folder / "open_clip_model.safetensors"))
    config = {"model_cfg": {"embed_dim": EMBED, "quick_gelu": True, "vision_cfg": {
        "image_size": SIZE, "layers": LAYERS, "width": WIDTH, "head_width": WIDTH // HEADS, "patch_size": PATCH}},
        "preprocess_cfg": {"mean": [0.48145466, 0.4578275, 0.40821073], "std": [0.26862954, 0.26130258, 0.27577711],
                           "interpolation": "bicubic", "resize_mode": "squash"}}
    (folder / "open_clip_config.json").write_text(json.dumps(config))


def test_converted_tower_gives_the_same_features(open_clip_transformer, tmp_path):
    from transformers import CLIPVisionModelWithProjection

    vit = _openclip_vit(open_clip_transformer)
    _write_openclip_folder(vit, tmp_path / "oc")
    out = convert_openclip_tower(str(tmp_path / "oc"), tmp_path / "hf")
    hf = CLIPVisionModelWithProjection.from_pretrained(out).eval()
    assert hf.config.hidden_act == "quick_gelu" and hf.config.image_size == SIZE

    captured = {}
    vit.transformer.resblocks[-2].register_forward_hook(lambda m, i, o: captured.__setitem__("x", o))
    pixels = torch.randn(3, 3, SIZE, SIZE)
    with torch.no_grad():
        pooled = vit(pixels)
        ours = hf(pixel_values=pixels, output_hidden_states=True)
    assert torch.allclose(ours.image_embeds, pooled, atol=1e-5)
    # the LLaVA student reads the second-to-last layer's tokens (vision_feature_layer=-2)
    assert torch.allclose(ours.hidden_states[-2], captured["x"], atol=1e-5)


def test_conversion_to_490_style_size_interpolates_positions_and_squashes(open_clip_transformer, tmp_path):
    from transformers import CLIPVisionModelWithProjection

    vit = _openclip_vit(open_clip_transformer, seed=1)
    _write_openclip_folder(vit, tmp_path / "oc")
    new_size = 56  # 4x4 -> 7x7 patches, as 378 -> 490 px takes DFN's 27x27 grid to 35x35
    out = convert_openclip_tower(str(tmp_path / "oc"), tmp_path / "hf56", image_size=new_size)
    hf = CLIPVisionModelWithProjection.from_pretrained(out).eval()
    pos = hf.vision_model.embeddings.position_embedding.weight.detach()
    source = vit.positional_embedding.detach()
    assert pos.shape == (1 + 7 * 7, WIDTH) and torch.equal(pos[0], source[0])  # CLS position kept
    grid = source[1:].reshape(1, 4, 4, WIDTH).permute(0, 3, 1, 2)
    expected = torch.nn.functional.interpolate(grid, size=(7, 7), mode="bicubic", align_corners=False)
    assert torch.allclose(pos[1:], expected.permute(0, 2, 3, 1).reshape(49, WIDTH), atol=1e-6)
    with torch.no_grad():
        assert hf(pixel_values=torch.randn(1, 3, new_size, new_size)).last_hidden_state.shape == (1, 50, WIDTH)

    processor = json.loads((out / "preprocessor_config.json").read_text())
    assert processor["do_center_crop"] is False and processor["size"] == {"height": new_size, "width": new_size}
    wide = Image.new("RGB", (200, 50))
    wide.paste((255, 0, 0), (0, 0, 100, 50))  # left half red: a centre crop would cut most of it away
    pixels = squash_image_processor(new_size)(images=[wide], return_tensors="pt")["pixel_values"][0]
    assert pixels.shape == (3, new_size, new_size)
    red = (1.0 - 0.48145466) / 0.26862954
    assert pixels[0, :, : new_size // 2 - 2].mean() == pytest.approx(red, abs=0.05)  # half the width stays red


def test_unsupported_openclip_variants_are_refused():
    from kale_assets.training.openclip import vision_config

    base = {"embed_dim": 8, "vision_cfg": {"image_size": 32, "layers": 1, "width": 64, "patch_size": 8}}
    assert vision_config(base).hidden_act == "gelu"
    for extra in ({"ls_init_value": 0.1}, {"attentional_pool": True}, {"pool_type": "avg"}):
        bad = {"embed_dim": 8, "vision_cfg": {**base["vision_cfg"], **extra}}
        with pytest.raises(ValueError, match="without a CLIPVisionModel equivalent"):
            vision_config(bad)
