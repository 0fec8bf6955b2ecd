"""The one resource every asset uses: the work folder and the pipeline configuration stored in it."""

from __future__ import annotations

import os
from pathlib import Path

import fsspec
from dagster import ConfigurableResource
from pydantic import Field

from kale_assets.config import PipelineConfig
from kale_assets.layout import WorkLayout
from kale_assets.shard_io import ShardRef


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

    def config(self) -> PipelineConfig:
        return PipelineConfig.load(self._required_root())

    def layout(self) -> WorkLayout:
        # The layout depends on the folder alone; no need to parse kale.yaml again for it.
        return WorkLayout(Path(self._required_root()))

    def shard_ref(self, shard_id: str) -> ShardRef:
        config = self.config()
        base = config.source.rstrip("/")
        tar_url = f"{base}/{shard_id}.tar"
        parquet_url = f"{base}/{shard_id}.parquet"
        fs, _, _ = fsspec.get_fs_token_paths(tar_url, storage_options=config.storage_options or None)
        if not fs.exists(tar_url):
            raise FileNotFoundError(f"shard {shard_id}: {tar_url} does not exist")
        return ShardRef(shard_id=shard_id, tar_url=tar_url, parquet_url=parquet_url if fs.exists(parquet_url) else None)
