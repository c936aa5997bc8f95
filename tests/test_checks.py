"""The seven named checks of /work/shared/CHECKS.md, pinned with small datasets.

Every expectation here is written from the contract (CHECKS.md and FACTS-FORMAT.md),
not from the implementation. Each dataset is two files: ``base.yaml`` (the header,
sources, a small geography and a few organisations) and ``case.yaml`` (what the test
is about); sections in both files are concatenated, as the format allows.

Geography of the base::

    fi (country, FI)
      lappi (region)
        tunturi (sub-region)
          kolari (municipality)
          kittila (municipality)
    norrbotten (region, SE)
      haaparanta (municipality, no country of its own)
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from click.testing import CliRunner

from cli import main
from graph.dataset import Dataset
from tests.conftest import HEADER, write_dataset

OVERLAP_RESP = "overlap.responsibility"
OVERLAP_PROJ = "overlap.parallel-projects"
APART = "gap.key-actors-apart"
NO_LEAD = "gap.priority-without-lead"
NO_PROJECT = "gap.priority-without-project"
UNMONITORED = "gap.unmonitored"
ONE_SIDED = "gap.cross-border-one-sided"
ALL_CHECKS = (OVERLAP_RESP, OVERLAP_PROJ, APART, NO_LEAD, NO_PROJECT, UNMONITORED, ONE_SIDED)

BASE = HEADER + """\
sources:
  - {id: s1, title: Source one}
  - {id: s2, title: Source two}
  - {id: s3, title: Source three}
  - {id: s4, title: Source four}
  - {id: s5, title: Source five}
  - {id: s6, title: Source six}
areas:
  - {id: fi, name: Suomi, kind: country, country: FI}
  - {id: lappi, name: Lappi, kind: region, part_of: fi}
  - {id: tunturi, name: Tunturi-Lappi, kind: sub-region, part_of: lappi}
  - {id: kolari, name: Kolari, kind: municipality, part_of: tunturi}
  - {id: kittila, name: Kittilä, kind: municipality, part_of: tunturi}
  - {id: norrbotten, name: Norrbotten, kind: region, country: SE}
  - {id: haaparanta, name: Haaparanta, kind: municipality, part_of: norrbotten}
organisations:
  - {id: a, name: Org A, kind: company}
  - {id: b, name: Org B, kind: company}
  - {id: c, name: Org C, kind: company}
  - {id: d, name: Org D, kind: company}
  - {id: x, name: Org X, kind: company}
"""


# -- helpers ------------------------------------------------------------------


def make(tmp_path, body: str, name: str = "ds"):
    """A dataset folder holding the base plus ``body`` (a YAML string)."""
    return write_dataset(tmp_path / name, {"base.yaml": BASE, "case.yaml": body})


def run(tmp_path, body: str, check: str | None = None) -> list[dict]:
    folder = make(tmp_path, body)
    try:
        ds = Dataset.open(folder)
    except Exception as exc:  # show the loader's messages, not just its count
        problems = getattr(exc, "problems", [])
        pytest.fail(f"invalid test dataset: {exc}\n" + "\n".join(map(str, problems)))
    found = ds.check(only=[check]) if check else ds.check()
    out = [f.to_dict() for f in found]
    for f in out:
        assert set(f) == {"check", "subjects", "target", "explanation", "sources", "basis",
                          "statements"}, f
        # no statements in these datasets: overlaps rest on records, gaps on absences
        assert f["basis"] == ("recorded" if f["check"].startswith("overlap.") else
                              "unrecorded"), f
        assert f["statements"] == [], f
        if check:
            assert f["check"] == check, f
        assert f["subjects"] == sorted(f["subjects"]), f
        assert len(f["sources"]) == len(set(f["sources"])), f"sources repeat: {f}"
        assert isinstance(f["explanation"], str) and f["explanation"], f
    return out


def keys(findings: list[dict]) -> list[tuple[tuple[str, ...], str]]:
    """(subjects, target) of each finding, sorted; duplicates are kept."""
    return sorted((tuple(f["subjects"]), f["target"]) for f in findings)


def one(findings: list[dict]) -> dict:
    assert len(findings) == 1, findings
    return findings[0]


def entry(**fields) -> str:
    """One flow-mapping list entry; values are written as YAML text verbatim."""
    parts = [f"{k.rstrip('_')}: {v}" for k, v in fields.items() if v is not None]
    return "  - {" + ", ".join(parts) + "}\n"


def resp(actor, role, for_, area=None, period=None, source=None) -> str:
    return entry(actor=actor, role=role, for_=for_, area=area, period=period, source=source)


def proj(id_, implements="[pr1]", areas=None, period=None, status="running", source=None,
         administrator=None, partners=None) -> str:
    return entry(id=id_, name=f"Project {id_}", status=status, implements=implements,
                 areas=areas, period=period, source=source, administrator=administrator,
                 partners=partners)


Y2008 = "{from: 2008, to: 2008}"

# a strategy with two priorities, no area of its own
STRATEGY = """\
strategies:
  - id: st
    name: Strategy
    kind: strategy
    priorities:
      - {id: pr1, name: Priority one}
      - {id: pr2, name: Priority two}
