"""Where the distilled student lives, for a local or an object-store work folder.

Training writes the checkpoint to the local ``WorkLayout.student_dir`` (transformers and vLLM load from a path).
With a local work folder that is all. With an ``s3://`` work folder the student is also **published** to
``<workdir>/models/student/<version>/``: every file is PUT, then ``_FOLDER.json`` (names, sizes, sha256) is PUT
last, then the ``CURRENT`` pointer. A reader on any machine (a stage-2 pod, the card) reads ``CURRENT`` from the
store and **fetches** that version into its own local student folder, verifying every file against the
manifest; a folder without its manifest (a publish that died half-way) is never used.
"""

from __future__ import annotations

import json
from pathlib import Path

from kale_assets.distillation import latest_student
from kale_assets.io_utils import (
    atomic_dir,
    atomic_write_bytes,
    atomic_write_json,
    sha256_bytes,
)
from kale_assets.layout import WorkLayout

FOLDER_MANIFEST = "_FOLDER.json"
LINEAGE_FILE = "lineage.json"  # <version>.lineage.json beside the student's folder: what it was trained from


def published_student_dir(layout: WorkLayout) -> Path:
    return layout.root / "models" / "student"


def publish_student(layout: WorkLayout, version: str) -> dict | None:
    """Copy the local student ``version`` (and its lineage, then ``CURRENT``) to an object-store work folder;
    None for a local work folder, where the local folder is the student."""
    if not layout.is_remote:
        return None
    local = layout.student_dir / version
    remote = published_student_dir(layout) / version
    files = {}
    for path in sorted(p for p in local.rglob("*") if p.is_file()):
        name = path.relative_to(local).as_posix()
        data = path.read_bytes()
        atomic_write_bytes(remote / name, data)
        files[name] = {"bytes": len(data), "sha256": sha256_bytes(data)}
    manifest = {"version": version, "files": files}
    atomic_write_json(remote / FOLDER_MANIFEST, manifest)
    lineage = layout.student_dir / f"{version}.{LINEAGE_FILE}"
    if lineage.exists():
        atomic_write_bytes(published_student_dir(layout) / lineage.name, lineage.read_bytes())
    atomic_write_json(published_student_dir(layout) / "CURRENT", {"version": version, "path": version})
    return manifest


def current_version(layout: WorkLayout) -> str | None:
    """The version ``CURRENT`` names (on the store for a remote work folder), or None before any student."""
    student = current_student_ref(layout)
    return None if student is None else student.name


def current_student_ref(layout: WorkLayout) -> Path | None:
    """The current student's folder without fetching it: the local folder, or its published folder on the store
    (what sensors compare to notice a new student)."""
    if not layout.is_remote:
        return latest_student(layout.student_dir)
    pointer = published_student_dir(layout) / "CURRENT"
    if not pointer.exists():
        return None
    return published_student_dir(layout) / str(json.loads(pointer.read_text())["version"])


def current_student(layout: WorkLayout) -> Path | None:
    """The local checkpoint folder of the current student, fetched from the store first when needed."""
    if not layout.is_remote:
        return latest_student(layout.student_dir)
    version = current_version(layout)
    if version is None:
        return None
    return fetch_student(layout, version)


def fetch_student(layout: WorkLayout, version: str) -> Path:
    """The local copy of published student ``version``, downloaded and verified unless already here."""
    remote = published_student_dir(layout) / version
    marker = remote / FOLDER_MANIFEST
    if not marker.exists():
        raise FileNotFoundError(f"student {version} is not published completely ({marker} missing): "
                                "materialize distilled_captioner again")
    manifest = json.loads(marker.read_text())
    local = layout.student_dir / version
    if _matches(local, manifest):
        return local
    with atomic_dir(local) as tmp:
        for name, entry in manifest["files"].items():
            data = (remote / name).read_bytes()
            if sha256_bytes(data) != entry["sha256"]:
                raise OSError(f"{remote / name} does not match its publish manifest (sha256 differs): "
                              "materialize distilled_captioner again")
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (tmp / FOLDER_MANIFEST).write_text(json.dumps(manifest, sort_keys=True))
    return local


def _matches(local: Path, manifest: dict) -> bool:
    """Whether ``local`` already holds this published version: every file was verified against the manifest when
    it was fetched (inside `atomic_dir`, so the folder exists only whole), and the manifest copy is written last.
    Hashing a multi-GB checkpoint again on every read would put that I/O on every stage-2 step."""
    mine = local / FOLDER_MANIFEST
    if not mine.exists() or json.loads(mine.read_text()) != manifest:
        return False
    return all((local / n).is_file() and (local / n).stat().st_size == e["bytes"] for n, e in manifest["files"].items())


def student_lineage(layout: WorkLayout, version: str) -> dict:
    """The lineage record of student ``version`` (what it was trained from)."""
    folder = published_student_dir(layout) if layout.is_remote else layout.student_dir
    path = folder / f"{version}.{LINEAGE_FILE}"
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: re-materialize distilled_captioner")
    return json.loads(path.read_text())
