"""Publishing the student to an object-store work folder and fetching it back (fsspec's in-memory store stands in
for S3 here; test_s3_workdir.py does the same through a real S3 API)."""

from __future__ import annotations

import json
import uuid

import pytest

from kale_assets.config import work_path
from kale_assets.layout import WorkLayout
from kale_assets.student_store import (
    current_student,
    current_student_ref,
    fetch_student,
    publish_student,
    student_lineage,
)


@pytest.fixture()
def trained(tmp_path):
    """A remote layout whose training machine holds student v1 (files of a checkpoint, and its lineage)."""
    layout = WorkLayout(work_path(f"memory://kale-{uuid.uuid4().hex}/work"), tmp_path / "trainer")
    folder = layout.student_dir / "v1"
    (folder / "tokenizer").mkdir(parents=True)
    (folder / "config.json").write_text('{"model_type": "idefics3"}')
    (folder / "model.safetensors").write_bytes(b"\x00" * 64)
    (folder / "tokenizer" / "tokenizer.json").write_text("{}")
    (layout.student_dir / "v1.lineage.json").write_text(json.dumps({"version": "v1", "teacher_model_id": "t"}))
    return layout


def test_a_published_student_is_fetched_whole_on_another_machine(trained, tmp_path):
    assert current_student_ref(trained) is None  # nothing published yet
    manifest = publish_student(trained, "v1")
    assert set(manifest["files"]) == {"config.json", "model.safetensors", "tokenizer/tokenizer.json"}
    other = WorkLayout(trained.root, tmp_path / "other")
    assert current_student_ref(other).name == "v1"
    fetched = current_student(other)
    assert fetched == other.student_dir / "v1"
    assert (fetched / "model.safetensors").read_bytes() == b"\x00" * 64
    assert (fetched / "tokenizer" / "tokenizer.json").read_text() == "{}"
    assert student_lineage(other, "v1")["teacher_model_id"] == "t"
    assert current_student(other) == fetched  # already here and verified: no second download


def test_a_tampered_or_half_published_student_is_refused(trained, tmp_path):
    publish_student(trained, "v1")
    (trained.root / "models" / "student" / "v1" / "model.safetensors").write_bytes(b"\x01" * 64)
    with pytest.raises(OSError, match="does not match its publish manifest"):
        fetch_student(WorkLayout(trained.root, tmp_path / "a"), "v1")
    assert not (tmp_path / "a" / "models" / "student" / "v1").exists()  # nothing half-written was kept
    (trained.root / "models" / "student" / "v1" / "_FOLDER.json").unlink()
    with pytest.raises(FileNotFoundError, match="not published completely"):
        fetch_student(WorkLayout(trained.root, tmp_path / "b"), "v1")


def test_a_local_work_folder_is_its_own_student_store(tmp_path):
    layout = WorkLayout(tmp_path / "work")
    assert publish_student(layout, "v1") is None
    assert current_student(layout) is None
