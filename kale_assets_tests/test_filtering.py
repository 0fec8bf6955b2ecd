"""Tests for the caption artifact filter (kale_assets.filtering)."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from kale_assets.filtering import (
    DEFAULT_RULES_PATH,
    REMOVED_DTYPE,
    FilterOutcome,
    Removal,
    RuleSet,
    filter_caption,
    filter_file,
    filter_frame,
    load_rules,
    split_sentences,
)


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    # The rules stage alone: this module pins down what the rules do; the learned stage after them (which
    # may remove more) is tested in test_leak_classifier.py.
    return dataclasses.replace(load_rules(), classifier=None)


# Ordinary context around every corpus sentence, so each one is tested inside a real caption (and the
# sentence splitter is exercised on the boundaries).
PREFIX = "A wide shot of a quiet street at dusk."
SUFFIX = "Warm light spills from the windows onto the wet pavement."

# (sentence, expected rules (in order), what is left of the sentence: None = removed entirely)
LEAKS: list[tuple[str, tuple[str, ...], str | None]] = [
    # paper Figure 3
    ("The Quality and project coordinator position at Credit Agricole(Dublin), as indicated in Sentence 1, is a "
     "part of a VIE (Venture in Ireland), and my analysis now turns to the visual representation of this "
     "organization.",
     ("prompt_reference_clause", "analysis_transition"),
     "The Quality and project coordinator position at Credit Agricole(Dublin) is a part of a VIE (Venture in "
     "Ireland)."),
    ("The logo, as depicted in Sentence 2, features a stylized green 'A' letter, which is accentuated by blue "
     "and red lines on the right side.",
     ("prompt_reference_clause",),
     "The logo features a stylized green 'A' letter, which is accentuated by blue and red lines on the right "
     "side."),
    ("My analysis now turns to the visual representation of the logo.", ("analysis_transition",), None),
    # a fact placed in a prompt input, even with a visible-text word ("labelled") in the sentence
    ("The market, labelled Chatuchak Market in the metadata, is shown in the middle.",
     ("input_location_reference",), None),
    ("The price is given in the product listing.", ("input_location_reference",), None),
    # rewriter preambles and labels
    ("Here is the revised caption:", ("answer_preamble",), None),
    ("Sure! Here's a caption that combines the visual details with the alt-text:",
     ("assistant_interjection", "answer_preamble"), None),
    ("Here is a rewritten version of the caption that includes the brand.", ("task_talk",), None),
    ("Revised caption: A lighthouse stands on a rocky cliff at dusk.", ("output_label",),
     "A lighthouse stands on a rocky cliff at dusk."),
    ("Assistant: A bowl of ramen with a soft-boiled egg sits on a wooden table.", ("role_prefix",),
     "A bowl of ramen with a soft-boiled egg sits on a wooden table."),
    ("Output: A red tram crosses a bridge on a sunny day.", ("role_prefix",),
     "A red tram crosses a bridge on a sunny day."),
    ("Certainly.", ("assistant_interjection",), None),
    # notes, disclaimers, sign-offs
    ("Note: I have incorporated the real-world knowledge from the alt-text.", ("alt_text_mention",), None),
    ("Note: The colors may differ slightly from the real product.", ("llm_note",), None),
    ("As an AI language model, I cannot see the image directly.", ("ai_disclaimer",), None),
    ("I hope this helps!", ("task_talk",), None),
    ("Let me know if you would like any changes.", ("task_talk",), None),
    ("I have added the brand name from the metadata.", ("task_talk",), None),
    ("I've incorporated the details from the web text.", ("alt_text_mention",), None),
    ("I’ve kept the colors exactly as described.", ("task_talk",), None),
    ("The caption has been rewritten to include the artist's name.", ("task_talk",), None),
    # references to the prompt inputs
    ("The alt-text mentions that the photo was taken in Lisbon.", ("alt_text_mention",), None),
    ("According to the provided caption, the bridge was completed in 1932.", ("prompt_reference_clause",),
     "The bridge was completed in 1932."),
    ("It was built in 1889, according to the alt-text.", ("prompt_reference_clause",), "It was built in 1889."),
    ("The photo, as described in the alt-text, shows the Brandenburg Gate at night.", ("prompt_reference_clause",),
     "The photo shows the Brandenburg Gate at night."),
    ("Based on the information provided, the building is a Gothic church.", ("prompt_reference_clause",),
     "The building is a Gothic church."),
    ("In this rewritten description, a small cafe with green awnings sits on the corner.",
     ("prompt_reference_clause",), "A small cafe with green awnings sits on the corner."),
    ("This matches the original caption closely.", ("prompt_input_reference",), None),
    ("The given text describes a sunny afternoon at the beach.", ("prompt_input_reference",), None),
    ("The provided description does not mention the weather.", ("prompt_input_reference",), None),
    ("The image caption provided mentions a festival in Munich.", ("prompt_input_reference",), None),
    ("The description you provided mentions a wedding.", ("prompt_input_reference",), None),
    ("In the original description, the car is painted blue.", ("prompt_input_reference",), None),
    ("The accompanying text identifies the man as Charles Darwin.", ("prompt_input_reference",), None),
    ("The merged caption keeps every visual detail.", ("prompt_input_reference",), None),
    ("Caption 1 describes a red car, while Caption 2 focuses on the driver.", ("numbered_input_reference",), None),
    ("The second caption adds that the car is a 1965 Ford Mustang.", ("numbered_input_reference",), None),
    ("Both captions agree that the dog is a golden retriever.", ("numbered_input_reference",), None),
    ("This caption combines the visual description with facts from the web.", ("task_talk",), None),
    # the paper's keywords, in prompt-talking context
    ("The sentence structure has been simplified for clarity.", ("sentence_structure_meta",), None),
    ("It follows a simple sentence structure.", ("sentence_structure_meta",), None),
    ("Incorporating real-world knowledge, the landmark is identified as the Colosseum.",
     ("real_world_knowledge",), None),
    ("Using real world information, this appears to be the Golden Gate Bridge.", ("real_world_knowledge",), None),
    ("The scene has a real-world feel to it.", ("paper_keywords",), None),
    ("The knowledge-augmented description highlights the bakery's history.", ("pipeline_jargon",), None),
    # the instruction echoed back
    ("Write a detailed caption for this image.", ("instruction_echo",), None),
    ("Describe this image in detail.", ("instruction_echo",), None),
    # template residue
    ("[INST] Describe the image in detail. [/INST]",
     ("chat_template_token", "instruction_echo", "chat_template_token"), None),
    ("### Response:", ("markdown_heading",), None),
    ("A vintage bicycle leans against a brick wall.</s>", ("chat_template_token",),
     "A vintage bicycle leans against a brick wall."),
    ("<alt_text>best pizza in town cheap deals</alt_text>", ("prompt_block",), None),
    ("<|im_end|>", ("chat_template_token",), None),
]

ORDINARY: list[str] = [
    "The stream flows from the source high in the hills.",
    "The photo captures a busy street at rush hour.",
    "A caption reads 'Happy Birthday' on the cake.",
    "The sign's text says 'Open 24 hours'.",
    "A real world map hangs on the wall.",
    "The book titled 'Sentence Structure for Beginners' lies on the desk.",
    "The Sentence Structure Handbook sits on the top shelf of the bookcase.",
    "A chalkboard menu lists espresso, latte and cappuccino prices.",
    "The screenshot shows a spreadsheet with sales figures for 2023.",
    "A neon sign above the door spells out 'Joe's Diner' in pink letters.",
    "The poster advertises a jazz concert on Friday, June 5th at 8 p.m. in the town hall.",
    "An oil painting depicts a stormy sea with a small fishing boat.",
    "The product label lists the ingredients: water, sugar and lemon juice.",
    "A newspaper clipping shows a photo with a caption below it.",
    "A caption under the photo credits the photographer, Jane Doe.",
    "The street sign reads 'Main St.' and points to the left.",
    "A textbook page explains the structure of a plant cell.",
    "The museum plaque describes the sculpture as a 19th-century bronze.",
    "A laptop screen displays a login prompt asking for a password.",
    "Dr. Martin Luther King Jr. is shown speaking at a podium.",
    "The bottle of olive oil is labeled 'Extra Virgin, 500 ml'.",
    "A vintage travel poster for the U.S. National Parks features a bison.",
    "The storefront window displays a note that says 'Back in 5 minutes'.",
    "The billboard shows the text 'The Future Is Electric' over a city skyline.",
    "A comic strip panel contains a speech bubble that says 'I have added a new rule!'",
    "The thermometer reads 3.5 degrees Celsius on a snowy morning.",
    "A handwritten recipe card lists flour, eggs, milk, etc. on lined paper.",
    "The app screenshot shows a chat window with the message 'See you soon'.",
    "A road sign warns drivers about deer crossing for the next 2 miles.",
    "A classroom whiteboard shows a diagram of the water cycle with labeled arrows.",
    "The cover of the novel features a red rose and the author's name in gold.",
    "A protest banner reads 'Real change starts with us' in bold letters.",
    "The website header displays the company logo and a search bar.",
    "A watercolor illustration shows a fox sitting in a snowy forest.",
    "A tourist map marks the original city walls in red.",
    "The text on the mug says 'World's Best Dad'.",
    "A t-shirt printed with the words 'Let me know' hangs on a rack.",
    "An infographic compares the population of five cities in 2020.",
    "A product page screenshot shows the description of a wireless speaker.",
    "The certificate is signed by Prof. Alan Brown and dated May 2019.",
    "Sure Foods brand crackers are stacked on the store shelf.",
    "An error dialog on the monitor says \"File not found\".",
    "The documentary poster shows the title “Note to Self” above a portrait.",
    "A grammar worksheet titled 'Caption 1: My Summer' is pinned to a corkboard.",
    "The label on the jar says Sure! Here is your honey.",
    "A slide titled My Analysis of Q3 Sales is projected on a screen.",
    "A banner over the counter says We have added new flavors!",
    "A sign with information provided by the National Park Service stands by the trail.",
    "The text provided on the placard describes the artist's early life.",
    "The given name on the name badge is Maria.",
    "A sticky note on the fridge says I hope you like it.",
    "Sentence diagrams fill the pages of an old grammar book.",
]


def _embed(sentence: str) -> str:
    return f"{PREFIX} {sentence} {SUFFIX}"


def _expected(kept: str | None) -> str:
    return " ".join(p for p in (PREFIX, kept, SUFFIX) if p)


def test_corpus_size():
    assert len(LEAKS) >= 30
    assert len(ORDINARY) >= 30


@pytest.mark.parametrize("sentence,expected_rules,kept", LEAKS, ids=[x[0][:40] for x in LEAKS])
def test_leak_sentence_is_removed(rules, sentence, expected_rules, kept):
    out = filter_caption(_embed(sentence), rules)
    assert out.drop_reason is None
    assert out.caption == _expected(kept)
    assert tuple(r.rule for r in out.removals) == expected_rules
    # what was removed is recorded: a span of the sentence, or (last) the sentence that was dropped
    assert all(r.text and (r.text in sentence or r is out.removals[-1]) for r in out.removals)


@pytest.mark.parametrize("sentence", ORDINARY, ids=[x[:40] for x in ORDINARY])
def test_ordinary_sentence_is_untouched(rules, sentence):
    caption = _embed(sentence)
    out = filter_caption(caption, rules)
    assert out == FilterOutcome(caption, (), None)
    assert filter_caption(sentence, rules) == FilterOutcome(sentence, (), None)


def test_corpus_precision_recall(rules):
    """Precision and recall of sentence-level leak detection on the corpus (100% required)."""
    tp = fp = fn = 0
    for sentence, _, _ in LEAKS:
        if filter_caption(_embed(sentence), rules).removals:
            tp += 1
        else:
            fn += 1
    for sentence in ORDINARY:
        if filter_caption(_embed(sentence), rules).removals:
            fp += 1
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    print(f"artifact corpus: {len(LEAKS)} leaks, {len(ORDINARY)} ordinary; "
          f"precision={precision:.3f} recall={recall:.3f}")
    assert (precision, recall) == (1.0, 1.0)


def test_figure3_caption(rules):
    caption = (
        "The Quality and project coordinator position at Credit Agricole(Dublin), as indicated in Sentence 1, is a "
        "part of a VIE (Venture in Ireland), and my analysis now turns to the visual representation of this "
        "organization. The logo, as depicted in Sentence 2, features a stylized green 'A' letter, which is "
        "accentuated by blue and red lines on the right side. The dynamic and modern appearance is achieved by "
        "intertwining the 'A' with the blue and red line. A horizontal green line lies beneath the letter 'A'."
    )
    out = filter_caption(caption, rules)
    assert out.caption == (
        "The Quality and project coordinator position at Credit Agricole(Dublin) is a part of a VIE (Venture in "
        "Ireland). The logo features a stylized green 'A' letter, which is accentuated by blue and red lines on "
        "the right side. The dynamic and modern appearance is achieved by intertwining the 'A' with the blue and "
        "red line. A horizontal green line lies beneath the letter 'A'."
    )
    assert [r.text for r in out.removals] == [
        "as indicated in Sentence 1",
        "and my analysis now turns to the visual representation of this organization",
        "as depicted in Sentence 2",
    ]
    assert {r.rule for r in out.removals} == {"prompt_reference_clause", "analysis_transition"}


# ------------------------------------------------------------------------------------------ strip_span


@pytest.mark.parametrize(
    "caption,expected,removed",
    [
        ("Here is the revised caption: A golden retriever plays fetch on a sandy beach at sunset.",
         "A golden retriever plays fetch on a sandy beach at sunset.", ["Here is the revised caption:"]),
        ("Here is the revised caption:\nA golden retriever plays fetch on a sandy beach at sunset.",
         "A golden retriever plays fetch on a sandy beach at sunset.", ["Here is the revised caption:"]),
        ("Sure, here is a caption that merges both inputs: Two cyclists ride past the Eiffel Tower in Paris.",
         "Two cyclists ride past the Eiffel Tower in Paris.", ["Sure, here is a caption that merges both inputs:"]),
        ("The tower, which is mentioned in the alt-text, rises above the old town square.",
         "The tower rises above the old town square.", ["which is mentioned in the alt-text"]),
        ("As seen in the provided image, a red tram crosses the bridge in Lisbon.",
         "A red tram crosses the bridge in Lisbon.", ["As seen in the provided image"]),
        ("A red tram crosses the bridge (as shown in Caption 2) in Lisbon.",
         "A red tram crosses the bridge in Lisbon.", ["as shown in Caption 2"]),
        ("**Final description:** A quiet harbor with fishing boats under a grey sky.",
         "A quiet harbor with fishing boats under a grey sky.", ["**Final description:**"]),
        ("<caption>A quiet harbor with fishing boats under a grey sky.</caption>",
         "A quiet harbor with fishing boats under a grey sky.", ["<caption>", "</caption>"]),
        ("<alt_text>Cheap flights Lisbon 2019</alt_text> A red tram crosses a bridge on a sunny day.",
         "A red tram crosses a bridge on a sunny day.", ["<alt_text>Cheap flights Lisbon 2019</alt_text>"]),
        ("<|im_start|>assistant\nA red tram crosses a bridge on a sunny day.<|im_end|>",
         "A red tram crosses a bridge on a sunny day.", ["<|im_start|>assistant", "<|im_end|>"]),
    ],
)
def test_strip_span_keeps_rest_cleanly_punctuated(rules, caption, expected, removed):
    out = filter_caption(caption, rules)
    assert out.caption == expected
    assert [r.text for r in out.removals][: len(removed)] == removed
    assert out.drop_reason is None
    assert "  " not in out.caption and " ," not in out.caption and " ." not in out.caption


def test_strip_span_that_leaves_nothing_removes_sentence(rules):
    out = filter_caption("Here is the caption: A black cat sleeps on a red velvet armchair near a window.", rules)
    assert out.caption == "A black cat sleeps on a red velvet armchair near a window."
    out = filter_caption(f"{PREFIX} ### {SUFFIX}", rules)
    assert out.caption == f"{PREFIX} {SUFFIX}"
    assert out.removals == (Removal("###", "markdown_heading"),)


def test_removals_record_text_and_rule(rules):
    out = filter_caption(_embed("The alt-text mentions that the photo was taken in Lisbon."), rules)
    assert out.removals == (Removal("The alt-text mentions that the photo was taken in Lisbon.", "alt_text_mention"),)


# ------------------------------------------------------------------------------- caption-level drops


@pytest.mark.parametrize(
    "caption,reason",
    [
        (None, "empty"),
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("!!! ... ???", "empty"),
        ("Here is the revised caption: Sure!", "empty"),
        ("A red car.", "too_short"),
        ("the the the", "too_short"),
        ("The alt-text says Nike. A red shoe.", "too_short"),
        ("the the the the the the", "degenerate_repetition"),
        ("a a a a a", "degenerate_repetition"),
        ("The The the THE the, the. the!", "degenerate_repetition"),
        ("dog dog dog dog dog dog dog dog dog dog dog", "degenerate_repetition"),
        ("A living room with a gray sofa and a wooden coffee table near a big window. " + "and a lamp " * 12,
         "degenerate_repetition"),
        ("The cat is on the mat. " * 8, "degenerate_repetition"),
        ("red, red, red, red, red, red, red", "degenerate_repetition"),
        ("the\nthe\nthe\nthe\nthe\nthe", "degenerate_repetition"),
        # greedy output of a random-weight tiny model: a loop with a burst of noise near the end
        ("itocatee stripe 1945.ocatee stripe 1945.ocatee stripe Br 1983? 1897. " + "that. bicycle? " * 20
         + "that. box?loud alt:ocate 2003,unset describe? Field Showing cat box?loudtury that. bicycle? that.",
         "degenerate_repetition"),
    ],
)
def test_caption_level_drops(rules, caption, reason):
    out = filter_caption(caption, rules)
    assert out.caption is None
    assert out.drop_reason == reason


LONG_CAPTION = (
    "The image shows the interior of a busy bakery in the old town of Lyon on a winter morning. "
    "Behind a long glass counter, rows of golden croissants, pains au chocolat and fruit tarts are arranged on "
    "white porcelain trays, each marked with a small handwritten price card. A chalkboard on the back wall lists "
    "the daily specials in looping white script, including 'Galette des Rois' and 'Brioche aux pralines'. "
    "Two bakers in white aprons work at a flour-dusted table on the left, one shaping dough while the other "
    "slides a tray into a large stainless-steel oven. Customers in winter coats queue near the door, and a "
    "young girl in a red hat points at a cake decorated with raspberries. Warm yellow light from pendant lamps "
    "reflects on the polished wooden floor, and frost covers the lower corners of the front window. "
    "The bakery, founded in 1921, is known for its pralines, a pink candied almond specialty of the region, "
    "and the shop's name, Maison Pralus, is painted in gold letters above the entrance. The overall mood is "
    "cozy and festive, with garlands of dried orange slices hanging along the shelves and a small nativity "
    "scene displayed beside the cash register."
)


@pytest.mark.parametrize(
    "caption",
    [
        LONG_CAPTION,
        LONG_CAPTION + " " + LONG_CAPTION.replace("Lyon", "Paris"),  # long, repetitive in places, still prose
        "A red double-decker bus drives past Big Ben on a rainy afternoon in London.",
        "New York, New York: the famous sign glows above Times Square at night.",
        "Buy one, get one free! The sale banner hangs over the shoe aisle.",
        "Ha ha ha! The comic's punchline appears in a yellow speech bubble.",
    ],
)
def test_real_captions_are_kept(rules, caption):
    out = filter_caption(caption, rules)
    assert out == FilterOutcome(caption, (), None)


def test_min_words_and_degenerate_thresholds_are_configurable(tmp_path):
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    custom = tmp_path / "rules.yaml"
    custom.write_text(
        text.replace("  min_words: 5", "  min_words: 12").replace("min_unique_ratio: 0.3", "min_unique_ratio: 0.9"),
        encoding="utf-8",
    )
    strict = load_rules(custom)
    assert strict.caption_rules.min_words == 12
    caption = "A red double-decker bus drives past Big Ben in London."
    assert filter_caption(caption, load_rules()).drop_reason is None
    assert filter_caption(caption, strict).drop_reason == "too_short"
    assert filter_caption(LONG_CAPTION, strict).drop_reason == "degenerate_repetition"


# --------------------------------------------------------------------------------- byte-identical output


@pytest.mark.parametrize(
    "caption",
    [
        "A wooden pier stretches into a calm lake.  Mountains rise in the distance.",
        "Title: Summer Sale\nEverything 50% off\n\nVisit us at 12 Main St. today!\n",
        "  Leading and trailing whitespace around a caption about a red kite.  ",
        "A sign says “Café – ouvert”.\tA bicycle leans on the wall… Nobody is around.",
        "Line one of a poem about rain\r\nLine two of the same poem about the sea",
    ],
)
def test_ordinary_captions_come_back_byte_identical(rules, caption):
    out = filter_caption(caption, rules)
    assert out.removals == ()
    assert out.caption == caption


def test_whitespace_is_normalised_only_when_something_is_removed(rules):
    caption = "A pier at dawn stretches into a lake.\n\nThe alt-text says it is Lake Como.\nFog covers the water."
    out = filter_caption(caption, rules)
    assert out.caption == "A pier at dawn stretches into a lake. Fog covers the water."


# ------------------------------------------------------------------------------------ sentence splitter


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Dr. Smith met Mr. Jones at 3.5 p.m. in Washington. They talked.",
         ["Dr. Smith met Mr. Jones at 3.5 p.m. in Washington.", "They talked."]),
        ("Made in the U.S. The box is red.", ["Made in the U.S.", "The box is red."]),
        ("The U.S. Navy ship is large", ["The U.S. Navy ship is large"]),
        ("Main St. The bakery is open.", ["Main St.", "The bakery is open."]),
        ("St. Louis is on the Mississippi. It is big.", ["St. Louis is on the Mississippi.", "It is big."]),
        ("The price is $3.50 per kg. Cheap!", ["The price is $3.50 per kg.", "Cheap!"]),
        ("Items: apples, pears, etc. The basket is full.", ["Items: apples, pears, etc.", "The basket is full."]),
        ("No. 5 is on the door. Fig. 3 shows it.", ["No. 5 is on the door.", "Fig. 3 shows it."]),
        ("John F. Kennedy Airport is busy.", ["John F. Kennedy Airport is busy."]),
        # a capital after a labelling noun is a label, and its full stop ends the sentence; an initial does not
        ("A green logo with a letter A. According to the label, it is new.",
         ["A green logo with a letter A.", "According to the label, it is new."]),
        ("Written by J. Smith in 1990. It is red.", ["Written by J. Smith in 1990.", "It is red."]),
        ("e.g. the red one. It is small.", ["e.g. the red one.", "It is small."]),
        ("The sign reads 'Open. Come in.' in red. A dog sits nearby.",
         ["The sign reads 'Open. Come in.' in red.", "A dog sits nearby."]),
        ('He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]),
        ("Wait... what is that? A bird! It flies.", ["Wait... what is that?", "A bird!", "It flies."]),
        ("Coming soon… The shop opens Monday.", ["Coming soon…", "The shop opens Monday."]),
        ("Apple Inc. is big. iPhone 15 is new.", ["Apple Inc. is big.", "iPhone 15 is new."]),
        ("Title line\nSecond line without punct\n\nThird.", ["Title line", "Second line without punct", "Third."]),
        ("No trailing punctuation here", ["No trailing punctuation here"]),
        ("好。这是一个测试。", ["好。", "这是一个测试。"]),
        ("", []),
        ("   ", []),
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_vectorised_splitter_equals_the_python_one():
    """_split_flat (one polars replace/split for easy captions, Python for the rest) gives exactly the
    sentences of _sentence_spans, on captions built from the splitter's hard cases."""
    import random

    from kale_assets.filter_bench import benchmark_captions
    from kale_assets.filtering import _sentence_spans, _split_flat

    bits = ["A dog runs.", "Dr. Smith waves.", "letter A.", "Main St.", "The U.S. Navy.", "'Open. Come in.'",
            "Joe's cafe.", "e.g. this", "3.50 euros.", "Wait... What?", "x!", "(see it.)", "Hi.)  There", "a  b.",
            " lead", "No. 5", "by J. Smith.", "vitamin C. The", '"Quote." Then', "It's 'fine'. OK", "ok.",
            "Item?! Yes", "end.'", "A.B.C. Next", "Inc.) The", "word . Next", "Dr. Who", "see Dr.. Who",
            "Mr.) Yes", "dr. x", "Prof. The", "x 'Joe's cafe. Open' y", "the 'a'. B. 'c' d", "'It's. Yes'",
            "Café.", "東京。", "Line\nTwo", "Tab\tHere. Now", "A" * 45 + ". Next"]
    rng = random.Random(5)
    texts: list[str | None] = [" ".join(rng.choice(bits) for _ in range(rng.randint(0, 7))) for _ in range(3000)]
    texts += benchmark_captions(300, leak_share=0.1) + [None, "", "   "]
    sentences, owner = _split_flat(pl.Series(texts, dtype=pl.String))
    sentences = sentences.to_list()
    expected = [(i, t[a:b]) for i, t in enumerate(texts) if t for a, b in _sentence_spans(t)]
    assert list(zip(owner.tolist(), sentences, strict=True)) == expected