"""


# == overlap.responsibility ===================================================


def two_leads(p1, p2, a1="kolari", a2="kolari", target_area=None, role1="lead", role2="lead"):
    strat = entry(id="st", name="St", kind="strategy", area=target_area)
    return ("strategies:\n" + strat + "responsibilities:\n"
            + resp("a", role1, "st", a1, p1, "s1") + resp("b", role2, "st", a2, p2, "s2"))


def test_responsibility_overlap_fires(tmp_path):
    body = two_leads(Y2008, "{from: 2008-12}", "kolari", "lappi")
    f = one(run(tmp_path, body, OVERLAP_RESP))
    assert f["check"] == OVERLAP_RESP
    assert f["subjects"] == ["a", "b"]
    assert f["target"] == "st"
    assert sorted(f["sources"]) == ["s1", "s2"]
    text = f["explanation"]
    assert "lead" in text.lower()
    assert "kolari" in text  # the area where they intersect (kolari lies in lappi)
    assert "2008" in text
    assert "unknown" not in text.lower()


PERIODS = [
    # (period of a, period of b, overlap?)
    (Y2008, "{from: 2009}", False),
    (Y2008, "{from: 2009-01-01, to: 2009-12-31}", False),
    (Y2008, "{from: 2008-12}", True),
    (Y2008, "{from: 2008-12-31, to: 2010}", True),
    (Y2008, "{from: 2007, to: 2007}", False),
    (Y2008, "{from: 2005, to: 2008-01-01}", True),
    ("{from: 2008-03, to: 2008-05}", "{from: 2008-05-31}", True),
    ("{from: 2008-03, to: 2008-05}", "{from: 2008-06}", False),
    ("{from: 2008-03, to: 2008-05}", "{from: 2008-06-01, to: 2008-06-30}", False),
    ("{from: 2008-03, to: 2008-05}", "{to: 2008-03-01}", True),
    ("{from: 2008-03, to: 2008-05}", "{to: 2008-02}", False),
    ("{from: 2008-03, to: 2008-05}", "{to: 2008-02-29}", False),
    ("{from: 2008-02-29, to: 2008-02-29}", "{from: 2008-02, to: 2008-02}", True),
    ("{from: 2008-06-15, to: 2008-06-15}", "{from: 2008-06-16}", False),
    ("{from: 2008-06-15, to: 2008-06-15}", "{from: 2008-06-15, to: 2008-06-15}", True),
    ("{to: 2010}", "{from: 2010-12-31}", True),
    ("{to: 2009}", "{from: 2010}", False),
    ("{from: 2005}", "{to: 2005-01-01}", True),
    ("{from: 2005-01-02}", "{to: 2005-01-01}", False),
    ("{from: 2030}", "{from: 2001}", True),
    ("{to: 2001}", "{to: 2030}", True),
    ("{from: 2007, to: 2013}", "{from: 2010, to: 2011}", True),
    (Y2008, "{from: 2008-12-31, to: 2008-12-31}", True),
    ("{to: 2008-02}", "{from: 2008-02-29}", True),
    ("{to: 2009-02}", "{from: 2009-02-28}", True),
    ("{to: 2008-04}", "{from: 2008-04-30}", True),
    ("{to: 2008-04}", "{from: 2008-05-01}", False),
    ("{from: 2008-04-30, to: 2008-04-30}", "{from: 2008-05, to: 2008-05}", False),
]


@pytest.mark.parametrize(("p1", "p2", "overlap"), PERIODS)
def test_responsibility_periods(tmp_path, p1, p2, overlap):
    for name, (first, second) in {"ab": (p1, p2), "ba": (p2, p1)}.items():
        found = run(tmp_path / name, two_leads(first, second), OVERLAP_RESP)
        assert keys(found) == ([(("a", "b"), "st")] if overlap else []), (first, second)
        for f in found:
            assert "unknown" not in f["explanation"].lower()


@pytest.mark.parametrize("other", [Y2008, "{from: 1990, to: 1991}", "{from: 2030}", None])
def test_responsibility_missing_period_intersects_everything(tmp_path, other):
    f = one(run(tmp_path, two_leads(None, other), OVERLAP_RESP))
    assert f["subjects"] == ["a", "b"] and f["target"] == "st"
    assert "unknown" in f["explanation"].lower()


def test_responsibility_without_period_does_not_take_its_targets(tmp_path):
    # the strategy runs in 2008; b's responsibility has no period: it is unknown,
    # not 2008, so it still meets a's responsibility of 2020 onwards.
    body = ("strategies:\n" + entry(id="st", name="St", kind="strategy", period=Y2008)
            + "responsibilities:\n" + resp("a", "lead", "st", "kolari", "{from: 2020}", "s1")
            + resp("b", "lead", "st", "kolari", None, "s2"))
    f = one(run(tmp_path, body, OVERLAP_RESP))
    assert f["subjects"] == ["a", "b"]
    assert "unknown" in f["explanation"].lower()


AREAS = [
    # (area of a, area of b, area of the target strategy, overlap?)
    ("kolari", "lappi", None, True),
    ("lappi", "kolari", None, True),
    ("kolari", "tunturi", None, True),
    ("tunturi", "lappi", None, True),
    ("kolari", "fi", None, True),
    ("kolari", "kolari", None, True),
    ("kolari", "kittila", None, False),
    ("kolari", "norrbotten", None, False),
    ("haaparanta", "norrbotten", None, True),
    ("fi", "haaparanta", None, False),
    ("lappi", "norrbotten", None, False),
    ("[kittila, haaparanta]", "kolari", None, False),
    ("[kittila, haaparanta]", "norrbotten", None, True),
    ("[kittila, haaparanta]", "[kolari, tunturi]", None, True),
    # a responsibility without area covers its target's area
    ("kittila", None, "kolari", False),
    ("lappi", None, "kolari", True),
    ("tunturi", None, "kolari", True),
    ("kolari", None, "lappi", True),
    ("haaparanta", None, "lappi", False),
    ("norrbotten", None, "[kolari, haaparanta]", True),
    ("kittila", None, "[kolari, haaparanta]", False),
    (None, None, "kolari", True),
    # a target without area covers everything
    ("kolari", None, None, True),
    ("haaparanta", None, None, True),
    (None, None, None, True),
]


@pytest.mark.parametrize(("a1", "a2", "target_area", "overlap"), AREAS)
def test_responsibility_areas(tmp_path, a1, a2, target_area, overlap):
    body = two_leads(Y2008, Y2008, a1, a2, target_area)
    found = run(tmp_path, body, OVERLAP_RESP)
    assert keys(found) == ([(("a", "b"), "st")] if overlap else [])


def test_responsibility_explanation_names_intersection_area(tmp_path):
    # a in kolari, b without area on a strategy of tunturi: they meet in kolari
    body = two_leads(Y2008, Y2008, "kolari", None, "tunturi")
    f = one(run(tmp_path, body, OVERLAP_RESP))
    assert "kolari" in f["explanation"]


TARGETS = """\
strategies:
  - id: st
    name: Strategy in Kolari
    kind: strategy
    area: kolari
    priorities:
      - {id: pr1, name: Priority one}
  - {id: wide, name: Strategy everywhere, kind: strategy}
projects:
  - {id: pk, name: Project in Kolari, status: running, areas: [kolari]}
  - {id: pkh, name: Project in Kolari and Haaparanta, status: running,
     areas: [kolari, haaparanta]}
  - {id: pany, name: Project without areas, status: running}
networks:
  - {id: net, name: Network, kind: working-group}
  - {id: netk, name: Network with an area, kind: working-group, area: kolari}
"""


@pytest.mark.parametrize(("target", "area_a", "overlap"), [
    ("st", "kittila", False),  # strategy's area
    ("st", "tunturi", True),
    ("pr1", "kittila", False),  # a priority covers its strategy's area
    ("pr1", "tunturi", True),
    ("pr1", "kolari", True),
    ("pk", "kittila", False),  # a project's areas
    ("pk", "lappi", True),
    ("pkh", "norrbotten", True),
    ("pkh", "kittila", False),
    ("pany", "haaparanta", True),  # a project without areas covers everything
    ("net", "haaparanta", True),  # a network covers everything
    ("netk", "kittila", True),  # ... even one that names an area
    ("netk", "haaparanta", True),
    ("wide", "haaparanta", True),  # a strategy without area covers everything
])
def test_responsibility_without_area_covers_its_targets_areas(tmp_path, target, area_a, overlap):
    body = (TARGETS + "responsibilities:\n" + resp("a", "lead", target, area_a, Y2008, "s1")
            + resp("b", "lead", target, None, Y2008, "s2"))
    found = run(tmp_path, body, OVERLAP_RESP)
    assert keys(found) == ([(("a", "b"), target)] if overlap else [])


PARENTED = """\
strategies:
  - {id: parent, name: Parent, kind: strategy, area: kolari}
  - id: child
    name: Child without area
    kind: plan
    part_of: parent
    priorities:
      - {id: cp, name: Child priority}
  - id: multi
    name: Multi-area
    kind: plan
    area: [kolari, haaparanta]
    priorities:
      - {id: mp, name: Multi priority}
