"""The layer rule, checked from the source: every import statement — at module level or
inside a function — of every module, read with `ast` (nothing is imported or run).

    core → org → journeys → insights → outcomes → initiatives → wins → governance → workspace

A module may import its own layer and the layers to its left, never one to its right, and
no layer imports the entry points above them all (`cxkeeper.urls`, `.api`, `.cli`,
`.settings`, `.home`, …). `import_cycles` finds circles between modules.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

LAYERS = ("core", "jobs", "org", "journeys", "insights", "outcomes", "initiatives", "wins", "governance",
          "notify", "channels", "workspace")
PACKAGE = "cxkeeper"


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    importer: str
    imported: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.importer} (layer {layer_of(self.importer)}) imports {self.imported}"


def layer_of(module: str) -> str | None:
    """The layer a dotted module name belongs to; None for the package itself and entry points."""
    parts = module.split(".")
    if parts[0] != PACKAGE or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS else None


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(module: str, path: Path, tree: ast.AST):
    """(line, imported module) for every import in the file, function-level ones included."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if node.module is None or node.level:
                # `from . import x` / `from .m import x`: x may be a submodule; name both.
                yield node.lineno, target
                for alias in node.names:
                    yield node.lineno, f"{target}.{alias.name}"
            else:
                yield node.lineno, target
                for alias in node.names:
                    yield node.lineno, f"{target}.{alias.name}"


def module_imports(root: Path):
    """{module: [(path, line, imported module)]} for every source file under the package root
    (migrations aside: they are generated and pinned to their own moment)."""
    result = {}
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = _module_name(root, path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        result[module] = [(str(path), line, target) for line, target in _imports(module, path, tree)
                          if target.split(".")[0] == PACKAGE]
    return result


def _as_module(target: str, modules) -> str:
    """`cxkeeper.a.b.name` → the longest prefix that is a module (`cxkeeper.a.b`)."""
    while target not in modules and "." in target:
        target = target.rpartition(".")[0]
    return target


def layer_violations(root: Path) -> list[Violation]:
    found = set()
    graph = module_imports(root)
    for module, imports in graph.items():
        mine = layer_of(module)
        if mine is None:
            continue  # entry points (and the package) may import anything
        for path, line, target in imports:
            if _as_module(target, graph) == PACKAGE:
                continue  # the package itself (`from cxkeeper import __version__`)
            theirs = layer_of(target)
            if theirs is None:
                found.add(Violation(path, line, module, target))  # a layer importing an entry point
            elif LAYERS.index(theirs) > LAYERS.index(mine):
                found.add(Violation(path, line, module, target))
    # `from cxkeeper.x import y` is reported once per statement, not once per name
    unique = {}
    for violation in sorted(found, key=lambda v: (v.path, v.line, v.imported)):
        unique.setdefault((violation.path, violation.line), violation)
    return list(unique.values())


def import_cycles(root: Path) -> list[list[str]]:
    """Circles between modules (every import counts, function-level ones included), each
    as the list of modules on it; strongly connected components of more than one module."""
    graph = module_imports(root)
    modules = set(graph)
    edges = {}
    for module, imports in graph.items():
        targets = set()
        for _, _, target in imports:
            # `from a.b import c`: an edge to a.b.c if that is a module, else to a.b
            target = _as_module(target, modules)
            if target and target != module and not module.startswith(target + ".") and target != PACKAGE:
                targets.add(target)
        edges[module] = targets
    index, low, stack, on_stack, components = {}, {}, [], set(), []
    counter = [0]

    def visit(node):  # Tarjan, iteratively deep enough for this code base
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return sorted(components)
