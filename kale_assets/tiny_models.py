"""Tiny random-weight models of the real KALE architectures, built locally.

The machine this project is developed and tested on has no route to a model hub, so the `tiny` preset
points at checkpoints this module writes with ``save_pretrained``: real transformers configs, a BPE
tokenizer trained here with ``tokenizers``, processors with chat templates. They load through exactly
the ``from_pretrained`` path a hub id takes, so the pipeline code is the same for both.

Random weights write gibberish: tiny-preset captions carry no meaning. They exist to carry samples
through every stage quickly.

Architectures (all small enough to build in seconds on a CPU):
- teacher: Idefics3 (SmolVLM-style) image-text-to-text model - stands in for CogVLM-17B;
- fusion:  Mistral causal LM with a chat template - stands in for Mistral-7B-Instruct;
- student parts: a CLIP vision tower (stands in for DFN ViT-H) and a Qwen2 causal LM (stands in for
  Qwen ~1.5B), which `distillation.compose_llava_student` joins LLaVA-style.

Attention head_dim is 64 everywhere: vLLM's CPU backend refuses smaller heads.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

import torch
from tokenizers import (
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    trainers,
)

from kale_assets.io_utils import atomic_dir
from kale_assets.prompts import CHATML_IMAGE_TEMPLATE

TINY_VOCAB_SIZE = 2048
HEAD_DIM = 64

# The tiny text models use ChatML with image items rendered as <image>.
CHAT_TEMPLATE = CHATML_IMAGE_TEMPLATE

# Idefics3's processor expands <image> itself and renders its own prompt shape ("User:<image>...").
IDEFICS3_CHAT_TEMPLATE = (
    "<|im_start|>{% for message in messages %}{{ message['role'] | capitalize }}"
    "{% if message['content'][0]['type'] == 'image' %}{{ ':' }}{% else %}{{ ': ' }}{% endif %}"
    "{% for line in message['content'] %}{% if line['type'] == 'text' %}{{ line['text'] }}"
    "{% elif line['type'] == 'image' %}{{ '<image>' }}{% endif %}{% endfor %}<end_of_utterance>\n"
    "{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}"
)

_WORDS = (
    "a the of and with in on at by for from to an is are was this that its their his her image photo "
    "picture shows showing depicts featuring background foreground left right top bottom center large "
    "small red green blue yellow black white orange purple brown gray pink dark light bright colorful "
    "wooden metal glass stone building street city house tree sky cloud water river lake mountain beach "
    "person man woman child people dog cat bird car bus train bicycle table chair book sign poster logo "
    "text reads written letters words label menu price sale store shop restaurant museum painting art "
    "artist oil canvas watercolor portrait landscape modern vintage historic century famous located known "
    "brand product bottle box package phone screen computer shirt dress shoes hat jacket green field "
    "flower garden park road bridge tower church castle window door wall floor roof night day morning "
    "evening sunset light shadow reflection detailed style design pattern shape circle square triangle "
    "stripe line curve caption describe description alt text knowledge fact name title date year new york "
    "london paris tokyo berlin rome museum gallery collection exhibition edition series model version"
).split()


def _training_corpus(seed: int = 0, n_lines: int = 4000) -> list[str]:
    rng = random.Random(seed)
    lines = []
    for _ in range(n_lines):
        n = rng.randint(5, 30)
        words = [rng.choice(_WORDS) for _ in range(n)]
        if rng.random() < 0.3:
            words.append(str(rng.randint(1800, 2030)))
        sentence = " ".join(words).capitalize() + rng.choice([".", ".", ",", "!", "?", ":"])
        lines.append(sentence)
    return lines


def train_tokenizer(special_tokens: list[str], seed: int = 0):
    """A byte-level BPE tokenizer trained on a small synthetic English corpus, wrapped for transformers."""
    from transformers import PreTrainedTokenizerFast

    # Metaspace word pieces rather than byte-level BPE: sampled gibberish from random weights then decodes
    # to word-like text instead of broken UTF-8 fragments, which is closer to what real captions look like.
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    trainer = trainers.BpeTrainer(
        vocab_size=TINY_VOCAB_SIZE,
        special_tokens=["<unk>", *special_tokens],
        show_progress=False,
    )
    tok.train_from_iterator(_training_corpus(seed), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<|endoftext|>",
        eos_token="<|im_end|>",
        pad_token="<|pad|>",
        unk_token="<unk>",
        additional_special_tokens=[t for t in special_tokens if t not in ("<|endoftext|>", "<|im_end|>", "<|pad|>")],
    )
    fast.chat_template = CHAT_TEMPLATE
    fast.padding_side = "left"
    return fast


BASE_SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|pad|>", "<image>"]
IDEFICS3_SPECIAL_TOKENS = BASE_SPECIAL_TOKENS + [
    "<fake_token_around_image>",
    "<global-img>",
    "<end_of_utterance>",
] + [f"<row_{i}_col_{j}>" for i in range(1, 7) for j in range(1, 7)]


@dataclass(frozen=True)
class TinyModelPaths:
    teacher: Path
    fusion: Path
    student_vision: Path
    student_lm: Path
    student_vlm: Path  # a ready-made small VLM for the "fine-tune an existing VLM" student route


def _seed_everything(seed: int) -> None:
    torch.manual_seed(seed)
    random.seed(seed)


def _build_teacher(out: Path, seed: int) -> None:
    from transformers import (
        Idefics3Config,
        Idefics3ForConditionalGeneration,
        Idefics3ImageProcessorPil,
        Idefics3Processor,
    )

    tokenizer = train_tokenizer(IDEFICS3_SPECIAL_TOKENS, seed)
    tokenizer.chat_template = IDEFICS3_CHAT_TEMPLATE
    vision = dict(
        hidden_size=128, intermediate_size=256, num_hidden_layers=2, num_attention_heads=2,
        image_size=64, patch_size=16, num_channels=3,
    )
    text = dict(
        model_type="llama", vocab_size=len(tokenizer), hidden_size=128, intermediate_size=256,
        num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=2, head_dim=HEAD_DIM,
        max_position_embeddings=1024, tie_word_embeddings=False,
        pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
    )
    config = Idefics3Config(
        vision_config=vision,
        text_config=text,
        scale_factor=2,
        image_token_id=tokenizer.convert_tokens_to_ids("<image>"),
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )
    _seed_everything(seed)
    model = Idefics3ForConditionalGeneration(config)
    image_processor = Idefics3ImageProcessorPil(
        do_image_splitting=False,
        size={"longest_edge": 64},
        max_image_size={"longest_edge": 64},
    )
    image_seq_len = (64 // 16) ** 2 // (2**2)
    processor = Idefics3Processor(
        image_processor=image_processor, tokenizer=tokenizer, image_seq_len=image_seq_len,
        chat_template=IDEFICS3_CHAT_TEMPLATE,
    )
    _save(model, processor, out)


def _build_causal_lm(out: Path, seed: int, arch: str) -> None:
    from transformers import (
        MistralConfig,
        MistralForCausalLM,
        Qwen2Config,
        Qwen2ForCausalLM,
    )

    tokenizer = train_tokenizer(BASE_SPECIAL_TOKENS, seed)
    common = dict(
        vocab_size=len(tokenizer), hidden_size=128, intermediate_size=256, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=1, head_dim=HEAD_DIM, max_position_embeddings=2048,
        pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
    )
    _seed_everything(seed)
    if arch == "mistral":
        model = MistralForCausalLM(MistralConfig(**common, tie_word_embeddings=False))
    else:
        model = Qwen2ForCausalLM(Qwen2Config(**common, tie_word_embeddings=True))
    _save(model, tokenizer, out)


def _build_vision_tower(out: Path, seed: int) -> None:
    from transformers import CLIPImageProcessorPil, CLIPVisionConfig, CLIPVisionModel

    config = CLIPVisionConfig(
        hidden_size=128, intermediate_size=256, num_hidden_layers=2, num_attention_heads=2,
        image_size=64, patch_size=16, projection_dim=128,
    )
    _seed_everything(seed)
    model = CLIPVisionModel(config)
    processor = CLIPImageProcessorPil(
        size={"shortest_edge": 64}, crop_size={"height": 64, "width": 64},
    )
    _save(model, processor, out)


def build_tiny_openclip_tower(out: str | Path, *, seed: int = 0, image_size: int = 64, patch_size: int = 16,
                              width: int = 128, layers: int = 2, heads: int = 2, embed_dim: int = 64) -> Path:
    """A random-weight OpenCLIP ViT checkpoint folder in the hub layout of apple/DFN5B-CLIP-ViT-H-14-378
    (``open_clip_config.json`` + ``open_clip_model.safetensors`` with ``visual.*`` tensors, quick-GELU, squash
    preprocessing): stands in for DFN ViT-H when the paper's student is composed offline."""
    from safetensors.torch import save_file

    gen = torch.Generator().manual_seed(seed)
    grid = image_size // patch_size

    def rand(*shape, scale=0.02):
        return torch.randn(*shape, generator=gen) * scale

    state = {"class_embedding": rand(width), "positional_embedding": rand(grid * grid + 1, width),
             "conv1.weight": rand(width, 3, patch_size, patch_size), "ln_pre.weight": 1 + rand(width),
             "ln_pre.bias": rand(width), "ln_post.weight": 1 + rand(width), "ln_post.bias": rand(width),
             "proj": rand(width, embed_dim)}
    for i in range(layers):
        b = f"transformer.resblocks.{i}."
        state.update({b + "ln_1.weight": 1 + rand(width), b + "ln_1.bias": rand(width),
                      b + "ln_2.weight": 1 + rand(width), b + "ln_2.bias": rand(width),
                      b + "attn.in_proj_weight": rand(3 * width, width), b + "attn.in_proj_bias": rand(3 * width),
                      b + "attn.out_proj.weight": rand(width, width), b + "attn.out_proj.bias": rand(width),
                      b + "mlp.c_fc.weight": rand(4 * width, width), b + "mlp.c_fc.bias": rand(4 * width),
                      b + "mlp.c_proj.weight": rand(width, 4 * width), b + "mlp.c_proj.bias": rand(width)})
    config = {"model_cfg": {"embed_dim": embed_dim, "quick_gelu": True, "vision_cfg": {
        "image_size": image_size, "layers": layers, "width": width, "head_width": width // heads,
        "patch_size": patch_size}}, "preprocess_cfg": {"interpolation": "bicubic", "resize_mode": "squash"}}
    with atomic_dir(Path(out)) as tmp:
        save_file({f"visual.{k}": v.contiguous() for k, v in state.items()}, str(tmp / "open_clip_model.safetensors"))
        (tmp / "open_clip_config.json").write_text(json.dumps(config, indent=1))
    return Path(out)