"""


@pytest.mark.parametrize(("target", "area_a", "overlap"), [
    # a strategy's checks look at that strategy alone: the child has no area of its
    # own, so it (and its priority) covers everything, whatever its parent's area
    ("child", "haaparanta", True),
    ("cp", "haaparanta", True),
    ("parent", "haaparanta", False),
    ("mp", "norrbotten", True),
    ("mp", "kittila", False),
])
def test_responsibility_target_area_is_the_strategys_own(tmp_path, target, area_a, overlap):
    body = (PARENTED + "responsibilities:\n" + resp("a", "lead", target, area_a, Y2008, "s1")
            + resp("b", "lead", target, None, Y2008, "s2"))
    found = run(tmp_path, body, OVERLAP_RESP)
    assert keys(found) == ([(("a", "b"), target)] if overlap else [])


@pytest.mark.parametrize("role", ["lead", "coordinate", "monitor"])
def test_responsibility_each_overlapping_role(tmp_path, role):
    found = run(tmp_path, two_leads(Y2008, Y2008, role1=role, role2=role), OVERLAP_RESP)
    f = one(found)
    assert f["subjects"] == ["a", "b"] and f["target"] == "st"
    assert role in f["explanation"].lower()


@pytest.mark.parametrize("role", ["fund", "implement", "participate"])
def test_responsibility_shared_work_roles_are_not_overlaps(tmp_path, role):
    body = ("strategies:\n" + entry(id="st", name="St", kind="strategy")
            + "responsibilities:\n"
            + "".join(resp(actor, role, "st", "kolari", Y2008, "s1") for actor in "abc"))
    assert run(tmp_path, body, OVERLAP_RESP) == []


@pytest.mark.parametrize(("r1", "r2"), [
    ("lead", "coordinate"), ("lead", "monitor"), ("coordinate", "monitor"),
    ("lead", "fund"), ("monitor", "implement"),
])
def test_responsibility_different_roles_are_not_overlaps(tmp_path, r1, r2):
    assert run(tmp_path, two_leads(Y2008, Y2008, role1=r1, role2=r2), OVERLAP_RESP) == []


def test_responsibility_three_leads_are_three_findings(tmp_path):
    body = ("strategies:\n" + entry(id="st", name="St", kind="strategy")
            + "responsibilities:\n" + resp("c", "lead", "st", "kolari", Y2008, "s3")
            + resp("a", "lead", "st", "lappi", Y2008, "s1")
            + resp("b", "lead", "st", "tunturi", Y2008, "s2"))
    found = run(tmp_path, body, OVERLAP_RESP)
    assert keys(found) == [(("a", "b"), "st"), (("a", "c"), "st"), (("b", "c"), "st")]
    by_pair = {tuple(f["subjects"]): sorted(f["sources"]) for f in found}
    assert by_pair == {("a", "b"): ["s1", "s2"], ("a", "c"): ["s1", "s3"],
                       ("b", "c"): ["s2", "s3"]}


def test_responsibility_pair_leading_and_monitoring_is_one_finding(tmp_path):
    body = ("strategies:\n" + entry(id="st", name="St", kind="strategy")
            + "responsibilities:\n"
            + resp("a", "lead", "st", "kolari", Y2008, "s1")
            + resp("b", "lead", "st", "kolari", Y2008, "s2")
            + resp("b", "monitor", "st", "kolari", Y2008, "s3")
            + resp("a", "monitor", "st", "kolari", Y2008, "s4"))
    f = one(run(tmp_path, body, OVERLAP_RESP))
    assert f["subjects"] == ["a", "b"] and f["target"] == "st"
    assert "lead" in f["explanation"].lower()
    assert "monitor" in f["explanation"].lower()
    assert sorted(f["sources"]) == ["s1", "s2", "s3", "s4"]


def test_responsibility_only_the_overlapping_role_is_named(tmp_path):
    # both lead in 2008; they also monitor, but in different years: only lead overlaps
    body = ("strategies:\n" + entry(id="st", name="St", kind="strategy")
            + "responsibilities:\n"
            + resp("a", "lead", "st", "kolari", Y2008, "s1")
            + resp("b", "lead", "st", "kolari", Y2008, "s2")
            + resp("a", "monitor", "st", "kolari", "{from: 2010, to: 2010}", "s3")
            + resp("b", "monitor", "st", "kolari", "{from: 2011}", "s4"))
    f = one(run(tmp_path, body, OVERLAP_RESP))
    assert f["subjects"] == ["a", "b"]
    assert "lead" in f["explanation"].lower()
    assert "monitor" not in f["explanation"].lower()
    assert {"s1", "s2"} <= set(f["sources"])


def test_responsibility_pair_leading_and_coordinating_is_one_finding(tmp_path):
    body = ("strategies:\n" + entry(id="st", name="St", kind="strategy")
            + "responsibilities:\n"
            + resp("a", "coordinate", "st", "kolari", Y2008, "s1")
            + resp("b", "lead", "st", "lappi", Y2008, "s2")
            + resp("a", "lead", "st", "tunturi", Y2008, "s3")
            + resp("b", "coordinate", "st", None, None, "s4"))
    f = one(run(tmp_path, body, OVERLAP_RESP))
    assert f["subjects"] == ["a", "b"]
    assert "lead" in f["explanation"].lower()
    assert "coordinate" in f["explanation"].lower()
    assert sorted(f["sources"]) == ["s1", "s2", "s3", "s4"]


def test_responsibility_three_leads_only_intersecting_pairs(tmp_path):
    body = ("strategies:\n" + entry(id="st", name="St", kind="strategy")
            + "responsibilities:\n"
            + resp("a", "lead", "st", "kolari", Y2008, "s1")
            + resp("b", "lead", "st", "kittila", Y2008, "s2")
            + resp("c", "lead", "st", "lappi", "{from: 2008-12-31}", "s3"))
    assert keys(run(tmp_path, body, OVERLAP_RESP)) == [(("a", "c"), "st"), (("b", "c"), "st")]


def test_responsibility_explanation_names_month_and_day_periods(tmp_path):
    f = one(run(tmp_path, two_leads("{from: 2008-03, to: 2008-05}", "{from: 2008-05-31}"),
                OVERLAP_RESP))
    assert "2008-05" in f["explanation"]


EN_DASH_RANGE = re.compile(r"(\d{4}(?:-\d\d){0,2})\s*–\s*(\d{4}(?:-\d\d){0,2})")


def assert_no_inverted_range(text: str) -> None:
    for start, end in EN_DASH_RANGE.findall(text):
        assert start[:len(end)] <= end[:len(start)], f"impossible period in {text!r}"


@pytest.mark.parametrize("second_role", ["monitor", "lead"])
def test_responsibility_explanation_period_of_two_overlaps(tmp_path, second_role):
    # a and b overlap twice: in kolari during 2008 and in kittila during 2015.
    # The explanation must not invent a period (2015–2008) that is no period at all.
    body = ("strategies:\n" + entry(id="st", name="St", kind="strategy")
            + "responsibilities:\n"
            + resp("a", "lead", "st", "kolari", Y2008, "s1")
            + resp("b", "lead", "st", "kolari", Y2008, "s2")
            + resp("a", second_role, "st", "kittila", "{from: 2015, to: 2015}", "s3")
            + resp("b", second_role, "st", "kittila", "{from: 2015}", "s4"))
    f = one(run(tmp_path, body, OVERLAP_RESP))
    assert f["subjects"] == ["a", "b"]
    assert sorted(f["sources"]) == ["s1", "s2", "s3", "s4"]
    assert "2008" in f["explanation"] and "2015" in f["explanation"]
    assert_no_inverted_range(f["explanation"])


def test_responsibility_explanation_unknown_period_in_second_role(tmp_path):
    # both lead during 2008; both monitor, a without period (it intersects b's 2015):
    # the finding names monitor, so its explanation must say a's period is unknown.
    body = ("strategies:\n" + entry(id="st", name="St", kind="strategy")
            + "responsibilities:\n"
            + resp("a", "lead", "st", "kolari", Y2008, "s1")
            + resp("b", "lead", "st", "kolari", Y2008, "s2")
            + resp("a", "monitor", "st", "kolari", None, "s3")
            + resp("b", "monitor", "st", "kolari", "{from: 2015, to: 2015}", "s4"))
    f = one(run(tmp_path, body, OVERLAP_RESP))
    assert "lead" in f["explanation"].lower() and "monitor" in f["explanation"].lower()
    assert "unknown" in f["explanation"].lower()


def test_responsibility_pair_with_several_matching_rows_is_one_finding(tmp_path):
    body = ("strategies:\n" + entry(id="st", name="St", kind="strategy")
            + "responsibilities:\n"
            + resp("a", "lead", "st", "kolari", Y2008, "s1")
            + resp("a", "lead", "st", "kittila", Y2008, "s2")
            + resp("b", "lead", "st", "tunturi", Y2008, "s3"))
    f = one(run(tmp_path, body, OVERLAP_RESP))
    assert f["subjects"] == ["a", "b"] and f["target"] == "st"
    assert sorted(f["sources"]) == ["s1", "s2", "s3"]


def test_responsibility_same_actor_twice_is_not_an_overlap(tmp_path):
    body = ("strategies:\n" + entry(id="st", name="St", kind="strategy")
            + "responsibilities:\n"
            + resp("a", "lead", "st", "kolari", Y2008, "s1")
            + resp("a", "lead", "st", "lappi", "{from: 2008-06}", "s2")
            + resp("a", "lead", "st", None, None, "s3"))
    assert run(tmp_path, body, OVERLAP_RESP) == []


def test_responsibility_target_is_the_same_id(tmp_path):
    # a strategy and its priority are different targets; so are two strategies
    body = (STRATEGY + entry(id="st2", name="Other", kind="strategy")
            + "responsibilities:\n"
            + resp("a", "lead", "st", "kolari", Y2008, "s1")
            + resp("b", "lead", "pr1", "kolari", Y2008, "s2")
            + resp("c", "lead", "st2", "kolari", Y2008, "s3"))
    assert run(tmp_path, body, OVERLAP_RESP) == []


def test_responsibility_one_pair_on_two_targets_is_two_findings(tmp_path):
    body = (STRATEGY + "responsibilities:\n"
            + resp("b", "lead", "st", "kolari", Y2008, "s1")
            + resp("a", "lead", "st", "kolari", Y2008, "s2")
            + resp("b", "coordinate", "pr1", "kolari", Y2008, "s3")
            + resp("a", "coordinate", "pr1", "kolari", Y2008, "s4"))
    found = run(tmp_path, body, OVERLAP_RESP)
    assert keys(found) == [(("a", "b"), "pr1"), (("a", "b"), "st")]
    by_target = {f["target"]: sorted(f["sources"]) for f in found}
    assert by_target == {"st": ["s1", "s2"], "pr1": ["s3", "s4"]}


def test_responsibility_people_and_organisations_are_actors(tmp_path):
    body = ("people:\n" + entry(id="pe", name="Person")
            + "strategies:\n" + entry(id="st", name="St", kind="strategy")
            + "responsibilities:\n"
            + resp("pe", "lead", "st", "kolari", Y2008, "s1")
            + resp("x", "lead", "st", "kolari", Y2008, "s2"))
    f = one(run(tmp_path, body, OVERLAP_RESP))
    assert f["subjects"] == ["pe", "x"]


def test_responsibility_sources_are_those_of_the_compared_facts(tmp_path):
    body = ("strategies:\n" + entry(id="st", name="St", kind="strategy")
            + "responsibilities:\n"
            + resp("a", "lead", "st", "kolari", Y2008, "[s1, s2]")
            + resp("b", "lead", "st", "kolari", Y2008, None)
            + resp("c", "lead", "st", "kittila", Y2008, "s5"))
    found = run(tmp_path, body, OVERLAP_RESP)
    assert keys(found) == [(("a", "b"), "st")]
    assert sorted(found[0]["sources"]) == ["s1", "s2"]


def test_responsibility_sources_empty_when_no_fact_has_one(tmp_path):
    body = ("strategies:\n" + entry(id="st", name="St", kind="strategy")
            + "responsibilities:\n" + resp("a", "lead", "st") + resp("b", "lead", "st"))
    f = one(run(tmp_path, body, OVERLAP_RESP))
    assert f["sources"] == []


def test_responsibility_sources_include_compared_facts_when_target_has_a_source(tmp_path):
    body = ("strategies:\n" + entry(id="st", name="St", kind="strategy", source="s6")
            + "responsibilities:\n"
            + resp("a", "lead", "st", "kolari", Y2008, "s1")
            + resp("b", "lead", "st", "kolari", Y2008, "s2"))
    f = one(run(tmp_path, body, OVERLAP_RESP))
    assert {"s1", "s2"} <= set(f["sources"])


# == overlap.parallel-projects ================================================


def projects(*entries: str, extra: str = "") -> str:
    return STRATEGY + extra + "projects:\n" + "".join(entries)


def test_parallel_projects_fire(tmp_path):
    body = projects(proj("p2", areas="[tunturi]", period="{from: 2008-12}", source="s2"),
                    proj("p1", areas="[kolari]", period=Y2008, source="s1"))
    f = one(run(tmp_path, body, OVERLAP_PROJ))
    assert f["check"] == OVERLAP_PROJ
    assert f["subjects"] == ["p1", "p2"]
    assert f["target"] == "pr1"
    assert sorted(f["sources"]) == ["s1", "s2"]
    assert "unknown" not in f["explanation"].lower()


@pytest.mark.parametrize(("s1", "s2", "fires"), [
    ("running", "running", True),
    ("planned", "completed", True),
    ("idea", "idea", True),  # ideas count
    ("idea", "running", True),
    ("completed", "completed", True),
    ("running", "cancelled", False),
    ("idea", "cancelled", False),
    ("cancelled", "cancelled", False),
])
def test_parallel_projects_statuses(tmp_path, s1, s2, fires):
    body = projects(proj("p1", status=s1, areas="[kolari]", period=Y2008, source="s1"),
                    proj("p2", status=s2, areas="[kolari]", period=Y2008, source="s2"))
    found = run(tmp_path, body, OVERLAP_PROJ)
    assert keys(found) == ([(("p1", "p2"), "pr1")] if fires else [])


def test_parallel_projects_strategy_and_its_priority_share_nothing(tmp_path):
    body = projects(proj("p1", implements="[st]", areas="[kolari]", period=Y2008),
                    proj("p2", implements="[pr1]", areas="[kolari]", period=Y2008))
    assert run(tmp_path, body, OVERLAP_PROJ) == []


def test_parallel_projects_sharing_a_strategy(tmp_path):
    body = projects(proj("p1", implements="[st]", areas="[kolari]", period=Y2008),
                    proj("p2", implements="[st, pr2]", areas="[kolari]", period=Y2008))
    assert keys(run(tmp_path, body, OVERLAP_PROJ)) == [(("p1", "p2"), "st")]


def test_parallel_projects_two_shared_priorities_are_two_findings(tmp_path):
    body = projects(proj("p1", implements="[pr1, pr2]", areas="[kolari]", period=Y2008,
                         source="s1"),
                    proj("p2", implements="[pr2, pr1]", areas="[kolari]", period=Y2008,
                         source="s2"))
    found = run(tmp_path, body, OVERLAP_PROJ)
    assert keys(found) == [(("p1", "p2"), "pr1"), (("p1", "p2"), "pr2")]
    for f in found:
        assert sorted(f["sources"]) == ["s1", "s2"]


def test_parallel_projects_only_the_shared_target(tmp_path):
    body = projects(proj("p1", implements="[pr1, pr2]", period=Y2008),
                    proj("p2", implements="[pr2, st]", period=Y2008))
    assert keys(run(tmp_path, body, OVERLAP_PROJ)) == [(("p1", "p2"), "pr2")]


def test_parallel_projects_three_projects_three_findings(tmp_path):
    body = projects(proj("pc", period=Y2008), proj("pa", period=Y2008),
                    proj("pb", period=Y2008))
    found = run(tmp_path, body, OVERLAP_PROJ)
    assert keys(found) == [(("pa", "pb"), "pr1"), (("pa", "pc"), "pr1"), (("pb", "pc"), "pr1")]


@pytest.mark.parametrize(("areas1", "areas2", "fires"), [
    ("[kolari]", "[kolari]", True),
    ("[kolari]", "[lappi]", True),
    ("[tunturi]", "[kolari]", True),
    ("[kolari]", "[kittila]", False),
    ("[kolari]", "[norrbotten]", False),
    ("[kolari, haaparanta]", "[norrbotten]", True),
    ("[kolari, kittila]", "[haaparanta]", False),
    ("[kolari]", None, True),  # a project without areas covers everything
    ("[haaparanta]", None, True),
    (None, None, True),
])
def test_parallel_projects_areas(tmp_path, areas1, areas2, fires):
    body = projects(proj("p1", areas=areas1, period=Y2008),
                    proj("p2", areas=areas2, period=Y2008))
    assert keys(run(tmp_path, body, OVERLAP_PROJ)) == ([(("p1", "p2"), "pr1")] if fires else [])


def test_parallel_projects_area_of_the_strategy_does_not_matter(tmp_path):
    # the projects' own areas decide; the strategy's area is not a project's area
    body = ("strategies:\n  - id: st\n    name: St\n    kind: strategy\n    area: haaparanta\n"
            "    priorities:\n      - {id: pr1, name: P1}\n" + "projects:\n"
            + proj("p1", areas="[kolari]", period=Y2008)
            + proj("p2", areas="[kittila]", period=Y2008))
    assert run(tmp_path, body, OVERLAP_PROJ) == []


@pytest.mark.parametrize(("p1", "p2", "fires"), [
    (p1, p2, overlap) for p1, p2, overlap in PERIODS[:12]
])
def test_parallel_projects_periods(tmp_path, p1, p2, fires):
    body = projects(proj("p1", areas="[kolari]", period=p1),
                    proj("p2", areas="[kolari]", period=p2))
    assert keys(run(tmp_path, body, OVERLAP_PROJ)) == ([(("p1", "p2"), "pr1")] if fires else [])


@pytest.mark.parametrize("other", [Y2008, "{from: 1990, to: 1990}", "{to: 1950}", None])
def test_parallel_projects_without_period_intersect_all(tmp_path, other):
    body = projects(proj("p1", areas="[kolari]", period=None),
                    proj("p2", areas="[kolari]", period=other))
    f = one(run(tmp_path, body, OVERLAP_PROJ))
    assert f["subjects"] == ["p1", "p2"] and f["target"] == "pr1"
    assert "unknown" in f["explanation"].lower()


def test_parallel_projects_of_different_priorities_do_not_meet(tmp_path):
    body = projects(proj("p1", implements="[pr1]"), proj("p2", implements="[pr2]"),
                    proj("p3"))
    assert keys(run(tmp_path, body, OVERLAP_PROJ)) == [(("p1", "p3"), "pr1")]


def test_parallel_projects_sources_cover_lists(tmp_path):
    body = projects(proj("p1", source="[s1, s2]"), proj("p2", source="s3"),
                    proj("p3", implements="[pr2]", source="s4"))
    f = one(run(tmp_path, body, OVERLAP_PROJ))
    assert sorted(f["sources"]) == ["s1", "s2", "s3"]


# == gap.key-actors-apart =====================================================


def keyed(actors: str, extra: str = "", source: str | None = "s1") -> str:
    return ("strategies:\n"
            + entry(id="st", name="Strategy", kind="strategy", key_actors=actors, source=source)
            + extra)


ABC = "[a, b, c]"


def sp(**fields) -> str:
    """A project ``p`` implementing the strategy ``st``."""
    return proj("p", implements="[st]", **fields)

AB, AC, BC = (("a", "b"), "st"), (("a", "c"), "st"), (("b", "c"), "st")


@pytest.mark.parametrize(("extra", "apart"), [
    ("", [AB, AC, BC]),
    # a network
    ("networks:\n" + entry(id="n", name="N", kind="working-group", members="[a, b]"),
     [AC, BC]),
    ("networks:\n" + entry(id="n", name="N", kind="partnership", members="[c, a, b, x]"),
     []),
    # an event: listed participants only
    ("events:\n" + entry(id="e", name="E", participants="[a, b]"), [AC, BC]),
    ("events:\n" + entry(id="e", name="E", organiser="a", participants="[b, c]"), [AB, AC]),
    ("events:\n" + entry(id="e", name="E", organiser="a", participants="[a, b, c]"), []),
    # a network convener who is not a member is not seated
    ("networks:\n" + entry(id="n", name="N", kind="coordination-group", convener="a",
                           members="[b, c]"), [AB, AC]),
    ("networks:\n" + entry(id="n", name="N", kind="coordination-group", convener="a",
                           members="[a, b]"), [AC, BC]),
    # a project: administrator and partners
    ("projects:\n" + sp(administrator="a", partners="[b]"), [AC, BC]),
    ("projects:\n" + sp(administrator="x", partners="[a, c]"), [AB, BC]),
    ("projects:\n" + sp(status="cancelled", administrator="b", partners="[c]"),
     [AB, AC]),
    ("projects:\n" + sp(status="idea", administrator="b", partners="[c]"), [AB, AC]),
    ("projects:\n" + sp(status="completed", administrator="c", partners="[a]"),
     [AB, BC]),
    # meeting is not transitive
    ("networks:\n" + entry(id="n1", name="N1", kind="working-group", members="[a, b]")
     + entry(id="n2", name="N2", kind="working-group", members="[b, c]"), [AC]),
    ("events:\n" + entry(id="e1", name="E1", participants="[a, b]")
     + entry(id="e2", name="E2", participants="[b, c]"), [AC]),
    # seats of different kinds add up
    ("events:\n" + entry(id="e1", name="E1", participants="[a, b]")
     + "projects:\n" + sp(administrator="b", partners="[c]")
     + "networks:\n" + entry(id="n", name="N", kind="partnership", members="[a, c]"), []),
    # a network or event for another strategy, or in another period, still seats
    ("  - {id: other, name: Other, kind: strategy}\n"
     "networks:\n" + entry(id="n", name="N", kind="working-group", members="[a, b, c]",
                           for_="[other]", period="{from: 1990, to: 1991}"), []),
])
def test_key_actors_apart_seating(tmp_path, extra, apart):
    found = run(tmp_path, keyed(ABC, extra), APART)
    assert keys(found) == sorted(apart)
    for f in found:
        assert f["check"] == APART
        assert "s1" in f["sources"]


def test_key_actors_not_seated_by_funding_responsibility_activity(tmp_path):
    extra = ("projects:\n  - id: p\n    name: P\n    status: running\n    administrator: x\n"
             "    implements: [st]\n"
             "    funding:\n      total: 100\n"
             "      sources:\n        - {funders: [a, b, c], amount: 100}\n"
             "    activities:\n      - {name: Work, by: a}\n      - {name: More, by: b}\n"
             "responsibilities:\n"
             + resp("a", "lead", "st") + resp("b", "lead", "st") + resp("c", "monitor", "st")
             + resp("a", "participate", "st") + resp("b", "participate", "st")
             + resp("c", "fund", "st"))
    assert keys(run(tmp_path, keyed(ABC, extra), APART)) == [AB, AC, BC]


def test_key_actors_not_seated_by_posts(tmp_path):
    # pe works in a (a post); a and b meet in a network; pe does not.
    # and a person with posts in both c and d does not seat c and d.
    extra = ("people:\n  - id: pe\n    name: Person\n    posts:\n      - organisation: a\n"
             "  - id: po\n    name: Other person\n    posts:\n      - organisation: c\n"
             "      - organisation: d\n"
             "networks:\n" + entry(id="n", name="N", kind="working-group", members="[a, b]"))
    found = run(tmp_path, keyed("[pe, b, c, d]", extra), APART)
    assert keys(found) == sorted([
        (("b", "pe"), "st"), (("c", "pe"), "st"), (("d", "pe"), "st"),
        (("b", "c"), "st"), (("b", "d"), "st"), (("c", "d"), "st"),
    ])


def test_key_actors_people_seated_as_participants_and_members(tmp_path):
    extra = ("people:\n" + entry(id="pe", name="Person") + entry(id="pf", name="Other")
             + "events:\n" + entry(id="e", name="E", participants="[pe, a]")
             + "networks:\n" + entry(id="n", name="N", kind="working-group",
                                     members="[pf, a]"))
    found = run(tmp_path, keyed("[a, pe, pf]", extra), APART)
    assert keys(found) == [(("pe", "pf"), "st")]


def test_key_actors_meet_through_represents(tmp_path):
    # kc stands for kolari; kolari (the area) is a member of the network, so kc is.
    # lc stands for lappi, which is not itself a member (only its part kolari is).
    extra = ("organisations:\n"
             + entry(id="kc", name="Kolari council", kind="municipality", represents="kolari")
             + entry(id="lc", name="Lapland council", kind="regional-council",
                     represents="lappi")
             + "networks:\n" + entry(id="n", name="N", kind="working-group",
                                     members="[kolari, b]"))
    found = run(tmp_path, keyed("[kc, b, lc]", extra), APART)
    assert keys(found) == [(("b", "lc"), "st"), (("kc", "lc"), "st")]


def test_key_actors_representing_one_member_area_meet(tmp_path):
    extra = ("organisations:\n"
             + entry(id="k1", name="Kolari council", kind="municipality", represents="kolari")
             + entry(id="k2", name="Kolari board", kind="municipality", represents="kolari")
             + "networks:\n" + entry(id="n", name="N", kind="working-group",
                                     members="[kolari, haaparanta]"))
    assert run(tmp_path, keyed("[k1, k2]", extra), APART) == []


def test_key_actors_organisation_part_of_a_member_is_not_seated(tmp_path):
    extra = ("organisations:\n" + entry(id="a2", name="Unit of A", kind="company", part_of="a")
             + "networks:\n" + entry(id="n", name="N", kind="working-group", members="[a, b]"))
    assert keys(run(tmp_path, keyed("[a2, b]", extra), APART)) == [(("a2", "b"), "st")]


def test_key_actors_each_strategy_alone(tmp_path):
    body = ("strategies:\n"
            + entry(id="parent", name="Parent", kind="strategy", key_actors="[a, b]",
                    source="s1")
            + entry(id="child", name="Child", kind="strategy", part_of="parent",
                    key_actors="[c, d]", source="s2")
            + entry(id="twin", name="Twin", kind="programme", key_actors="[b, a]")
            + entry(id="solo", name="Solo", kind="plan", key_actors="[a]")
            + entry(id="none", name="None", kind="plan"))
    found = run(tmp_path, body, APART)
    assert keys(found) == [(("a", "b"), "parent"), (("a", "b"), "twin"),
                           (("c", "d"), "child")]
    by_target = {f["target"]: f["sources"] for f in found}
    assert "s1" in by_target["parent"]
    assert "s2" in by_target["child"]


# == gap.priority-without-lead ================================================


SOURCED_STRATEGY = """\
strategies:
  - id: st
    name: Strategy
    kind: strategy
    area: lappi
    source: s1
    priorities:
      - {id: pr1, name: Priority one}
      - {id: pr2, name: Priority two, source: s2}
