"""The card is a Hugging Face dataset card (YAML header written by huggingface_hub), and its
knowledge-augmented share honours the rows' own `knowledge_augmented` flag."""

import polars as pl
from huggingface_hub import DatasetCard

from kale_assets.dataset_card import compute_card, size_category, write_card

CAPTIONERS = {"teacher": ("T", 17_000_000_000), "fusion": ("F", 7_000_000_000), "student": ("S", 2_000_000_000)}
REMOVED = pl.List(pl.Struct({"text": pl.Utf8, "rule": pl.Utf8}))


def _final(path, rows, flagged=True):
    schema = {"pool": pl.Utf8, "caption": pl.Utf8, "alt_text": pl.Utf8, "removed_sentences": REMOVED}
    if flagged:
        schema["knowledge_augmented"] = pl.Boolean
    pl.DataFrame(rows, schema=schema).write_parquet(path)
    return str(path)


def test_card_is_a_hugging_face_dataset_card(tmp_path):
    a = _final(tmp_path / "a.parquet", [
        {"pool": "stage1", "caption": "A red Nike shoe on a table", "alt_text": "Nike shoe", "removed_sentences": [],
         "knowledge_augmented": True},
    ])
    card, lengths = compute_card([a], [], captioners=CAPTIONERS, rules_version="v1", tiny=True)
    files = write_card(card, lengths, tmp_path / "card")
    loaded = DatasetCard.load(files["readme"])
    data = loaded.data.to_dict()
    assert data["license"] == "apache-2.0"
    assert data["task_categories"] == ["image-to-text"]
    assert data["language"] == ["en"]
    assert data["size_categories"] == ["n<1K"]
    assert "tiny" in data["pretty_name"] and "tiny-preset" in data["tags"] and "knowledge-augmented" in data["tags"]
    assert data["configs"] == [{"config_name": "default",
                                "data_files": [{"split": "train", "path": "kale_shards/*.parquet"}]}]
    # the body (Table 1 etc.) follows the header; the paper is cited by its arXiv id
    assert "Table 1" in loaded.text and "2411.07461" in loaded.text and not loaded.text.startswith("---")


def test_size_categories_follow_the_hub_buckets():
    assert [size_category(n) for n in (0, 999, 1_000, 218_000_000)] == ["n<1K", "n<1K", "1K<n<10K", "100M<n<1B"]


def test_rows_without_alt_text_knowledge_do_not_count_as_augmented(tmp_path):
    # the second row's caption shares "Paris" with its alt-text, but the row says it is not augmented
    flagged = _final(tmp_path / "f.parquet", [
        {"pool": "stage1", "caption": "The Eiffel Tower in Paris", "alt_text": "Paris tower", "removed_sentences": [],
         "knowledge_augmented": True},
        {"pool": "stage1", "caption": "A street in Paris at night", "alt_text": "Paris", "removed_sentences": [],
         "knowledge_augmented": False},
        {"pool": "stage1", "caption": "A cat on a sofa", "alt_text": "", "removed_sentences": [],
         "knowledge_augmented": False},
    ])
    # a shard finalized before the flag existed is still read (its rows counted by overlap alone)
    old = _final(tmp_path / "o.parquet", [
        {"pool": "stage2", "caption": "The Louvre in Paris", "alt_text": "Louvre Paris", "removed_sentences": []},
    ], flagged=False)
    card, _ = compute_card([flagged, old], [], captioners=CAPTIONERS, rules_version="v1", tiny=False)
    assert card.samples == 4
    assert abs(card.knowledge_augmented_share - 2 / 4) < 1e-9
