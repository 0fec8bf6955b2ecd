"""Reading img2dataset / DataComp WebDataset shards (domain logic, no Dagster).

Input layout
------------
A shard folder (local path or any fsspec URL such as ``s3://bucket/prefix``; every access
goes through fsspec) holds ``NNNNNNNN.tar`` shards, usually with a ``NNNNNNNN.parquet``
beside each (and ``NNNNNNNN_stats.json``, which is ignored).  Tar members are grouped into
samples the way WebDataset does it: the *key* is the member path up to the first ``.`` of
its basename, the rest is the extension (``000000012.jpg`` -> key ``000000012``, ext
``jpg``).  A sample is a run of consecutive members with the same key; a member whose
extension was already seen in the current run starts a new *occurrence* of that key (this is
how a duplicated key shows up in a tar).

Input samples
-------------
``n_input`` counts the *input samples* of a shard.  They are the union of

* every sample occurrence found in the tar (the first occurrence of a key and every later
  occurrence of the same key, each counted separately),
* every parquet key that never appears in the tar (failed downloads, lost images, samples
  after a truncation point),
* every extra parquet row that repeats an already listed key (counted separately, rejected as
  ``duplicate_key``).

Every input sample ends up in exactly one of ``manifest`` (usable) or ``rejected`` (one row,
one reason), so ``n_input == len(manifest) + len(rejected)`` always holds (asserted).

Rejection reasons (``REJECTION_REASONS``; ``detail`` carries human readable text)
-----------------------------------------------------------------------------------
Checks run in this order and the first failing one is recorded (one row per input sample).
``rejected.uid`` is the normalised uid when valid, else the raw value (or null).

``duplicate_key``       a later tar occurrence of a key that was already kept (the *first
                        valid* occurrence in tar order is kept; invalid earlier occurrences
                        keep their own reason), or a repeated parquet row for a key.
``unsafe_member_name``  a member of the sample has an absolute path, a ``..`` component, a
                        backslash, a drive letter or control characters, or is not a regular
                        file (symlink, hard link, device, fifo).  Nothing is ever extracted
                        to disk: members are read into memory from a streamed
                        ``tarfile.open(fileobj=..., mode="r|*")``.
``download_failed``     the parquet (or, tar-only, the .json) status is not ``success``;
                        detail is the ``error_message``.
``truncated_tar``       the tar file ends early / is corrupt: the sample being read at the
                        break (if its image was not complete), and every parquet-listed sample
                        that was not reached.
``missing_image``       listed as a sample (parquet row or img2dataset .json) but there is no
                        image member.
``orphan_member``       a group of members with no image and no metadata at all (no parquet
                        row, no .json), e.g. a stray ``.txt`` or ``README``.
``invalid_uid``         uid missing or not 32 hex characters (upper case is normalised to
                        lower case and accepted).
``member_too_large``    a ``.txt``/``.json`` member bigger than ``max_member_bytes`` (never
                        read into memory).
``alt_text_not_utf8``   the ``.txt`` member is not valid UTF-8 (no fallback: the member is
                        there but broken).
``missing_alt_text``    no non-empty alt-text in ``.txt``, parquet ``caption``/``text`` or
                        .json ``caption``, with ``empty_alt_text="reject"``; by default
                        (``"caption"``) such a sample is kept with an empty alt-text.
``image_too_large``     the image member is bigger than ``max_member_bytes`` or its header
                        declares more than ``max_pixels`` pixels (checked before decoding,
                        so a decompression bomb never allocates its pixels).
``corrupt_image``       PIL cannot identify/decode the image (truncated, random bytes, a
                        format outside ``ALLOWED_IMAGE_FORMATS``).
``image_too_small``     decoded (EXIF-oriented) width or height below ``min_side``.
``duplicate_uid``       the uid already belongs to a kept sample of this shard (the first
                        kept one in tar order wins).

Decisions
---------
* Tar-only samples (no parquet row, or no parquet file at all) are *accepted* when they
  have an image: their uid/url/caption come from the sample's ``.json``.  The tar is the
  ground truth of what was downloaded; the parquet is only a row index of the same run.
* uid: the sample's ``.json`` ``uid`` wins over the parquet ``uid`` (the json travels with the
  image, the parquet is joined by key); stripped and lower-cased; must match
  ``[0-9a-f]{32}``.
* Alt-text sources, first non-empty wins: tar ``.txt`` -> parquet ``caption`` -> parquet
  ``text`` -> .json ``caption``.  Normalisation (``normalize_alt_text``): strict UTF-8
  (BOM characters are dropped), Unicode NFC, control characters turned into spaces, and *all* whitespace
  runs - including newlines and tabs - collapsed to one space, then stripped.  Alt-text is a
  one-line HTML attribute; newlines in it are scraping artefacts and would break prompt and
  JSONL formatting downstream.
* Parquet status ``!= "success"`` rejects the sample even if the tar holds an image for it.
  A missing ``status`` column/value means success.
* A parquet that is missing, unreadable or has no ``key`` column is ignored (the tar alone
  defines the samples) and a line is added to ``ShardReadResult.warnings``.
* Directory members are ignored (they are not samples); members with unknown extensions are
  ignored inside a sample.
* ``member`` in the manifest is the tar member name of the image.  Only when the same member
  name occurred earlier in the tar (a duplicated key whose first occurrence was invalid) it
  carries an occurrence suffix ``#N`` (N = number of earlier members with that exact name);
  ``open_images`` understands it.
* A tar that silently stops at a header boundary (tarfile treats that as a normal end) is
  detected by checking that a zero end-of-archive block sits where tarfile stopped.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import inspect
import io
import json
import logging
import os
import re
import tarfile
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fsspec
import numpy as np
import polars as pl
from PIL import Image, ImageOps

from kale_assets.io_utils import atomic_write

log = logging.getLogger(__name__)

__all__ = [
    "ALLOWED_IMAGE_FORMATS",
    "IMAGE_EXTENSIONS",
    "MANIFEST_COLUMNS",
    "REJECTED_COLUMNS",
    "REJECTION_REASONS",
    "CorruptImageError",
    "ImageRejectedError",
    "ImageTooLargeError",
    "ShardIOError",
    "ShardReadResult",
    "ShardRef",
    "list_shards",
    "load_image_bytes_as_rgb",
    "normalize_alt_text",
    "open_images",
    "read_shard",
    "write_bytes_atomic",
    "write_parquet_atomic",
]

MANIFEST_COLUMNS: dict[str, Any] = {
    "uid": pl.Utf8,
    "key": pl.Utf8,
    "shard": pl.Utf8,
    "member": pl.Utf8,
    "alt_text": pl.Utf8,
    "width": pl.Int32,
    "height": pl.Int32,
    "image_format": pl.Utf8,
    "image_sha256": pl.Utf8,
    "url": pl.Utf8,
}

REJECTED_COLUMNS: dict[str, Any] = {
    "uid": pl.Utf8,
    "key": pl.Utf8,
    "shard": pl.Utf8,
    "reason": pl.Utf8,
    "detail": pl.Utf8,
}

REJECTION_REASONS: tuple[str, ...] = (
    "duplicate_key",
    "unsafe_member_name",
    "download_failed",
    "truncated_tar",
    "missing_image",
    "orphan_member",
    "invalid_uid",
    "member_too_large",
    "alt_text_not_utf8",
    "missing_alt_text",
    "image_too_large",
    "corrupt_image",
    "image_too_small",
    "duplicate_uid",
)

# Image member extensions, in preference order when a sample has several.
IMAGE_EXTENSIONS: tuple[str, ...] = ("jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff")
# PIL plugins allowed to decode (never EPS & co., which shell out / are exotic attack surface).
ALLOWED_IMAGE_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")  # JPEG covers MPO
DEFAULT_MAX_MEMBER_BYTES = 64 * 1024 * 1024

_SHARD_STEM_RE = re.compile(r"^\d+$")
_UID_RE = re.compile(r"^[0-9a-f]{32}$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NAME_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
_OCCURRENCE_RE = re.compile(r"^(.*)#(\d+)$", re.DOTALL)
_TAR_READ_ERRORS: tuple[type[BaseException], ...] = (tarfile.TarError, EOFError, OSError, ValueError)
try:  # pragma: no cover - optional compression modules
    import zlib

    _TAR_READ_ERRORS += (zlib.error,)
    import lzma

    _TAR_READ_ERRORS += (lzma.LZMAError,)
except ImportError:  # pragma: no cover
    pass
# A damaged archive (truncated, bad compression) as opposed to the store failing to deliver bytes: only these
# make a requested image unavailable; any other OSError is an I/O failure that must fail the step.
_ARCHIVE_DATA_ERRORS: tuple[type[BaseException], ...] = tuple(
    e for e in _TAR_READ_ERRORS if e is not OSError) + (gzip.BadGzipFile,)


class ShardIOError(RuntimeError):
    """A shard cannot be read the way the caller asked (e.g. open_images on a broken tar)."""


class ImageRejectedError(ValueError):
    """Raised by ``load_image_bytes_as_rgb``; ``reason`` is a rejection code."""

    reason = "corrupt_image"


class CorruptImageError(ImageRejectedError):
    reason = "corrupt_image"


class ImageTooLargeError(ImageRejectedError):
    reason = "image_too_large"


# --------------------------------------------------------------------------------------
# shard listing
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShardRef:
    shard_id: str  # "00000000" (the file stem)
    tar_url: str  # full fsspec url/path of the .tar
    parquet_url: str | None


def _fs(url: str, storage_options: dict | None):
    return fsspec.core.url_to_fs(url, **(storage_options or {}))


def _join(source: str, name: str) -> str:
    base = source.rstrip("/") or source
    if base.endswith("/"):
        return base + name
    return f"{base}/{name}"


def list_shards(source: str, storage_options: dict | None = None) -> list[ShardRef]:
    """List the shards of a folder: every ``<digits>.tar`` (DataComp writes 8 digits, plain
    img2dataset 5), with ``<digits>.parquet`` beside it when present.

    Sorted by shard id (numerically, then as text).  Raises ``FileNotFoundError`` when the
    source does not exist and ``NotADirectoryError`` when it is a file.  An existing folder
    without shards gives ``[]``.
    """
    source = str(source)
    fs, path = _fs(source, storage_options)
    with contextlib.suppress(Exception):
        fs.invalidate_cache(path)
    if not fs.isdir(path):
        if fs.exists(path):
            raise NotADirectoryError(f"shard source {source!r} is a file, not a folder of shards")
        raise FileNotFoundError(f"shard source {source!r} does not exist")
    names = {_basename(p) for p in fs.ls(path, detail=False)}
    refs = []
    for name in names:
        if not name.endswith(".tar"):
            continue
        stem = name[: -len(".tar")]
        if not _SHARD_STEM_RE.match(stem):
            continue
        pq_name = f"{stem}.parquet"
        refs.append(
            ShardRef(
                shard_id=stem,
                tar_url=_join(source, name),
                parquet_url=_join(source, pq_name) if pq_name in names else None,
            )
        )
    refs.sort(key=lambda r: (int(r.shard_id), r.shard_id))
    return refs


def _basename(p: str) -> str:
    return p.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class ShardListing:
    """Shards listed beyond a known id, and what the listing cost."""

    refs: list[ShardRef]
    objects_listed: int  # entries the store returned: on S3 one LIST request per 1,000
    incremental: bool  # True: only key-prefix blocks from the known id up were listed, not the whole folder


# Shard ids are listed in blocks of 10**3 consecutive ids (one key prefix each): DataComp's 8-digit ids share
# their first 5 digits within a block, so a tick after N new shards lists about N/1000 + 2 blocks.
LISTING_BLOCK_DIGITS = 3


def _shard_sort_key(shard_id: str) -> tuple[int, str]:
    return int(shard_id), shard_id


def _lists_by_prefix(fs) -> bool:
    """Whether the store filters a listing by key prefix on the server (s3fs and gcsfs ``find(prefix=)``); a
    local folder or fsspec's memory store ignore the argument and would list everything anyway."""
    return "prefix" in inspect.signature(fs.find).parameters


