"""Training data for the student: stage-1 tables -> filtered, split tables -> a streaming, resumable dataset.

Memory does not grow with the number of shards: preparing reads one shard's text at a time, and training
streams images from the shard tars (`kale_assets.shard_io.open_images`) in DataLoader workers that decode and
preprocess them; nothing holds more than about ``shuffle_window`` decoded images per stream.

The order of an epoch is a pure function of the seed, the epoch and the prepared tables (text only):

1. the shards are shuffled (seed, epoch);
2. inside a shard, rows are shuffled within windows of ``shuffle_window`` consecutive rows (rows are kept in
   manifest order, which is tar order, so the tar is read once and few images wait for their turn);
3. the resulting sequence of all N training rows is cut into S = ``data_streams`` equal, contiguous streams
   (the last N mod S rows wait for the next epoch's order), and the epoch's global sequence interleaves them:
   global index g = i * S + k is row i of stream k.

Optimizer step b takes global indices [b*G, (b+1)*G) (G = ``global_batch_size``, a multiple of S). Rank r of W
owns the streams k with k mod W == r, so it reads only those streams' shards and gets G/W samples of every step;
DataLoader worker w of n on a rank owns every n-th of the rank's streams and, as the loader takes one sample
from each worker in turn, samples arrive in global order. The same step sees the same samples whatever W and n
are, and a resumed run restarts every stream at i = b*G/S without decoding anything it skips.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import random
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import polars as pl
from PIL import Image

from kale_assets.prompts import AltTextBudget, model_special_tokens, student_messages

IMAGE_TOKEN = "<image>"
IGNORE_INDEX = -100
TRAINING_COLUMNS = ["uid", "member", "alt_text", "target"]
PREPARED_INDEX = "prepared.json"


@dataclass(frozen=True)
class DistillationExample:
    uid: str
    image: Image.Image
    alt_text: str
    target: str  # the fused (knowledge-augmented) Stage-1 caption, after the artifact filter


# ---------------------------------------------------------------------------------------- held-out
def _uid_score(uid: str, seed: int) -> float:
    digest = hashlib.sha256(f"kale-heldout|{seed}|{uid}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_heldout(uids: Sequence[str], fraction: float, min_heldout: int, seed: int) -> set[str]:
    """Held-out uids, chosen by a hash of each uid alone.

    A uid is held out when its hash score is below ``fraction``, so membership does not move when more data
    arrives. When that gives fewer than ``min_heldout`` (small sets) the lowest-scoring uids are added; the
    result never holds every uid (at least one is left to train on). `prepare_training_data` makes the same
    choice shard by shard without holding every uid.
    """
    unique = sorted(set(uids))
    n = len(unique)
    if n <= 1:
        return set()
    scored = sorted(unique, key=lambda u: (_uid_score(u, seed), u))
    chosen = [u for u in scored if _uid_score(u, seed) < fraction]
    want_min = min(max(0, min_heldout), n - 1)
    if len(chosen) < want_min:
        chosen = scored[:want_min]
    if len(chosen) >= n:
        chosen = scored[: n - 1]
    return set(chosen)


# ---------------------------------------------------------------------------------------- stage-1 tables
@dataclass
class Stage1Table:
    """One stage-1 shard's training rows (text only) in manifest order, and where they came from."""

    shard_id: str
    rows: pl.DataFrame  # TRAINING_COLUMNS; target = the fused caption before the artifact filter
    content_hash: str  # changes whenever the rows could
    models: dict[str, set[str]] = field(default_factory=dict)  # role -> {"model_id@revision"}


