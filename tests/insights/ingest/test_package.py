"""The shape of the Django-free packages, read from the source with `ast` (nothing imported):
`insights.ingest` imports in one direction, and neither it nor `insights.analytics` imports
Django or any other part of cxkeeper."""

import ast
from pathlib import Path

import pytest

import cxkeeper
from cxkeeper.testing.layers import import_cycles, module_imports

SOURCE = Path(cxkeeper.__file__).parent
INGEST = "cxkeeper.insights.ingest"
# Each module may import only the ones before it (the order in ingest/fields.py).
ORDER = ("fields", "errors", "limits", "canonical", "presets", "readers", "mapping", "validate", "previews")


def _imports(path: Path, root: Path):
    """Every absolute import of the file, function-level ones too; a relative import that
    climbs out of `root` as "..(outside)"."""
    depth = len(path.relative_to(root).parts) - 1
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if not node.level:
                yield node.module
            elif node.level - 1 > depth:
                yield "..(outside)"


def test_ingest_modules_import_in_one_direction():
    graph = module_imports(SOURCE)
    modules = sorted(m for m in graph if m.startswith(INGEST + "."))
    assert sorted(m.rsplit(".", 1)[1] for m in modules) == sorted(ORDER), "a new module: place it in ORDER"
    backwards = []
    for module in modules:
        mine = ORDER.index(module.rsplit(".", 1)[1])
        for _, line, target in graph[module]:
            name = target.removeprefix(INGEST + ".").split(".")[0]
            if target.startswith(INGEST + ".") and name in ORDER and ORDER.index(name) > mine:
                backwards.append(f"{module}:{line} imports {target}")
    assert not backwards, "\n".join(backwards)
    assert not [c for c in import_cycles(SOURCE) if any(m.startswith(INGEST) for m in c)]


@pytest.mark.parametrize("package", ["ingest", "analytics"])
def test_the_package_imports_no_django_and_nothing_else_of_cxkeeper(package):
    root = SOURCE / "insights" / package
    own = f"cxkeeper.insights.{package}"
    found = []
    for path in sorted(root.rglob("*.py")):
        for name in _imports(path, root):
            outside = name.startswith(("cxkeeper", "..")) and not (name == own or name.startswith(own + "."))
            if name.split(".")[0] == "django" or outside:
                found.append(f"{path.relative_to(SOURCE)}: {name}")
    assert not found, "\n".join(found)
