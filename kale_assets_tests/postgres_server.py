"""A real PostgreSQL (Debian's `postgresql` package) for the tests: a private cluster in a temporary data
directory, listening on 127.0.0.1 on a free port, with password authentication over TCP, stopped and removed
when the test is done. As root, initdb and pg_ctl run as the `postgres` user (PostgreSQL refuses root).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kale_assets_tests.dagster_servers import free_port

START_TIMEOUT_S = 60


def postgres_bin_dir() -> Path | None:
    """bin/ of the newest PostgreSQL installed from Debian's packages, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    database: str

    def connect(self):
        import psycopg2  # installed with dagster-postgres

        return psycopg2.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                                dbname=self.database)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall()
        finally:
            conn.close()

    def dagster_env(self) -> dict[str, str]:
        """The variables infra/dagster.yaml reads for its storage."""
        return {"DAGSTER_POSTGRES_HOST": self.host, "DAGSTER_POSTGRES_PORT": str(self.port),
                "DAGSTER_POSTGRES_USER": self.user, "DAGSTER_POSTGRES_PASSWORD": self.password,
                "DAGSTER_POSTGRES_DB": self.database}


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(_as_postgres(command), capture_output=True, text=True, timeout=START_TIMEOUT_S, check=False,
                          **kwargs)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@contextmanager
def running_postgres(log_path: Path, *, database: str = "dagster") -> Iterator[PostgresServer]:
    """Start a throwaway cluster (initdb + pg_ctl) and create `database`; stop and delete it afterwards."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL is not installed: scripts/setup --dev installs Debian's postgresql")
    # Not under pytest's tmp_path: its parents are private to root, and the server runs as `postgres`.
    root = Path(tempfile.mkdtemp(prefix="kale-pg-"))
    data, sockets, pwfile = root / "data", root / "sockets", root / "pwfile"
    user, password = "kale", secrets.token_hex(16)
    sockets.mkdir()
    pwfile.write_text(password + "\n")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        for path in (sockets, pwfile):
            shutil.chown(path, "postgres")
    port = free_port()
    server = PostgresServer("127.0.0.1", port, user, password, database)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Password (scram) over TCP, so the test proves the credentials really travel through the environment.
        _run([str(bin_dir / "initdb"), "-D", str(data), "-U", user, f"--pwfile={pwfile}", "-E", "UTF8",
              "--auth-host=scram-sha-256", "--auth-local=trust"])
        pwfile.unlink()
        # Durability off: a test cluster trades crash safety for speed on a busy 2-core machine.
        options = f"-h 127.0.0.1 -p {port} -k {sockets} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "postgres.log"),
              "-w", "-t", str(START_TIMEOUT_S), "start"])
        try:
            # CREATE DATABASE refuses to run in a transaction, and psycopg2's `with conn` opens one.
            conn = PostgresServer("127.0.0.1", port, user, password, "postgres").connect()
            try:
                conn.autocommit = True
                with conn.cursor() as cur:
                    cur.execute(f'CREATE DATABASE "{database}"')
            finally:
                conn.close()
            yield server
        finally:
            _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
    finally:
        if (root / "postgres.log").exists():
            shutil.copyfile(root / "postgres.log", log_path)
        shutil.rmtree(root, ignore_errors=True)
