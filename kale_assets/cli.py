"""`kale` command line: demo, run, filter-captions, build-tiny-models, bench.

A user mistake (a missing folder, a bad option value, a broken rules file) is reported as one line on stderr
that names the problem and the fix, with exit status 2 and no traceback; ``kale --debug ...`` shows the
traceback. Arguments are checked before any model is built (`kale_assets.preflight`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from kale_assets.errors import KaleUsageError

USAGE_ERROR = 2


def _print_summary(console: Console, summary: dict) -> None:
    table = Table(title=f"KALE run ({summary['preset']} preset) - {summary['seconds']} s")
    for col in ("shard", "pool", "input", "kept", "rejected", "top rejection reasons"):
        table.add_column(col)
    for shard_id, s in summary["shards"].items():
        reasons = sorted(s.get("rejected_by_reason", {}).items(), key=lambda kv: -kv[1])[:3]
        table.add_row(shard_id, s["pool"], str(s.get("input", "-")), str(s.get("kept", "-")),
                      str(s.get("rejected", "-")), ", ".join(f"{r}={n}" for r, n in reasons))
    console.print(table)
    card = summary.get("dataset_card")
    if card:
        console.print(
            f"Table 1 (this run): samples={card['samples']}, words/caption={card['words_per_caption']:.2f}, "
            f"knowledge-augmented={card['knowledge_augmented_share']:.1%}, "
            f"captioners={card['stage1_captioner_params']} -> {card['stage2_captioner_params']} params"
        )
        if card.get("tiny_preset"):
            console.print("[yellow]Tiny preset: captions come from random-weight models and carry no meaning.")
    failed = [r for r in summary["runs"] if not r["success"]]
    for r in failed:
        console.print(f"[red]not done: {r['job']} {r['partition'] or ''} "
                      f"{r['skipped_reason'] or ', '.join(r['failed_checks']) or r.get('error') or 'run failed'}")
    if summary.get("fatal_error"):
        # Also on stderr, as the one line a script or a log watcher looks for.
        print(f"kale: error: {summary['fatal_error']}", file=sys.stderr)
    workdir = summary["workdir"]
    console.print(f"summary: {workdir.rstrip('/')}/summary.json; card: {summary['dataset_card_path']}")
    console.print(f"UI: DAGSTER_HOME={summary['dagster_home']} KALE_WORKDIR={workdir} dagster dev -w workspace.yaml")


def _cmd_demo(args) -> int:
    from kale_assets.config import PipelineConfig
    from kale_assets.demo_data import remove_stale_shards, write_demo_shards
    from kale_assets.preflight import check_workdir
    from kale_assets.runner import run_pipeline

    console = Console()
    check_workdir(args.workdir)
    workdir = Path(args.workdir)
    source = workdir / "source_shards"
    console.print(f"writing {args.shards} demo shards to {source}")
    # The demo owns this source folder: shards of an earlier, larger demo are removed, not processed again.
    stale = remove_stale_shards(source, keep=args.shards)
    write_demo_shards(source, n_shards=args.shards, samples_per_shard=args.samples_per_shard, seed=args.seed)
    if stale:
        _forget_stale_shards(workdir, stale)
        console.print(f"removed {len(stale)} shard(s) of an earlier demo and their outputs: {', '.join(stale)}")
    config = PipelineConfig(workdir=str(workdir), source=str(source), preset="tiny")
    _preflight(config)
    summary = run_pipeline(config, console=console)
    _print_summary(console, summary)
    return 0 if summary["all_succeeded"] else 1


def _forget_stale_shards(workdir: Path, shard_ids: list[str]) -> None:
    """Drop an earlier demo's shards from the work folder: their partitions (the card and the sensors count
    registered partitions) and every per-shard output file (``<asset>/<id>.*``, also under sub-folders)."""
    from kale_assets.layout import WorkLayout

    layout = WorkLayout(workdir)
    if (layout.dagster_home / "dagster.yaml").exists():
        from dagster import DagsterInstance

        from kale_assets.defs.partitions import SHARDS

        with DagsterInstance.from_config(str(layout.dagster_home)) as instance:
            registered = set(instance.get_dynamic_partitions(SHARDS))
            for shard_id in shard_ids:
                if shard_id in registered:
                    instance.delete_dynamic_partition(SHARDS, shard_id)
    if layout.uid_index.exists():
        from kale_assets.uid_index import UidIndex

        with UidIndex(layout.uid_index) as index:
            for shard_id in shard_ids:
                index.forget(shard_id)
    if not workdir.is_dir():
        return
    skip = {layout.dagster_home.name, "models", "source_shards", layout.card_dir.name}
    prefixes = tuple(f"{s}." for s in shard_ids)
    for top in sorted(p for p in workdir.iterdir() if p.is_dir() and p.name not in skip):
        for path in sorted(top.rglob("*"), reverse=True):  # children before their folders
            if not (path.name.startswith(prefixes) or path.name in shard_ids) or not path.exists():
                continue
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()


def _preflight(config) -> None:
    """Check everything checkable before work starts; report files of the source that will not be read."""
    from kale_assets.preflight import check_run

    warning = check_run(config).warning()
    if warning:
        print(f"kale: warning: {warning}", file=sys.stderr)


def _stage1_rule(args):
    from kale_assets.config import PoolRule

    if args.stage1_shards is None:
        return PoolRule(stage1_fraction=args.stage1_fraction)
    ids = tuple(s.strip() for s in args.stage1_shards.split(",") if s.strip())
    if not ids:
        raise KaleUsageError("--stage1-shards names no shard",
                             "list stage-1 shard ids, e.g. --stage1-shards 00000000,00000002")
    return PoolRule(kind="explicit", stage1_shards=ids)


def _cmd_run(args) -> int:
    from kale_assets.config import PipelineConfig, parse_engine_option
    from kale_assets.preflight import parse_storage_options
    from kale_assets.runner import run_pipeline

    console = Console()
    rule = _stage1_rule(args)
    storage_options = parse_storage_options(args.storage_options)
    config = PipelineConfig(workdir=args.workdir, source=args.source, preset=args.preset, pool_rule=rule,
                            storage_options=storage_options, trust_remote_code=tuple(args.trust_remote_code),
                            rules_path=args.rules, models_dir=args.models_dir, student_recipe=args.student_recipe,
                            engines=parse_engine_option(args.engine), empty_alt_text=args.empty_alt_text,
                            engine_settings=_engine_settings_file(args.engine_settings),
                            shards_per_partition=args.shards_per_partition, state_dir=args.state_dir,
                            **_executor_options(args))
    _preflight(config)
    summary = run_pipeline(config, console=console)
    _print_summary(console, summary)
    return 0 if summary["all_succeeded"] else 1


def _engine_settings_file(path: str | None) -> dict:
    """``--engine-settings FILE``: per-role engine settings (README: Engine settings), checked with the config."""
    if path is None:
        return {}
    import yaml

    fix = "give a YAML file mapping teacher/fusion/student to their settings (README: Engine settings)"
    try:
        data = yaml.safe_load(Path(path).read_text())
    except OSError as err:
        raise KaleUsageError(f"--engine-settings {path} cannot be read ({err.strerror})", fix) from None
    except yaml.YAMLError as err:
        raise KaleUsageError(f"--engine-settings {path} is not valid YAML ({err})", fix) from None
    data = data.get("engines", data) if isinstance(data, dict) else data
    if not isinstance(data, dict):
        raise KaleUsageError(f"--engine-settings {path} holds no mapping of roles", fix)
    return data


def _executor_options(args) -> dict:
    """``--executor`` / ``--ray-*`` as PipelineConfig fields; Ray settings without the ray executor are a mistake."""
    ray: dict = {}
    if args.ray_address:
        ray["address"] = args.ray_address
    if args.ray_actors:
        ray["actors"] = {role: args.ray_actors for role in ("teacher", "fusion", "student")}
    if args.ray_gpus_per_actor is not None:
        ray["num_gpus_per_actor"] = args.ray_gpus_per_actor
    if ray and args.executor != "ray":
        raise KaleUsageError("--ray-address/--ray-actors/--ray-gpus-per-actor need the ray executor",
                             "add --executor ray")
    return {"executor": args.executor, "ray": ray}


_TABLE_SUFFIXES = (".parquet", ".pq", ".jsonl", ".ndjson")


def _cmd_filter(args) -> int:
    from kale_assets.filtering import filter_file, load_rules
    from kale_assets.preflight import check_rules

    if not Path(args.input).is_file():
        raise KaleUsageError(f"input {args.input} does not exist",
                             "pass an existing .parquet or .jsonl file with uid and caption columns")
    for role, path in (("input", args.input), ("output", args.output)):
        if not str(path).lower().endswith(_TABLE_SUFFIXES):
            raise KaleUsageError(f"{role} {path} is neither parquet nor jsonl",
                                 "name it .parquet/.pq or .jsonl/.ndjson")
    check_rules(args.rules)
    rules = load_rules(args.rules)
    try:
        summary = filter_file(args.input, args.output, rules)
    except ValueError as err:  # filter_file's check of the input's columns
        raise KaleUsageError(str(err), "give the file a uid and a caption column") from err
    print(json.dumps(summary, indent=2, sort_keys=True))
    return 0


def _cmd_train_leak_classifier(args) -> int:
    from kale_assets.filter_training import (
        DEFAULT_WEIGHTS,
        DEV_CORPUS,
        TrainConfig,
        run_training,
    )

    return run_training(args.corpus or DEV_CORPUS, args.out or DEFAULT_WEIGHTS,
                        args.iterations or TrainConfig.iterations,
                        args.threshold if args.threshold is not None else TrainConfig.threshold)


def _cmd_eval_filter(args) -> int:
    from kale_assets.filter_training import DEV_CORPUS, SLICES, cross_author_scores, run_eval

    if args.cross_author:
        from kale_assets.filtering import load_rules

        print(json.dumps(cross_author_scores(load_rules(args.rules)), indent=1))
        return 0
    return run_eval(args.files or [str(f) for f in SLICES.get(args.split, (DEV_CORPUS,))], args.split, args.rules)


def _cmd_build_tiny(args) -> int:
    from kale_assets.tiny_models import build_tiny_models

    paths = build_tiny_models(args.models_dir, force=args.force)
    print(json.dumps({k: str(v) for k, v in paths.__dict__.items()}, indent=2))
    return 0


def _cmd_bench(args) -> int:
    from kale_assets.bench import (
        MEASURES,
        command_line,
        default_results_path,
        render_results,
        run_bench,
    )
    from kale_assets.io_utils import atomic_write_text

    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    only = [m.strip() for m in args.only.split(",") if m.strip()] if args.only else list(MEASURES)
    unknown = [m for m in only if m not in MEASURES]
    if unknown or not only:
        raise KaleUsageError(f"--only names {', '.join(unknown) or 'nothing'}, not a measure",
                             f"choose from {','.join(MEASURES)}")

    # stdout carries only the JSON lines: libraries (vLLM's worker, transformers) log to stdout too, so for
    # the run fd 1 points at stderr (inherited by worker processes) and the lines go to the saved stdout.
    sys.stdout.flush()
    json_out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)

    def emit(measure) -> None:
        json_out.write(json.dumps(measure.to_json(), sort_keys=True) + "\n")
        json_out.flush()

    try:
        run = run_bench(mode=mode, only=only, gpu=args.gpu, workdir=args.workdir, models_dir=args.models_dir,
                        command=command_line(args.argv), on_measure=emit, torch_threads=args.torch_threads)
    finally:
        sys.stdout.flush()
        os.dup2(json_out.fileno(), 1)
        json_out.close()
    results = Path(args.results) if args.results else default_results_path()
    results.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(results, render_results(run))
    print(f"[kale bench] {mode} mode took {run.seconds:.0f} s; wrote {results}", file=sys.stderr)
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse with the CLI's error style: one line naming the problem and where the usage is, exit 2.

    Abbreviated options are refused on every parser: subparsers are of this class too (argparse creates
    them with the parent's class), so `--shard 2` is an error, never a silent `--shards 2`.
    """

    def __init__(self, *args, **kwargs):
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}; see `{self.prog} --help`\n")


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; give a share in (0, 1], e.g. 0.46") from None
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not in (0, 1]; give a share of shards, e.g. 0.46")
    return value