def stage1_training_tables(layout, shard_ids: Iterable[str]) -> Iterator[Stage1Table]:
    """The one place training reads stage 1: fused captions joined with the manifest's member and alt-text.

    Only committed partitions are read, each verified against its commit (`kale_assets.commit`): a shard
    whose fusion never finished, or whose latest blocking checks failed, is skipped; a committed file that
    was edited or damaged since raises, naming the file. One shard at a time, so memory stays at one shard's
    text.
    """
    from kale_assets.commit import committed_digest, is_committed, read_committed

    for shard_id in shard_ids:
        if not (is_committed(layout, "fused_captions", shard_id) and is_committed(layout, "datacomp_shards", shard_id)):
            continue
        fused = read_committed(layout, "fused_captions", shard_id, columns=["uid", "caption", "model_id",
                                                                            "model_revision"])
        manifest = read_committed(layout, "datacomp_shards", shard_id, columns=["uid", "member", "alt_text"])
        rows = manifest.join(fused.select("uid", pl.col("caption").alias("target")), on="uid", how="inner",
                             maintain_order="left").select(TRAINING_COLUMNS)
        models = {"fusion": _model_tags(fused)}
        if is_committed(layout, "stage1_captions", shard_id):
            dense = read_committed(layout, "stage1_captions", shard_id, columns=["model_id", "model_revision"])
            models["teacher"] = _model_tags(dense)
        digest = committed_digest(layout, "fused_captions", shard_id)
        yield Stage1Table(shard_id, rows, f"{shard_id}:{digest}", models)


def _model_tags(frame: pl.DataFrame) -> set[str]:
    return {f"{m}@{r}" for m, r in frame.select("model_id", "model_revision").unique().iter_rows()}


def memory_tables(examples: Sequence[DistillationExample], per_shard: int = 64) -> Iterator[Stage1Table]:
    """In-memory examples as stage-1 tables (pseudo-shards of ``per_shard`` rows, member = uid)."""
    ordered = sorted(examples, key=lambda e: e.uid)
    for start in range(0, len(ordered), per_shard):
        chunk = ordered[start : start + per_shard]
        rows = pl.DataFrame({"uid": [e.uid for e in chunk], "member": [e.uid for e in chunk],
                             "alt_text": [e.alt_text or "" for e in chunk], "target": [e.target for e in chunk]},
                            schema={c: pl.String for c in TRAINING_COLUMNS})
        digest = hashlib.sha256(rows.write_csv().encode()).hexdigest()
        yield Stage1Table(f"mem{start // per_shard:05d}", rows, digest)


# ---------------------------------------------------------------------------------------- prepared data
@dataclass(frozen=True)
class PreparedShard:
    shard_id: str
    table: str  # parquet: TRAINING_COLUMNS + heldout (bool), manifest order
    n_train: int
    n_heldout: int


@dataclass(frozen=True)
class PreparedData:
    """Filtered, split training tables, one parquet per shard, and what preparing them dropped."""

    root: str
    shards: tuple[PreparedShard, ...]
    fingerprint: str
    n_input: int
    dropped: dict[str, int]  # artifact-filter drop reason -> rows
    rules_sha256: str | None
    models: dict[str, list[str]] = field(default_factory=dict)

    @property
    def n_train(self) -> int:
        return sum(s.n_train for s in self.shards)

    @property
    def n_heldout(self) -> int:
        return sum(s.n_heldout for s in self.shards)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def load(cls, root: str | Path) -> PreparedData:
        data = json.loads((Path(root) / PREPARED_INDEX).read_text())
        data["shards"] = tuple(PreparedShard(**s) for s in data["shards"])
        data["root"] = str(root)
        return cls(**data)

    def rows(self, shard: PreparedShard, heldout: bool) -> pl.DataFrame:
        frame = pl.read_parquet(Path(self.root) / shard.table)
        return frame.filter(pl.col("heldout") == heldout)

    def row_dicts(self, shard: PreparedShard, heldout: bool) -> list[dict[str, Any]]:
        """`rows` as dicts, read with pyarrow: this runs in forked DataLoader workers, where polars' thread
        pool (created in the parent before the fork) can deadlock."""
        import pyarrow.parquet as pq

        return [r for r in pq.read_table(Path(self.root) / shard.table).to_pylist() if r["heldout"] == heldout]


def _filter_targets(rows: pl.DataFrame, rules, dropped: dict[str, int]) -> pl.DataFrame:
    """Targets through the artifact filter of the final shards: the student learns what we ship."""
    if rules is None or rows.is_empty():
        return rows
    from kale_assets.filtering import filter_frame

    out = filter_frame(rows.rename({"target": "caption"}), rules)
    for reason, n in out.filter(pl.col("drop_reason").is_not_null()).group_by("drop_reason").len().iter_rows():
        dropped[reason] = dropped.get(reason, 0) + int(n)
    return out.filter(pl.col("caption").is_not_null()).select(
        "uid", "member", "alt_text", pl.col("caption").alias("target"))


