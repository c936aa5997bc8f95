"""What a finding rests on and what became of each statement (CHECKS.md "Basis"), and a
network as the actor of a responsibility; every expectation is read off the contract.

The datasets reuse the base of test_checks (sources s1…s6, areas, organisations a…x).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import main
from graph.dataset import Dataset
from tests.test_checks import make

STRATEGY = """\
strategies:
  - id: st
    name: Strategy
    kind: strategy
    source: s1
    key_actors: [a, b, c]
    priorities:
      - {id: pr1, name: Priority one}
"""


def assess(tmp_path, body: str, *args: str) -> dict:
    """The JSON of `regiograph check --format json` on the base plus ``body``."""
    result = CliRunner().invoke(main, ["check", str(make(tmp_path, body)), "--format", "json",
                                       *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def finding(doc: dict, check: str, subjects: list[str]) -> dict:
    found = [f for f in doc["findings"] if f["check"] == check and f["subjects"] == subjects]
    assert len(found) == 1, doc["findings"]
    return found[0]


def statement(about: str, says: str, quote: str, source: str = "s6") -> str:
    return f"  - {{about: {about}, says: {says}, quote: {json.dumps(quote)}, source: {source}}}\n"


def test_contract_example_unmonitored_is_stated(tmp_path):
    doc = assess(tmp_path, STRATEGY + "statements:\n"
                 + statement("[st]", "gap.unmonitored", "seuranta ei toteudu"))
    f = finding(doc, "gap.unmonitored", ["st"])
    assert f["basis"] == "stated"
    assert f["statements"] == ["seuranta ei toteudu"]
    assert f["sources"] == ["s1", "s6"]  # the statement's source joins the strategy's
    assert doc["statements"] == [{"about": ["st"], "says": "gap.unmonitored",
                                  "quote": "seuranta ei toteudu", "source": ["s6"],
                                  "status": "corroborated"}]


def test_without_statements_overlaps_are_recorded_and_gaps_unrecorded(tmp_path):
    body = STRATEGY + "responsibilities:\n" + \
        "  - {actor: a, role: lead, for: pr1}\n  - {actor: b, role: lead, for: pr1}\n"
    doc = assess(tmp_path, body)
    bases = {f["check"]: f["basis"] for f in doc["findings"]}
    assert bases["overlap.responsibility"] == "recorded"
    assert bases["gap.unmonitored"] == "unrecorded"
    assert bases["gap.key-actors-apart"] == "unrecorded"
    assert all(f["statements"] == [] for f in doc["findings"])
    assert doc["statements"] == []


@pytest.mark.parametrize(("about", "stated"), [
    ("[st]", {("a", "b"), ("a", "c"), ("b", "c")}),  # the target: every pair of it
    ("[a, b]", {("a", "b")}),                        # every subject of one pair
    ("[a, b, c]", {("a", "b"), ("a", "c"), ("b", "c")}),
    ("[a]", set()),                                  # one subject of two is not enough
    ("[pr1]", set()),                                # a priority of the target is not it
])
def test_a_statement_matches_the_target_or_every_subject(tmp_path, about, stated):
    doc = assess(tmp_path, STRATEGY + "statements:\n"
                 + statement(about, "gap.key-actors-apart", "eivät istu samassa pöydässä"),
                 "--only", "gap.key-actors-apart")
    got = {tuple(f["subjects"]) for f in doc["findings"] if f["basis"] == "stated"}
    assert got == stated
    for f in doc["findings"]:
        assert f["basis"] in ("stated", "unrecorded")
        assert (f["statements"] != []) == (f["basis"] == "stated")
    assert doc["statements"][0]["status"] == ("corroborated" if stated else "not-reproduced")


def test_a_statement_of_another_check_does_not_match(tmp_path):
    doc = assess(tmp_path, STRATEGY + "statements:\n"
                 + statement("[st]", "gap.priority-without-lead", "kukaan ei vedä"))
    assert finding(doc, "gap.unmonitored", ["st"])["basis"] == "unrecorded"
    # the priority's own finding has target st: the statement is about the target
    assert finding(doc, "gap.priority-without-lead", ["pr1"])["basis"] == "stated"


def test_statuses_and_dataset_order(tmp_path):
    body = STRATEGY + """\