def test_a_cut_leaves_no_double_full_stop(rules):
    # "St." followed by a capital that is not a sentence opener does not end the sentence, so the label is cut
    # from inside it
    assert filter_caption("The shop is on Main St. End of caption.", rules).caption == "The shop is on Main St."
    assert filter_caption("A green logo with a letter A. End of caption.", rules).caption == \
        "A green logo with a letter A."


def test_split_then_join_is_readable():
    text = "A dog runs.   A cat sleeps!\nA bird sings? Yes."
    assert " ".join(split_sentences(text)) == "A dog runs. A cat sleeps! A bird sings? Yes."


# ------------------------------------------------------------------------------------------ frames


def _corpus_frame() -> pl.DataFrame:
    captions = [_embed(s) for s, _, _ in LEAKS] + [_embed(s) for s in ORDINARY] + [
        None, "", "the the the the the the", "A red car.", LONG_CAPTION,
        "Title: Summer Sale\nEverything 50% off\n\nVisit us at 12 Main St. today!\n",
    ]
    return pl.DataFrame({
        "uid": [f"id-{i:03d}" for i in range(len(captions))],
        "caption": captions,
        "score": list(range(len(captions))),
    })


def test_filter_frame_matches_filter_caption_and_preserves_rows(rules):
    df = _corpus_frame().reverse()  # an order that is not sorted by uid
    out = filter_frame(df, rules)
    assert out.height == df.height
    assert out.columns == ["uid", "caption", "score", "caption_raw", "removed_sentences", "drop_reason"]
    assert out.get_column("uid").to_list() == df.get_column("uid").to_list()
    assert out.get_column("score").to_list() == df.get_column("score").to_list()
    assert out.get_column("caption_raw").to_list() == df.get_column("caption").to_list()
    assert out.schema["removed_sentences"] == REMOVED_DTYPE
    assert out.schema["drop_reason"] == pl.String
    for row in out.iter_rows(named=True):
        expected = filter_caption(row["caption_raw"], rules)
        assert row["caption"] == expected.caption
        assert row["drop_reason"] == expected.drop_reason
        assert [(r["text"], r["rule"]) for r in row["removed_sentences"]] == [
            (r.text, r.rule) for r in expected.removals
        ]
    n_leaks = len(LEAKS)
    assert all(len(x) > 0 for x in out.get_column("removed_sentences").to_list()[-n_leaks:])