def _refs_from_names(source: str, names: set[str]) -> list[ShardRef]:
    refs = []
    for name in names:
        stem = name[: -len(".tar")] if name.endswith(".tar") else None
        if stem is None or not _SHARD_STEM_RE.match(stem):
            continue
        pq_name = f"{stem}.parquet"
        refs.append(ShardRef(shard_id=stem, tar_url=_join(source, name),
                             parquet_url=_join(source, pq_name) if pq_name in names else None))
    refs.sort(key=lambda r: _shard_sort_key(r.shard_id))
    return refs


def list_shards_after(source: str, after: str | None, storage_options: dict | None = None) -> ShardListing:
    """The shards of ``source`` whose id sorts after ``after`` (all of them when ``after`` is None).

    On a store that lists by key prefix (S3, GCS) only the blocks of ``10**LISTING_BLOCK_DIGITS`` ids from
    ``after``'s block upward are listed, stopping at the first block after it without a shard: the cost is
    what is new, not the folder's size. Ids below ``after`` that arrive late, and new ids beyond an empty
    block, are not seen here: callers relist the whole folder now and then (`list_shards`).
    Elsewhere (a local folder) the whole folder is listed and filtered.
    """
    source = str(source)
    fs, path = _fs(source, storage_options)
    with contextlib.suppress(Exception):
        fs.invalidate_cache(path)
    width = len(after or "")
    if after is None or not _SHARD_STEM_RE.match(after) or width <= LISTING_BLOCK_DIGITS or not _lists_by_prefix(fs):
        if not fs.isdir(path):
            if fs.exists(path):
                raise NotADirectoryError(f"shard source {source!r} is a file, not a folder of shards")
            raise FileNotFoundError(f"shard source {source!r} does not exist")
        names = {_basename(p) for p in fs.ls(path, detail=False)}
        refs = _refs_from_names(source, names)
        if after is not None:
            refs = [r for r in refs if _shard_sort_key(r.shard_id) > _shard_sort_key(after)]
        return ShardListing(refs, len(names), incremental=False)
    prefix_width = width - LISTING_BLOCK_DIGITS
    block = int(after[:prefix_width])
    names: set[str] = set()
    listed = 0
    while len(str(block)) <= prefix_width:
        found = {_basename(p) for p in fs.find(path, maxdepth=1, prefix=f"{block:0{prefix_width}d}")}
        listed += len(found)
        if not any(n.endswith(".tar") for n in found) and block > int(after[:prefix_width]):
            break
        names |= found
        block += 1
    refs = [r for r in _refs_from_names(source, names)
            if len(r.shard_id) == width and r.shard_id > after]
    return ShardListing(refs, listed, incremental=True)


