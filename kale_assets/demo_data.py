"""Synthetic img2dataset/DataComp-format demo shards.

``write_demo_shards`` writes, for each shard ``SSSSSSSS``:

* ``SSSSSSSS.tar`` - WebDataset members ``<key>.<jpg|png|webp>``, ``<key>.json``,
  ``<key>.txt`` per sample (members of a sample in sorted name order, as WebDataset's
  ``TarWriter`` does; fixed mtime/uid/gid/mode, USTAR headers);
* ``SSSSSSSS.parquet`` - one row per listed sample, failed downloads included, with the
  img2dataset columns ``uid, url, caption, key, status, error_message, width, height,
  original_width, original_height, exif, sha256``;
* ``SSSSSSSS_stats.json`` - img2dataset-style counters.

Images are drawn with PIL: gradients, abstract shapes, little landscapes and - for every
third sample - text-dense pictures (signs, posters, receipts) rendered with PIL's default
font, each with a plausible web alt-text (products, places, artwork titles, dates).
Keys follow img2dataset's ``SSSSIIIII`` layout (``f"{shard:04d}{index:05d}"``); uids are
``md5(url)``.  Everything is derived from ``seed``: the same arguments give byte-identical
files (for the same Pillow/polars build).

With ``hostile=True`` shard 0 additionally carries one bad sample per rejection reason of
``kale_assets.shard_io`` (plus a few edge cases that must be *accepted*: tar-only sample,
upper-case uid, missing ``.txt`` with a parquet caption, messy whitespace, RGBA/palette
PNGs), and shard 1 a few failed-download rows.  ``HOSTILE_EXPECTED`` documents what
``read_shard`` should make of each of them.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import re
import struct
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from PIL import Image, ImageDraw, ImageFont

from kale_assets.shard_io import write_bytes_atomic, write_parquet_atomic

__all__ = ["HOSTILE_EXPECTED", "PARQUET_SCHEMA", "demo_key", "remove_stale_shards", "write_demo_shards"]

_MTIME = 1_700_000_000  # fixed tar mtime
_START_TIME = 1_700_000_000.0

PARQUET_SCHEMA = {
    "uid": pl.Utf8,
    "url": pl.Utf8,
    "caption": pl.Utf8,
    "key": pl.Utf8,
    "status": pl.Utf8,
    "error_message": pl.Utf8,
    "width": pl.Int64,
    "height": pl.Int64,
    "original_width": pl.Int64,
    "original_height": pl.Int64,
    "exif": pl.Utf8,
    "sha256": pl.Utf8,
}

# hostile sample name -> (expected outcome in read_shard: "kept" or a rejection reason)
HOSTILE_EXPECTED: dict[str, str] = {
    "failed_to_download": "download_failed",
    "failed_to_resize": "download_failed",
    "truncated_jpeg": "corrupt_image",
    "random_bytes": "corrupt_image",
    "txt_not_utf8": "alt_text_not_utf8",
    "txt_missing_caption_in_parquet": "kept",
    "no_alt_text_anywhere": "kept",  # captioned from the image alone; "missing_alt_text" with empty_alt_text="reject"
    "tiny_2x2": "image_too_small",
    "unsafe_dotdot": "unsafe_member_name",
    "symlink_image": "unsafe_member_name",
    "bad_uid": "invalid_uid",
    "uppercase_uid": "kept",
    "duplicate_uid": "duplicate_uid",
    "decompression_bomb": "image_too_large",
    "image_member_missing": "missing_image",
    "orphan_txt": "orphan_member",
    "tar_only_sample": "kept",
    "messy_whitespace": "kept",
    "duplicate_key": "duplicate_key",
}


def demo_key(shard: int, index: int) -> str:
    return f"{shard:04d}{index:05d}"


# --------------------------------------------------------------------------------------
# vocabulary
# --------------------------------------------------------------------------------------

_DOMAINS = [
    "shop.example.com", "cdn.marketplace.test", "images.travelblog.test", "static.gallery.test",
    "media.newsdaily.test", "i.pinboard.test", "assets.homegoods.test", "photos.wander.test",
]
_ADJ = ["Vintage", "Handmade", "Minimalist", "Rustic", "Modern", "Organic", "Hand-painted", "Classic",
        "Limited edition", "Oversized", "Compact", "Artisan"]
_MATERIAL = ["ceramic", "walnut", "linen", "brass", "recycled glass", "merino wool", "bamboo",
             "stainless steel", "leather", "silk", "cast iron", "porcelain"]
_PRODUCT = ["teapot", "cutting board", "table lamp", "throw pillow", "wall clock", "scarf", "backpack",
            "desk organizer", "flower vase", "coffee mug", "wrist watch", "serving bowl"]
_BRAND = ["Oak & Ember", "Nordhaus", "Little Fern Co.", "Atelier Mora", "Blue Heron Goods", "Kanso",
          "Marigold Studio", "Fjell Supply"]
_COLOR = ["teal", "coral", "mustard yellow", "sage green", "navy", "terracotta", "dusty pink", "charcoal",
          "ivory", "burnt orange"]
_PLACES = ["Valletta, Malta", "Lake Bled, Slovenia", "Kyoto, Japan", "Banff National Park, Canada",
           "the Amalfi Coast, Italy", "Hallstatt, Austria", "Cape Town, South Africa", "Oaxaca, Mexico",
           "the Isle of Skye, Scotland", "Queenstown, New Zealand", "Porto, Portugal", "Lofoten, Norway"]
_SCENES = ["Sunset over the hills near", "Morning view of the valley in", "Evening light on the coast of",
           "A quiet cottage outside", "Snow-capped peaks above", "Summer fields near",
           "Golden hour in", "Misty sunrise over"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
_ART_TITLES = ["Composition in Red and Blue", "Harbor at Dawn", "Untitled No. 7", "Circles in a Circle",
               "Study of Light", "The Quiet Hour", "Rhythm of the City", "Broken Symmetry",
               "Autumn Variations", "Blue Interior", "Geometry of Silence", "Echoes"]
_ARTISTS = ["Elena Marsh", "Tomas Varga", "Ines Okafor", "Henrik Dahl", "Mei Lin Zhou", "Rafael Duarte",
            "Clara Beaumont", "Yusuf Arslan"]
_MEDIUM = ["oil on canvas", "acrylic on board", "gouache on paper", "screen print", "digital print",
           "watercolor"]
_STORES = ["Corner Market", "Maple Street Bakery", "Harbor Hardware", "Green Leaf Grocery",
           "Cafe Aurora", "City Books", "Sunrise Deli"]
_ITEMS = ["Sourdough loaf", "Oat milk 1L", "Espresso", "Croissant", "Apples 1kg", "Olive oil",
          "Batteries AA", "Notebook", "Tomatoes", "Cheddar 200g", "Green tea", "Paint brush",
          "Lemonade", "Bagel", "Dark chocolate"]
_EVENTS = ["JAZZ NIGHT", "SUMMER FAIR", "FILM FESTIVAL", "FARMERS MARKET", "BOOK SWAP", "OPEN MIC",
           "CHARITY RUN", "ART WALK"]
_ACTS = ["The Blue Note Trio", "Local makers & food trucks", "Short films from 12 countries",
         "Fresh produce every Saturday", "Bring one, take one", "Poets, singers, comedians",
         "5 km along the river", "Galleries open late"]
_SIGNS = [("GRAND OPENING", "grand opening sign"), ("CLOSED FOR RENOVATION", "closed for renovation sign"),
          ("NOW HIRING", "now hiring sign"), ("SALE 50% OFF", "sale sign"),
          ("WET PAINT", "wet paint warning sign"), ("NO PARKING", "no parking sign"),
          ("FRESH COFFEE", "fresh coffee sign")]
_WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _rand_color(rng: random.Random, lo: int = 0, hi: int = 255) -> tuple[int, int, int]:
    return (rng.randint(lo, hi), rng.randint(lo, hi), rng.randint(lo, hi))


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=max(6, int(size)))
    except TypeError:  # pragma: no cover - Pillow without FreeType
        return ImageFont.load_default()


def _fit_font(draw: ImageDraw.ImageDraw, text: str, max_width: int, start: int):
    size = start
    while size > 6:
        font = _font(size)
        if draw.textlength(text, font=font) <= max_width:
            return font
        size -= 1
    return _font(6)


def _slug(text: str) -> str:
    out = "".join(c.lower() if c.isalnum() else "-" for c in text)
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")[:60]


# --------------------------------------------------------------------------------------
# drawing
# --------------------------------------------------------------------------------------


def _draw_gradient(rng: random.Random, w: int, h: int) -> Image.Image:
    c0 = np.array(_rand_color(rng), dtype=np.float64)
    c1 = np.array(_rand_color(rng), dtype=np.float64)
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    t = (xx / max(w - 1, 1)) * np.cos(angle) + (yy / max(h - 1, 1)) * np.sin(angle)
    t = (t - t.min()) / max(t.max() - t.min(), 1e-9)
    arr = c0[None, None, :] * (1 - t[..., None]) + c1[None, None, :] * t[..., None]
    img = Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    # a product-ish silhouette in the middle
    cx, cy = w // 2, h // 2
    r = min(w, h) // 4
    col = _rand_color(rng, 20, 235)
    if rng.random() < 0.5:
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=col, outline=(0, 0, 0))
        draw.rectangle([cx - r // 3, cy - r - r // 3, cx + r // 3, cy - r + 2], fill=col)
    else:
        draw.rounded_rectangle([cx - r, cy - int(r * 1.3), cx + r, cy + int(r * 1.3)], radius=r // 3, fill=col)
    return img


def _draw_shapes(rng: random.Random, w: int, h: int) -> Image.Image:
    img = Image.new("RGB", (w, h), _rand_color(rng, 180, 255))
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randint(4, 12)):
        col = _rand_color(rng)
        x0, y0 = rng.randint(-w // 4, w), rng.randint(-h // 4, h)
        x1, y1 = x0 + rng.randint(8, max(9, w // 2)), y0 + rng.randint(8, max(9, h // 2))
        kind = rng.choice(["ellipse", "rect", "poly", "line"])
        if kind == "ellipse":
            draw.ellipse([x0, y0, x1, y1], fill=col)
        elif kind == "rect":
            draw.rectangle([x0, y0, x1, y1], fill=col)
        elif kind == "poly":
            pts = [(rng.randint(0, w), rng.randint(0, h)) for _ in range(rng.randint(3, 6))]
            draw.polygon(pts, fill=col)
        else:
            draw.line([x0, y0, x1, y1], fill=col, width=rng.randint(2, 6))
    return img


def _draw_scene(rng: random.Random, w: int, h: int) -> Image.Image:
    sky_top = np.array(_rand_color(rng, 40, 140), dtype=np.float64)
    sky_bot = np.array(_rand_color(rng, 150, 255), dtype=np.float64)
    horizon = int(h * rng.uniform(0.45, 0.7))
    t = np.linspace(0, 1, max(horizon, 1))[:, None, None]
    sky = sky_top * (1 - t) + sky_bot * t
    arr = np.zeros((h, w, 3), dtype=np.float64)
    arr[:horizon] = np.broadcast_to(sky, (horizon, w, 3))
    ground = np.array(_rand_color(rng, 30, 140), dtype=np.float64)
    arr[horizon:] = ground
    img = Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    r = max(4, min(w, h) // 10)
    sx, sy = rng.randint(r, w - r), rng.randint(r, max(r + 1, horizon - r))
    draw.ellipse([sx - r, sy - r, sx + r, sy + r], fill=(255, rng.randint(180, 240), rng.randint(60, 160)))
    # mountains
    pts = [(0, horizon)]
    x = 0
    while x < w:
        x += rng.randint(w // 8 + 1, w // 3 + 2)
        pts.append((min(x, w), horizon - rng.randint(h // 10, h // 3)))
    pts.append((w, horizon))
    draw.polygon(pts, fill=_rand_color(rng, 60, 150))
    # trees / a house
    for _ in range(rng.randint(1, 4)):
        tx = rng.randint(0, w)
        ty = rng.randint(horizon, h - 1)
        th = rng.randint(h // 10, h // 4)
        draw.rectangle([tx - 2, ty - th // 3, tx + 2, ty], fill=(90, 60, 30))
        draw.polygon([(tx - th // 3, ty - th // 3), (tx + th // 3, ty - th // 3), (tx, ty - th)], fill=(20, 110, 40))
    if rng.random() < 0.5:
        hx, hy, hw = rng.randint(0, w * 2 // 3), horizon + (h - horizon) // 3, max(12, w // 6)
        draw.rectangle([hx, hy, hx + hw, hy + hw], fill=_rand_color(rng, 150, 250))
        draw.polygon([(hx - 3, hy), (hx + hw + 3, hy), (hx + hw // 2, hy - hw // 2)], fill=(150, 40, 30))
    return img


def _draw_text_lines(img: Image.Image, lines: list[str], color, box, start_size: int, align="center") -> None:
    draw = ImageDraw.Draw(img)
    x0, y0, x1, y1 = box
    avail_w = max(8, x1 - x0)
    line_h = max(8, (y1 - y0) // max(len(lines), 1))
    y = y0
    for line in lines:
        font = _fit_font(draw, line, avail_w, min(start_size, int(line_h * 0.8)))
        tw = draw.textlength(line, font=font)
        x = x0 + (avail_w - tw) / 2 if align == "center" else x0
        draw.text((x, y), line, fill=color, font=font)
        y += line_h


def _text_dense(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    kind = rng.choice(["sign", "poster", "receipt"])
    year = rng.randint(2009, 2024)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    if kind == "receipt":
        w, h = min(w, 200), max(h, 240)
        img = Image.new("RGB", (w, h), (250, 248, 240))
        store = rng.choice(_STORES)
        items = rng.sample(_ITEMS, rng.randint(3, 6))
        prices = [rng.randint(99, 1999) / 100 for _ in items]
        lines = [store.upper(), f"{month:02d}/{day:02d}/{year}  {rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}", "-" * 18]
        lines += [f"{it[:14]:<14} {p:>6.2f}" for it, p in zip(items, prices)]
        lines += ["-" * 18, f"TOTAL {sum(prices):>12.2f}", "THANK YOU!"]
        _draw_text_lines(img, lines, (30, 30, 30), (6, 6, w - 6, h - 6), 14, align="left")
        alt = f"Receipt from {store}, {month:02d}/{day:02d}/{year}"
        return img, alt
    if kind == "sign":
        text, desc = rng.choice(_SIGNS)
        store = rng.choice(_STORES)
        img = Image.new("RGB", (w, h), _rand_color(rng, 60, 200))
        draw = ImageDraw.Draw(img)
        board = _rand_color(rng, 200, 255) if rng.random() < 0.5 else _rand_color(rng, 0, 60)
        ink = (20, 20, 20) if sum(board) > 380 else (245, 245, 245)
        m = max(4, min(w, h) // 12)
        draw.rectangle([m, m, w - m, h - m], fill=board, outline=(0, 0, 0), width=3)
        when = f"{_WEEKDAYS[rng.randint(0, 6)]} {_MONTHS[month - 1][:3]} {day}"
        _draw_text_lines(img, [text, store, when], ink, (2 * m, 2 * m, w - 2 * m, h - 2 * m), 28)
        alt = f"{desc[0].upper()}{desc[1:]} for {store} on {when}, {year}"
        return img, alt
    event = rng.choice(_EVENTS)
    act = rng.choice(_ACTS)
    img = Image.new("RGB", (w, h), _rand_color(rng, 0, 255))
    draw = ImageDraw.Draw(img)
    for _ in range(3):
        c = _rand_color(rng)
        x, y, r = rng.randint(0, w), rng.randint(0, h), rng.randint(10, max(11, w // 3))
        draw.ellipse([x - r, y - r, x + r, y + r], outline=c, width=4)
    when = f"{_WEEKDAYS[rng.randint(0, 6)]} {day} {_MONTHS[month - 1]} {year}"
    lines = [event, act, when, f"Tickets ${rng.randint(5, 40)}"]
    _draw_text_lines(img, lines, (255, 255, 255), (6, 6, w - 6, h - 6), 30)
    alt = f"Poster for {event.title()}: {act}, {when}"
    return img, alt


def _product_alt(rng: random.Random) -> str:
    forms = [
        lambda: f"{rng.choice(_ADJ)} {rng.choice(_MATERIAL)} {rng.choice(_PRODUCT)} in {rng.choice(_COLOR)} - {rng.choice(_BRAND)}",
        lambda: f"{rng.choice(_BRAND)} {rng.choice(_PRODUCT)}, {rng.choice(_MATERIAL)}, ${rng.randint(9, 249)}.{rng.choice(['00', '49', '95', '99'])}",
        lambda: f"{rng.choice(_COLOR).capitalize()} {rng.choice(_PRODUCT)} | {rng.choice(_ADJ).lower()} design | free shipping",
    ]
    return rng.choice(forms)()


def _place_alt(rng: random.Random) -> str:
    return f"{rng.choice(_SCENES)} {rng.choice(_PLACES)}, {rng.choice(_MONTHS)} {rng.randint(2008, 2024)}"


def _art_alt(rng: random.Random) -> str:
    forms = [
        lambda: f"'{rng.choice(_ART_TITLES)}' by {rng.choice(_ARTISTS)}, {rng.choice(_MEDIUM)}, {rng.randint(1950, 2023)}",
        lambda: f"{rng.choice(_ARTISTS)} - {rng.choice(_ART_TITLES)} ({rng.randint(1960, 2023)}), abstract {rng.choice(_MEDIUM)}",
    ]
    return rng.choice(forms)()


def _encode(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "jpg":
        img.convert("RGB").save(buf, format="JPEG", quality=88, optimize=False, progressive=False)
    elif fmt == "png":
        img.save(buf, format="PNG", optimize=False, compress_level=6)
    elif fmt == "webp":
        img.convert("RGB").save(buf, format="WEBP", quality=80, method=4)
    else:  # pragma: no cover
        raise ValueError(fmt)
    return buf.getvalue()


# --------------------------------------------------------------------------------------
# samples
# --------------------------------------------------------------------------------------


@dataclass
class _Sample:
    key: str
    url: str
    uid: str
    caption: str | None
    image: bytes | None = None
    ext: str = "jpg"
    width: int | None = None
    height: int | None = None
    status: str = "success"
    error_message: str | None = None
    in_parquet: bool = True
    in_tar: bool = True
    # tar members override: list of (name, bytes or None for symlink)
    members: list[tuple[str, bytes | None]] | None = None
    txt: bytes | None = field(default=None)  # explicit .txt bytes (None -> from caption)
    write_txt: bool = True
    json_uid: str | None = None  # uid in the .json if different from parquet

    def json_bytes(self) -> bytes:
        meta = {
            "uid": self.json_uid if self.json_uid is not None else self.uid,
            "url": self.url,
            "caption": self.caption,
            "key": self.key,
            "status": self.status,
            "error_message": self.error_message,
            "width": self.width,
            "height": self.height,
            "original_width": self.width,
            "original_height": self.height,
            "exif": None,
            "sha256": hashlib.sha256(self.image).hexdigest() if self.image else None,
        }
        return json.dumps(meta, ensure_ascii=False).encode("utf-8")


def _url_for(rng: random.Random, alt: str, key: str, ext: str) -> str:
    domain = rng.choice(_DOMAINS)
    section = rng.choice(["products", "p", "uploads/2021/06", "gallery", "img", "media/large"])
    return f"https://{domain}/{section}/{_slug(alt)}-{key}.{ext}"


def _regular_sample(seed: int, shard: int, index: int) -> _Sample:
    rng = random.Random(f"kale-demo/{seed}/{shard}/{index}")
    key = demo_key(shard, index)
    w, h = rng.randint(64, 320), rng.randint(64, 320)
    if index % 3 == 0:
        img, alt = _text_dense(rng, max(w, 128), max(h, 128))
    else:
        kind = rng.choice(["scene", "shapes", "gradient"])
        if kind == "scene":
            img, alt = _draw_scene(rng, w, h), _place_alt(rng)
        elif kind == "shapes":
            img, alt = _draw_shapes(rng, w, h), _art_alt(rng)
        else:
            img, alt = _draw_gradient(rng, w, h), _product_alt(rng)
    ext = "jpg"
    if index % 7 == 5:
        ext = "png"
        if index % 2 == 1:  # RGBA with a soft transparent border
            alpha = Image.new("L", img.size, 255)
            ImageDraw.Draw(alpha).rectangle([0, 0, img.width - 1, img.height - 1], outline=0, width=6)
            img = img.convert("RGBA")
            img.putalpha(alpha)
        else:
            img = img.convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    elif index % 11 == 7:
        ext = "webp"
    data = _encode(img, ext)
    url = _url_for(rng, alt, key, ext)
    return _Sample(
        key=key, url=url, uid=hashlib.md5(url.encode()).hexdigest(), caption=alt, image=data, ext=ext,
        width=img.width, height=img.height,
    )


def _bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares width x height 1-bit pixels."""

    def chunk(tag: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + tag + payload + struct.pack(">I", zlib.crc32(tag + payload) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 4096, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _hostile_samples(seed: int, shard: int, start: int, regular: list[_Sample]) -> list[tuple[str, _Sample]]:
    rng = random.Random(f"kale-demo-hostile/{seed}/{shard}")
    out: list[tuple[str, _Sample]] = []
    idx = start

    def base(name: str) -> _Sample:
        nonlocal idx
        s = _regular_sample(seed + 7919, shard, idx)  # a fresh valid sample to spoil
        s.key = demo_key(shard, idx)
        s.url = f"https://{rng.choice(_DOMAINS)}/hostile/{name}-{s.key}.{s.ext}"
        s.uid = hashlib.md5(s.url.encode()).hexdigest()
        idx += 1
        out.append((name, s))
        return s

    s = base("failed_to_download")
    s.status, s.error_message, s.in_tar, s.image, s.width, s.height = (
        "failed_to_download", "HTTP Error 404: Not Found", False, None, None, None)
    s = base("failed_to_resize")
    s.status, s.error_message, s.in_tar, s.image, s.width, s.height = (
        "failed_to_resize", "image file is truncated (7 bytes not processed)", False, None, None, None)
    s = base("truncated_jpeg")
    full = _encode(Image.open(io.BytesIO(s.image)).convert("RGB"), "jpg")
    s.ext, s.image = "jpg", full[: len(full) // 2]
    s = base("random_bytes")
    s.ext, s.image = "jpg", random.Random(f"noise/{seed}").randbytes(777)
    s = base("txt_not_utf8")
    s.caption = "Café de Flore, Paris, terrace in spring"
    s.txt = s.caption.encode("latin-1")
    s = base("txt_missing_caption_in_parquet")
    s.write_txt = False
    s = base("no_alt_text_anywhere")
    s.write_txt, s.caption = False, None
    s = base("tiny_2x2")
    s.ext, s.image, s.width, s.height = "png", _encode(Image.new("RGB", (2, 2), (200, 10, 10)), "png"), 2, 2
    s = base("unsafe_dotdot")
    s.in_parquet = False
    s.members = [("../evil.jpg", s.image), ("../evil.txt", b"evil payload")]
    s = base("symlink_image")
    s.members = [(f"{s.key}.jpg", None), (f"{s.key}.txt", (s.caption or "").encode())]
    s = base("bad_uid")
    s.uid = s.json_uid = "not-a-valid-uid"
    s = base("uppercase_uid")
    s.uid = s.json_uid = s.uid.upper()
    s = base("duplicate_uid")
    s.uid = s.json_uid = regular[0].uid
    s = base("decompression_bomb")
    s.ext, s.image, s.width, s.height = "png", _bomb_png(20_000, 20_000), 20_000, 20_000
    s = base("image_member_missing")
    s.members = [(f"{s.key}.json", s.json_bytes()), (f"{s.key}.txt", (s.caption or "").encode())]
    s = base("orphan_txt")
    s.in_parquet = False
    s.members = [(f"{s.key}.txt", b"a caption without its image")]
    s = base("tar_only_sample")
    s.in_parquet = False
    s = base("messy_whitespace")
    s.txt = f"  \t{s.caption}\n  (photo:\r\n staff)  \n".encode()
    # the duplicate key: a second, different occurrence of regular sample 1's key, placed later in the tar
    dup_src = _regular_sample(seed + 104729, shard, 1)
    dup = _Sample(key=regular[1].key, url=regular[1].url, uid=regular[1].uid, caption="A different image under a reused key",
                  image=dup_src.image, ext=dup_src.ext, width=dup_src.width, height=dup_src.height, in_parquet=False)
    out.append(("duplicate_key", dup))
    assert [name for name, _ in out] == list(HOSTILE_EXPECTED)
    return out


# --------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------


def _tar_bytes(samples: list[_Sample]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for s in samples:
            if not s.in_tar:
                continue
            if s.members is not None:
                members = s.members
            else:
                members = [(f"{s.key}.{s.ext}", s.image), (f"{s.key}.json", s.json_bytes())]
                if s.write_txt:
                    members.append((f"{s.key}.txt", s.txt if s.txt is not None else (s.caption or "").encode("utf-8")))
                members.sort(key=lambda m: m[0])
            for name, data in members:
                info = tarfile.TarInfo(name)
                info.mtime = _MTIME
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                if data is None:  # symlink pointing outside
                    info.type = tarfile.SYMTYPE
                    info.linkname = "/etc/passwd"
                    info.mode = 0o777
                    tf.addfile(info)
                else:
                    info.mode = 0o644
                    info.size = len(data)
                    tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _parquet_frame(samples: list[_Sample]) -> pl.DataFrame:
    rows = []
    for s in samples:
        if not s.in_parquet:
            continue
        ok = s.status == "success"
        rows.append({
            "uid": s.uid, "url": s.url, "caption": s.caption, "key": s.key, "status": s.status,
            "error_message": s.error_message,
            "width": s.width if ok else None, "height": s.height if ok else None,
            "original_width": s.width if ok else None, "original_height": s.height if ok else None,
            "exif": None,
            "sha256": hashlib.sha256(s.image).hexdigest() if (ok and s.image) else None,
        })
    rows.sort(key=lambda r: r["key"])
    return pl.DataFrame(rows, schema=PARQUET_SCHEMA)


def _stats(shard: int, df: pl.DataFrame) -> bytes:
    status_counts = {k: int(v) for k, v in zip(*df.group_by("status").len().sort("status").to_dict(as_series=False).values())}
    stats = {
        "count": df.height,
        "successes": status_counts.get("success", 0),
        "failed_to_download": status_counts.get("failed_to_download", 0),
        "failed_to_resize": status_counts.get("failed_to_resize", 0),
        "duration": 1.0,
        "start_time": _START_TIME + shard,
        "end_time": _START_TIME + shard + 1.0,
        "status_dict": status_counts,
    }
    return (json.dumps(stats, indent=4, sort_keys=True) + "\n").encode()


def write_demo_shards(
    out_dir: str | Path,
    *,
    n_shards: int = 4,
    samples_per_shard: int = 16,
    seed: int = 0,
    hostile: bool = True,
) -> list[Path]:
    """Write ``n_shards`` demo shards (tar + parquet + _stats.json) into ``out_dir`` and
    return the tar paths in shard order.

    Every shard has ``samples_per_shard`` regular (valid) samples with indices
    ``0..samples_per_shard-1``.  With ``hostile=True`` shard 0 gets the extra samples listed in
    ``HOSTILE_EXPECTED`` (indices from ``samples_per_shard`` on; needs ``samples_per_shard>=2``)
    and shard 1 two extra failed-download parquet rows.  Files are written atomically.
    """
    if n_shards < 0 or samples_per_shard < 0:
        raise ValueError("n_shards and samples_per_shard must be >= 0")
    if hostile and n_shards > 0 and samples_per_shard < 2:
        raise ValueError("hostile=True needs samples_per_shard >= 2")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tars: list[Path] = []
    for shard in range(n_shards):
        samples = [_regular_sample(seed, shard, i) for i in range(samples_per_shard)]
        if hostile and shard == 0:
            samples += [s for _, s in _hostile_samples(seed, shard, samples_per_shard, samples)]
        elif hostile and shard == 1:
            for j, err in enumerate(["HTTP Error 403: Forbidden", "<urlopen error timed out>"]):
                idx = samples_per_shard + j
                url = f"https://{_DOMAINS[j]}/gone/{seed}-{idx}.jpg"
                samples.append(_Sample(key=demo_key(shard, idx), url=url, uid=hashlib.md5(url.encode()).hexdigest(),
                                       caption=f"Unavailable picture {idx}", status="failed_to_download",
                                       error_message=err, in_tar=False))
        stem = f"{shard:08d}"
        df = _parquet_frame(samples)
        tar_path = out / f"{stem}.tar"
        write_bytes_atomic(_tar_bytes(samples), tar_path)
        write_parquet_atomic(df, out / f"{stem}.parquet")
        write_bytes_atomic(_stats(shard, df), out / f"{stem}_stats.json")
        tars.append(tar_path)
    return tars


_DEMO_FILE = re.compile(r"^(\d{8})(\.tar|\.parquet|_stats\.json)$")


def remove_stale_shards(out_dir: str | Path, *, keep: int) -> list[str]:
    """Remove the shard files (``SSSSSSSS.tar``/``.parquet``/``_stats.json``) of shards ``>= keep`` from a demo
    folder, so a demo with fewer shards than an earlier one into the same folder reads only its own shards.
    Returns the removed shard ids, sorted. Other files are left alone."""
    out = Path(out_dir)
    removed: set[str] = set()
    if not out.is_dir():
        return []
    for path in out.iterdir():
        match = _DEMO_FILE.match(path.name)
        if match and int(match.group(1)) >= keep and path.is_file():
            path.unlink()
            removed.add(match.group(1))
    return sorted(removed)


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - convenience CLI
    p = argparse.ArgumentParser(description="Write synthetic img2dataset-format demo shards.")
    p.add_argument("out_dir")
    p.add_argument("--n-shards", type=int, default=4)
    p.add_argument("--samples-per-shard", type=int, default=16)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-hostile", action="store_true")
    a = p.parse_args(argv)
    for t in write_demo_shards(a.out_dir, n_shards=a.n_shards, samples_per_shard=a.samples_per_shard,
                               seed=a.seed, hostile=not a.no_hostile):
        print(t)


if __name__ == "__main__":  # pragma: no cover
    main()
