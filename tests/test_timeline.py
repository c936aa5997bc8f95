"""The report's timeline (issue 18): ties that held each year and findings as of each
year, as a picture (SVG, matplotlib) and a table; kept by build, read by report."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import graph
import graph.timeline as tl
from cli import main
from graph.loader.asof import as_of_span, holds
from graph.present.timeline import timeline_html, timeline_markdown, timeline_svg
from tests.conftest import SEED


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def seed():
    return graph.load(SEED)


@pytest.fixture(scope="module")
def seed_timeline(seed):
    return tl.timeline(seed)


def test_the_ties_of_each_year_are_the_facts_whose_period_holds_it(seed, seed_timeline):
    """Counted from the graph by one query; recounted here from the facts with the
    as-of rule (graph.loader.asof.holds) for every year."""
    t = seed_timeline
    assert t["years"] == list(range(2007, 2024))
    sections = {"responsibility": "responsibilities", "project": "projects",
                "network": "networks", "event": "events"}
    for kind, section in sections.items():
        key = "date" if section == "events" else "period"
        expected = [sum(holds(e.get(key), as_of_span(str(y))) is True
                        for e in seed.facts.sections[section]) for y in t["years"]]
        assert t["ties"].get(kind, [0] * len(t["years"])) == expected, kind
        undated = sum(e.get(key) is None for e in seed.facts.sections[section])
        assert t["undated"].get(kind, 0) == undated, kind
    posts = [p for person in seed.facts.sections["people"] for p in person.get("posts", ())]
    assert t["ties"]["post"] == [sum(holds(p.get("period"), as_of_span(str(y))) is True
                                     for p in posts) for y in t["years"]]


def test_the_findings_of_each_year_are_those_of_check_as_of_it(seed_timeline):
    t = seed_timeline
    for year in (2007, 2008, 2014, 2023):
        doc = json.loads(run("check", SEED, "--as-of", str(year), "--format", "json").stdout)
        counts: dict[str, int] = {}
        for f in doc["findings"]:
            counts[f["check"]] = counts.get(f["check"], 0) + 1
        n = t["years"].index(year)
        assert {c: v[n] for c, v in t["findings"].items() if v[n]} == counts, year
    # the overlaps did not all begin at once: 2008 (the AMO programme) differs from 2007
    n7, n8 = t["years"].index(2007), t["years"].index(2008)
    assert any(v[n7] != v[n8] for v in t["findings"].values())


def test_a_large_dataset_has_its_ties_and_says_why_not_its_findings(seed, monkeypatch):
    monkeypatch.setattr(tl, "FINDINGS_LIMIT", 100)
    t = tl.timeline(seed)
    assert t["findings"] is None
    # by their own periods; on the seed no tie depends on a fact of another time, so the
    # count is the one made in each year's facts
    assert t["ties"] == tl.timeline(seed, findings=True)["ties"]
    assert "ties counted by their own periods" in t["notes"]
    assert "at most 100 triples" in t["why"] and "check --as-of YEAR" in t["why"]
    html = timeline_html(t)
    assert "<svg" in html and "check --as-of YEAR" in html


def test_the_picture_and_the_table(seed_timeline):
    svg = timeline_svg(seed_timeline)
    assert svg.startswith("<svg") and "<script" not in svg
    assert "gap.unmonitored" in svg and "2008" in svg  # text stays text
    assert timeline_svg(seed_timeline) == svg  # the same facts give the same picture
    md = timeline_markdown(seed_timeline)
    assert md[0].startswith("| year | gap.priority") and md[2].startswith("| 2007 |")
    html = timeline_html(seed_timeline)
    assert html.count("<tr>") == len(seed_timeline["years"]) + 1


def test_the_report_has_the_timeline_and_a_built_store_keeps_it(seed_timeline, tmp_path):
    out = tmp_path / "r.html"
    assert run("report", SEED, "-o", out).exit_code == 0
    page = out.read_text("utf-8")
    assert "<h2>Timeline</h2>" in page and '<div class="timeline"><svg' in page
    assert "## Timeline" in out.with_suffix(".md").read_text("utf-8")
    assert run("build", SEED, "-o", tmp_path / "b").exit_code == 0
    store = graph.load(tmp_path / "b" / "lapland.store")
    kept = json.loads((tmp_path / "b" / "lapland.store" / "kept" / "timeline.json")
                      .read_text("utf-8"))["value"]
    assert kept == json.loads(json.dumps(seed_timeline)) == store.timeline()


# -- what a review found ----------------------------------------------------------------

def test_a_far_end_does_not_push_the_years_off(tmp_path):
    folder = tmp_path / "far"
    import shutil

    shutil.copytree(SEED, folder)
    path = folder / "responsibilities.yaml"
    path.write_text(path.read_text("utf-8").replace("period: {from: 2007, to: 2013}",
                                                    "period: {from: 2007, to: 3013}", 1),
                    "utf-8")
    t = tl.timeline(graph.load(folder), findings=False)
    assert t["years"][0] == 2007 and t["years"][-1] == 2023
    assert any("on to 3013" in note for note in t["notes"])
    assert "on to 3013" in timeline_html(t)


def test_a_tie_whose_actor_had_gone_is_not_counted(tmp_path):
    """A network of 2000-2001 and its open-ended responsibility: as of 2002 the
    responsibility depends on a network that had gone, so neither the findings nor the
    ties of 2002 count it."""
    (tmp_path / "d.yaml").write_text("""format: 1