"""

P1, P2 = (("pr1",), "st"), (("pr2",), "st")


@pytest.mark.parametrize(("responsibilities", "gaps"), [
    ("", [P1, P2]),
    (resp("a", "lead", "st"), [P1, P2]),  # a lead for the strategy does not count
    (resp("a", "coordinate", "st"), [P1, P2]),
    (resp("a", "lead", "pr1"), [P2]),
    (resp("a", "coordinate", "pr1"), [P2]),
    (resp("a", "monitor", "pr1"), [P1, P2]),
    (resp("a", "fund", "pr1") + resp("b", "implement", "pr1")
     + resp("c", "participate", "pr1"), [P1, P2]),
    (resp("a", "lead", "pr1") + resp("b", "coordinate", "pr2"), []),
    # gap checks ignore periods (and the responsibility's area is no condition)
    (resp("a", "lead", "pr1", "haaparanta", "{from: 1990, to: 1990}"), [P2]),
    (resp("a", "lead", "pr2", None, "{from: 2090}"), [P1]),
])
def test_priority_without_lead(tmp_path, responsibilities, gaps):
    body = SOURCED_STRATEGY
    if responsibilities:
        body += "responsibilities:\n" + responsibilities
    found = run(tmp_path, body, NO_LEAD)
    assert keys(found) == gaps


def test_priority_without_lead_person_lead_counts(tmp_path):
    body = (SOURCED_STRATEGY + "people:\n" + entry(id="pe", name="Person")
            + "responsibilities:\n" + resp("pe", "lead", "pr1"))
    assert keys(run(tmp_path, body, NO_LEAD)) == [P2]


def test_priority_without_lead_a_project_is_not_a_lead(tmp_path):
    body = (SOURCED_STRATEGY + "projects:\n"
            + proj("p", implements="[pr1, pr2]", administrator="a"))
    assert keys(run(tmp_path, body, NO_LEAD)) == [P1, P2]


def test_priority_without_lead_sources(tmp_path):
    # pr1 has no source of its own: its strategy's (s1) covers it
    found = run(tmp_path, SOURCED_STRATEGY, NO_LEAD)
    by_subject = {f["subjects"][0]: set(f["sources"]) for f in found}
    assert "s1" in by_subject["pr1"]
    assert "s2" in by_subject["pr2"]


def test_priority_without_lead_strategy_without_priorities(tmp_path):
    body = "strategies:\n" + entry(id="st", name="St", kind="strategy")
    assert run(tmp_path, body, NO_LEAD) == []


def test_priority_without_lead_several_strategies(tmp_path):
    body = (SOURCED_STRATEGY
            + "  - id: st2\n    name: Other\n    kind: plan\n    part_of: st\n"
              "    priorities:\n      - {id: q1, name: Q1}\n"
            + "responsibilities:\n" + resp("a", "lead", "pr1") + resp("a", "lead", "pr2"))
    assert keys(run(tmp_path, body, NO_LEAD)) == [(("q1",), "st2")]


# == gap.priority-without-project =============================================


@pytest.mark.parametrize(("project_entries", "gaps"), [
    ("", [P1, P2]),
    (proj("p", status="idea"), [P1, P2]),
    (proj("p", status="cancelled"), [P1, P2]),
    (proj("p", status="idea") + proj("q", status="cancelled"), [P1, P2]),
    (proj("p", status="planned"), [P2]),
    (proj("p", status="running"), [P2]),
    (proj("p", status="completed"), [P2]),
    (proj("p", status="running", implements="[st]"), [P1, P2]),  # the strategy, not pr1
    (proj("p", status="running", implements="[pr1, pr2]"), []),
    (proj("p", status="completed", implements="[pr2]", period="{from: 1990, to: 1990}",
          areas="[haaparanta]"), [P1]),
    (proj("p", status="cancelled", implements="[pr1]") + proj("q", status="planned",
                                                             implements="[pr2]"), [P1]),
])
def test_priority_without_project(tmp_path, project_entries, gaps):
    body = SOURCED_STRATEGY
    if project_entries:
        body += "projects:\n" + project_entries
    found = run(tmp_path, body, NO_PROJECT)
    assert keys(found) == gaps


def test_priority_without_project_sources(tmp_path):
    body = SOURCED_STRATEGY + "projects:\n" + proj("p", status="idea", source="s3")
    found = run(tmp_path, body, NO_PROJECT)
    by_subject = {f["subjects"][0]: set(f["sources"]) for f in found}
    assert "s1" in by_subject["pr1"]
    assert "s2" in by_subject["pr2"]


# == gap.unmonitored ==========================================================


@pytest.mark.parametrize(("responsibilities", "fires"), [
    ("", True),
    (resp("a", "monitor", "st"), False),
    (resp("a", "monitor", "pr1"), False),  # monitored at priority level
    (resp("b", "monitor", "pr2", "haaparanta", "{from: 1990, to: 1990}"), False),
    (resp("a", "lead", "st") + resp("b", "coordinate", "pr1"), True),
    (resp("a", "fund", "st") + resp("b", "implement", "pr1") + resp("c", "participate", "st"),
     True),
    (resp("a", "monitor", "p"), True),  # monitoring a project implementing it is not enough
    (resp("a", "monitor", "n"), True),  # nor a network serving it
])
def test_unmonitored(tmp_path, responsibilities, fires):
    body = (SOURCED_STRATEGY + "projects:\n" + proj("p", implements="[st, pr1]")
            + "networks:\n" + entry(id="n", name="N", kind="working-group", for_="[st]"))
    if responsibilities:
        body += "responsibilities:\n" + responsibilities
    found = run(tmp_path, body, UNMONITORED)
    assert keys(found) == ([(("st",), "st")] if fires else [])
    for f in found:
        assert "s1" in f["sources"]


PARENT_CHILD = """\
strategies:
  - id: parent
    name: Parent
    kind: strategy
    source: s1
    priorities:
      - {id: pp, name: Parent priority}
  - id: child
    name: Child
    kind: plan
    part_of: parent
    source: s2
    priorities:
      - {id: cp, name: Child priority}
