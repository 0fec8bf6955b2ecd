import base64
import hashlib
import json
from pathlib import Path

import polars as pl
from dagster import (
    AllPartitionMapping,
    AssetCheckResult,
    AssetCheckSpec,
    AssetDep,
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    asset,
)

from kale_assets.defs.assets.stage_outputs import read_table
from kale_assets.defs.partitions import pool_shards
from kale_assets.defs.resources import KaleResource
from kale_assets.distillation import DistillationExample, train_student
from kale_assets.generation import release_engines
from kale_assets.io_utils import atomic_write_json, sha256_file
from kale_assets.shard_io import open_images

LINEAGE_FILE = "lineage.json"


def _training_examples(kale: KaleResource, shard_ids: list[str]) -> tuple[list[DistillationExample], list[str], dict]:
    layout, config = kale.layout(), kale.config()
    examples: list[DistillationExample] = []
    fingerprint = hashlib.sha256()
    used: list[str] = []
    models: dict[str, set[str]] = {"teacher": set(), "fusion": set()}
    for shard_id in shard_ids:
        fused_path = layout.shard_output("fused_captions", shard_id)
        if not fused_path.exists():
            continue
        used.append(shard_id)
        fingerprint.update(f"{shard_id}:{sha256_file(fused_path)}".encode())
        fused = pl.read_parquet(fused_path)
        dense = read_table(layout.shard_output("stage1_captions", shard_id))
        models["fusion"] |= {f"{m}@{r}" for m, r in fused.select("model_id", "model_revision").unique().iter_rows()}
        models["teacher"] |= {f"{m}@{r}" for m, r in dense.select("model_id", "model_revision").unique().iter_rows()}
        rows = fused.select("uid", "caption").join(
            read_table(layout.manifest(shard_id)).select("uid", "member", "alt_text"), on="uid", how="inner")
        by_member = {r["member"]: r for r in rows.iter_rows(named=True)}
        for member, image in open_images(kale.shard_ref(shard_id), by_member.keys(),
                                         storage_options=config.storage_options or None):
            row = by_member[member]
            examples.append(DistillationExample(row["uid"], image, row["alt_text"], row["caption"]))
    examples.sort(key=lambda e: e.uid)
    return examples, used, {"fingerprint": fingerprint.hexdigest(), "models": models}


def _split(model_at_rev: set[str]) -> tuple[str, str]:
    if not model_at_rev:
        return "unknown", "unknown"
    ids, revs = zip(*(m.rsplit("@", 1) for m in sorted(model_at_rev)))
    return ",".join(dict.fromkeys(ids)), ",".join(dict.fromkeys(revs))


@asset(
    deps=[AssetDep("fused_captions", partition_mapping=AllPartitionMapping())],
    group_name="distillation",
    pool="gpu",
    kinds={"pytorch", "safetensors"},
    check_specs=[
        AssetCheckSpec("checkpoint_complete", asset="distilled_captioner", blocking=True,
                       description="The checkpoint folder holds safetensors weights, config and processor files."),
        AssetCheckSpec("accounting", asset="distilled_captioner", blocking=True,
                       description="Every training pair went to exactly one of train / held-out."),
        AssetCheckSpec("losses_finite", asset="distilled_captioner", blocking=True,
                       description="Training and held-out losses are finite numbers."),
    ],
    description=(
        "The compact student VLM trained on (image, alt-text) -> fused caption over the stage-1 pool, with a "
        "held-out split (paper: DFN ViT-H + Qwen ~1.5B, LLaVA-style). Saved as a standard HF checkpoint "
        "(safetensors + processor) whose version is derived from its inputs."
    ),
)
def distilled_captioner(context: AssetExecutionContext, kale: KaleResource) -> MaterializeResult:
    config, layout = kale.config(), kale.layout()
    preset = config.resolve_preset()
    shard_ids = pool_shards(context.instance, config.pool_rule, "stage1")
    examples, used, info = _training_examples(kale, shard_ids)
    if not examples:
        raise ValueError("no fused captions to train on: materialize fused_captions for the stage-1 pool first")
    release_engines()  # the teacher/fusion engines are not needed while training
    report = train_student(examples, preset.student, layout.student_dir, data_fingerprint=info["fingerprint"],
                           progress=context.log.info)
    teacher_id, teacher_rev = _split(info["models"]["teacher"])
    fusion_id, fusion_rev = _split(info["models"]["fusion"])
    atomic_write_json(Path(layout.student_dir) / f"{report.version}.{LINEAGE_FILE}", {
        "version": report.version, "checkpoint_dir": report.checkpoint_dir, "shards": used,
        "teacher_model_id": teacher_id, "teacher_model_revision": teacher_rev,
        "fusion_model_id": fusion_id, "fusion_model_revision": fusion_rev,
    })
    ckpt = Path(report.checkpoint_dir)
    complete = (any(ckpt.glob("*.safetensors")) and (ckpt / "config.json").exists()
                and any(ckpt.glob("*processor*.json")) and not any(ckpt.glob("*.bin")))
    losses = [report.final_train_loss, report.final_heldout_loss, report.initial_heldout_loss]
    plot_b64 = base64.b64encode(Path(report.loss_plot_path).read_bytes()).decode()
    return MaterializeResult(
        metadata={
            "version": report.version,
            "checkpoint_dir": MetadataValue.path(report.checkpoint_dir),
            "recipe": preset.student.recipe,
            "shards": len(used),
            "n_train": report.n_train,
            "n_heldout": report.n_heldout,
            "steps": report.steps,
            "seconds": round(report.seconds, 2),
            "train_tokens_per_s": round(report.tokens_per_second, 1),
            "initial_heldout_loss": round(report.initial_heldout_loss, 4),
            "final_heldout_loss": round(report.final_heldout_loss, 4),
            "final_train_loss": round(report.final_train_loss, 4),
            "teacher_student_agreement": round(report.agreement, 4),
            "num_parameters": report.num_parameters,
            "loss_curve": MetadataValue.md(f"![loss curve](data:image/png;base64,{plot_b64})"),
            "teacher_model_id": teacher_id,
            "fusion_model_id": fusion_id,
        },
        check_results=[
            AssetCheckResult(check_name="checkpoint_complete", passed=bool(complete),
                             metadata={"files": json.dumps(sorted(p.name for p in ckpt.iterdir()))}),
            AssetCheckResult(check_name="accounting", passed=report.n_train + report.n_heldout == len(examples),
                             metadata={"examples": len(examples), "train": report.n_train,
                                       "heldout": report.n_heldout}),
            AssetCheckResult(check_name="losses_finite",
                             passed=all(x == x and abs(x) != float("inf") for x in losses),
                             metadata={"losses": json.dumps(losses)}),
        ],
    )


def read_lineage(student_dir: Path, version: str) -> dict:
    path = Path(student_dir) / f"{version}.{LINEAGE_FILE}"
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: re-materialize distilled_captioner")
    return json.loads(path.read_text())
