"""A partition commits as one unit, and a reader only takes committed, unaltered bytes."""

from __future__ import annotations

import json
import shutil

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from kale_assets import commit
from kale_assets.commit import (
    UncommittedInputError,
    committed_digest,
    committed_partitions,
    is_committed,
    load_manifest,
    read_committed,
    stage,
    withdraw,
)
from kale_assets.io_utils import sha256_bytes
from kale_assets.layout import WorkLayout
from kale_assets.run_control import sweep_work_folder

ASSET = "stage1_captions"
SHARD = "00000003"
VERSIONS = {"model": "tiny@abc", "rules": "v2"}


def _tables(tag: str, n_out: int = 5, n_rej: int = 2) -> dict[str, pl.DataFrame]:
    output = pl.DataFrame({"uid": [f"{tag}{i:031d}" for i in range(n_out)],
                           "caption": [f"{tag} caption {i}" for i in range(n_out)]})
    rejected = pl.DataFrame({"uid": [f"{tag}r{i:030d}" for i in range(n_rej)], "reason": ["too_long"] * n_rej})
    return {"output": output, "rejected": rejected}


@pytest.fixture
def layout(tmp_path):
    return WorkLayout(tmp_path / "work")


def _commit(layout, tag="a", **kw):
    tables = _tables(tag, **kw)
    manifest = stage(layout, ASSET, SHARD, tables).commit(VERSIONS, extra={"inputs": {"datacomp_shards": "d1"}})
    return tables, manifest


def _visible(layout):
    return {
        "output": layout.shard_output(ASSET, SHARD).exists(),
        "rejected": layout.shard_rejected(ASSET, SHARD).exists(),
        "manifest": layout.commit_manifest(ASSET, SHARD).exists(),
    }


def test_stage_changes_nothing_a_reader_sees_and_commit_shows_all_together(layout):
    tables = _tables("a")
    staged = stage(layout, ASSET, SHARD, tables)
    assert staged.folder.parent == layout.staging_root(ASSET)
    assert sorted(p.name for p in staged.folder.iterdir()) == ["output.parquet", "rejected.parquet"]
    assert _visible(layout) == {"output": False, "rejected": False, "manifest": False}
    assert not is_committed(layout, ASSET, SHARD)
    with pytest.raises(UncommittedInputError):
        read_committed(layout, ASSET, SHARD)

    manifest = staged.commit(VERSIONS, extra={"inputs": {"datacomp_shards": "d1"}})

    assert _visible(layout) == {"output": True, "rejected": True, "manifest": True}
    assert not staged.folder.exists()
    assert is_committed(layout, ASSET, SHARD)
    assert_frame_equal(read_committed(layout, ASSET, SHARD), tables["output"])
    assert_frame_equal(read_committed(layout, ASSET, SHARD, "rejected"), tables["rejected"])
    assert_frame_equal(read_committed(layout, ASSET, SHARD, columns=["uid"]), tables["output"].select("uid"))
    assert load_manifest(layout, ASSET, SHARD) == json.loads(json.dumps(manifest))
    assert manifest["asset"] == ASSET and manifest["shard"] == SHARD and manifest["versions"] == VERSIONS
    assert manifest["inputs"] == {"datacomp_shards": "d1"} and manifest["code_version"]
    assert manifest["tables"]["output"]["rows"] == 5 and manifest["tables"]["rejected"]["rows"] == 2
    for table, entry in manifest["tables"].items():
        path = commit.table_path(layout, ASSET, SHARD, table)
        assert entry["bytes"] == path.stat().st_size
        assert entry["sha256"] == sha256_bytes(path.read_bytes())


def test_manifest_paths_are_relative_so_a_copied_work_folder_verifies(layout, tmp_path):
    tables, manifest = _commit(layout)
    assert manifest["tables"] == {
        "output": {**manifest["tables"]["output"], "path": f"{ASSET}/{SHARD}.parquet"},
        "rejected": {**manifest["tables"]["rejected"], "path": f"rejected/{ASSET}/{SHARD}.parquet"},
    }
    assert str(tmp_path) not in layout.commit_manifest(ASSET, SHARD).read_text()

    moved = WorkLayout(tmp_path / "elsewhere" / "copy")
    shutil.copytree(layout.root, moved.root)
    shutil.rmtree(layout.root)  # the copy must not lean on the original in any way
    assert is_committed(moved, ASSET, SHARD)
    assert_frame_equal(read_committed(moved, ASSET, SHARD), tables["output"])
    assert_frame_equal(read_committed(moved, ASSET, SHARD, "rejected"), tables["rejected"])


