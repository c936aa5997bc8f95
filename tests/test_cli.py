"""The command line, run as a user would (click's CliRunner, in-process)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import HEADER, SEED, write_dataset


@pytest.fixture()
def run():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture()
def bad(tmp_path):
    return write_dataset(tmp_path / "bad", {
        "a.yaml": HEADER + "areas:\n  - id: x\n    name: X\n    kind: county\n"
                  "    country: FIN\n",
        "b.yaml": "organisations:\n  - id: o\n    name: O\n    kind: company\n    area: y\n",
    })


def test_help_lists_the_commands(run):
    result = run("--help")
    assert result.exit_code == 0
    for command in ("validate", "build", "export", "info"):
        assert command in result.output


def test_validate_seed(run):
    result = run("validate", SEED)
    assert result.exit_code == 0 and "valid" in result.output


def test_validate_reports_every_error_with_file_and_line(run, bad):
    result = run("validate", bad)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert f"{bad}/a.yaml:9: kind 'county'" in lines[0]
    assert lines[1].startswith(f"{bad}/a.yaml:10: country 'FIN'")
    assert lines[2].startswith(f"{bad}/b.yaml:5: area: no area with id 'y'")
    assert "(define it under 'areas:'; known: x)" in lines[2]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["build", "export", "info"])
def test_other_commands_refuse_invalid_data_and_write_nothing(run, bad, tmp_path, command):
    out = tmp_path / "out"
    args = {"build": ["-o", out], "export": ["-o", out / "x.ttl"], "info": []}[command]
    result = run(command, bad, *args)
    assert result.exit_code == 1 and result.stdout == ""
    assert f"{bad}/a.yaml:9:" in result.stderr
    assert not out.exists()


def test_missing_folder_is_an_error_not_a_traceback(run, tmp_path):
    result = run("validate", tmp_path / "nope")
    assert result.exit_code == 1 and "no such file or folder" in result.stderr


def test_build_writes_store_and_exports_then_info_reopens_the_store(run, tmp_path):
    out = tmp_path / "out"
    result = run("build", SEED, "-o", out)
    assert result.exit_code == 0, result.output
    for name in ("lapland.store/regiograph.json", "lapland.ttl", "lapland.nt", "lapland.jsonld",
                 "lapland.graphml", "lapland-tables/projects.csv", "lapland.facts.yaml"):
        assert (out / name).exists(), name
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp files left
    info = run("info", out / "lapland.store", "--format", "json")
    data = json.loads(info.output)
    assert data["counts"]["projects"] >= 1 and data["triples"] > 1000
    again = run("build", SEED, "-o", out)  # rebuilding replaces the store
    assert again.exit_code == 0


def test_export_formats(run, tmp_path):
    ttl = run("export", SEED, "--format", "turtle")
    assert "@prefix rg:" in ttl.output and "amo-2008" in ttl.output
    nt = run("export", SEED, "--format", "ntriples")
    assert nt.output.count(" .\n") > 1000
    jsonld = json.loads(run("export", SEED, "--format", "jsonld").output)
    assert isinstance(jsonld, (list, dict))
    csv_out = tmp_path / "tables"
    assert run("export", SEED, "--format", "csv", "-o", csv_out).exit_code == 0
    header = (csv_out / "projects.csv").read_text("utf-8").splitlines()[0]
    assert "funding.total" in header and "name.fi" in header
    assert "people" in (csv_out / "people.posts.csv").read_text("utf-8").splitlines()[0]
    result = run("export", SEED, "--format", "csv")
    assert result.exit_code == 2 and "needs -o" in result.output


def test_export_yaml_round_trips_through_the_cli(run, tmp_path):
    path = tmp_path / "again.yaml"
    assert run("export", SEED, "--format", "yaml", "-o", path).exit_code == 0
    assert run("validate", path).exit_code == 0
    from graph.loader.facts import load_facts

    assert load_facts(path).canonical() == load_facts(SEED).canonical()


def test_info_table(run):
    result = run("info", SEED)
    assert result.exit_code == 0
    assert "projects" in result.output and "kotisatama-2007" in result.output


def test_unwritable_output_is_one_line_and_exit_4(run, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("build", SEED, "-o", blocker / "out")
    assert result.exit_code == 4
    assert result.stderr.startswith("error: cannot read or write")
    assert "Traceback" not in result.stderr