"""


@pytest.mark.parametrize("kind", ["strategy", "programme", "plan", "regional-model"])
def test_every_strategy_kind_is_checked(tmp_path, kind):
    body = ("strategies:\n"
            + entry(id="st", name="S", kind=kind, key_actors="[a, b]", source="s1")
            + "  - {id: s2x, name: T, kind: " + kind + ", priorities: [{id: q, name: Q}]}\n")
    assert triples(run(tmp_path, body)) == sorted([
        (APART, ("a", "b"), "st"), (NO_LEAD, ("q",), "s2x"), (NO_PROJECT, ("q",), "s2x"),
        (UNMONITORED, ("s2x",), "s2x"), (UNMONITORED, ("st",), "st"),
    ])


@pytest.mark.parametrize(("monitored", "unmonitored"), [
    ("", ["child", "parent"]),
    ("parent", ["child"]),
    ("pp", ["child"]),
    ("child", ["parent"]),
    ("cp", ["parent"]),
    ("[parent, child]", []),
])
def test_unmonitored_each_strategy_alone(tmp_path, monitored, unmonitored):
    body = PARENT_CHILD
    if monitored:
        targets = monitored.strip("[]").split(", ")
        body += "responsibilities:\n" + "".join(resp("a", "monitor", t) for t in targets)
    found = run(tmp_path, body, UNMONITORED)
    assert keys(found) == [((s,), s) for s in unmonitored]
    for f in found:
        assert {"parent": "s1", "child": "s2"}[f["target"]] in f["sources"]


# == gap.cross-border-one-sided ===============================================


CB_EXTRA = """\
areas:
  - {id: sapmi, name: Sápmi in Norway, kind: region, country: NO}
  - {id: sapmi-se, name: Sápmi in Sweden, kind: region, country: SE, part_of: sapmi}
  - {id: jokk, name: Jokkmokk, kind: municipality, part_of: sapmi-se}
  - {id: ylla, name: Ylläs, kind: place, country: "NO", part_of: lappi}
  - {id: nowhere, name: Nowhere, kind: place}
  - {id: tornio-haparanda, name: Tornio-Haparanda, kind: cross-border-area}