def test_filter_frame_other_caption_column_and_dtypes(rules):
    df = pl.DataFrame({"k": [1, 2, 3], "text": [None, None, None]})  # an all-null (Null dtype) column
    out = filter_frame(df, rules, caption_col="text")
    assert out.height == 3
    assert out.get_column("drop_reason").to_list() == ["empty"] * 3
    assert out.get_column("removed_sentences").to_list() == [[], [], []]
    empty = filter_frame(pl.DataFrame({"caption": []}, schema={"caption": pl.String}), rules)
    assert empty.height == 0 and empty.schema["removed_sentences"] == REMOVED_DTYPE
    with pytest.raises(ValueError, match="caption"):
        filter_frame(pl.DataFrame({"x": ["a"]}), rules)


def test_filter_frame_python_only_rule(tmp_path):
    """A pattern outside the polars regex subset (a look-behind) still works, via the Python pre-screen."""
    custom = tmp_path / "rules.yaml"
    custom.write_text(
        'version: "t1"\n'
        "sentence_rules:\n"
        "  - name: lookbehind_rule\n"
        "    action: drop_sentence\n"
        "    description: test rule\n"
        "    pattern: '(?<=secret )token'\n",
        encoding="utf-8",
    )
    rs = load_rules(custom)
    assert not rs.sentence_rules[0].polars_ok
    df = pl.DataFrame({"caption": [f"{PREFIX} A secret token is here. {SUFFIX}", _embed("A plain token is here.")]})
    out = filter_frame(df, rs)
    assert out.get_column("caption").to_list() == [_expected(None), _embed("A plain token is here.")]
    assert out.get_column("removed_sentences").to_list()[0] == [
        {"text": "A secret token is here.", "rule": "lookbehind_rule"}
    ]