def prepare_training_data(tables: Iterable[Stage1Table], root: str | Path, *, rules=None,
                          heldout_fraction: float, min_heldout: int, seed: int) -> PreparedData:
    """Write ``root/<fingerprint>/``: per shard the filtered rows with a held-out flag, and an index.

    The held-out choice equals `split_heldout` over all kept uids, made one shard at a time: only the
    ``min_heldout`` lowest hash scores are kept across shards for the small-set fallback.
    """
    root = Path(root)
    tmp = root / f".prepare-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    shards, dropped, n_input, lowest = [], {}, 0, []
    material = hashlib.sha256(json.dumps([getattr(rules, "sha256", None), heldout_fraction, min_heldout, seed])
                              .encode())
    models: dict[str, set[str]] = {}
    for table in tables:
        n_input += table.rows.height
        rows = _filter_targets(table.rows, rules, dropped)
        scores = [_uid_score(u, seed) for u in rows["uid"].to_list()]
        rows = rows.with_columns(pl.Series("heldout", [s < heldout_fraction for s in scores], dtype=pl.Boolean))
        for score, uid in zip(scores, rows["uid"].to_list()):
            item = (-score, uid, table.shard_id)  # max-heap of the min_heldout lowest scores
            if len(lowest) < min_heldout:
                heapq.heappush(lowest, item)
            elif min_heldout and item > lowest[0]:
                heapq.heapreplace(lowest, item)
        name = f"{table.shard_id}.parquet"
        rows.write_parquet(tmp / name)
        material.update(table.content_hash.encode())
        for role, tags in table.models.items():
            models.setdefault(role, set()).update(tags)
        shards.append(PreparedShard(table.shard_id, name, int((~rows["heldout"]).sum()), int(rows["heldout"].sum())))
    shards = _apply_min_heldout(tmp, shards, lowest, min_heldout)
    fingerprint = material.hexdigest()[:16]
    prepared = PreparedData(str(root / fingerprint), tuple(shards), fingerprint, n_input, dropped,
                            getattr(rules, "sha256", None), {r: sorted(t) for r, t in models.items()})
    (tmp / PREPARED_INDEX).write_text(json.dumps(prepared.to_json(), indent=1, sort_keys=True))
    final = root / fingerprint
    if final.exists():  # the same inputs were prepared before: identical content
        shutil.rmtree(tmp)
    else:
        os.replace(tmp, final)
    return PreparedData.load(final)


def _apply_min_heldout(folder: Path, shards: list[PreparedShard], lowest: list, min_heldout: int):
    n_total = sum(s.n_train + s.n_heldout for s in shards)
    held = sum(s.n_heldout for s in shards)
    want = min(max(0, min_heldout), max(0, n_total - 1))
    if held < want:
        extra: dict[str, set[str]] = {}
        for _, uid, shard_id in sorted(lowest, reverse=True)[:want]:
            extra.setdefault(shard_id, set()).add(uid)
        shards = [_mark_heldout(folder, s, extra[s.shard_id]) if s.shard_id in extra else s for s in shards]
    if n_total > 1 and sum(s.n_train for s in shards) == 0:
        raise ValueError("heldout_fraction holds out every row: nothing left to train on")
    return shards


def _mark_heldout(folder: Path, shard: PreparedShard, uids: set[str]) -> PreparedShard:
    frame = pl.read_parquet(folder / shard.table)
    frame = frame.with_columns((pl.col("heldout") | pl.col("uid").is_in(sorted(uids))).alias("heldout"))
    frame.write_parquet(folder / shard.table)
    return PreparedShard(shard.shard_id, shard.table, int((~frame["heldout"]).sum()), int(frame["heldout"].sum()))