organisations:
  - {id: fi-org, name: Finnish org, kind: company, area: [kolari]}
  - {id: fi-org2, name: Finnish org two, kind: company, area: tunturi}
  - {id: se-org, name: Swedish org, kind: company, area: [norrbotten]}
  - {id: both-org, name: Twin-town org, kind: association, area: [kolari, haaparanta]}
  - {id: no-area, name: Org without area, kind: company}
  - {id: se-unit, name: Unit of the Swedish org, kind: company, part_of: se-org}
  - {id: se-rep, name: Represents Haaparanta, kind: municipality, represents: haaparanta}
"""


@pytest.mark.parametrize(("members", "fires"), [
    ("[kolari, haaparanta]", False),  # FI via fi, SE via norrbotten
    ("[tunturi, norrbotten]", False),
    ("[kolari, kittila]", True),
    ("[kolari, lappi, fi]", True),
    ("[haaparanta, norrbotten]", True),
    ("[haaparanta]", True),
    ("[both-org]", False),  # an organisation lies in every country of its areas
    ("[fi-org, fi-org2]", True),
    ("[fi-org, se-org]", False),
    ("[fi-org, haaparanta]", False),
    ("[se-org, kittila]", False),
    ("[no-area, kolari]", True),
    ("[nowhere, kolari]", True),
    ("[tornio-haparanda, haaparanta]", True),
    ("[jokk, haaparanta]", True),  # jokk's nearest ancestor with a country is SE
    ("[jokk, kolari]", False),
    ("[ylla, kolari]", False),  # ylla's own country (NO) beats its ancestor's (FI)
    ("[se-unit, kolari]", True),  # an organisation's countries come from its own areas
    ("[se-rep, kolari]", True),  # ... not from the area it represents
    ("[]", True),  # no members
    (None, True),
])
def test_cross_border_one_sided(tmp_path, members, fires):
    body = (CB_EXTRA + "networks:\n"
            + entry(id="net", name="Net", kind="cross-border-network", members=members,
                    source="s3"))
    found = run(tmp_path, body, ONE_SIDED)
    assert keys(found) == ([(("net",), "net")] if fires else [])
    for f in found:
        assert "s3" in f["sources"]


@pytest.mark.parametrize("kind", ["working-group", "coordination-group", "partnership"])
def test_cross_border_other_kinds_never_fire(tmp_path, kind):
    body = (CB_EXTRA + "networks:\n"
            + entry(id="n1", name="N1", kind=kind, members="[kolari, kittila]")
            + entry(id="n2", name="N2", kind=kind))
    assert run(tmp_path, body, ONE_SIDED) == []


def test_cross_border_several_networks(tmp_path):
    body = (CB_EXTRA + "networks:\n"
            + entry(id="good", name="Good", kind="cross-border-network",
                    members="[kolari, haaparanta]")
            + entry(id="fi-only", name="FI only", kind="cross-border-network",
                    members="[kolari, fi-org]", source="s4")
            + entry(id="se-only", name="SE only", kind="cross-border-network",
                    members="[se-org]", source="s5"))
    found = run(tmp_path, body, ONE_SIDED)
    assert keys(found) == [(("fi-only",), "fi-only"), (("se-only",), "se-only")]


# == sources of gaps: never empty when the examined facts have sources ==========


def test_gap_sources_come_from_examined_facts(tmp_path):
    # nothing that a finding names has a source; the facts examined do
    body = (STRATEGY.replace("    kind: strategy\n",
                             "    kind: strategy\n    key_actors: [a, b]\n")
            + "projects:\n" + proj("p", status="idea", implements="[pr1, pr2]", source="s3",
                                   administrator="a")
            + "networks:\n" + entry(id="n", name="N", kind="working-group",
                                     members="[b, x]", source="s4")
            + entry(id="cb", name="CB", kind="cross-border-network", members="[o]")
            + "organisations:\n" + entry(id="o", name="O", kind="company", area="kolari",
                                          source="s6")
            + "responsibilities:\n" + resp("c", "lead", "st", source="s5"))
    found = run(tmp_path, body)
    assert triples(found) == sorted([
        (APART, ("a", "b"), "st"),
        (NO_LEAD, ("pr1",), "st"), (NO_LEAD, ("pr2",), "st"),
        (NO_PROJECT, ("pr1",), "st"), (NO_PROJECT, ("pr2",), "st"),
        (UNMONITORED, ("st",), "st"),
        (ONE_SIDED, ("cb",), "cb"),
    ])
    by = {(f["check"], f["subjects"][0]): set(f["sources"]) for f in found}
    assert by[(APART, "a")]  # a's project (s3) and b's network (s4) were examined
    assert "s3" in by[(NO_PROJECT, "pr1")]  # the idea project was examined
    assert "s5" in by[(UNMONITORED, "st")]  # the responsibilities were examined
    assert "s6" in by[(ONE_SIDED, "cb")]  # the member organisation was examined


def test_priority_source_is_its_strategys_when_it_has_none(tmp_path):
    body = ("strategies:\n  - id: st\n    name: St\n    kind: strategy\n"
            "    source: [s1, s2]\n    priorities:\n      - {id: pr1, name: P1}\n"
            "      - {id: pr2, name: P2, source: s3}\n")
    for check in (NO_LEAD, NO_PROJECT):
        found = {f["subjects"][0]: set(f["sources"]) for f in run(tmp_path / check, body, check)}
        assert {"s1", "s2"} <= found["pr1"]
        assert "s3" in found["pr2"]


# == a clean dataset ==========================================================


CLEAN = """\
strategies:
  - id: st
    name: Strategy
    kind: strategy
    area: lappi
    period: {from: 2008, to: 2013}
    key_actors: [a, b, c]
    source: s1
    priorities:
      - {id: pr1, name: Priority one}
      - {id: pr2, name: Priority two, source: s2}
  - id: sub
    name: Sub-plan
    kind: plan
    part_of: st
    key_actors: [a]
    source: s1
    priorities:
      - {id: sp1, name: Sub priority}
