"""The one atomic writer: files and folders appear whole or not at all, and survive a power cut once written.

Every write goes to a temporary sibling (prefix ``.<name>.tmp-``), is flushed and fsynced, renamed over the
target, and then the parent folder is fsynced so the rename itself is durable. A crash leaves at most a
temporary sibling behind; `sweep_temporaries` removes those when a run starts.

On an object store (a work folder at ``s3://...``, a `upath.UPath`) there is no rename, and none is needed: one
PUT of the whole object replaces the old one atomically (S3 never shows a half-written object), so the writer
buffers the bytes and makes a single PUT.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from kale_assets.faults import failpoint

TMP_MARKER = ".tmp-"
# Marks the previous version of a folder that `atomic_dir` moved aside (no mkdtemp suffix contains a "-").
OLD_MARKER = f"{TMP_MARKER}old-"


def is_remote(path) -> bool:
    """Whether ``path`` lives on an fsspec store other than the local disk (a remote `upath.UPath`)."""
    return getattr(path, "protocol", "") not in ("", "file", "local")


def fsync_dir(path: str | Path) -> None:
    """Make renames and deletions inside ``path`` durable (a no-op where folders cannot be opened)."""
    if is_remote(path):
        return  # an object store's PUT and DELETE are durable when they return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: str | Path, write: Callable) -> None:
    """Call ``write(fh)`` on a temporary sibling of ``path``, fsync it, rename it over ``path``, fsync the folder
    (on an object store: one PUT of the buffered bytes)."""
    if is_remote(path):
        buffer = io.BytesIO()
        write(buffer)
        path.write_bytes(buffer.getvalue())
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{TMP_MARKER}", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    atomic_write(path, lambda fh: fh.write(data))


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | Path, obj) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n")


def _fsync_tree(root: Path) -> None:
    for folder, _, files in os.walk(root):
        for name in files:
            with open(os.path.join(folder, name), "rb") as fh:
                os.fsync(fh.fileno())
        fsync_dir(folder)


@contextlib.contextmanager
def atomic_dir(final: str | Path) -> Iterator[Path]:
    """Yield a temporary sibling folder; on success it replaces ``final`` in one rename.

    A previous version of ``final`` is moved aside first and removed only after the new one is in place.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}{TMP_MARKER}", dir=final.parent))
    try:
        yield tmp
        _fsync_tree(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    failpoint("atomic_dir:before_rename")
    old = None
    if final.exists():
        # A unique name: a fixed one (e.g. by pid) collides with a crashed run's leftover when pids repeat.
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}{OLD_MARKER}", dir=final.parent))
        old.rmdir()
        os.replace(final, old)
    os.replace(tmp, final)
    fsync_dir(final.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def sweep_temporaries(root: str | Path) -> list[Path]:
    """Remove what crashed atomic writes left under ``root`` (``.<name>.tmp-*`` files and folders); a folder
    that `atomic_dir` moved aside is put back instead when the crash came before the new one took its place.

    Only call this while no other writer works in ``root`` (the run lock guarantees it).
    """
    removed: list[Path] = []
    root = Path(root)
    if not root.exists():
        return removed
    for folder, dirs, files in os.walk(root):
        for name in list(dirs) + files:
            if name.startswith(".") and TMP_MARKER in name:
                target = Path(folder) / name
                original = Path(folder) / name[1:name.find(OLD_MARKER)] if OLD_MARKER in name else None
                if original is not None and target.is_dir() and not original.exists():
                    os.replace(target, original)  # the old version is all there is: keep it
                    dirs.remove(name)
                    continue
                if target.is_dir():
                    shutil.rmtree(target, ignore_errors=True)
                    dirs.remove(name)
                else:
                    with contextlib.suppress(FileNotFoundError):
                        target.unlink()
                removed.append(target)
    return removed


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
