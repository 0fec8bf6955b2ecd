"""Real Dagster processes for the integration tests: a tiny work folder, `dagster dev` on loopback, GraphQL.

`dagster dev` (not `dagster-webserver` + `dagster-daemon run` started separately) because it is the command
the README gives users, it starts one code server that the webserver, the daemon and the run workers share,
and it puts all of them in one process tree that a test can stop as a unit.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from kale_assets.config import PipelineConfig, PoolRule
from kale_assets.demo_data import write_demo_shards
from kale_assets.filtering import DEFAULT_RULES_PATH
from kale_assets.run_control import restored_environ

REPO_ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO_ROOT / "test-artifacts"
# workspace.yaml loads the module without naming the location, so Dagster names it after the module.
LOCATION = "kale_assets.definitions"
# A Definitions object is served as the repository with this fixed name.
REPOSITORY = "__repository__"
SERVER_START_TIMEOUT_S = 180.0

T = TypeVar("T")


def dagster_executable() -> str:
    exe = Path(sys.executable).with_name("dagster")
    if not exe.exists():
        raise FileNotFoundError(f"{exe} not found: install the project into this venv (scripts/setup --dev)")
    return str(exe)


def run_environment_restored():
    """run_pipeline points this process at its work folder; other tests must not inherit that."""
    return restored_environ("DAGSTER_HOME", "KALE_WORKDIR")


def build_work_folder(root: Path, models_dir: str, *, n_shards: int = 2, samples_per_shard: int = 6, seed: int = 0,
                      stage1_fraction: float = 0.46) -> PipelineConfig:
    """A work folder on the tiny preset with every partition materialized by `run_pipeline`, using its own
    copy of the rules file (the tests edit it) and a SQLite instance in `<workdir>/dagster_home`."""
    from kale_assets.runner import run_pipeline

    source = root / "source"
    write_demo_shards(source, n_shards=n_shards, samples_per_shard=samples_per_shard, seed=seed)
    rules = root / "artifact_rules.yaml"
    shutil.copyfile(DEFAULT_RULES_PATH, rules)
    config = PipelineConfig(workdir=str(root / "work"), source=str(source), preset="tiny", models_dir=models_dir,
                            rules_path=str(rules), pool_rule=PoolRule(stage1_fraction=stage1_fraction))
    with run_environment_restored():
        summary = run_pipeline(config)
    failed = [r for r in summary["runs"] if not r["success"]]
    assert summary["all_succeeded"], f"the work folder could not be built: {failed}"
    return config


_TEMPLATES: dict[tuple, PipelineConfig] = {}


def copy_of_work_folder(dest: Path, tmp_path_factory, models_dir: str, *, n_shards: int = 2,
                        samples_per_shard: int = 6) -> PipelineConfig:
    """A private copy (instance included) of a work folder built once per test session by `build_work_folder`:
    each test module gets its own server and may edit its copy, without paying for the pipeline run again."""
    key = (models_dir, n_shards, samples_per_shard)
    if key not in _TEMPLATES:
        _TEMPLATES[key] = build_work_folder(tmp_path_factory.mktemp("kale-template"), models_dir, n_shards=n_shards,
                                            samples_per_shard=samples_per_shard)
    template = _TEMPLATES[key]
    src_root = Path(template.workdir).parent
    shutil.copytree(src_root, dest, dirs_exist_ok=True)
    # Re-point the copy at its own files; the instance holds no paths (SQLite under DAGSTER_HOME).
    config = replace(template, workdir=str(dest / "work"), source=str(dest / "source"),
                     rules_path=str(dest / Path(template.rules_path).name))
    config.save()
    return config


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(what: str, probe: Callable[[], T | None], timeout_s: float, *, interval_s: float = 1.0,
             on_timeout: Callable[[], str] | None = None) -> T:
    """Call `probe` until it returns something other than None (or False); fail after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value is not None and value is not False:
            return value
        if time.monotonic() > deadline:
            detail = on_timeout() if on_timeout else ""
            raise TimeoutError(f"gave up after {timeout_s:.0f} s waiting for {what}\n{detail}")
        time.sleep(interval_s)


class GraphQLError(RuntimeError):
    pass


