"""Scale simulation of the control plane at DataComp-1B size (not a test: it prints numbers).

    .venv/bin/python kale_assets_tests/scale_control_plane.py [--shards 130000] [--extra-objects 10000]
        [--new 100] [--spp 100,1] [--store prefix,local] [--json FILE]

For each shards-per-partition value (100: ~1.3k shard-group partitions; 1: one partition per shard) it builds a
work folder whose kale.yaml names the source, a real SQLite DagsterInstance, and then measures, through the real
sensors evaluated as the daemon evaluates them (`build_sensor_context` + `evaluate_tick`):

- registering every shard's partition key (`add_dynamic_partitions`, in chunks of 10k keys);
- a discovery tick that lists the whole source (shards x .tar/.parquet/_stats.json plus `--extra-objects`
  other files: 400k objects by default) once everything is registered and ingested;
- the incremental tick after `--new` shards arrive, and a tick when nothing changed;
- the rules change: how many finalize runs it launches in all (`plan_refinalize`) and in one tick.

Stores (`--store`): `prefix` is an in-memory fsspec store that answers a key-prefix listing with only the
keys under the prefix, as S3's ListObjectsV2 does (kale_assets_tests/prefix_store.py; objects_listed is what
S3 would page through, 1,000 per LIST request); `local` is a folder of empty files on this machine's disk.
Ingest is simulated by writing each shard's commit manifest (`{"tables": {}}`, what `is_committed` accepts for
a partition with no tables) for datacomp_shards and its pool's caption asset: the control plane reads only
those. No model runs and no run is launched.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from dagster import AssetMaterialization, DagsterInstance, build_sensor_context

from kale_assets.config import PipelineConfig, PoolRule
from kale_assets.definitions import defs
from kale_assets.defs.resources import KaleResource
from kale_assets.defs.sensors import POOL_CAPTIONS, plan_refinalize
from kale_assets.filtering import load_rules
from kale_assets.layout import WorkLayout
from kale_assets.shard_groups import group
from kale_assets_tests import prefix_store

SUFFIXES = (".tar", ".parquet", "_stats.json")
MANIFEST = b'{"tables": {}}'


def _timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, round(time.perf_counter() - started, 3)


def _objects(shard_numbers, extra_from: int, extra: int) -> list[str]:
    names = [f"{n:08d}{suffix}" for n in shard_numbers for suffix in SUFFIXES]
    # Files beside the shards that are not shards (img2dataset's stats, logs): listed, then skipped.
    return names + [f"log_{i:08d}.txt" for i in range(extra_from, extra_from + extra)]


def make_source(store: str, root: Path, shards: int, extra: int) -> str:
    names = _objects(range(shards), 0, extra)
    if store == "prefix":
        prefix_store.register()
        prefix_store.PrefixListingStore.reset()
        source = f"{prefix_store.PROTOCOL}://bucket/datacomp"
        prefix_store.PrefixListingStore.put_empty(f"{source}/{name}" for name in names)
        return source
    source = root / "source"
    source.mkdir(parents=True)
    for name in names:
        (source / name).touch()
    return str(source)


def add_shards(store: str, source: str, numbers) -> None:
    names = _objects(numbers, 0, 0)
    if store == "prefix":
        prefix_store.PrefixListingStore.put_empty(f"{source}/{name}" for name in names)
    else:
        for name in names:
            Path(source, name).touch()


def write_commits(config: PipelineConfig, numbers) -> None:
    layout = WorkLayout(config.root)
    for n in numbers:
        shard_id = f"{n:08d}"
        for asset in ("datacomp_shards", POOL_CAPTIONS[config.pool_rule.pool_of(shard_id)]):
            path = layout.commit_manifest(asset, shard_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(MANIFEST)


def _tick(instance, name: str, workdir: Path, cursor: str | None):
    context = build_sensor_context(instance=instance, instance_ref=instance.get_ref(), cursor=cursor,
                                   definitions=defs, resources={"kale": KaleResource(workdir=str(workdir))})
    return _timed(lambda: defs.resolve_sensor_def(name).evaluate_tick(context))


def _objects_listed(tick) -> int:
    """Entries the source returned to the tick's listing (what S3 pages through, 1,000 per LIST request)."""
    return json.loads(tick.cursor)["last_objects_listed"]


