"""The package's layers: each imports only from itself and lower layers, and nothing cycles.

Every import counts, type-only ones (under ``TYPE_CHECKING``) and those inside functions too.
The rule and its reasons are in docs/design.md ("Layers").
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "simulation"

#: Lowest first; a module may import from its own layer and those before it.
LAYERS = ("core", "config", "agents", "chain", "compiled", "model", "experiments", "eventlog",
          "checks", "report", "live", "cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every ``simulation`` module a file imports, wherever the import statement stands."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("simulation"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if not base.startswith("simulation"):
                continue
            for alias in node.names:  # ``from simulation.x import y``: y may be a submodule
                sub = f"{base}.{alias.name}"
                found.add(sub if (PACKAGE.parent / sub.replace(".", "/")).with_suffix(".py")
                          .exists() or (PACKAGE.parent / sub.replace(".", "/")).is_dir()
                          else base)
    found.discard(name)
    return found


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[1] not in LAYERS:
        return None  # the package facade (simulation/__init__.py, __main__.py)
    return LAYERS.index(parts[1])


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {m: imports_of(p) for m, p in MODULES.items()}


def test_every_module_sits_in_a_layer() -> None:
    stray = [m for m in MODULES if layer_of(m) is None
             and m not in ("simulation", "simulation.__main__")]
    assert not stray, f"modules outside the layers {LAYERS}: {stray}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_from_its_own_layer_and_below(module: str) -> None:
    own = layer_of(module)
    if own is None:
        return
    upward = sorted(m for m in GRAPH[module] if (layer_of(m) or -1) > own)
    assert not upward, (f"{module} (layer {LAYERS[own]}) imports from higher layers: "
                        + ", ".join(f"{m} ({LAYERS[layer_of(m)]})" for m in upward))


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the import graph, or None (depth-first search, colours)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycles_type_only_imports_included() -> None:
    modules = {m: {i for i in deps if i in MODULES} for m, deps in GRAPH.items()
               if m not in ("simulation", "simulation.__main__")}
    # a package's __init__ re-exporting its own modules is not a cycle through them
    for m, deps in modules.items():
        modules[m] = {d for d in deps if not (MODULES[d].name == "__init__.py"
                                              and m.startswith(d + "."))}
    cycle = find_cycle(modules)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_checks_can_fail() -> None:
    """The two rules catch what they claim to (mutants of the import graph)."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    assert layer_of("simulation.agents.employee") > layer_of("simulation.core.requests")
    assert layer_of("simulation.model.orgmodel") > layer_of("simulation.agents.employee")


def test_type_only_and_function_level_imports_are_seen(tmp_path: Path) -> None:
    assert "simulation.agents.protocol" in GRAPH["simulation.agents.employee"]  # TYPE_CHECKING
    assert "simulation.experiments.stats" in GRAPH["simulation.experiments.experiment"]  # in a def


def private_writes(path: Path) -> list[str]:
    """``obj._field = ...`` (or ``+=``) where ``obj`` is not ``self`` or ``cls``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, ast.AugAssign | ast.AnnAssign) else [])
        for target in targets:
            for t in ast.walk(target):
                if (isinstance(t, ast.Attribute) and t.attr.startswith("_")
                        and not t.attr.startswith("__")
                        and not (isinstance(t.value, ast.Name) and t.value.id in ("self", "cls"))):
                    found.append(f"{path.name}:{t.lineno} {ast.unparse(t)}")
    return found


def test_no_module_writes_another_objects_private_fields() -> None:
    writes = [w for p in MODULES.values() for w in private_writes(p)]
    assert not writes, "private fields written from outside their object: " + ", ".join(writes)


def test_the_private_write_check_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f(e):\n    e._exp_sum = 0.0\n    e._n += 1\n    self._ok = 1\n")
    assert private_writes(bad) == ["bad.py:2 e._exp_sum", "bad.py:3 e._n"]
