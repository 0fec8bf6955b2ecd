import base64
import json
from pathlib import Path

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

from kale_assets.defs.partitions import pool_shards
from kale_assets.defs.resources import KaleResource
from kale_assets.distillation import train_student
from kale_assets.engines import release_engines
from kale_assets.filtering import load_rules
from kale_assets.io_utils import atomic_write_json
from kale_assets.student_store import LINEAGE_FILE, publish_student
from kale_assets.training.data import (
    TarImages,
    prepare_training_data,
    stage1_training_tables,
)


def _prepare(kale: KaleResource, shard_ids: list[str], train):
    """Stage-1 rows -> artifact-filtered targets and a held-out split, one shard at a time on disk."""
    config = kale.config()
    layout = config.layout()
    prepared = prepare_training_data(
        stage1_training_tables(layout, shard_ids), layout.student_dir / "data", rules=load_rules(config.rules_path),
        heldout_fraction=train.heldout_fraction, min_heldout=train.min_heldout, seed=train.seed)
    images = TarImages({s.shard_id: kale.shard_ref(s.shard_id).tar_url for s in prepared.shards},
                       dict(config.storage_options or {}))
    return prepared, images


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
                       description="Every stage-1 row went to exactly one of train / held-out / dropped by the filter."),
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
    config = kale.config()
    layout = config.layout()
    preset = config.resolve_preset()
    shard_ids = pool_shards(context.instance, layout, config.pool_rule, "stage1")
    prepared, images = _prepare(kale, shard_ids, preset.student.train)
    if prepared.n_train == 0:
        raise ValueError("no fused captions to train on: materialize fused_captions for the stage-1 pool first")
    context.log.info(f"{prepared.n_input} stage-1 rows from {len(prepared.shards)} shards; the artifact filter "
                     f"dropped {sum(prepared.dropped.values())} targets")
    release_engines()  # the teacher/fusion engines are not needed while training
    report = train_student(prepared, preset.student, layout.student_dir, images=images, progress=context.log.info)
    teacher_id, teacher_rev = _split(set(prepared.models.get("teacher", [])))
    fusion_id, fusion_rev = _split(set(prepared.models.get("fusion", [])))
    used = [s.shard_id for s in prepared.shards]
    atomic_write_json(Path(layout.student_dir) / f"{report.version}.{LINEAGE_FILE}", {
        "version": report.version, "checkpoint_dir": report.checkpoint_dir, "shards": used,
        "teacher_model_id": teacher_id, "teacher_model_revision": teacher_rev,
        "fusion_model_id": fusion_id, "fusion_model_revision": fusion_rev,
        "student_base_models": report.base_models, "data_fingerprint": prepared.fingerprint,
    })
    publish_student(layout, report.version)  # an s3:// work folder: every machine fetches the student from there
    ckpt = Path(report.checkpoint_dir)
    complete = (any(ckpt.glob("*.safetensors")) and (ckpt / "config.json").exists()
                and any(ckpt.glob("*processor*.json")) and not any(ckpt.glob("*.bin")))
    n_dropped = sum(prepared.dropped.values())
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
            "base_model_revisions": MetadataValue.json(report.base_models),
            "processes": report.world_size,
            "resumed_from": report.resumed_from or "",
            "targets_dropped_by_filter": MetadataValue.json(report.dropped_by_filter),
            "loss_curve": MetadataValue.md(f"![loss curve](data:image/png;base64,{plot_b64})"),
            "teacher_model_id": teacher_id,
            "fusion_model_id": fusion_id,
        },
        check_results=[
            AssetCheckResult(check_name="checkpoint_complete", passed=bool(complete),
                             metadata={"files": json.dumps(sorted(p.name for p in ckpt.iterdir()))}),
            AssetCheckResult(check_name="accounting", passed=report.n_train + report.n_heldout + n_dropped
                             == prepared.n_input, metadata={"stage1_rows": prepared.n_input, "train": report.n_train,
                                                            "heldout": report.n_heldout, "filtered": n_dropped}),
            AssetCheckResult(check_name="losses_finite",
                             passed=all(x == x and abs(x) != float("inf") for x in losses),
                             metadata={"losses": json.dumps(losses)}),
        ],
    )