def listing_token(source: str, storage_options: dict | None = None) -> str | None:
    """A cheap token that changes whenever entries are added to or removed from a local source folder (its
    mtime), so an unchanged folder is not relisted; None for object stores, which have no such token."""
    fs, path = _fs(str(source), storage_options)
    if "file" not in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)):
        return None
    try:
        return str(os.stat(path).st_mtime_ns)
    except FileNotFoundError:
        return None


def list_shards_in_range(source: str, first: int, last: int, storage_options: dict | None = None) -> list[str]:
    """The ids of the 8-digit shards numbered ``first``..``last`` present in ``source``, sorted.

    Lists only the names that start with the range's common prefix (one short listing page on S3 for an
    aligned group of 100), never the whole source: a group's run must not cost a listing of 128k objects.
    """
    lo, hi = f"{first:08d}", f"{last:08d}"
    prefix = lo[: next((i for i, (a, b) in enumerate(zip(lo, hi, strict=True)) if a != b), len(lo))]
    fs, path = _fs(str(source), storage_options)
    found = {_basename(p)[: -len(".tar")] for p in fs.glob(f"{path.rstrip('/')}/{prefix}*.tar")}
    return sorted(s for s in found if len(s) == 8 and s.isdigit() and first <= int(s) <= last)


# --------------------------------------------------------------------------------------
# image decoding
# --------------------------------------------------------------------------------------