# ---------------------------------------------------------------------------------------- images
class ImageSource(Protocol):
    def open(self, shard_id: str, members: list[str]) -> Iterator[tuple[str, Image.Image]]:
        """Yield ``(member, rgb_image)`` for the requested members, in any order, each once."""
        ...


@dataclass(frozen=True)
class TarImages:
    """Images streamed from the shard tars, decoded as ingest validated them."""

    tar_urls: dict[str, str]  # shard id -> tar url
    storage_options: dict = field(default_factory=dict)

    def open(self, shard_id: str, members: list[str]) -> Iterator[tuple[str, Image.Image]]:
        from kale_assets.shard_io import ShardRef, open_images

        ref = ShardRef(shard_id, self.tar_urls[shard_id], None)
        return open_images(ref, members, storage_options=self.storage_options or None)

    def to_json(self) -> dict[str, Any]:
        return {"kind": "tar", "tar_urls": self.tar_urls, "storage_options": self.storage_options}


class MemoryImages:
    """Images already in memory (tests, small in-process runs); DataLoader workers inherit them by fork."""

    def __init__(self, examples: Sequence[DistillationExample]):
        self._images = {e.uid: e.image for e in examples}

    def open(self, shard_id: str, members: list[str]) -> Iterator[tuple[str, Image.Image]]:
        return ((m, self._images[m]) for m in members)


def image_source_from_json(data: dict[str, Any]) -> ImageSource:
    if data.get("kind") != "tar":
        raise ValueError(f"only tar image sources can cross a process boundary, got {data.get('kind')!r}")
    return TarImages(dict(data["tar_urls"]), dict(data.get("storage_options") or {}))


# ---------------------------------------------------------------------------------------- epoch order
@dataclass(frozen=True)
class Segment:
    shard: int  # index into PreparedData.shards
    start: int  # positions in the shard's epoch order of training rows
    stop: int


def shard_order(n_rows: int, *, seed: int, epoch: int, shard_id: str, window: int) -> list[int]:
    """Row positions of a shard in this epoch: shuffled inside windows of consecutive rows."""
    rng = random.Random(f"kale-rows|{seed}|{epoch}|{shard_id}")
    order: list[int] = []
    for start in range(0, n_rows, max(1, window)):
        block = list(range(start, min(n_rows, start + max(1, window))))
        rng.shuffle(block)
        order += block
    return order


def epoch_streams(prepared: PreparedData, *, seed: int, epoch: int, n_streams: int) -> tuple[list[list[Segment]], int]:
    """The epoch's S streams as segments of shards, and their common length L (N // S)."""
    perm = list(range(len(prepared.shards)))
    random.Random(f"kale-shards|{seed}|{epoch}").shuffle(perm)
    length = prepared.n_train // n_streams
    streams: list[list[Segment]] = [[] for _ in range(n_streams)]
    cursor = iter([(i, prepared.shards[i].n_train) for i in perm if prepared.shards[i].n_train])
    shard, left, pos = None, 0, 0
    for k in range(n_streams):
        need = length
        while need:
            if left == 0:
                shard, left = next(cursor)
                pos = 0
            take = min(need, left)
            streams[k].append(Segment(shard, pos, pos + take))
            pos, left, need = pos + take, left - take, need - take
    return streams, length


