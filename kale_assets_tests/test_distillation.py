"""The distilled student captioner, on real tiny checkpoints built into a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import torch
from PIL import Image

from kale_assets.distillation import (
    DistillationExample,
    StudentSpec,
    TrainSpec,
    latest_student,
    student_version,
    train_student,
    training_mfu,
    unigram_f1,
)
from kale_assets.engines import (
    GenerationRequest,
    ModelSpec,
    SamplingSpec,
    TransformersEngine,
)
from kale_assets.prompts import student_messages
from kale_assets.tiny_models import build_tiny_models
from kale_assets.training.data import (
    IGNORE_INDEX,
    collate_batch,
    encode_example,
    split_heldout,
)
from kale_assets.training.student import compose_llava_student, load_base_student

WORDS = ["dog", "cat", "tree", "bird", "car", "man", "boat", "house"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_models(tmp_path_factory.mktemp("models"))


def _examples(n: int) -> list[DistillationExample]:
    out = []
    for i in range(n):
        image = Image.new("RGB", (60 + 7 * i, 50 + 3 * i), ((37 * i) % 256, (200 - 29 * i) % 256, (90 + 61 * i) % 256))
        out.append(
            DistillationExample(
                uid=f"uid-{i:03d}",
                image=image,
                alt_text=f"{WORDS[i % len(WORDS)]} photo paris museum {1900 + i}",
                target=f"a red painting of a {WORDS[i % len(WORDS)]} in the park near the museum",
            )
        )
    return out


def _llava_spec(tiny, **train) -> StudentSpec:
    defaults = dict(global_batch_size=4, micro_batch_size=4, data_streams=2, learning_rate=3e-3, eval_every_steps=5,
                    warmup_ratio=0.1, agreement_max_new_tokens=16, agreement_samples=4)
    defaults.update(train)
    return StudentSpec(
        recipe="llava_compose",
        vision_tower_id=str(tiny.student_vision),
        language_model_id=str(tiny.student_lm),
        train=TrainSpec(**defaults),
    )


def _state(model) -> dict[str, torch.Tensor]:
    return {k: v.detach().cpu() for k, v in model.state_dict().items()}


# ------------------------------------------------------------------------------------------ compose
def test_compose_loads_pretrained_tower_and_lm(tiny):
    from transformers import CLIPVisionModel, Qwen2ForCausalLM

    model, processor = compose_llava_student(_llava_spec(tiny))
    tower = _state(CLIPVisionModel.from_pretrained(tiny.student_vision))
    lm = Qwen2ForCausalLM.from_pretrained(tiny.student_lm)
    composed_tower = _state(model.model.vision_tower)
    assert tower.keys() == composed_tower.keys()
    for key, value in tower.items():
        assert torch.equal(composed_tower[key], value), key
    composed_lm = _state(model.model.language_model)
    for key, value in _state(lm.model).items():
        assert torch.equal(composed_lm[key], value), key
    assert torch.equal(model.lm_head.weight, lm.lm_head.weight)

    config = model.config
    assert config.image_token_id == processor.tokenizer.convert_tokens_to_ids("<image>")
    assert config.vision_feature_layer == -2 and config.vision_feature_select_strategy == "default"
    assert config.projector_hidden_act == "gelu"
    # one <image> becomes one token per 16px patch of the 64px image (CLS dropped by "default")
    prompt = processor.apply_chat_template(student_messages("x"), add_generation_prompt=True, tokenize=False)
    enc = processor(text=[prompt], images=[[Image.new("RGB", (90, 70))]], return_tensors="pt")
    assert int((enc["input_ids"] == config.image_token_id).sum()) == (64 // 16) ** 2
    with torch.no_grad():
        logits = model(**enc).logits
    assert logits.shape == (1, enc["input_ids"].shape[1], lm.config.vocab_size)
    assert torch.isfinite(logits).all()


def test_position_embedding_resize_to_new_image_size(tiny):
    from transformers import CLIPVisionModel

    spec = StudentSpec(recipe="llava_compose", vision_tower_id=str(tiny.student_vision),
                       language_model_id=str(tiny.student_lm), image_size=96)
    model, processor = compose_llava_student(spec)
    source = CLIPVisionModel.from_pretrained(tiny.student_vision).embeddings.position_embedding.weight
    resized = model.model.vision_tower.embeddings.position_embedding.weight
    assert model.config.vision_config.image_size == 96
    assert resized.shape == (1 + (96 // 16) ** 2, source.shape[1])
    assert torch.equal(resized[0], source[0])  # the CLS position is kept as is
    # the interpolated grid keeps the scale of the original one (not a fresh random init)
    assert abs(resized[1:].std().item() - source[1:].std().item()) < 0.5 * source[1:].std().item()

    prompt = processor.apply_chat_template(student_messages("x"), add_generation_prompt=True, tokenize=False)
    enc = processor(text=[prompt], images=[[Image.new("RGB", (130, 100), (9, 99, 199))]], return_tensors="pt")
    assert tuple(enc["pixel_values"].shape[-2:]) == (96, 96)
    assert int((enc["input_ids"] == model.config.image_token_id).sum()) == 36
    with torch.no_grad():
        out = model(**enc)
    assert torch.isfinite(out.logits).all()


def test_compose_accepts_full_clip_and_siglip_towers(tiny, tmp_path):
    from transformers import (
        CLIPConfig,
        CLIPImageProcessorPil,
        CLIPModel,
        SiglipImageProcessorPil,
        SiglipVisionConfig,
        SiglipVisionModel,
    )

    vision = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=1,
                  image_size=32, patch_size=16)
    torch.manual_seed(1)
    clip = CLIPModel(CLIPConfig(vision_config=vision, text_config=dict(
        hidden_size=64, intermediate_size=128, num_hidden_layers=1, num_attention_heads=1, vocab_size=100,
        bos_token_id=0, eos_token_id=1, pad_token_id=1)))
    clip.save_pretrained(tmp_path / "clip")
    CLIPImageProcessorPil(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}).save_pretrained(
        tmp_path / "clip")
    siglip = SiglipVisionModel(SiglipVisionConfig(**vision))
    siglip.save_pretrained(tmp_path / "siglip")
    SiglipImageProcessorPil(size={"height": 32, "width": 32}).save_pretrained(tmp_path / "siglip")

    for name, source, strategy, n_tokens in (
        ("clip", clip.vision_model, "default", 4),  # 2x2 patches, CLS dropped
        ("siglip", siglip, "full", 4),  # no CLS to drop
    ):
        spec = StudentSpec(recipe="llava_compose", vision_tower_id=str(tmp_path / name),
                           language_model_id=str(tiny.student_lm))
        model, processor = compose_llava_student(spec)
        assert model.config.vision_feature_select_strategy == strategy
        loaded = _state(model.model.vision_tower)
        for key, value in _state(source).items():
            assert torch.equal(loaded[key], value), (name, key)
        prompt = processor.apply_chat_template(student_messages("x"), add_generation_prompt=True, tokenize=False)
        enc = processor(text=[prompt], images=[[Image.new("RGB", (40, 40))]], return_tensors="pt")
        assert int((enc["input_ids"] == model.config.image_token_id).sum()) == n_tokens
        with torch.no_grad():
            assert torch.isfinite(model(**enc).logits).all()


# ------------------------------------------------------------------------------------------ data
def test_labels_mask_exactly_the_prompt_and_padding(tiny):
    spec = _llava_spec(tiny)
    model, processor = compose_llava_student(spec)
    tokenizer = processor.tokenizer
    short, long = _examples(2)
    long = DistillationExample(long.uid, long.image, long.alt_text, long.target + " with many more words here")

    enc = encode_example(processor, short, spec.train)
    prompt = processor.apply_chat_template(student_messages(short.alt_text), add_generation_prompt=True,
                                           tokenize=False)
    prompt_only = processor(text=[prompt], images=[[short.image]], return_tensors="pt")["input_ids"][0].tolist()
    assert enc.input_ids[: enc.n_prompt] == prompt_only
    assert enc.labels[: enc.n_prompt] == [IGNORE_INDEX] * len(prompt_only)
    assert enc.labels[enc.n_prompt :] == enc.input_ids[enc.n_prompt :]
    assert all(label != IGNORE_INDEX for label in enc.labels[enc.n_prompt :])
    target_ids = enc.labels[enc.n_prompt :]
    assert target_ids[-1] == tokenizer.eos_token_id
    assert tokenizer.decode(target_ids[:-1]) == short.target

    batch = collate_batch([enc, encode_example(processor, long, spec.train)], tokenizer.pad_token_id)
    ids, labels, mask = batch["input_ids"], batch["labels"], batch["attention_mask"]
    assert ids.shape == labels.shape == mask.shape and ids.shape[0] == 2
    n0 = len(enc.input_ids)
    assert n0 < ids.shape[1]  # the short row is right-padded
    assert mask[0, :n0].all() and not mask[0, n0:].any()
    assert (ids[0, n0:] == tokenizer.pad_token_id).all()
    assert (labels[0, n0:] == IGNORE_INDEX).all()
    assert (labels[0, : enc.n_prompt] == IGNORE_INDEX).all()
    assert torch.equal(labels[0, enc.n_prompt : n0], ids[0, enc.n_prompt : n0])
    assert batch["pixel_values"].shape[0] == 2
    # the image placeholders are all inside the masked prompt
    image_positions = (ids == model.config.image_token_id).nonzero()[:, 1]
    assert (labels[ids == model.config.image_token_id] == IGNORE_INDEX).all() and len(image_positions) == 32

    cut = encode_example(processor, long, TrainSpec(max_target_tokens=3))
    assert cut.n_target == 3 and tokenizer.eos_token_id not in cut.labels[cut.n_prompt :]


def test_split_heldout_properties():
    uids = [f"u{i}" for i in range(1000)]
    held = split_heldout(uids, 0.1, 1, seed=0)
    assert held == split_heldout(list(reversed(uids)), 0.1, 1, seed=0)  # order does not matter
    assert 60 < len(held) < 140 and held < set(uids)
    more = uids + [f"v{i}" for i in range(500)]
    held_more = split_heldout(more, 0.1, 1, seed=0)
    assert held_more & set(uids) == held  # stable when more data arrives
    assert split_heldout(uids, 0.1, 1, seed=1) != held  # the seed picks another split
    assert len(split_heldout(uids[:5], 0.01, 2, seed=0)) == 2  # at least min_heldout
    assert split_heldout(uids[:1], 0.5, 1, seed=0) == set()  # never all
    assert len(split_heldout(uids[:4], 1.0, 1, seed=0)) == 3
    assert len(split_heldout(uids[:3], 0.0, 5, seed=0)) == 2


def test_student_version_and_f1(tiny, tmp_path):
    spec = _llava_spec(tiny)
    version = student_version(spec, "data-a")
    assert len(version) == 12 and int(version, 16) >= 0
    assert student_version(spec, "data-a") == version
    assert student_version(spec, "data-b") != version
    assert student_version(_llava_spec(tiny, learning_rate=1e-4), "data-a") != version
    assert unigram_f1("A red dog.", "a red dog") == 1.0
    assert unigram_f1("red dog", "blue cat") == 0.0
    assert unigram_f1("a dog", "a red dog") == pytest.approx(0.8)
    assert unigram_f1("", "") == 1.0 and unigram_f1(None, "x") == 0.0
    assert latest_student(tmp_path / "nothing-trained-yet") is None


# ------------------------------------------------------------------------------------------ training
@pytest.fixture(scope="module")
def overfit_run(tiny, tmp_path_factory):
    examples = _examples(5)  # 4 to train on, 1 held out
    spec = _llava_spec(tiny, max_steps=30)
    out = tmp_path_factory.mktemp("students")
    messages: list[str] = []
    report = train_student(examples, spec, out, data_fingerprint="fp-1", progress=messages.append)
    return examples, spec, out, report, messages


def test_training_overfits_four_examples(overfit_run, tiny):
    examples, spec, out, report, messages = overfit_run
    assert report.n_train == 4 and report.n_heldout == 1 and report.steps == 30
    curve = pl.read_parquet(report.loss_curve_path)
    assert curve.columns == ["step", "split", "loss"]
    train = curve.filter(pl.col("split") == "train").sort("step")
    assert train["step"].to_list() == list(range(1, 31))
    assert report.final_train_loss < 0.3 * train["loss"][0]
    assert report.final_train_loss == pytest.approx(train["loss"][-1])
    heldout = curve.filter(pl.col("split") == "heldout")
    assert heldout["step"].to_list() == [0, 5, 10, 15, 20, 25, 30]
    assert report.initial_heldout_loss == pytest.approx(heldout["loss"][0])
    assert report.final_heldout_loss < report.initial_heldout_loss  # the targets share most words
    assert report.version == student_version(spec, "fp-1")
    assert report.train_tokens > 0 and report.tokens_per_second > 0 and report.seconds > 0
    assert 0.0 <= report.agreement <= 1.0 and report.agreement_n == 1
    assert report.agreement > 0.0  # the shared words ("painting", "park", ...) come back
    assert 0 < report.trainable_parameters < report.num_parameters  # vision tower frozen
    assert 0 < training_mfu(report, peak_flops=1e12)
    assert any("agreement" in m for m in messages)
    assert Path(report.loss_plot_path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads((Path(report.checkpoint_dir) / "training_report.json").read_text())
    assert saved["version"] == report.version and saved["steps"] == 30

    # the frozen vision tower is saved unchanged; the language model and the projector moved
    from transformers import (
        AutoModelForImageTextToText,
        CLIPVisionModel,
        Qwen2ForCausalLM,
    )

    trained = AutoModelForImageTextToText.from_pretrained(report.checkpoint_dir)
    tower = _state(trained.model.vision_tower)
    for key, value in _state(CLIPVisionModel.from_pretrained(tiny.student_vision)).items():
        assert torch.equal(tower[key], value), key
    source_lm = Qwen2ForCausalLM.from_pretrained(tiny.student_lm)
    assert not torch.equal(trained.model.language_model.layers[0].mlp.up_proj.weight,
                           source_lm.model.layers[0].mlp.up_proj.weight)

    assert latest_student(out) == Path(report.checkpoint_dir)
    assert json.loads((out / "CURRENT").read_text())["version"] == report.version
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp folders left behind
    assert not (out / "runs" / report.version).exists()  # checkpoints are dropped once the student is saved


def test_checkpoint_reloads_and_generates_through_engine(overfit_run):
    from transformers import AutoModelForImageTextToText, AutoProcessor

    examples, spec, _, report, _ = overfit_run
    ckpt = report.checkpoint_dir
    model = AutoModelForImageTextToText.from_pretrained(ckpt)
    processor = AutoProcessor.from_pretrained(ckpt)
    assert type(model).__name__ == "LlavaForConditionalGeneration"
    # the reloaded tokenizer encodes exactly like the one training used
    _, base_processor = load_base_student(spec)
    text = "a red painting of a dog in the park"
    assert processor.tokenizer(text)["input_ids"] == base_processor.tokenizer(text)["input_ids"]

    engine = TransformersEngine(
        ModelSpec(ckpt, sampling=SamplingSpec(max_new_tokens=12, no_repeat_ngram_size=3)), device="cpu"
    )
    requests = [GenerationRequest(e.uid, student_messages(e.alt_text), e.image) for e in examples[:3]]
    results = engine.generate(requests)
    assert [r.request_id for r in results] == [e.uid for e in examples[:3]]
    assert all(r.error is None and r.text for r in results)
    # it learned the training captions: the words come from the targets
    assert max(unigram_f1(r.text, e.target) for r, e in zip(results, examples)) > 0.3


def test_training_is_deterministic(tiny, tmp_path):
    examples = _examples(5)
    spec = _llava_spec(tiny, max_steps=3, micro_batch_size=2, agreement_max_new_tokens=4)
    a = train_student(examples, spec, tmp_path / "a", data_fingerprint="same")
    b = train_student(examples, spec, tmp_path / "b", data_fingerprint="same")
    assert a.version == b.version
    bytes_a = (Path(a.checkpoint_dir) / "model.safetensors").read_bytes()
    bytes_b = (Path(b.checkpoint_dir) / "model.safetensors").read_bytes()
    assert bytes_a == bytes_b
    assert a.final_train_loss == b.final_train_loss and a.final_heldout_loss == b.final_heldout_loss
    # and training did change the weights
    from transformers import AutoModelForImageTextToText

    base_model, _ = load_base_student(spec)
    trained = AutoModelForImageTextToText.from_pretrained(a.checkpoint_dir)
    key = "model.multi_modal_projector.linear_1.weight"
    assert not torch.equal(trained.state_dict()[key], base_model.state_dict()[key])


def test_finetune_vlm_recipe_trains_idefics3(tiny, tmp_path):
    from transformers import AutoModelForImageTextToText

    spec = StudentSpec(
        recipe="finetune_vlm",
        base_vlm_id=str(tiny.student_vlm),
        train=TrainSpec(max_steps=12, global_batch_size=4, micro_batch_size=4, data_streams=2, learning_rate=3e-3,
                        eval_every_steps=6, agreement_max_new_tokens=8, agreement_samples=2),
    )
    report = train_student(_examples(6), spec, tmp_path, data_fingerprint="fp-vlm")
    curve = pl.read_parquet(report.loss_curve_path).filter(pl.col("split") == "train").sort("step")
    assert report.steps == 12 and report.final_train_loss < 0.5 * curve["loss"][0]
    assert report.final_heldout_loss < report.initial_heldout_loss
    model = AutoModelForImageTextToText.from_pretrained(report.checkpoint_dir)
    assert type(model).__name__ == "Idefics3ForConditionalGeneration"
    source = AutoModelForImageTextToText.from_pretrained(tiny.student_vlm)
    saved_tower, source_tower = _state(model.model.vision_model), _state(source.model.vision_model)
    assert saved_tower and all(torch.equal(saved_tower[k], v) for k, v in source_tower.items())  # frozen
    assert not torch.equal(model.model.connector.modality_projection.proj.weight,
                           source.model.connector.modality_projection.proj.weight)
    engine = TransformersEngine(ModelSpec(report.checkpoint_dir, sampling=SamplingSpec(max_new_tokens=6)),
                                device="cpu")
    [result] = engine.generate([GenerationRequest("x", student_messages("dog photo"), _examples(1)[0].image)])
    assert result.error is None and result.text
    assert latest_student(tmp_path) == Path(report.checkpoint_dir)