def _grey16_to_rgb(im: Image.Image) -> Image.Image:
    arr = np.asarray(im)
    if im.mode == "F":
        arr = arr.astype(np.float64)
        if arr.size and np.nanmax(arr) <= 1.0:
            arr = arr * 255.0
        arr8 = np.clip(np.nan_to_num(np.rint(arr)), 0, 255).astype(np.uint8)
    else:
        arr = arr.astype(np.int64)
        if im.mode.startswith("I;16") or (arr.size and arr.max() > 255):
            arr8 = (np.clip(arr, 0, 65535) >> 8).astype(np.uint8)
        else:
            arr8 = np.clip(arr, 0, 255).astype(np.uint8)
    return Image.fromarray(np.ascontiguousarray(arr8), mode="L").convert("RGB")


def _to_rgb(im: Image.Image) -> Image.Image:
    mode = im.mode
    if mode == "RGB":
        return im
    if mode in ("I", "F") or mode.startswith("I;16"):
        return _grey16_to_rgb(im)
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info
    if has_alpha:
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return im.convert("RGB")


_ADDRESS_RE = re.compile(r" at 0x[0-9a-fA-F]+")


def _describe(e: BaseException) -> str:
    """Exception text without memory addresses, so rejection details are reproducible."""
    return _ADDRESS_RE.sub("", f"{type(e).__name__}: {e}")


def load_image_bytes_as_rgb(data: bytes, *, max_pixels: int = 40_000_000) -> Image.Image:
    """Decode image bytes into a fully loaded RGB ``PIL.Image`` (the one decode path of the
    project: ``read_shard`` validates with it, ``open_images`` serves with it).

    * only ``ALLOWED_IMAGE_FORMATS`` are tried (no EPS/ghostscript & co.);
    * the header size is checked against ``max_pixels`` *before* any pixel is decoded, and
      PIL's own decompression-bomb error is mapped to ``ImageTooLargeError``.  PIL's global
      ``Image.MAX_IMAGE_PIXELS`` is left alone (other code in the process may rely on it);
      the explicit per-call check is the stricter guard;
    * truncated data is an error (``ImageFile.LOAD_TRUNCATED_IMAGES`` is not touched);
    * first frame only; EXIF orientation applied (a broken EXIF block is ignored);
    * palette / alpha images are composited on white; CMYK, YCbCr, LAB, 1-bit, grayscale are
      converted; 16-bit / 32-bit grayscale are scaled to 8 bit instead of clipped.

    Raises ``ImageTooLargeError`` or ``CorruptImageError`` (both ``ImageRejectedError``).
    """
    return _decode_image(data, max_pixels=max_pixels)[0]


def _decode_image(data: bytes, *, max_pixels: int) -> tuple[Image.Image, str]:
    """``load_image_bytes_as_rgb`` plus the decoded format name (``jpeg``, ``png``, ...)."""
    try:
        im = Image.open(io.BytesIO(data), formats=list(ALLOWED_IMAGE_FORMATS))
    except Image.DecompressionBombError as e:
        raise ImageTooLargeError(f"decompression bomb guard: {e}") from None
    except Image.UnidentifiedImageError:
        raise CorruptImageError(f"not a decodable image (allowed formats: {', '.join(ALLOWED_IMAGE_FORMATS)})") from None
    except Exception as e:  # SyntaxError, struct.error, ...
        raise CorruptImageError(f"cannot identify image: {_describe(e)}") from None
    try:
        fmt = (im.format or "").lower()
        fmt = "jpeg" if fmt == "mpo" else fmt
        w, h = im.size
        if w <= 0 or h <= 0:
            raise CorruptImageError(f"invalid image size {w}x{h}")
        if w * h > max_pixels:
            raise ImageTooLargeError(f"{w}x{h} = {w * h} pixels > max_pixels={max_pixels}")
        try:
            im.load()
        except Image.DecompressionBombError as e:
            raise ImageTooLargeError(f"decompression bomb guard: {e}") from None
        except Exception as e:
            raise CorruptImageError(f"cannot decode {im.format} image: {_describe(e)}") from None
        try:
            oriented = ImageOps.exif_transpose(im)
        except Exception:  # malformed EXIF: keep the pixels as stored
            oriented = None
        if oriented is None:
            oriented = im.copy()
        try:
            rgb = _to_rgb(oriented)
            if rgb is im:
                rgb = im.copy()
            rgb.load()
        except Exception as e:
            raise CorruptImageError(f"cannot convert {im.mode} image to RGB: {_describe(e)}") from None
        if rgb.size[0] * rgb.size[1] > max_pixels:  # cannot happen, EXIF only swaps axes
            raise ImageTooLargeError(f"{rgb.size} > max_pixels={max_pixels}")
        return rgb, fmt
    finally:
        with contextlib.suppress(Exception):
            im.close()


# --------------------------------------------------------------------------------------
# text helpers
# --------------------------------------------------------------------------------------


