"""Training the distilled student: streaming data, the (multi-process) loop, checkpoints, converters.

`kale_assets.distillation` is the entry point callers use; the modules here hold its parts:

- `data`: stage-1 tables -> filtered, split training tables; the streaming, resumable dataset;
- `student`: composing / loading the student model and its processor;
- `loop`: the training loop (one process, or one rank of a torchrun/DDP job);
- `checkpoint`: resumable training state as safetensors + JSON;
- `openclip`: OpenCLIP ViT checkpoints (DFN) -> Hugging Face ``CLIPVisionModel``;
- `memory`: per-GPU memory of a training step by calculation.
"""
