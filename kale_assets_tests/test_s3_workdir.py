"""`kale run` with both the shard source and the work folder on S3 (a moto server on 127.0.0.1), end to end.

The endpoint and the credentials come from the environment only (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...), as
on a real fleet; the test then looks for the credential strings in every object of the work folder, every file
of the local state folder (Dagster's SQLite event log included) and the command's output.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from kale_assets.demo_data import write_demo_shards
from kale_assets_tests.s3_server import moto_s3

KEY_ID = "AKIAKALETESTKEY7Q3Z"
SECRET = "kale-test-secret-4b1f9e0c7d2a"


@pytest.fixture()
def s3_env(tmp_path):
    import boto3

    with moto_s3() as endpoint:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AWS_") and k not in ("DAGSTER_HOME", "KALE_WORKDIR")}
        env.update(AWS_ACCESS_KEY_ID=KEY_ID, AWS_SECRET_ACCESS_KEY=SECRET, AWS_DEFAULT_REGION="us-east-1",
                   AWS_ENDPOINT_URL=endpoint, XDG_CACHE_HOME=str(tmp_path / "cache"))
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                              aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)
        yield env, client


def _kale(*args, env):
    return subprocess.run([sys.executable, "-m", "kale_assets.cli", *args], capture_output=True, text=True,
                          env=env, timeout=900)


def _objects(client, bucket: str, prefix: str) -> dict[str, bytes]:
    keys = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for o in page.get("Contents", [])]
    return {k: client.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}


def test_kale_run_with_source_and_workdir_on_s3(tmp_path, s3_env, tiny_models_dir, monkeypatch):
    env, client = s3_env
    local = tmp_path / "shards"
    write_demo_shards(local, n_shards=2, samples_per_shard=6, seed=4, hostile=False)
    client.create_bucket(Bucket="datacomp")
    client.create_bucket(Bucket="kale-work")
    for path in sorted(local.iterdir()):
        client.upload_file(str(path), "datacomp", f"pool/{path.name}")

    proc = _kale("run", "--source", "s3://datacomp/pool", "--workdir", "s3://kale-work/runs/a", "--preset", "tiny",
                 "--models-dir", tiny_models_dir, "--student-recipe", "finetune_vlm", "--stage1-fraction", "0.5",
                 env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    objects = _objects(client, "kale-work", "runs/a/")
    names = {k.removeprefix("runs/a/") for k in objects}
    summary = json.loads(objects["runs/a/summary.json"])
    assert summary["all_succeeded"] and summary["workdir"] == "s3://kale-work/runs/a"
    # every asset's tables and commits are on the store; nothing of the local state is
    for asset in ("datacomp_shards", "stage1_captions", "fused_captions", "stage2_captions", "kale_shards"):
        assert any(n.startswith(f"{asset}/") for n in names), asset
        assert any(n.startswith(f"_commits/{asset}/") for n in names), asset
    assert {"kale.yaml", "kale_dataset_card/README.md", "kale_dataset_card/card.json"} <= names
    assert not any(n.startswith(("dagster_home/", "_staging/", "_progress/", "_index/")) for n in names)
    for shard, entry in summary["shards"].items():
        assert entry["complete"] and entry["input"] == 6 == entry["kept"] + entry["rejected"], shard
        manifest = json.loads(objects[f"runs/a/_commits/kale_shards/{shard}.json"])
        final = pl.read_parquet(io.BytesIO(objects[f"runs/a/kale_shards/{shard}.parquet"]))
        assert final.height == manifest["tables"]["output"]["rows"] == entry["kept"]
    card = json.loads(objects["runs/a/kale_dataset_card/card.json"])
    assert card["samples"] == sum(e["kept"] for e in summary["shards"].values())

    # the student is published with its manifest and pointer; another machine (a fresh state folder) fetches
    # exactly those files
    version = json.loads(objects["runs/a/models/student/CURRENT"])["version"]
    published = json.loads(objects[f"runs/a/models/student/{version}/_FOLDER.json"])
    assert "config.json" in published["files"] and f"{version}.lineage.json" in {n.rsplit("/", 1)[-1] for n in names}
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL"):
        monkeypatch.setenv(name, env[name])
    from kale_assets.config import work_path
    from kale_assets.layout import WorkLayout
    from kale_assets.student_store import current_student

    other_machine = WorkLayout(work_path("s3://kale-work/runs/a"), tmp_path / "other-machine")
    fetched = current_student(other_machine)
    assert fetched == other_machine.student_dir / version
    assert {p.relative_to(fetched).as_posix() for p in fetched.rglob("*") if p.is_file()} == \
        set(published["files"]) | {"_FOLDER.json"}

    # the local state went to the default state folder under XDG_CACHE_HOME
    state = Path(env["XDG_CACHE_HOME"]) / "kale" / "state" / "s3" / "kale-work" / "runs" / "a"
    assert (state / "dagster_home" / "dagster.yaml").is_file() and (state / "_index" / "uids.sqlite").is_file()

    # no credential anywhere: store, state folder (event log, run storage, compute logs), output
    for secret in (KEY_ID, SECRET):
        for key, data in objects.items():
            assert secret.encode() not in data, key
        for path in state.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path
        assert secret not in proc.stdout + proc.stderr


def test_s3_workdir_with_a_missing_bucket_is_one_line(s3_env):
    env, _ = s3_env
    proc = _kale("run", "--source", "s3://nowhere/pool", "--workdir", "s3://no-such-bucket/x", env=env)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) <= 2 and "no-such-bucket" in proc.stderr and "Traceback" not in proc.stderr


_COMMIT_SCRIPT = """
import sys
import polars as pl
from kale_assets.commit import commit_tables
from kale_assets.config import work_path
from kale_assets.layout import WorkLayout

