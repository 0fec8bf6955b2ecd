"""Paper-style presets: pinned revisions, one alt-text budget, the CogVLM teacher handled explicitly, and the
paper's student route (OpenCLIP tower -> 490-style resize + squash -> LLaVA) composed offline from tiny models.

What only the real weights can show is listed in README ("Training the student").
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
import torch
from PIL import Image

from kale_assets.config import (
    PRESETS,
    PipelineConfig,
    kale_paper_preset,
    kale_qwen_vl_preset,
    preset_by_name,
)
from kale_assets.engines import ModelSpec, resolve_revision
from kale_assets.engines.cogvlm import (
    IMAGE_TOKENS,
    CogVLMEngine,
    cogvlm_prompt,
    cogvlm_query,
    left_pad,
)
from kale_assets.model_pins import PINS
from kale_assets.prompts import TEACHER_INSTRUCTION, teacher_messages
from kale_assets.training.loop import _validate
from kale_assets.training.specs import StudentSpec

SHA = re.compile(r"^[0-9a-f]{40}$")


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_trains_and_captions_with_one_alt_text_budget(name, tiny_models_dir):
    preset = preset_by_name(name, tiny_models_dir)
    assert preset.student.train.max_alt_text_tokens == preset.alt_text_max_tokens
    with pytest.raises(ValueError, match="alt-text budget"):
        replace(preset, alt_text_max_tokens=preset.alt_text_max_tokens + 1)


@pytest.mark.parametrize("preset", [kale_paper_preset(), kale_qwen_vl_preset()], ids=lambda p: p.name)
def test_paper_presets_pin_every_hub_model(preset):
    for spec in (preset.teacher, preset.fusion):
        assert SHA.match(spec.revision) and resolve_revision(spec) == spec.revision  # what every row records
    student = preset.student
    for repo in (student.vision_tower_id, student.language_model_id):
        assert SHA.match(student.revision_of(repo)) and student.revision_of(repo) == PINS[repo].revision
    assert PINS[student.base_vlm_id].revision is None  # the alternative route: honestly unpinned
    assert student.vision_tower_format == "open_clip" and student.image_size == 490


def test_paper_training_settings_fit_1_2_4_8_gpus():
    train = kale_paper_preset().student.train
    assert train.global_batch_size == 80 and train.learning_rate == 5e-5  # borrowed, labelled ours in config.py
    for world in (1, 2, 4, 8):
        _validate(train, world)
        assert (train.data_streams // world) % train.num_workers == 0


def test_second_preset_is_served_by_vllm_without_remote_code(tmp_path):
    preset = PipelineConfig(workdir=str(tmp_path), source="s", preset="kale-qwen-vl").resolve_preset()
    assert preset.teacher.model_id == "Qwen/Qwen2.5-VL-7B-Instruct" and preset.teacher.engine == "vllm"
    assert not preset.teacher.trust_remote_code and preset.student == kale_paper_preset().student
    paper = PipelineConfig(workdir=str(tmp_path), source="s", preset="kale-paper").resolve_preset()
    assert paper.teacher.engine == "cogvlm"


def test_cogvlm_needs_remote_code_switched_on_before_anything_loads():
    spec = kale_paper_preset().teacher
    assert not spec.trust_remote_code
    with pytest.raises(ValueError, match="trust-remote-code teacher"):
        CogVLMEngine(spec)  # refuses before any download


def test_cogvlm_request_format_and_batching():
    query = cogvlm_query(teacher_messages())
    assert query == TEACHER_INSTRUCTION
    assert cogvlm_prompt(query) == f"Question: {TEACHER_INSTRUCTION} Answer:"
    assert cogvlm_prompt("b?", [("a?", "yes")]) == "Question: a? Answer: yes\nQuestion: b? Answer:"
    assert IMAGE_TOKENS == 1227  # 35 x 35 patches of the 490 px image + begin/end of image
    with pytest.raises(ValueError, match="one user turn"):
        cogvlm_query([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}])
    features = [{"input_ids": torch.tensor([1, 5, 6]), "token_type_ids": torch.tensor([0, 1, 0]),
                 "attention_mask": torch.ones(3, dtype=torch.long), "images": [torch.zeros(3, 4, 4)]},
                {"input_ids": torch.tensor([1, 7]), "token_type_ids": torch.tensor([0, 0]),
                 "attention_mask": torch.ones(2, dtype=torch.long), "images": [torch.ones(3, 4, 4)]}]
    batch = left_pad(features, pad_id=0)
    assert batch["input_ids"].tolist() == [[1, 5, 6], [0, 1, 7]]  # left padding: prompts end together
    assert batch["attention_mask"].tolist() == [[1, 1, 1], [0, 1, 1]]
    assert batch["token_type_ids"].tolist() == [[0, 1, 0], [0, 0, 0]] and len(batch["images"]) == 2


def test_paper_student_route_composes_offline_from_an_openclip_tower(tiny_models, tmp_path, monkeypatch):
    """The kale-paper student recipe on tiny stand-ins: an OpenCLIP-format tower (as DFN ships), converted,
    resized (64 -> 96 px here, 378 -> 490 px for DFN), squash-preprocessed, composed with a Qwen2 LM."""
    import huggingface_hub.constants

    from kale_assets.distillation import DistillationExample
    from kale_assets.tiny_models import build_tiny_openclip_tower
    from kale_assets.training.data import encode_example
    from kale_assets.training.student import compose_llava_student

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    tower = build_tiny_openclip_tower(tmp_path / "dfn-like")
    paper = kale_paper_preset().student
    spec = replace(paper, vision_tower_id=str(tower), language_model_id=str(tiny_models.student_lm), image_size=96,
                   revisions={}, train=replace(paper.train, max_target_tokens=16))
    model, processor = compose_llava_student(spec)
    assert model.config.vision_config.image_size == 96 and model.config.vision_config.hidden_act == "quick_gelu"
    assert processor.image_processor.do_center_crop is False
    example = DistillationExample("u", Image.new("RGB", (150, 40), (200, 30, 30)), "a red sign", "a red sign.")
    enc = encode_example(processor, example, spec.train)
    assert tuple(enc.extra["pixel_values"].shape[-2:]) == (96, 96)  # squashed, not cropped
    assert enc.input_ids.count(model.config.image_token_id) == (96 // 16) ** 2
    assert (tmp_path / "kale-converted").exists()  # converted once, beside the hub cache


def test_student_spec_round_trips_through_json():
    spec = kale_paper_preset().student
    assert StudentSpec.from_json(spec.to_json()) == spec
    assert "num_workers" not in spec.version_material()["train"]
    assert ModelSpec("x").engine == "transformers"