def _assert_names_file_and_fix(err, path):
    message = str(err.value)
    assert str(path) in message
    assert f"materialize {ASSET} for partition {SHARD}" in message


def test_an_edited_file_of_the_same_size_is_refused(layout):
    _commit(layout)
    path = layout.shard_output(ASSET, SHARD)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: same size, so only the hash can tell
    path.write_bytes(bytes(data))
    with pytest.raises(UncommittedInputError, match="sha256 differs") as err:
        read_committed(layout, ASSET, SHARD)
    _assert_names_file_and_fix(err, path)
    # The rejected table was not touched and still reads.
    assert read_committed(layout, ASSET, SHARD, "rejected").height == 2


def test_an_edited_file_with_other_valid_rows_is_refused(layout):
    _commit(layout)
    path = layout.shard_rejected(ASSET, SHARD)
    _tables("b")["rejected"].write_parquet(path)  # a perfectly readable parquet, just not the committed one
    with pytest.raises(UncommittedInputError) as err:
        read_committed(layout, ASSET, SHARD, "rejected")
    _assert_names_file_and_fix(err, path)


def test_a_truncated_file_is_refused_and_not_committed(layout):
    _commit(layout)
    path = layout.shard_output(ASSET, SHARD)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert not is_committed(layout, ASSET, SHARD)  # the size differs: the cheap check sees it
    with pytest.raises(UncommittedInputError) as err:
        read_committed(layout, ASSET, SHARD)
    _assert_names_file_and_fix(err, path)


def test_a_missing_manifest_names_the_asset_to_materialize(layout):
    _commit(layout)
    manifest_path = layout.commit_manifest(ASSET, SHARD)
    manifest_path.unlink()
    assert not is_committed(layout, ASSET, SHARD)
    assert committed_digest(layout, ASSET, SHARD) is None
    with pytest.raises(UncommittedInputError, match="is not committed") as err:
        read_committed(layout, ASSET, SHARD)
    _assert_names_file_and_fix(err, manifest_path)
    assert isinstance(err.value, FileNotFoundError)  # callers that handle missing files handle this too


def test_a_garbled_manifest_reads_as_not_committed(layout):
    _commit(layout)
    manifest_path = layout.commit_manifest(ASSET, SHARD)
    manifest_path.write_text('{"tables": ')
    assert not is_committed(layout, ASSET, SHARD)
    with pytest.raises(UncommittedInputError, match="not valid JSON") as err:
        read_committed(layout, ASSET, SHARD)
    _assert_names_file_and_fix(err, manifest_path)


def test_a_deleted_committed_file_is_not_committed(layout):
    _commit(layout)
    path = layout.shard_rejected(ASSET, SHARD)
    path.unlink()
    assert not is_committed(layout, ASSET, SHARD)
    assert committed_partitions(layout, ASSET, [SHARD, "00000009"]) == set()
    with pytest.raises(UncommittedInputError, match="missing although committed") as err:
        read_committed(layout, ASSET, SHARD, "rejected")
    _assert_names_file_and_fix(err, path)


def test_a_table_the_commit_does_not_hold_is_refused(layout):
    stage(layout, ASSET, SHARD, {"output": _tables("a")["output"]}).commit(VERSIONS)
    assert is_committed(layout, ASSET, SHARD)
    with pytest.raises(UncommittedInputError, match="has no rejected table"):
        read_committed(layout, ASSET, SHARD, "rejected")


def test_stage_refuses_unknown_tables_and_discard_drops_the_staging_folder(layout):
    with pytest.raises(ValueError, match="unknown table 'captions'"):
        stage(layout, ASSET, SHARD, {"captions": _tables("a")["output"]})
    staged = stage(layout, ASSET, SHARD, _tables("a"))
    staged.discard()
    assert not staged.folder.exists()
    assert _visible(layout) == {"output": False, "rejected": False, "manifest": False}