dataset: {id: tie, title: {en: Tie}, lang: en}
sources: [{id: s, title: {en: S}}]
organisations: [{id: o, name: {en: O}, kind: company}]
strategies: [{id: st, name: {en: St}, kind: strategy, period: {from: 2000, to: 2003}}]
networks: [{id: n1, name: {en: N1}, kind: working-group, members: [o], for: [st],
            period: {from: 2000, to: 2001}}]
responsibilities:
  - {actor: n1, role: monitor, for: st, period: {from: 2000}, source: s}
""", "utf-8")
    t = tl.timeline(graph.load(tmp_path))
    n = t["years"].index(2002)
    assert t["ties"]["responsibility"][n] == 0 and t["ties"]["network"][n] == 0
    assert t["ties"]["responsibility"][t["years"].index(2001)] == 1


def test_the_report_as_of_a_date_marks_it_on_the_whole_timeline(tmp_path, seed_timeline):
    out = tmp_path / "r.html"
    assert run("report", SEED, "--as-of", "2008", "-o", out).exit_code == 0
    page = out.read_text("utf-8")
    assert '<tr class="as-of"><td>2008</td>' in page and "as of 2008" in page
    text = out.with_suffix(".md").read_text("utf-8")
    assert "| **2008** |" in text and "| 2023 |" in text  # every year, 2008 marked


def test_a_check_name_is_never_mathtext():
    svg = timeline_svg({"years": [2007, 2008], "ties": {"project": [1, 1]}, "undated": {},
                        "findings": {"gap.$\\bad{$": [1, 2]}})
    assert "gap.$\\bad{$" in svg


def test_the_report_embeds_the_overview_picture(tmp_path, monkeypatch):
    out = tmp_path / "r.html"
    assert run("report", SEED, "-o", out).exit_code == 0
    page = out.read_text("utf-8")
    network = page[page.index("<h2>Network</h2>"):]
    assert network.startswith('<h2>Network</h2>\n<div class="overview"><svg')
    assert "overview of the actors by area" in network and "click a group" not in network
    # a country's worth of actors: the report says how to draw it instead
    import graph.present.maps as maps

    monkeypatch.setattr(maps, "REPORT_OVERVIEW_ACTORS", 5)
    assert run("report", SEED, "-o", out).exit_code == 0
    page = out.read_text("utf-8")
    assert '<p class="overview">The overview map is embedded for datasets of at most 5 ' \
        "actors; this one has 14" in page and "--view overview" in page
