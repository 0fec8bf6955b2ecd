"""Tests for kale_assets.demo_data: determinism, counts and the img2dataset format."""

from __future__ import annotations

import io
import json
import re
import tarfile
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest
from PIL import Image

from kale_assets.demo_data import (
    HOSTILE_EXPECTED,
    PARQUET_SCHEMA,
    demo_key,
    write_demo_shards,
)

HEX32 = re.compile(r"^[0-9a-f]{32}$")
SPS = 10
# hostile rows that are listed in shard 0's parquet (the rest live only in the tar)
TAR_ONLY_HOSTILE = {"unsafe_dotdot", "orphan_txt", "tar_only_sample", "duplicate_key"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("demo")
    paths = write_demo_shards(d, n_shards=3, samples_per_shard=SPS, seed=0)
    assert paths == [d / f"{i:08d}.tar" for i in range(3)]
    return d


def _files(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())}


def _groups(tar: Path) -> tuple[dict[str, list[str]], list[tarfile.TarInfo]]:
    with tarfile.open(tar) as tf:
        members = tf.getmembers()
    groups: dict[str, list[str]] = defaultdict(list)
    for m in members:
        base = m.name.rsplit("/", 1)[-1]
        groups[m.name[: len(m.name) - len(base)] + base.split(".", 1)[0]].append(m.name)
    return groups, members


def test_byte_identical_for_same_seed(demo, tmp_path):
    again = tmp_path / "again"
    write_demo_shards(again, n_shards=3, samples_per_shard=SPS, seed=0)
    assert _files(again) == _files(demo)
    other = tmp_path / "other"
    write_demo_shards(other, n_shards=3, samples_per_shard=SPS, seed=1)
    a, b = _files(demo), _files(other)
    assert a.keys() == b.keys()
    assert a["00000000.tar"] != b["00000000.tar"] and a["00000002.parquet"] != b["00000002.parquet"]


def test_files_and_counts(demo):
    names = sorted(p.name for p in demo.iterdir())
    assert names == [f"{i:08d}{suffix}" for i in range(3) for suffix in (".parquet", ".tar", "_stats.json")]
    n_listed_hostile = len(HOSTILE_EXPECTED) - len(TAR_ONLY_HOSTILE)
    expected_rows = {0: SPS + n_listed_hostile, 1: SPS + 2, 2: SPS}
    for shard, n_rows in expected_rows.items():
        df = pl.read_parquet(demo / f"{shard:08d}.parquet")
        assert df.height == n_rows
        stats = json.loads((demo / f"{shard:08d}_stats.json").read_text())
        assert stats["count"] == n_rows
        assert stats["successes"] == df.filter(pl.col("status") == "success").height
        assert stats["successes"] + stats["failed_to_download"] + stats["failed_to_resize"] == n_rows
    assert pl.read_parquet(demo / "00000001.parquet")["status"].value_counts().sort("status").rows() == [
        ("failed_to_download", 2), ("success", SPS)]


def test_parquet_format(demo):
    for shard in range(3):
        df = pl.read_parquet(demo / f"{shard:08d}.parquet")
        assert dict(df.schema) == PARQUET_SCHEMA
        assert df["key"].to_list() == sorted(df["key"].to_list())
        assert df["key"].n_unique() == df.height
        assert all(re.fullmatch(r"\d{9}", k) and k.startswith(f"{shard:04d}") for k in df["key"])
        assert df["url"].str.starts_with("https://").all()
        ok = df.filter(pl.col("status") == "success")
        assert ok["width"].null_count() == 0 and ok["sha256"].null_count() == 0
        failed = df.filter(pl.col("status") != "success")
        assert failed["error_message"].null_count() == 0
        bad = {"not-a-valid-uid"} if shard == 0 else set()
        for uid in df["uid"]:
            assert HEX32.match(uid) or uid in bad or (shard == 0 and HEX32.match(uid.lower()))
    # a clean run has only valid, unique, lower-case uids
    regular = pl.read_parquet(demo / "00000002.parquet")
    assert regular["uid"].str.contains(r"^[0-9a-f]{32}$").all() and regular["uid"].n_unique() == SPS


def test_tar_format(demo):
    for shard in (1, 2):
        groups, members = _groups(demo / f"{shard:08d}.tar")
        assert list(groups) == [demo_key(shard, i) for i in range(SPS)]
        df = pl.read_parquet(demo / f"{shard:08d}.parquet").filter(pl.col("status") == "success")
        assert sorted(groups) == df["key"].to_list()
        for key, names in groups.items():
            exts = [n.split(".", 1)[1] for n in names]
            assert names == sorted(names) and len(exts) == 3
            assert {"json", "txt"} <= set(exts) and (set(exts) - {"json", "txt"}) <= {"jpg", "png", "webp"}
        for m in members:
            assert m.isreg() and m.mtime == 1_700_000_000 and m.uid == 0 and m.gid == 0 and m.mode == 0o644
    with tarfile.open(demo / "00000002.tar") as tf:
        meta = {}
        for m in tf.getmembers():
            data = tf.extractfile(m).read()
            key, ext = m.name.split(".", 1)
            if ext == "json":
                meta[key] = json.loads(data)
                assert HEX32.match(meta[key]["uid"]) and meta[key]["status"] == "success"
            elif ext == "txt":
                assert data.decode("utf-8").strip()
            else:
                with Image.open(io.BytesIO(data)) as im:
                    im.load()
                    assert 64 <= im.width <= 320 and 64 <= im.height <= 320
    pq = pl.read_parquet(demo / "00000002.parquet")
    for row in pq.iter_rows(named=True):
        assert meta[row["key"]]["uid"] == row["uid"] and meta[row["key"]]["caption"] == row["caption"]


def test_varied_images_and_alt_texts(demo):
    df = pl.concat([pl.read_parquet(demo / f"{s:08d}.parquet") for s in (1, 2)]).filter(pl.col("status") == "success")
    captions = df["caption"].to_list()
    assert len(set(captions)) == len(captions)
    text_dense = [c for k, c in zip(df["key"], captions) if int(k[-5:]) % 3 == 0]
    assert text_dense and all(re.search(r"sign|Poster|Receipt", c) for c in text_dense)
    assert any(re.search(r"\b(19|20)\d\d\b", c) for c in captions)  # dates
    sizes = set(zip(df["width"], df["height"]))
    assert len(sizes) > len(captions) // 2 and any(w != h for w, h in sizes)
    exts = {u.rsplit(".", 1)[1] for u in df["url"]}
    assert {"jpg", "png"} <= exts


def test_hostile_members_present(demo):
    groups, members = _groups(demo / "00000000.tar")
    names = [m.name for m in members]
    assert "../evil.jpg" in names
    assert any(m.issym() for m in members)
    dup = demo_key(0, 1)
    assert names.count(f"{dup}.jpg") + names.count(f"{dup}.png") + names.count(f"{dup}.webp") == 2
    assert not any(p.name.endswith(".tmp") or p.name.startswith(".") for p in demo.iterdir())


def test_no_hostile_and_validation(tmp_path):
    paths = write_demo_shards(tmp_path, n_shards=1, samples_per_shard=3, seed=9, hostile=False)
    df = pl.read_parquet(tmp_path / "00000000.parquet")
    assert df.height == 3 and (df["status"] == "success").all()
    groups, members = _groups(paths[0])
    assert len(groups) == 3 and all(m.isreg() for m in members)
    assert write_demo_shards(tmp_path / "none", n_shards=0) == []
    with pytest.raises(ValueError):
        write_demo_shards(tmp_path / "bad", n_shards=1, samples_per_shard=1, hostile=True)
