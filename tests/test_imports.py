"""Dependencies point one way: no import cycles between the project's modules, no import
inside a function to dodge one, and no domain code importing views or middleware."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["journalclub", "accounts", "posts", "comments", "search", "outbox", "subscriptions"]
# Django loads these once every app is ready; importing models at their top is not allowed.
READY_HOOKS = {"apps"}
# Modules that may import views and middleware: they wire them up.
WIRING = {"urls", "views", "middleware", "settings", "wsgi", "asgi"}


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def imports_of(name: str, path: Path, modules: dict) -> list[tuple[str, bool]]:
    """The project modules `name` imports, each with whether the import is inside a
    function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            targets = []
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [base] + [f"{base}.{alias.name}" for alias in child.names]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    found.append((target, inside))
            visit(child, inside)

    visit(ast.parse(path.read_text()), False)
    return found


def graph() -> dict[str, list[tuple[str, bool]]]:
    modules = project_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def test_no_import_cycles():
    edges = {name: {target for target, _ in targets} for name, targets in graph().items()}
    cycles = []

    def walk(name: str, trail: list[str]) -> None:
        for target in sorted(edges[name]):
            if target in trail:
                cycles.append(" → ".join([*trail[trail.index(target) :], target]))
            elif target not in done:
                walk(target, [*trail, target])
        done.add(name)

    done: set[str] = set()
    for name in sorted(edges):
        if name not in done:
            walk(name, [name])
    assert cycles == []


def test_no_project_imports_inside_functions():
    inside = [
        f"{name} imports {target} inside a function"
        for name, targets in graph().items()
        for target, in_function in targets
        if in_function and name.rpartition(".")[2] not in READY_HOOKS
    ]
    assert inside == []


def test_domain_code_does_not_import_views_or_middleware():
    wrong = [
        f"{name} imports {target}"
        for name, targets in graph().items()
        if name.rpartition(".")[2] not in WIRING and "management" not in name
        for target, _ in targets
        if target.rpartition(".")[2] in {"views", "middleware"}
    ]
    assert wrong == []
