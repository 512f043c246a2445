"""Where ../shared is: $DEALERLMS_SHARED, else the nearest `shared/` beside the repository or one of
its parents (a git worktree under /work/wt/<name> sees the same /work/shared as /work/main)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    if os.environ.get("DEALERLMS_SHARED"):
        return Path(os.environ["DEALERLMS_SHARED"])
    for parent in ROOT.parents:
        if (parent / "shared" / "samples" / "leads").is_dir():
            return parent / "shared"
    return ROOT.parent / "shared"  # the documented place; tests say so when it is missing


SHARED = shared_dir()
SAMPLES = SHARED / "samples" / "leads"