# ------------------------------------------------------------------------------------------- files


@pytest.mark.parametrize("in_ext,out_ext", [(".parquet", ".jsonl"), (".jsonl", ".parquet"), (".parquet", ".parquet")])
def test_filter_file_round_trip(rules, tmp_path, in_ext, out_ext):
    df = _corpus_frame()
    src = tmp_path / f"in{in_ext}"
    dst = tmp_path / "sub" / f"out{out_ext}"
    if in_ext == ".parquet":
        df.write_parquet(src)
    else:
        df.write_ndjson(src)
    summary = filter_file(str(src), str(dst), rules)
    back = pl.read_parquet(dst) if out_ext == ".parquet" else pl.read_ndjson(dst, infer_schema_length=None)
    assert back.columns == ["uid", "caption", "drop_reason", "removed_sentences", "rules_version", "rules_hash"]
    assert back.get_column("uid").to_list() == df.get_column("uid").to_list()
    assert set(back.get_column("rules_version").to_list()) == {rules.version}
    assert set(back.get_column("rules_hash").to_list()) == {rules.sha256}
    expected = filter_frame(df, rules)
    assert back.get_column("caption").to_list() == expected.get_column("caption").to_list()
    assert back.get_column("drop_reason").to_list() == expected.get_column("drop_reason").to_list()
    assert back.get_column("removed_sentences").to_list() == expected.get_column("removed_sentences").to_list()
    reasons = [r for r in expected.get_column("drop_reason").to_list() if r]
    assert summary["rows"] == df.height
    assert summary["kept"] == df.height - len(reasons)
    assert summary["dropped_by_reason"] == {r: reasons.count(r) for r in set(reasons)}
    assert sum(summary["removals_by_rule"].values()) == sum(
        len(x) for x in expected.get_column("removed_sentences").to_list()
    )
    assert summary["removals_by_rule"]["prompt_reference_clause"] >= 5
    assert summary["rules_version"] == rules.version and summary["rules_hash"] == rules.sha256
    assert summary["out_path"] == str(dst)
    assert sorted(os.listdir(dst.parent)) == [dst.name]  # no temporary file left behind
    json.dumps(summary)  # JSON-serialisable for the CLI


def test_filter_file_errors(rules, tmp_path):
    src = tmp_path / "in.parquet"
    pl.DataFrame({"uid": ["a"], "text": ["A dog."]}).write_parquet(src)
    with pytest.raises(ValueError, match="caption"):
        filter_file(str(src), str(tmp_path / "out.parquet"), rules)
    pl.DataFrame({"id": ["a"], "caption": ["A dog."]}).write_parquet(src)
    with pytest.raises(ValueError, match="uid"):
        filter_file(str(src), str(tmp_path / "out.parquet"), rules)
    with pytest.raises(ValueError, match="extension"):
        filter_file(str(src), str(tmp_path / "out.csv"), rules)
    assert not (tmp_path / "out.parquet").exists()


def test_filter_file_default_rules(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"uid": "x", "caption": "I hope this helps! " + LONG_CAPTION}) + "\n", encoding="utf-8")
    summary = filter_file(str(src), str(tmp_path / "out.jsonl"))
    assert summary["removals_by_rule"] == {"task_talk": 1}
    assert summary["kept"] == 1 and summary["rules_hash"] == load_rules().sha256


# ------------------------------------------------------------------------------------------- rules


def test_shipped_rules_file(rules):
    assert DEFAULT_RULES_PATH.name == "artifact_rules.yaml" and DEFAULT_RULES_PATH.is_file()
    assert rules.version == "2026.11.7"
    assert len(rules.sha256) == 64 and rules.path == str(DEFAULT_RULES_PATH)
    assert rules.caption_rules.min_words == 5
    names = rules.rule_names
    assert len(names) == len(set(names)) >= 15
    assert {"paper_keywords", "prompt_reference_clause", "analysis_transition", "alt_text_mention"} <= set(names)
    assert all(r.description for r in rules.sentence_rules)
    assert {r.action for r in rules.sentence_rules} == {"drop_sentence", "strip_span"}
    # every shipped pattern is in the Python/Rust common subset, so the polars pre-screen covers all rules
    assert all(r.polars_ok for r in rules.sentence_rules)


def test_rules_hash_changes_with_file_bytes(tmp_path, rules):
    copy = tmp_path / "rules.yaml"
    shutil.copyfile(DEFAULT_RULES_PATH, copy)
    same = load_rules(copy)
    assert same.sha256 == rules.sha256 and same.version == rules.version
    copy.write_bytes(copy.read_bytes() + b"# a comment\n")
    changed = load_rules(copy)
    assert changed.version == rules.version
    assert changed.sha256 != rules.sha256


def _write_rules(tmp_path, rule_yaml: str, extra: str = "") -> str:
    path = tmp_path / "bad.yaml"
    path.write_text(f'version: "x1"\nsentence_rules:\n{rule_yaml}{extra}', encoding="utf-8")
    return str(path)


GOOD_RULE = "  - name: {name}\n    action: {action}\n    description: d\n    pattern: '{pattern}'\n"


@pytest.mark.parametrize(
    "rule_yaml,extra,match",
    [
        (GOOD_RULE.format(name="broken_regex", action="drop_sentence", pattern="(unclosed"), "",
         r"broken_regex.*invalid regex"),
        (GOOD_RULE.format(name="bad_action", action="delete", pattern="x"), "", r"bad_action.*action"),
        (GOOD_RULE.format(name="empty_match", action="drop_sentence", pattern="a*"), "", r"empty_match.*empty"),
        ("  - name: no_pattern\n    action: drop_sentence\n    description: d\n", "", r"no_pattern.*pattern"),
        ("  - name: no_desc\n    action: drop_sentence\n    pattern: x\n", "", r"no_desc.*description"),
        (GOOD_RULE.format(name="typo", action="drop_sentence", pattern="x") + "    skip_qouted: true\n", "",
         r"typo.*skip_qouted"),
        (GOOD_RULE.format(name="dup", action="drop_sentence", pattern="x")
         + GOOD_RULE.format(name="dup", action="drop_sentence", pattern="y"), "", r"duplicate.*dup"),
        (GOOD_RULE.format(name="cap_drop", action="drop_sentence", pattern="x") + "    scope: caption\n", "",
         r"cap_drop.*strip_span"),
        (GOOD_RULE.format(name="flag", action="drop_sentence", pattern="x") + "    case_sensitive: yes please\n", "",
         r"flag.*case_sensitive"),
        (GOOD_RULE.format(name="ok", action="drop_sentence", pattern="x"), "caption_rules:\n  min_words: -1\n",
         r"min_words"),
        (GOOD_RULE.format(name="ok", action="drop_sentence", pattern="x"),
         "caption_rules:\n  degenerate_repetition:\n    min_unique_ratio: 2\n", r"min_unique_ratio"),
        (GOOD_RULE.format(name="ok", action="drop_sentence", pattern="x"), "label_relief:\n  max_head_words: 3\n",
         r"label_relief.head is required"),
        (GOOD_RULE.format(name="ok", action="drop_sentence", pattern="x"), "label_relief:\n  head: '[A-Z'\n",
         r"label_relief.head.*invalid regex"),
        (GOOD_RULE.format(name="ok", action="drop_sentence", pattern="x"), "label_relief:\n  head: '\\w*'\n",
         r"label_relief.head matches a sentence without"),
        (GOOD_RULE.format(name="ok", action="drop_sentence", pattern="x"),
         "label_relief:\n  head: 'x:'\n  max_head_words: 0\n", r"max_head_words"),
        (GOOD_RULE.format(name="ok", action="drop_sentence", pattern="x"),
         "label_relief:\n  head: 'x:'\n  remark_head: [note]\n", r"label_relief: unknown key.*remark_head"),
    ],
)
def test_bad_rules_file_raises_value_error(tmp_path, rule_yaml, extra, match):
    with pytest.raises(ValueError, match=match):
        load_rules(_write_rules(tmp_path, rule_yaml, extra))