responsibilities:
  - {actor: x, role: monitor, for: st, source: s2}
statements:
""" + (statement("[st]", "other", "linnakkeita puolustetaan")
       + statement("[st]", "gap.unmonitored", "seuranta ei toteudu", "[s5, s4]")
       + statement("x", "overlap.responsibility", "päällekkäin")
       + statement("[pr1]", "gap.priority-without-project", "ei hanketta"))
    doc = assess(tmp_path, body)
    assert [(s["quote"], s["status"]) for s in doc["statements"]] == [
        ("linnakkeita puolustetaan", "not-checked"),   # says other
        ("seuranta ei toteudu", "not-reproduced"),     # x monitors st: facts disagree
        ("päällekkäin", "not-reproduced"),             # nothing recorded to test it
        ("ei hanketta", "corroborated"),
    ]
    assert doc["statements"][1]["source"] == ["s4", "s5"]
    assert doc["statements"][2]["about"] == ["x"]
    stated = finding(doc, "gap.priority-without-project", ["pr1"])
    assert stated["basis"] == "stated" and stated["sources"] == ["s1", "s6"]


def test_a_statement_of_a_check_that_did_not_run_is_not_reproduced(tmp_path):
    # CHECKS.md: not-checked means `says: other`; a skipped check reproduces nothing
    body = STRATEGY + "statements:\n" + statement("[st]", "gap.unmonitored", "ei seurantaa")
    doc = assess(tmp_path, body, "--skip", "gap.unmonitored")
    assert doc["statements"][0]["status"] == "not-reproduced"
    out = CliRunner().invoke(main, ["check", str(make(tmp_path, body, "again")), "--skip",
                                    "gap.unmonitored"]).stdout
    assert "Its check did not run here (--only or --skip)." in out
    doc = assess(tmp_path, body, "--only", "gap.unmonitored")
    assert doc["statements"][0]["status"] == "corroborated"


def test_basis_filter_and_strict(tmp_path):
    body = STRATEGY + "statements:\n" + statement("[st]", "gap.unmonitored", "ei seurantaa")
    folder = make(tmp_path, body)
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, ["check", str(folder), "--format", "json", *args])

    stated = json.loads(run("--basis", "stated").stdout)["findings"]
    assert [(f["check"], f["basis"]) for f in stated] == [("gap.unmonitored", "stated")]
    both = json.loads(run("--basis", "stated,unrecorded").stdout)["findings"]
    assert len(both) > 1 and {f["basis"] for f in both} == {"stated", "unrecorded"}
    assert json.loads(run("--basis", "recorded").stdout)["findings"] == []
    assert run("--basis", "recorded", "--strict").exit_code == 0
    assert run("--basis", "stated", "--strict").exit_code == 3
    bad = run("--basis", "said")
    assert bad.exit_code == 2 and "recorded, unrecorded, stated" in bad.output


def test_a_network_that_monitors_silences_unmonitored(tmp_path):
    body = STRATEGY + """\
networks:
  - {id: group, name: Koordinaatioryhmä, kind: coordination-group}
responsibilities:
  - {actor: group, role: monitor, for: st, period: {from: 2023-09}, source: s3}
"""
    doc = assess(tmp_path, body, "--only", "gap.unmonitored")
    assert doc["findings"] == []


def test_a_network_is_an_actor_of_the_overlap_check(tmp_path):
    body = STRATEGY + """\
networks:
  - {id: group, name: Koordinaatioryhmä, kind: coordination-group}
responsibilities:
  - {actor: group, role: monitor, for: st, source: s3}
  - {actor: a, role: monitor, for: st, source: s4}
