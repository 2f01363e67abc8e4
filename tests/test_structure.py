"""The shape of the code a newcomer relies on: no import cycles, the staff workspace on top
of the domain apps (never below them), small modules, and pure helpers in portal/lib
(tests/test_tools_apart.py keeps the benchmark out of the product).

Read from the source with ``ast``: importing nothing, so a broken module still gets a clear
failure here rather than an import error."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / "portal"
LONGEST_LINES = 500
# A module may be longer when its docstring says why, in these words.
LONG_REASON = "Long on purpose:"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def portal_modules() -> dict[str, Path]:
    return {
        module_name(path): path for path in PORTAL.rglob("*.py") if "migrations" not in path.parts
    }


MODULES = portal_modules()


def owner(dotted: str) -> str | None:
    """The portal module a dotted name lives in (``portal.a.b.func`` is in ``portal.a.b``)."""
    while dotted and dotted not in MODULES:
        dotted = dotted.rpartition(".")[0]
    return dotted or None


def imports_of(path: Path) -> set[str]:
    """Every portal module ``path`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # "from portal.staff import exports" imports the module portal.staff.exports
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.startswith("portal.") and (target := owner(name)):
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        # A package's __init__ importing its own modules is not a dependency between them.
        graph[name] = {t for t in imports_of(path) if t != name and not t.startswith(name + ".")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_checker_finds_a_cycle_it_is_given():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_of_portal_has_no_cycle():
    assert cycles(import_graph()) == []


def test_no_domain_app_imports_the_staff_workspace():
    """The staff workspace is built on the apps; an app reaching up into it would tie the
    mentor's pages (or the worker) to staff code. ``portal.filejobs`` is the workspace's
    own exports and imports, run by the worker when they are large: it is part of the
    workspace, in an app of its own for its model and its pages."""
    upward = sorted(
        (source, target)
        for source, targets in import_graph().items()
        for target in targets
        if target.startswith("portal.staff")
        and not source.startswith(("portal.staff", "portal.filejobs"))
        and source not in ("portal.urls",)
    )
    assert upward == []


def docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text())) or ""


def test_no_module_is_long_without_a_reason_at_its_top():
    long = {
        name: lines
        for name, path in MODULES.items()
        if (lines := len(path.read_text().splitlines())) > LONGEST_LINES
        and LONG_REASON not in docstring(path)
    }
    assert long == {}, f"over {LONGEST_LINES} lines with no '{LONG_REASON}' in the docstring"


@pytest.mark.parametrize("name", sorted(name for name in MODULES if name.startswith("portal.lib.")))
def test_lib_holds_only_pure_helpers(name):
    """portal/lib is for helpers with no queries, models or services of their own (building a
    constraint expression is declarative and allowed; reading or writing rows is not)."""
    imported = imports_of(MODULES[name]) - {n for n in MODULES if n.startswith("portal.lib")}
    assert imported == set(), f"{name} imports {sorted(imported)}"
    text = MODULES[name].read_text()
    assert not re.search(r"from django\.db import .*\b(connection|transaction)\b", text)
    assert "objects." not in text


CONFLICT_MARKER = re.compile(r"^(<{7} |>{7} |={7}$)", re.MULTILINE)
TEXT_SUFFIXES = {".py", ".html", ".txt", ".css", ".js", ".md", ".toml", ".cfg", ".in", ".po"}


def test_the_marker_pattern_finds_a_left_over_merge():
    assert CONFLICT_MARKER.search("a {}\n<<<<<<< HEAD\nb {}\n=======\nc {}\n>>>>>>> other\n")
    assert not CONFLICT_MARKER.search("a = '=' * 7\n# ======= heading\n")


def test_no_file_keeps_a_merge_conflict_marker():
    """A merge left half done can pass every other test (a stylesheet, a document)."""
    found = []
    for folder in ("portal", "templates", "static", "tests", "docs", "bench", "deploy"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in TEXT_SUFFIXES or "vendor" in path.parts:
                continue
            if CONFLICT_MARKER.search(path.read_text(encoding="utf-8", errors="replace")):
                found.append(str(path.relative_to(ROOT)))
    assert not found, f"merge conflict markers left in {found}"
