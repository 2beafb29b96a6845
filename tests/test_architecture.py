"""The package's shape, read from its source: layers, no import circles, sessions only at the edges.

README "Architecture" describes the layers; these tests fail when a change breaks them, so
that the rule is kept by the suite rather than by memory. Every import counts, including
those inside functions: a function-level import that dodges a circle is still a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "notifier"

# Domain packages in the order they may depend on each other: each imports only from those before it.
# It is the flow of README "The flow" with two exceptions that are reference data, not steps:
# intake validates states with the addresses' state table, and a batch's estimate is priced with
# the cost rate tables. synth (fake exports for demos and tests) writes what intake reads.
DOMAIN_ORDER = ("addresses", "intake", "letters", "costs", "batches", "returns", "retention", "synth", "accounts")
CROSS_DOMAIN_SERVICES = ("notifier.tasks", "notifier.pipeline", "notifier.status", "notifier.audit")  # above every domain package
EDGES = ("notifier.cli", "notifier.web", "notifier.workers")
FOUNDATION = ("notifier.errors", "notifier.settings", "notifier.models", "notifier.db", "notifier.csvfiles", "notifier.logs")
DATABASE_MODULES = ("sqlalchemy", "sqlmodel", "notifier.models")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def parse_all() -> dict[str, ast.Module]:
    return {module_name(path): ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in sorted(PACKAGE.rglob("*.py"))}


MODULES = parse_all()


def imports_of(name: str) -> set[str]:
    """Every module `name` imports, anywhere in the file (`from a import b` counts a.b when that is a module)."""
    found: set[str] = set()
    for node in ast.walk(MODULES[name]):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module if node.level == 0 else ".".join(name.split(".")[: -node.level] + [node.module])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES)
    return found


def internal_graph() -> dict[str, set[str]]:
    return {name: {other for other in imports_of(name) if other in MODULES and other != name} for name in MODULES}


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that reach each other (a circle has two or more)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def domain_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in DOMAIN_ORDER else None


def test_the_graph_is_read():
    graph = internal_graph()
    assert "notifier.cli.main" in graph and "notifier.pipeline" in graph
    assert "notifier.intake.importer" in graph["notifier.pipeline"]


def test_no_import_circle():
    circles = [group for group in strongly_connected(internal_graph()) if len(group) > 1]
    assert circles == []


def test_circle_finder_finds_a_circle():
    assert [g for g in strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) if len(g) > 1] == [["a", "b", "c"]]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_go_down_the_layers(name):
    """Edges over cross-domain services over domain packages (in flow order) over the foundation."""
    wrong = []
    for other in internal_graph()[name]:
        if under(other, EDGES) and not under(name, EDGES):
            wrong.append(f"{other} (an edge)")
        elif under(other, CROSS_DOMAIN_SERVICES) and not under(name, EDGES + CROSS_DOMAIN_SERVICES):
            wrong.append(f"{other} (a cross-domain service)")
        elif domain_of(other) and domain_of(name) and DOMAIN_ORDER.index(domain_of(other)) > DOMAIN_ORDER.index(domain_of(name)):
            wrong.append(f"{other} (a later step)")
        elif under(name, FOUNDATION) and not under(other, FOUNDATION):
            wrong.append(f"{other} (above the foundation)")
    assert wrong == []


@pytest.mark.parametrize("name", sorted(n for n in MODULES if under(n, ("notifier.cli",))))
def test_cli_holds_no_queries(name):
    """The command line parses and formats: the database is reached through services only."""
    assert sorted(m for m in imports_of(name) if under(m, DATABASE_MODULES)) == []


OPENERS = {"session_for", "engine_for", "create_engine", "Session", "sessionmaker"}  # ways to reach a database without being handed a session
URL_NAMES = {"url", "database_url", "db_url", "dsn"}


def openers_used(name: str) -> list[str]:
    """Names of OPENERS the module calls or imports (under any alias)."""
    tree = MODULES[name]
    found = [alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names if alias.name in OPENERS and alias.name != "Session"]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = node.func.id if isinstance(node.func, ast.Name) else node.func.attr if isinstance(node.func, ast.Attribute) else ""
            if called in OPENERS:
                found.append(called)
    return found


@pytest.mark.parametrize("name", sorted(n for n in MODULES if not under(n, EDGES + ("notifier.db",))))
def test_sessions_are_opened_only_at_the_edges(name):
    """Below the edges a function takes a Session (the type may be imported): never a database URL, never its own session."""
    takes_url = [
        node.name
        for node in ast.walk(MODULES[name])
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(arg.arg in URL_NAMES for arg in node.args.args + node.args.kwonlyargs)
    ]
    assert (openers_used(name), takes_url) == ([], [])


def test_the_session_check_sees_the_edges_open_sessions():
    assert "session_for" in openers_used("notifier.workers") and "session_for" in openers_used("notifier.cli.runs")


def _hint_texts(name: str) -> list[tuple[int, str]]:
    """The literal text of every `todo=` hint given to an error in module `name`."""
    found = []
    for node in ast.walk(MODULES[name]):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "todo":
                    text = "".join(part.value for part in ast.walk(keyword.value) if isinstance(part, ast.Constant) and isinstance(part.value, str))
                    found.append((node.lineno, text))
    return found


@pytest.mark.parametrize("name", sorted(n for n in MODULES if not under(n, EDGES)))
def test_domain_hints_name_no_command_or_flag(name):
    """A hint fits a terminal and a web page alike; the command line adds the command for the error's action.

    The one exception is the schema upgrade in db.py: an operator's step that no page can take.
    """
    allowed = {"notifier.db": "notifier db upgrade"}
    wrong = [(line, text) for line, text in _hint_texts(name) if ("notifier " in text or " --" in text or text.startswith("--")) and allowed.get(name, "\0") not in text]
    assert wrong == []


def test_hint_check_reads_hints():
    assert any("NOTIFIER_DATABASE_URL" in text for _, text in _hint_texts("notifier.db"))