projects:
  - {id: p1, name: P1, status: running, administrator: a, partners: [b],
     areas: [kolari], period: {from: 2008, to: 2010}, implements: [pr1], source: s3}
  - {id: p2, name: P2, status: completed, administrator: c, areas: [kittila],
     period: {from: 2008, to: 2009}, implements: [pr1, sp1], source: s3}
  - {id: p3, name: P3, status: planned, administrator: c, areas: [haaparanta],
     implements: [pr2], source: s3}
  - {id: p4, name: P4, status: cancelled, administrator: x, areas: [kolari],
     implements: [pr1, pr2], source: s3}
  - {id: p5, name: P5, status: idea, areas: [kolari], period: {from: 2020},
     implements: [pr1], source: s3}
networks:
  - {id: kotisatama, name: Kotisatama, kind: cross-border-network,
     members: [kolari, haaparanta, c], source: s4}
  - {id: wg, name: Working group, kind: working-group, members: [b, c], convener: a}
events:
  - {id: e, name: Seminar, organiser: x, participants: [a, c], date: {from: 2009-05-01}}
responsibilities:
  - {actor: a, role: lead, for: st, area: kolari, period: {from: 2008, to: 2013}, source: s5}
  - {actor: b, role: lead, for: st, area: kittila, period: {from: 2008, to: 2013}, source: s5}
  - {actor: c, role: monitor, for: pr2, source: s5}
  - {actor: a, role: monitor, for: sub, period: {from: 2008, to: 2008}, source: s5}
  - {actor: b, role: monitor, for: sub, period: {from: 2009, to: 2009}, source: s5}
  - {actor: a, role: lead, for: pr1, source: s5}
  - {actor: b, role: coordinate, for: pr2, source: s5}
  - {actor: c, role: lead, for: sp1, source: s5}
  - {actor: a, role: fund, for: pr1, source: s5}
  - {actor: b, role: fund, for: pr1, source: s5}
  - {actor: c, role: fund, for: pr1, source: s5}
"""


def test_clean_dataset_has_no_findings(tmp_path):
    assert run(tmp_path, CLEAN) == []


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_clean_dataset_each_check_silent(tmp_path, check):
    assert run(tmp_path, CLEAN, check) == []


# == the command line =========================================================


@pytest.fixture()
def cli():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


# one finding of each check
EVERY_CHECK = """\
strategies:
  - id: st
    name: Strategy
    kind: strategy
    key_actors: [a, b]
    source: s1
    priorities:
      - {id: pr1, name: Priority one}
projects:
  - {id: p1, name: P1, status: idea, implements: [st], source: s2}
  - {id: p2, name: P2, status: idea, implements: [st], source: s3}
networks:
  - {id: net, name: Net, kind: cross-border-network, members: [kolari], source: s4}