def test_bad_rules_file_top_level(tmp_path):
    p = tmp_path / "r.yaml"
    p.write_text("version: 2026\nsentence_rules: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="version"):
        load_rules(p)
    p.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ValueError, match="mapping"):
        load_rules(p)
    p.write_text("version: 'a'\nsentence_rules: [\n", encoding="utf-8")
    with pytest.raises(ValueError, match="YAML"):
        load_rules(p)


def test_disabled_rule_is_not_applied(tmp_path, rules):
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    marker = "  - name: paper_keywords\n"
    assert marker in text
    custom = tmp_path / "rules.yaml"
    custom.write_text(text.replace(marker, marker + "    enabled: false\n"), encoding="utf-8")
    caption = _embed("A poster explains sentence structure to students.")
    assert filter_caption(caption, rules).removals[0].rule == "paper_keywords"
    assert filter_caption(caption, load_rules(custom)).removals == ()


def test_filter_frame_agrees_with_filter_caption_on_mixed_captions(rules):
    """The vectorised screens never change a result: random mixes of ordinary text, leaks, odd whitespace,
    non-ASCII text, loops and short captions give exactly what filter_caption gives."""
    import random

    rng = random.Random(7)
    pieces = ORDINARY + [s for s, _, _ in LEAKS] + [
        "Ünïcödé façade of the Café Zürich glows at night.", "東京タワーが夜空に輝いている。", "Ω" * 30,
        "the the the the", "and a lamp " * 5, "\u00a0\u2003", "A\u2028B", "…", "Okay.", "NO. 5",
        "It costs 3.5 € per kg. Cheap!", "(Note: see the alt-text)", "'Quoted sentence structure here'",
    ]
    captions = []
    for _ in range(400):
        k = rng.randint(0, 6)
        sep = rng.choice([" ", "  ", "\n", "\n\n", "\t", " \u00a0"])
        captions.append(sep.join(rng.choice(pieces) for _ in range(k)) if k else rng.choice([None, "", " "]))
    captions += [LONG_CAPTION[:n] for n in (150, 199, 200, 201, 400)] + ["é" * 150 + " the" * 30]
    df = pl.DataFrame({"caption": captions})
    out = filter_frame(df, rules)
    for raw, cap, reason, removed in zip(captions, out["caption"], out["drop_reason"], out["removed_sentences"],
                                         strict=True):
        expected = filter_caption(raw, rules)
        assert (cap, reason) == (expected.caption, expected.drop_reason), raw
        assert [(r["text"], r["rule"]) for r in removed] == [(r.text, r.rule) for r in expected.removals]
    reasons = set(out["drop_reason"].drop_nulls().to_list())
    assert reasons == {"empty", "too_short", "degenerate_repetition"}


def test_compiled_caption_checks_equal_python_on_adversarial_ascii(rules):
    """filter_kernels (empty / too_short / degenerate_repetition in one compiled pass) equals
    _caption_drop_reason on ASCII text: every str.split() whitespace byte, deleted marks inside and between
    tokens, case, loops around the ratio, and windows shorter than min_tokens or the whole caption."""
    import random

    from kale_assets.filter_kernels import drop_codes_list
    from kale_assets.filtering import _CODE_REASONS, DROP_EMPTY, _caption_drop_reason

    rng = random.Random(1)
    pieces = ["a", "A", "b", "the", "The", "x,", "(x)", "y.", '"q"', ",", ".", " ", "  ", "\n", "\t", "\r", "\x0b",
              "\x0c", "\x1c", "\x1f", "!", "?;:", "w1", "W1", "...", "-", "__"]
    texts: list[str | None] = []
    for _ in range(6_000):
        vocab = rng.sample(pieces, rng.randint(1, len(pieces)))
        texts.append("".join(rng.choice(vocab) + rng.choice([" ", "", " ", "\n"]) for _ in range(rng.randint(0, 120))))
    texts += [None, "", " ", "a b c d e", "a a a a a", "A a A a a", "a,a a.a (a) a", "x" * 5000]
    base = rules.caption_rules
    for cr in (base, dataclasses.replace(base, degenerate_window_tokens=0),
               dataclasses.replace(base, degenerate_window_tokens=3, min_words=0),
               dataclasses.replace(base, degenerate_enabled=False),
               dataclasses.replace(base, min_words=1, degenerate_min_unique_ratio=0.9, degenerate_window_tokens=7)):
        codes = drop_codes_list(texts, cr.min_words, cr.degenerate_enabled, cr.degenerate_window_tokens,
                                cr.degenerate_min_tokens, cr.degenerate_min_unique_ratio)
        expected = [DROP_EMPTY if t is None else _caption_drop_reason(t, cr) for t in texts]
        assert [t for t, c, e in zip(texts, codes.tolist(), expected, strict=True) if _CODE_REASONS[c] != e] == []
        if cr is base:
            assert set(expected) == {None, "empty", "too_short", "degenerate_repetition"}


def test_screen_words_not_followed_by_agrees_in_python_and_polars():
    """The look-ahead-free 'word not followed by a quote or a visible-text word' regex: the intended matches, the
    same in Python and polars, and its caption form matches every caption one of whose sentences matches."""
    import random
    import re

    from kale_assets.filtering import _word_not_followed_by

    pattern, caption_form = _word_not_followed_by(["text", "captions?"], ["reads", "read", "at", "on"])
    cases = {"A caption reads 'X'.": False, "The caption ready.": True, "the caption rea x": True,
             "the caption readsy": True, "The text at the top.": False, "the text atop": True,
             "the captions 'X'": False, "the caption: X": True, "the caption's font": True, "The TEXT Reads": False,
             "the text 2": True, "the text on": False, "the text onto x": True, "the caption “X”": False,
             "context is": False, "the text.": True, "Caption": True}
    regex = re.compile(pattern, re.IGNORECASE)
    assert {t: regex.search(t) is not None for t in cases} == cases
    rng = random.Random(0)
    alphabet = ["text", "caption", "captions", "reads", "read", "rea", "at", "on", "onto", " ", " ", "'", '"', ".",
                "’s", "X", "é", "2", ":", "\n", "。", "! "]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8))) for _ in range(20_000)]
    sentences = [x for t in texts for x in split_sentences(t)]  # what the screen sees: trimmed, no line break
    got = pl.Series(sentences).str.contains("(?i)" + pattern).to_list()
    assert [t for t, g in zip(sentences, got, strict=True) if g != (regex.search(t) is not None)] == []
    on_captions = pl.Series(texts).str.contains("(?i)" + caption_form).to_list()
    missed = [t for t, c in zip(texts, on_captions, strict=True)
              if not c and any(regex.search(x) for x in split_sentences(t))]
    assert missed == []


# ------------------------------------------------------------------------------ vectorised path: exactness

# Characters on which Rust regex (polars) and Python's re / str disagree; before the dialect-gap class,
# filter_frame and filter_caption differed on each of these captions.
DIALECT_GAP_CAPTIONS = [
    f"İ hope this helps. {SUFFIX}",  # Python's re.I matches 'İ' to 'i' (task_talk), Rust's (?i) does not
    f"ı hope this helps! {SUFFIX}",
    f"Let\x1cme know if you need changes. {SUFFIX}",  # \x1c is whitespace to Python only
    "\u0301\u0301 \u0301\u0301 \u0301\u0301 \u0301\u0301 \u0301\u0301",  # marks: \w to Rust only -> empty
    "‿‿ ‿",  # connector punctuation, likewise
    f"Note\u0301: the logo is green. {SUFFIX}",
    f"The plot covers 5 m² of land near the old mill. {SUFFIX}",
    f"👨\u200d👩\u200d👧 A family poses in front of a fountain. {SUFFIX}",  # zero-width joiner
    f"ΟΔΟΣ ΑΘΗΝΑΣ is written on the street sign. {SUFFIX}",  # capital sigma lower-cases by context
    "ΟΔΟΣ ΟΔΟΣ ΟΔΟΣ ΟΔΟΣ ΟΔΟΣ ΟΔΟΣ ΟΔΟΣ οδος οδος",
    "\u1c89\u1c89 \u1c89\u1c89 \u1c89\u1c89 \u1c89\u1c89 \u1c89\u1c89",  # a letter Python 3.11 does not know yet
]


