"""Training data: preparation (filter + split), the streaming order, its invariants and bounded memory."""

from __future__ import annotations

import polars as pl
import pytest
from PIL import Image

from kale_assets.commit import commit_tables
from kale_assets.filtering import load_rules
from kale_assets.layout import WorkLayout
from kale_assets.training.data import (
    DistillationExample,
    MemoryImages,
    PreparedData,
    Stage1Table,
    StreamingDistillationDataset,
    epoch_streams,
    memory_tables,
    prepare_training_data,
    read_rows,
    shard_order,
    split_heldout,
    stage1_training_tables,
    steps_per_epoch,
)


def _examples(n: int) -> list[DistillationExample]:
    return [DistillationExample(f"{i:032x}", Image.new("RGB", (8, 8), (i % 256, 0, 0)), f"alt {i}",
                                f"A photo of object number {i} on a table.") for i in range(n)]


def _prepared(tmp_path, n: int, per_shard: int, fraction: float = 0.1) -> tuple[PreparedData, MemoryImages]:
    examples = _examples(n)
    prepared = prepare_training_data(memory_tables(examples, per_shard), tmp_path / "data",
                                     heldout_fraction=fraction, min_heldout=1, seed=0)
    return prepared, MemoryImages(examples)


def _ids(stream: StreamingDistillationDataset, worker: int = 0, workers: int = 1) -> list[tuple[int, str]]:
    return [(g, e.uid) for g, e in stream.iterate(worker, workers)]


def _stream(prepared, images, **kw) -> StreamingDistillationDataset:
    args = dict(seed=0, epoch=0, n_streams=4, window=5)
    args.update(kw)
    return StreamingDistillationDataset(prepared, images, lambda e: e, **args)


def test_prepared_split_equals_split_heldout_and_is_stable(tmp_path):
    prepared, _ = _prepared(tmp_path, 300, per_shard=37)
    uids = [f"{i:032x}" for i in range(300)]
    held = {u for s in prepared.shards for u in prepared.rows(s, heldout=True)["uid"].to_list()}
    assert held == split_heldout(uids, 0.1, 1, seed=0)
    assert prepared.n_train + prepared.n_heldout == prepared.n_input == 300
    # small sets: the min_heldout fallback picks the same rows as split_heldout, across shards
    small, _ = _prepared(tmp_path / "small", 7, per_shard=2, fraction=0.0)
    held_small = {u for s in small.shards for u in small.rows(s, heldout=True)["uid"].to_list()}
    assert held_small == split_heldout(uids[:7], 0.0, 1, seed=0) and len(held_small) == 1
    again, _ = _prepared(tmp_path, 300, per_shard=37)
    assert again.fingerprint == prepared.fingerprint and again.root == prepared.root


def test_targets_go_through_the_artifact_filter(tmp_path):
    leak = "My analysis now turns to the visual representation of this organization."
    rows = pl.DataFrame({"uid": [f"{i:032x}" for i in range(3)], "member": ["a.jpg", "b.jpg", "c.jpg"],
                         "alt_text": ["x", "y", "z"],
                         "target": [f"A green logo with a letter A. {leak}", "A red bus on a street in London.", ""]})
    prepared = prepare_training_data([Stage1Table("00000000", rows, "h")], tmp_path, rules=load_rules(None),
                                     heldout_fraction=0.0, min_heldout=0, seed=0)
    kept = pl.concat([prepared.rows(s, heldout=False) for s in prepared.shards])
    assert prepared.n_input == 3 and prepared.n_train == 2 and sum(prepared.dropped.values()) == 1
    assert leak not in " ".join(kept["target"].to_list())
    assert kept.filter(pl.col("member") == "a.jpg")["target"].item().startswith("A green logo with a letter A")


def test_stage1_training_tables_join_fused_captions_with_the_manifest(tmp_path):
    layout = WorkLayout(tmp_path)
    manifest = pl.DataFrame({"uid": ["u2", "u1", "u3"], "member": ["2.jpg", "1.jpg", "3.jpg"],
                             "alt_text": ["two", "one", "three"]})
    fused = pl.DataFrame({"uid": ["u1", "u2"], "caption": ["cap one", "cap two"], "model_id": ["m", "m"],
                          "model_revision": ["r", "r"]})
    commit_tables(layout, "datacomp_shards", "00000001", manifest)
    commit_tables(layout, "fused_captions", "00000001", fused)
    # 00000002 has fused captions on disk, but never committed (its checks failed, say): not trained on
    commit_tables(layout, "datacomp_shards", "00000002", manifest)
    layout.shard_output("fused_captions", "00000002").write_bytes(layout.shard_output("fused_captions",
                                                                                     "00000001").read_bytes())
    [table] = list(stage1_training_tables(layout, ["00000001", "00000002", "00000003"]))
    assert table.rows.to_dicts() == [  # manifest (= tar) order, only rows with a fused caption
        {"uid": "u2", "member": "2.jpg", "alt_text": "two", "target": "cap two"},
        {"uid": "u1", "member": "1.jpg", "alt_text": "one", "target": "cap one"}]
    assert table.models == {"fusion": {"m@r"}}