def normalize_alt_text(text: str | None) -> str:
    """NFC, drop BOM/control characters, collapse all whitespace (newlines included) to one
    space, strip.  Returns ``""`` for ``None``."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", str(text)).replace("\ufeff", "")
    text = _CONTROL_RE.sub(" ", text)
    return " ".join(text.split())


def _normalize_uid(raw: Any) -> tuple[str | None, bool]:
    """(value to report, is_valid)."""
    if raw is None:
        return None, False
    s = str(raw).strip().lower()
    if _UID_RE.match(s):
        return s, True
    return str(raw), False


def _unsafe_reason(m: tarfile.TarInfo) -> str | None:
    name = m.name
    if not (m.isreg()):
        kind = (
            "symlink" if m.issym() else
            "hard link" if m.islnk() else
            "device" if (m.ischr() or m.isblk()) else
            "fifo" if m.isfifo() else
            f"type {m.type!r}"
        )
        return f"{name!r} is not a regular file ({kind})"
    if not name:
        return "empty member name"
    if "\\" in name:
        return f"{name!r} contains a backslash"
    if name.startswith("/"):
        return f"{name!r} is an absolute path"
    if _DRIVE_RE.match(name):
        return f"{name!r} has a drive letter"
    if _NAME_CONTROL_RE.search(name):
        return f"{name!r} contains control characters"
    if ".." in name.split("/"):
        return f"{name!r} has a '..' component"
    return None


def _split_member_name(name: str) -> tuple[str, str]:
    """WebDataset-style (key, ext): key = path up to the first '.' of the basename."""
    while name.startswith("./"):
        name = name[2:]
    head, _, base = name.rpartition("/")
    stem, dot, ext = base.partition(".")
    key = f"{head}/{stem}" if head else stem
    return key, ext.lower() if dot else ""


def _parse_member_request(member: str) -> tuple[str, int]:
    m = _OCCURRENCE_RE.match(member)
    if m:
        return m.group(1), int(m.group(2))
    return member, 0


def _member_label(name: str, occurrence: int) -> str:
    return name if occurrence == 0 else f"{name}#{occurrence}"


# --------------------------------------------------------------------------------------
# tar streaming
# --------------------------------------------------------------------------------------


class _TrackingReader(io.RawIOBase):
    """Read-only pass-through that remembers the last bytes read (with absolute offsets), so
    that after tarfile stops we can check an end-of-archive block is really there."""

    _KEEP = 1 << 20

    def __init__(self, f):
        super().__init__()
        self._f = f
        self.pos = 0
        self.eof = False
        self._buf = bytearray()
        self._buf_start = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self._f.read(n) if n is not None and n >= 0 else self._f.read()
        if not data and n != 0:
            self.eof = True
        self._buf += data
        self.pos += len(data)
        if len(self._buf) > 2 * self._KEEP:
            drop = len(self._buf) - self._KEEP
            del self._buf[:drop]
            self._buf_start += drop
        return data

    def readinto(self, b) -> int:  # pragma: no cover - tarfile uses read()
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def has_end_block_at(self, offset: int) -> bool:
        while self.pos < offset + tarfile.BLOCKSIZE and not self.eof:
            self.read(tarfile.RECORDSIZE)
        if self.pos < offset + tarfile.BLOCKSIZE or offset < self._buf_start:
            return False
        rel = offset - self._buf_start
        return bytes(self._buf[rel : rel + tarfile.BLOCKSIZE]) == b"\0" * tarfile.BLOCKSIZE


@dataclass
class _TarMember:
    name: str
    occurrence: int  # number of earlier members with exactly this name
    ext: str
    size: int
    unsafe: str | None
    data: bytes | None  # None when not read (unknown ext, unsafe, too large, truncated)
    truncated: bool = False


@dataclass
class _Group:
    key: str
    members: list[_TarMember] = field(default_factory=list)

    def exts(self) -> set[str]:
        return {m.ext for m in self.members}


def _iter_tar_groups(f, *, max_member_bytes: int, wanted_exts: set[str], status: dict) -> Iterator[tuple[_Group, bool]]:
    """Stream a tar and yield ``(group, partial)`` for each sample occurrence, in tar order.

    Never raises for a broken tar: sets ``status["broken"]`` to a description, yields the
    group being read at the break with ``partial=True`` and stops.
    """
    reader = _TrackingReader(f)
    name_counts: dict[str, int] = defaultdict(int)
    current: _Group | None = None
    try:
        tf = tarfile.open(fileobj=reader, mode="r|*")
    except _TAR_READ_ERRORS as e:
        status["broken"] = f"cannot open tar: {_describe(e)}"
        return
    with tf:
        while True:
            try:
                m = tf.next()
            except _TAR_READ_ERRORS as e:
                status["broken"] = f"tar unreadable after offset {tf.offset}: {_describe(e)}"
                break
            if m is None:
                comptype = getattr(tf.fileobj, "comptype", "tar")
                if comptype == "tar" and not reader.has_end_block_at(tf.offset):
                    status["broken"] = (
                        f"tar ends without an end-of-archive block at offset {tf.offset} "
                        "(truncated or corrupt header)"
                    )
                break
            if m.isdir():
                continue
            occurrence = name_counts[m.name]
            name_counts[m.name] += 1
            key, ext = _split_member_name(m.name)
            unsafe = _unsafe_reason(m)
            member = _TarMember(m.name, occurrence, ext, m.size, unsafe, None)
            if unsafe is None and ext in wanted_exts and m.size <= max_member_bytes:
                try:
                    fh = tf.extractfile(m)
                    data = fh.read() if fh is not None else b""
                    if len(data) != m.size:
                        raise tarfile.ReadError("unexpected end of data")
                    member.data = data
                except _TAR_READ_ERRORS as e:
                    status["broken"] = f"member {m.name!r} truncated: {_describe(e)}"
                    member.truncated = True
            if current is not None and (current.key != key or ext in current.exts()):
                yield current, False
                current = None
            if current is None:
                current = _Group(key)
            current.members.append(member)
            if member.truncated:
                break
    if current is not None:
        yield current, bool(status.get("broken"))


# --------------------------------------------------------------------------------------
# parquet index
# --------------------------------------------------------------------------------------


_PARQUET_TEXT_COLUMNS = ("key", "uid", "url", "caption", "text", "status", "error_message")


def _read_parquet_index(ref: ShardRef, storage_options, warnings: list[str]):
    """Return (rows_by_key, key_order) or None when there is no usable parquet."""
    if not ref.parquet_url:
        return None
    try:
        fs, path = _fs(ref.parquet_url, storage_options)
        with fs.open(path, "rb") as fh:
            df = pl.read_parquet(io.BytesIO(fh.read()))
    except Exception as e:
        warnings.append(f"parquet {ref.parquet_url} unreadable, using the tar alone: {_describe(e)}")
        return None
    if "key" not in df.columns:
        warnings.append(f"parquet {ref.parquet_url} has no 'key' column, using the tar alone")
        return None
    cols = [c for c in _PARQUET_TEXT_COLUMNS if c in df.columns]
    df = df.select([pl.col(c).cast(pl.Utf8, strict=False) for c in cols])
    rows_by_key: dict[str, list[dict]] = {}
    order: list[str] = []
    for row in df.iter_rows(named=True):
        key = row["key"] if row["key"] is not None else ""
        if key not in rows_by_key:
            rows_by_key[key] = []
            order.append(key)
        rows_by_key[key].append(row)
    return rows_by_key, order


# --------------------------------------------------------------------------------------
# read_shard
# --------------------------------------------------------------------------------------


@dataclass
class ShardReadResult:
    shard_id: str
    manifest: pl.DataFrame  # usable samples, MANIFEST_COLUMNS, sorted by key
    rejected: pl.DataFrame  # REJECTED_COLUMNS, sorted by key, reason, detail
    n_input: int  # == len(manifest) + len(rejected)
    warnings: list[str] = field(default_factory=list)  # shard-level problems (bad parquet, broken tar)

    @property
    def reason_counts(self) -> dict[str, int]:
        if self.rejected.height == 0:
            return {}
        counts = self.rejected.group_by("reason").len()
        return dict(sorted(zip(counts["reason"].to_list(), counts["len"].to_list())))


def _status_ok(status: Any) -> bool:
    return status is None or str(status).strip() == "" or str(status).strip().lower() == "success"


def read_shard(
    ref: ShardRef,
    *,
    min_side: int = 8,
    max_pixels: int = 40_000_000,
    storage_options: dict | None = None,
    max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES,
    empty_alt_text: str = "caption",
) -> ShardReadResult:
    """Validate every input sample of a shard; see the module docstring for the rules.

    ``empty_alt_text``: "caption" keeps a sample without alt-text (its image is still captioned, as in the
    paper), "reject" rejects it as ``missing_alt_text``.
    """
    if empty_alt_text not in ("caption", "reject"):
        raise ValueError(f"empty_alt_text must be 'caption' or 'reject', got {empty_alt_text!r}")
    shard = ref.shard_id
    warnings: list[str] = []
    index = _read_parquet_index(ref, storage_options, warnings)
    pq_rows, pq_order = index if index is not None else ({}, [])

    kept: list[dict] = []
    rejected: list[dict] = []
    kept_keys: set[str] = set()
    uid_owner: dict[str, str] = {}
    tar_keys_seen: set[str] = set()
    n_tar_groups = 0

    def reject(key: str, uid: str | None, reason: str, detail: str) -> None:
        rejected.append({"uid": uid, "key": key, "shard": shard, "reason": reason, "detail": detail})

    def process(group: _Group, partial: bool) -> None:
        key = group.key
        tar_keys_seen.add(key)
        # members cut by a tar truncation are treated as absent
        members = [m for m in group.members if not m.truncated]
        rows = pq_rows.get(key)
        pq = rows[0] if rows else None
        meta_json: dict | None = None
        json_problem = ""
        for m in members:
            if m.ext == "json" and m.data is not None:
                try:
                    obj = json.loads(m.data.decode("utf-8"))
                    meta_json = obj if isinstance(obj, dict) else None
                    if meta_json is None:
                        json_problem = "json member is not an object"
                except Exception as e:
                    json_problem = f"json member unreadable: {type(e).__name__}"
        raw_uid = None
        if meta_json is not None and meta_json.get("uid") is not None:
            raw_uid = meta_json.get("uid")
        elif pq is not None:
            raw_uid = pq.get("uid")
        uid, uid_ok = _normalize_uid(raw_uid)

        if key in kept_keys:
            reject(key, uid, "duplicate_key", "key already kept from an earlier occurrence in the tar")
            return
        unsafe = [m.unsafe for m in group.members if m.unsafe]
        if unsafe:
            reject(key, uid, "unsafe_member_name", "; ".join(unsafe))
            return
        status = pq.get("status") if pq is not None else (meta_json or {}).get("status")
        if not _status_ok(status):
            err = (pq.get("error_message") if pq is not None else (meta_json or {}).get("error_message"))
            reject(key, uid, "download_failed", str(err) if err else f"status={status}")
            return
        image_member = None
        for ext in IMAGE_EXTENSIONS:
            image_member = next((m for m in members if m.ext == ext), None)
            if image_member is not None:
                break
        if image_member is None:
            names = ", ".join(m.name for m in group.members)
            if partial:
                reject(key, uid, "truncated_tar", f"tar broke while reading this sample ({names})")
            elif pq is not None or meta_json is not None:
                reject(key, uid, "missing_image", f"no image member, only: {names}")
            else:
                reject(key, uid, "orphan_member", f"members without image or metadata: {names}")
            return
        if not uid_ok:
            detail = "no uid in parquet or json" if raw_uid is None else f"malformed uid {raw_uid!r}"
            if json_problem:
                detail += f" ({json_problem})"
            reject(key, uid, "invalid_uid", detail)
            return
        # alt-text
        alt = ""
        txt = next((m for m in members if m.ext == "txt"), None)
        if txt is not None:
            if txt.data is None:
                reject(key, uid, "member_too_large", f"{txt.name!r} is {txt.size} bytes > {max_member_bytes}")
                return
            try:
                alt = normalize_alt_text(txt.data.decode("utf-8"))
            except UnicodeDecodeError as e:
                reject(key, uid, "alt_text_not_utf8", f"{txt.name!r}: {e}")
                return
        if not alt and pq is not None:
            alt = normalize_alt_text(pq.get("caption")) or normalize_alt_text(pq.get("text"))
        if not alt and meta_json is not None:
            cap = meta_json.get("caption")
            alt = normalize_alt_text(cap if isinstance(cap, str) else None)
        if not alt and empty_alt_text == "reject":
            reject(key, uid, "missing_alt_text", "no non-empty alt-text in .txt, parquet or json")
            return
        too_big_meta = [m for m in members if m.ext == "json" and m.data is None and m.size > max_member_bytes]
        if too_big_meta:
            reject(key, uid, "member_too_large", f"{too_big_meta[0].name!r} is {too_big_meta[0].size} bytes")
            return
        if image_member.data is None:
            reject(key, uid, "image_too_large",
                   f"{image_member.name!r} is {image_member.size} bytes > max_member_bytes={max_member_bytes}")
            return
        try:
            img, fmt = _decode_image(image_member.data, max_pixels=max_pixels)
        except ImageRejectedError as e:
            reject(key, uid, e.reason, f"{image_member.name!r}: {e}")
            return
        w, h = img.size
        img.close()
        if min(w, h) < min_side:
            reject(key, uid, "image_too_small", f"{w}x{h} < min_side={min_side}")
            return
        if uid in uid_owner:
            reject(key, uid, "duplicate_uid", f"uid already used by key {uid_owner[uid]!r}")
            return
        url = pq.get("url") if pq is not None else None
        if url is None and meta_json is not None and isinstance(meta_json.get("url"), str):
            url = meta_json["url"]
        kept_keys.add(key)
        uid_owner[uid] = key
        kept.append(
            {
                "uid": uid,
                "key": key,
                "shard": shard,
                "member": _member_label(image_member.name, image_member.occurrence),
                "alt_text": alt,
                "width": w,
                "height": h,
                "image_format": fmt,
                "image_sha256": hashlib.sha256(image_member.data).hexdigest(),
                "url": url,
            }
        )

    status: dict = {}
    fs, path = _fs(ref.tar_url, storage_options)
    if not fs.exists(path):
        raise FileNotFoundError(f"shard tar {ref.tar_url!r} does not exist")
    with fs.open(path, "rb") as fh:
        for group, partial in _iter_tar_groups(
            fh,
            max_member_bytes=max_member_bytes,
            wanted_exts=set(IMAGE_EXTENSIONS) | {"txt", "json"},
            status=status,
        ):
            n_tar_groups += 1
            process(group, partial)
    broken = status.get("broken")
    if broken:
        warnings.append(f"tar {ref.tar_url}: {broken}")

    n_pq_only = 0
    n_pq_extra = 0
    for key in pq_order:
        rows = pq_rows[key]
        first = rows[0]
        uid, _ = _normalize_uid(first.get("uid"))
        if key not in tar_keys_seen:
            n_pq_only += 1
            if not _status_ok(first.get("status")):
                err = first.get("error_message")
                reject(key, uid, "download_failed", str(err) if err else f"status={first.get('status')}")
            elif broken:
                reject(key, uid, "truncated_tar", f"not reached before the tar broke: {broken}")
            else:
                reject(key, uid, "missing_image", "listed in parquet as success but absent from the tar")
        for extra in rows[1:]:
            n_pq_extra += 1
            reject(key, _normalize_uid(extra.get("uid"))[0], "duplicate_key", "repeated row for this key in the parquet")

    manifest = pl.DataFrame(kept, schema=MANIFEST_COLUMNS) if kept else pl.DataFrame(schema=MANIFEST_COLUMNS)
    manifest = manifest.select(list(MANIFEST_COLUMNS)).sort("key", maintain_order=True)
    rej = pl.DataFrame(rejected, schema=REJECTED_COLUMNS) if rejected else pl.DataFrame(schema=REJECTED_COLUMNS)
    rej = rej.select(list(REJECTED_COLUMNS)).sort(["key", "reason", "detail"], maintain_order=True, nulls_last=True)

    n_input = n_tar_groups + n_pq_only + n_pq_extra
    assert n_input == manifest.height + rej.height, (
        f"shard {shard}: accounting mismatch n_input={n_input} kept={manifest.height} rejected={rej.height}"
    )
    for w in warnings:
        log.warning("shard %s: %s", shard, w)
    return ShardReadResult(shard_id=shard, manifest=manifest, rejected=rej, n_input=n_input, warnings=warnings)


# --------------------------------------------------------------------------------------
# open_images
# --------------------------------------------------------------------------------------


def open_images(
    ref: ShardRef,
    members: Iterable[str],
    *,
    storage_options: dict | None = None,
    max_pixels: int = 40_000_000,
    max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES,
    on_unavailable: Callable[[str, str], None] | None = None,
) -> Iterator[tuple[str, Image.Image]]:
    """Stream the tar once and yield ``(member, rgb_image)`` for the requested members only,
    in tar order, decoded with ``load_image_bytes_as_rgb`` (as ``read_shard`` validated).

    ``members`` are manifest ``member`` values (``name`` or ``name#N``, see the module
    docstring); each is yielded once even if requested twice.  Reading stops as soon as all
    requested members were yielded.

    A member that cannot be had any more (missing from the tar, unsafe, oversized, no longer decoding,
    or after the point where the tar is now truncated) is a problem of that sample: with ``on_unavailable``
    it is reported as ``on_unavailable(member, reason)`` and the others are still yielded; without it,
    ``KeyError`` (missing) or ``ShardIOError`` is raised.  An I/O error of the store itself (``OSError``
    other than a damaged archive) always raises: it is not the sample's fault and the step must retry.
    """
    wanted: dict[tuple[str, int], str] = {}
    for label in members:
        wanted.setdefault(_parse_member_request(str(label)), str(label))
    if not wanted:
        return
    remaining = dict(wanted)

    def unavailable(label: str, reason: str) -> None:
        if on_unavailable is None:
            raise ShardIOError(reason)
        on_unavailable(label, reason)

    fs, path = _fs(ref.tar_url, storage_options)
    with fs.open(path, "rb") as fh:
        try:
            tf = tarfile.open(fileobj=fh, mode="r|*")
        except _ARCHIVE_DATA_ERRORS as e:
            for label in list(remaining.values()):
                unavailable(label, f"cannot open tar {ref.tar_url}: {e}")
            return
        with tf:
            yield from _requested_images(tf, ref, remaining, unavailable, max_pixels, max_member_bytes)
    if remaining:
        missing = sorted(remaining.values())
        if on_unavailable is None:
            raise KeyError(f"{len(missing)} member(s) not found in {ref.tar_url}: {missing[:10]}")
        for label in missing:
            on_unavailable(label, f"{label} not found in {ref.tar_url}")


def _requested_images(tf, ref: ShardRef, remaining: dict, unavailable, max_pixels: int,
                      max_member_bytes: int) -> Iterator[tuple[str, Image.Image]]:
    wanted_names = {name for name, _ in remaining}
    name_counts: dict[str, int] = defaultdict(int)
    while remaining:
        try:
            m = tf.next()
        except _ARCHIVE_DATA_ERRORS as e:
            for label in sorted(remaining.values()):
                unavailable(label, f"tar {ref.tar_url} broken at offset {tf.offset}: {e}")
            remaining.clear()
            return
        if m is None:
            return
        if m.isdir():
            continue
        occurrence = name_counts[m.name]
        name_counts[m.name] += 1
        if m.name not in wanted_names or (m.name, occurrence) not in remaining:
            continue
        label = remaining.pop((m.name, occurrence))
        if _unsafe_reason(m) is not None:
            unavailable(label, f"requested member {label!r} is unsafe: {_unsafe_reason(m)}")
            continue
        if m.size > max_member_bytes:
            unavailable(label, f"requested member {label!r} is {m.size} bytes > {max_member_bytes}")
            continue
        try:
            fobj = tf.extractfile(m)
            data = fobj.read() if fobj is not None else b""
            if len(data) != m.size:
                raise tarfile.ReadError("unexpected end of data")
        except _ARCHIVE_DATA_ERRORS as e:
            unavailable(label, f"member {label!r} of {ref.tar_url} unreadable: {e}")
            continue
        try:
            img = load_image_bytes_as_rgb(data, max_pixels=max_pixels)
        except ImageRejectedError as e:
            unavailable(label, f"member {label!r} of {ref.tar_url} does not decode: {e}")
            continue
        yield label, img


# --------------------------------------------------------------------------------------
# atomic writes
# --------------------------------------------------------------------------------------


def write_parquet_atomic(df: pl.DataFrame, path: str | Path) -> None:
    """Write ``df`` to a local parquet file atomically: temp file in the same directory,
    fsync, ``os.replace``.  Parent directories are created.  Readers see the old file or the
    complete new one, never a partial file."""
    atomic_write(path, lambda fh: df.write_parquet(fh))


def write_bytes_atomic(data: bytes, path: str | Path) -> None:
    """Same guarantees as ``write_parquet_atomic`` for raw bytes."""
    atomic_write(path, lambda fh: fh.write(data))