url, endpoint, scratch, value = sys.argv[1:5]
layout = WorkLayout(work_path(url, {"client_kwargs": {"endpoint_url": endpoint}}), work_path(scratch))
commit_tables(layout, "stage1_captions", "00000007", pl.DataFrame({"uid": ["a", "b"], "caption": [value, value]}),
              pl.DataFrame({"uid": ["c"], "reason": [value]}))
"""


def test_a_commit_killed_between_puts_on_s3_reads_as_not_committed(tmp_path, s3_env, monkeypatch):
    """No rename on S3: a process SIGKILLed after the first table's PUT leaves no manifest, so readers refuse the
    partition (never a mix of old and new tables), and the next commit makes it whole."""
    from kale_assets.commit import UncommittedInputError, is_committed, load_manifest, read_committed
    from kale_assets.config import work_path
    from kale_assets.layout import WorkLayout

    env, client = s3_env
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
        monkeypatch.setenv(name, env[name])
    client.create_bucket(Bucket="work")
    url, endpoint, scratch = "s3://work/w", env["AWS_ENDPOINT_URL"], str(tmp_path / "state")

    def commit(value, failpoint=None):
        extra = {"KALE_FAILPOINT": failpoint} if failpoint else {}
        return subprocess.run([sys.executable, "-c", _COMMIT_SCRIPT, url, endpoint, scratch, value],
                              env={**env, **extra}, capture_output=True, text=True, timeout=120)

    assert commit("old").returncode == 0
    layout = WorkLayout(work_path(url, {"client_kwargs": {"endpoint_url": endpoint}}), Path(scratch))
    assert read_committed(layout, "stage1_captions", "00000007")["caption"].to_list() == ["old", "old"]

    killed = commit("new", failpoint="commit:after_file@1")
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert load_manifest(layout, "stage1_captions", "00000007") is None
    assert not is_committed(layout, "stage1_captions", "00000007")
    with pytest.raises(UncommittedInputError, match="not committed"):
        read_committed(layout, "stage1_captions", "00000007")

    assert commit("new").returncode == 0
    assert read_committed(layout, "stage1_captions", "00000007")["caption"].to_list() == ["new", "new"]
    assert read_committed(layout, "stage1_captions", "00000007", "rejected")["reason"].to_list() == ["new"]
