"""Partitions commit as one unit, and readers only trust what was committed.

A partition of an asset is a set of tables (its output rows and its rejected rows). Writing it goes:

1. `stage`: every table is written to a fresh staging folder (always on local disk: `WorkLayout.scratch`),
   fsynced; nothing a reader looks at changes.
2. The caller validates the staged frames (the blocking checks).
3. `StagedPartition.commit`: the old commit manifest is removed, the staged files are renamed to their final
   paths, and a new manifest (row counts, sha256 of each file, code / model / rules versions) is written last,
   atomically. The manifest *is* the commit: until it exists the partition reads as not committed, and a
   file whose bytes no longer match the manifest reads as damaged. So output and rejected rows become visible
   together, a crash at any point leaves either the old, the new or no commit — never a mix — and the
   re-run recomputes the partition. On an object store (no rename) each staged file is PUT to its final key
   instead (a PUT replaces an object whole), between the same two steps: manifest removed first, written last.
   `StagedPartition.reject` is the other ending: the old commit is withdrawn (downstream must not read a
   partition whose latest checks failed) and the staged files move to ``_quarantine/`` for inspection.

`read_committed` verifies the hash of what it reads and names the file and the asset to materialize when it
cannot. The manifest paths are relative to the work folder, so a copied or moved work folder still verifies.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from kale_assets.faults import failpoint
from kale_assets.io_utils import (
    atomic_write,
    atomic_write_json,
    fsync_dir,
    sha256_bytes,
)
from kale_assets.layout import WorkLayout

MANIFEST_FORMAT = 1
TABLES = ("output", "rejected")


class UncommittedInputError(FileNotFoundError):
    """An upstream partition was never committed, was withdrawn, or is damaged: recompute it."""


def code_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kale-assets")
    except PackageNotFoundError:
        return "unknown"


def table_path(layout: WorkLayout, asset: str, shard_id: str, table: str) -> Path:
    if table == "output":
        return layout.shard_output(asset, shard_id)
    if table == "rejected":
        return layout.shard_rejected(asset, shard_id)
    raise ValueError(f"unknown table {table!r}; one of {TABLES}")


@dataclass
class StagedPartition:
    layout: WorkLayout
    asset: str
    shard_id: str
    folder: Path
    files: dict[str, dict] = field(default_factory=dict)  # table -> {"staged", "sha256", "rows", "bytes"}

    def commit(self, versions: dict, extra: dict | None = None) -> dict:
        """Make the staged tables the partition's committed content; return the manifest written."""
        manifest_path = self.layout.commit_manifest(self.asset, self.shard_id)
        if manifest_path.exists():
            manifest_path.unlink()
            fsync_dir(manifest_path.parent)
        entries = {}
        for table, info in self.files.items():
            final = table_path(self.layout, self.asset, self.shard_id, table)
            if self.layout.is_remote:
                # No rename on an object store: one PUT replaces the object whole; the manifest below, written
                # last and checked by sha256, is still what makes the partition visible.
                final.write_bytes(Path(info["staged"]).read_bytes())
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(info["staged"], final)
                fsync_dir(final.parent)
            failpoint("commit:after_file")
            entries[table] = {"path": self.layout.relative(final), "sha256": info["sha256"], "rows": info["rows"],
                              "bytes": info["bytes"]}
        manifest = {"format": MANIFEST_FORMAT, "asset": self.asset, "shard": self.shard_id, "tables": entries,
                    "code_version": code_version(), "versions": versions, **(extra or {})}
        atomic_write_json(manifest_path, manifest)
        shutil.rmtree(self.folder, ignore_errors=True)
        return manifest

    def reject(self) -> Path:
        """Withdraw any earlier commit and keep the staged files in quarantine; return the quarantine folder."""
        withdraw(self.layout, self.asset, self.shard_id)
        target = self.layout.quarantine_dir(self.asset, self.shard_id)
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.folder, target)
        fsync_dir(target.parent)
        return target

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def stage(layout: WorkLayout, asset: str, shard_id: str, tables: dict[str, pl.DataFrame]) -> StagedPartition:
    """Write ``tables`` (keys from TABLES) to a new staging folder, fsynced, with their hashes."""
    root = layout.staging_root(asset)
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{shard_id}-", dir=root))
    staged = StagedPartition(layout, asset, shard_id, folder)
    for table, frame in tables.items():
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}; one of {TABLES}")
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        data = buffer.getvalue()
        path = folder / f"{table}.parquet"
        atomic_write(path, lambda fh, data=data: fh.write(data))
        staged.files[table] = {"staged": path, "sha256": sha256_bytes(data), "rows": frame.height,
                               "bytes": len(data)}
    return staged