def steps_per_epoch(prepared: PreparedData, *, n_streams: int, global_batch: int) -> int:
    return (prepared.n_train // n_streams) // (global_batch // n_streams)


class StreamingDistillationDataset:
    """Iterable of ``(global_index, encoded_sample)`` for one rank of one epoch, from stream position ``start``.

    Made a ``torch.utils.data.IterableDataset`` by `make_dataset` (torch is imported lazily in this module).
    """

    def __init__(self, prepared: PreparedData, images: ImageSource, encode: Callable[[DistillationExample], Any],
                 *, seed: int, epoch: int, n_streams: int, window: int, rank: int = 0, world_size: int = 1,
                 start: int = 0):
        if n_streams % world_size:
            raise ValueError(f"data_streams {n_streams} must be a multiple of the number of processes {world_size}")
        self.prepared, self.images, self.encode = prepared, images, encode
        self.seed, self.epoch, self.n_streams, self.window = seed, epoch, n_streams, window
        self.rank, self.world_size, self.start = rank, world_size, start

    def streams_of_worker(self, worker: int, n_workers: int) -> list[int]:
        mine = [k for k in range(self.n_streams) if k % self.world_size == self.rank]
        if len(mine) % n_workers:
            raise ValueError(f"{len(mine)} streams per process cannot be split evenly over {n_workers} workers "
                             "(choose data_streams = processes x workers x m)")
        return [k for j, k in enumerate(mine) if j % n_workers == worker]

    def iterate(self, worker: int = 0, n_workers: int = 1) -> Iterator[tuple[int, Any]]:
        streams, length = epoch_streams(self.prepared, seed=self.seed, epoch=self.epoch, n_streams=self.n_streams)
        ks = self.streams_of_worker(worker, n_workers)
        readers = {k: self._stream_rows(streams[k], self.start) for k in ks}
        try:
            for i in range(self.start, length):
                for k in ks:
                    row, image = next(readers[k])
                    example = DistillationExample(row["uid"], image, row["alt_text"], row["target"])
                    yield i * self.n_streams + k, self.encode(example)
        finally:
            for reader in readers.values():
                reader.close()

    def _stream_rows(self, segments: list[Segment], skip: int) -> Iterator[tuple[dict, Image.Image]]:
        for seg in segments:
            size = seg.stop - seg.start
            if skip >= size:
                skip -= size
                continue
            yield from self._segment_rows(Segment(seg.shard, seg.start + skip, seg.stop))
            skip = 0

    def _segment_rows(self, seg: Segment) -> Iterator[tuple[dict, Image.Image]]:
        shard = self.prepared.shards[seg.shard]
        rows = self.prepared.row_dicts(shard, heldout=False)
        order = shard_order(len(rows), seed=self.seed, epoch=self.epoch, shard_id=shard.shard_id,
                            window=self.window)
        wanted = [rows[p] for p in order[seg.start : seg.stop]]
        yield from read_rows(self.images, shard.shard_id, wanted)


def read_rows(images: ImageSource, shard_id: str, wanted: list[dict]) -> Iterator[tuple[dict, Image.Image]]:
    """``wanted`` rows with their images, in the given order, reading the shard once.

    Images that arrive before their turn wait in a small stash; with rows in tar order and window-shuffled,
    the stash stays under one window.
    """
    source = images.open(shard_id, [r["member"] for r in wanted])
    stash: dict[str, Image.Image] = {}
    try:
        for row in wanted:
            while row["member"] not in stash:
                member, image = next(source)
                stash[member] = image
            yield row, stash.pop(row["member"])
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()


def heldout_examples(prepared: PreparedData, images: ImageSource, limit: int) -> Iterator[DistillationExample]:
    """The first ``limit`` held-out rows (shard id order, then manifest order), with their images."""
    left = max(0, limit)
    for shard in sorted(prepared.shards, key=lambda s: s.shard_id):
        if left == 0:
            return
        if not shard.n_heldout:
            continue
        wanted = prepared.rows(shard, heldout=True).head(left).to_dicts()
        for row, image in read_rows(images, shard.shard_id, wanted):
            yield DistillationExample(row["uid"], image, row["alt_text"], row["target"])
        left -= len(wanted)


def make_dataset(stream: StreamingDistillationDataset):
    """A torch IterableDataset over ``stream``: each DataLoader worker iterates its own streams."""
    import torch

    class _Dataset(torch.utils.data.IterableDataset):
        def __iter__(self):
            info = torch.utils.data.get_worker_info()
            return stream.iterate(info.id, info.num_workers) if info else stream.iterate(0, 1)

    return _Dataset()


# ---------------------------------------------------------------------------------------- encoding
@dataclass
class EncodedExample:
    uid: str
    input_ids: list[int]
    labels: list[int]
    extra: dict[str, Any]  # processor outputs besides the text (pixel_values, ...), each with batch dim 1
    text_aligned: dict[str, list[int]]  # other per-token processor outputs (token_type_ids, ...)
    n_prompt: int
    n_target: int


def cut_alt_text(alt_text: str | None, tokenizer, max_tokens: int) -> str:
    """Sanitise and cut alt-text to ``max_tokens`` of the student's tokenizer - same as at inference."""

    def truncate(text: str, n: int) -> str:
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        return text if len(ids) <= n else tokenizer.decode(ids[:n], skip_special_tokens=True)

    # The student's own special/added tokens are stripped too, as AltTextBudget.for_engine does when it serves.
    return AltTextBudget(max_tokens, truncate, model_special_tokens(tokenizer)).apply(alt_text)[0]


def processor_tokenizer(processor):
    return getattr(processor, "tokenizer", processor)


def encode_example(processor, example: DistillationExample, train) -> EncodedExample:
    """Prompt (image + alt-text, rendered and expanded by the processor exactly as the engine does) followed
    by the caption tokens and EOS. Labels are -100 on every prompt token; a cut caption gets no EOS."""
    tokenizer = processor_tokenizer(processor)
    alt = cut_alt_text(example.alt_text, tokenizer, train.max_alt_text_tokens)
    prompt = processor.apply_chat_template(student_messages(alt), add_generation_prompt=True, tokenize=False)
    image = example.image.convert("RGB") if example.image.mode != "RGB" else example.image
    enc = processor(text=[prompt], images=[[image]], return_tensors="pt")
    prompt_ids = enc["input_ids"][0].tolist()
    target_ids = tokenizer(example.target.strip(), add_special_tokens=False)["input_ids"]
    if len(target_ids) > train.max_target_tokens:
        target_ids = target_ids[: train.max_target_tokens]
    elif tokenizer.eos_token_id is not None:
        target_ids = target_ids + [tokenizer.eos_token_id]
    extra: dict[str, Any] = {}
    text_aligned: dict[str, list[int]] = {}
    for key, value in enc.items():
        if key in ("input_ids", "attention_mask"):
            continue
        if hasattr(value, "shape") and tuple(value.shape) == tuple(enc["input_ids"].shape):
            text_aligned[key] = value[0].tolist()
        else:
            extra[key] = value
    return EncodedExample(
        uid=example.uid,
        input_ids=prompt_ids + target_ids,
        labels=[IGNORE_INDEX] * len(prompt_ids) + list(target_ids),
        extra=extra,
        text_aligned=text_aligned,
        n_prompt=len(prompt_ids),
        n_target=len(target_ids),
    )


def collate_batch(encoded: Sequence[EncodedExample], pad_token_id: int) -> dict[str, Any]:
    """Right-padded batch: input_ids, attention_mask, labels (-100 on prompt and padding), pixel tensors."""
    import torch

    width = max(len(e.input_ids) for e in encoded)
    input_ids = torch.full((len(encoded), width), pad_token_id, dtype=torch.long)
    attention = torch.zeros((len(encoded), width), dtype=torch.long)
    labels = torch.full((len(encoded), width), IGNORE_INDEX, dtype=torch.long)
    for row, e in enumerate(encoded):
        n = len(e.input_ids)
        input_ids[row, :n] = torch.tensor(e.input_ids)
        attention[row, :n] = 1
        labels[row, :n] = torch.tensor(e.labels)
    batch: dict[str, Any] = {"input_ids": input_ids, "attention_mask": attention, "labels": labels}
    for key in encoded[0].text_aligned:
        t = torch.zeros((len(encoded), width), dtype=torch.long)
        for row, e in enumerate(encoded):
            values = e.text_aligned[key]
            t[row, : len(values)] = torch.tensor(values)
        batch[key] = t
    for key in encoded[0].extra:
        tensors = [e.extra[key] for e in encoded]
        if not all(hasattr(t, "shape") for t in tensors):
            continue
        shape = [max(t.shape[d] for t in tensors) for d in range(tensors[0].dim())]
        padded = []
        for t in tensors:
            if list(t.shape) != shape:
                # Zero padding is what the processors themselves use for missing image tiles.
                out = torch.zeros(shape, dtype=t.dtype)
                out[tuple(slice(0, s) for s in t.shape)] = t
                t = out
            padded.append(t)
        batch[key] = torch.cat(padded, dim=0)
    return batch