def test_reject_withdraws_the_earlier_commit_and_quarantines_the_staged_files(layout):
    old, _ = _commit(layout, "a")
    assert is_committed(layout, ASSET, SHARD)
    new = _tables("b", n_out=3, n_rej=4)
    staged = stage(layout, ASSET, SHARD, new)

    quarantine = staged.reject()

    assert quarantine == layout.quarantine_dir(ASSET, SHARD)
    assert not staged.folder.exists()
    assert sorted(p.name for p in quarantine.iterdir()) == ["output.parquet", "rejected.parquet"]
    assert_frame_equal(pl.read_parquet(quarantine / "output.parquet"), new["output"])
    assert_frame_equal(pl.read_parquet(quarantine / "rejected.parquet"), new["rejected"])
    assert not layout.commit_manifest(ASSET, SHARD).exists()
    assert not is_committed(layout, ASSET, SHARD)
    with pytest.raises(UncommittedInputError, match="is not committed"):
        read_committed(layout, ASSET, SHARD)
    # The rejected bytes never reached the final paths, and the withdrawn partition's files are gone too, so a
    # plain folder reader (datasets.load_dataset on the asset folder) does not pick them up either.
    assert not layout.shard_output(ASSET, SHARD).exists() and not layout.shard_rejected(ASSET, SHARD).exists()

    # A second failure replaces the quarantine; a later good run commits again.
    again = _tables("c", n_out=1, n_rej=1)
    assert stage(layout, ASSET, SHARD, again).reject() == quarantine
    assert_frame_equal(pl.read_parquet(quarantine / "output.parquet"), again["output"])
    good, _ = _commit(layout, "d")
    assert_frame_equal(read_committed(layout, ASSET, SHARD), good["output"])


def test_a_crash_between_stage_and_commit_leaves_the_old_commit_readable(layout):
    old, _ = _commit(layout, "a")
    digest = committed_digest(layout, ASSET, SHARD)
    staged = stage(layout, ASSET, SHARD, _tables("b"))  # the process "dies" here: commit is never called
    assert staged.folder.exists()
    assert is_committed(layout, ASSET, SHARD)
    assert_frame_equal(read_committed(layout, ASSET, SHARD), old["output"])
    assert committed_digest(layout, ASSET, SHARD) == digest

    # The next run sweeps the leftover staging folder; the old commit is untouched.
    removed = sweep_work_folder(layout)
    assert layout.root / "_staging" in removed and not staged.folder.exists()
    assert_frame_equal(read_committed(layout, ASSET, SHARD, "rejected"), old["rejected"])


def test_a_crash_inside_commit_before_the_manifest_leaves_no_commit(layout, monkeypatch):
    _commit(layout, "a")

    def die(*args, **kwargs):
        raise OSError("killed before the manifest was written")

    monkeypatch.setattr(commit, "atomic_write_json", die)
    with pytest.raises(OSError):
        stage(layout, ASSET, SHARD, _tables("b")).commit(VERSIONS)
    # New data files are in place but without a manifest nothing reads them: never a mix of old and new.
    assert not is_committed(layout, ASSET, SHARD)
    with pytest.raises(UncommittedInputError, match="is not committed"):
        read_committed(layout, ASSET, SHARD)


def test_withdraw_and_committed_partitions(layout):
    _commit(layout)
    other = "00000004"
    stage(layout, ASSET, other, _tables("z")).commit(VERSIONS)
    assert committed_partitions(layout, ASSET, [SHARD, other, "00000005"]) == {SHARD, other}
    assert withdraw(layout, ASSET, SHARD) is True
    assert withdraw(layout, ASSET, SHARD) is False
    assert committed_partitions(layout, ASSET, [SHARD, other]) == {other}


def test_committed_digest_follows_the_content(layout):
    assert committed_digest(layout, ASSET, SHARD) is None
    _commit(layout, "a")
    first = committed_digest(layout, ASSET, SHARD)
    assert len(first) == 16
    _commit(layout, "a")  # same rows again: a re-run that computes the same thing has the same identity
    assert committed_digest(layout, ASSET, SHARD) == first
    _commit(layout, "b")
    assert committed_digest(layout, ASSET, SHARD) != first