def _assert_frame_matches_filter_caption(captions: list[str | None], rules: RuleSet) -> pl.DataFrame:
    df = pl.DataFrame({"caption": captions}, schema={"caption": pl.String})
    out = filter_frame(df, rules)
    for raw, cap, reason, removed in zip(captions, out["caption"], out["drop_reason"], out["removed_sentences"],
                                         strict=True):
        expected = filter_caption(raw, rules)
        assert (cap, reason) == (expected.caption, expected.drop_reason), raw
        assert [(r["text"], r["rule"]) for r in removed] == [(r.text, r.rule) for r in expected.removals], raw
    return out


@pytest.mark.parametrize("caption", DIALECT_GAP_CAPTIONS)
def test_filter_frame_matches_filter_caption_on_dialect_gap_characters(rules, caption):
    _assert_frame_matches_filter_caption([caption, _embed("A plain sentence about a red door.")], rules)


def test_filter_frame_agrees_with_filter_caption_on_a_large_realistic_mix(rules):
    """~2,500 benchmark-like captions (60-word prose, leaks, loops, stubs) with odd characters and loops
    near the repetition threshold spliced in: every row equals filter_caption (about 2 s)."""
    import random

    from kale_assets.filter_bench import benchmark_captions

    rng = random.Random(11)
    captions: list[str | None] = []
    for text in benchmark_captions(2_000, leak_share=0.08, seed=5, degenerate_share=0.03, short_share=0.03):
        roll = rng.random()
        if roll < 0.08:
            parts = text.split(". ")
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(DIALECT_GAP_CAPTIONS).rstrip("."))
            text = ". ".join(parts)
        elif roll < 0.16:
            # a tail loop whose distinct-token ratio lies right around min_unique_ratio (0.3 of the last 64)
            vocab = [f"w{j}" for j in range(rng.randint(14, 24))]
            text = text + " " + " ".join(rng.choice(vocab) for _ in range(rng.randint(40, 80)))
        elif roll < 0.2:
            text = rng.choice(["\n", "  ", "\t", " \u00a0 "]).join(text.split(" "))
        captions.append(text)
    captions += [None, "", "   ", *DIALECT_GAP_CAPTIONS]
    out = _assert_frame_matches_filter_caption(captions, rules)
    reasons = set(out["drop_reason"].drop_nulls().to_list())
    assert reasons == {"empty", "too_short", "degenerate_repetition"}
    assert out["removed_sentences"].list.len().gt(0).sum() > 100


def test_filter_frame_leaves_the_input_frame_untouched(rules):
    captions = ["the the the the the the the", "A red car.", _embed("I hope this helps!"), LONG_CAPTION]
    df = pl.DataFrame({"caption": captions})
    out = filter_frame(df, rules)
    assert df.get_column("caption").to_list() == captions
    assert out.get_column("caption_raw").to_list() == captions
    assert out.get_column("caption").to_list()[:2] == [None, None]


def test_dialect_gap_class_covers_every_disagreement():
    """Outside the class, polars and Python agree on \\w, \\s, \\d, case-insensitive ASCII letters and
    str.lower(), and polars' [\\p{L}\\p{Nd}] is alphanumeric to Python; checked on every code point (~2 s)."""
    import re

    from kale_assets.filtering import _dialect_gap_class

    chars = [chr(x) for x in range(0x110000) if not 0xD800 <= x < 0xE000]
    col = pl.col("c")
    got = pl.DataFrame({"c": chars}).select(
        col,
        col.str.contains(_dialect_gap_class()).alias("gap"),
        col.str.contains(r"\w").alias("w"),
        col.str.contains(r"\s").alias("s"),
        col.str.contains(r"\d").alias("d"),
        col.str.contains(r"(?i)[a-z]").alias("az"),
        col.str.contains(r"[\p{L}\p{Nd}]").alias("alnum"),
        col.str.to_lowercase().alias("lower"),
    ).filter(~pl.col("gap"))
    py_w, py_s, py_d, py_az = re.compile(r"\w"), re.compile(r"\s"), re.compile(r"\d"), re.compile("[a-z]", re.I)
    bad = []
    for c, w, s, d, az, alnum, lower in zip(*(got[name].to_list() for name in ("c", "w", "s", "d", "az", "alnum",
                                                                                 "lower")), strict=True):
        if (bool(py_w.match(c)) != w or bool(py_s.match(c)) != s or bool(py_d.match(c)) != d
                or bool(py_az.match(c)) != az or (alnum and not c.isalnum()) or c.lower() != lower):
            bad.append(hex(ord(c)))
    assert not bad, bad[:20]
    assert got.height > 250_000  # the class leaves the assigned characters of ordinary text alone


def test_quoted_span_regex_matches_its_reference_form():
    """_QUOTED_RE puts the single quote's look-behind after the quote (faster); same matches as the
    look-behind-first form."""
    import random
    import re

    from kale_assets.filtering import _QUOTED_RE

    reference = re.compile(
        r'"[^"\n]{1,400}"|“[^”\n]{1,400}”|«[^»\n]{1,400}»|„[^“”\n]{1,400}[“”]'
        r"|(?<!\w)'(?:[^'\n]|'(?=\w)){1,400}?'(?!\w)|‘(?:[^’\n]|’(?=\w)){1,400}?’(?!\w)"
    )
    rng = random.Random(4)
    alphabet = list("ab '\"“”«»„‘’\n._1") + ["é"]
    for _ in range(50_000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 18)))
        assert [m.span() for m in _QUOTED_RE.finditer(s)] == [m.span() for m in reference.finditer(s)], s


# ------------------------------------------------------------------------------ speed paths: exactness


def test_repetition_certificate_never_passes_a_degenerate_caption(rules):
    """filter_kernels._surely_varied (one bit per token hash, a lower bound on the distinct tokens) lets a caption
    skip the exact repetition check; on tails whose distinct-token ratio lies around min_unique_ratio, with case,
    deleted marks and collisions, the compiled codes still equal Python's, and the certificate only ever passes
    captions Python keeps (while passing most varied ones)."""
    import random

    import numpy as np

    from kale_assets.filter_kernels import (
        _CLASS,
        _LOWER,
        _surely_varied,
        drop_codes_list,
    )
    from kale_assets.filtering import _CODE_REASONS, DROP_EMPTY, _caption_drop_reason

    rng = random.Random(3)
    texts: list[str | None] = []
    for _ in range(4_000):
        vocab = [rng.choice(["w", "W", "w,", "(w", "w."]) + str(j) for j in range(rng.randint(1, 90))]
        sep = rng.choice([" ", "  ", "\n", " , "])
        texts.append(sep.join(rng.choice(vocab) for _ in range(rng.randint(0, 140))))
    texts += [" ".join(f"t{j}" for j in range(k)) for k in range(80)] + [None, ""]
    base = rules.caption_rules
    passed = 0
    for cr in (base, dataclasses.replace(base, degenerate_window_tokens=0),
               dataclasses.replace(base, degenerate_window_tokens=7, degenerate_min_unique_ratio=0.9),
               dataclasses.replace(base, degenerate_window_tokens=200, degenerate_min_tokens=30)):
        codes = drop_codes_list(texts, cr.min_words, cr.degenerate_enabled, cr.degenerate_window_tokens,
                                cr.degenerate_min_tokens, cr.degenerate_min_unique_ratio)
        expected = [DROP_EMPTY if t is None else _caption_drop_reason(t, cr) for t in texts]
        assert [t for t, c, e in zip(texts, codes.tolist(), expected, strict=True) if _CODE_REASONS[c] != e] == []
        seen = np.zeros(4, dtype=np.uint64)
        for t, e in zip(texts, expected, strict=True):
            if not t:
                continue
            buf = np.frombuffer(t.encode(), dtype=np.uint8)
            if _surely_varied(buf, 0, len(buf), cr.degenerate_window_tokens, cr.degenerate_min_tokens,
                              cr.degenerate_min_unique_ratio, seen, _CLASS, _LOWER):
                assert e != "degenerate_repetition", t
                passed += 1
    assert passed > 3_000


def test_filter_frame_split_screen_equals_filter_caption(monkeypatch):
    """filter_frame screens the two halves of a long column on two threads; forced on a short adversarial column
    (leaks, dialect-gap characters, loops, nulls in both halves), every row still equals filter_caption, with the
    classifier."""
    from kale_assets import filtering

    full = load_rules()
    captions: list[str | None] = []
    for i, s in enumerate([s for s, _, _ in LEAKS[:40]] + ORDINARY[:20] + DIALECT_GAP_CAPTIONS):
        captions += [_embed(s), None if i % 7 == 0 else "the the the the the the the", "A red car."]
    monkeypatch.setattr(filtering, "_SPLIT_SCREEN_FROM", 1)
    out = _assert_frame_matches_filter_caption(captions, full)
    monkeypatch.setattr(filtering, "_SPLIT_SCREEN_FROM", 10**9)
    assert filter_frame(pl.DataFrame({"caption": captions}, schema={"caption": pl.String}), full).equals(out)
    monkeypatch.setattr(filtering, "_SPLIT_SCREEN_FROM", 1)
    one = filter_frame(pl.DataFrame({"caption": captions[:1]}, schema={"caption": pl.String}), full)
    assert one.get_column("caption").to_list() == [filter_caption(captions[0], full).caption]