"""
    doc = assess(tmp_path, body, "--only", "overlap.responsibility")
    f = finding(doc, "overlap.responsibility", ["a", "group"])
    assert f["target"] == "st" and f["sources"] == ["s3", "s4"]
    assert f["basis"] == "recorded"


def test_statements_and_network_actors_survive_a_built_store(tmp_path):
    body = STRATEGY + """\
networks:
  - {id: group, name: Ryhmä, kind: coordination-group}
responsibilities:
  - {actor: group, role: monitor, for: pr1, source: s3}
statements:
""" + statement("[st]", "other", "toinen") + statement("[pr1, st]", "gap.unmonitored", "yksi")
    folder = make(tmp_path, body)
    runner = CliRunner()
    built = runner.invoke(main, ["build", str(folder), "-o", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    from_yaml = json.loads(runner.invoke(main, ["check", str(folder), "--format",
                                                "json"]).stdout)
    from_store = json.loads(runner.invoke(main, ["check", str(tmp_path / "out" / "t.store"),
                                                 "--format", "json"]).stdout)
    assert from_yaml == from_store
    assert [s["quote"] for s in from_store["statements"]] == ["toinen", "yksi"]
    assert from_store["statements"][1]["status"] == "not-reproduced"
    facts = Dataset.open(folder).facts.canonical()
    assert Dataset.open(tmp_path / "out" / "t.store").canonical() == facts


def test_why_a_statement_was_not_reproduced(tmp_path):
    from graph.checks import assess as run_assess

    body = """\
strategies:
  - id: st
    name: Strategy
    kind: strategy
    key_actors: [a]
    priorities:
      - {id: pr1, name: Priority one}
  - {id: bare, name: Bare, kind: plan}
projects:
  - {id: p1, name: P1, status: running, implements: [pr1], administrator: b}
responsibilities:
  - {actor: x, role: monitor, for: pr1}
  - {actor: a, role: lead, for: pr1}
statements:
""" + (statement("[st]", "gap.unmonitored", "q1")
       + statement("[st]", "gap.key-actors-apart", "q2")
       + statement("[pr1]", "gap.priority-without-lead", "q3")
       + statement("[bare]", "gap.priority-without-project", "q4")
       + statement("[pr1]", "overlap.responsibility", "q5")
       + statement("[st]", "other", "q6"))
    ds = Dataset.open(make(tmp_path, body))
    result = run_assess(ds.store)
    why = {st.quote: st.why(ds.labels()) for st in result.statements}
    assert why["q1"] == ("The recorded facts disagree: an actor monitors Strategy or a "
                         "priority of it.")
    assert why["q2"] == ("Nothing recorded can test it: the check needs two or more key "
                         "actors of a strategy, and none is recorded for Strategy.")
    assert why["q3"] == ("The recorded facts disagree: an actor leads or coordinates each "
                         "priority in question (Priority one).")
    assert why["q4"] == ("Nothing recorded can test it: the check needs a priority of a "
                         "strategy, and none is recorded for Bare.")
    # two responsibilities for pr1, but of two roles: nothing an overlap could be
    assert why["q5"] == ("Nothing recorded can test it: the check needs two actors holding "
                         "one role (lead, coordinate or monitor) for one target, and none is "
                         "recorded for Priority one.")
    assert why["q6"] == ""  # not checked: nothing to explain
    assert [st.status for st in result.statements] == ["not-reproduced"] * 5 + ["not-checked"]


PEOPLE = STRATEGY + """\
responsibilities:
  - {actor: a, role: lead, for: pr1}
  - {actor: b, role: lead, for: pr1}
