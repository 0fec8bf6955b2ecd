"""Tests for kale_assets.shard_io on real files (tmp_path) and a real local moto S3 server."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import tarfile
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from PIL import Image
from polars.testing import assert_frame_equal

from kale_assets.demo_data import HOSTILE_EXPECTED, demo_key, write_demo_shards
from kale_assets.shard_io import (
    MANIFEST_COLUMNS,
    REJECTED_COLUMNS,
    REJECTION_REASONS,
    CorruptImageError,
    ImageTooLargeError,
    ShardRef,
    list_shards,
    load_image_bytes_as_rgb,
    normalize_alt_text,
    open_images,
    read_shard,
    write_parquet_atomic,
)
from kale_assets_tests.s3_server import moto_s3

SPS = 12  # samples per demo shard


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("demo")
    write_demo_shards(d, n_shards=3, samples_per_shard=SPS, seed=3, hostile=True)
    return d


@pytest.fixture(scope="module")
def demo_results(demo_dir):
    return {ref.shard_id: read_shard(ref) for ref in list_shards(str(demo_dir))}


def _jpeg(w=40, h=30, color=(10, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), color).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _info(name: str, **kw) -> tarfile.TarInfo:
    ti = tarfile.TarInfo(name)
    ti.mtime = 0
    for k, v in kw.items():
        setattr(ti, k, v)
    return ti


def write_tar(path: Path, entries) -> Path:
    """entries: (name, bytes) for regular files or a ready TarInfo for special members."""
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tf:
        for e in entries:
            if isinstance(e, tarfile.TarInfo):
                tf.addfile(e)
            else:
                name, data = e
                tf.addfile(_info(name, size=len(data)), io.BytesIO(data))
    return path


def sample_entries(key: str, *, uid: str | None, image: bytes | None = None, txt: str | bytes | None = "a caption",
                   meta: dict | None = None, ext: str = "jpg"):
    out = []
    if image is not None:
        out.append((f"{key}.{ext}", image))
    if meta is not False:
        m = {"key": key, "uid": uid, "status": "success", "url": f"https://x.test/{key}.jpg"}
        m.update(meta or {})
        out.append((f"{key}.json", json.dumps(m).encode()))
    if txt is not None:
        out.append((f"{key}.txt", txt if isinstance(txt, bytes) else txt.encode()))
    return out


def uid_of(i: int) -> str:
    return hashlib.md5(str(i).encode()).hexdigest()


def by_key(result) -> dict[str, str]:
    out = {k: "kept" for k in result.manifest["key"].to_list()}
    for k, r in zip(result.rejected["key"].to_list(), result.rejected["reason"].to_list()):
        assert k not in out or k == demo_key(0, 1), f"{k} both kept and rejected"
        out.setdefault(k, r)
    return out


def check_accounting(res) -> None:
    assert res.n_input == res.manifest.height + res.rejected.height
    assert dict(res.manifest.schema) == MANIFEST_COLUMNS
    assert dict(res.rejected.schema) == REJECTED_COLUMNS
    assert set(res.rejected["reason"].to_list()) <= set(REJECTION_REASONS)
    assert res.manifest["key"].to_list() == sorted(res.manifest["key"].to_list())
    assert res.manifest["key"].n_unique() == res.manifest.height
    assert res.manifest["uid"].n_unique() == res.manifest.height
    assert all(len(u) == 32 and u == u.lower() for u in res.manifest["uid"].to_list())


# --------------------------------------------------------------------------------------
# demo shards: every reason, accounting, hashes
# --------------------------------------------------------------------------------------


def test_demo_hostile_shard_gives_each_expected_outcome(demo_results):
    res = demo_results["00000000"]
    check_accounting(res)
    outcome = by_key(res)
    for j, (name, expected) in enumerate(HOSTILE_EXPECTED.items()):
        if name == "unsafe_dotdot":
            key = "../evil"
        elif name == "duplicate_key":
            rows = res.rejected.filter(pl.col("key") == demo_key(0, 1))
            assert rows["reason"].to_list() == ["duplicate_key"], name
            continue
        else:
            key = demo_key(0, SPS + j)
        assert outcome.get(key) == expected, (name, key, outcome.get(key))
    # every regular sample survives (duplicate key / duplicate uid keep the first occurrence)
    for i in range(SPS):
        assert outcome[demo_key(0, i)] == "kept"
    assert res.n_input == SPS + len(HOSTILE_EXPECTED)


def test_every_shard_accounted(demo_results):
    assert sorted(demo_results) == ["00000000", "00000001", "00000002"]
    for sid, res in demo_results.items():
        check_accounting(res)
        assert res.warnings == []
    assert demo_results["00000001"].n_input == SPS + 2
    assert demo_results["00000001"].reason_counts == {"download_failed": 2}
    assert demo_results["00000002"].n_input == SPS
    assert demo_results["00000002"].rejected.height == 0


def test_all_rejection_reasons_reachable(demo_dir, demo_results, tmp_path):
    seen = set(demo_results["00000000"].rejected["reason"].to_list())
    seen |= set(read_shard(list_shards(str(demo_dir))[0], empty_alt_text="reject").rejected["reason"].to_list())
    # the ones the demo shard does not carry
    tar = write_tar(tmp_path / "00000001.tar", [
        *sample_entries("a1", uid=uid_of(1), image=_jpeg(), txt="x" * 2000),
        *sample_entries("a2", uid=uid_of(2), image=_jpeg(300, 300), txt="ok"),
    ])
    res = read_shard(ShardRef("00000001", str(tar), None), max_member_bytes=1500)
    seen |= set(res.rejected["reason"].to_list())
    data = (tmp_path / "00000001.tar").read_bytes()
    (tmp_path / "00000002.tar").write_bytes(data[:700])
    res = read_shard(ShardRef("00000002", str(tmp_path / "00000002.tar"), None))
    seen |= set(res.rejected["reason"].to_list())
    assert seen == set(REJECTION_REASONS)


def test_manifest_hash_and_size_match_tar_bytes(demo_dir, demo_results):
    for ref in list_shards(str(demo_dir)):
        res = demo_results[ref.shard_id]
        with tarfile.open(ref.tar_url) as tf:
            blobs: dict[str, bytes] = {}
            for m in tf.getmembers():
                if m.isreg():
                    blobs.setdefault(m.name, tf.extractfile(m).read())
        for row in res.manifest.iter_rows(named=True):
            data = blobs[row["member"]]
            assert hashlib.sha256(data).hexdigest() == row["image_sha256"]
            with Image.open(io.BytesIO(data)) as im:
                assert im.size == (row["width"], row["height"])
                assert im.format.lower() == row["image_format"]
            assert row["shard"] == ref.shard_id
            assert row["alt_text"] == row["alt_text"].strip()


def test_alt_text_and_uid_normalisation(demo_results):
    man = demo_results["00000000"].manifest
    names = list(HOSTILE_EXPECTED)
    messy = man.filter(pl.col("key") == demo_key(0, SPS + names.index("messy_whitespace")))
    text = messy["alt_text"].item()
    assert "\n" not in text and "\t" not in text and "  " not in text
    assert text.endswith("(photo: staff)")
    upper = man.filter(pl.col("key") == demo_key(0, SPS + names.index("uppercase_uid")))
    assert upper["uid"].item() == upper["uid"].item().lower()
    assert normalize_alt_text("  Caf\u0065\u0301\u00a0de\r\nFlore\x00 ") == "Café de Flore"
    assert normalize_alt_text(None) == ""


def test_clean_shards_keep_everything(tmp_path):
    write_demo_shards(tmp_path, n_shards=2, samples_per_shard=9, seed=11, hostile=False)
    refs = list_shards(str(tmp_path))
    assert [r.shard_id for r in refs] == ["00000000", "00000001"]
    for ref in refs:
        res = read_shard(ref)
        check_accounting(res)
        assert res.n_input == 9 and res.manifest.height == 9 and res.rejected.height == 0
        assert res.manifest["url"].null_count() == 0


def test_rereading_gives_identical_tables(demo_dir, demo_results):
    for ref in list_shards(str(demo_dir)):
        again = read_shard(ref)
        assert_frame_equal(again.manifest, demo_results[ref.shard_id].manifest)
        assert_frame_equal(again.rejected, demo_results[ref.shard_id].rejected)
        assert again.n_input == demo_results[ref.shard_id].n_input


# --------------------------------------------------------------------------------------
# parquet variants
# --------------------------------------------------------------------------------------


def test_missing_parquet_uses_tar_alone(demo_dir, demo_results, tmp_path):
    for name in ("00000000.tar", "00000002.tar", "00000002.parquet"):
        (tmp_path / name).write_bytes((demo_dir / name).read_bytes())
    refs = {r.shard_id: r for r in list_shards(str(tmp_path))}
    assert refs["00000000"].parquet_url is None and refs["00000002"].parquet_url is not None
    res = read_shard(refs["00000000"])
    check_accounting(res)
    ref_res = demo_results["00000000"]
    assert_frame_equal(res.manifest, ref_res.manifest)
    # without the parquet the failed downloads are simply unknown, and the symlink sample
    # (no .json in the tar) has no uid any more
    symlink_key = demo_key(0, SPS + list(HOSTILE_EXPECTED).index("symlink_image"))
    expected = ref_res.rejected.filter(pl.col("reason") != "download_failed").with_columns(
        uid=pl.when(pl.col("key") == symlink_key).then(None).otherwise(pl.col("uid")))
    assert_frame_equal(res.rejected, expected)
    assert res.n_input == ref_res.n_input - 2


def test_caption_or_text_column(tmp_path):
    keys = [f"00000{i}" for i in range(3)]
    entries = []
    for i, k in enumerate(keys):
        entries += sample_entries(k, uid=uid_of(i), image=_jpeg(), txt=None, meta=False)
    write_tar(tmp_path / "00000000.tar", entries)
    base = {"uid": [uid_of(i) for i in range(3)], "key": keys, "url": ["u0", "u1", "u2"],
            "status": ["success"] * 3, "error_message": [None] * 3}
    for column in ("caption", "text"):
        write_parquet_atomic(pl.DataFrame({**base, column: [" first\n", "second", None]}), tmp_path / "00000000.parquet")
        res = read_shard(list_shards(str(tmp_path))[0], empty_alt_text="reject")
        check_accounting(res)
        assert res.manifest["alt_text"].to_list() == ["first", "second"]
        assert res.rejected.rows() == [(uid_of(2), keys[2], "00000000", "missing_alt_text",
                                        "no non-empty alt-text in .txt, parquet or json")]
        # the default policy captions the image anyway: kept, with an empty alt-text
        res = read_shard(list_shards(str(tmp_path))[0])
        check_accounting(res)
        assert res.manifest["alt_text"].to_list() == ["first", "second", ""] and res.rejected.height == 0
    # both present: caption preferred, text as fallback
    write_parquet_atomic(pl.DataFrame({**base, "caption": ["cap", None, None], "text": ["txt", "txt2", None]}),
                         tmp_path / "00000000.parquet")
    res = read_shard(list_shards(str(tmp_path))[0])
    assert res.manifest["alt_text"].to_list() == ["cap", "txt2", ""]
    # the tar's .txt wins over the parquet
    write_tar(tmp_path / "00000000.tar", [*sample_entries(keys[0], uid=uid_of(0), image=_jpeg(), txt="from tar", meta=False)])
    res = read_shard(list_shards(str(tmp_path))[0])
    assert res.manifest["alt_text"].to_list() == ["from tar"]
    assert res.reason_counts == {"missing_image": 2}


def test_parquet_oddities(tmp_path):
    write_tar(tmp_path / "00000000.tar", [
        *sample_entries("k1", uid=None, image=_jpeg(), meta=False),
        *sample_entries("k2", uid=None, image=_jpeg(), meta=False),
        *sample_entries("k3", uid=None, image=_jpeg(), meta={"uid": "  ABCDEF0123456789ABCDEF0123456789 "}),
    ])
    df = pl.DataFrame({
        "key": ["k1", "k1", "k2", "k3", "k4"],
        "uid": [uid_of(1), uid_of(9), "123", None, None],
        "status": ["success", "success", "success", "success", None],
    })
    write_parquet_atomic(df, tmp_path / "00000000.parquet")
    res = read_shard(list_shards(str(tmp_path))[0])
    check_accounting(res)
    assert res.manifest["key"].to_list() == ["k1", "k3"]
    assert res.manifest["uid"].to_list() == [uid_of(1), "abcdef0123456789abcdef0123456789"]
    assert res.manifest["url"].to_list() == [None, "https://x.test/k3.jpg"]
    assert sorted(zip(res.rejected["key"], res.rejected["reason"])) == [
        ("k1", "duplicate_key"), ("k2", "invalid_uid"), ("k4", "missing_image")]
    assert res.n_input == 5
    # unreadable parquet / parquet without key: tar alone, with a warning
    (tmp_path / "00000000.parquet").write_bytes(b"PAR1 not really")
    res = read_shard(list_shards(str(tmp_path))[0])
    assert res.warnings and "unreadable" in res.warnings[0]
    assert res.manifest["key"].to_list() == ["k3"] and res.reason_counts == {"invalid_uid": 2}
    write_parquet_atomic(pl.DataFrame({"uid": [uid_of(1)]}), tmp_path / "00000000.parquet")
    res = read_shard(list_shards(str(tmp_path))[0])
    assert res.warnings and "no 'key' column" in res.warnings[0]


def test_duplicate_key_first_valid_occurrence_kept(tmp_path):
    good_a, good_b = _jpeg(color=(200, 0, 0)), _jpeg(color=(0, 200, 0))
    write_tar(tmp_path / "00000000.tar", [
        ("d1.jpg", b"garbage"), ("d1.txt", b"first"),  # invalid first occurrence
        ("z9.jpg", _jpeg()), ("z9.txt", b"between"),
        ("d1.jpg", good_a), ("d1.txt", b"second"),  # first valid -> kept
        ("d1.jpg", good_b), ("d1.txt", b"third"),  # later -> duplicate_key
    ])
    write_parquet_atomic(pl.DataFrame({"key": ["d1", "z9"], "uid": [uid_of(1), uid_of(2)], "status": ["success"] * 2}),
                         tmp_path / "00000000.parquet")
    ref = list_shards(str(tmp_path))[0]
    res = read_shard(ref)
    check_accounting(res)
    assert res.n_input == 4
    row = res.manifest.filter(pl.col("key") == "d1").row(0, named=True)
    assert row["member"] == "d1.jpg#1" and row["alt_text"] == "second"
    assert row["image_sha256"] == hashlib.sha256(good_a).hexdigest()
    assert sorted(res.rejected["reason"].to_list()) == ["corrupt_image", "duplicate_key"]
    got = dict(open_images(ref, res.manifest["member"].to_list()))
    assert set(got) == {"d1.jpg#1", "z9.jpg"}
    assert got["d1.jpg#1"].getpixel((5, 5))[0] > 150  # the red one, not the garbage or the green one


# --------------------------------------------------------------------------------------
# broken tars
# --------------------------------------------------------------------------------------


def _truncation_cases(tar: Path) -> dict[str, int]:
    with tarfile.open(tar) as tf:
        members = tf.getmembers()
    sixth = members[3 * 5]  # first member of the 6th sample
    return {
        "mid_data": sixth.offset_data + sixth.size // 2,
        "at_header": sixth.offset,  # tarfile itself would treat this as a clean end
        "mid_header": sixth.offset + 100,
    }


@pytest.mark.parametrize("case", ["mid_data", "at_header", "mid_header"])
def test_truncated_tar(tmp_path, case):
    write_demo_shards(tmp_path / "src", n_shards=1, samples_per_shard=10, seed=5, hostile=False)
    src = tmp_path / "src" / "00000000.tar"
    cut = _truncation_cases(src)[case]
    (tmp_path / "00000000.tar").write_bytes(src.read_bytes()[:cut])
    (tmp_path / "00000000.parquet").write_bytes((tmp_path / "src" / "00000000.parquet").read_bytes())
    ref = list_shards(str(tmp_path))[0]
    res = read_shard(ref)
    check_accounting(res)
    assert res.n_input == 10
    assert res.manifest["key"].to_list() == [demo_key(0, i) for i in range(5)]
    assert res.rejected["reason"].to_list() == ["truncated_tar"] * 5
    assert res.warnings and "00000000.tar" in res.warnings[0]
    # open_images still serves what was read before the break
    got = [m for m, _ in open_images(ref, res.manifest["member"].to_list())]
    assert got == res.manifest["member"].to_list()


def test_garbage_and_empty_tar(tmp_path):
    write_parquet_atomic(pl.DataFrame({"key": ["a", "b"], "uid": [uid_of(1), uid_of(2)],
                                       "status": ["success", "failed_to_download"], "error_message": [None, "404"]}),
                         tmp_path / "00000000.parquet")
    for content in (b"", random.Random(0).randbytes(5000), b"\0" * 10240):
        (tmp_path / "00000000.tar").write_bytes(content)
        res = read_shard(list_shards(str(tmp_path))[0])
        check_accounting(res)
        assert res.manifest.height == 0
        assert sorted(res.rejected["reason"].to_list()) == (
            ["download_failed", "missing_image"] if content == b"\0" * 10240 else ["download_failed", "truncated_tar"])
    with pytest.raises(FileNotFoundError):
        read_shard(ShardRef("00000009", str(tmp_path / "00000009.tar"), None))


# --------------------------------------------------------------------------------------
# unsafe members
# --------------------------------------------------------------------------------------


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_unsafe_members_never_touch_the_filesystem(tmp_path, monkeypatch):
    outside = tmp_path / "outside"
    outside.mkdir()
    work = tmp_path / "shards" / "deep"
    work.mkdir(parents=True)
    img = _jpeg()
    entries = [
        ("../evil.jpg", img), ("../evil.txt", b"x"),
        ("../../outside/evil2.jpg", img),
        (str(outside / "abs.jpg"), img),
        ("win\\evil.jpg", img),
        _info("s1.jpg", type=tarfile.SYMTYPE, linkname=str(outside / "passwd")),
        ("s1.txt", b"link"),
        _info("h1.jpg", type=tarfile.LNKTYPE, linkname="../evil.jpg"),
        _info("c1.jpg", type=tarfile.CHRTYPE, devmajor=1, devminor=3),
        _info("f1.jpg", type=tarfile.FIFOTYPE),
        *sample_entries("ok1", uid=uid_of(1), image=img),
    ]
    write_tar(work / "00000000.tar", entries)
    before_outside, before_all = _tree(outside), _tree(tmp_path)
    monkeypatch.chdir(work)
    ref = list_shards(".")[0]
    res = read_shard(ref)
    check_accounting(res)
    assert res.manifest["key"].to_list() == ["ok1"]
    reasons = dict(zip(res.rejected["key"], res.rejected["reason"]))
    assert set(reasons.values()) == {"unsafe_member_name"}
    assert len(reasons) == 8 and res.n_input == 9
    assert [m for m, _ in open_images(ref, ["ok1.jpg"])] == ["ok1.jpg"]
    assert _tree(outside) == before_outside
    assert _tree(tmp_path) == before_all
    assert not (tmp_path / "shards" / "evil.jpg").exists()


# --------------------------------------------------------------------------------------
# open_images & decoding
# --------------------------------------------------------------------------------------


def test_open_images_requested_members_in_tar_order(demo_dir, demo_results):
    ref = list_shards(str(demo_dir))[0]
    man = demo_results["00000000"].manifest
    wanted = list(reversed(man["member"].to_list()[::2])) + [man["member"][0]]
    got = list(open_images(ref, wanted))
    members = [m for m, _ in got]
    assert members == sorted(set(wanted), key=man["member"].to_list().index)
    sizes = dict(zip(man["member"], zip(man["width"], man["height"])))
    for m, im in got:
        assert isinstance(im, Image.Image) and im.mode == "RGB"
        assert im.size == sizes[m]
    assert list(open_images(ref, [])) == []
    with pytest.raises(KeyError):
        list(open_images(ref, ["nope.jpg"]))


def _jpeg_with_orientation(w, h, orientation) -> bytes:
    im = Image.new("RGB", (w, h), (1, 2, 3))
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    im.save(buf, format="JPEG", exif=exif.tobytes())
    return buf.getvalue()


def test_load_image_bytes_as_rgb_modes():
    def rgb(data):
        im = load_image_bytes_as_rgb(data, max_pixels=10_000_000)
        assert im.mode == "RGB"
        return im

    # palette with transparency -> composited on white
    p = Image.new("P", (16, 16), 0)
    p.putpalette([255, 0, 0] + [0, 0, 0] * 255)
    p.info["transparency"] = 0
    assert rgb(_png(p)).getpixel((3, 3)) == (255, 255, 255)
    # RGBA half transparent
    rgba = Image.new("RGBA", (16, 16), (0, 0, 0, 0))
    assert rgb(_png(rgba)).getpixel((0, 0)) == (255, 255, 255)
    assert rgb(_png(Image.new("LA", (9, 9), (0, 255)))).getpixel((0, 0)) == (0, 0, 0)
    # CMYK jpeg
    buf = io.BytesIO()
    Image.new("CMYK", (12, 10), (0, 255, 255, 0)).save(buf, format="JPEG")
    r, g, b = rgb(buf.getvalue()).getpixel((5, 5))
    assert r > 200 and g < 60 and b < 60
    # 16-bit grayscale is scaled, not clipped to white
    arr = np.full((8, 8), 32768, dtype=np.uint16)
    g16 = rgb(_png(Image.fromarray(arr)))
    assert 120 <= g16.getpixel((1, 1))[0] <= 135
    assert rgb(_png(Image.new("L", (8, 8), 77))).getpixel((0, 0)) == (77, 77, 77)
    assert rgb(_png(Image.new("1", (8, 8), 1))).getpixel((0, 0)) == (255, 255, 255)
    # EXIF orientation 6 (rotate 90) swaps axes
    assert rgb(_jpeg_with_orientation(40, 20, 6)).size == (20, 40)
    assert rgb(_jpeg_with_orientation(40, 20, 1)).size == (40, 20)
    # limits and garbage
    with pytest.raises(ImageTooLargeError):
        load_image_bytes_as_rgb(_jpeg(200, 100), max_pixels=19_999)
    assert load_image_bytes_as_rgb(_jpeg(200, 100), max_pixels=20_000).size == (200, 100)
    with pytest.raises(CorruptImageError):
        load_image_bytes_as_rgb(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", max_pixels=100)
    with pytest.raises(CorruptImageError):
        load_image_bytes_as_rgb(_jpeg()[:200], max_pixels=10_000)


def test_max_pixels_and_min_side_are_applied(tmp_path):
    write_tar(tmp_path / "00000000.tar", [
        *sample_entries("a", uid=uid_of(1), image=_jpeg(100, 100)),
        *sample_entries("b", uid=uid_of(2), image=_jpeg(30, 10)),
    ])
    ref = list_shards(str(tmp_path))[0]
    res = read_shard(ref, min_side=12, max_pixels=9_999)
    assert dict(zip(res.rejected["key"], res.rejected["reason"])) == {"a": "image_too_large", "b": "image_too_small"}
    res = read_shard(ref, min_side=10, max_pixels=10_000)
    assert res.manifest["key"].to_list() == ["a", "b"]


# --------------------------------------------------------------------------------------
# listing & atomic writes
# --------------------------------------------------------------------------------------


def test_list_shards(tmp_path):
    for name in ("00000010.tar", "00000002.tar", "00000002.parquet", "00000003.parquet", "00000002_stats.json",
                 "foo.tar", "0001a.tar", "00000004.tar.tmp", ".00000005.tar"):
        (tmp_path / name).write_bytes(b"")
    refs = list_shards(str(tmp_path) + "/")
    assert [r.shard_id for r in refs] == ["00000002", "00000010"]
    assert refs[0] == ShardRef("00000002", f"{tmp_path}/00000002.tar", f"{tmp_path}/00000002.parquet")
    assert refs[1].parquet_url is None
    assert list_shards(str(tmp_path / "00000002.tar").rsplit("/", 1)[0]) == refs
    with pytest.raises(FileNotFoundError, match="does not exist"):
        list_shards(str(tmp_path / "missing"))
    with pytest.raises(NotADirectoryError):
        list_shards(str(tmp_path / "foo.tar"))
    (tmp_path / "empty").mkdir()
    assert list_shards(str(tmp_path / "empty")) == []


def test_write_parquet_atomic(tmp_path):
    target = tmp_path / "a" / "b" / "x.parquet"
    write_parquet_atomic(pl.DataFrame({"a": [1, 2]}), target)
    write_parquet_atomic(pl.DataFrame({"a": [3]}), str(target))
    assert pl.read_parquet(target)["a"].to_list() == [3]
    assert sorted(os.listdir(target.parent)) == ["x.parquet"]

    class Boom:  # a frame whose serialisation fails half way
        def write_parquet(self, fh, *a, **k):
            fh.write(b"PAR1 partial")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_parquet_atomic(Boom(), target)
    assert sorted(os.listdir(target.parent)) == ["x.parquet"]
    assert pl.read_parquet(target)["a"].to_list() == [3]


# --------------------------------------------------------------------------------------
# S3 through a real local moto server
# --------------------------------------------------------------------------------------


@pytest.fixture()
def s3_endpoint(monkeypatch):
    for k in list(os.environ):
        if k.startswith("AWS_"):
            monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with moto_s3() as endpoint:
        yield endpoint


def test_s3_matches_local(s3_endpoint, demo_dir, demo_results):
    import boto3

    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    s3.create_bucket(Bucket="kale-demo")
    for p in sorted(demo_dir.iterdir()):
        s3.upload_file(str(p), "kale-demo", f"datacomp/shards/{p.name}")
    s3.put_object(Bucket="kale-demo", Key="datacomp/shards/notes.txt", Body=b"not a shard")
    opts = {"client_kwargs": {"endpoint_url": s3_endpoint}, "key": "testing", "secret": "testing"}
    refs = list_shards("s3://kale-demo/datacomp/shards", storage_options=opts)
    assert [r.shard_id for r in refs] == ["00000000", "00000001", "00000002"]
    assert refs[0].tar_url == "s3://kale-demo/datacomp/shards/00000000.tar"
    assert refs[0].parquet_url == "s3://kale-demo/datacomp/shards/00000000.parquet"
    for ref in refs:
        res = read_shard(ref, storage_options=opts)
        assert_frame_equal(res.manifest, demo_results[ref.shard_id].manifest)
        assert_frame_equal(res.rejected, demo_results[ref.shard_id].rejected)
        assert res.n_input == demo_results[ref.shard_id].n_input
    man = demo_results["00000002"].manifest
    got = list(open_images(refs[2], man["member"].to_list()[:3], storage_options=opts))
    assert [m for m, _ in got] == man["member"].to_list()[:3]
    assert all(im.mode == "RGB" for _, im in got)
    with pytest.raises(FileNotFoundError):
        list_shards("s3://kale-demo/nope", storage_options=opts)
