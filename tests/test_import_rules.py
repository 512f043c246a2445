"""The layout's import rules (docs/architecture.md), read from the source: an import that breaks
one fails here, wherever in the module it sits (inside a function too)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = {
    "core",
    "leadparser",
    "accounts",
    "dealers",
    "leads",
    "inbound",
    "distribution",
    "automation",
    "dashboards",
    "appraisals",
    "demo",
    "dealerlms",
}


def imports_of(package: str) -> dict[str, set[str]]:
    """{module path: the top-level packages it imports}, migrations left out."""
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        # leads announces events (leads.signals); the apps that react import leads, not back.
        ("leads", {"inbound", "distribution", "automation", "dashboards", "appraisals", "demo"}),
        # The parser is pure Python: no Django, no app of ours.
        ("leadparser", {"django", *APPS - {"leadparser"}}),
        # Helpers every app may use: they know no app.
        ("core", APPS - {"core"}),
    ],
)
def test_no_module_imports_what_its_layer_must_not(package, forbidden):
    breaking = {
        module: sorted(names & forbidden)
        for module, names in imports_of(package).items()
        if names & forbidden
    }
    assert imports_of(package), f"{package}/ has no modules: the layout moved"
    assert breaking == {}
