import pytest

from kale_assets.config import PipelineConfig, PoolRule


def test_fraction_rule_puts_shard_zero_in_stage1_and_converges():
    rule = PoolRule(stage1_fraction=0.46)
    assert rule.pool_of("00000000") == "stage1"
    pools = [rule.pool_of(f"{n:08d}") for n in range(10_000)]
    share = pools.count("stage1") / len(pools)
    assert abs(share - 0.46) < 0.001


def test_fraction_rule_is_stable_per_shard_and_handles_one_shard():
    rule = PoolRule(stage1_fraction=0.5)
    assert [rule.pool_of(f"{n:08d}") for n in range(4)] == ["stage1", "stage2", "stage1", "stage2"]
    # a single shard always lands in stage 1, so the student has training data
    assert rule.pool_of("00000000") == "stage1"


def test_non_numeric_shard_ids_are_placed_deterministically():
    rule = PoolRule()
    assert rule.pool_of("part-a") == rule.pool_of("part-a")


def test_explicit_rule():
    rule = PoolRule(kind="explicit", stage1_shards=("00000003",))
    assert rule.pool_of("00000003") == "stage1"
    assert rule.pool_of("00000000") == "stage2"


def test_bad_config_is_rejected_clearly():
    with pytest.raises(ValueError, match="stage1_fraction"):
        PoolRule(stage1_fraction=0)
    with pytest.raises(ValueError, match="unknown preset"):
        PipelineConfig(workdir="w", source="s", preset="huge")
    with pytest.raises(ValueError, match="trust_remote_code"):
        PipelineConfig(workdir="w", source="s", trust_remote_code=("everyone",))


def test_config_round_trips_through_kale_yaml(tmp_path):
    config = PipelineConfig(workdir=str(tmp_path), source="s3://bucket/shards", preset="kale-paper",
                            pool_rule=PoolRule(kind="explicit", stage1_shards=("00000001",)),
                            trust_remote_code=("teacher",), storage_options={"anon": True})
    config.save()
    loaded = PipelineConfig.load(tmp_path)
    assert loaded == config


def test_missing_workdir_config_names_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="kale run"):
        PipelineConfig.load(tmp_path)


def test_paper_preset_keeps_remote_code_off_unless_opted_in(tmp_path):
    off = PipelineConfig(workdir=str(tmp_path), source="s", preset="kale-paper").resolve_preset()
    assert off.teacher.model_id == "THUDM/cogvlm-chat-hf"
    assert not off.teacher.trust_remote_code
    on = PipelineConfig(workdir=str(tmp_path), source="s", preset="kale-paper",
                        trust_remote_code=("teacher",)).resolve_preset()
    assert on.teacher.trust_remote_code and not on.fusion.trust_remote_code


def test_student_recipe_is_configuration(tmp_path):
    default = PipelineConfig(workdir=str(tmp_path), source="s").resolve_preset()
    assert default.student.recipe == "llava_compose"
    finetune = PipelineConfig(workdir=str(tmp_path), source="s", student_recipe="finetune_vlm").resolve_preset()
    assert finetune.student.recipe == "finetune_vlm" and finetune.student.base_vlm_id
    assert "fine-tuned" in finetune.student_label
    with pytest.raises(ValueError, match="student_recipe"):
        PipelineConfig(workdir=str(tmp_path), source="s", student_recipe="magic")