def _at_least(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is below the minimum of {minimum}")
        return value

    return parse


def _engine_value(text: str) -> str:
    from kale_assets.config import parse_engine_option

    try:
        parse_engine_option([text])
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{err} (write vllm, or role=engine such as teacher=vllm)") from None
    return text


def _subparser(sub, name: str, **kwargs) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, allow_abbrev=False, **kwargs)
    # also accepted after the command; SUPPRESS keeps `kale --debug run` from being reset to False
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback of an error instead of one line")
    return parser


def build_parser() -> argparse.ArgumentParser:
    # allow_abbrev=False everywhere: `--shard 2` must be an error, not a silent `--shards 2`.
    parser = _Parser(prog="kale", description="BLIP3-KALE caption pipeline on Dagster", allow_abbrev=False)
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error instead of one line")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = _subparser(sub, "demo", help="build tiny models and demo shards, then materialize every asset")
    demo.add_argument("--workdir", default="work/demo")
    demo.add_argument("--shards", type=_at_least(1), default=4)
    # shard 0 of the demo carries one hostile sample per rejection reason, which needs 2 regular samples
    demo.add_argument("--samples-per-shard", type=_at_least(2), default=24)
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(func=_cmd_demo)

    run = _subparser(sub, "run", help="materialize the whole graph over a folder (or s3:// prefix) of shards")
    run.add_argument("--source", required=True, help="folder or s3:// prefix with NNNNNNNN.tar (+ .parquet)")
    run.add_argument("--workdir", required=True, help="local folder or s3://bucket/prefix for every asset's files")
    run.add_argument("--state-dir", default=None,
                     help="local folder for the Dagster instance, uid index, lock, staging and checkpoints (default: "
                          "the work folder when local, ~/.cache/kale/state/... for an s3:// work folder)")
    run.add_argument("--preset", default="tiny", choices=["tiny", "kale-paper", "kale-qwen-vl"])
    pools = run.add_mutually_exclusive_group()
    pools.add_argument("--stage1-fraction", type=_fraction, default=0.46,
                       help="share of shards in the stage-1 pool (shard 0 always is)")
    pools.add_argument("--stage1-shards", default=None, help="comma-separated stage-1 shard ids (explicit rule)")
    run.add_argument("--student-recipe", default=None, choices=["llava_compose", "finetune_vlm"],
                     help="compose the student LLaVA-style (paper) or fine-tune the preset's small VLM")
    run.add_argument("--rules", default=None, help="filter rules file (default: the shipped rules)")
    run.add_argument("--empty-alt-text", default="caption", choices=["caption", "reject"],
                     help="a sample without alt-text: caption its image anyway (default; fusion keeps the dense "
                          "caption, the row is not knowledge-augmented) or reject it as missing_alt_text")
    run.add_argument("--models-dir", default=None,
                     help="where the tiny preset's checkpoints live (default: <workdir>/models)")
    run.add_argument("--shards-per-partition", type=_at_least(1), default=1,
                     help="consecutive NNNNNNNN shards per Dagster partition (DataComp-1B: 100, ~1.3k partitions)")
    run.add_argument("--storage-options", default=None, help="fsspec storage options as JSON (e.g. s3 endpoint)")
    run.add_argument("--trust-remote-code", action="append", default=[], choices=["teacher", "fusion", "student"],
                     help="allow custom model code for a role (CogVLM needs it for the teacher)")
    run.add_argument("--engine", action="append", default=[], metavar="ENGINE|ROLE=ENGINE", type=_engine_value,
                     help="generation engine: 'vllm' for every role, or teacher=/fusion=/student=transformers|vllm "
                          "(repeatable, later wins; default: transformers)")
    run.add_argument("--engine-settings", default=None, metavar="FILE",
                     help="YAML of per-role engine settings (device, batch_size, dtype, max_in_flight, vllm: "
                          "engine arguments); --engine wins over an engine named there")
    run.add_argument("--executor", default="local", choices=["local", "ray"],
                     help="who runs the generation stages: this process (default) or a Ray cluster of engine actors")
    run.add_argument("--ray-address", default=None,
                     help="Ray cluster to join (HOST:PORT or ray://HOST:10001); default: start a local one")
    run.add_argument("--ray-actors", type=_at_least(1), default=None, help="engine actors per stage (default 2)")
    run.add_argument("--ray-gpus-per-actor", type=float, default=None,
                     help="GPUs each engine actor holds (1: one engine per GPU; N: tensor parallel; default 0)")
    run.set_defaults(func=_cmd_run)

    flt = _subparser(sub, "filter-captions", help="re-filter an existing parquet/jsonl of uid + caption")
    flt.add_argument("input")
    flt.add_argument("output")
    flt.add_argument("--rules", default=None)
    flt.set_defaults(func=_cmd_filter)

    trn = sub.add_parser("train-leak-classifier",
                         help="retrain the filter's leak classifier on benchmarks/filter_dev/ (dev.jsonl's train "
                              "split + helper_train.jsonl, helper_train2.jsonl and retired_heldout/ outside their "
                              "held-back slices)")
    trn.add_argument("--corpus", default=None, help="labelled JSON-lines corpus (default: the dev set)")
    trn.add_argument("--out", default=None, help="weights file (default: kale_assets/rules/leak_classifier.safetensors)")
    trn.add_argument("--iterations", type=int, default=None)
    trn.add_argument("--threshold", type=float, default=None)
    trn.set_defaults(func=_cmd_train_leak_classifier)
    evf = sub.add_parser("eval-filter", help="sentence-level precision/recall of the filter on labelled JSON-lines sets")
    evf.add_argument("files", nargs="*", help="labelled JSON-lines files (default: the dev set)")
    evf.add_argument("--split", default=None, help="only rows with this split (train/eval), or helper-slice, "
                                                    "retired-slice, helper2-slice, retired2-slice: the held-back "
                                                    "fifth of helper_train.jsonl, retired_heldout/heldout_c/d, "
                                                    "helper_train2.jsonl, retired_heldout/heldout_e/f")
    evf.add_argument("--cross-author", action="store_true",
                     help="per corpus by another author, a classifier trained without it scored on all of it")
    evf.add_argument("--rules", default=None, help="rules file (default: the shipped one)")
    evf.set_defaults(func=_cmd_eval_filter)

    tiny = _subparser(sub, "build-tiny-models", help="write the tiny random-weight checkpoints")
    tiny.add_argument("--models-dir", default="work/models")
    tiny.add_argument("--force", action="store_true")
    tiny.set_defaults(func=_cmd_build_tiny)

    bench = _subparser(sub, "bench", help="measure the pipeline against its limits (benchmarks/README.md)")
    size = bench.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller inputs and fewer repeats (under 5 min on 2 cores)")
    size.add_argument("--smoke", action="store_true", help="seconds-long check of the harness; numbers mean nothing")
    bench.add_argument("--gpu", action="store_true",
                       help="also measure the real-size student on CUDA (skipped with a message without CUDA)")
    bench.add_argument("--only", default=None,
                       help="comma-separated subset of: engine,stage,filter,ingest,dagster,inflight,ray")
    bench.add_argument("--workdir", default=None, help="scratch folder (default: a new temporary folder)")
    bench.add_argument("--models-dir", default=None, help="tiny checkpoints to reuse (default: built in the workdir)")
    bench.add_argument("--torch-threads", type=_at_least(1), default=None,
                       help="torch intra-op threads in the bench process (default: torch's own choice)")
    bench.add_argument("--results", default=None, help="where to write RESULTS.md (default: benchmarks/RESULTS.md)")
    bench.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    try:
        return args.func(args)
    except KaleUsageError as err:
        if args.debug:
            raise
        print(f"kale {args.command}: error: {err}", file=sys.stderr)
        return USAGE_ERROR


if __name__ == "__main__":
    sys.exit(main())