responsibilities:
  - {actor: c, role: lead, for: st, source: s5}
  - {actor: d, role: lead, for: st, source: s6}
"""

EVERY_EXPECTED = sorted([
    (OVERLAP_RESP, ("c", "d"), "st"),
    (OVERLAP_PROJ, ("p1", "p2"), "st"),
    (APART, ("a", "b"), "st"),
    (NO_LEAD, ("pr1",), "st"),
    (NO_PROJECT, ("pr1",), "st"),
    (UNMONITORED, ("st",), "st"),
    (ONE_SIDED, ("net",), "net"),
])


def triples(findings):
    return sorted((f["check"], tuple(f["subjects"]), f["target"]) for f in findings)


def test_every_check_fires_once(tmp_path):
    assert triples(run(tmp_path, EVERY_CHECK)) == EVERY_EXPECTED


def test_json_shape_and_exit_zero_with_findings(tmp_path, cli):
    folder = make(tmp_path, EVERY_CHECK)
    result = cli("check", folder, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"dataset", "findings", "statements"}
    assert data["dataset"] == "t"
    assert isinstance(data["findings"], list) and data["statements"] == []
    for f in data["findings"]:
        assert set(f) == {"check", "subjects", "target", "explanation", "sources", "basis",
                          "statements"}
        assert f["basis"] in ("recorded", "unrecorded") and f["statements"] == []
        assert isinstance(f["check"], str) and isinstance(f["target"], str)
        assert isinstance(f["explanation"], str) and f["explanation"]
        assert isinstance(f["subjects"], list) and all(isinstance(s, str) for s in f["subjects"])
        assert f["subjects"] == sorted(f["subjects"])
        assert isinstance(f["sources"], list) and all(isinstance(s, str) for s in f["sources"])
    assert triples(data["findings"]) == EVERY_EXPECTED
    counts = Counter(json.dumps(f, sort_keys=True) for f in data["findings"])
    assert max(counts.values()) == 1
    by_check = {f["check"]: f for f in data["findings"]}
    assert sorted(by_check[OVERLAP_RESP]["sources"]) == ["s5", "s6"]
    assert sorted(by_check[OVERLAP_PROJ]["sources"]) == ["s2", "s3"]
    for name in (APART, NO_LEAD, NO_PROJECT, UNMONITORED):
        assert "s1" in by_check[name]["sources"], name
    assert "s4" in by_check[ONE_SIDED]["sources"]


def test_json_matches_the_python_api(tmp_path, cli):
    folder = make(tmp_path, EVERY_CHECK)
    data = json.loads(cli("check", folder, "--format", "json").stdout)
    api = [f.to_dict() for f in Dataset.open(folder).check()]
    key = lambda f: json.dumps(f, sort_keys=True)  # noqa: E731
    assert sorted(data["findings"], key=key) == sorted(api, key=key)


def test_json_clean_dataset(tmp_path, cli):
    folder = make(tmp_path, CLEAN)
    result = cli("check", folder, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"dataset": "t", "findings": [], "statements": []}


def test_strict_exit_codes(tmp_path, cli):
    dirty = make(tmp_path, EVERY_CHECK, "dirty")
    clean = make(tmp_path, CLEAN, "clean")
    result = cli("check", dirty, "--format", "json", "--strict")
    assert result.exit_code == 3
    assert len(json.loads(result.stdout)["findings"]) == len(EVERY_EXPECTED)
    result = cli("check", clean, "--format", "json", "--strict")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["findings"] == []
    # --strict where the selected check finds nothing, though another would
    one_sided = make(tmp_path, CLEAN, "one-sided")
    (one_sided / "more.yaml").write_text(
        "networks:\n" + entry(id="one", name="One", kind="cross-border-network"), "utf-8")
    assert cli("check", one_sided, "--format", "json", "--strict").exit_code == 3
    result = cli("check", one_sided, "--format", "json", "--strict", "--only", APART)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["findings"] == []


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_strict_in_every_format(tmp_path, cli, fmt):
    assert cli("check", make(tmp_path, EVERY_CHECK, "dirty"), "--format", fmt,
               "--strict").exit_code == 3
    assert cli("check", make(tmp_path, EVERY_CHECK, "dirty2"), "--format", fmt).exit_code == 0
    assert cli("check", make(tmp_path, CLEAN, "clean"), "--format", fmt,
               "--strict").exit_code == 0


@pytest.mark.parametrize("fmt", ["json", "table", "markdown", "html"])
def test_invalid_dataset_exit_one_nothing_on_stdout(tmp_path, cli, fmt):
    body = EVERY_CHECK + resp("a", "lead", "no-such-target")
    folder = make(tmp_path, body)
    result = cli("check", folder, "--format", fmt)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "case.yaml:" in result.stderr
    assert "no-such-target" in result.stderr
    for strict in (cli("check", folder, "--format", fmt, "--strict"),):
        assert strict.exit_code == 1 and strict.stdout == ""


def test_check_prints_errors_as_validate_does(tmp_path, cli):
    folder = make(tmp_path, CLEAN + resp("zz", "lead", "nope") + "  - {actor: a}\n")
    checked = cli("check", folder, "--format", "json")
    validated = cli("validate", folder)
    assert checked.exit_code == validated.exit_code == 1
    assert checked.stdout == ""
    assert checked.stderr == validated.stderr
    assert len([line for line in checked.stderr.splitlines() if "case.yaml:" in line]) >= 3


def test_validate_exit_codes(tmp_path, cli):
    assert cli("validate", make(tmp_path, CLEAN, "ok")).exit_code == 0
    bad = cli("validate", make(tmp_path, CLEAN + resp("a", "lead", "nope"), "bad"))
    assert bad.exit_code == 1
    assert any(line.split(":")[1].isdigit() for line in bad.stderr.splitlines()
               if "case.yaml" in line)


def test_only(tmp_path, cli):
    folder = make(tmp_path, EVERY_CHECK)
    result = cli("check", folder, "--format", "json", "--only", UNMONITORED)
    assert result.exit_code == 0
    assert triples(json.loads(result.stdout)["findings"]) == [(UNMONITORED, ("st",), "st")]
    result = cli("check", folder, "--format", "json", "--only", ONE_SIDED, "--only", NO_LEAD)
    assert triples(json.loads(result.stdout)["findings"]) == sorted(
        [(ONE_SIDED, ("net",), "net"), (NO_LEAD, ("pr1",), "st")])
    api = Dataset.open(folder).check(only=[OVERLAP_PROJ])
    assert triples([f.to_dict() for f in api]) == [(OVERLAP_PROJ, ("p1", "p2"), "st")]


def test_skip(tmp_path, cli):
    folder = make(tmp_path, EVERY_CHECK)
    result = cli("check", folder, "--format", "json", "--skip", UNMONITORED,
                 "--skip", OVERLAP_RESP)
    assert result.exit_code == 0
    expected = [t for t in EVERY_EXPECTED if t[0] not in (UNMONITORED, OVERLAP_RESP)]
    assert triples(json.loads(result.stdout)["findings"]) == expected
    api = Dataset.open(folder).check(skip=[APART])
    assert triples([f.to_dict() for f in api]) == [t for t in EVERY_EXPECTED if t[0] != APART]


def test_cross_border_country_is_the_nearest_ancestors_when_an_area_has_two_parents(tmp_path):
    # w lies directly in fi (FI) and, two links up, in se (SE): its country is FI only
    (tmp_path / "a.yaml").write_text("""format: 1
dataset: {id: t, title: T, lang: fi}
areas:
  - {id: fi, name: Suomi, kind: country, country: FI}
  - {id: se, name: Sverige, kind: country, country: SE}
  - {id: mid, name: Mid, kind: region, part_of: se}
  - {id: w, name: W, kind: cross-border-area, part_of: [fi, mid]}
  - {id: v, name: V, kind: cross-border-area, part_of: [fi, se]}
networks:
  - {id: n1, name: N1, kind: cross-border-network, members: [w]}
  - {id: n2, name: N2, kind: cross-border-network, members: [v]}
""", "utf-8")
    found = [f.to_dict() for f in Dataset.open(tmp_path).check(only=["gap.cross-border-one-sided"])]
    # v's two parents are equally near and lie in two countries: n2 is two-sided
    assert [(f["subjects"], f["target"]) for f in found] == [(["n1"], "n1")]
    assert "only FI" in found[0]["explanation"]