def test_side_thread_is_kept_and_a_forked_child_gets_its_own():
    """The second thread is reused (polars' compiled-regex cache is per thread), but a forked child gets its own:
    the parent's thread does not exist there, and an inherited executor would never run what it is given."""
    from kale_assets import filtering

    first = filtering._side_thread()
    assert filtering._side_thread() is first
    assert first.submit(lambda: 7).result(timeout=10) == 7
    pid = os.fork()
    if pid == 0:  # the child: exit code 0 only if it got a fresh, working thread
        code = 1
        try:
            child = filtering._side_thread()
            code = 0 if child is not first and child.submit(lambda: 7).result(timeout=10) == 7 else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


# ------------------------------------------------------------------ the compiled splitter and the sparse pass


def _assert_frame_equals_filter_caption_with_alts(captions: list[str | None], alts: list[str | None],
                                                  rules: RuleSet) -> None:
    df = pl.DataFrame({"caption": captions, "alt_text": alts}, schema={"caption": pl.String, "alt_text": pl.String})
    out = filter_frame(df, rules)
    for raw, alt, cap, reason, removed in zip(captions, alts, out["caption"], out["drop_reason"],
                                              out["removed_sentences"], strict=True):
        expected = filter_caption(raw, rules, alt)
        assert (cap, reason) == (expected.caption, expected.drop_reason), (raw, alt)
        assert [(r["text"], r["rule"]) for r in removed] == [(r.text, r.rule) for r in expected.removals], raw


SPLITTER_BITS = [
    "A dog runs.", "Dr. Smith waves.", "Dr. Mr. Smith waves.", "(Dr. (Mr. Jones.", "Prof. Dr. Lee. The", "letter A.",
    "Main St.", "The U.S. Navy.", "'Open. Come in.'", "Joe's cafe.", "e.g. this", "(e.g. X)", "3.50 euros.",
    "Wait... What?", "x!", "(see it.)", "Hi.)  There", "a  b.", "No. 5", "by J. Smith.", "vitamin C. The",
    '"Quote." Then', "It's 'fine'. OK", "Item?! Yes", "end.'", "A.B.C. Next", "Inc.) The", "word . Next",
    "see Dr.. Who", "Mr.) Yes", "Ms.' Z", "x 'Joe's cafe. Open' y", "the 'a'. B. 'c' d", "'It's. Yes'", "it's. X'",
    "q'. R ' s", "''. X", '"" . Y', "a_'. B'", "Café.", "東京。", "Line\nTwo", "Tab\tHere. Now", "A" * 45 + ". Next",
    "A" * 37 + ". Next", "x" * 36 + "!. Y", "St.. X", "[No. 2]", "Capt. Z", "A.B. C",
]


def test_compiled_splitter_equals_the_python_one_and_covers_the_hard_pattern():
    """filter_kernels.easy_spans cuts exactly where _sentence_spans does on every caption it calls easy, and it calls
    hard (leaves to Python) every caption _HARD_SPLIT_PATTERN matches - runs of abbreviations ("Dr. Mr. Smith")
    included, which the earlier polars replace/split cut apart."""
    import random

    import numpy as np

    from kale_assets.filter_kernels import hard_rows
    from kale_assets.filtering import _HARD_SPLIT_PATTERN, _MAYBE_CODES, _sentence_spans, _split_flat

    rng = random.Random(7)
    texts: list[str | None] = [" ".join(rng.choice(SPLITTER_BITS) for _ in range(rng.randint(0, 7)))
                               for _ in range(4000)]
    texts += [None, "", "   ", ".", ". .", "A. B", "Dr. Mr. Smith took it. The end."]
    column = pl.Series(texts, dtype=pl.String)
    regex_hard = column.str.contains(_HARD_SPLIT_PATTERN).fill_null(True).to_numpy()
    compiled_hard = hard_rows(column.to_arrow(compat_level=pl.CompatLevel.oldest()), _MAYBE_CODES)
    assert not (regex_hard & ~compiled_hard).any()
    assert (~compiled_hard).sum() > 500  # the compiled path is exercised, not just the Python one
    sentences, owner = _split_flat(column)
    expected = [(i, t[a:b]) for i, t in enumerate(texts) if t for a, b in _sentence_spans(t)]
    assert list(zip(owner.tolist(), sentences.to_list(), strict=True)) == expected
    assert np.all(np.diff(owner) >= 0)


