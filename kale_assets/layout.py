"""Where each asset keeps its files inside the work folder (one place, so nothing guesses paths).

``<asset>/<shard>.parquet`` holds only committed output rows, so ``datasets.load_dataset("<workdir>/kale_shards")``
loads the final shards and nothing else; rejected rows live in ``rejected/<asset>/``; the commit manifests that
make a partition visible live in ``_commits/<asset>/``; work in flight lives under ``_staging/`` and
``_progress/``. Every path a manifest records is relative to the work folder, so a copied folder still works.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WorkLayout:
    root: Path

    def shard_output(self, asset: str, shard_id: str) -> Path:
        return self.root / asset / f"{shard_id}.parquet"

    def shard_rejected(self, asset: str, shard_id: str) -> Path:
        return self.root / "rejected" / asset / f"{shard_id}.parquet"

    def commit_manifest(self, asset: str, shard_id: str) -> Path:
        return self.root / "_commits" / asset / f"{shard_id}.json"

    def staging_root(self, asset: str) -> Path:
        return self.root / "_staging" / asset

    def quarantine_dir(self, asset: str, shard_id: str) -> Path:
        """Where a partition whose blocking checks failed keeps its staged files for inspection."""
        return self.root / "_quarantine" / asset / shard_id

    def progress_dir(self, asset: str, shard_id: str) -> Path:
        """Finished chunks of a generation partition, kept until the partition commits."""
        return self.root / "_progress" / asset / shard_id

    def manifest(self, shard_id: str) -> Path:
        return self.shard_output("datacomp_shards", shard_id)

    @property
    def uid_index(self) -> Path:
        return self.root / "_index" / "uids.sqlite"

    @property
    def lock_file(self) -> Path:
        return self.root / ".kale.lock"

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

    def relative(self, path: Path) -> str:
        return Path(path).relative_to(self.root).as_posix()
