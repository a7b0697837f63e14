"""The package's rooms and the one way imports run between them (docs/ARCHITECTURE.md).

school <- rules <- planning <- present <- explorer <- cli, and synth uses school only.
Every import is read from the source with ``ast``, including imports inside functions,
so a lazy import cannot hide a dependency that runs the wrong way.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sendlib"

#: Each room's rank: a module may import its own room and rooms of lower rank.
RANK = {"school": 0, "rules": 1, "planning": 2, "present": 3, "explorer": 4, "cli": 5}
#: synth makes sample schools from the input contract alone; only the command line uses it.
SYNTH_MAY_IMPORT = {"school", "synth"}
SYNTH_USED_BY = {"synth", "cli"}

#: No module a reader cannot hold in mind (issue 11: "no module much over 600 lines").
MAX_MODULE_LINES = 650


def module_name(path: Path) -> str:
    """``sendlib/rules/requests.py`` -> ``sendlib.rules.requests`` (packages by their folder)."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def room(module: str) -> str | None:
    """The room a module lives in: the first name under ``sendlib`` (None for the facade)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def imported_modules(path: Path, source: str | None = None) -> set[str]:
    """Every ``sendlib`` module a file imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "sendlib")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "sendlib":
                continue
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                is_module = (PACKAGE.parent / candidate.replace(".", "/")).with_suffix(".py")
                is_package = PACKAGE.parent / candidate.replace(".", "/") / "__init__.py"
                found.add(candidate if is_module.exists() or is_package.exists() else target)
    return found


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: imported_modules(path) for name, path in MODULES.items()}


def test_every_module_is_in_a_room():
    loose = [m for m in MODULES if room(m) not in {*RANK, "synth", None}]
    assert not loose, f"modules outside the rooms: {loose}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_one_way(module):
    mine = room(module)
    if mine is None:
        return  # the facade sendlib/__init__.py re-exports the public API
    wrong = []
    for target in sorted(GRAPH[module]):
        theirs = room(target)
        if theirs is None:
            if mine != "cli":  # the command line sits above the facade (its __version__)
                wrong.append(f"{target} (import from the room, not the facade)")
        elif mine == "synth":
            if theirs not in SYNTH_MAY_IMPORT:
                wrong.append(target)
        elif theirs == "synth":
            if mine not in SYNTH_USED_BY:
                wrong.append(target)
        elif RANK[theirs] > RANK[mine]:
            wrong.append(target)
    assert not wrong, f"{module} ({mine}) imports a room above it: {wrong}"


def test_no_import_cycle():
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            cycle = path[path.index(name) :] + [name]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if name in done:
            return
        for target in GRAPH.get(name, ()):
            if target in MODULES and target != name:
                visit(target, [*path, name])
        done.add(name)

    for name in MODULES:
        # A package's __init__ re-exporting its own modules is not a cycle through them.
        visit(name, [])


def test_the_walker_finds_lazy_and_relative_imports():
    """The check itself can fail: imports inside a function and relative ones are seen."""
    fake = PACKAGE / "school" / "fake.py"
    source = (
        "import polars\n"
        "from . import calendar\n"
        "def f():\n"
        "    from sendlib.present import figures\n"
        "    import sendlib.rules.requests\n"
    )
    found = imported_modules(fake, source)
    assert found == {
        "sendlib.school.calendar",
        "sendlib.present.figures",
        "sendlib.rules.requests",
    }
    assert RANK[room("sendlib.present.figures")] > RANK[room(module_name(fake))]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_are_small_enough_to_hold_in_mind(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{module} has {lines} lines: split it by meaning"