def commit_tables(layout: WorkLayout, asset: str, shard_id: str, output: pl.DataFrame,
                  rejected: pl.DataFrame | None = None, versions: dict | None = None) -> dict:
    """Stage and commit in one go, for tables that need no validation step (tools, tests)."""
    tables = {"output": output} if rejected is None else {"output": output, "rejected": rejected}
    return stage(layout, asset, shard_id, tables).commit(versions or {})


def withdraw(layout: WorkLayout, asset: str, shard_id: str) -> bool:
    """Remove a partition's commit, then its data files, so neither a verified reader nor a plain folder reader
    (``datasets.load_dataset("<workdir>/kale_shards")``) takes it. The manifest goes first: a crash in between
    leaves files that no verified reader trusts, and the next commit of the partition replaces them."""
    path = layout.commit_manifest(asset, shard_id)
    existed = path.exists()
    if existed:
        path.unlink()
        fsync_dir(path.parent)
    for table in TABLES:
        data = table_path(layout, asset, shard_id, table)
        if data.exists():
            data.unlink()
            fsync_dir(data.parent)
    return existed


def load_manifest(layout: WorkLayout, asset: str, shard_id: str) -> dict | None:
    path = layout.commit_manifest(asset, shard_id)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except ValueError as err:
        raise UncommittedInputError(
            f"{path} is not valid JSON ({err}): materialize {asset} for partition {shard_id} again"
        ) from err


def is_committed(layout: WorkLayout, asset: str, shard_id: str) -> bool:
    """A commit manifest exists and every file it names is present with its recorded size (cheap, no hashing)."""
    try:
        manifest = load_manifest(layout, asset, shard_id)
    except UncommittedInputError:
        return False
    if manifest is None:
        return False
    for entry in manifest["tables"].values():
        path = layout.root / entry["path"]
        if not path.exists() or path.stat().st_size != entry["bytes"]:
            return False
    return True


def shards_with_commits(layout: WorkLayout, asset: str) -> list[str]:
    """The shards that have a commit manifest for ``asset`` (not verified: `is_committed` checks the files)."""
    folder = layout.commit_manifest(asset, "x").parent
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def committed_partitions(layout: WorkLayout, asset: str, shard_ids) -> set[str]:
    """The shards among ``shard_ids`` whose ``asset`` partition is committed (`is_committed`)."""
    return {s for s in shard_ids if is_committed(layout, asset, s)}


def read_committed(layout: WorkLayout, asset: str, shard_id: str, table: str = "output",
                   columns: list[str] | None = None) -> pl.DataFrame:
    """Read one table of a committed partition after verifying its sha256 against the commit manifest."""
    manifest = load_manifest(layout, asset, shard_id)
    fix = f"materialize {asset} for partition {shard_id}"
    if manifest is None:
        raise UncommittedInputError(
            f"{asset} partition {shard_id} is not committed (no {layout.commit_manifest(asset, shard_id)}; it never "
            f"finished or its blocking checks failed): {fix}")
    entry = manifest["tables"].get(table)
    if entry is None:
        raise UncommittedInputError(f"{asset} partition {shard_id} has no {table} table in its commit: {fix}")
    path = layout.root / entry["path"]
    try:
        data = path.read_bytes()
    except FileNotFoundError as err:
        raise UncommittedInputError(f"{path} is missing although committed: {fix} again") from err
    if sha256_bytes(data) != entry["sha256"]:
        raise UncommittedInputError(
            f"{path} does not match its commit (sha256 differs: edited or damaged since): {fix} again")
    try:
        return pl.read_parquet(io.BytesIO(data), columns=columns)
    except (OSError, pl.exceptions.PolarsError) as err:
        raise UncommittedInputError(f"{path} is unreadable ({err}): {fix} again") from err


def committed_digest(layout: WorkLayout, asset: str, shard_id: str) -> str | None:
    """A short identity of a partition's committed content (for provenance of what a step read)."""
    manifest = load_manifest(layout, asset, shard_id)
    if manifest is None:
        return None
    return sha256_bytes(json.dumps(manifest["tables"], sort_keys=True).encode())[:16]
