"""The atomic writer: a target is either its old or its new content, and a failure leaves no temporary behind."""

from __future__ import annotations

import json
import os
import stat

import pytest

from kale_assets import io_utils
from kale_assets.io_utils import (
    OLD_MARKER,
    TMP_MARKER,
    atomic_dir,
    atomic_write,
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
    sha256_bytes,
    sha256_file,
    sweep_temporaries,
)


def _temporaries(folder):
    return sorted(p.name for p in folder.iterdir() if TMP_MARKER in p.name)


def test_atomic_write_creates_parent_and_is_readable_by_others(tmp_path):
    target = tmp_path / "a" / "b" / "data.bin"
    atomic_write_bytes(target, b"payload")
    assert target.read_bytes() == b"payload"
    # mkstemp creates 0600; other users (a Dagster webserver, a reader) must be able to read outputs.
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert _temporaries(target.parent) == []


def test_atomic_write_failure_keeps_old_content_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "data.txt"
    atomic_write_text(target, "old")

    def half_then_fail(fh):
        fh.write(b"new and partial")
        raise RuntimeError("writer died")

    with pytest.raises(RuntimeError, match="writer died"):
        atomic_write(target, half_then_fail)
    assert target.read_text() == "old"
    assert _temporaries(tmp_path) == []


def test_atomic_write_failure_without_previous_file_leaves_nothing(tmp_path):
    target = tmp_path / "never.txt"
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, lambda fh: (_ for _ in ()).throw(KeyboardInterrupt()))
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_json_round_trips_and_sorts_keys(tmp_path):
    target = tmp_path / "x.json"
    atomic_write_json(target, {"b": 1, "a": [1, 2]})
    text = target.read_text()
    assert json.loads(text) == {"a": [1, 2], "b": 1}
    assert text.index('"a"') < text.index('"b"') and text.endswith("\n")


def test_atomic_dir_creates_a_new_folder(tmp_path):
    final = tmp_path / "model"
    with atomic_dir(final) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".model" + TMP_MARKER)
        (tmp / "weights.bin").write_bytes(b"w")
        assert not final.exists()  # nothing visible until the block ends
    assert (final / "weights.bin").read_bytes() == b"w"
    assert _temporaries(tmp_path) == []


def test_atomic_dir_replaces_an_existing_folder_whole(tmp_path):
    final = tmp_path / "model"
    final.mkdir()
    (final / "old_only.bin").write_bytes(b"old")
    (final / "shared.bin").write_bytes(b"old")
    with atomic_dir(final) as tmp:
        (tmp / "shared.bin").write_bytes(b"new")
        (tmp / "sub").mkdir()
        (tmp / "sub" / "x").write_text("y")
        assert (final / "old_only.bin").exists()  # the old version stays readable while the new one is built
    assert sorted(p.name for p in final.iterdir()) == ["shared.bin", "sub"]
    assert (final / "shared.bin").read_bytes() == b"new"
    assert (final / "sub" / "x").read_text() == "y"
    assert _temporaries(tmp_path) == []  # the moved-aside old version is gone too


def test_atomic_dir_failure_keeps_the_old_folder_and_removes_the_temporary(tmp_path):
    final = tmp_path / "model"
    final.mkdir()
    (final / "weights.bin").write_bytes(b"old")
    with pytest.raises(ValueError, match="save failed"), atomic_dir(final) as tmp:
        (tmp / "weights.bin").write_bytes(b"half")
        raise ValueError("save failed")
    assert (final / "weights.bin").read_bytes() == b"old"
    assert _temporaries(tmp_path) == []


def test_atomic_dir_survives_a_stale_leftover_of_a_process_with_the_same_pid(tmp_path):
    # In a container the runner often gets the same pid every time; a crashed run's moved-aside folder must not
    # make the next save fail (kale build-tiny-models saves without a sweep first).
    final = tmp_path / "model"
    final.mkdir()
    (final / "weights.bin").write_bytes(b"old")
    stale = tmp_path / f".model.old{TMP_MARKER}{os.getpid()}"
    stale.mkdir()
    (stale / "weights.bin").write_bytes(b"older")
    with atomic_dir(final) as tmp:
        (tmp / "weights.bin").write_bytes(b"new")
    assert (final / "weights.bin").read_bytes() == b"new"


def test_a_crash_between_the_two_renames_of_atomic_dir_is_undone_by_the_sweep(tmp_path, monkeypatch):
    final = tmp_path / "model"
    final.mkdir()
    (final / "weights.bin").write_bytes(b"old")
    real_replace, calls = os.replace, []

    def die_on_second_rename(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:  # the old version is aside, the new one not yet in place: the process dies here
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(io_utils.os, "replace", die_on_second_rename)
    with pytest.raises(KeyboardInterrupt), atomic_dir(final) as tmp:
        (tmp / "weights.bin").write_bytes(b"new")
    monkeypatch.undo()
    assert not final.exists() and len(_temporaries(tmp_path)) == 2

    sweep_temporaries(tmp_path)

    # The folder is back as it was before the interrupted save (the save itself is redone by the re-run).
    assert (final / "weights.bin").read_bytes() == b"old"
    assert _temporaries(tmp_path) == []


def test_sweep_temporaries_removes_only_atomic_leftovers(tmp_path):
    (tmp_path / "keep.parquet").write_bytes(b"k")
    (tmp_path / ".hidden").write_text("a dotfile that is not a temporary")
    (tmp_path / "x.tmp-123").write_text("no leading dot: not ours")
    (tmp_path / ".keep.parquet.tmp-abc").write_bytes(b"partial")
    nested = tmp_path / "asset" / "deep"
    nested.mkdir(parents=True)
    (nested / ".00000001.parquet.tmp-zz").write_bytes(b"partial")
    leftover_dir = tmp_path / "models" / ".v1.tmp-q1"
    (leftover_dir / "inner").mkdir(parents=True)
    (leftover_dir / "inner" / ".nested.tmp-x").write_bytes(b"")  # inside a swept folder: removed with it
    (tmp_path / "models" / "v0").mkdir()
    (tmp_path / "models" / f".v0{OLD_MARKER}ab12").mkdir()  # moved aside, and the new v0 is in place: stale
    lone_old = tmp_path / "models" / f".v9{OLD_MARKER}cd34"  # moved aside, no new v9 yet: the only copy
    lone_old.mkdir()
    (lone_old / "weights").write_bytes(b"w")

    removed = sweep_temporaries(tmp_path)

    assert sorted(p.relative_to(tmp_path).as_posix() for p in removed) == [
        ".keep.parquet.tmp-abc", "asset/deep/.00000001.parquet.tmp-zz", "models/.v0.tmp-old-ab12",
        "models/.v1.tmp-q1",
    ]
    remaining = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert remaining == [".hidden", "asset", "asset/deep", "keep.parquet", "models", "models/v0", "models/v9",
                         "models/v9/weights", "x.tmp-123"]


def test_sweep_temporaries_on_missing_root(tmp_path):
    assert sweep_temporaries(tmp_path / "nope") == []


def test_sha256_file_matches_bytes(tmp_path):
    data = os.urandom(3 << 20)  # over the 1 MiB block size, so several blocks are hashed
    path = tmp_path / "blob"
    path.write_bytes(data)
    assert sha256_file(path) == sha256_bytes(data)
