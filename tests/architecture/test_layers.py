"""Dependencies run one way: core → org → journeys → insights → outcomes → initiatives →
governance → workspace, entry points above all, and no module imports in a circle.
Function-level imports count: hiding an upward import inside a function is still one."""

import shutil
from pathlib import Path

import pytest

import cxkeeper
from cxkeeper.testing.layers import import_cycles, layer_violations

SOURCE = Path(cxkeeper.__file__).parent


def test_no_layer_imports_a_higher_one():
    violations = layer_violations(SOURCE)
    assert not violations, "upward imports:\n" + "\n".join(str(v) for v in violations)


def test_no_import_circles():
    cycles = import_cycles(SOURCE)
    assert not cycles, "import circles:\n" + "\n".join(" ⇄ ".join(c) for c in cycles)


@pytest.fixture
def planted(tmp_path):
    """A copy of the package to plant bad imports in (the real tree is never touched)."""
    copy = tmp_path / "cxkeeper"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("static", "templates", "__pycache__", "fonts"))
    return copy


def test_the_check_finds_a_planted_upward_import_even_inside_a_function(planted):
    (planted / "core" / "planted.py").write_text(
        "def helper():\n    from cxkeeper.outcomes.models import Target\n    return Target\n")
    violations = layer_violations(planted)
    assert [(Path(v.path).name, v.line, v.imported) for v in violations] == [
        ("planted.py", 2, "cxkeeper.outcomes.models")]


def test_the_check_finds_a_planted_import_of_an_entry_point(planted):
    (planted / "journeys" / "planted.py").write_text("import cxkeeper.cli\n")
    assert [v.imported for v in layer_violations(planted)] == ["cxkeeper.cli"]


def test_the_check_finds_a_planted_circle(planted):
    (planted / "org" / "planted_a.py").write_text("from cxkeeper.org import planted_b\n")
    (planted / "org" / "planted_b.py").write_text("def f():\n    from cxkeeper.org.planted_a import x\n")
    assert ["cxkeeper.org.planted_a", "cxkeeper.org.planted_b"] in import_cycles(planted)