# Started through this trampoline because ignored signals survive exec: a parent that ignores SIGINT/SIGTERM
# (background jobs of non-interactive shells, some CI runners) would otherwise hand dagster a disposition
# under which the polite stop never arrives and every stop ends in SIGKILL.
_RESET_SIGNALS_AND_EXEC = (
    "import os, signal, sys; "
    "[signal.signal(s, signal.SIG_DFL) for s in (signal.SIGINT, signal.SIGTERM)]; "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


@dataclass
class DagsterDev:
    """A running `dagster dev` (webserver, daemon, code server, run workers) in its own process group."""

    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, chars: int = 6000) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log yet)"
        return f"--- last lines of {self.log_path} ---\n{text[-chars:]}"

    def graphql(self, query: str, variables: dict | None = None, *, timeout_s: float = 60.0) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(f"{self.url}/graphql", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            payload = json.loads(response.read())
        if payload.get("errors"):
            raise GraphQLError(json.dumps(payload["errors"], indent=1)[:4000])
        return payload["data"]

    def runs(self, *, tags: dict[str, str] | None = None, job_name: str | None = None,
             created_after: float | None = None, limit: int = 200) -> list[dict]:
        """Runs (newest first) with their status, tags and timestamps."""
        run_filter: dict = {}
        if tags:
            run_filter["tags"] = [{"key": k, "value": v} for k, v in tags.items()]
        if job_name:
            run_filter["pipelineName"] = job_name
        if created_after is not None:
            run_filter["createdAfter"] = created_after
        data = self.graphql(
            """
            query Runs($filter: RunsFilter, $limit: Int) {
              runsOrError(filter: $filter, limit: $limit) {
                __typename
                ... on Runs { results { runId jobName status creationTime startTime endTime
                                        tags { key value } } }
                ... on PythonError { message }
              }
            }""",
            {"filter": run_filter, "limit": limit},
        )["runsOrError"]
        if data["__typename"] != "Runs":
            raise GraphQLError(f"runsOrError: {data}")
        for run in data["results"]:
            run["tags"] = {t["key"]: t["value"] for t in run["tags"]}
        return data["results"]

    def run(self, run_id: str) -> dict:
        data = self.graphql(
            """
            query Run($runId: ID!) {
              runOrError(runId: $runId) {
                __typename
                ... on Run {
                  runId jobName status creationTime startTime endTime tags { key value }
                  assetMaterializations {
                    partition assetKey { path }
                    metadataEntries {
                      label
                      ... on TextMetadataEntry { text }
                      ... on IntMetadataEntry { intValue }
                      ... on PathMetadataEntry { path }
                    }
                  }
                }
                ... on RunNotFoundError { message }
                ... on PythonError { message }
              }
            }""",
            {"runId": run_id},
        )["runOrError"]
        if data["__typename"] != "Run":
            raise GraphQLError(f"runOrError({run_id}): {data}")
        data["tags"] = {t["key"]: t["value"] for t in data["tags"]}
        return data

    def sensor(self, name: str, *, tick_limit: int = 20) -> dict:
        """The sensor's status and its newest ticks (newest first)."""
        data = self.graphql(
            """
            query Sensor($selector: SensorSelector!, $limit: Int) {
              sensorOrError(sensorSelector: $selector) {
                __typename
                ... on Sensor {
                  name minIntervalSeconds
                  sensorState { status ticks(limit: $limit) { status timestamp runIds runKeys skipReason cursor
                                                              error { message } } }
                }
                ... on SensorNotFoundError { message }
                ... on PythonError { message }
              }
            }""",
            {"selector": {"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY, "sensorName": name},
             "limit": tick_limit},
        )["sensorOrError"]
        if data["__typename"] != "Sensor":
            raise GraphQLError(f"sensorOrError({name}): {data}")
        return data

    def check_executions(self, asset: str, check_name: str, *, partition: str | None = None,
                         limit: int = 5) -> list[dict]:
        data = self.graphql(
            """
            query Checks($assetKey: AssetKeyInput!, $checkName: String!, $partition: String, $limit: Int!) {
              assetCheckExecutions(assetKey: $assetKey, checkName: $checkName, partition: $partition,
                                   limit: $limit) {
                runId status partition evaluation { success }
              }
            }""",
            {"assetKey": {"path": [asset]}, "checkName": check_name, "partition": partition, "limit": limit},
        )
        return data["assetCheckExecutions"]

    def _ready(self) -> bool:
        """The webserver answers, the code location is loaded and every required daemon reports healthy."""
        if self.process.poll() is not None:
            raise RuntimeError(f"dagster dev exited with code {self.process.returncode}\n{self.log_tail()}")
        try:
            with urllib.request.urlopen(f"{self.url}/server_info", timeout=5) as response:
                if response.status != 200:
                    return False
            data = self.graphql(
                """
                {
                  workspaceOrError { ... on Workspace { locationEntries { name loadStatus
                    locationOrLoadError { __typename ... on PythonError { message } } } } }
                  instance { daemonHealth { allDaemonStatuses { daemonType required healthy } } }
                }""",
                timeout_s=10,
            )
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False
        entries = data["workspaceOrError"].get("locationEntries") or []
        for entry in entries:
            error = entry.get("locationOrLoadError") or {}
            if error.get("__typename") == "PythonError":
                raise RuntimeError(f"code location {entry['name']} failed to load: {error['message']}")
        loaded = any(e["name"] == LOCATION and e["loadStatus"] == "LOADED" for e in entries)
        daemons = data["instance"]["daemonHealth"]["allDaemonStatuses"]
        return loaded and bool(daemons) and all(d["healthy"] for d in daemons if d["required"])

    def stop(self, grace_s: float = 30.0) -> list[str]:
        """Stop every process of the server; returns the ones still alive afterwards (should be none)."""
        return stop_process_tree(self.process, grace_s=grace_s)


def start_dagster_dev(config: PipelineConfig, log_path: Path, *,
                      timeout_s: float = SERVER_START_TIMEOUT_S) -> DagsterDev:
    """`dagster dev -w workspace.yaml` on 127.0.0.1 for the work folder of `config`, ready to serve.

    The caller must call `.stop()` (in a fixture finalizer) once it has the server.
    """
    port = free_port()
    root = Path(config.workdir).resolve()
    env = dict(os.environ)
    env.update(DAGSTER_HOME=str(root / "dagster_home"), KALE_WORKDIR=str(root), PYTHONUNBUFFERED="1")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-c", _RESET_SIGNALS_AND_EXEC, dagster_executable(), "dev", "-w", "workspace.yaml",
               "-h", "127.0.0.1", "-p", str(port)]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = DagsterDev(process, port, log_path)
    try:
        wait_for(f"dagster dev on port {port}", server._ready, timeout_s, on_timeout=server.log_tail)
    except BaseException:
        server.stop()
        raise
    return server


# ----------------------------------------------------------------------------------------------------------
# Process-tree handling (Linux /proc): `dagster dev` starts a code server, a webserver, a daemon and, per run,
# a run worker; all of them must be gone when a test ends, also when it fails.


def _proc_stat(pid: int) -> tuple[str, int, int, int] | None:
    """(state, ppid, pgid, sid) of a process, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name is in parentheses and may contain spaces; the fields after it are fixed.
    fields = raw[raw.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[2]), int(fields[3])


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def tree_members(leader: int) -> set[int]:
    """Live (non-zombie) processes in the leader's session or process group, or descended from it."""
    stats = {pid: s for pid in _all_pids() if (s := _proc_stat(pid)) is not None}
    members = {pid for pid, (state, _, pgid, sid) in stats.items()
               if state != "Z" and (pgid == leader or sid == leader)}
    children: dict[int, list[int]] = {}
    for pid, (_, ppid, _, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    stack = [leader]
    while stack:
        pid = stack.pop()
        for child in children.get(pid, []):
            if stats[child][0] != "Z" and child not in members:
                members.add(child)
                stack.append(child)
    if leader in stats and stats[leader][0] != "Z":
        members.add(leader)
    return members


def _signal_all(pids: set[int], leader: int, sig: int) -> None:
    try:
        os.killpg(leader, sig)
    except ProcessLookupError:
        pass
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def _describe(pids: set[int]) -> list[str]:
    described = []
    for pid in sorted(pids):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except FileNotFoundError:
            continue
        described.append(f"{pid}: {cmdline[:160]}")
    return described


def stop_process_tree(process: subprocess.Popen, *, grace_s: float = 30.0) -> list[str]:
    """SIGINT (what Ctrl-C sends, dagster dev shuts its children down on it), then SIGTERM, then SIGKILL,
    each with a bounded wait. Returns descriptions of processes still alive at the end (should be none)."""
    leader = process.pid
    known = tree_members(leader)
    for sig, wait_s in ((signal.SIGINT, grace_s), (signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0)):
        # Processes started while stopping (a run worker launched a moment ago) are picked up each round.
        known |= tree_members(leader)
        alive = {pid for pid in known if (s := _proc_stat(pid)) is not None and s[0] != "Z"}
        if not alive:
            break
        _signal_all(alive, leader, sig)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if process.poll() is None:
                time.sleep(0.2)
                continue
            known |= tree_members(leader)
            if not {pid for pid in known if (s := _proc_stat(pid)) is not None and s[0] != "Z"}:
                break
            time.sleep(0.2)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    known |= tree_members(leader)
    return _describe({pid for pid in known if (s := _proc_stat(pid)) is not None and s[0] != "Z"})
