"""The deployment instance file (infra/dagster.yaml) against real servers on 127.0.0.1: Debian's PostgreSQL
holds runs, event logs, sensor ticks and dynamic partitions, and step compute logs go to an S3 bucket (moto's
server), while the `dagster dev` scenario of test_daemon_integration.py runs unchanged on top.

The scenario test is imported, so pytest runs it again here with this module's `work_folder` and `server`
fixtures: the same work folder, with DAGSTER_HOME/dagster.yaml replaced by infra/dagster.yaml and every
setting of it in the environment (fake AWS credentials exist only in this test's environment).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import kale_assets_tests.test_daemon_integration as scenario
from kale_assets_tests.dagster_servers import (
    ARTIFACTS,
    REPO_ROOT,
    copy_of_work_folder,
    start_dagster_dev,
)
from kale_assets_tests.postgres_server import postgres_bin_dir, running_postgres
from kale_assets_tests.s3_server import moto_s3

# Collected here as well: the whole rules-change scenario, on the Postgres/S3 instance of the fixtures below.
from kale_assets_tests.test_daemon_integration import (  # noqa: F401
    test_rules_change_refilters_every_shard_through_the_daemon,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(postgres_bin_dir() is None and not os.environ.get("CI"),
                       reason="PostgreSQL not installed (scripts/setup --dev installs it); CI fails instead"),
]

INSTANCE_FILE = REPO_ROOT / "infra" / "dagster.yaml"
LOG_BUCKET = "kale-dagster-logs"
LOG_PREFIX = "compute-logs"
RULES_SENSOR = "rules_change_sensor"


@pytest.fixture(scope="module")
def postgres():
    with running_postgres(ARTIFACTS / "postgres-instance-test.postgres.log") as server:
        yield server


@pytest.fixture(scope="module")
def s3_endpoint():
    with moto_s3() as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def deployment_env(postgres, s3_endpoint):
    """This process's environment as a deployment sets it; `dagster dev` and its run workers inherit it."""
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.startswith("AWS_")]:
            mp.delenv(key)
        env = {**postgres.dagster_env(), "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1", "DAGSTER_S3_ENDPOINT_URL": s3_endpoint,
               "DAGSTER_S3_LOG_BUCKET": LOG_BUCKET, "DAGSTER_S3_LOG_PREFIX": LOG_PREFIX}
        for key, value in env.items():
            mp.setenv(key, value)
        s3_client().create_bucket(Bucket=LOG_BUCKET)
        # The scenario writes its timing to ARTIFACTS; keep the SQLite run's numbers apart from these.
        mp.setattr(scenario, "ARTIFACTS", ARTIFACTS / "postgres-instance")
        yield env


def s3_client():
    import boto3

    return boto3.client("s3", endpoint_url=os.environ["DAGSTER_S3_ENDPOINT_URL"])


def seed_instance(dagster_home: Path, workdir: Path) -> list[str]:
    """Register the shards and record their final shards and card in the Postgres instance (in-process runs,
    as `kale run` does), so the scenario starts from the state the SQLite work folder had."""
    from dagster import DagsterInstance

    from kale_assets.definitions import build_definitions
    from kale_assets.defs.partitions import register_shards
    from kale_assets.layout import WorkLayout

    shard_ids = [p.stem for p in scenario.final_shard_paths(WorkLayout(workdir))]
    defs = build_definitions()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DAGSTER_HOME", str(dagster_home))
        mp.setenv("KALE_WORKDIR", str(workdir))
        with DagsterInstance.from_config(str(dagster_home)) as instance:
            register_shards(instance, shard_ids)
            for job, keys in (("finalize_job", shard_ids), ("card_job", [None])):
                for key in keys:
                    result = defs.resolve_job_def(job).execute_in_process(
                        instance=instance, partition_key=key, raise_on_error=False,
                        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}})
                    assert result.success, f"seeding {job} {key} failed"
    return shard_ids


@pytest.fixture(scope="module")
def work_folder(tmp_path_factory, tiny_models_dir, deployment_env):
    config = copy_of_work_folder(tmp_path_factory.mktemp("postgres"), tmp_path_factory, tiny_models_dir)
    workdir = Path(config.workdir).resolve()
    dagster_home = workdir / "dagster_home"
    # The template's SQLite files go, so nothing below can silently keep using them.
    shutil.rmtree(dagster_home)
    dagster_home.mkdir()
    shutil.copyfile(INSTANCE_FILE, dagster_home / "dagster.yaml")
    seed_instance(dagster_home, workdir)
    return config


