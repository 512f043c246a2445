"""Parser throughput per class of the corpus, this parser against an earlier one in the same run.

    .venv/bin/python bench/parser_bench.py [--baseline REF] [--rounds 7] [--seconds 0.3]

The messages are tests/leadparser/corpus/<class>/*. The baseline is `leadparser/` as it was at
the git commit REF (default: the parser before the real-world work of issue 14), unpacked with
`git archive` into a temporary folder. Each parser runs in its own Python process (two packages
named `leadparser` cannot share one), the two alternating round by round so that the machine's
noise falls on both alike; each round parses every class for about `--seconds` and reports
CPU microseconds per message (process time, so that other work on a shared machine counts
less). Prints, per class: messages, median µs/message before and after,
messages/s after, and after/before; then the target (a typical portal e-mail < 2 ms).
A refusal costs time too: messages the baseline refuses are timed all the same.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "leadparser" / "corpus"
BEFORE_REAL_WORLD = "ec6d175"  # main before issue 14's envelope, layouts, JSON and portal work
TARGET_MS = 2.0

# Runs inside each parser's process: argv = corpus folder, seconds per class; prints JSON.
CHILD = r"""
import json, sys, time
from pathlib import Path
from leadparser import ParseError, parse_message

corpus, seconds = Path(sys.argv[1]), float(sys.argv[2])
classes = {}
for path in sorted(corpus.rglob("*")):
    if path.is_file() and not path.name.endswith(".expect.json"):
        expect = path.with_name(path.name.rsplit(".", 1)[0] + ".expect.json")
        if expect.is_file():
            parse = json.loads(expect.read_text("utf-8")).get("parse") or {}
            region = parse.get("region", "NL")
            classes.setdefault(path.parent.name, []).append((path.read_bytes(), region))
out = {}
for kind, messages in classes.items():
    def once():
        for raw, region in messages:
            try:
                parse_message(raw, region=region)
            except ParseError:
                pass
    once()  # warm: imports, compiled regexes
    n, started = 0, time.process_time()
    while True:
        once()
        n += 1
        elapsed = time.process_time() - started
        if elapsed >= seconds:
            break
    out[kind] = {"messages": len(messages), "us": elapsed / (n * len(messages)) * 1e6}
print(json.dumps(out))
"""


def unpack(ref: str, into: Path) -> None:
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref, "leadparser"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def measure(pythonpath: Path, seconds: float) -> dict:
    # `python -c` puts the working directory first on sys.path, before PYTHONPATH: run in the
    # parser's own folder, or both sides would import this tree's leadparser.
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(CORPUS), str(seconds)],
        cwd=pythonpath,
        env={"PYTHONPATH": str(pythonpath), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=BEFORE_REAL_WORLD, help="git commit of the baseline")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.3, help="per class per round")
    args = parser.parse_args()
    before: dict[str, list[float]] = {}
    after: dict[str, list[float]] = {}
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        unpack(args.baseline, Path(tmp))
        for _ in range(args.rounds):
            for where, into in ((Path(tmp), before), (ROOT, after)):
                for kind, figures in measure(where, args.seconds).items():
                    into.setdefault(kind, []).append(figures["us"])
                    counts[kind] = figures["messages"]
    print(f"parser: this tree against {args.baseline}, {args.rounds} alternating rounds, median")
    print(
        f"{'class':<14} {'msgs':>5} {'before µs':>10} {'after µs':>10} {'after msg/s':>12} {'ratio':>6}"
    )
    for kind in sorted(after):
        b = statistics.median(before.get(kind, [float("nan")]))
        a = statistics.median(after[kind])
        print(f"{kind:<14} {counts[kind]:>5} {b:>10.0f} {a:>10.0f} {1e6 / a:>12,.0f} {a / b:>6.2f}")
    portal = statistics.median(after["portal"]) / 1000 if "portal" in after else float("nan")
    verdict = "ok" if portal < TARGET_MS else "TOO SLOW"
    print(f"typical portal e-mail: {portal:.2f} ms a message (target < {TARGET_MS} ms): {verdict}")


if __name__ == "__main__":
    main()
