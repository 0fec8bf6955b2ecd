"""Tests for the learned stage of the artifact filter (kale_assets.leak_classifier, kale_assets.filter_training)."""

from __future__ import annotations

import shutil

import numpy as np
import polars as pl
import pytest

from kale_assets.filter_training import (
    DEV_CORPUS,
    TrainConfig,
    evaluate_rows,
    labelled_sentences,
    read_corpus,
    train,
)
from kale_assets.filtering import (
    DEFAULT_RULES_PATH,
    filter_caption,
    filter_frame,
    load_rules,
    split_sentences,
)
from kale_assets.leak_classifier import LEAK_KINDS, features, load_classifier


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def _small_training_set():
    rows = read_corpus(DEV_CORPUS, "train")[:80]
    return labelled_sentences(rows)


def test_training_is_deterministic_and_weights_round_trip(tmp_path):
    data = _small_training_set()
    cfg = TrainConfig(bits=10, iterations=15)
    a, b = train(*data, cfg), train(*data, cfg)
    assert a.weights.dtype == np.float32 and a.weights.shape == (1 << 10, 7)
    assert np.abs(a.weights).sum() > 0
    a.save(tmp_path / "a.safetensors")
    b.save(tmp_path / "b.safetensors")
    assert np.array_equal(a.weights, b.weights)  # bit for bit (the file's metadata order is the library's)
    back = load_classifier(tmp_path / "a.safetensors")
    assert np.array_equal(back.weights, a.weights)
    assert (back.classes, back.bits, back.threshold, back.version) == (a.classes, a.bits, a.threshold, a.version)
    assert len(back.digest) == 64 and back.digest == load_classifier(tmp_path / "b.safetensors").digest


def test_features_are_stable_hashes():
    # crc32, not Python's per-process hash(): the shipped weights stay valid in every process
    assert features("I hope this helps!", bits=15) == features("I hope this helps!", bits=15)
    assert features("I hope this helps!", bits=15)[:2] == [27736, 8258]


def test_shipped_weights_are_small_and_in_the_rules_hash(rules, tmp_path):
    assert rules.classifier is not None
    weights = rules.classifier.weights_path
    assert weights.endswith(".safetensors") and (DEFAULT_RULES_PATH.parent / "leak_classifier.safetensors").stat().st_size < 2_000_000
    # a copy of the rules file next to a copy of the weights: same hash; other weights: another hash
    shutil.copyfile(DEFAULT_RULES_PATH, tmp_path / "artifact_rules.yaml")
    shutil.copyfile(weights, tmp_path / "leak_classifier.safetensors")
    assert load_rules(tmp_path / "artifact_rules.yaml").sha256 == rules.sha256
    changed = load_classifier(weights)
    changed.weights[0, 0] += 1.0
    changed.save(tmp_path / "leak_classifier.safetensors")
    other = load_rules(tmp_path / "artifact_rules.yaml")
    assert other.version == rules.version and other.sha256 != rules.sha256
    plain = hashlib_of(DEFAULT_RULES_PATH)
    assert rules.sha256 != plain  # the hash is not just the YAML bytes any more


