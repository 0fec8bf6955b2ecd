from dataclasses import replace

import pytest
from PIL import Image

from kale_assets.engines import (
    GenerationRequest,
    GenerationResult,
    ModelSpec,
    SamplingSpec,
    TransformersEngine,
    build_engine,
    release_engines,
)
from kale_assets.prompts import fusion_messages, teacher_messages

SAMPLING = SamplingSpec(max_new_tokens=12, do_sample=True, top_k=40, seed=3)


def _image(color):
    return Image.new("RGB", (96, 64), color)


def test_teacher_vlm_generates_per_image_and_reruns_identically(tiny_models):
    engine = TransformersEngine(ModelSpec(str(tiny_models.teacher), batch_size=3, sampling=SAMPLING))
    requests = [GenerationRequest(f"u{i}", teacher_messages(), _image((40 * i, 90, 200))) for i in range(5)]
    first = engine.generate(requests)
    again = engine.generate(requests)
    assert [r.request_id for r in first] == [f"u{i}" for i in range(5)]
    assert all(r.error is None and r.text for r in first)
    assert [r.text for r in first] == [r.text for r in again]
    assert all(0 < r.output_tokens <= 12 and r.prompt_tokens > 0 for r in first)
    assert engine.is_multimodal and engine.model_revision.startswith("local-")


def test_fusion_llm_text_only(tiny_models):
    engine = TransformersEngine(ModelSpec(str(tiny_models.fusion), batch_size=2, sampling=SAMPLING))
    requests = [GenerationRequest(str(i), fusion_messages("A red shoe.", f"Nike Air {i}")) for i in range(3)]
    results = engine.generate(requests)
    assert not engine.is_multimodal
    assert all(r.text and r.error is None for r in results)


def test_over_long_prompt_is_a_rejected_request_not_a_failed_batch(tiny_models):
    spec = ModelSpec(str(tiny_models.fusion), batch_size=4, sampling=SAMPLING)
    engine = TransformersEngine(spec)
    huge = "word " * (engine.max_context + 50)
    requests = [GenerationRequest("ok1", fusion_messages("A cat.", "tabby")),
                GenerationRequest("long", fusion_messages(huge, "x")),
                GenerationRequest("ok2", fusion_messages("A dog.", "terrier"))]
    results = {r.request_id: r for r in engine.generate(requests)}
    assert results["long"].error.startswith("prompt_too_long")
    assert results["ok1"].text and results["ok2"].text


def test_budget_truncation_uses_the_model_tokenizer(tiny_models):
    engine = TransformersEngine(ModelSpec(str(tiny_models.fusion)))
    text = "museum painting landscape " * 40
    cut = engine.truncate_to_tokens(text, 10)
    assert engine.count_tokens(cut) <= 10 < engine.count_tokens(text)


def test_build_engine_reuses_one_engine_per_spec(tiny_models):
    spec = ModelSpec(str(tiny_models.fusion), sampling=SAMPLING)
    a = build_engine(spec)
    assert build_engine(spec) is a
    b = build_engine(replace(spec, batch_size=2))
    assert b is not a
    release_engines()
    with pytest.raises(ValueError, match="unknown engine"):
        build_engine(replace(spec, engine="nope"))


def test_a_caption_does_not_depend_on_its_batch_mates(tiny_models_dir):
    """Per-request sampling seeds: the same request gives the same text alone, in a batch of 3 or of 10."""
    import numpy as np
    from PIL import Image

    from kale_assets.config import tiny_preset
    from kale_assets.engines import GenerationRequest, TransformersEngine
    from kale_assets.prompts import teacher_messages

    rng = np.random.default_rng(0)
    requests = [GenerationRequest(f"uid{i}", teacher_messages(),
                                  Image.fromarray(rng.integers(0, 255, (40 + 9 * i, 64, 3), dtype=np.uint8)))
                for i in range(10)]
    spec = tiny_preset(tiny_models_dir).teacher
    texts = {}
    for batch_size in (10, 3, 1):
        engine = TransformersEngine(replace(spec, batch_size=batch_size,
                                            sampling=replace(spec.sampling, max_new_tokens=16)))
        texts[batch_size] = [r.text for r in engine.generate(requests)]
        # another order of the same requests: each still gets its own text
        reordered = {r.request_id: r.text for r in engine.generate(list(reversed(requests)))}
        assert [reordered[r.request_id] for r in requests] == texts[batch_size]
    assert texts[10] == texts[3] == texts[1]
    assert len(set(texts[1])) > 1  # sampled, not one fixed text


def test_engine_errors_fail_loudly_and_request_errors_are_rejections(tiny_models_dir, monkeypatch):
    import torch

    from kale_assets.config import tiny_preset
    from kale_assets.engines import EngineFailure, GenerationRequest, TransformersEngine
    from kale_assets.prompts import fusion_messages

    engine = TransformersEngine(tiny_preset(tiny_models_dir).fusion)
    requests = [GenerationRequest(f"u{i}", fusion_messages("a red bus", f"alt {i}")) for i in range(4)]

    def device_assert(self, prepared):
        raise RuntimeError("CUDA error: device-side assert triggered")

    monkeypatch.setattr(TransformersEngine, "_generate_batch", device_assert)
    with pytest.raises(EngineFailure, match="device-side assert"):
        engine.generate(requests)
    monkeypatch.setattr(TransformersEngine, "_generate_batch",
                        lambda self, prepared: (_ for _ in ()).throw(torch.OutOfMemoryError("CUDA out of memory")))
    with pytest.raises(EngineFailure, match="out of memory"):
        engine.generate(requests)

    def one_bad(self, prepared):
        if any(r.request_id == "u2" for r, _ in prepared):
            raise ValueError("image features and image tokens do not match")
        return [GenerationResult(r.request_id, "fine", None, 3, 1) for r, _ in prepared]

    monkeypatch.setattr(TransformersEngine, "_generate_batch", one_bad)
    results = {r.request_id: r for r in engine.generate(requests)}
    assert results["u2"].error.startswith("request_error") and results["u0"].text == "fine"
