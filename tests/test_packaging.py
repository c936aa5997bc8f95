"""A wheel built from the repository installs and runs on its own.

`graph` and `cli` are generic top-level names: these tests prove the wheel ships
exactly them (plus the ontology data inside `graph`), that the installed copy is
the one that runs, and that no other installed distribution claims those names.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(ROOT)],
        check=True, capture_output=True, text=True,
    )
    (found,) = out.glob("regiograph-*.whl")
    return found


def test_wheel_holds_the_package_the_cli_and_the_ontology(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.startswith("regiograph-")}
    assert top == {"graph", "cli.py"}
    for needed in ("graph/__init__.py", "graph/ontology/regiograph.ttl",
                   "graph/ontology/shapes.ttl", "graph/ontology/checks/gap.unmonitored.rq",
                   "graph/present/assets/map.html.j2", "graph/present/assets/map.js",
                   "graph/present/assets/map.css", "graph/present/assets/findings.css",
                   "graph/present/assets/report.css"):
        assert needed in names
    assert any(n.startswith("graph/ontology/projection/") for n in names)
    # every module of every subpackage, and every front-end file, ships
    package = {p.relative_to(ROOT).as_posix() for p in (ROOT / "graph").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert package - set(names) == set()
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "regiograph = cli:main" in zipfile.ZipFile(wheel).read(entry).decode()


def test_installed_wheel_runs_from_anywhere(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(site), str(wheel)], check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = {"cwd": tmp_path, "env": env, "capture_output": True, "text": True}
    where = subprocess.run(
        [sys.executable, "-c", "import cli, graph, graph.model.schema as s; "
         "print(cli.__file__); print(graph.__file__); print(s.ontology_dir())"], **run)
    assert where.returncode == 0, where.stderr
    for line in where.stdout.splitlines():
        assert line.startswith(str(site)), line  # the installed copy, not the checkout
    script = site / "bin" / "regiograph"
    helped = subprocess.run([sys.executable, str(script), "--help"], **run)
    assert helped.returncode == 0 and "validate" in helped.stdout
    checked = subprocess.run([sys.executable, str(script), "check", str(SEED), "--format",
                              "json"], **run)
    assert checked.returncode == 0, checked.stderr
    assert '"dataset": "lapland"' in checked.stdout
    # the map and the report read their template, CSS and JavaScript from the package
    drawn = subprocess.run([sys.executable, str(script), "map", str(SEED), "--view", "ego",
                            "--id", "lapin-liitto", "-o", str(tmp_path / "map.html")], **run)
    assert drawn.returncode == 0, drawn.stderr
    assert "window.mapFocus" in (tmp_path / "map.html").read_text("utf-8")
    reported = subprocess.run([sys.executable, str(script), "report", str(SEED), "-o",
                               str(tmp_path / "report.html")], **run)
    assert reported.returncode == 0, reported.stderr
    assert "border-collapse" in (tmp_path / "report.html").read_text("utf-8")


def test_no_other_distribution_claims_the_generic_names():
    owners = packages_distributions()
    for name in ("graph", "cli"):
        assert set(owners.get(name, [])) <= {"regiograph"}, (name, owners.get(name))
