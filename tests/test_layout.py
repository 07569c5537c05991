"""The house's layout: imports run one way, from the command line down to the languages, and never in a circle.

Every import counts, at any depth of a module's code (one inside a function,
or for type checking only, still ties two modules together). Layers, top
down: ``cli``; the command modules at the top of the package; the wings
``adding/``, ``index/``, ``store/``, ``articles/``, ``languages/``; and the
base modules every layer may use (``errors``, ``forking``, ``locations`` and
the package itself).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from kzjp_cli import locations

PACKAGE = locations.PACKAGE_DIR
WINGS = ("languages", "articles", "store", "index", "adding")
"""The machinery's folders, lowest first: each may import those before it, never those after."""
BASE = ("errors", "forking", "locations")
TOP = ("cli", "__main__")


def modules(root: Path) -> dict[str, Path]:
    """Every module of the package at ``root`` by dotted name (a folder's ``__init__`` as the folder's name)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """The package's own modules that module ``name`` imports, anywhere in its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # ``from kzjp_cli.articles import dedup`` imports a module; ``import FIELDS`` a name of one
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target


def graph(root: Path) -> dict[str, set[str]]:
    """Each module of the package and the package's modules it imports."""
    known = modules(root)
    return {name: set(imports(name, path, known)) for name, path in known.items()}


def rank(module: str) -> int:
    """The module's layer: 0 the base, 1 to 5 the wings from the bottom, 6 the commands, 7 the command line."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in BASE:
        return 0
    if parts[1] in WINGS:
        return 1 + WINGS.index(parts[1])
    return 7 if parts[1] in TOP else 6


def upward(edges: dict[str, set[str]]) -> list[str]:
    """The imports that run up a layer: machinery importing a command, a lower wing a higher one."""
    return sorted(f"{a} -> {b}" for a, targets in edges.items() for b in targets if rank(b) > rank(a))


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every set of modules that import each other, directly or round a loop (Tarjan's strongly connected
    components of more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_package_has_the_wings_and_a_dozen_modules_at_the_top() -> None:
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert folders == sorted(WINGS)
    for wing in WINGS:
        face = (PACKAGE / wing / "__init__.py").read_text(encoding="utf-8")
        assert ast.get_docstring(ast.parse(face)), f"{wing}/__init__.py says what the wing is for"
    top = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__"))
    assert 10 <= len(top) <= 16, top


def test_imports_run_one_way_and_never_in_a_circle() -> None:
    edges = graph(PACKAGE)
    assert len(edges) > 40 and sum(map(len, edges.values())) > 100, "every module and import is looked at"
    assert upward(edges) == []
    assert circles(edges) == []


def test_every_wing_is_reached_only_downward() -> None:
    """The base imports no wing and no command; no wing imports the command line."""
    edges = graph(PACKAGE)
    for module, targets in edges.items():
        if rank(module) == 0:
            assert all(rank(t) == 0 for t in targets), (module, targets)
        if rank(module) < 6:
            assert not any(t.split(".")[1:2] == ["cli"] for t in targets if "." in t), module


@pytest.mark.parametrize(
    ("files", "circle", "up"),
    [
        (  # a circle inside a wing, through an import inside a function
            {
                "languages/__init__.py": '"""."""',
                "languages/a.py": "from pkg.languages import b\n",
                "languages/b.py": "def f():\n    from pkg.languages.a import x\n",
            },
            [["pkg.languages.a", "pkg.languages.b"]],
            [],
        ),
        (  # a wing importing a command module, and a command importing the command line
            {
                "store/__init__.py": "from pkg import search\n",
                "search.py": "from pkg.cli import main\n",
                "cli.py": "from pkg import store\n",
            },
            [["pkg.cli", "pkg.search", "pkg.store"]],
            ["pkg.search -> pkg.cli", "pkg.store -> pkg.search"],
        ),
        (  # a lower wing importing a higher one, relatively
            {"articles/__init__.py": "from ..index import handle\n", "index/__init__.py": "", "index/handle.py": ""},
            [],
            ["pkg.articles -> pkg.index.handle"],
        ),
    ],
)
def test_the_checks_catch_a_planted_circle_and_an_upward_import(
    tmp_path: Path, files: dict[str, str], circle: list[list[str]], up: list[str]
) -> None:
    root = tmp_path / "pkg"
    for name, text in {"__init__.py": "", **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    edges = graph(root)
    assert circles(edges) == circle
    assert upward(edges) == up
