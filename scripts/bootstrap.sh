# Sourced by scripts/run and scripts/test: a virtualenv with the pinned dependencies, the
# development set (requirements-dev.txt: the runtime pins of requirements.txt, plus tests, lint,
# browser tests and the first-run Redis). Production installs requirements.txt alone.
# Re-installs only when either file changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3 || true)}"
if [ -z "$PYTHON" ]; then
  echo "DealerLMS needs Python 3.11: none found (apt-get install python3.11 python3.11-venv)." >&2
  exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "DealerLMS needs Python 3.11; $PYTHON is $("$PYTHON" --version 2>&1). Set PYTHON=/path/to/python3.11." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "» creating the virtualenv in .venv"
  "$PYTHON" -m venv .venv || { echo "Could not create a virtualenv: install python3.11-venv (apt-get install python3.11-venv)." >&2; exit 1; }
fi
stamp=.venv/.requirements.sha
want="$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "» installing pinned dependencies (requirements-dev.txt, with requirements.txt)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  echo "$want" > "$stamp"
fi
export PATH="$ROOT/.venv/bin:$PATH"
