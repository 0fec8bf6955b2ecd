"""The resources every asset uses: the work folder with the pipeline configuration stored in it, and S3.

S3 goes through dagster-aws's `S3Resource`, the one place S3 clients and their settings come from: boto3
clients from `S3Resource.get_client()`, and for the fsspec/s3fs reads of an `s3://` shard source the
storage options derived from the same resource when a step runs. Credentials are never part of either:
boto3 and s3fs read them from the environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, an IAM role, a
profile), so nothing secret lands in kale.yaml, in run config or in asset metadata.
"""

from __future__ import annotations

import os
from dataclasses import replace
from urllib.parse import urlparse

import fsspec
from dagster import ConfigurableResource
from dagster_aws.s3 import S3Resource
from pydantic import Field, PrivateAttr

from kale_assets.config import PipelineConfig
from kale_assets.layout import WorkLayout
from kale_assets.shard_groups import key_range
from kale_assets.shard_io import ShardRef, list_shards_in_range

S3_SCHEMES = ("s3://", "s3a://")
# Keys under which fsspec/s3fs would accept credentials; kale.yaml must never hold them.
CREDENTIAL_OPTIONS = frozenset({"key", "secret", "token", "aws_access_key_id", "aws_secret_access_key",
                                "aws_session_token", "password", "secret_key", "access_key"})


def s3_resource_from_environment() -> S3Resource:
    """The S3Resource that `definitions.py` registers: every field left to boto3, which reads region
    (AWS_DEFAULT_REGION), endpoint (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, for S3-compatible
    stores) and credentials from the environment when a client is made, i.e. when a step runs."""
    return S3Resource()


def s3fs_storage_options(s3: S3Resource) -> dict:
    """fsspec/s3fs storage options for the endpoint and region the resource's boto3 client resolved.

    The endpoint is passed only when it is not AWS's own (an explicit AWS endpoint would switch off
    botocore's cross-region redirects). No credentials: s3fs reads them from the environment like boto3.
    """
    client = s3.get_client()
    client_kwargs: dict = {}
    endpoint = client.meta.endpoint_url
    host = urlparse(endpoint).hostname or ""
    if endpoint and not host.endswith(".amazonaws.com"):
        client_kwargs["endpoint_url"] = endpoint
    if client.meta.region_name:
        client_kwargs["region_name"] = client.meta.region_name
    if s3.verify is False:
        client_kwargs["verify"] = False
    options: dict = {"client_kwargs": client_kwargs} if client_kwargs else {}
    if s3.use_ssl is False:
        options["use_ssl"] = False
    if s3.profile_name:
        options["profile"] = s3.profile_name
    if s3.use_unsigned_session:
        options["anon"] = True
    return options


def credential_keys(options: dict, prefix: str = "") -> list[str]:
    """Paths of credential-like keys anywhere in a storage-options mapping."""
    found = []
    for key, value in options.items():
        path = f"{prefix}{key}"
        if key.lower() in CREDENTIAL_OPTIONS:
            found.append(path)
        if isinstance(value, dict):
            found.extend(credential_keys(value, prefix=f"{path}."))
    return found


def merge_storage_options(derived: dict, configured: dict) -> dict:
    """`configured` (kale.yaml) over `derived` (the S3Resource), one level deep into client_kwargs."""
    merged = {**derived, **configured}
    if "client_kwargs" in derived and "client_kwargs" in configured:
        merged["client_kwargs"] = {**derived["client_kwargs"], **configured["client_kwargs"]}
    return merged


class KaleResource(ConfigurableResource):
    """Points at a work folder created by `kale run` / `kale demo` (its kale.yaml holds the settings)."""

    workdir: str = Field(
        default="",
        description="Work folder created by `kale run` / `kale demo`; empty: KALE_WORKDIR when a step runs.",
    )

    def root(self) -> str:
        # Read when a step or sensor tick runs, never at import: Dagster's EnvVar has no optional form, and an
        # unset variable must let sensors skip with a reason instead of erroring every tick.
        return self.workdir or os.environ.get("KALE_WORKDIR", "")

    def _required_root(self) -> str:
        root = self.root()
        if not root:
            raise FileNotFoundError("no work folder: set KALE_WORKDIR to a folder created by `kale run` / `kale demo`")
        return root

    # The S3 endpoint/region derived from the environment's S3Resource, once per resource instance: making a boto3
    # client costs tens of ms, and a shard group's step asks for the config once per shard.
    _s3_options: dict | None = PrivateAttr(default=None)

    def _derived_s3_options(self) -> dict:
        if self._s3_options is None:
            self._s3_options = s3fs_storage_options(self.s3_resource())
        return self._s3_options

    def s3_resource(self) -> S3Resource:
        # The same S3Resource definitions.py registers as `s3`, built when a step needs it. Not a nested
        # resource field: that would make this resource a generator that every build_*_context in tests and
        # tools would have to open as a context manager.
        return s3_resource_from_environment()

    def config(self) -> PipelineConfig:
        """kale.yaml, with the S3 endpoint/region of the S3Resource merged into `storage_options` for an
        s3:// source (kale.yaml's own options win, so `kale run --storage-options` keeps working)."""
        root = self._required_root()
        remote_workdir = root.startswith(S3_SCHEMES)
        # kale.yaml of an s3:// work folder is read with the S3Resource's endpoint/region (never credentials).
        derived = self._derived_s3_options() if remote_workdir else None
        config = PipelineConfig.load(root, storage_options=derived)
        leaked = credential_keys(config.storage_options or {})
        if leaked:
            raise ValueError(f"kale.yaml storage_options hold credentials ({', '.join(leaked)}): remove them and "
                             "set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or an IAM role) in the environment")
        if not (remote_workdir or config.source.startswith(S3_SCHEMES)):
            return config
        if derived is None:
            derived = self._derived_s3_options()
        return replace(config, storage_options=merge_storage_options(derived, config.storage_options or {}))

    def layout(self) -> WorkLayout:
        # kale.yaml names the local state folder (and, for an s3:// work folder, the store's options).
        return self.config().layout()

    def shard_ref(self, shard_id: str) -> ShardRef:
        config = self.config()
        base = config.source.rstrip("/")
        tar_url = f"{base}/{shard_id}.tar"
        parquet_url = f"{base}/{shard_id}.parquet"
        fs, _, _ = fsspec.get_fs_token_paths(tar_url, storage_options=config.storage_options or None)
        if not fs.exists(tar_url):
            raise FileNotFoundError(f"shard {shard_id}: {tar_url} does not exist")
        return ShardRef(shard_id=shard_id, tar_url=tar_url, parquet_url=parquet_url if fs.exists(parquet_url) else None)

    def partition_shards(self, key: str) -> list[str]:
        """The shards of a partition: the key itself for one shard, else the source's shards in the group's
        range (listed by the range's prefix only). Every asset takes a group's shards from the source, so a
        shard whose upstream partition is missing fails loudly instead of being left out."""
        bounds = key_range(key)
        if bounds is None:
            return [key]
        config = self.config()
        shards = list_shards_in_range(config.source, *bounds, storage_options=config.storage_options or None)
        if not shards:
            raise FileNotFoundError(f"partition {key}: no shards numbered {bounds[0]:08d}..{bounds[1]:08d} in "
                                    f"{config.source}")
        return shards
