"""Where each asset keeps its files inside the work folder (one place, so nothing guesses paths)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WorkLayout:
    root: Path

    def shard_output(self, asset: str, shard_id: str) -> Path:
        return self.root / asset / f"{shard_id}.parquet"

    def shard_rejected(self, asset: str, shard_id: str) -> Path:
        return self.root / asset / f"{shard_id}.rejected.parquet"

    def manifest(self, shard_id: str) -> Path:
        return self.shard_output("datacomp_shards", shard_id)

    @property
    def student_dir(self) -> Path:
        return self.root / "models" / "student"

    @property
    def card_dir(self) -> Path:
        return self.root / "kale_dataset_card"

    @property
    def summary(self) -> Path:
        return self.root / "summary.json"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"
