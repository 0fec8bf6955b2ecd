"""Varied synthetic caption rows for the filter's tests: quotes, abbreviations, numbers, leaked sentences and
clauses, repetition loops and stubs, the cases where the filter's fast paths could differ from its reference path.
The filter's timing is ``kale bench --only filter`` (:func:`kale_assets.bench.measure_filter`).  Not used by the
pipeline."""

from __future__ import annotations

_BENCH_ADJ = ("weathered", "bright", "small", "crowded", "quiet", "colorful", "modern", "rustic", "polished",
              "faded", "ornate", "minimalist", "sunlit", "shadowy", "glossy", "narrow", "wide", "tall", "busy")
_BENCH_SUBJECTS = ("red brick building", "woman in a yellow raincoat", "storefront", "vintage travel poster",
                   "wooden dining table", "screenshot of a weather app", "bottle of olive oil", "street sign",
                   "oil painting of a harbor", "hardcover book", "golden retriever", "smartphone", "mountain lake",
                   "bowl of ramen", "concert stage", "child on a bicycle", "glass office tower", "birthday cake")
_BENCH_NOUNS = ("window", "doorway", "lamp", "bench", "tree", "fence", "awning", "sign", "shelf", "crate", "rug",
                "mural", "balcony", "staircase", "fountain", "bicycle", "umbrella", "basket", "curtain", "railing",
                "tile floor", "brick wall", "flower pot", "clock", "banner", "label", "logo", "menu board")
_BENCH_VERBS = ("stands beside", "rests on", "leans against", "hangs above", "sits near", "faces", "overlooks",
                "is framed by", "is partly hidden behind", "casts a shadow over", "is reflected in", "runs along")
_BENCH_COLORS = ("red", "blue", "green", "amber", "white", "black", "teal", "ochre", "silver", "pale pink")
_BENCH_TEXTS = ("'Grand Opening'", "'Extra Virgin'", "'Open 24 Hours'", "'Modern Kitchens'", "'Happy Birthday'",
                "'SALE 50% OFF'", "'Main St.'", "'Since 1887'", "'Fresh Daily'", "'No Parking'")
_BENCH_ENDINGS = ("The background is slightly blurred.", "The overall mood is calm and inviting.",
                  "Soft afternoon light gives the scene a warm tone.", "The photo is taken from a low angle.",
                  "Dr. Jane Doe's name appears on a brass plaque near the door.", "Prices start at 3.50 euros.",
                  "It was built in 1887 by the architect John Smith, according to a small plaque.",
                  "The composition draws the eye toward the center of the frame.")
_BENCH_LEAKS = ("The alt-text mentions that the shop opened in 2019.", "Here is the revised caption:",
                "I hope this helps!", "Note: I have incorporated the real-world knowledge from the alt-text.",
                "Sure! Here's a caption that combines both descriptions:", "Both captions agree on the color.",
                "As an AI language model, I cannot see the image.", "Let me know if you need any changes.",
                "In this rewritten description, the details are preserved.", "Caption 2 describes the building.",
                "This caption combines the dense caption with the alt-text.",
                "The sentence structure of the original caption is kept.")
_BENCH_CLAUSES = (", as indicated in Sentence 1,", ", according to the alt-text,", ", as depicted in Sentence 2,",
                  ", based on the provided information,")


def _bench_sentence(rng) -> str:
    k, c = rng.random(), rng.choice
    if k < 0.3:
        return (f"A {c(_BENCH_ADJ)} {c(_BENCH_SUBJECTS)} {c(_BENCH_VERBS)} a {c(_BENCH_ADJ)} {c(_BENCH_NOUNS)} "
                f"and a {c(_BENCH_COLORS)} {c(_BENCH_NOUNS)}.")
    if k < 0.5:
        return (f"On the {c(_BENCH_NOUNS)}, a {c(_BENCH_COLORS)} {c(_BENCH_NOUNS)} carries the words "
                f"{c(_BENCH_TEXTS)} in bold {c(_BENCH_COLORS)} letters.")
    if k < 0.7:
        return (f"Behind it, the {c(_BENCH_ADJ)} {c(_BENCH_NOUNS)} {c(_BENCH_VERBS)} the {c(_BENCH_NOUNS)}, "
                f"while a {c(_BENCH_ADJ)} {c(_BENCH_NOUNS)} adds depth to the scene.")
    if k < 0.85:
        return (f"Several {c(_BENCH_ADJ)} details, such as the {c(_BENCH_COLORS)} {c(_BENCH_NOUNS)} and the "
                f"{c(_BENCH_NOUNS)}, suggest a {c(_BENCH_ADJ)} setting.")
    return c(_BENCH_ENDINGS)


def benchmark_captions(n: int, leak_share: float = 0.01, seed: int = 0, degenerate_share: float = 0.002,
                       short_share: float = 0.002) -> list[str]:
    """Caption-like rows for timing: multi-sentence captions of 45-70 words; ``leak_share`` of them carry a
    prompt leak (a leaked sentence, or a clause such as ", as indicated in Sentence 1,"), a few are
    repetition loops or too short."""
    import random

    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts: list[str] = []
        words, target = 0, rng.randint(45, 62)
        while words < target:
            parts.append(_bench_sentence(rng))
            words += parts[-1].count(" ") + 1
        roll = rng.random()
        if roll < leak_share:
            if rng.random() < 0.25:
                i = rng.randrange(len(parts))
                s = parts[i]
                cut = s.find(",")
                clause = rng.choice(_BENCH_CLAUSES)
                parts[i] = s[:cut] + clause + s[cut + 1:] if cut > 0 else s[:-1] + clause.rstrip(",") + "."
            else:
                parts.insert(rng.randint(0, len(parts)), rng.choice(_BENCH_LEAKS))
        elif roll < leak_share + degenerate_share:
            parts = parts[:1] + [" ".join([rng.choice(["the", "a dog", "very"])] * rng.randint(20, 60))]
        elif roll < leak_share + degenerate_share + short_share:
            parts = ["A red car."]
        out.append(" ".join(parts))
    return out
