"""The dataset card: the paper's Table 1 for our output, removal counts per rule, a caption-length histogram.

"Knowledge-augmented" in Table 1 means a caption carries information from the image's alt-text. We measure
it per caption: the caption counts when it contains at least one informative alt-text word (4+ letters,
not a stop word, or a number/proper name token); the card reports the share of such captions.
"""

from __future__ import annotations

import base64
import io
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl

from kale_assets.io_utils import atomic_write_bytes, atomic_write_text, is_remote

_STOP = set(
    "the and with from that this have been were their there which what when where into over under about "
    "image photo picture stock free download online shop sale best high quality view more your they them "
    "http https www html".split()
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\-]{3,}|\d{2,}")

PAPER_TABLE1 = [
    # dataset, samples, words/caption, knowledge-augmented, captioner size
    ("LAION-COCO", "600M", 8.99, "no", "0.5B"),
    ("ReCap-Datacomp-1B", "1.28B", 49.43, "no", "7B"),
    ("CapsFusion", "120M", 22.74, "yes", "0.5B"),
    ("KALE (paper)", "218M", 67.26, "yes", "17B (stage 1) -> 2B (stage 2)"),
]


def informative_words(text: str | None) -> set[str]:
    return {w.lower() for w in _TOKEN.findall(text or "") if w.lower() not in _STOP}


def _informative_words_expr(column: str) -> pl.Expr:
    # The vectorised twin of informative_words(): same token pattern on lower-cased text, same stop words.
    return (
        pl.col(column).fill_null("").str.to_lowercase().str.extract_all(r"[a-z][a-z'\-]{3,}|\d{2,}")
        .list.eval(pl.element().filter(~pl.element().is_in(sorted(_STOP))))
    )


def knowledge_augmented_expr() -> pl.Expr:
    return _informative_words_expr("alt_text").list.set_intersection(_informative_words_expr("caption")) \
        .list.len().gt(0)


@dataclass
class CardNumbers:
    samples: int
    samples_by_pool: dict[str, int]
    words_per_caption: float
    knowledge_augmented_share: float
    stage1_captioner: str
    stage1_captioner_params: int | None
    fusion_model: str
    fusion_model_params: int | None
    stage2_captioner: str
    stage2_captioner_params: int | None
    input_samples: int
    rejected_by_stage_reason: dict[str, int] = field(default_factory=dict)
    removals_by_rule: dict[str, int] = field(default_factory=dict)
    # per rule or detector (`classifier:<kind>`): a few removed sentences, so a user can audit the filter
    removal_samples: dict[str, list[str]] = field(default_factory=dict)
    rules_version: str = ""
    tiny_preset: bool = False


def compute_card(final_paths: list[str], rejected_paths: list[str], *, captioners: dict[str, tuple[str, int | None]],
                 rules_version: str, tiny: bool, storage_options: dict | None = None) -> tuple[CardNumbers, pl.DataFrame]:
    """Aggregate the card over every final shard with lazy scans: only a few numbers per shard reach memory,
    so the card of thousands of shards costs one streaming pass, not a concatenation of all rows.

    Returns the numbers and the caption-length counts (words, count) for the histogram.
    """
    # Shards finalized before rows carried `knowledge_augmented` read it as null (counted by overlap alone).
    rows = (pl.scan_parquet(final_paths, missing_columns="insert", extra_columns="ignore",
                            storage_options=storage_options) if final_paths else None)
    if rows is not None:
        flagged = "knowledge_augmented" in rows.collect_schema().names()
        # A row whose sample had no alt-text says so itself (knowledge_augmented false): never counted.
        flag = pl.col("knowledge_augmented").fill_null(True) if flagged else pl.lit(True)
        per_row = rows.select(
            pl.col("pool"),
            pl.col("caption").str.split(" ").list.len().alias("words"),
            (knowledge_augmented_expr() & flag).alias("knowledge_augmented"),
        )
        totals = per_row.select(pl.len().alias("samples"), pl.col("words").mean(),
                                pl.col("knowledge_augmented").mean()).collect().row(0, named=True)
        by_pool = {p: int(n) for p, n in per_row.group_by("pool").len().sort("pool").collect().iter_rows()}
        lengths = per_row.group_by("words").len().sort("words").collect()
        removed = rows.select(pl.col("removed_sentences").explode().struct.unnest()).drop_nulls("rule")
        removals = removed.group_by("rule").len().sort("rule").collect()
        samples = _removal_samples(removed)
    else:
        totals = {"samples": 0, "words": 0.0, "knowledge_augmented": 0.0}
        by_pool, lengths, removals = {}, pl.DataFrame(schema={"words": pl.UInt32, "len": pl.UInt32}), None
        samples = {}
    rejected = (pl.scan_parquet(rejected_paths, storage_options=storage_options).group_by("stage", "reason").len().sort("stage", "reason").collect()
                if rejected_paths else None)
    rejected_counts = {f"{s}:{r}": int(n) for s, r, n in rejected.iter_rows()} if rejected is not None else {}
    card = CardNumbers(
        samples=int(totals["samples"]), samples_by_pool=by_pool, words_per_caption=float(totals["words"] or 0.0),
        knowledge_augmented_share=float(totals["knowledge_augmented"] or 0.0),
        stage1_captioner=captioners["teacher"][0], stage1_captioner_params=captioners["teacher"][1],
        fusion_model=captioners["fusion"][0], fusion_model_params=captioners["fusion"][1],
        stage2_captioner=captioners["student"][0], stage2_captioner_params=captioners["student"][1],
        input_samples=int(totals["samples"]) + sum(rejected_counts.values()),
        rejected_by_stage_reason=rejected_counts,
        removals_by_rule={r: int(n) for r, n in removals.iter_rows()} if removals is not None else {},
        removal_samples=samples, rules_version=rules_version, tiny_preset=tiny,
    )
    return card, lengths


