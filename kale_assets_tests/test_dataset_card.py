import polars as pl

from kale_assets.dataset_card import (
    compute_card,
    count_checkpoint_parameters,
    informative_words,
    knowledge_augmented_expr,
    render_markdown,
    write_card,
)


def _final(tmp_path, name, rows):
    path = tmp_path / f"{name}.parquet"
    pl.DataFrame(rows, schema={"pool": pl.Utf8, "caption": pl.Utf8, "alt_text": pl.Utf8,
                               "removed_sentences": pl.List(pl.Struct({"text": pl.Utf8, "rule": pl.Utf8}))}
                 ).write_parquet(path)
    return str(path)


def test_knowledge_augmented_expression_matches_the_python_definition():
    pairs = [
        ("Nike Air Max 2019 running shoe", "A red Nike running shoe photographed in 2019 on white."),
        ("free download stock image", "A cat sleeps on a sofa."),
        (None, "A cat."),
        ("Musée d'Orsay, Paris", "The grand hall of the Musée d'Orsay in Paris with its clock."),
        ("IMG_2041.jpg", "A blurry photo of a street at night."),
    ]
    df = pl.DataFrame({"alt_text": [a for a, _ in pairs], "caption": [c for _, c in pairs]})
    vectorised = df.select(knowledge_augmented_expr()).to_series().to_list()
    python = [bool(informative_words(a) & informative_words(c)) for a, c in pairs]
    assert vectorised == python == [True, False, False, True, False]


def test_card_numbers_over_shard_files(tmp_path):
    removed = [{"text": "Here is the caption.", "rule": "answer_preamble"}]
    a = _final(tmp_path, "a", [
        {"pool": "stage1", "caption": "A red Nike shoe on a table", "alt_text": "Nike shoe", "removed_sentences": removed},
        {"pool": "stage1", "caption": "A cat on a sofa", "alt_text": "best deal today", "removed_sentences": []},
    ])
    b = _final(tmp_path, "b", [
        {"pool": "stage2", "caption": "The Eiffel Tower at dusk in Paris", "alt_text": "Paris Eiffel",
         "removed_sentences": []},
    ])
    rej = tmp_path / "r.parquet"
    pl.DataFrame({"stage": ["datacomp_shards", "kale_shards"], "reason": ["corrupt_image", "too_short"]}).write_parquet(rej)
    card, lengths = compute_card([a, b], [str(rej)], captioners={"teacher": ("T", 17_000_000_000),
                                 "fusion": ("F", 7_000_000_000), "student": ("S", 2_000_000_000)},
                                 rules_version="v1", tiny=False)
    assert card.samples == 3 and card.input_samples == 5
    assert card.samples_by_pool == {"stage1": 2, "stage2": 1}
    assert abs(card.words_per_caption - (7 + 5 + 7) / 3) < 1e-9
    assert abs(card.knowledge_augmented_share - 2 / 3) < 1e-9  # "best deal today" shares no informative word
    assert card.removals_by_rule == {"answer_preamble": 1}
    assert card.rejected_by_stage_reason == {"datacomp_shards:corrupt_image": 1, "kale_shards:too_short": 1}
    assert dict(lengths.iter_rows()) == {5: 1, 7: 2}
    text = render_markdown(card, "h.png")
    assert "17.00B (stage 1) -> 2.00B (stage 2)" in text and "| KALE (paper) | 218M | 67.26 |" in text
    files = write_card(card, lengths, tmp_path / "card")
    assert (tmp_path / "card" / "caption_length_hist.png").read_bytes()[:4] == b"\x89PNG"
    assert "Table 1" in (tmp_path / "card" / "README.md").read_text() and files["histogram_b64"]


def test_parameter_count_from_safetensors_headers(tiny_models):
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_models.fusion)
    # tied weights are stored once; the fusion model has untied embeddings
    assert count_checkpoint_parameters(tiny_models.fusion) == sum(p.numel() for p in model.parameters())
    assert count_checkpoint_parameters("org/not-a-local-folder") is None
    del torch


def test_card_samples_removed_sentences_per_rule_and_detector(tmp_path):
    rows = [{"pool": "stage1", "caption": f"A cat on a sofa number {i}", "alt_text": None, "removed_sentences": [
        {"text": f"I hope this helps {i}!", "rule": "classifier:assistant_chatter"},
        {"text": "Here is the caption:", "rule": "answer_preamble"}]} for i in range(8)]
    a = _final(tmp_path, "a", rows)
    card, _ = compute_card([a], [], captioners={"teacher": ("T", None), "fusion": ("F", None),
                           "student": ("S", None)}, rules_version="v2", tiny=False)
    assert card.removals_by_rule == {"answer_preamble": 8, "classifier:assistant_chatter": 8}
    assert card.removal_samples["answer_preamble"] == ["Here is the caption:"]  # distinct sentences only
    chatter = card.removal_samples["classifier:assistant_chatter"]
    assert len(chatter) == 5 and len(set(chatter)) == 5 and all(t.startswith("I hope this helps") for t in chatter)
    again, _ = compute_card([a], [], captioners={"teacher": ("T", None), "fusion": ("F", None),
                            "student": ("S", None)}, rules_version="v2", tiny=False)
    assert again.removal_samples == card.removal_samples  # a fixed-hash sample, the same every time
    text = render_markdown(card, "h.png")
    assert "a sample per rule or detector" in text and "`I hope this helps" in text
