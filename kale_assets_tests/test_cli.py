"""The `kale` command as a user runs it: a subprocess, real files, a real local S3 (moto) server."""

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from kale_assets.demo_data import write_demo_shards
from kale_assets_tests.s3_server import moto_s3


def _kale(*args, env=None, timeout=600):
    return subprocess.run([sys.executable, "-m", "kale_assets.cli", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


def test_filter_captions_command(tmp_path):
    src = tmp_path / "captions.jsonl"
    rows = [
        {"uid": "a" * 32, "caption": "A red bicycle leans on a brick wall. Here is the revised caption that "
                                     "combines the alt-text with the description."},
        {"uid": "b" * 32, "caption": "A watercolor painting of a harbor at dusk with small boats and warm light."},
        {"uid": "c" * 32, "caption": "the the the the the the the the the the"},
    ]
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "filtered.parquet"
    proc = _kale("filter-captions", str(src), str(out))
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["rows"] == 3 and summary["kept"] == 2
    table = pl.read_parquet(out).sort("uid")
    assert table.height == 3  # dropped captions stay, with their reason
    first = table.row(0, named=True)
    assert first["caption"] == "A red bicycle leans on a brick wall."
    assert [r["text"] for r in first["removed_sentences"]] and first["removed_sentences"][0]["rule"]
    assert table.row(1, named=True)["caption"].startswith("A watercolor painting")
    assert table.row(2, named=True)["caption"] is None and table.row(2, named=True)["drop_reason"]


def test_filter_captions_rejects_a_file_without_caption_column(tmp_path):
    src = tmp_path / "bad.parquet"
    pl.DataFrame({"uid": ["x"], "text": ["hello"]}).write_parquet(src)
    proc = _kale("filter-captions", str(src), str(tmp_path / "out.parquet"))
    assert proc.returncode != 0 and "caption" in proc.stderr


@pytest.fixture()
def moto_endpoint():
    with moto_s3() as endpoint:
        yield endpoint


def test_kale_run_over_s3_source(tmp_path, moto_endpoint, tiny_models_dir):
    import boto3

    local = tmp_path / "shards"
    write_demo_shards(local, n_shards=2, samples_per_shard=6, seed=4, hostile=False)
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    s3.create_bucket(Bucket="datacomp")
    for path in sorted(local.iterdir()):
        s3.upload_file(str(path), "datacomp", f"pool/{path.name}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in ("DAGSTER_HOME", "KALE_WORKDIR")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    workdir = tmp_path / "work"
    options = json.dumps({"client_kwargs": {"endpoint_url": moto_endpoint}})
    proc = _kale("run", "--source", "s3://datacomp/pool", "--workdir", str(workdir), "--preset", "tiny",
                 "--models-dir", tiny_models_dir, "--student-recipe", "finetune_vlm",
                 "--stage1-fraction", "0.5", "--storage-options", options, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = json.loads((workdir / "summary.json").read_text())
    assert summary["all_succeeded"] and summary["source"] == "s3://datacomp/pool"
    assert [s["pool"] for s in summary["shards"].values()] == ["stage1", "stage2"]
    for entry in summary["shards"].values():
        assert entry["input"] == 6 == entry["kept"] + entry["rejected"]
    assert summary["dataset_card"]["samples"] == sum(s["kept"] for s in summary["shards"].values())
    # the student came from the fine-tune route: an Idefics3 checkpoint, not a composed LLaVA
    student = pl.read_parquet(summary["shards"]["00000001"]["outputs"]["final"])["caption_model_id"][0]
    assert json.loads((Path(student) / "config.json").read_text())["model_type"] == "idefics3"
