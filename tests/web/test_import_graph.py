"""The shape of the code, checked: no import circles between modules (a Celery task module and the
service it calls may know each other), no app imports an app above it, and the parser has no
Django. Every import counts, also those inside functions: a lazy import hides a circle, it does
not remove it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Lower layers never import higher ones; apps in one layer do not import each other either,
# except where listed. dealerlms (settings, URLs) and demo sit on top and may import anything.
LAYERS = [
    {"core", "leadparser"},
    {"dealers", "accounts"},
    {"leads"},
    {"inbound", "distribution", "automation", "appraisals", "integrations", "followup", "calls"},
    # A lead's conversation reads what automation sent and received and the calls.
    {"conversations"},
    {"dashboards"},
    {"dealerlms", "demo"},
]
# (importer, imported) across apps of one layer, and why.
SAME_LAYER = {
    ("accounts", "dealers"): "a person's roles are per dealership",
    ("dealers", "accounts"): "the dealership settings page checks the admin role",
    ("followup", "distribution"): "a cadence that runs out hands the lead to the BDC queue",
    ("calls", "distribution"): "an unanswered bridge call hands the lead on by escalation, and "
    "the bridge reads opening hours and presence",
}
# Circles still to be untangled (issue 12); each entry is one strongly connected set of modules.
KNOWN_CIRCLES: list[set[str]] = []


def _modules() -> dict[str, Path]:
    found = {}
    apps = {app for layer in LAYERS for app in layer}
    for app in apps:
        for path in (ROOT / app).rglob("*.py") if (ROOT / app).is_dir() else ():
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from pkg import sub` imports the module pkg.sub when there is one.
                subs = [f"{node.module}.{a.name}" for a in node.names]
                targets = [t for t in subs if t in modules] or [node.module]
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[set[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            part = set()
            while True:
                top = stack.pop()
                part.add(top)
                if top == node:
                    break
            if len(part) > 1:
                circles.append(part)

    for node in graph:
        if node not in index:
            visit(node)
    return circles


def _task_service_pair(circle: set[str]) -> bool:
    if len(circle) != 2:
        return False
    a, b = sorted(circle, key=lambda m: m.endswith(".tasks"))
    return b.endswith(".tasks") and a.rsplit(".", 1)[0] == b.rsplit(".", 1)[0]


def test_no_import_circles_but_a_task_and_its_service():
    circles = [c for c in _circles(_graph()) if not _task_service_pair(c)]
    unexpected = [sorted(c) for c in circles if c not in KNOWN_CIRCLES]
    assert not unexpected, f"import circles: {unexpected}"
    gone = [sorted(c) for c in KNOWN_CIRCLES if c not in circles]
    assert not gone, f"untangled, drop from KNOWN_CIRCLES: {gone}"


def test_no_app_imports_one_above_it():
    layer_of = {app: i for i, layer in enumerate(LAYERS) for app in layer}
    wrong = set()
    for module, targets in _graph().items():
        app = module.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other == app or layer_of[app] == len(LAYERS) - 1:
                continue
            above = layer_of[other] > layer_of[app]
            sideways = layer_of[other] == layer_of[app] and (app, other) not in SAME_LAYER
            if above or sideways:
                wrong.add(f"{module} imports {target}")
    assert not wrong, sorted(wrong)


def test_the_parser_has_no_django():
    for name, targets in _graph().items():
        if name.startswith("leadparser"):
            assert all(t.startswith("leadparser") for t in targets), (name, targets)
    for path in (ROOT / "leadparser").rglob("*.py"):
        assert "django" not in path.read_text("utf-8"), path