def test_filter_frame_equals_filter_caption_with_the_classifier_on_adversarial_rows():
    """The sparse pass (each distinct sentence through the rules once, each distinct (kept sentence, alt-text)
    scored once, kept texts looked up among the sentences) equals filter_caption row by row with the shipped
    classifier: the same sentences under different alt-texts, a strip rule leaving exactly another row's sentence,
    quotes, abbreviations, dialect-gap characters, nulls and loops."""
    import random

    full = load_rules()
    pieces = [s for s, _, _ in LEAKS] + ORDINARY + SPLITTER_BITS + DIALECT_GAP_CAPTIONS + [
        "Here is the revised caption: A small dog sleeps in the corner.", "A small dog sleeps in the corner.",
        "The logo, as depicted in Sentence 2, is green.", "The logo is green.", "I hope this helps!",
        "The web text says the tram is number 28.", "A sign reads 'Fresh Daily' above the door.",
        "Note: Dr. Mr. Smith took the photo in the morning.", "the the the the the the the the the",
    ]
    alt_pool = [None, "", "Lisbon tram 28 in Alfama", "Cheap Nike shoes for sale", "small dog corner photo"]
    rng = random.Random(3)
    captions: list[str | None] = []
    alts: list[str | None] = []
    for _ in range(700):
        captions.append(None if rng.random() < 0.02 else " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 5))))
        alts.append(rng.choice(alt_pool))
    _assert_frame_equals_filter_caption_with_alts(captions, alts, full)


def test_filter_frame_equals_filter_caption_with_a_modified_rules_file(tmp_path):
    """Any valid rules file, not just the shipped one: a caption-scope rule, a case-sensitive rule, a rule polars
    cannot compile (every sentence then takes the rules in Python), a screen without a visible-text guard that
    does not score quoted sentences, and a whole-caption repetition window."""
    shipped = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    extra = (
        "  - name: test_caption_block\n    scope: caption\n    action: strip_span\n    description: t\n"
        "    pattern: '\\[\\[[^\\]]*\\]\\]'\n"
        "  - name: test_case_sensitive\n    action: drop_sentence\n    description: t\n    case_sensitive: true\n"
        "    pattern: '\\bDOG\\b'\n"
    )
    text = shipped.replace("sentence_rules:\n", "sentence_rules:\n" + extra, 1)
    text = text.replace("score_quoted: true", "score_quoted: false")
    text = text.replace("window_tokens: 64", "window_tokens: 0") if "window_tokens: 64" in text else text
    start = text.index("  visible_text_guard:")
    end = text.index("  screen:", start)
    variants = {"edited": text[:start] + text[end:],
                "lookbehind": text.replace("sentence_rules:\n", "sentence_rules:\n"
                                           "  - name: test_lookbehind\n    action: drop_sentence\n"
                                           "    description: t\n    pattern: '(?<=secret )token'\n", 1)}
    pieces = [s for s, _, _ in LEAKS[:30]] + ORDINARY[:20] + SPLITTER_BITS[:20] + [
        "A DOG sits here.", "A dog sits here.", "[[alt: cheap shoes]] A shoe on a shelf.", "A secret token is here.",
        "The sign says 'Sentence structure' in red.", "I kept the 'real-world knowledge' words."]
    import random

    rng = random.Random(9)
    captions = [" ".join(rng.choice(pieces) for _ in range(rng.randint(1, 4))) for _ in range(300)]
    alts = [rng.choice([None, "a dog on a shelf"]) for _ in captions]
    for name, body in variants.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(body, encoding="utf-8")
        rs = load_rules(path)
        assert rs.classifier is not None and (rs.classifier.guard is None) == (name == "edited")
        assert any(not r.polars_ok for r in rs.sentence_rules) == (name == "lookbehind")
        _assert_frame_equals_filter_caption_with_alts(captions, alts, rs)


def test_caption_checks_shared_out_in_chunks_equal_one_pass(monkeypatch, rules):
    """The compiled caption-level checks taken in small chunks by both threads give the codes of one pass."""
    from kale_assets import filtering
    from kale_assets.filter_bench import benchmark_captions

    captions = benchmark_captions(400, leak_share=0.05, seed=2, degenerate_share=0.1, short_share=0.1) + [None, ""]
    df = pl.DataFrame({"caption": captions}, schema={"caption": pl.String})
    whole = filter_frame(df, rules)
    monkeypatch.setattr(filtering, "_CHECK_CHUNK", 7)
    monkeypatch.setattr(filtering, "_SPLIT_SCREEN_FROM", 1)
    assert filter_frame(df, rules).equals(whole)
    assert whole.get_column("drop_reason").drop_nulls().len() > 40


def test_caption_screen_as_one_union_or_as_parts_picks_the_same_rows(monkeypatch):
    """The caption screen runs its parts as one regex or - where Rust's regex engine is pathologically slow on that
    union - split in two (timed once per rules set); every grouping picks the same rows."""
    from kale_assets import filtering
    from kale_assets.filter_bench import benchmark_captions
    from kale_assets.filtering import _screen, _screen_parts, _screen_patterns

    full = load_rules()
    column = pl.Series(benchmark_captions(300, leak_share=0.1, seed=4) + [None, "Café.", "a\x1cb"], dtype=pl.String)
    parts = _screen_parts(full)
    chosen = _screen_patterns(parts, column)
    assert len(chosen) in (1, 2)
    picked = _screen(column, full)
    for grouping in (("|".join(parts),), parts, (parts[0] + "|" + parts[-1], "|".join(parts[1:-1]))):
        monkeypatch.setattr(filtering, "_screen_patterns", lambda p, sample, g=grouping: g)
        assert (_screen(column, full) == picked).all()
    assert picked[-3:].all() and 0 < picked.sum() < len(picked)


def test_screen_forms_loosen_bounds_and_keep_ascii_matches():
    """The caption screen loosens bounded repetitions (a superset) and runs in an ASCII form (:func:`_ascii_form`)
    that matches every ASCII text exactly as the Unicode form does, also under (?i), where a negated class must not
    lose k and s to the Kelvin sign and the long s."""
    import glob

    from kale_assets.filter_bench import benchmark_captions
    from kale_assets.filtering import _ascii_form, _prescreen_part

    assert _prescreen_part("a[^.]{0,40}b{1,3}c{2,9}d{2}") == "a[^.]*b+c{2,}d{2}"
    assert _prescreen_part(r"^x{0,3}$", in_caption=False) == r"^x*$"
    full = load_rules()
    texts = benchmark_captions(400, leak_share=0.2, seed=9) + [
        "Burano, near Venice, is famous for its lace.", "Wrenches, pliers and tire levers hang in rows.",
        "A_b c-d  e\tf.", "Tab\tand\x0bvertical tab.", "Caption: none", "x" * 50 + ".", "", " ",
    ]
    for path in sorted(glob.glob(str(DEFAULT_RULES_PATH.parents[2] / "benchmarks" / "filter_dev" / "*.jsonl"))):
        rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
        texts += [s["text"] for r in rows for s in r["sentences"]]
    column = pl.Series([t for t in texts if t.isascii()], dtype=pl.String)
    assert column.len() > 5000
    for pattern in (full.prescreen_pattern, f"(?i:{full.classifier.caption_screen})",
                    r"(?i)^\W*[a-z-]+,[^.!?]*[.!?]", r"(?i)\bis\b[^a-z]*\S+\s[^.]*\d\D.", r"[^\S\n]+\w+\b"):
        unicode_hits = column.str.contains(pattern).to_numpy()
        ascii_hits = column.str.contains(_ascii_form(pattern)).to_numpy()
        assert (unicode_hits == ascii_hits).all(), pattern
        assert 0 < unicode_hits.sum()


@pytest.mark.parametrize("caption, alt, kept, head", [
    ("Merging both descriptions: Green ribbons of aurora swirl over a snowy fjord. A red cabin glows on the shore.",
     "Aurora borealis Tromso", "Green ribbons of aurora swirl over a snowy fjord. A red cabin glows on the shore.",
     "Merging both descriptions:"),
    ("Alt text: A cutaway diagram shows a turbofan engine from the side. Blue arrows trace the air flow.", None,
     "A cutaway diagram shows a turbofan engine from the side. Blue arrows trace the air flow.", "Alt text:"),
    ("FINAL CAPTION Circular fish pens float in a dark fjord, seen from above. Walkways link the pens.", "fish farm",
     "Circular fish pens float in a dark fjord, seen from above. Walkways link the pens.", "FINAL CAPTION"),
])
def test_a_label_fused_to_a_sentence_costs_only_the_label(caption, alt, kept, head):
    full = load_rules()
    out = filter_caption(caption, full, alt)
    assert out.caption == kept
    assert [r.text for r in out.removals] == [head]
    frame = filter_frame(pl.DataFrame({"caption": [caption], "alt_text": [alt]}, schema={"caption": pl.String,
                                                                                         "alt_text": pl.String}), full)
    assert frame.get_column("caption").to_list() == [kept]
    assert [r["text"] for r in frame.get_column("removed_sentences")[0]] == [head]


@pytest.mark.parametrize("caption", [
    # a remark's head marks all of it as the remark, and a rest that is itself a leak is not kept either
    "A quiet street at dusk glows under warm lamps. Note: The colours may differ slightly from the real product.",
    "A quiet street at dusk glows under warm lamps. Alt text: The alt text says this was taken in 1999.",
])
def test_no_relief_for_remarks_or_leaking_rests(caption):
    full = load_rules()
    out = filter_caption(caption, full)
    assert out.caption == "A quiet street at dusk glows under warm lamps."
    frame = filter_frame(pl.DataFrame({"caption": [caption]}), full)
    assert frame.get_column("caption").to_list() == [out.caption]


def test_the_label_relief_is_what_the_rules_file_says(tmp_path):
    """The relief's patterns live in the rules file, so editing them changes ``rules_hash`` (and re-filters the
    shards) and changes what is kept; without the section a dropped sentence goes whole."""
    caption = "A quiet street at dusk. Alt text: A cutaway diagram shows a turbofan engine from the side."
    shipped = load_rules()
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    assert filter_caption(caption, shipped).caption == ("A quiet street at dusk. A cutaway diagram shows a turbofan "
                                                        "engine from the side.")
    remark = tmp_path / "remark.yaml"
    remark.write_text(text.replace("remark_heads: ['notes?',", "remark_heads: ['alt', 'notes?',"), encoding="utf-8")
    off = tmp_path / "off.yaml"
    off.write_text(text.replace("label_relief:\n", "label_relief:\n  enabled: false\n"), encoding="utf-8")
    for path in (remark, off):
        changed = load_rules(path)
        assert changed.sha256 != shipped.sha256
        assert filter_caption(caption, changed).caption == "A quiet street at dusk."
        frame = filter_frame(pl.DataFrame({"caption": [caption]}), changed)
        assert frame.get_column("caption").to_list() == ["A quiet street at dusk."]


def test_bare_labels_are_dropped_and_an_input_named_outright_is_not_visible_text():
    full = load_rules()
    out = filter_caption("Refined:\nA dog naps on a porch.\nCaption B:\nA cat sleeps on a mat. <br> — end —", full)
    assert out.caption == "A dog naps on a porch. A cat sleeps on a mat."
    assert [r.rule for r in out.removals if r.text in ("Refined:", "Caption B:")] == ["bare_label", "bare_label"]
    out = filter_caption("A dog naps on a porch. **Details:** A red door stands behind it.", full)
    assert out.caption == "A dog naps on a porch. A red door stands behind it."
    out = filter_caption("A diner at night. Dropped the hype words from the alt text and kept what the board actually "
                         "shows. A neon sign glows.", full)
    assert out.caption == "A diner at night. A neon sign glows."
    assert [r.rule for r in out.removals] == ["alt_text_mention"]
    for kept in ("A chalkboard by the door reads the menu of the day. A neon sign glows.",
                 "A phone screenshot shows the Alt text field of an upload form. A blue Save button sits below it."):
        assert filter_caption(kept, full).caption == kept


def test_compiled_checks_shared_by_two_threads_cover_every_row_once_in_effect():
    """Two threads share the compiled checks through one counter of claimed chunks (one call each, the GIL taken
    only to start it); a chunk two threads take alike is written alike, so the codes equal one thread's."""
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    import pyarrow as pa

    from kale_assets.filter_bench import benchmark_captions
    from kale_assets.filter_kernels import arrow_parts, drop_codes_arrow, drop_codes_shared

    texts = benchmark_captions(3_000, leak_share=0.05, seed=7, degenerate_share=0.1, short_share=0.1)
    texts += [None, "", "   ", "the the the the the the the the the the"]
    arr = pa.array(texts, type=pa.large_string())
    alone = drop_codes_arrow(arr, 8, True, 64, 5, 0.3)
    assert set(alone.tolist()) == {0, 1, 2, 3}
    parts = arrow_parts(arr)
    for chunk in (1, 7, 64, 10_000):
        out, counter = np.full(len(texts), -1, dtype=np.int8), np.zeros(1, dtype=np.int64)
        with ThreadPoolExecutor(2) as pool:
            for job in [pool.submit(drop_codes_shared, parts, 8, True, 64, 5, 0.3, out, counter, chunk)
                        for _ in range(2)]:
                job.result()
        assert (out == alone).all()
        assert counter[0] * chunk >= len(texts)
