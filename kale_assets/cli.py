"""`kale` command line: demo, run, filter-captions, build-tiny-models, bench."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table


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
                      f"{r['skipped_reason'] or ', '.join(r['failed_checks']) or 'run failed'}")
    console.print(f"summary: {Path(summary['workdir']) / 'summary.json'}; card: {summary['dataset_card_path']}")
    console.print(f"UI: DAGSTER_HOME={Path(summary['workdir']).resolve() / 'dagster_home'} "
                  f"KALE_WORKDIR={Path(summary['workdir']).resolve()} dagster dev -w workspace.yaml")


def _cmd_demo(args) -> int:
    from kale_assets.config import PipelineConfig
    from kale_assets.demo_data import write_demo_shards
    from kale_assets.runner import run_pipeline

    console = Console()
    workdir = Path(args.workdir)
    source = workdir / "source_shards"
    console.print(f"writing {args.shards} demo shards to {source}")
    write_demo_shards(source, n_shards=args.shards, samples_per_shard=args.samples_per_shard, seed=args.seed)
    config = PipelineConfig(workdir=str(workdir), source=str(source), preset="tiny")
    summary = run_pipeline(config, console=console)
    _print_summary(console, summary)
    return 0 if summary["all_succeeded"] else 1


def _cmd_run(args) -> int:
    from kale_assets.config import PipelineConfig, PoolRule, parse_engine_option
    from kale_assets.runner import run_pipeline

    console = Console()
    rule = PoolRule(kind="explicit", stage1_shards=tuple(args.stage1_shards.split(","))) if args.stage1_shards \
        else PoolRule(stage1_fraction=args.stage1_fraction)
    storage_options = json.loads(args.storage_options) if args.storage_options else {}
    config = PipelineConfig(workdir=args.workdir, source=args.source, preset=args.preset, pool_rule=rule,
                            storage_options=storage_options, trust_remote_code=tuple(args.trust_remote_code),
                            rules_path=args.rules, models_dir=args.models_dir, student_recipe=args.student_recipe,
                            engines=parse_engine_option(args.engine))
    summary = run_pipeline(config, console=console)
    _print_summary(console, summary)
    return 0 if summary["all_succeeded"] else 1


def _cmd_filter(args) -> int:
    from kale_assets.filtering import filter_file, load_rules

    summary = filter_file(args.input, args.output, load_rules(args.rules))
    print(json.dumps(summary, indent=2, sort_keys=True))
    return 0


def _cmd_build_tiny(args) -> int:
    from kale_assets.tiny_models import build_tiny_models

    paths = build_tiny_models(args.models_dir, force=args.force)
    print(json.dumps({k: str(v) for k, v in paths.__dict__.items()}, indent=2))
    return 0


def _cmd_bench(args) -> int:
    from kale_assets.bench import MEASURES, command_line, default_results_path, render_results, run_bench
    from kale_assets.io_utils import atomic_write_text

    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    only = [m.strip() for m in args.only.split(",") if m.strip()] if args.only else list(MEASURES)

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kale", description="BLIP3-KALE caption pipeline on Dagster")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="build tiny models and demo shards, then materialize every asset")
    demo.add_argument("--workdir", default="work/demo")
    demo.add_argument("--shards", type=int, default=4)
    demo.add_argument("--samples-per-shard", type=int, default=24)
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(func=_cmd_demo)

    run = sub.add_parser("run", help="materialize the whole graph over a folder (or s3:// prefix) of shards")
    run.add_argument("--source", required=True, help="folder or s3:// prefix with NNNNNNNN.tar (+ .parquet)")
    run.add_argument("--workdir", required=True)
    run.add_argument("--preset", default="tiny", choices=["tiny", "kale-paper"])
    run.add_argument("--stage1-fraction", type=float, default=0.46,
                     help="share of shards in the stage-1 pool (shard 0 always is)")
    run.add_argument("--stage1-shards", default=None, help="comma-separated stage-1 shard ids (explicit rule)")
    run.add_argument("--student-recipe", default=None, choices=["llava_compose", "finetune_vlm"],
                     help="compose the student LLaVA-style (paper) or fine-tune the preset's small VLM")
    run.add_argument("--rules", default=None, help="filter rules file (default: the shipped rules)")
    run.add_argument("--models-dir", default=None,
                     help="where the tiny preset's checkpoints live (default: <workdir>/models)")
    run.add_argument("--storage-options", default=None, help="fsspec storage options as JSON (e.g. s3 endpoint)")
    run.add_argument("--trust-remote-code", action="append", default=[], choices=["teacher", "fusion", "student"],
                     help="allow custom model code for a role (CogVLM needs it for the teacher)")
    run.add_argument("--engine", action="append", default=[], metavar="ENGINE|ROLE=ENGINE",
                     help="generation engine: 'vllm' for every role, or teacher=/fusion=/student=transformers|vllm "
                          "(repeatable, later wins; default: transformers)")
    run.set_defaults(func=_cmd_run)

    flt = sub.add_parser("filter-captions", help="re-filter an existing parquet/jsonl of uid + caption")
    flt.add_argument("input")
    flt.add_argument("output")
    flt.add_argument("--rules", default=None)
    flt.set_defaults(func=_cmd_filter)

    tiny = sub.add_parser("build-tiny-models", help="write the tiny random-weight checkpoints")
    tiny.add_argument("--models-dir", default="work/models")
    tiny.add_argument("--force", action="store_true")
    tiny.set_defaults(func=_cmd_build_tiny)

    bench = sub.add_parser("bench", help="measure the pipeline against its limits (benchmarks/README.md)")
    size = bench.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller inputs and fewer repeats (under 5 min on 2 cores)")
    size.add_argument("--smoke", action="store_true", help="seconds-long check of the harness; numbers mean nothing")
    bench.add_argument("--gpu", action="store_true",
                       help="also measure the real-size student on CUDA (skipped with a message without CUDA)")
    bench.add_argument("--only", default=None, help="comma-separated subset of: engine,stage,filter,ingest,dagster")
    bench.add_argument("--workdir", default=None, help="scratch folder (default: a new temporary folder)")
    bench.add_argument("--models-dir", default=None, help="tiny checkpoints to reuse (default: built in the workdir)")
    bench.add_argument("--torch-threads", type=int, default=None,
                       help="torch intra-op threads in the bench process (default: torch's own choice)")
    bench.add_argument("--results", default=None, help="where to write RESULTS.md (default: benchmarks/RESULTS.md)")
    bench.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