def hashlib_of(path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


VISIBLE_TEXT = [
    "A sign on the door reads 'Note: this entrance is alarmed'.",
    "The phone's settings screen lists options labeled Audio Descriptions and Show Alt Text.",
    "A paperback titled Combining Sentences sits on the desk.",
    "A chalkboard by the door says 'I hope you have a wonderful day'.",
    "The worksheet lists Sentence 1 and Sentence 2 above each blank line.",
]


@pytest.mark.parametrize("sentence", VISIBLE_TEXT)
def test_visible_text_traps_are_kept(rules, sentence):
    caption = f"A small room with a wooden floor. {sentence} Soft light comes from the left."
    out = filter_caption(caption, rules)
    assert out.caption == caption and out.removals == ()


def _examples_per_kind(n: int = 3) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {k: [] for k in LEAK_KINDS}
    for row in read_corpus(DEV_CORPUS, "train"):
        for s in row["sentences"]:
            if s["leak"] and len(out[s["kind"]]) < n and all(s["text"] != t for t, _ in out[s["kind"]]):
                out[s["kind"]].append((s["text"], row["alt_text"]))
    return out


@pytest.mark.parametrize("kind", LEAK_KINDS)
def test_dev_examples_of_every_kind_are_removed(rules, kind):
    for sentence, alt in _examples_per_kind()[kind]:
        caption = f"A white lighthouse stands on a rocky headland. {sentence} Waves break against the rocks below."
        out = filter_caption(caption, rules, alt_text=alt)
        assert out.caption is not None and sentence not in out.caption, (kind, sentence)


def test_classifier_removals_are_named_and_alt_text_column_is_used(rules):
    df = pl.DataFrame({
        "uid": ["a", "b"],
        "caption": ["A red tram climbs a narrow street. The supplied facts do not say who drives the tram.",
                    "A red tram climbs a narrow street. Laundry hangs from a balcony above the tracks."],
        "alt_text": ["Lisbon tram 28", None],
    })
    out = filter_frame(df, rules)
    removed = out.get_column("removed_sentences").to_list()
    assert [r["rule"] for r in removed[0]] and all(r["rule"].startswith(("classifier:", "prompt_")) for r in removed[0])
    assert removed[1] == [] and out.get_column("caption")[1] == df.get_column("caption")[1]
    assert out.get_column("caption")[0] == "A red tram climbs a narrow street."


def test_dev_eval_split_stays_above_a_floor(rules):
    # the dev-eval split holds templates the classifier never saw; keep the filter at least this good on it
    result = evaluate_rows(read_corpus(DEV_CORPUS, "eval"), rules)
    assert result["recall"] >= 0.85 and result["precision"] >= 0.9, result


@pytest.mark.parametrize("section, message", [
    ("classifier:\n  weights: missing.safetensors\n  screen: 'x'\n", "not found"),
    ("classifier:\n  weights: leak_classifier.safetensors\n  threshold: 1.5\n  screen: 'x'\n", "threshold"),
    ("classifier:\n  weights: leak_classifier.safetensors\n  screen: 'end$'\n", "screen"),
    ("classifier:\n  weights: leak_classifier.safetensors\n  screen: '(?<=a)b'\n", "polars"),
    ("classifier:\n  weights: leak_classifier.safetensors\n  screen: 'x'\n  colour: red\n", "unknown key"),
])
def test_bad_classifier_sections_are_refused(tmp_path, section, message):
    path = tmp_path / "rules.yaml"
    path.write_text('version: "x1"\nsentence_rules: []\n' + section, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_rules(path)


def test_disabled_classifier_means_rules_only(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text('version: "x1"\nsentence_rules: []\nclassifier:\n  enabled: false\n', encoding="utf-8")
    rules = load_rules(path)
    assert rules.classifier is None
    assert filter_caption("A red tram climbs a hill. I hope this helps!", rules).removals == ()


def test_filter_frame_equals_filter_caption_with_the_classifier(rules):
    # the vectorised path (polars screens, batched scoring) decides exactly what the per-caption path decides
    rows = read_corpus(DEV_CORPUS, "eval")[:300]
    captions = [" ".join(s["text"] for s in r["sentences"]) for r in rows]
    alts = [r["alt_text"] for r in rows]
    out = filter_frame(pl.DataFrame({"caption": captions, "alt_text": alts}), rules)
    for i, (c, a) in enumerate(zip(captions, alts, strict=True)):
        one = filter_caption(c, rules, alt_text=a)
        assert out.get_column("caption")[i] == one.caption
        assert [(r["text"], r["rule"]) for r in out.get_column("removed_sentences")[i]] == \
            [(r.text, r.rule) for r in one.removals]


def test_word_salad_from_random_weights_is_mostly_kept(rules):
    # the tiny demo's random-weight models write word salad with '!', '?' and ':' in it: noise, not a leak
    import random

    from kale_assets.tiny_models import _WORDS

    words = [w for w in _WORDS if w not in {"caption", "describe", "description", "alt", "text", "knowledge"}]
    rng = random.Random(3)
    captions = []
    for _ in range(60):
        toks = [rng.choice(words) + (rng.choice("!?:.,") if rng.random() < 0.3 else "") for _ in range(40)]
        captions.append(" ".join(toks))
    out = filter_frame(pl.DataFrame({"caption": captions}), rules)
    removed = out.get_column("removed_sentences").list.len().sum()
    sentences = sum(len(split_sentences(c)) for c in captions)
    assert removed <= 0.1 * sentences, (removed, sentences)


def test_final_shard_filter_sees_the_manifest_alt_text(rules, monkeypatch):
    from kale_assets import final_shards

    seen = {}

    def spy(df, rules_, caption_col="caption", alt_text_col="alt_text"):
        seen["alts"] = df.get_column(alt_text_col).to_list()
        return filter_frame(df, rules_, caption_col=caption_col, alt_text_col=alt_text_col)

    monkeypatch.setattr(final_shards, "filter_frame", spy)
    captions = pl.DataFrame({"uid": ["u1", "u2"], "key": ["k1", "k2"], "model_id": ["m", "m"],
                             "model_revision": ["r", "r"], "engine": ["e", "e"], "engine_version": ["1", "1"],
                             "prompt_hash": ["h", "h"],
                             "caption": ["A yellow tram climbs a narrow street in the old town of Lisbon.",
                                         "A white lighthouse stands on rocks above the sea at dusk."]})
    manifest = pl.DataFrame({"uid": ["u2", "u1"], "url": ["b", "a"], "alt_text": ["Portland Head Light", "Tram 28"]})
    shard = final_shards.assemble_final_shard(
        shard_id="00000000", pool="stage1", captions=captions, manifest=manifest, upstream_rejected=[], n_input=2,
        lineage=final_shards.Lineage("t", "r", "f", "r"), rules=rules)
    assert seen["alts"] == ["Tram 28", "Portland Head Light"]  # joined by uid, in caption order
    assert shard.rows.columns == final_shards.FINAL_COLUMNS
    assert shard.rows.get_column("alt_text").to_list() == ["Tram 28", "Portland Head Light"]


# Visible-text sentences and leaks built around the screen's nouns (text, caption, title), in odd spacing and
# characters: the caption screen (one union regex) and the sentence path must pick the same sentences as the
# per-caption reference.
SCREEN_EDGE_CAPTIONS = [
    "A caption reads 'Happy Birthday' on the cake. The text at the top is written in a cursive font.",
    "The caption captures the mood.\nCaption\nA dog sleeps on a rug by the fire.",
    "The title “Blue Moon” is printed on the spine. The title suggests a sequel, per the listing.",
    "The text's author is unknown. The text\ton the sign is faded.  The caption ends here",
    "Ünïcödé façade: the text mentions a café. 東京タワーが見える。Caption",
    "Shortened the legend to one clause. A red tram climbs a hill. === END ===",
    "Image 2 of 4 A gallery wall holds four framed prints of harbors. That covers it.",
    'I changed "bikers" to "cyclists" for accuracy. Two cyclists ride along the river path.',
]


def test_filter_frame_equals_filter_caption_on_screen_edge_cases(rules):
    import dataclasses

    quoted = dataclasses.replace(rules, classifier=dataclasses.replace(rules.classifier, score_quoted=True))
    captions = SCREEN_EDGE_CAPTIONS + [c.replace(". ", ".\n") for c in SCREEN_EDGE_CAPTIONS]
    alts = ["Blue Moon hardcover, Tokyo tower photo"] * len(captions)
    for rs in (rules, quoted):
        out = filter_frame(pl.DataFrame({"caption": captions, "alt_text": alts}), rs)
        for i, (c, a) in enumerate(zip(captions, alts, strict=True)):
            one = filter_caption(c, rs, alt_text=a)
            assert (out.get_column("caption")[i], out.get_column("drop_reason")[i]) == (one.caption, one.drop_reason), c
            assert [(r["text"], r["rule"]) for r in out.get_column("removed_sentences")[i]] == \
                [(r.text, r.rule) for r in one.removals], c


def test_screen_mapping_entries_are_loaded_and_checked(tmp_path):
    path = tmp_path / "rules.yaml"
    base = 'version: "x1"\nsentence_rules: []\nclassifier:\n  weights: leak_classifier.safetensors\n  screen:\n'
    path.write_text(base + "    - words: ['captions?']\n      not_followed_by: ['reads']\n", encoding="utf-8")
    stage = load_rules(path).classifier
    assert stage.screen.search("The caption ends.") and not stage.screen.search("A caption reads 'Hi'.")
    assert "(?:\\n|$)" in stage.caption_screen  # the caption form ends a sentence at a line break or the end
    path.write_text(base + "    - words: ['x']\n      not_followed_by: ['Reads']\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not_followed_by"):
        load_rules(path)


def test_helper_slice_is_a_stable_fifth_kept_out_of_training(tmp_path):
    import json

    from kale_assets.filter_training import evaluate_file, helper_rows, in_helper_slice

    rows = [{"id": f"ht-{i:05d}", "alt_text": "a red tram", "split": "train",
             "sentences": [{"text": "A red tram climbs a hill.", "leak": False, "kind": "visual"},
                           {"text": "I hope this helps!", "leak": True, "kind": "assistant_chatter"}]}
            for i in range(400)]
    path = tmp_path / "helper.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in reversed(rows)), encoding="utf-8")
    held = helper_rows(path, held_back=True)
    train_rows = helper_rows(path)
    assert 50 < len(held) < 110 and len(held) + len(train_rows) == 400
    assert {r["id"] for r in held} == {r["id"] for r in rows if in_helper_slice(r)}
    assert not {r["id"] for r in held} & {r["id"] for r in train_rows}
    assert helper_rows(tmp_path / "absent.jsonl") == []
    result = evaluate_file(path, "helper-slice")
    assert result["sentences"] == 2 * len(held) and result["leaks"] == len(held)


# ---------------------------------------------------------------------------------------------- round 5


def test_saved_weights_are_byte_identical_across_trainings(tmp_path):
    # the same data must give the same file, not just the same tensor: the weights are committed and retraining
    # from a clean checkout has to reproduce them (one metadata key, so safetensors' key order cannot vary)
    data = _small_training_set()
    cfg = TrainConfig(bits=10, iterations=10)
    train(*data, cfg).save(tmp_path / "a.safetensors")
    train(*data, cfg).save(tmp_path / "b.safetensors")
    assert (tmp_path / "a.safetensors").read_bytes() == (tmp_path / "b.safetensors").read_bytes()


@pytest.mark.slow
def test_shipped_weights_are_what_training_writes(tmp_path):
    # `kale train-leak-classifier` on the committed corpora writes exactly the committed file (~40 s)
    from kale_assets.filter_training import DEFAULT_WEIGHTS, run_training

    assert run_training(out=tmp_path / "w.safetensors") == 0
    assert (tmp_path / "w.safetensors").read_bytes() == DEFAULT_WEIGHTS.read_bytes()


def test_training_rows_take_every_other_author_outside_its_slice(tmp_path):
    import json

    from kale_assets.filter_training import SLICES, evaluate_file, in_helper_slice, training_rows

    def corpus(name: str, n: int):
        rows = [{"id": f"{name}-{i:04d}", "alt_text": "a red tram",
                 "sentences": [{"text": "A red tram climbs a hill.", "leak": False, "kind": "visual"},
                               {"text": "Per the blurb, it is tram 28.", "leak": True, "kind": "input_reference"}]}
                for i in range(n)]
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        return path, rows

    dev = tmp_path / "dev.jsonl"
    dev.write_text(json.dumps({"id": "d1", "split": "train", "alt_text": None, "sentences": [
        {"text": "A dog sleeps.", "leak": False, "kind": "visual"}]}) + "\n", encoding="utf-8")
    (a, rows_a), (b, rows_b) = corpus("a", 60), corpus("b", 40)
    got = training_rows(dev, (a, b, tmp_path / "absent.jsonl"))
    want = [r["id"] for r in rows_a + rows_b if not in_helper_slice(r)]
    assert [r["id"] for r in got] == ["d1", *want]
    assert set(SLICES) == {"helper-slice", "retired-slice", "helper2-slice", "retired2-slice"}
    held = [r for r in rows_a if in_helper_slice(r)]
    assert evaluate_file(a, "retired-slice")["sentences"] == 2 * len(held)  # any slice name reads the held-back fifth


def test_round5_word_groups_reach_unseen_input_names():
    from kale_assets.leak_classifier import feature_keys

    keys = feature_keys("The monument is, per the annotation, the Taj Mahal in Agra.")
    assert "g:prep-inoun" in keys and "g:inoun:1" in keys
    assert "g:inoun-poss" in feature_keys("The 24-inch size is the listing's claim.")
    assert any(k.startswith("g:frag:") for k in feature_keys("Moody and cinematic."))
    assert "g:hedge:1neg:1" in feature_keys("The age of the kitten wasn't specified anywhere.")
    # the picture's own nouns are not inputs: a page of a book, a label on a jar
    assert "g:inoun:0" in feature_keys("The recipe book is open to a page about bread.")


@pytest.mark.parametrize("caption, residue", [
    ("<start_of_turn>model The Eiffel Tower glows gold against a navy sky. Lights sparkle on its frame.",
     "<start_of_turn>model"),
    ("Fused caption → A baby elephant rolls in a mud wallow. Adults stand nearby in the shade.", "Fused caption →"),
    ("[Fused caption] A compact speaker stands on a picnic blanket. A loop is attached to the top.",
     "[Fused caption]"),
    ("**Enhanced Caption** A tin sign shows a red disc with a logo. Rust spots line its edges.",
     "**Enhanced Caption**"),
    ("Caption ✅ A tabby cat lies across a keyboard. Its paw rests on the space bar.", "Caption ✅"),
    ("A dark cypress rises in the foreground. Van Gogh painted it in 1889. **Final caption:**",
     "**Final caption:**"),
])
def test_label_residue_fused_to_a_sentence_is_cut_and_the_sentence_kept(rules, caption, residue):
    out = filter_caption(caption, rules)
    assert out.caption is not None and residue not in out.caption
    rest = caption.replace(residue, "").strip()
    assert out.caption.replace(" ", "") == rest.replace(" ", "")


@pytest.mark.parametrize("sentence", [
    "Moody and cinematic.",
    "The monument is, per the annotation, the Taj Mahal in Agra.",
    "That it is for sale comes only from the tag line, not from the photo.",
    "In short, the scene comes alive with both the action and its historic weight.",
])
def test_round5_screen_picks_leaks_without_caption_words(rules, sentence):
    assert rules.classifier.screen.search(sentence) is not None
