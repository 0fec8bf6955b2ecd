"""User mistakes on the `kale` command line: one line on stderr naming the problem and the fix, exit 2, no
traceback (``--debug`` shows it), found before any work starts (issue 9, item 9)."""

import shutil
import subprocess
import sys
import time
from importlib import resources

import pytest
import yaml

from kale_assets.config import CONFIG_FILE, PipelineConfig, PoolRule
from kale_assets.demo_data import remove_stale_shards, write_demo_shards
from kale_assets.errors import KaleUsageError
from kale_assets.preflight import check_pool_rule, check_source


def _kale(*args, cwd):
    return subprocess.run([sys.executable, "-m", "kale_assets.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120, check=False)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    write_demo_shards(root / "src", n_shards=2, samples_per_shard=3, seed=1, hostile=False)
    (root / "empty").mkdir()
    (root / "bad_rules.yaml").write_text("version: 1\nsentence_rules: []\n")
    (root / "captions.jsonl").write_text('{"uid": "a", "text": "no caption column"}\n')
    return root


# (arguments, words the one line must contain)
MISTAKES = {
    "missing source": (["run", "--source", "nope", "--workdir", "w"], ["nope does not exist", "--source"]),
    "source is a file": (["run", "--source", "bad_rules.yaml", "--workdir", "w"], ["is a file", "--source"]),
    "empty source": (["run", "--source", "empty", "--workdir", "w"], ["no NNNNNNNN.tar shards", "it is empty"]),
    "bad engine": (["run", "--source", "src", "--workdir", "w", "--engine", "vlm"], ["unknown engine", "vllm"]),
    "bad engine role": (["run", "--source", "src", "--workdir", "w", "--engine", "captioner=vllm"],
                        ["roles", "teacher"]),
    "storage options not JSON": (["run", "--source", "src", "--workdir", "w", "--storage-options", "{bad"],
                                 ["not valid JSON", "JSON object"]),
    "storage options not an object": (["run", "--source", "src", "--workdir", "w", "--storage-options", "[1]"],
                                      ["must be a JSON object"]),
    "fraction above 1": (["run", "--source", "src", "--workdir", "w", "--stage1-fraction", "1.5"],
                         ["--stage1-fraction", "not in (0, 1]"]),
    "fraction zero": (["run", "--source", "src", "--workdir", "w", "--stage1-fraction", "0"], ["not in (0, 1]"]),
    "fraction not a number": (["run", "--source", "src", "--workdir", "w", "--stage1-fraction", "half"],
                              ["not a number"]),
    "no such stage-1 shard": (["run", "--source", "src", "--workdir", "w", "--stage1-shards", "7"],
                              ["--stage1-shards names 7", "00000000, 00000001"]),
    "unpadded stage-1 shard": (["run", "--source", "src", "--workdir", "w", "--stage1-shards", "1"],
                               ["did you mean 00000001"]),
    "no stage-1 shard at all": (["run", "--source", "src", "--workdir", "w", "--stage1-shards", ","],
                                ["names no shard"]),
    "bad rules file": (["run", "--source", "src", "--workdir", "w", "--rules", "bad_rules.yaml"],
                       ["'version' must be a non-empty string", "--rules"]),
    "missing rules file": (["run", "--source", "src", "--workdir", "w", "--rules", "gone.yaml"],
                           ["gone.yaml does not exist"]),
    "unknown preset": (["run", "--source", "src", "--workdir", "w", "--preset", "huge"], ["invalid choice: 'huge'"]),
    "abbreviated option": (["demo", "--shard", "2"], ["unrecognized arguments: --shard"]),
    "abbreviated run option": (["run", "--sour", "src", "--workdir", "w"], ["required: --source"]),
    "no demo shards": (["demo", "--shards", "0"], ["--shards", "minimum of 1"]),
    "filter input missing": (["filter-captions", "in.parquet", "out.parquet"], ["in.parquet does not exist"]),
    "filter input of another kind": (["filter-captions", "bad_rules.yaml", "out.parquet"], ["neither parquet"]),
    "filter input without caption": (["filter-captions", "captions.jsonl", "out.jsonl"],
                                     ["missing required column", "caption"]),
    "filter bad rules": (["filter-captions", "captions.jsonl", "out.jsonl", "--rules", "bad_rules.yaml"],
                         ["'version' must be a non-empty string"]),
    "bench unknown measure": (["bench", "--only", "engines"], ["--only names engines", "choose from"]),
}


def _kale_in_process(args, cwd, monkeypatch, capsys):
    """`kale` as main() runs it (an uncaught exception would fail the test: that is the traceback case)."""
    from kale_assets.cli import main

    monkeypatch.chdir(cwd)
    try:
        rc = main(list(args))
    except SystemExit as stop:  # argparse's own errors
        rc = stop.code
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


@pytest.mark.parametrize("case", list(MISTAKES))
def test_a_mistake_is_one_line_and_exit_2(folder, case, monkeypatch, capsys):
    args, words = MISTAKES[case]
    started = time.perf_counter()
    rc, out, err = _kale_in_process(args, folder, monkeypatch, capsys)
    seconds = time.perf_counter() - started
    lines = err.strip().splitlines()
    assert rc == 2, (rc, err[-2000:])
    assert len(lines) == 1, err
    assert lines[0].startswith("kale"), lines[0]
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert out.strip() == ""
    # found before any work: no work folder, no models; far below the ~19 s of building the tiny models
    assert not (folder / "w").exists() and seconds < 10


@pytest.mark.parametrize("case", ["missing source", "abbreviated option", "no such stage-1 shard"])
def test_the_installed_command_prints_no_traceback(folder, case):
    args, words = MISTAKES[case]
    proc = _kale(*args, cwd=folder)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and words[0] in proc.stderr


def test_debug_shows_the_traceback(folder):
    for args in (["--debug", "run", "--source", "nope", "--workdir", "w"],
                 ["run", "--source", "nope", "--workdir", "w", "--debug"]):
        proc = _kale(*args, cwd=folder)
        assert proc.returncode != 0 and "Traceback" in proc.stderr and "KaleUsageError" in proc.stderr


def test_unknown_files_in_the_source_are_reported(tmp_path, capsys):
    src = tmp_path / "src"
    write_demo_shards(src, n_shards=2, samples_per_shard=2, seed=0, hostile=False)
    for name in ("notes.txt", "00000005.parquet", "part-1.tar"):
        (src / name).write_text("x")
    (src / "thumbs").mkdir()
    listing = check_source(str(src))
    assert listing.shard_ids == ["00000000", "00000001"]
    assert listing.unknown_files == ["00000005.parquet (no .tar beside it)", "notes.txt", "part-1.tar", "thumbs/"]
    warning = listing.warning()
    assert warning.startswith("4 file(s) in") and "notes.txt" in warning and "\n" not in warning
    # img2dataset's own sidecars are expected, not reported
    assert check_source(str(tmp_path / "src")).unknown_files == listing.unknown_files

    from kale_assets.cli import _preflight

    _preflight(PipelineConfig(workdir=str(tmp_path / "w"), source=str(src)))
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kale: warning: 4 file(s)")


def test_stage1_pool_must_hold_a_shard():
    with pytest.raises(KaleUsageError, match="no shard of src"):
        check_pool_rule(PoolRule(stage1_fraction=0.46), ["00000002"], "src")
    check_pool_rule(PoolRule(stage1_fraction=0.46), ["00000000", "00000002"], "src")


def test_kale_yaml_holds_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = PipelineConfig(workdir="work", source="shards", models_dir="models", rules_path="rules.yaml")
    config.save()
    stored = yaml.safe_load((tmp_path / "work" / CONFIG_FILE).read_text())
    expected = {"workdir": "work", "source": "shards", "models_dir": "models", "rules_path": "rules.yaml"}
    for name, rel in expected.items():
        assert stored[name] == str(tmp_path / rel)
    # read from another folder, it means the same
    monkeypatch.chdir(tmp_path / "work")
    assert PipelineConfig.load(tmp_path / "work") == config
    # URLs stay URLs
    assert PipelineConfig(workdir="w", source="s3://bucket/pool").source == "s3://bucket/pool"
    # a hand-written kale.yaml's relative paths are relative to the work folder
    stored["source"], stored["rules_path"] = "../shards", "my_rules.yaml"
    (tmp_path / "work" / CONFIG_FILE).write_text(yaml.safe_dump(stored))
    monkeypatch.chdir("/")
    loaded = PipelineConfig.load(tmp_path / "work")
    assert loaded.source == str(tmp_path / "shards") and loaded.rules_path == str(tmp_path / "work" / "my_rules.yaml")


def test_a_smaller_demo_drops_the_earlier_demos_shards(tmp_path):
    from dagster import DagsterInstance

    from kale_assets.cli import _forget_stale_shards
    from kale_assets.defs.partitions import SHARDS, register_shards

    work = tmp_path / "demo"
    src = work / "source_shards"
    write_demo_shards(src, n_shards=4, samples_per_shard=2, seed=0, hostile=False)
    (src / "README.txt").write_text("kept")
    home = work / "dagster_home"
    home.mkdir()
    with resources.as_file(resources.files("kale_assets").joinpath("instance_dagster.yaml")) as cfg:
        shutil.copyfile(cfg, home / "dagster.yaml")
    with DagsterInstance.from_config(str(home)) as instance:
        register_shards(instance, [f"{i:08d}" for i in range(4)])
    outputs = [work / "kale_shards" / "00000003.parquet", work / "rejected" / "kale_shards" / "00000003.parquet",
               work / "stage1_captions" / "00000002.progress" / "chunk-000000-x.parquet"]
    survivors = [work / "kale_shards" / "00000001.parquet", work / "models" / "00000003.safetensors"]
    for path in outputs + survivors:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")

    stale = remove_stale_shards(src, keep=2)
    assert stale == ["00000002", "00000003"]
    assert sorted(p.name for p in src.iterdir()) == ["00000000.parquet", "00000000.tar", "00000000_stats.json",
                                                     "00000001.parquet", "00000001.tar", "00000001_stats.json",
                                                     "README.txt"]
    _forget_stale_shards(work, stale)
    with DagsterInstance.from_config(str(home)) as instance:
        assert sorted(instance.get_dynamic_partitions(SHARDS)) == ["00000000", "00000001"]
    assert not any(p.exists() for p in outputs) and not (work / "stage1_captions" / "00000002.progress").exists()
    assert all(p.exists() for p in survivors)
