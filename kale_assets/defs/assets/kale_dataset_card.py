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

from kale_assets.dataset_card import compute_card, count_checkpoint_parameters, write_card
from kale_assets.defs.partitions import SHARDS
from kale_assets.defs.resources import KaleResource
from kale_assets.distillation import latest_student
from kale_assets.filtering import load_rules


def _params(model_id: str, fallback_billions: float | None) -> int | None:
    counted = count_checkpoint_parameters(model_id) if model_id else None
    if counted is None and fallback_billions:
        return int(fallback_billions * 1e9)
    return counted


@asset(
    deps=[AssetDep("kale_shards", partition_mapping=AllPartitionMapping())],
    group_name="release",
    kinds={"markdown"},
    check_specs=[AssetCheckSpec("accounting", asset="kale_dataset_card", blocking=True,
                                description="Across all shards: input samples = kept + rejected.")],
    description=(
        "Dataset card of the final shards: the paper's Table 1 for our output (samples, words per caption, "
        "knowledge-augmented share, captioner sizes), sentence removals per rule and a caption-length histogram."
    ),
)
def kale_dataset_card(context: AssetExecutionContext, kale: KaleResource) -> MaterializeResult:
    config, layout = kale.config(), kale.layout()
    preset = config.resolve_preset()
    shard_ids = sorted(context.instance.get_dynamic_partitions(SHARDS))
    finals, rejected, n_input, removals = [], [], 0, {}
    for shard_id in shard_ids:
        path = layout.shard_output("kale_shards", shard_id)
        if not path.exists():
            continue
        rows = pl.read_parquet(path)
        finals.append(rows)
        rejected.append(pl.read_parquet(layout.shard_rejected("kale_shards", shard_id)))
        manifest = pl.read_parquet(layout.manifest(shard_id))
        n_input += len(manifest) + len(pl.read_parquet(layout.shard_rejected("datacomp_shards", shard_id)))
        for rule, n in (rows.select(pl.col("removed_sentences").explode().struct.field("rule")).drop_nulls()
                        .group_by("rule").len().iter_rows()):
            removals[rule] = removals.get(rule, 0) + int(n)
    final = pl.concat(finals, how="vertical_relaxed") if finals else pl.DataFrame(
        schema={"caption": pl.Utf8, "alt_text": pl.Utf8, "pool": pl.Utf8})
    all_rejected = pl.concat(rejected, how="vertical_relaxed") if rejected else pl.DataFrame(
        schema={"stage": pl.Utf8, "reason": pl.Utf8})
    student = latest_student(layout.student_dir)
    captioners = {
        "teacher": (preset.teacher_label or preset.teacher.model_id,
                    _params(preset.teacher.model_id, preset.teacher.params_billions)),
        "fusion": (preset.fusion_label or preset.fusion.model_id,
                   _params(preset.fusion.model_id, preset.fusion.params_billions)),
        "student": (preset.student_label, _params(str(student), None) if student else None),
    }
    rules = load_rules(config.rules_path)
    card = compute_card(final, all_rejected, removals_by_rule=removals, captioners=captioners,
                        rules_version=rules.version, tiny=preset.tiny)
    files = write_card(card, final, layout.card_dir)
    return MaterializeResult(
        metadata={
            "samples": card.samples,
            "words_per_caption": round(card.words_per_caption, 2),
            "knowledge_augmented_share": round(card.knowledge_augmented_share, 4),
            "stage1_captioner_params": card.stage1_captioner_params or 0,
            "stage2_captioner_params": card.stage2_captioner_params or 0,
            "removals_by_rule": MetadataValue.json(card.removals_by_rule),
            "rejected_by_stage_reason": MetadataValue.json(card.rejected_by_stage_reason),
            "card": MetadataValue.md(Path(files["readme"]).read_text().replace(
                "](caption_length_hist.png)", f"](data:image/png;base64,{files['histogram_b64']})")),
            "card_path": MetadataValue.path(files["readme"]),
            "card_json": MetadataValue.json(json.loads(Path(files["json"]).read_text())),
        },
        check_results=[AssetCheckResult(
            check_name="accounting", passed=n_input == card.samples + len(all_rejected),
            metadata={"input": n_input, "kept": card.samples, "rejected": len(all_rejected)})],
    )
