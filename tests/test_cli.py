"""The command line, run as a user would (click's CliRunner, in-process)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import HEADER, SEED, leftovers, write_dataset


@pytest.fixture()
def run():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False,
                             prog_name="regiograph")

    return invoke


@pytest.fixture()
def bad(tmp_path):
    return write_dataset(tmp_path / "bad", {
        "a.yaml": HEADER + "areas:\n  - id: x\n    name: X\n    kind: county\n"
                  "    country: FIN\n",
        "b.yaml": "organisations:\n  - id: o\n    name: O\n    kind: company\n    area: y\n",
    })


def commands(group=main, prefix=()) -> list[tuple[str, ...]]:
    """Every command of the CLI as the words that name it (subgroups included)."""
    import click

    out = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            out += commands(command, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


def test_help_lists_every_command(run):
    result = run("--help")
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines()
              if line.strip()}
    assert listed == set(main.commands)


@pytest.mark.parametrize("words", commands(), ids=" ".join)
def test_every_command_explains_itself(run, words):
    import click

    result = run(*words, "--help")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: regiograph {' '.join(words)} ")
    command = main
    for word in words:
        command = command.commands[word]
    summary = " ".join(command.help.split("\n\n")[0].split())
    assert summary[:40] in " ".join(result.output.split())
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.opts[-1] in result.output, param.opts


#: where each command does real work in the tests: here, or in the file named
REAL_RUNS = {
    "validate": "test_cli", "build": "test_cli", "export": "test_cli", "info": "test_cli",
    "check": "test_cli", "report": "test_cli", "map": "test_cli", "query": "test_cli",
    "queries": "test_cli", "areas import": "test_cli", "synth": "test_cli",
    "import": "test_cli",
    "serve": "test_server", "push": "test_push", "diff": "test_diff",
}


def test_every_command_has_a_real_run():
    from pathlib import Path

    assert set(REAL_RUNS) == {" ".join(words) for words in commands()}
    # the runs in this file come after this test (REAL_RUNS itself names every command)
    here = Path(__file__).read_text("utf-8").split("def test_every_command_has_a_real")[-1]
    for command, where in REAL_RUNS.items():
        text = here if where == "test_cli" else \
            (Path(__file__).parent / f"{where}.py").read_text("utf-8")
        assert f'"{command.split()[0]}"' in text, (command, where)


def test_validate_seed(run):
    from graph.loader import load_facts

    facts = load_facts(SEED)
    entries = sum(len(v) for v in facts.sections.values())
    result = run("validate", SEED)
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout == f"{SEED}: valid, {entries} entries in {len(facts.files)} file(s)\n"


@pytest.mark.parametrize(("args", "expect"), [
    (["check", SEED, "--only", "gap.unmonitored"], "STATED BY A SOURCE (1)"),
    (["queries"], "cross-border-ties"),
    (["query", SEED, "--name", "cross-border-ties"], "Kotisatama"),
    (["query", SEED, "SELECT (COUNT(*) AS ?n) WHERE { ?s a rg:Statement }"], "9"),
])
def test_a_real_run_prints_what_it_found(run, args, expect):
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert expect in result.stdout


def test_report_and_map_write_their_pages(run, tmp_path):
    report = run("report", SEED, "-o", tmp_path / "r.html")
    assert report.exit_code == 0, report.output
    assert report.stdout.startswith("27 finding(s): 1 stated by a source, 26 not recorded.")
    assert "Stated by a source" in (tmp_path / "r.html").read_text("utf-8")
    assert (tmp_path / "r.md").read_text("utf-8").startswith("# Regional development")
    page = run("map", SEED, "-o", tmp_path / "m.html", "--view", "findings")
    assert page.exit_code == 0, page.output
    assert "<script" in (tmp_path / "m.html").read_text("utf-8")


def test_areas_import_and_synth_write_valid_datasets(run, tmp_path):
    areas = tmp_path / "areas.yaml"
    result = run("areas", "import", "nuts", "-o", areas)
    assert result.exit_code == 0, result.output
    assert run("validate", areas).exit_code == 0
    synth = run("synth", "--triples", "3000", "-o", tmp_path / "synth", "--seed", "2")
    assert synth.exit_code == 0, synth.output
    assert run("validate", tmp_path / "synth").exit_code == 0
    assert (tmp_path / "synth" / "planted.json").exists()


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


def test_import_then_check_the_imported_folder(run, tmp_path):
    register = SEED.parent.parent / "tests" / "registers" / "interreg-partners.csv"
    result = run("import", "interreg-partners", register, "-o", tmp_path / "aurora")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Imported 7 of 8 rows (1 refused) into ")
    checked = run("check", tmp_path / "aurora", "--format", "json")
    assert checked.exit_code == 0
    assert {f["check"] for f in json.loads(checked.stdout)["findings"]} >= {"gap.unmonitored"}


def test_build_writes_store_and_exports_then_info_reopens_the_store(run, tmp_path):
    out = tmp_path / "out"
    result = run("build", SEED, "-o", out)
    assert result.exit_code == 0, result.output
    for name in ("lapland.store/regiograph.json", "lapland.ttl", "lapland.nt", "lapland.jsonld",
                 "lapland.graphml", "lapland-tables/projects.csv", "lapland.facts.yaml"):
        assert (out / name).exists(), name
    assert not leftovers(out, "lapland")  # no temp files left
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


def test_info_of_a_built_store_is_read_not_recounted(run, tmp_path, monkeypatch):
    """`info` on a built store reads what build counted (issue 17: 1.55 s -> 0.22 s on a
    100 000-triple store, measured by hand); it is what the facts folder gives."""
    import graph.dataset

    out = tmp_path / "out"
    assert run("build", SEED, "-o", out).exit_code == 0
    from_facts = json.loads(run("info", SEED, "--format", "json").stdout)

    def recount(self):
        raise AssertionError("info rebuilt the facts from the store")

    monkeypatch.setattr(graph.dataset.Dataset, "canonical", recount)
    kept = run("info", out / "lapland.store", "--format", "json")
    assert kept.exit_code == 0 and json.loads(kept.stdout) == from_facts
