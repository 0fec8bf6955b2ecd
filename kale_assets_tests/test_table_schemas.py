"""defs/table_schemas.py: each table asset shows its Pandera model's columns in the UI (through dagster-pandera)."""

from __future__ import annotations

from kale_assets.definitions import defs
from kale_assets.defs.table_schemas import ASSET_TABLE_MODELS, COLUMN_SCHEMA_KEY
from kale_assets.schemas import FinalShardSchema


def _metadata() -> dict[str, dict]:
    graph = defs.resolve_asset_graph()
    return {key.to_user_string(): graph.get(key).metadata for key in graph.get_all_asset_keys()}


def test_every_table_asset_carries_its_pandera_columns():
    metadata = _metadata()
    for asset, model in ASSET_TABLE_MODELS.items():
        schema = metadata[asset][COLUMN_SCHEMA_KEY]
        # The same columns, in the same order, as the model the blocking schema check validates with.
        assert [c.name for c in schema.columns] == list(model.to_schema().columns), asset
    # Assets that write no table (a checkpoint, a card) have none.
    assert COLUMN_SCHEMA_KEY not in metadata["distilled_captioner"]
    assert COLUMN_SCHEMA_KEY not in metadata["kale_dataset_card"]


def test_column_constraints_come_from_the_model():
    columns = {c.name: c for c in _metadata()["kale_shards"][COLUMN_SCHEMA_KEY].columns}
    model_columns = FinalShardSchema.to_schema().columns
    assert columns["uid"].constraints.unique and not columns["uid"].constraints.nullable
    for name, column in model_columns.items():
        assert columns[name].constraints.nullable == column.nullable, name
    assert any("str_matches" in c for c in columns["uid"].constraints.other)