def _save(model, processor, out: Path) -> None:
    with atomic_dir(out) as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        processor.save_pretrained(tmp)


def tiny_model_paths(models_dir: str | Path) -> TinyModelPaths:
    root = Path(models_dir) / "tiny"
    return TinyModelPaths(
        teacher=root / "teacher-idefics3",
        fusion=root / "fusion-mistral",
        student_vision=root / "student-vision-clip",
        student_lm=root / "student-lm-qwen2",
        student_vlm=root / "student-vlm-idefics3",
    )


def build_tiny_models(models_dir: str | Path, *, seed: int = 0, force: bool = False) -> TinyModelPaths:
    """Write every tiny checkpoint under ``<models_dir>/tiny``; existing ones are kept unless ``force``.

    Building is deterministic for a seed, so a re-run gives the same weights and the same revision hash.
    """
    paths = tiny_model_paths(models_dir)
    builders = {
        paths.teacher: lambda p: _build_teacher(p, seed),
        paths.fusion: lambda p: _build_causal_lm(p, seed + 1, "mistral"),
        paths.student_vision: lambda p: _build_vision_tower(p, seed + 2),
        paths.student_lm: lambda p: _build_causal_lm(p, seed + 3, "qwen2"),
        paths.student_vlm: lambda p: _build_teacher(p, seed + 4),
    }
    for path, build in builders.items():
        if force or not (path / "config.json").exists():
            build(path)
    return paths


_MODEL_FILE_SUFFIXES = {".safetensors", ".json", ".txt", ".model", ".jinja", ".tiktoken"}
_NON_MODEL_FILES = {"training_report.json"}


def checkpoint_revision(path: str | Path) -> str:
    """Content hash of a local checkpoint folder: the revision recorded in provenance for local models.

    Only files that define the model's behaviour count (weights, configs, tokenizer/processor files), so a
    training report with wall-clock times beside the weights does not change the revision of a re-run.
    """
    digest = hashlib.sha256()
    root = Path(path)
    files = [p for p in root.rglob("*") if p.is_file() and p.suffix in _MODEL_FILE_SUFFIXES
             and p.name not in _NON_MODEL_FILES]
    for file in sorted(files):
        digest.update(str(file.relative_to(root)).encode())
        with open(file, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


if __name__ == "__main__":
    import sys

    built = build_tiny_models(sys.argv[1] if len(sys.argv) > 1 else "work/models", force=True)
    print(json.dumps({k: str(v) for k, v in built.__dict__.items()}, indent=2))
