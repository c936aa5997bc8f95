"""Every check's cases as data: ``tests/checks/<check>/<case>/facts.yaml`` is checked with
``regiograph check --only <check> --format json`` and must give ``expected.json``
exactly (findings with their basis and sources, and the statements with their status).

Adding a check is one ``.rq`` file (graph.checks.spec) and one folder here; the test
below also adds a check of its own from a temporary folder, as a newcomer would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from graph.checks import check_specs

CASES = sorted(p.parent for p in (Path(__file__).parent / "checks").glob("*/*/facts.yaml"))


def run(folder: Path, check: str, env: dict | None = None) -> dict:
    result = CliRunner(env=env).invoke(main, ["check", str(folder), "--only", check,
                                              "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case(case: Path):
    check = case.parent.name
    expected = json.loads((case / "expected.json").read_text("utf-8"))
    assert run(case, check) == expected
    assert expected["findings"], "a case shows at least one finding of its check"


def test_every_check_has_a_case():
    assert {c.parent.name for c in CASES} == set(check_specs())


def test_a_newcomer_adds_a_check_with_one_file_and_one_folder(tmp_path, monkeypatch):
    checks = tmp_path / "my-checks"
    checks.mkdir()
    (checks / "gap.event-without-participants.rq").write_text("""\
# title: Event without participants
# description: An event for which no participant is listed.
# columns: event — the event.
# basis: unrecorded — a finding rests on the absence of a recorded fact
# order: 8
# subjects: event
# target: event
# explain: Nobody is listed as taking part in {event}.
# sources: event
# needs: an event
# domain: ?event a rg:Event .
# disagree: someone is listed as taking part in {about}.
PREFIX rg: <https://w3id.org/regiograph/ns#>
SELECT ?event WHERE {
  ?event a rg:Event .
  FILTER NOT EXISTS { ?event rg:participant ?someone }
}
ORDER BY ?event
""", "utf-8")
    case = tmp_path / "case"
    case.mkdir()
    (case / "facts.yaml").write_text("""\
format: 1
dataset: {id: case, title: Case, lang: en}
sources:
  - {id: memo, title: Memo}
organisations:
  - {id: org, name: Org, kind: company}
events:
  - {id: fair, name: Fair, source: memo}
  - {id: sprint, name: Sprint, participants: [org]}
statements:
  - {about: fair, says: gap.event-without-participants, quote: "no one came", source: memo}
""", "utf-8")
    monkeypatch.setenv("REGIOGRAPH_CHECKS", str(checks))
    found = run(case, "gap.event-without-participants")
    assert found["findings"] == [{
        "check": "gap.event-without-participants", "subjects": ["fair"], "target": "fair",
        "explanation": "Nobody is listed as taking part in fair; memo says so.",
        "sources": ["memo"], "basis": "stated", "statements": ["no one came"]}]
    assert found["statements"][0]["status"] == "corroborated"
    # it runs with every other check, after them
    every = CliRunner().invoke(main, ["check", str(case), "--format", "json"])
    assert json.loads(every.stdout)["findings"][-1]["check"] == "gap.event-without-participants"
    # without the folder, the statement's `says` names no check: the dataset is invalid
    monkeypatch.delenv("REGIOGRAPH_CHECKS")
    invalid = CliRunner().invoke(main, ["validate", str(case)])
    assert invalid.exit_code == 1 and "gap.event-without-participants" in invalid.output


GOOD_HEADER = """\
# title: T
# description: D
# columns: event
# basis: unrecorded
# subjects: event
# target: event
# explain: {event} has none.
# needs: an event
# domain: ?event a rg:Event .
# disagree: {about} has some.
"""


@pytest.mark.parametrize(("header", "query", "message"), [
    (GOOD_HEADER.replace("{event} has none", "{nosuch} has none"),
     "SELECT ?event WHERE { ?event a <x:E> }", "'nosuch', which the query does not select"),
    (GOOD_HEADER.replace("{event} has none", "{friends(event)} has none"),
     "SELECT ?event WHERE { ?event a <x:E> }", "no lookup 'friends'"),
    (GOOD_HEADER, "SELECT ?event WHERE { ?event a <x:E> ", "does not parse"),
    (GOOD_HEADER.replace("# basis: unrecorded", "# basis: maybe"),
     "SELECT ?event WHERE { ?event a <x:E> }", "'# basis:' is 'maybe'"),
    (GOOD_HEADER.replace("# target: event\n", ""),
     "SELECT ?event WHERE { ?event a <x:E> }", "needs '# target:'"),
])
def test_a_bad_check_file_is_one_line_and_exit_2(tmp_path, monkeypatch, header, query,
                                                  message):
    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / "gap.bad.rq").write_text(header + query + "\n", "utf-8")
    monkeypatch.setenv("REGIOGRAPH_CHECKS", str(checks))
    seed = Path(__file__).resolve().parent.parent / "data" / "lapland"
    result = CliRunner().invoke(main, ["check", str(seed)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: check gap.bad") and message in result.stderr
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""
    # the facts themselves are still valid: validate does not read check headers
    assert CliRunner().invoke(main, ["validate", str(seed)]).exit_code == 0


def test_a_missing_checks_folder_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("REGIOGRAPH_CHECKS", str(tmp_path / "nowhere"))
    seed = Path(__file__).resolve().parent.parent / "data" / "lapland"
    result = CliRunner().invoke(main, ["check", str(seed)])
    assert result.exit_code == 2 and "which is no folder" in result.stderr


def test_a_store_built_before_the_derived_facts_is_refused(tmp_path):
    from pyoxigraph import Store

    from graph.store import DERIVED_GRAPH

    seed = Path(__file__).resolve().parent.parent / "data" / "lapland"
    assert CliRunner().invoke(main, ["build", str(seed), "-o", str(tmp_path)]).exit_code == 0
    store = Store(str(tmp_path / "lapland.store" / "db"))
    store.remove_graph(DERIVED_GRAPH)  # as a store of the previous version
    store.flush()
    del store
    result = CliRunner().invoke(main, ["check", str(tmp_path / "lapland.store")])
    assert result.exit_code == 4
    assert "built by an earlier regiograph" in result.stderr and "regiograph build" in \
        result.stderr


def test_a_store_built_before_some_derived_facts_is_refused(tmp_path):
    """A store whose derived graph is older than what the checks read (no rg:within:
    nested areas would not intersect) is refused, not checked."""
    import json

    seed = Path(__file__).resolve().parent.parent / "data" / "lapland"
    assert CliRunner().invoke(main, ["build", str(seed), "-o", str(tmp_path)]).exit_code == 0
    marker = tmp_path / "lapland.store" / "regiograph.json"
    info = json.loads(marker.read_text())
    assert info["derived"] >= 2
    del info["derived"]  # as written by the previous version
    marker.write_text(json.dumps(info))
    result = CliRunner().invoke(main, ["check", str(tmp_path / "lapland.store")])
    assert result.exit_code == 4 and "built by an earlier regiograph" in result.stderr
