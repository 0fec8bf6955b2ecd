"""The deployment end to end: `dagster dev` (webserver + daemon) on loopback re-filters every final shard when
the rules file changes, through rules_change_sensor, without recomputing any caption.

Checks go through Dagster's GraphQL API (what the UI uses) and the parquet files themselves. Prints
RULES_TO_REFILTERED_SECONDS=<s> and writes it to test-artifacts/rules_refilter_seconds.txt.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
import yaml

from kale_assets.filtering import load_rules
from kale_assets.layout import WorkLayout
from kale_assets_tests.dagster_servers import (
    ARTIFACTS,
    copy_of_work_folder,
    start_dagster_dev,
    wait_for,
)

pytestmark = pytest.mark.slow

SENSOR = "rules_change_sensor"
CARD_SENSOR = "dataset_card_sensor"
SENSOR_TAG = "dagster/sensor_name"
NEW_RULE = "integration_test_word"
# Bounds: a tiny finalize run takes ~5-15 s on 2 idle cores; the margin is for a machine busy with other tests.
REFILTER_TIMEOUT_S = 300
UPSTREAM_ASSETS = ("datacomp_shards", "stage1_captions", "fused_captions", "stage2_captions")


@pytest.fixture(scope="module")
def work_folder(tmp_path_factory, tiny_models_dir):
    return copy_of_work_folder(tmp_path_factory.mktemp("daemon"), tmp_path_factory, tiny_models_dir)


@pytest.fixture(scope="module")
def server(work_folder):
    dev = start_dagster_dev(work_folder, ARTIFACTS / "dagster-dev-daemon-test.log")
    yield dev
    left = dev.stop()
    assert not left, f"processes of dagster dev still alive after stop: {left}"


def final_shard_paths(layout: WorkLayout) -> list[Path]:
    # Only final rows live in kale_shards/ (rejected rows are under rejected/kale_shards/).
    return sorted((layout.root / "kale_shards").glob("*.parquet"))


def frequent_word(paths: list[Path]) -> str:
    """The word (4+ letters) found in the most kept captions: a rule on it is sure to remove something."""
    counts: Counter[str] = Counter()
    for path in paths:
        for caption in pl.read_parquet(path, columns=["caption"])["caption"].drop_nulls():
            counts.update(set(re.findall(r"[a-z]{4,}", caption.lower())))
    assert counts, f"no kept caption with a word in {paths}"
    return min(counts, key=lambda w: (-counts[w], w))


def add_rule(rules_path: Path, word: str) -> None:
    """Add a drop_sentence rule for `word` and bump the version; replace the file in one step so the sensor
    never reads half of it."""
    doc = yaml.safe_load(rules_path.read_text())
    doc["version"] = f"{doc['version']}+{NEW_RULE}"
    doc["sentence_rules"].append({
        "name": NEW_RULE,
        "action": "drop_sentence",
        "description": f"Added by {Path(__file__).name}: drops sentences with the word {word!r}.",
        "pattern": rf"\b{word}\b",
    })
    staged = rules_path.with_name(rules_path.name + ".new")
    staged.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=1000))
    load_rules(staged)  # a typo here should fail the test, not the sensor
    os.replace(staged, rules_path)


def file_times(layout: WorkLayout) -> dict[str, int]:
    times = {}
    for asset in UPSTREAM_ASSETS:
        for path in sorted((layout.root / asset).glob("*")):
            times[str(path)] = path.stat().st_mtime_ns
    for path in sorted(layout.student_dir.rglob("*")):
        times[str(path)] = path.stat().st_mtime_ns
    return times


def test_rules_change_refilters_every_shard_through_the_daemon(work_folder, server):
    layout = WorkLayout(Path(work_folder.workdir))
    rules_path = Path(work_folder.rules_path)
    shard_ids = sorted(p.stem for p in final_shard_paths(layout))
    assert shard_ids == ["00000000", "00000001"]
    old_hash = load_rules(rules_path).sha256
    before_files = file_times(layout)
    assert any("fused_captions" in p for p in before_files) and any("stage2_captions" in p for p in before_files)

    # The sensor's first evaluation records the hash the final shards already carry and launches nothing.
    def newest_tick():
        # A tick is listed while it is still evaluating (STARTED): wait for one that has finished.
        ticks = server.sensor(SENSOR, tick_limit=1)["sensorState"]["ticks"]
        return ticks[0] if ticks and ticks[0]["status"] != "STARTED" else None

    first_tick = wait_for(f"a first tick of {SENSOR}", newest_tick, 120, on_timeout=server.log_tail)
    assert first_tick["status"] in ("SKIPPED", "SUCCESS"), first_tick
    assert server.runs(tags={SENSOR_TAG: SENSOR}) == []

    word = frequent_word(final_shard_paths(layout))
    add_rule(rules_path, word)
    t0 = time.time()
    new_hash = load_rules(rules_path).sha256
    assert new_hash != old_hash

    def all_refiltered():
        runs = server.runs(tags={SENSOR_TAG: SENSOR})
        failed = [r for r in runs if r["status"] in ("FAILURE", "CANCELED")]
        assert not failed, f"sensor runs failed: {failed}\n{server.log_tail()}"
        done = [r for r in runs if r["status"] == "SUCCESS"]
        return runs if len(done) >= len(shard_ids) else None

    runs = wait_for(f"{SENSOR} runs for {shard_ids} to succeed", all_refiltered, REFILTER_TIMEOUT_S, interval_s=0.5,
                    on_timeout=lambda: f"{server.sensor(SENSOR, tick_limit=5)}\n{server.log_tail()}")
    seconds = max(r["endTime"] for r in runs) - t0
    launching_tick = min((t for t in server.sensor(SENSOR)["sensorState"]["ticks"] if t["runIds"]),
                         key=lambda t: t["timestamp"])
    breakdown = (f"sensor tick +{launching_tick['timestamp'] - t0:.1f} s, first run started "
                 f"+{min(r['startTime'] for r in runs) - t0:.1f} s, last run ended +{seconds:.1f} s")
    print(f"\nRULES_TO_REFILTERED_SECONDS={seconds:.1f} ({len(runs)} shards, word {word!r}; {breakdown})")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "rules_refilter_seconds.txt").write_text(
        f"{seconds:.1f}\n# seconds from replacing the rules file to the end of the last of {len(runs)} finalize_job "
        f"runs launched by {SENSOR} (dagster dev, tiny preset, 2 shards x 6 samples; load average "
        f"{os.getloadavg()[0]:.1f})\n# {breakdown}\n")

    # One finalize_job run per shard, keyed by the new hash, kale_shards only.
    assert sorted(r["tags"]["dagster/partition"] for r in runs) == shard_ids
    for run in runs:
        assert run["jobName"] == "finalize_job", run
        assert new_hash in run["tags"]["dagster/run_key"], run["tags"]
        assert run["creationTime"] >= t0
        detail = server.run(run["runId"])
        assert {m["assetKey"]["path"][0] for m in detail["assetMaterializations"]} == {"kale_shards"}
        metadata = {e["label"]: e for m in detail["assetMaterializations"] for e in m["metadataEntries"]}
        assert metadata["rules_hash"]["text"] == new_hash

    # The rows carry the new hash, and the new rule really ran.
    removed_by_new_rule = 0
    for path in final_shard_paths(layout):
        frame = pl.read_parquet(path)
        assert frame.height > 0, path
        assert frame["rules_hash"].unique().to_list() == [new_hash], path
        assert frame["rules_version"].unique().to_list() == [load_rules(rules_path).version], path
        kept = frame["caption"].drop_nulls()
        assert not kept.str.contains(rf"(?i)\b{word}\b").any(), f"{word!r} left in a caption of {path}"
        removed_by_new_rule += sum(1 for removed in frame["removed_sentences"].to_list()
                                   for entry in removed or [] if entry["rule"] == NEW_RULE)
    assert removed_by_new_rule > 0

    # Upstream untouched: no caption, manifest or student file was rewritten, and no other job ran.
    assert file_times(layout) == before_files
    since = server.runs(created_after=t0)
    assert {r["jobName"] for r in since} <= {"finalize_job", "card_job"}, [(r["jobName"], r["tags"]) for r in since]

    # The dataset card follows the new final shards (dataset_card_sensor, card_job).
    def card_rebuilt():
        cards = [r for r in server.runs(job_name="card_job", created_after=t0)
                 if r["tags"].get(SENSOR_TAG) == CARD_SENSOR]
        assert not [r for r in cards if r["status"] in ("FAILURE", "CANCELED")], cards
        return [r for r in cards if r["status"] == "SUCCESS"] or None

    wait_for("card_job after the re-filter", card_rebuilt, 180, on_timeout=server.log_tail)
    card = json.loads((layout.card_dir / "card.json").read_text())
    assert card["rules_version"] == load_rules(rules_path).version
    assert card["removals_by_rule"].get(NEW_RULE, 0) > 0, card["removals_by_rule"]

    # No loop: two more ticks of the sensor skip and launch nothing.
    settled = max(r["endTime"] for r in runs)

    def two_ticks_after_settled():
        # Only finished ticks count: the newest one may still be evaluating (STARTED, no verdict yet).
        ticks = [t for t in server.sensor(SENSOR)["sensorState"]["ticks"]
                 if t["timestamp"] > settled and t["status"] != "STARTED"]
        return ticks if len(ticks) >= 2 else None

    ticks = wait_for(f"two {SENSOR} ticks after the re-filter", two_ticks_after_settled, 120, interval_s=2)
    assert all(t["status"] == "SKIPPED" and not t["runIds"] for t in ticks), ticks
    assert len(server.runs(tags={SENSOR_TAG: SENSOR})) == len(shard_ids)
