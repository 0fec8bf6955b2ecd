import json

from transformers import AutoConfig, AutoTokenizer

from kale_assets.tiny_models import build_tiny_models, checkpoint_revision


def test_tiny_models_are_real_architectures_loadable_by_id(tiny_models):
    assert AutoConfig.from_pretrained(tiny_models.teacher).model_type == "idefics3"
    assert AutoConfig.from_pretrained(tiny_models.fusion).model_type == "mistral"
    assert AutoConfig.from_pretrained(tiny_models.student_lm).model_type == "qwen2"
    for path in (tiny_models.teacher, tiny_models.fusion, tiny_models.student_vision, tiny_models.student_lm):
        assert (path / "model.safetensors").exists()
        assert not list(path.glob("*.bin")) and not list(path.glob("*.pt"))
    tokenizer = AutoTokenizer.from_pretrained(tiny_models.fusion)
    assert tokenizer.chat_template and tokenizer.pad_token_id is not None
    # head_dim 64: vLLM's CPU attention refuses smaller heads
    assert json.loads((tiny_models.fusion / "config.json").read_text())["head_dim"] == 64


def test_build_is_deterministic(tmp_path, tiny_models):
    again = build_tiny_models(tmp_path)
    assert checkpoint_revision(again.fusion) == checkpoint_revision(tiny_models.fusion)
    assert checkpoint_revision(again.teacher) == checkpoint_revision(tiny_models.teacher)


def test_revision_ignores_reports_but_not_weights(tmp_path, tiny_models):
    import shutil

    copy = tmp_path / "ckpt"
    shutil.copytree(tiny_models.fusion, copy)
    before = checkpoint_revision(copy)
    (copy / "training_report.json").write_text('{"seconds": 12.3}')
    assert checkpoint_revision(copy) == before
    weights = bytearray((copy / "model.safetensors").read_bytes())
    weights[-1] ^= 0xFF
    (copy / "model.safetensors").write_bytes(bytes(weights))
    assert checkpoint_revision(copy) != before