REMOVAL_SAMPLES_PER_RULE = 5


def _removal_samples(removed: pl.LazyFrame, k: int = REMOVAL_SAMPLES_PER_RULE) -> dict[str, list[str]]:
    """Up to k distinct removed sentences per rule/detector, picked by a fixed hash (a stable pseudo-random
    sample, not the first rows of the first shard)."""
    picked = (removed.select("rule", "text").unique()
              .with_columns(pl.col("text").hash(seed=20261130).alias("h"))
              .sort("rule", "h").group_by("rule", maintain_order=True).head(k)
              .group_by("rule", maintain_order=True).agg("text").collect())
    return {r: list(texts) for r, texts in picked.iter_rows()}


def _fmt_params(n: int | None) -> str:
    if n is None:
        return "unknown"
    for unit, scale in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= scale:
            return f"{n / scale:.2f}{unit}"
    return str(n)


def histogram_png(lengths: pl.DataFrame) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    words, counts = (lengths["words"].to_list(), lengths["len"].to_list()) if len(lengths) else ([], [])
    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=100)
    ax.hist(words, weights=counts, bins=min(40, max(5, len(words))), color="#3c8d40")
    ax.set_xlabel("words per caption")
    ax.set_ylabel("captions")
    ax.set_title("KALE caption length")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _md_escape(text: str, limit: int = 160) -> str:
    text = " ".join(text.split()).replace("`", "'").replace("|", "/")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_markdown(card: CardNumbers, histogram_file: str) -> str:
    ours_size = (f"{_fmt_params(card.stage1_captioner_params)} (stage 1) -> "
                 f"{_fmt_params(card.stage2_captioner_params)} (stage 2)")
    lines = ["# KALE dataset card (this run)", ""]
    if card.tiny_preset:
        lines += ["> **Tiny preset:** these captions come from random-weight models built locally. They carry no "
                  "meaning; the run shows the pipeline, not caption quality.", ""]
    lines += [
        "## Table 1", "",
        "| Dataset | Scale (# samples) | Density (avg words/caption) | Knowledge-augmented? | Captioner size |",
        "|---|---|---|---|---|",
    ]
    for name, scale, density, ka, size in PAPER_TABLE1:
        lines.append(f"| {name} | {scale} | {density:.2f} | {ka} | {size} |")
    lines.append(f"| **This run** | {card.samples} | {card.words_per_caption:.2f} | "
                 f"{card.knowledge_augmented_share:.1%} of captions | {ours_size} |")
    lines += [
        "", f"Stage-1 captioner: {card.stage1_captioner}; fusion LLM: {card.fusion_model} "
            f"({_fmt_params(card.fusion_model_params)}); stage-2 captioner: {card.stage2_captioner}.",
        f"Samples by pool: {json.dumps(card.samples_by_pool)}. Input samples: {card.input_samples}.",
        "", f"## Sentence removals by rule (rules {card.rules_version})", "", "| rule | sentences removed |", "|---|---|",
    ]
    lines += [f"| {r} | {n} |" for r, n in card.removals_by_rule.items()] or ["| (none) | 0 |"]
    if card.removal_samples:
        lines += ["", "### Removed sentences, a sample per rule or detector", "",
                  "`classifier:<kind>` is the learned stage (kale_assets/leak_classifier.py); every other name is a "
                  "rule in the rules file. Re-filter with `kale filter-captions` after changing either.", ""]
        for rule, texts in card.removal_samples.items():
            lines.append(f"- **{rule}**: " + " · ".join(f"`{_md_escape(t)}`" for t in texts))
    lines += ["", "## Rejected samples by stage and reason", "", "| stage:reason | samples |", "|---|---|"]
    lines += [f"| {r} | {n} |" for r, n in card.rejected_by_stage_reason.items()] or ["| (none) | 0 |"]
    lines += ["", "## Caption length", "", f"![caption length histogram]({histogram_file})", ""]
    return "\n".join(lines)


