"""The one resource every asset uses: the work folder and the pipeline configuration stored in it."""

from __future__ import annotations

import fsspec
from dagster import ConfigurableResource

from kale_assets.config import PipelineConfig
from kale_assets.layout import WorkLayout
from kale_assets.shard_io import ShardRef


class KaleResource(ConfigurableResource):
    """Points at a work folder created by `kale run` / `kale demo` (its kale.yaml holds the settings)."""

    workdir: str

    def config(self) -> PipelineConfig:
        return PipelineConfig.load(self.workdir)

    def layout(self) -> WorkLayout:
        return WorkLayout(self.config().root)

    def shard_ref(self, shard_id: str) -> ShardRef:
        config = self.config()
        base = config.source.rstrip("/")
        tar_url = f"{base}/{shard_id}.tar"
        parquet_url = f"{base}/{shard_id}.parquet"
        fs, _, _ = fsspec.get_fs_token_paths(tar_url, storage_options=config.storage_options or None)
        if not fs.exists(tar_url):
            raise FileNotFoundError(f"shard {shard_id}: {tar_url} does not exist")
        return ShardRef(shard_id=shard_id, tar_url=tar_url, parquet_url=parquet_url if fs.exists(parquet_url) else None)
