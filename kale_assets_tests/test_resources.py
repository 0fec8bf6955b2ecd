"""defs/resources.py: S3 settings come from dagster-aws's S3Resource at run time, credentials only from the
environment, and an s3:// shard source is read through them (a moto S3 server on 127.0.0.1)."""

from __future__ import annotations

import os

import pytest
import yaml
from dagster import materialize

from kale_assets.config import PipelineConfig
from kale_assets.defs.resources import (
    KaleResource,
    credential_keys,
    merge_storage_options,
    s3fs_storage_options,
)
from kale_assets.demo_data import write_demo_shards
from kale_assets_tests.s3_server import moto_s3


@pytest.fixture()
def moto_endpoint(monkeypatch):
    
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with moto_s3() as endpoint:
        yield endpoint


@pytest.fixture()
def s3_work(tmp_path, moto_endpoint):
    """A bucket with two demo shards and a work folder whose kale.yaml names only the s3:// source."""
    import boto3

    local = tmp_path / "shards"
    write_demo_shards(local, n_shards=2, samples_per_shard=3, seed=1, hostile=False)
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket="datacomp")
    for path in sorted(local.iterdir()):
        s3.upload_file(str(path), "datacomp", f"pool/{path.name}")
    config = PipelineConfig(workdir=str(tmp_path / "work"), source="s3://datacomp/pool")
    config.root.mkdir()
    config.save()
    return config


def test_s3_source_read_through_the_s3_resource_settings(s3_work, moto_endpoint, monkeypatch):
    # The endpoint reaches boto3 the way a deployment sets it: the environment, read when the step runs.
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_endpoint)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    kale = KaleResource(workdir=str(s3_work.root))
    options = kale.config().storage_options
    assert options == {"client_kwargs": {"endpoint_url": moto_endpoint, "region_name": "eu-west-1"}}
    ref = kale.shard_ref("00000001")
    assert ref.tar_url == "s3://datacomp/pool/00000001.tar" and ref.parquet_url.endswith("00000001.parquet")
    # Nothing of it went to the work folder's settings.
    assert yaml.safe_load((s3_work.root / "kale.yaml").read_text())["storage_options"] == {}


def test_explicit_s3_resource_config_wins_over_the_environment(moto_endpoint, monkeypatch):
    from dagster_aws.s3 import S3Resource

    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")  # nothing listens there
    options = s3fs_storage_options(S3Resource(endpoint_url=moto_endpoint, region_name="us-west-2"))
    assert options == {"client_kwargs": {"endpoint_url": moto_endpoint, "region_name": "us-west-2"}}


def test_definitions_register_the_s3_resource():
    from dagster_aws.s3 import S3Resource

    from kale_assets.definitions import defs

    assert isinstance(defs.resources["s3"], S3Resource)
    assert isinstance(defs.resources["kale"], KaleResource)


def test_resource_reaches_assets_at_run_time(s3_work, moto_endpoint, monkeypatch):
    """Through Dagster: the nested S3Resource is resolved for the step, configured by the step's environment."""
    from dagster import asset

    seen = {}

    @asset
    def probe(kale: KaleResource):
        seen["options"] = kale.config().storage_options
        seen["tar"] = kale.shard_ref("00000000").tar_url

    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_endpoint)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    assert materialize([probe], resources={"kale": KaleResource(workdir=str(s3_work.root))}).success
    assert seen["options"]["client_kwargs"]["endpoint_url"] == moto_endpoint
    assert seen["tar"] == "s3://datacomp/pool/00000000.tar"
    assert credential_keys(seen["options"]) == []


def test_kale_yaml_storage_options_override_and_credentials_are_refused(s3_work, moto_endpoint):
    from dataclasses import replace

    # `kale run --storage-options` (the CLI's S3 test) still points s3fs at an endpoint of its own.
    replace(s3_work, storage_options={"client_kwargs": {"endpoint_url": moto_endpoint}}).save()
    assert KaleResource(workdir=str(s3_work.root)).shard_ref("00000000").shard_id == "00000000"
    replace(s3_work, storage_options={"client_kwargs": {"aws_secret_access_key": "x"}}).save()
    with pytest.raises(ValueError, match="client_kwargs.aws_secret_access_key"):
        KaleResource(workdir=str(s3_work.root)).config()


def test_aws_endpoints_are_left_to_botocore(monkeypatch):
    from dagster_aws.s3 import S3Resource

    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    options = s3fs_storage_options(S3Resource(region_name="eu-central-1"))
    # An explicit amazonaws.com endpoint would switch off cross-region redirects; only the region is passed.
    assert options == {"client_kwargs": {"region_name": "eu-central-1"}}
    assert merge_storage_options(options, {"client_kwargs": {"endpoint_url": "http://x"}, "anon": True}) == \
        {"client_kwargs": {"region_name": "eu-central-1", "endpoint_url": "http://x"}, "anon": True}


def test_local_sources_need_no_s3(tmp_path, monkeypatch):
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    config = PipelineConfig(workdir=str(tmp_path / "work"), source=str(tmp_path / "shards"))
    config.root.mkdir()
    config.save()
    assert KaleResource(workdir=str(config.root)).config().storage_options == {}