def test_epoch_order_is_deterministic_and_covers_every_row_once(tmp_path):
    prepared, images = _prepared(tmp_path, 103, per_shard=10)
    _, length = epoch_streams(prepared, seed=0, epoch=0, n_streams=4)
    assert length == prepared.n_train // 4
    a = _ids(_stream(prepared, images))
    assert a == _ids(_stream(prepared, images))
    assert [g for g, _ in a] == list(range(4 * length))
    assert len({u for _, u in a}) == len(a)  # no row twice in an epoch
    train_uids = {u for s in prepared.shards for u in prepared.rows(s, heldout=False)["uid"].to_list()}
    assert {u for _, u in a} <= train_uids and len(train_uids) - len(a) < 4  # only the N mod S remainder waits
    assert _ids(_stream(prepared, images, epoch=1)) != a  # another epoch, another order
    assert _ids(_stream(prepared, images, seed=1)) != a


def test_ranks_and_workers_split_the_same_global_sequence(tmp_path):
    prepared, images = _prepared(tmp_path, 90, per_shard=7)
    whole = dict(_ids(_stream(prepared, images, n_streams=8)))
    for world in (1, 2, 4):
        for workers in (1, 2):
            if (8 // world) % workers:
                continue
            for rank in range(world):
                stream = _stream(prepared, images, n_streams=8, rank=rank, world_size=world)
                per_worker = [_ids(stream, w, workers) for w in range(workers)]
                merged = [x for group in zip(*per_worker) for x in group]  # the DataLoader's round robin
                assert merged == sorted(merged)  # arrives in global order
                assert all(whole[g] == u and g % world == rank for g, u in merged)
                assert len(merged) == len([g for g in whole if g % world == rank])


def test_resuming_a_stream_skips_exactly_the_consumed_steps(tmp_path):
    prepared, images = _prepared(tmp_path, 64, per_shard=9)
    full = _ids(_stream(prepared, images))
    per_step = 8 // 4  # global batch 8 over 4 streams
    for step in (1, 3):
        resumed = _ids(_stream(prepared, images, start=step * per_step))
        assert resumed == full[step * 8 :]
    assert steps_per_epoch(prepared, n_streams=4, global_batch=8) == len(full) // 8


class _TarOrderImages:
    """Yields requested members in 'tar order' (sorted member names), counting what is read."""

    def __init__(self, examples):
        self.images = {e.uid: e.image for e in examples}

    def open(self, shard_id, members):
        for m in sorted(members):
            yield m, self.images[m]


def test_reading_a_shard_holds_at_most_one_window_of_images(tmp_path):
    examples = _examples(200)
    source = _TarOrderImages(examples)
    rows = [{"uid": e.uid, "member": e.uid} for e in sorted(examples, key=lambda e: e.uid)]
    order = shard_order(len(rows), seed=3, epoch=0, shard_id="s", window=16)
    wanted = [rows[p] for p in order]
    peak, alive = 0, []
    gen = read_rows(source, "s", wanted)
    for row, _ in gen:
        stash = gen.gi_frame.f_locals["stash"]
        peak = max(peak, len(stash))
        alive.append(row["uid"])
    assert alive == [r["uid"] for r in wanted] and peak < 16


def test_stream_settings_are_validated(tmp_path):
    from kale_assets.training.specs import TrainSpec

    prepared, images = _prepared(tmp_path, 20, per_shard=5)
    with pytest.raises(ValueError, match="multiple of the number of processes"):
        _stream(prepared, images, n_streams=3, world_size=2)
    with pytest.raises(ValueError, match="evenly"):
        list(_stream(prepared, images, n_streams=4).iterate(0, 3))
    with pytest.raises(ValueError, match="multiple of data_streams"):
        TrainSpec(global_batch_size=10, data_streams=4)


def test_small_data_gets_the_largest_step_it_allows():
    from kale_assets.training.loop import _validate, fit_to_data
    from kale_assets.training.specs import TrainSpec

    train = TrainSpec(global_batch_size=8, micro_batch_size=8, data_streams=4, num_workers=2)
    assert fit_to_data(train, 100, 1) == train
    for n, world in ((7, 1), (5, 1), (3, 1), (1, 1), (6, 2), (3, 2)):
        small = fit_to_data(train, n, world)
        _validate(small, world)
        assert small.global_batch_size <= n and small.data_streams % world == 0
        assert small.num_workers == 0 or (small.data_streams // world) % small.num_workers == 0
    assert fit_to_data(train, 7, 1).global_batch_size == 4