statements:
""" + (statement("[st]", "gap.unmonitored", "<script>alert(1)</script> ei seurantaa")
       + statement("[st]", "other", "linnakkeita *puolustetaan*")
       + statement("[pr1]", "gap.priority-without-project", "ei hanketta? on: p1"))


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_people_see_findings_by_basis_and_what_no_finding_shows(tmp_path, fmt):
    body = PEOPLE + "projects:\n  - {id: p1, name: P1, status: running, implements: [pr1]}\n"
    result = CliRunner().invoke(main, ["check", str(make(tmp_path, body)), "--format", fmt],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = result.stdout
    headings = {"table": ["STATED BY A SOURCE (1)", "RECORDED OVERLAPS (1)", "NOT RECORDED (",
                          "WHAT THE SOURCES SAY THAT NO FINDING SHOWS (2)"],
                "markdown": ["## Stated by a source (1)", "## Recorded overlaps (1)",
                             "## Not recorded (", "## What the sources say that no finding "
                             "shows (2)"],
                "html": ["Stated by a source", "Recorded overlaps", "Not recorded",
                         "What the sources say that no finding shows"]}[fmt]
    at = [out.index(h) for h in headings]
    assert at == sorted(at), "groups in the order stated, recorded, not recorded, statements"
    # the quote sits beside its stated finding, inside the stated group
    quote_at = out.index("ei seurantaa")
    assert at[0] < quote_at < at[1]
    # the statements no finding shows: their quotes and why
    assert "puolustetaan" in out[at[3]:] and "ei hanketta" in out[at[3]:]
    assert "no check tests it" in out[at[3]:]
    assert "The recorded facts disagree" in out[at[3]:]
    if fmt == "html":
        assert "<script>" not in out and "&lt;script&gt;" in out
        assert 'class="badge stated"' in out and 'class="badge unrecorded"' in out
    if fmt == "markdown":
        assert "linnakkeita \\*puolustetaan\\*" in out


def test_a_note_on_the_target_is_shown_where_its_findings_are(tmp_path):
    body = """\
strategies:
  - id: st
    name: Ehdotukset
    kind: plan
    note: A slide of proposals; gaps on it mean only that the slide proposes them.
"""
    folder = make(tmp_path, body)
    for fmt in ("html", "markdown"):
        out = CliRunner().invoke(main, ["check", str(folder), "--format", fmt]).stdout
        assert "Note on Ehdotukset" in out and "A slide of proposals" in out, fmt


def test_two_statements_give_two_quotes_and_both_sources(tmp_path):
    body = STRATEGY + "statements:\n" + statement("[st]", "gap.unmonitored", "sama") \
        + statement("[st]", "gap.unmonitored", "sama", "s5")
    f = finding(assess(tmp_path, body), "gap.unmonitored", ["st"])
    assert f["statements"] == ["sama", "sama"]  # one quote per corroborating statement
    assert f["sources"] == ["s1", "s5", "s6"]
    assert f["explanation"].endswith("; s5 and s6 say so.")


def test_a_statement_naming_one_of_two_subjects_cannot_be_tested(tmp_path):
    from graph.checks import assess as run_assess

    body = STRATEGY + "statements:\n" + statement("[a]", "gap.key-actors-apart", "a ei istu")
    ds = Dataset.open(make(tmp_path, body))
    (st,) = run_assess(ds.store).statements
    # a and c never meet (a finding), but the statement names a alone: no finding matches
    assert st.status == "not-reproduced"
    assert st.why().startswith("Nothing recorded can test it: the check needs two or more "
                               "key actors of a strategy, and none is recorded for a")


def test_untrusted_text_stays_on_its_line(tmp_path):
    quote = "ok\\rOVERWRITTEN\\n\\n# Heading\\n- fake finding \\u202e"
    body = STRATEGY + "statements:\n" + statement("[st]", "other", "x") + \
        f'  - {{about: st, says: gap.unmonitored, quote: "{quote}", source: s6}}\n'
    folder = make(tmp_path, body)
    table = CliRunner().invoke(main, ["check", str(folder)]).stdout
    assert "\r" not in table and "\u202e" not in table and "OVERWRITTEN # Heading" in table
    markdown = CliRunner().invoke(main, ["check", str(folder), "--format", "markdown"]).stdout
    assert "\n# Heading" not in markdown and "\n- fake finding" not in markdown
    assert "\\# Heading - fake finding" in markdown