@pytest.fixture(scope="module")
def server(work_folder):
    dev = start_dagster_dev(work_folder, ARTIFACTS / "dagster-dev-postgres-instance-test.log")
    yield dev
    left = dev.stop()
    assert not left, f"processes of dagster dev still alive after stop: {left}"


def sensor_run_ids(postgres) -> list[str]:
    rows = postgres.query("SELECT run_id FROM run_tags WHERE key = 'dagster/sensor_name' AND value = %s",
                          (RULES_SENSOR,))
    return sorted(r[0] for r in rows)


def test_postgres_holds_runs_ticks_checks_and_partitions(postgres, work_folder, server):
    dagster_home = Path(work_folder.workdir) / "dagster_home"
    assert sorted(p.name for p in dagster_home.rglob("*.db")) == [], "SQLite storage appeared in DAGSTER_HOME"
    shards = sorted(p.stem for p in scenario.final_shard_paths(scenario.WorkLayout(Path(work_folder.workdir))))

    partitions = postgres.query("SELECT partition FROM dynamic_partitions WHERE partitions_def_name = 'shards'")
    assert sorted(r[0] for r in partitions) == shards

    # The rules sensor's runs (one per shard) are in Postgres' run storage, with their status.
    sensor_runs = sensor_run_ids(postgres)
    assert len(sensor_runs) == len(shards)
    statuses = postgres.query("SELECT pipeline_name, status FROM runs WHERE run_id = ANY(%s)", (sensor_runs,))
    assert statuses == [("finalize_job", "SUCCESS")] * len(shards)
    card_runs = postgres.query("SELECT count(*) FROM runs WHERE pipeline_name = 'card_job' AND status = 'SUCCESS'")
    assert card_runs[0][0] >= 2  # the seeded card and the one dataset_card_sensor launched

    # Sensor ticks (schedule storage): skipped ticks before and after, and the tick that launched the runs.
    ticks = dict(postgres.query("SELECT status, count(*) FROM job_ticks WHERE type = 'SENSOR' "
                                "AND tick_body LIKE %s GROUP BY status", (f'%"{RULES_SENSOR}"%',)))
    assert ticks.get("SUCCESS", 0) >= 1 and ticks.get("SKIPPED", 0) >= 3, ticks

    # Event log storage: each sensor run's materialization and its blocking check results.
    events = postgres.query("SELECT run_id, dagster_event_type, count(*) FROM event_logs WHERE run_id = ANY(%s) "
                            "AND dagster_event_type IN ('ASSET_MATERIALIZATION', 'ASSET_CHECK_EVALUATION') "
                            "GROUP BY run_id, dagster_event_type", (sensor_runs,))
    by_run = {(run_id, kind): n for run_id, kind, n in events}
    for run_id in sensor_runs:
        assert by_run.get((run_id, "ASSET_MATERIALIZATION")) == 1, by_run
        assert by_run.get((run_id, "ASSET_CHECK_EVALUATION"), 0) >= 1, by_run
    checks = postgres.query("SELECT check_name, execution_status FROM asset_check_executions WHERE run_id = ANY(%s)",
                            (sensor_runs,))
    assert checks and {status for _, status in checks} == {"SUCCEEDED"}, checks


def test_compute_logs_land_in_s3(postgres, server):
    run_id = sensor_run_ids(postgres)[0]
    listing = s3_client().list_objects_v2(Bucket=LOG_BUCKET, Prefix=LOG_PREFIX)
    keys = [o["Key"] for o in listing.get("Contents", []) if run_id in o["Key"]]
    assert keys, f"no compute log of run {run_id} in s3://{LOG_BUCKET}/{LOG_PREFIX}"
    stderr_keys = [k for k in keys if k.endswith(".err")]
    assert stderr_keys, keys
    text = s3_client().get_object(Bucket=LOG_BUCKET, Key=stderr_keys[0])["Body"].read().decode()
    # The step's own stderr: Dagster's step events for kale_shards, captured while the step ran.
    assert "kale_shards" in text and run_id[:8] in text, text[:2000]
