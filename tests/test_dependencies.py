"""The declared dependencies are the imported ones: pyproject.toml against an AST walk.

Every third-party module imported by graph/ or cli.py (at the top or inside a function)
is a ``[project].dependencies`` entry, and every entry is imported (or is listed in
NOT_IMPORTED with why). Every third-party module the tests, bench/run.py and the notebooks
import is a dependency or a ``test`` extra, and every ``test`` extra is imported by them
(or is listed in TEST_TOOLS with why).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import nbformat
import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later

ROOT = Path(__file__).resolve().parent.parent
#: the project's own modules, the bench scripts (which import one another) among them
FIRST_PARTY = {"graph", "cli", "tests", *(p.stem for p in (ROOT / "bench").glob("*.py"))}

#: distribution name -> the top-level module it installs, where the two differ
IMPORT_NAMES = {"pyyaml": "yaml", "pillow": "PIL", "websocket-client": "websocket",
                "python-stdnum": "stdnum", "scikit-learn": "sklearn"}

#: dependencies that no module imports, and why they are needed all the same
NOT_IMPORTED = {
    # the SPARQL server program: tests/test_server.py pushes to its `oxigraph` binary
    # (graph.query.sparql.oxigraph_binary), the Graph Store users push to in the README
    "oxigraph": "the oxigraph server binary, a writable Graph Store for `push`",
}

#: test extras that nothing imports: tools the test run or `make` calls
TEST_TOOLS = {
    "ruff": "`make lint` (ruff check .)",
    "hatchling": "builds the wheel in tests/test_packaging.py (pip --no-build-isolation)",
    "ipykernel": "the python3 kernel tests/test_notebooks.py runs the notebooks in",
}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def _names(requirements: list[str]) -> set[str]:
    """Normalised distribution names of requirement strings ('PyYAML>=6' -> 'pyyaml')."""
    return {re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0].lower().replace("_", "-")
            for r in requirements}


def _module(distribution: str) -> str:
    return IMPORT_NAMES.get(distribution, distribution.replace("-", "_"))


def _third_party(sources: list[str]) -> set[str]:
    found = set()
    for text in sources:
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - FIRST_PARTY - {"__future__"}


def _files(*patterns: str) -> list[str]:
    return [p.read_text("utf-8") for pattern in patterns for p in sorted(ROOT.glob(pattern))]


def _notebook_code() -> list[str]:
    return ["\n".join(c.source for c in nbformat.read(p, as_version=4).cells
                      if c.cell_type == "code")
            for p in sorted((ROOT / "notebooks").glob("*.ipynb"))]


def test_the_package_imports_exactly_its_dependencies():
    declared = _names(_pyproject()["project"]["dependencies"])
    imported = _third_party(_files("graph/**/*.py", "cli.py"))
    assert imported - {_module(d) for d in declared} == set(), "imported but not declared"
    unused = {d for d in declared if _module(d) not in imported} - set(NOT_IMPORTED)
    assert unused == set(), "declared but imported nowhere"
    assert set(NOT_IMPORTED) <= declared


def test_the_tests_import_only_what_is_declared():
    project = _pyproject()["project"]
    runtime = _names(project["dependencies"])
    test = _names(project["optional-dependencies"]["test"])
    imported = _third_party(_files("tests/**/*.py", "bench/*.py") + _notebook_code())
    assert imported - {_module(d) for d in runtime | test} == set(), "imported, not declared"
    unused = {d for d in test if _module(d) not in imported} - set(TEST_TOOLS)
    assert unused == set(), "a test extra that nothing imports"
    assert set(TEST_TOOLS) <= test


def test_the_walk_sees_imports_inside_functions():
    assert _third_party(["def f():\n    import yaml\n    from os import path\n"]) == {"yaml"}
    assert _names(["PyYAML>=6.0", "websocket_client >=1"]) == {"pyyaml", "websocket-client"}