# Hugging Face size_categories buckets (upper bounds, exclusive).
_SIZE_CATEGORIES = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
                    (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B"),
                    (10_000_000_000, "1B<n<10B")]
# Where the final shards lie relative to the work folder, the folder a published dataset repo mirrors.
FINAL_DATA_FILES = "kale_shards/*.parquet"
CARD_LICENSE = "apache-2.0"  # the license BLIP3-KALE's captions are released under; images stay with their owners


def size_category(n: int) -> str:
    return next((label for bound, label in _SIZE_CATEGORIES if n < bound), "n>1T")


def card_data(card: CardNumbers, data_files: str = FINAL_DATA_FILES, license_id: str = CARD_LICENSE):
    """The YAML header of the Hugging Face dataset card (huggingface_hub's `DatasetCardData`)."""
    from huggingface_hub import DatasetCardData

    tags = ["image-captioning", "synthetic-captions", "knowledge-augmented", "blip3-kale", "datacomp", "dagster"]
    return DatasetCardData(
        license=license_id,
        task_categories=["image-to-text"],
        language=["en"],
        size_categories=[size_category(card.samples)],
        pretty_name="KALE captions (tiny preset, random-weight models)" if card.tiny_preset else "KALE captions",
        tags=tags + (["tiny-preset"] if card.tiny_preset else []),
        configs=[{"config_name": "default", "data_files": [{"split": "train", "path": data_files}]}],
    )


def render_card(card: CardNumbers, histogram_file: str, data_files: str = FINAL_DATA_FILES):
    """The dataset card as huggingface_hub's `DatasetCard`: YAML header plus the markdown body."""
    from huggingface_hub import DatasetCard

    body = render_markdown(card, histogram_file)
    note = (f"Rows: parquet files matched by `{data_files}` relative to the work folder (one per shard, a "
            "`caption` column plus provenance per row); rejected samples live in their own folder. Method: "
            "BLIP3-KALE, arXiv [2411.07461](https://arxiv.org/abs/2411.07461).")
    return DatasetCard(f"---\n{card_data(card, data_files).to_yaml()}\n---\n\n{body}\n{note}\n")


def write_card(card: CardNumbers, lengths: pl.DataFrame, out_dir: str | Path) -> dict[str, str]:
    out = out_dir if is_remote(out_dir) else Path(out_dir)  # an s3:// work folder's card stays on the store
    png = histogram_png(lengths)
    atomic_write_bytes(out / "caption_length_hist.png", png)
    atomic_write_text(out / "README.md", str(render_card(card, "caption_length_hist.png")))
    atomic_write_text(out / "card.json", json.dumps(asdict(card), indent=2, sort_keys=True) + "\n")
    return {"readme": str(out / "README.md"), "histogram": str(out / "caption_length_hist.png"),
            "json": str(out / "card.json"), "histogram_b64": base64.b64encode(png).decode()}


def count_checkpoint_parameters(path: str | Path) -> int | None:
    """Parameter count from safetensors headers alone (no weights loaded); None when not a local checkpoint."""
    root = Path(path)
    files = sorted(root.glob("*.safetensors")) if root.is_dir() else []
    if not files:
        return None
    total = 0
    for file in files:
        with open(file, "rb") as fh:
            header_len = int.from_bytes(fh.read(8), "little")
            header = json.loads(fh.read(header_len))
        for name, info in header.items():
            if name == "__metadata__":
                continue
            n = 1
            for dim in info["shape"]:
                n *= dim
            total += n
    return total
