"""Where each asset keeps its files inside the work folder (one place, so nothing guesses paths).

``<asset>/<shard>.parquet`` holds only committed output rows, so ``datasets.load_dataset("<workdir>/kale_shards")``
loads the final shards and nothing else; rejected rows live in ``rejected/<asset>/``; the commit manifests that
make a partition visible live in ``_commits/<asset>/``; work in flight lives under ``_staging/`` and
``_progress/``. Every path a manifest records is relative to the work folder, so a copied folder still works.

The work folder may be an object-store prefix (``s3://bucket/prefix``, a `upath.UPath`): the tables, commits,
the card, kale.yaml and summary.json live there. What must be a local disk — the Dagster instance, the uid index
(SQLite), the run lock (flock), staging, progress chunks, quarantine and the student's checkpoints, which
transformers and vLLM load from a path — lives in ``scratch``, a local folder (the work folder itself when that
is local, so a local work folder looks exactly as before).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kale_assets.io_utils import is_remote


@dataclass(frozen=True)
class WorkLayout:
    root: Path  # a local Path or a remote upath.UPath
    scratch: Path = field(default=None)  # local; None: the root (which must then be local)

    def __post_init__(self):
        if self.scratch is None:
            if self.is_remote:
                raise ValueError(f"work folder {self.root} is not local: give the layout a local scratch folder")
            object.__setattr__(self, "scratch", self.root)

    def shard_output(self, asset: str, shard_id: str) -> Path:
        return self.root / asset / f"{shard_id}.parquet"

    def shard_rejected(self, asset: str, shard_id: str) -> Path:
        return self.root / "rejected" / asset / f"{shard_id}.parquet"

    def commit_manifest(self, asset: str, shard_id: str) -> Path:
        return self.root / "_commits" / asset / f"{shard_id}.json"

    def staging_root(self, asset: str) -> Path:
        return self.scratch / "_staging" / asset

    def quarantine_dir(self, asset: str, shard_id: str) -> Path:
        """Where a partition whose blocking checks failed keeps its staged files for inspection."""
        return self.scratch / "_quarantine" / asset / shard_id

    def progress_dir(self, asset: str, shard_id: str) -> Path:
        """Finished chunks of a generation partition, kept until the partition commits."""
        return self.scratch / "_progress" / asset / shard_id

    def manifest(self, shard_id: str) -> Path:
        return self.shard_output("datacomp_shards", shard_id)

    @property
    def uid_index(self) -> Path:
        return self.scratch / "_index" / "uids.sqlite"

    @property
    def lock_file(self) -> Path:
        return self.scratch / ".kale.lock"

    @property
    def student_dir(self) -> Path:
        return self.scratch / "models" / "student"

    @property
    def card_dir(self) -> Path:
        return self.root / "kale_dataset_card"

    @property
    def summary(self) -> Path:
        return self.root / "summary.json"

    @property
    def dagster_home(self) -> Path:
        return self.scratch / "dagster_home"

    @property
    def is_remote(self) -> bool:
        return is_remote(self.root)

    def polars_options(self) -> dict | None:
        """``storage_options`` for polars' own readers (object_store keys) of files in an s3:// work folder;
        None for a local one. Credentials are not among them: object_store reads them from the environment."""
        if not self.is_remote:
            return None
        client = dict(self.root.storage_options.get("client_kwargs") or {})
        endpoint = client.get("endpoint_url") or self.root.storage_options.get("endpoint_url")
        options = {}
        if endpoint:
            options["aws_endpoint_url"] = endpoint
            if str(endpoint).startswith("http://"):
                options["aws_allow_http"] = "true"
        if client.get("region_name"):
            options["aws_region"] = client["region_name"]
        return options

    def relative(self, path: Path) -> str:
        if not self.is_remote:
            return Path(path).relative_to(self.root).as_posix()
        root, full = str(self.root).rstrip("/") + "/", str(path)
        if not full.startswith(root):
            raise ValueError(f"{full} is not under the work folder {root}")
        return full[len(root):]
