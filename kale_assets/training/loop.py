"""The student's training loop: one process, or one rank of a torchrun job (DDP over torch.distributed).

Why DDP through torchrun: the paper's student (~2.2B parameters, 1.5B of them trained) fits on one 80 GB GPU with
its fp32 AdamW state (see README, "Training the student"), so sharding the model (FSDP) would only add
communication; DDP is plain PyTorch (no extra dependency, no cluster service), torchrun starts it on one node
or many, and on CPU the same code runs over gloo, which is how CI tests it.

A step sees ``global_batch_size`` samples whatever the number of ranks (`kale_assets.training.data`). Each rank
sums the caption-token cross-entropy of its samples in micro-batches (gradients synchronised on the last one
only), scaled by world size / (label tokens of the whole step), so DDP's gradient average is exactly the
gradient of the step's mean token loss. The loss is computed at label positions only: the LM's hidden states
are gathered where a caption token is predicted and only those go through ``lm_head``, in chunks that are
recomputed in the backward pass, so no full-vocabulary logits exist for image or prompt tokens.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kale_assets.training import checkpoint as ckpt
from kale_assets.training.data import (
    IGNORE_INDEX,
    ImageSource,
    PreparedData,
    StreamingDistillationDataset,
    collate_batch,
    encode_example,
    heldout_examples,
    image_source_from_json,
    make_dataset,
    processor_tokenizer,
    steps_per_epoch,
)
from kale_assets.training.specs import StudentSpec, TrainSpec
from kale_assets.training.student import load_base_student, prepare_for_training

log = logging.getLogger(__name__)
FINAL = "final"
FINAL_STATE = "train_state.json"


def _torch():
    import torch

    return torch


@dataclass
class TrainingJob:
    """Everything a training process needs, as JSON (torchrun ranks read it from a file)."""

    spec: dict[str, Any]
    prepared_root: str
    run_dir: str
    images: dict[str, Any] | None = None  # TarImages.to_json(); None: the caller passes an ImageSource
    device: str | None = None
    stop_after_steps: int | None = None  # end (after a checkpoint) once this step is done: resume tests

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls, path: str | Path) -> TrainingJob:
        return cls(**json.loads(Path(path).read_text()))


@dataclass
class _Ctx:
    rank: int
    world: int
    device: str
    distributed: bool

    @property
    def main(self) -> bool:
        return self.rank == 0


def _init_distributed(device: str | None) -> _Ctx:
    torch = _torch()
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return _Ctx(0, 1, device or ("cuda" if torch.cuda.is_available() else "cpu"), False)
    import torch.distributed as dist

    use_cuda = torch.cuda.is_available() and not (device or "").startswith("cpu")
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if use_cuda:
        torch.cuda.set_device(local)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if use_cuda else "gloo")
    return _Ctx(dist.get_rank(), dist.get_world_size(), f"cuda:{local}" if use_cuda else "cpu", True)


def _all_sum(ctx: _Ctx, values: list[float]) -> list[float]:
    """Sum over ranks in float64, so every rank sees the same numbers."""
    if not ctx.distributed:
        return values
    torch = _torch()
    import torch.distributed as dist

    t = torch.tensor(values, dtype=torch.float64, device=ctx.device)
    dist.all_reduce(t)
    return t.tolist()


def _barrier(ctx: _Ctx) -> None:
    if ctx.distributed:
        import torch.distributed as dist

        dist.barrier()


def _label_loss(model, chunk: int):
    """A module returning the summed next-token cross-entropy over label positions only, and their count."""
    torch = _torch()
    from torch.utils.checkpoint import checkpoint

    def ce_sum(hidden, targets, weight, bias):
        logits = torch.nn.functional.linear(hidden, weight, bias).float()
        return torch.nn.functional.cross_entropy(logits, targets, reduction="sum")

    class _LabelLoss(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.student = model

        def forward(self, batch: dict[str, Any]):
            inputs = dict(batch)
            labels = inputs.pop("labels")
            hidden = self.student.model(**inputs, use_cache=False).last_hidden_state
            targets = labels[:, 1:]
            keep = targets != IGNORE_INDEX
            hidden, targets = hidden[:, :-1][keep], targets[keep]
            head = self.student.get_output_embeddings()
            total = hidden.new_zeros((), dtype=torch.float32)
            for start in range(0, targets.shape[0], max(1, chunk)):
                part = slice(start, start + max(1, chunk))
                # recomputed in backward: only one chunk of vocabulary logits is alive at a time
                total = total + checkpoint(ce_sum, hidden[part], targets[part], head.weight, head.bias,
                                           use_reentrant=False)
            return total, int(targets.shape[0])

    return _LabelLoss()


def _compute_dtypes(spec: StudentSpec, device: str):
    torch = _torch()
    if spec.dtype == "auto":
        return torch.float32, (torch.bfloat16 if device.startswith("cuda") else None)
    weight = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[spec.dtype]
    return weight, None


def _lr_factor(step: int, warmup: int, total: int) -> float:
    """Linear warmup to the peak over ``warmup`` steps, then cosine decay towards 0 at ``total``."""
    if warmup > 0 and step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


@dataclass
class _Run:
    """The live objects of a training run."""

    ctx: _Ctx
    spec: StudentSpec
    train: TrainSpec
    prepared: PreparedData
    images: ImageSource
    run_dir: Path
    model: Any
    processor: Any
    loss_module: Any  # DDP-wrapped `LabelLoss` when distributed
    optimizer: Any
    scheduler: Any
    param_names: list[str]
    weight_dtype: Any
    autocast_dtype: Any
    pad_id: int
    steps_per_epoch: int
    total_steps: int
    say: Callable[[str], None]


def _validate(train: TrainSpec, world: int) -> None:
    per_rank, rem = divmod(train.global_batch_size, world)
    if rem or per_rank % train.micro_batch_size:
        raise ValueError(f"global_batch_size {train.global_batch_size} must split into {world} processes x "
                         f"micro-batches of {train.micro_batch_size}")
    if train.data_streams % world:
        raise ValueError(f"data_streams {train.data_streams} must be a multiple of the process count {world}")


def _largest_divisor(n: int, at_most: int) -> int:
    return max(d for d in range(1, max(1, min(n, at_most)) + 1) if n % d == 0)


def fit_to_data(train: TrainSpec, n_train: int, world: int) -> TrainSpec:
    """The spec as configured, or - when fewer rows than one global batch exist (demos, tests) - the largest step
    the data allows: fewer streams and a smaller global batch, with micro-batches and workers that divide them."""
    from dataclasses import replace

    if n_train >= train.global_batch_size or n_train < world:
        return train
    streams = max(world, (min(train.data_streams, n_train) // world) * world)
    global_batch = streams * (n_train // streams)
    micro = _largest_divisor(global_batch // world, train.micro_batch_size)
    workers = _largest_divisor(streams // world, train.num_workers) if train.num_workers else 0
    return replace(train, data_streams=streams, global_batch_size=global_batch, micro_batch_size=micro,
                   num_workers=workers)


def _build(job: TrainingJob, images: ImageSource | None, progress) -> _Run:
    torch = _torch()
    ctx = _init_distributed(job.device)
    spec = StudentSpec.from_json(job.spec)
    prepared = PreparedData.load(job.prepared_root)
    train = fit_to_data(spec.train, prepared.n_train, ctx.world)
    if train != spec.train:
        log.warning("only %d training rows: global batch %d over %d streams instead of %d over %d",
                    prepared.n_train, train.global_batch_size, train.data_streams, spec.train.global_batch_size,
                    spec.train.data_streams)
    _validate(train, ctx.world)
    images = images if images is not None else image_source_from_json(job.images or {})
    weight_dtype, autocast_dtype = _compute_dtypes(spec, ctx.device)
    torch.manual_seed(train.seed)
    random.seed(train.seed)
    model, processor = load_base_student(spec)
    prepare_for_training(model, train)
    model.to(device=ctx.device, dtype=weight_dtype)
    model.train()
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    trainable = [p for p in model.parameters() if p.requires_grad]
    loss_module = _label_loss(model, train.loss_chunk_tokens)
    if ctx.distributed:
        from torch.nn.parallel import DistributedDataParallel

        loss_module = DistributedDataParallel(
            loss_module, device_ids=[int(ctx.device.split(":")[1])] if ctx.device.startswith("cuda") else None,
            gradient_as_bucket_view=True)  # no second copy of the gradients in DDP's buckets
    per_epoch = steps_per_epoch(prepared, n_streams=train.data_streams, global_batch=train.global_batch_size)
    if per_epoch < 1:
        raise ValueError(f"{prepared.n_train} training rows give no full step of {train.global_batch_size} "
                         f"over {train.data_streams} streams")
    total = train.max_steps if train.max_steps is not None else per_epoch * max(1, train.epochs)
    warmup = math.ceil(train.warmup_ratio * total) if train.warmup_ratio > 0 else 0
    optimizer = torch.optim.AdamW(trainable, lr=train.learning_rate, weight_decay=train.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: _lr_factor(s, warmup, total))
    tokenizer = processor_tokenizer(processor)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    say = progress or (lambda msg: log.info("%s", msg))
    return _Run(ctx, spec, train, prepared, images, Path(job.run_dir), model, processor, loss_module, optimizer,
                scheduler, names, weight_dtype, autocast_dtype, pad_id, per_epoch, total,
                say if ctx.main else (lambda msg: None))


def _to_device(batch: dict[str, Any], run: _Run) -> dict[str, Any]:
    torch = _torch()
    out = {}
    for key, value in batch.items():
        if isinstance(value, torch.Tensor):
            value = value.to(run.ctx.device)
            if value.is_floating_point():
                value = value.to(run.weight_dtype)
        out[key] = value
    return out


def _autocast(run: _Run):
    torch = _torch()
    if run.autocast_dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=run.ctx.device.split(":")[0], dtype=run.autocast_dtype)


def _micro_batches(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _train_step(run: _Run, encoded: list) -> dict[str, float]:
    torch = _torch()
    micro = [collate_batch(chunk, run.pad_id) for chunk in _micro_batches(encoded, run.train.micro_batch_size)]
    n_local = sum(int((b["labels"][:, 1:] != IGNORE_INDEX).sum()) for b in micro)
    tokens_local = sum(int(b["attention_mask"].sum()) for b in micro)
    n_global, tokens = _all_sum(run.ctx, [float(n_local), float(tokens_local)])
    scale = run.ctx.world / max(1.0, n_global)
    loss_local = 0.0
    for j, batch in enumerate(micro):
        last = j == len(micro) - 1
        sync = contextlib.nullcontext() if (last or not run.ctx.distributed) else run.loss_module.no_sync()
        with sync:
            with _autocast(run):
                loss_sum, _ = run.loss_module(_to_device(batch, run))
            (loss_sum * scale).backward()
        loss_local += float(loss_sum.detach())
    trainable = [p for p in run.model.parameters() if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(trainable, 1.0)
    run.optimizer.step()
    run.scheduler.step()
    run.optimizer.zero_grad(set_to_none=True)
    (loss_total,) = _all_sum(run.ctx, [loss_local])
    return {"loss": loss_total / max(1.0, n_global), "target_tokens": n_global, "tokens": tokens}


def _evaluate(run: _Run) -> float:
    torch = _torch()
    limit = run.train.heldout_eval_samples
    mine = [e for i, e in enumerate(heldout_examples(run.prepared, run.images, limit))
            if i % run.ctx.world == run.ctx.rank]
    total, count = 0.0, 0
    run.model.eval()
    with torch.no_grad():
        for chunk in _micro_batches(mine, run.train.micro_batch_size):
            batch = collate_batch([encode_example(run.processor, e, run.train) for e in chunk], run.pad_id)
            with _autocast(run):
                loss_sum, n = run.loss_module(_to_device(batch, run))
            total += float(loss_sum)
            count += n
    run.model.train()
    total, count = _all_sum(run.ctx, [total, float(count)])
    return total / count if count else float("nan")


def _identity(item):
    return item


def _epoch_items(run: _Run, epoch: int, start_step: int):
    """This rank's encoded samples of ``epoch`` from ``start_step`` on, in global order."""
    torch = _torch()
    train = run.train
    stream = StreamingDistillationDataset(
        run.prepared, run.images, lambda e: encode_example(run.processor, e, train), seed=train.seed, epoch=epoch,
        n_streams=train.data_streams, window=train.shuffle_window, rank=run.ctx.rank, world_size=run.ctx.world,
        start=start_step * (train.global_batch_size // train.data_streams))
    workers = max(0, train.num_workers)
    loader = torch.utils.data.DataLoader(
        make_dataset(stream), batch_size=None, num_workers=workers, collate_fn=_identity,
        multiprocessing_context="fork" if workers else None,  # workers inherit the processor and image source
        prefetch_factor=max(2, train.micro_batch_size) if workers else None)
    return iter(loader)


def _take_step_items(run: _Run, items, epoch_step: int) -> list:
    """The G / world samples of this rank for a step; checks they are exactly the expected global indices."""
    train = run.train
    per_rank = train.global_batch_size // run.ctx.world
    got = [next(items) for _ in range(per_rank)]
    first = epoch_step * train.global_batch_size
    expected = [g for g in range(first, first + train.global_batch_size) if g % run.ctx.world == run.ctx.rank]
    if [g for g, _ in got] != expected:
        raise RuntimeError(f"data order broken at step {epoch_step}: got {[g for g, _ in got][:6]}..., "
                           f"expected {expected[:6]}...")
    return [e for _, e in got]


def _state(run: _Run, step: int, epoch: int, epoch_step: int, log_: dict[str, Any]) -> dict[str, Any]:
    return {"step": step, "epoch": epoch, "epoch_step": epoch_step, "world_size": run.ctx.world,
            "scheduler": run.scheduler.state_dict(), **log_}


def _checkpoint(run: _Run, state: dict[str, Any]) -> None:
    final = ckpt.checkpoint_dir(run.run_dir, state["step"])
    tmp = final.with_name(final.name + ".tmp")
    if run.ctx.main:
        shutil.rmtree(tmp, ignore_errors=True)
        ckpt.save_checkpoint(tmp, model=run.model, optimizer=run.optimizer, param_names=run.param_names,
                             state=state)
    _barrier(run.ctx)
    ckpt.save_rng(tmp, run.ctx.rank)
    _barrier(run.ctx)
    if run.ctx.main:
        ckpt.commit_checkpoint(tmp, final, run.train.keep_checkpoints)
    _barrier(run.ctx)


def _resume(run: _Run) -> dict[str, Any]:
    """The saved position and logs, or a fresh start."""
    folder = ckpt.latest_checkpoint(run.run_dir)
    if folder is None:
        return {"step": 0, "epoch": 0, "epoch_step": 0, "curve": [], "train_seconds": 0.0, "train_tokens": 0,
                "target_tokens": 0, "resumed_from": None}
    state = ckpt.load_checkpoint(folder, model=run.model, optimizer=run.optimizer, param_names=run.param_names,
                                 rank=run.ctx.rank)
    run.scheduler.load_state_dict(state.pop("scheduler"))
    run.say(f"resumed from {folder.name}: epoch {state['epoch']}, step {state['step']}")
    return {**state, "resumed_from": folder.name}


def _save_final(run: _Run, log_: dict[str, Any]) -> None:
    """Rank 0 writes the trained model as a standard HF checkpoint plus the run's logs."""
    if not run.ctx.main:
        return
    torch = _torch()
    final = run.run_dir / FINAL
    tmp = run.run_dir / f".{FINAL}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(final, ignore_errors=True)
    run.model.eval()
    if run.autocast_dtype is not None:
        run.model.to(run.autocast_dtype)  # the engine runs it in bf16 on CUDA anyway; half the bytes on disk
    run.model.to("cpu")
    run.model.save_pretrained(tmp, safe_serialization=True)
    run.processor.save_pretrained(tmp)
    n_params = sum(p.numel() for p in run.model.parameters())
    n_trainable = sum(p.numel() for n, p in run.model.named_parameters() if n in set(run.param_names))
    compute = str(run.autocast_dtype or run.weight_dtype).replace("torch.", "")
    (tmp / FINAL_STATE).write_text(json.dumps({
        **log_, "num_parameters": n_params, "trainable_parameters": n_trainable, "device": run.ctx.device,
        "world_size": run.ctx.world, "compute_dtype": compute, "total_steps": run.total_steps}))
    os.replace(tmp, final)
    if str(run.ctx.device).startswith("cuda"):
        torch.cuda.empty_cache()


def _train_epochs(run: _Run, log_: dict[str, Any], stop_after: int | None) -> str:
    """Steps until total_steps (or ``stop_after``); returns "done" or "stopped"."""
    train = run.train
    step, epoch, epoch_step = log_["step"], log_["epoch"], log_["epoch_step"]
    while step < run.total_steps:
        items = _epoch_items(run, epoch, epoch_step)
        current = epoch
        while epoch == current and step < run.total_steps:
            started = time.perf_counter()
            result = _train_step(run, _take_step_items(run, items, epoch_step))
            log_["train_seconds"] += time.perf_counter() - started
            log_["train_tokens"] += int(result["tokens"])
            log_["target_tokens"] += int(result["target_tokens"])
            step, epoch_step = step + 1, epoch_step + 1
            log_["curve"].append({"step": step, "split": "train", "loss": result["loss"]})
            if train.eval_every_steps > 0 and step % train.eval_every_steps == 0 and step < run.total_steps:
                heldout = _evaluate(run)
                log_["curve"].append({"step": step, "split": "heldout", "loss": heldout})
                run.say(f"step {step}/{run.total_steps}: train {result['loss']:.4f}, held-out {heldout:.4f}, "
                        f"{log_['train_tokens'] / max(log_['train_seconds'], 1e-9):.0f} tokens/s")
            if epoch_step == run.steps_per_epoch:
                epoch, epoch_step = epoch + 1, 0
            due = train.checkpoint_every_steps > 0 and step % train.checkpoint_every_steps == 0
            if due or step == stop_after:
                log_.update(step=step, epoch=epoch, epoch_step=epoch_step)
                _checkpoint(run, _state(run, step, epoch, epoch_step, _logs(log_)))
            if step == stop_after:
                return "stopped"
        del items  # ends this epoch's DataLoader workers before the next epoch starts its own
    log_.update(step=step, epoch=epoch, epoch_step=epoch_step)
    return "done"


def _logs(log_: dict[str, Any]) -> dict[str, Any]:
    return {k: log_[k] for k in ("curve", "train_seconds", "train_tokens", "target_tokens")}


def run_training(job: TrainingJob, images: ImageSource | None = None,
                 progress: Callable[[str], None] | None = None) -> str:
    """Train (or resume) the job's student; rank 0 writes ``run_dir/final``. Returns "done" or "stopped"."""
    run = _build(job, images, progress)
    try:
        log_ = _resume(run)
        curve = log_["curve"]
        if not any(p["split"] == "heldout" and p["step"] == 0 for p in curve):
            initial = _evaluate(run)
            curve.insert(0, {"step": 0, "split": "heldout", "loss": initial})
            run.say(f"initial held-out loss {initial:.4f}; {run.total_steps} steps, "
                    f"{run.train.global_batch_size} samples each, {run.ctx.world} process(es)")
        outcome = _train_epochs(run, log_, job.stop_after_steps)
        if outcome == "done":
            if not any(p["split"] == "heldout" and p["step"] == log_["step"] for p in curve):
                curve.append({"step": log_["step"], "split": "heldout", "loss": _evaluate(run)})
            _save_final(run, {**_logs(log_), "steps": log_["step"], "resumed_from": log_["resumed_from"]})
        _barrier(run.ctx)
        return outcome
    finally:
        if run.ctx.distributed:
            import torch.distributed as dist

            dist.destroy_process_group()


def main(argv: list[str] | None = None) -> None:
    """torchrun entry point: ``python -m torch.distributed.run ... -m kale_assets.training.loop JOB.json``."""
    import sys

    args = argv if argv is not None else sys.argv[1:]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    outcome = run_training(TrainingJob.load(args[0]))
    # One write per line: every torchrun rank prints its outcome into the same pipe, and print()'s separate write of
    # the newline let two ranks' lines interleave ("donedone").
    sys.stdout.write(f"{outcome}\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
