"""What lets a plain re-run finish after a crash: the work-folder lock, the sweep, the disk-full test, reclaiming
runs of dead runner processes (against a real SQLite Dagster instance) and the pool-wait message."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kale_assets.io_utils import TMP_MARKER
from kale_assets.layout import WorkLayout
from kale_assets.run_control import (
    RUNNER_HOST_TAG,
    RUNNER_PID_TAG,
    RUNNER_START_TAG,
    DiskReserve,
    PoolWaitWatcher,
    WorkdirBusyError,
    WorkdirLock,
    is_disk_full,
    reclaim_dead_runs,
    runner_tags,
    sweep_work_folder,
)

# A child that takes the lock, says so, and holds it until killed.
_HOLDER = """
import sys, time
from pathlib import Path
from kale_assets.layout import WorkLayout
from kale_assets.run_control import WorkdirLock
with WorkdirLock(WorkLayout(Path(sys.argv[1])), "kale run --source S --workdir W"):
    print("locked", flush=True)
    time.sleep(600)
"""


@pytest.fixture
def layout(tmp_path):
    return WorkLayout(tmp_path / "work")


@pytest.fixture
def holder(layout):
    child = subprocess.Popen([sys.executable, "-c", _HOLDER, str(layout.root)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "locked"
        yield child
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)
        child.stdout.close()


def test_a_second_runner_is_refused_with_the_holder_named_until_the_holder_is_killed(layout, holder):
    with pytest.raises(WorkdirBusyError) as err, WorkdirLock(layout, "kale run again"):
        pytest.fail("took a lock another process holds")
    message = str(err.value)
    assert f"pid {holder.pid} on {socket.gethostname()}" in message
    assert "kale run --source S --workdir W" in message and str(layout.root) in message

    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    # The kernel dropped the flock with the process: no stale lock to clean by hand.
    with WorkdirLock(layout, "kale run again"):
        info = json.loads(layout.lock_file.read_text())
        assert info["pid"] == os.getpid() and info["command"] == "kale run again"


def test_the_lock_is_exclusive_within_one_process_and_released_on_exit(layout):
    with WorkdirLock(layout, "first"), pytest.raises(WorkdirBusyError, match=f"pid {os.getpid()}"), \
            WorkdirLock(layout, "second"):
        pytest.fail("took a lock this process already holds")
    assert layout.lock_file.read_text() == ""  # a released lock names no holder
    with WorkdirLock(layout, "third"):
        assert json.loads(layout.lock_file.read_text())["command"] == "third"


def test_a_lock_file_without_holder_info_still_gives_a_message(layout):
    import fcntl

    layout.root.mkdir(parents=True)
    fd = os.open(layout.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held, but nothing written yet (the moment after flock)
        with pytest.raises(WorkdirBusyError, match="holder unknown"), WorkdirLock(layout, "x"):
            pytest.fail("took a held lock")
    finally:
        os.close(fd)


def test_sweep_removes_staging_and_atomic_leftovers_and_keeps_the_rest(layout):
    root = layout.root
    staged = layout.staging_root("stage1_captions") / "00000001-abc"
    staged.mkdir(parents=True)
    (staged / "output.parquet").write_bytes(b"staged")
    (root / "kale_shards").mkdir()
    (root / "kale_shards" / "00000001.parquet").write_bytes(b"final")
    (root / "kale_shards" / f".00000002.parquet{TMP_MARKER}x1").write_bytes(b"half")
    student = root / "models" / "student"
    (student / f".v3{TMP_MARKER}q" / "model").mkdir(parents=True)
    (student / "v2").mkdir()
    (student / "CURRENT").write_text("{}")
    (root / ".kale.lock").write_text("")
    (root / "_commits" / "x").mkdir(parents=True)
    (root / "_commits" / "x" / "00000001.json").write_text("{}")

    removed = sweep_work_folder(layout)

    assert sorted(p.relative_to(root).as_posix() for p in removed) == [
        "_staging", f"kale_shards/.00000002.parquet{TMP_MARKER}x1", f"models/student/.v3{TMP_MARKER}q"]
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == [
        ".kale.lock", "_commits", "_commits/x", "_commits/x/00000001.json", "kale_shards",
        "kale_shards/00000001.parquet", "models", "models/student", "models/student/CURRENT", "models/student/v2"]
    assert sweep_work_folder(layout) == []


def test_is_disk_full_on_a_real_enospc():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with pytest.raises(OSError) as err, open("/dev/full", "wb") as fh:
        fh.write(b"x")
        fh.flush()
    assert err.value.errno == errno.ENOSPC
    assert is_disk_full(err.value)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_is_disk_full_on_oserror_codes(code):
    assert is_disk_full(OSError(code, os.strerror(code)))


def test_is_disk_full_is_false_for_other_errors():
    assert not is_disk_full(OSError(errno.EIO, "Input/output error"))
    assert not is_disk_full(PermissionError(errno.EACCES, "Permission denied"))
    assert not is_disk_full(ValueError("bad value"))
    assert not is_disk_full(RuntimeError("step failed"))


def _raise_chained(inner: BaseException, explicit: bool) -> BaseException:
    try:
        try:
            raise inner
        except BaseException as err:
            if explicit:
                raise RuntimeError("step failed") from err
            raise KeyError("while handling")  # implicit chain: __context__ only
    except (RuntimeError, KeyError) as outer:
        return outer


@pytest.mark.parametrize("explicit", [True, False])
def test_is_disk_full_follows_the_cause_chain(explicit):
    outer = _raise_chained(OSError(errno.ENOSPC, "No space left on device"), explicit)
    assert is_disk_full(outer)
    assert not is_disk_full(_raise_chained(OSError(errno.EIO, "io"), explicit))


def test_is_disk_full_terminates_on_a_cyclic_chain():
    a, b = RuntimeError("a"), RuntimeError("b")
    a.__cause__, b.__cause__ = b, a
    assert not is_disk_full(a)


def test_is_disk_full_on_sqlites_full_error(tmp_path):
    # A real "database or disk is full": SQLite hits its page limit exactly as it hits a full disk.
    db = sqlite3.connect(tmp_path / "small.db")
    db.execute("CREATE TABLE t (x BLOB)")
    db.commit()
    db.execute("PRAGMA max_page_count = 3")
    with pytest.raises(sqlite3.OperationalError) as err:
        for _ in range(50):
            db.execute("INSERT INTO t VALUES (randomblob(4000))")
    db.close()
    assert "database or disk is full" in str(err.value)
    assert is_disk_full(err.value)
    assert is_disk_full(_raise_chained(err.value, explicit=True))
    # Dagster hands back a failed step's error as text; the same words are what is left to see there.
    assert is_disk_full(RuntimeError("sqlite3.OperationalError: database or disk is full"))


def test_disk_reserve_holds_space_until_released(tmp_path):
    with DiskReserve(tmp_path, size=1 << 20) as reserve:
        assert reserve.path.stat().st_size == 1 << 20
        reserve.release()
        assert not reserve.path.exists()
        reserve.release()  # releasing twice (disk full, then the normal exit) is fine
    with DiskReserve(tmp_path, size=4096) as reserve:
        assert reserve.path.exists()
    assert not reserve.path.exists()


# --- Dagster: reclaiming runs of dead runner processes -------------------------------------------------------


@pytest.fixture
def dagster_instance(tmp_path):
    from dagster import DagsterInstance

    import kale_assets

    # The instance settings `kale run` uses (SQLite storage, gpu pool), in a throwaway DAGSTER_HOME.
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(Path(kale_assets.__file__).parent / "instance_dagster.yaml", home / "dagster.yaml")
    with DagsterInstance.from_config(str(home)) as inst:
        inst.event_log_storage.set_concurrency_slots("gpu", 4)
        yield inst


@pytest.fixture(scope="module")
def gpu_job():
    from dagster import job, op

    @op(pool="gpu")
    def caption():
        return None

    @job
    def shard_run():
        caption()

    return shard_run


_LIVE_RUNNER = """
import json, time
from kale_assets.run_control import runner_tags
print(json.dumps(runner_tags()), flush=True)
time.sleep(120)
"""


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def _run(instance, job_def, tags, status_name="STARTED"):
    from dagster import DagsterRunStatus

    return instance.create_run_for_job(job_def, tags=tags, status=DagsterRunStatus[status_name])


def _claim_gpu(instance, run) -> None:
    status = instance.event_log_storage.claim_concurrency_slot("gpu", run.run_id, "caption")
    assert status.slot_status.name == "CLAIMED"


def _gpu_holders(instance) -> set[str]:
    return {s.run_id for s in instance.event_log_storage.get_concurrency_info("gpu").claimed_slots}


def test_reclaim_fails_runs_of_dead_runners_and_frees_their_slots(dagster_instance, gpu_job):
    from dagster import DagsterRunStatus

    inst = dagster_instance
    # A live runner: another process that tags its runs exactly as `kale run` does.
    live_child = subprocess.Popen([sys.executable, "-c", _LIVE_RUNNER], stdout=subprocess.PIPE, text=True)
    try:
        live_tags = json.loads(live_child.stdout.readline())
        assert live_tags[RUNNER_PID_TAG] == str(live_child.pid)
        dead = _run(inst, gpu_job, {**runner_tags(), RUNNER_PID_TAG: str(_dead_pid())})
        live = _run(inst, gpu_job, live_tags)
        mine = _run(inst, gpu_job, runner_tags())  # this very process: alive by definition
        # A container restarted with the same hostname, and the new runner got the dead one's pid (ours).
        reused = _run(inst, gpu_job, {**runner_tags(), RUNNER_START_TAG: "1"})
        other_host = _run(inst, gpu_job, {RUNNER_PID_TAG: str(_dead_pid()), RUNNER_HOST_TAG: "another-host"})
        daemon_launched = _run(inst, gpu_job, {})  # no runner tags: run monitoring's business, not ours
        for run in (dead, live, mine, reused):
            _claim_gpu(inst, run)
        finished = _run(inst, gpu_job, {**runner_tags(), RUNNER_PID_TAG: str(_dead_pid())}, "SUCCESS")

        assert sorted(reclaim_dead_runs(inst)) == sorted([dead.run_id, reused.run_id])

        statuses = {r.run_id: inst.get_run_by_id(r.run_id).status
                    for r in (dead, live, mine, reused, other_host, daemon_launched, finished)}
        assert statuses == {dead.run_id: DagsterRunStatus.FAILURE, live.run_id: DagsterRunStatus.STARTED,
                            mine.run_id: DagsterRunStatus.STARTED, reused.run_id: DagsterRunStatus.FAILURE,
                            other_host.run_id: DagsterRunStatus.STARTED,
                            daemon_launched.run_id: DagsterRunStatus.STARTED,
                            finished.run_id: DagsterRunStatus.SUCCESS}
        assert _gpu_holders(inst) == {live.run_id, mine.run_id}
        failure = inst.get_records_for_run(dead.run_id).records[-1].event_log_entry
        assert f"pid {dead.tags[RUNNER_PID_TAG]}" in failure.dagster_event.message
        # Nothing left to reclaim: a second pass (the next kale run) is a no-op.
        assert reclaim_dead_runs(inst) == []
    finally:
        live_child.kill()
        live_child.wait()
        live_child.stdout.close()


def test_runs_tagged_without_a_start_time_fall_back_to_pid_liveness(dagster_instance, gpu_job):
    # Runs recorded before the start-time tag existed: a live pid keeps them, a dead one reclaims them.
    inst = dagster_instance
    old_live = _run(inst, gpu_job, {RUNNER_PID_TAG: str(os.getpid()), RUNNER_HOST_TAG: socket.gethostname()})
    old_dead = _run(inst, gpu_job, {RUNNER_PID_TAG: str(_dead_pid()), RUNNER_HOST_TAG: socket.gethostname()})
    assert reclaim_dead_runs(inst) == [old_dead.run_id]
    assert inst.get_run_by_id(old_live.run_id).status.name == "STARTED"


def test_reclaim_covers_every_state_a_runner_owns(dagster_instance, gpu_job):
    from dagster import DagsterRunStatus

    states = ["STARTING", "NOT_STARTED", "CANCELING"]
    runs = [_run(dagster_instance, gpu_job, {**runner_tags(), RUNNER_PID_TAG: str(_dead_pid())}, s) for s in states]
    assert sorted(reclaim_dead_runs(dagster_instance)) == sorted(r.run_id for r in runs)
    assert {dagster_instance.get_run_by_id(r.run_id).status for r in runs} == {DagsterRunStatus.FAILURE}


def test_pool_wait_watcher_names_the_holder_and_the_fix(dagster_instance, gpu_job):
    inst = dagster_instance
    inst.event_log_storage.set_concurrency_slots("gpu", 1)
    holder_run, waiting_run = _run(inst, gpu_job, {}), _run(inst, gpu_job, {})
    _claim_gpu(inst, holder_run)
    pending = inst.event_log_storage.claim_concurrency_slot("gpu", waiting_run.run_id, "caption")
    assert pending.slot_status.name == "BLOCKED"

    said, quiet, patient = [], [], []
    with PoolWaitWatcher(inst, waiting_run.run_id, said.append, after_s=0.0, every_s=0.05) as watcher, \
            PoolWaitWatcher(inst, holder_run.run_id, quiet.append, after_s=0.0, every_s=0.05), \
            PoolWaitWatcher(inst, waiting_run.run_id, patient.append, after_s=30.0, every_s=0.05):
        deadline = time.monotonic() + 20
        while not said and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # several more ticks: the watcher speaks once, not every tick
    assert not watcher._thread.is_alive()
    assert len(said) == 1, said
    message = said[0]
    assert "step caption is waiting for a slot of pool 'gpu' (limit 1)" in message
    assert holder_run.run_id in message and "dagster instance concurrency set gpu N" in message
    assert quiet == []  # the run holding the slot is not waiting
    assert patient == []  # a short wait for a slot is normal and not worth a word
