import json

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
from huggingface_hub import DatasetCard

from kale_assets.commit import committed_partitions
from kale_assets.dataset_card import (
    compute_card,
    count_checkpoint_parameters,
    write_card,
)
from kale_assets.defs.partitions import registered_shards
from kale_assets.defs.resources import KaleResource
from kale_assets.filtering import load_rules
from kale_assets.student_store import current_student


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
    config = kale.config()
    layout = config.layout()
    preset = config.resolve_preset()
    shard_ids = registered_shards(context.instance, layout)
    # Only committed final shards: a shard whose blocking checks failed, or whose files were edited since, is
    # not part of the dataset the card describes.
    finished = sorted(committed_partitions(layout, "kale_shards", shard_ids))
    final_paths = [str(layout.shard_output("kale_shards", s)) for s in finished]
    rejected_paths = [str(layout.shard_rejected("kale_shards", s)) for s in finished]
    # Input samples come from ingest's own files, so the card's accounting check is independent of the
    # final shards it summarises.
    n_input = 0
    if finished:
        options = layout.polars_options()
        n_input = (pl.scan_parquet([str(layout.manifest(s)) for s in finished], storage_options=options)
                   .select(pl.len()).collect().item()
                   + pl.scan_parquet([str(layout.shard_rejected("datacomp_shards", s)) for s in finished],
                                     storage_options=options).select(pl.len()).collect().item())
    student = current_student(layout)
    captioners = {
        "teacher": (preset.teacher_label or preset.teacher.model_id,
                    _params(preset.teacher.model_id, preset.teacher.params_billions)),
        "fusion": (preset.fusion_label or preset.fusion.model_id,
                   _params(preset.fusion.model_id, preset.fusion.params_billions)),
        "student": (preset.student_label, _params(str(student), None) if student else None),
    }
    rules = load_rules(config.rules_path)
    card, lengths = compute_card(final_paths, rejected_paths, captioners=captioners, rules_version=rules.version,
                                 tiny=preset.tiny, storage_options=layout.polars_options())
    files = write_card(card, lengths, layout.card_dir)
    return MaterializeResult(
        metadata={
            "samples": card.samples,
            "shards": len(finished),
            "words_per_caption": round(card.words_per_caption, 2),
            "knowledge_augmented_share": round(card.knowledge_augmented_share, 4),
            "stage1_captioner_params": card.stage1_captioner_params or 0,
            "stage2_captioner_params": card.stage2_captioner_params or 0,
            "removals_by_rule": MetadataValue.json(card.removals_by_rule),
            "rejected_by_stage_reason": MetadataValue.json(card.rejected_by_stage_reason),
            # the body only: the UI renders markdown, the YAML header is for the Hugging Face Hub
            "card": MetadataValue.md(DatasetCard((layout.card_dir / "README.md").read_text()).text.replace(
                "](caption_length_hist.png)", f"](data:image/png;base64,{files['histogram_b64']})")),
            "card_path": MetadataValue.path(files["readme"]),
            "card_json": MetadataValue.json(json.loads((layout.card_dir / "card.json").read_text())),
        },
        check_results=[AssetCheckResult(
            check_name="accounting", passed=n_input == card.input_samples,
            metadata={"input": n_input, "kept": card.samples, "rejected": card.input_samples - card.samples,
                      "shards": len(finished), "shards_registered": len(shard_ids)})],
    )
