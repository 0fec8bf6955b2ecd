"""What lets a plain re-run of `kale run` finish on its own after a crash: one runner per work folder, stale
runs reclaimed, leftovers swept, a disk reserve so a full disk still ends with a summary, and a word on the
console when a step waits for a pool slot.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import sqlalchemy.exc

from kale_assets.errors import KaleUsageError
from kale_assets.io_utils import sweep_temporaries
from kale_assets.layout import WorkLayout

RUNNER_PID_TAG = "kale/runner_pid"
RUNNER_HOST_TAG = "kale/runner_host"
# The runner's start time as the kernel counts it: containers restart with the same hostname and the same pids,
# so a dead runner's pid is often alive again (even as the new runner itself); pid + start time is not.
RUNNER_START_TAG = "kale/runner_started"
# Run states a process owns while it lives; if that process is gone, nobody will ever end them.
_LIVE_STATES = ("STARTING", "STARTED", "CANCELING", "NOT_STARTED")
RESERVE_BYTES = 8 << 20


class WorkdirBusyError(KaleUsageError):
    """Another `kale run` holds the work folder (the CLI prints it as one line and exits 2)."""


class WorkdirLock:
    """An exclusive, non-blocking ``flock`` on ``<workdir>/.kale.lock``; the kernel drops it when the holder
    dies (even by SIGKILL), so a crashed run never blocks the next one."""

    def __init__(self, layout: WorkLayout, command: str):
        self.path = layout.lock_file
        self.command = command
        self._fd: int | None = None

    def __enter__(self) -> WorkdirLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise WorkdirBusyError(f"work folder {self.path.parent} is in use by another kale run ({holder})",
                                   "wait for it to finish or stop it, then run again") from None
        os.ftruncate(fd, 0)
        info = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "command": self.command}
        os.pwrite(fd, json.dumps(info).encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _read_holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
    except (OSError, ValueError):
        return "holder unknown"
    if not info:
        return "holder unknown"
    return f"pid {info.get('pid')} on {info.get('host')}, started {info.get('started')}: {info.get('command')}"


def sweep_work_folder(layout: WorkLayout) -> list[Path]:
    """Remove what crashed runs left: staging folders and temporary files of atomic writes (student saves
    included). Call only while holding the `WorkdirLock`."""
    removed = []
    staging = layout.scratch / "_staging"
    if staging.exists():
        removed.append(staging)
        shutil.rmtree(staging)
    # An object store has no temporaries to sweep: its writes are single PUTs (kale_assets.io_utils).
    removed += sweep_temporaries(layout.scratch)
    return removed


class DiskReserve:
    """A few MB set aside at start, released when the disk fills, so the summary and the run records can
    still be written and the failure explained."""

    def __init__(self, root: Path, size: int = RESERVE_BYTES):
        self.path = root / ".kale.reserve"
        self.size = size

    def __enter__(self) -> DiskReserve:
        with contextlib.suppress(OSError):
            with open(self.path, "wb") as fh:
                fh.write(b"\0" * self.size)
                fh.flush()
                os.fsync(fh.fileno())
        return self

    def release(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def __exit__(self, *exc) -> None:
        self.release()


def is_disk_full(err: BaseException) -> bool:
    """ENOSPC / EDQUOT anywhere in the cause chain (SQLite reports it as 'database or disk is full')."""
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "database or disk is full" in str(err) or "No space left on device" in str(err):
            return True
        err = err.__cause__ or err.__context__
    return False


def runner_tags() -> dict[str, str]:
    return {RUNNER_PID_TAG: str(os.getpid()), RUNNER_HOST_TAG: socket.gethostname(),
            RUNNER_START_TAG: _process_start(os.getpid()) or ""}


def _process_start(pid: int) -> str | None:
    """Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); None where there is no /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]  # after "(comm)", which may hold spaces, field 3 comes first


def _runner_alive(pid: int, started: str) -> bool:
    if not pid or not _pid_alive(pid):
        return False
    now = _process_start(pid)
    return not started or now is None or now == started


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reclaim_dead_runs(instance) -> list[str]:
    """Mark failed the runs a `kale run` process on this host left unfinished when it died, and free their pool
    slots; runs of live processes and of other launchers (the daemon's run monitoring handles those) are left."""
    from dagster import DagsterRunStatus, RunsFilter

    statuses = [DagsterRunStatus[s] for s in _LIVE_STATES]
    host = socket.gethostname()
    reclaimed = []
    for run in instance.get_runs(filters=RunsFilter(statuses=statuses, tags={RUNNER_HOST_TAG: host})):
        pid = int(run.tags.get(RUNNER_PID_TAG, "0") or 0)
        if _runner_alive(pid, run.tags.get(RUNNER_START_TAG, "")):
            continue
        instance.report_run_failed(run, message=f"the kale run process (pid {pid}) that ran this died; "
                                                "reclaimed by the next kale run")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        reclaimed.append(run.run_id)
    return reclaimed


class PoolWaitWatcher:
    """While a run executes, says on the console when one of its steps has waited for a pool slot for a while,
    who holds the slots, and how to free them (the Dagster log that says so is muted on the console)."""

    def __init__(self, instance, run_id: str, say, pools=("gpu",), after_s: float = 10.0, every_s: float = 2.0):
        self.instance, self.run_id, self.say = instance, run_id, say
        self.pools, self.after_s, self.every_s = pools, after_s, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="kale-pool-watch", daemon=True)

    def __enter__(self) -> PoolWaitWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _watch(self) -> None:
        started = time.monotonic()
        told = False
        while not self._stop.wait(self.every_s):
            if told or time.monotonic() - started < self.after_s:
                continue
            for pool in self.pools:
                try:
                    message = self._waiting_message(pool)
                except sqlalchemy.exc.OperationalError:
                    # SQLite busy with the run's own writes: this note can wait for the next look.
                    continue
                if message:
                    self.say(message)
                    told = True

    def _waiting_message(self, pool: str) -> str | None:
        info = self.instance.event_log_storage.get_concurrency_info(pool)
        waiting = [p.step_key for p in info.pending_steps if p.run_id == self.run_id and p.assigned_timestamp is None]
        if not waiting:
            return None
        holders = sorted({s.run_id for s in info.claimed_slots if s.run_id != self.run_id})
        return (f"step {', '.join(waiting)} is waiting for a slot of pool '{pool}' (limit {info.limit}), held by "
                f"run(s) {', '.join(holders) or 'none'}; if those runs are gone, terminate them in the Dagster UI "
                f"(Runs) or free the slots there (Deployment > Concurrency > {pool}); or raise the limit with "
                f"`dagster instance concurrency set {pool} N`")


@contextlib.contextmanager
def restored_environ(*names: str):
    """Put the named environment variables back as they were on exit: `runner.prepare_workdir` points this process
    at a work folder (DAGSTER_HOME, KALE_WORKDIR), which a caller running several work folders must undo."""
    saved = {n: os.environ.get(n) for n in names}
    try:
        yield
    finally:
        for n, v in saved.items():
            if v is None:
                os.environ.pop(n, None)
            else:
                os.environ[n] = v
