"""Resumable training state as safetensors + JSON: nothing is unpickled when a run resumes.

A checkpoint is a folder ``<run>/checkpoints/step-NNNNNNNN/`` holding

- ``trainable.safetensors``: every trainable parameter by name (frozen ones come from the pinned base models,
  which the run re-composes deterministically);
- ``optimizer.safetensors`` + ``optimizer.json``: the optimizer's per-parameter tensors and its param groups;
- ``rng-rank-R.safetensors``: each rank's torch CPU (and CUDA) generator state;
- ``state.json``: step, data position (epoch, step within the epoch), scheduler state, Python RNG state, the
  loss curve and counters so far.

The folder is written under a temporary name and renamed when complete, so the newest ``step-*`` folder is
always a whole checkpoint.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
from pathlib import Path
from typing import Any

CHECKPOINTS = "checkpoints"
_STEP_DIR = re.compile(r"^step-(\d{8})$")


def _torch():
    import torch

    return torch


def checkpoint_dir(run_dir: str | Path, step: int) -> Path:
    return Path(run_dir) / CHECKPOINTS / f"step-{step:08d}"


def latest_checkpoint(run_dir: str | Path) -> Path | None:
    root = Path(run_dir) / CHECKPOINTS
    if not root.exists():
        return None
    done = sorted(p for p in root.iterdir() if _STEP_DIR.match(p.name) and (p / "state.json").exists())
    return done[-1] if done else None


def _optimizer_tensors(optimizer, names: list[str]) -> tuple[dict, dict]:
    """Optimizer state keyed by parameter name (indices would silently misalign if parameters changed)."""
    torch = _torch()
    state = optimizer.state_dict()
    tensors, scalars = {}, {}
    for index, values in state["state"].items():
        for key, value in values.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{names[index]}::{key}"] = value.detach().cpu().contiguous()
            else:
                scalars[f"{names[index]}::{key}"] = value
    groups = [{k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items()} for g in state["param_groups"]]
    return tensors, {"param_groups": groups, "scalars": scalars, "names": names}


def save_checkpoint(folder: Path, *, model, optimizer, param_names: list[str], state: dict[str, Any]) -> None:
    """Rank 0's part: weights, optimizer, state (written into ``folder``, which the caller renames)."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    params = dict(model.named_parameters())
    save_file({n: params[n].detach().cpu().contiguous() for n in param_names}, str(folder / "trainable.safetensors"))
    tensors, meta = _optimizer_tensors(optimizer, param_names)
    save_file(tensors, str(folder / "optimizer.safetensors"))
    (folder / "optimizer.json").write_text(json.dumps(meta))
    (folder / "state.json").write_text(json.dumps({**state, "python_random": _py_random_state()}))


def save_rng(folder: Path, rank: int) -> None:
    from safetensors.torch import save_file

    torch = _torch()
    tensors = {"cpu": torch.get_rng_state()}
    if torch.cuda.is_available():
        tensors["cuda"] = torch.cuda.get_rng_state()
    folder.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(folder / f"rng-rank-{rank}.safetensors"))


def commit_checkpoint(tmp: Path, final: Path, keep: int) -> None:
    os.replace(tmp, final)
    done = sorted(p for p in final.parent.iterdir() if _STEP_DIR.match(p.name))
    for old in done[: max(0, len(done) - max(1, keep))]:
        shutil.rmtree(old, ignore_errors=True)


def load_checkpoint(folder: Path, *, model, optimizer, param_names: list[str], rank: int) -> dict[str, Any]:
    """Restore weights, optimizer and RNG in place; returns the saved ``state`` (with scheduler state)."""
    from safetensors.torch import load_file

    torch = _torch()
    weights = load_file(str(folder / "trainable.safetensors"))
    missing = sorted(set(param_names) - set(weights))
    if missing:
        raise ValueError(f"checkpoint {folder} lacks trainable parameters {missing[:5]}")
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name in param_names:
            params[name].copy_(weights[name])
    meta = json.loads((folder / "optimizer.json").read_text())
    if meta["names"] != param_names:
        raise ValueError(f"checkpoint {folder} was made for other trainable parameters")
    tensors = load_file(str(folder / "optimizer.safetensors"))
    per_param: dict[int, dict[str, Any]] = {}
    index = {n: i for i, n in enumerate(param_names)}
    for key, value in list(tensors.items()) + list(meta["scalars"].items()):
        name, _, field = key.rpartition("::")
        per_param.setdefault(index[name], {})[field] = value
    groups = [{k: (tuple(v) if k == "betas" else v) for k, v in g.items()} for g in meta["param_groups"]]
    optimizer.load_state_dict({"state": per_param, "param_groups": groups})
    rng_file = folder / f"rng-rank-{rank}.safetensors"
    if rng_file.exists():  # a resume on more ranks than saved starts the new ranks from their seeds
        rng = load_file(str(rng_file))
        torch.set_rng_state(rng["cpu"])
        if "cuda" in rng and torch.cuda.is_available():
            torch.cuda.set_rng_state(rng["cuda"])
    state = json.loads((folder / "state.json").read_text())
    _set_py_random_state(state.pop("python_random"))
    return state


def _py_random_state() -> list:
    version, internal, gauss = random.getstate()
    return [version, list(internal), gauss]


def _set_py_random_state(data: list) -> None:
    version, internal, gauss = data
    random.setstate((version, tuple(internal), gauss))