def simulate(store: str, root: Path, spp: int, shards: int, extra: int, new: int,
             old_materializations_up_to: int) -> dict:
    source = make_source(store, root, shards, extra)
    config = PipelineConfig(workdir=str(root / f"work_spp{spp}"), source=source, preset="tiny",
                            pool_rule=PoolRule(stage1_fraction=0.46), shards_per_partition=spp)
    config.save()
    _, commits_s = _timed(lambda: write_commits(config, range(shards)))
    keys = list(group([f"{n:08d}" for n in range(shards)], spp))
    out: dict = {"store": store, "shards_per_partition": spp, "shards": shards, "partitions": len(keys),
                 "source_objects": shards * len(SUFFIXES) + extra, "write_commits_s": commits_s}
    (root / "home").mkdir(exist_ok=True)
    with DagsterInstance.local_temp(str(root / "home")) as instance:
        def register():
            for start in range(0, len(keys), 10_000):
                instance.add_dynamic_partitions("shards", keys[start:start + 10_000])
        _, out["register_partitions_s"] = _timed(register)
        _, out["read_partitions_s"] = _timed(lambda: instance.get_dynamic_partitions("shards"))

        full, out["full_relist_tick_s"] = _tick(instance, "shard_discovery_sensor", config.root, None)
        out["full_relist_tick"] = {"runs": len(full.run_requests), "mode": json.loads(full.cursor)["last_mode"],
                                   "objects_listed": _objects_listed(full)}

        add_shards(store, source, range(shards, shards + new))
        out["incremental_ticks"] = incremental_ticks(instance, config, full.cursor)
        cursor = out["incremental_ticks"].pop("cursor")
        write_commits(config, range(shards, shards + new))  # what the requested runs would have left behind
        quiet, out["unchanged_tick_s"] = _tick(instance, "shard_discovery_sensor", config.root, cursor)
        out["unchanged_tick"] = {"runs": len(quiet.run_requests), "mode": json.loads(quiet.cursor)["last_mode"],
                                 "objects_listed": _objects_listed(quiet)}
        out["rules_change"] = rules_change(instance, config, old_materializations_up_to)
    return out


def incremental_ticks(instance, config: PipelineConfig, cursor: str) -> dict:
    """Discovery ticks after new shards arrived, until every new shard has its run (50 runs per tick at
    most), adding the partitions as the daemon would."""
    ticks: list[dict] = []
    while True:
        tick, seconds = _tick(instance, "shard_discovery_sensor", config.root, cursor)
        cursor = tick.cursor
        if not tick.run_requests:
            break
        for request in tick.dynamic_partitions_requests:
            instance.add_dynamic_partitions("shards", list(request.partition_keys))
        ticks.append({"s": seconds, "runs": len(tick.run_requests), "mode": json.loads(cursor)["last_mode"],
                      "partitions_added": sum(len(r.partition_keys) for r in tick.dynamic_partitions_requests),
                      "objects_listed": _objects_listed(tick)})
    return {"ticks": len(ticks), "runs": sum(t["runs"] for t in ticks), "first_tick": ticks[0] if ticks else None,
            "cursor": cursor}


def rules_change(instance, config: PipelineConfig, old_materializations_up_to: int) -> dict:
    """Every partition finalized with other rules, then the rules sensor's tick after the change."""
    keys = instance.get_dynamic_partitions("shards")
    old = "0" * 64
    # Reporting a materialization costs ~50 ms here (one SQLite transaction): beyond the bound the partitions
    # were never finalized, which makes each of them just as stale.
    reported = keys if len(keys) <= old_materializations_up_to else []

    def report():
        for key in reported:
            instance.report_runless_asset_event(AssetMaterialization("kale_shards", partition=key,
                                                                     metadata={"rules_hash": old}))
    _, report_s = _timed(report)
    rules = load_rules(None)
    runs, plan_s = _timed(lambda: plan_refinalize(instance, config, rules.sha256, only_materialized=False))
    cursor = json.dumps({"rules_hash": old, "rules_version": "old", "backlog": False})
    tick, tick_s = _tick(instance, "rules_change_sensor", config.root, cursor)
    return {"partitions": len(keys), "runs_in_all": len(runs),
            "largest_run_partitions": max((len(r.keys) for r in runs), default=0),
            "runs_first_tick": len(tick.run_requests), "tick_s": tick_s, "plan_s": plan_s,
            "old_materializations": len(reported), "report_old_materializations_s": report_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", type=int, default=130_000)
    parser.add_argument("--extra-objects", type=int, default=10_000, help="non-shard files in the source")
    parser.add_argument("--new", type=int, default=100, help="shards that arrive before the incremental tick")
    parser.add_argument("--spp", default="100,1", help="shards per partition values, comma-separated")
    parser.add_argument("--store", default="prefix,local", help="prefix (S3-like listing) and/or local")
    parser.add_argument("--old-materializations-up-to", type=int, default=2000,
                        help="report an earlier kale_shards materialization per partition when there are at most "
                             "this many partitions")
    parser.add_argument("--dir", help="where to build (default: a temporary folder, removed after)")
    parser.add_argument("--json", help="also write the numbers to this file")
    args = parser.parse_args()
    results = []
    for store in args.store.split(","):
        for spp in (int(v) for v in args.spp.split(",")):
            with tempfile.TemporaryDirectory(dir=args.dir) as root:
                numbers = simulate(store, Path(root), spp, args.shards, args.extra_objects, args.new,
                                   args.old_materializations_up_to)
            print(json.dumps(numbers), flush=True)
            results.append(numbers)
    text = json.dumps({"cpu_count": os.cpu_count(), "results": results}, indent=2)
    if args.json:
        Path(args.json).write_text(text + "\n")


if __name__ == "__main__":
    main()
