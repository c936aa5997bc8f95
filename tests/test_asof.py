"""The facts as of a date (issue 18): only facts whose period holds the date count, facts
without a period count and are counted (taken on trust), what depends on a fact left
out goes with it, and the checks of CHECKS.md run unchanged on what is kept."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import graph
from cli import main
from graph.export import to_yaml
from graph.loader.asof import TIMED, AsOfError, as_of_span, facts_as_of, holds
from graph.synth import write as synth_write
from tests.conftest import SEED


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def seed():
    return graph.load(SEED)


def ids(doc, section):
    return {e["id"] for e in doc[section]}


def resp(doc):
    return {(r["actor"], r["role"], r["for"]) for r in doc["responsibilities"]}


def test_as_of_2008_the_s3_facts_are_absent(seed):
    doc = seed.as_of("2008")[1].facts
    # the S3 implementation plans (2023), the coordination group (2023) and its role,
    # the S3 events: gone
    assert "lapland-s3-implementation-plans" not in ids(doc, "strategies")
    assert "s3-koordinaatioryhma" not in ids(doc, "networks")
    assert not any(e["id"].startswith("s3-") for e in doc["events"])
    assert not {r for r in resp(doc) if "s3" in r[0] or "s3" in r[2]}
    # the S3 strategy itself: the article gives it no period, so it is taken on trust
    assert "lapland-s3" in ids(doc, "strategies")
    # the AMO programme of 2008 is there, with its priorities and its 2008 events
    assert "amo-2008-programme" in ids(doc, "strategies")
    assert ("mc-info", "implement", "amo-2008-labour-need") in resp(doc)
    assert "amo-2008-esittely-rovaniemi" in ids(doc, "events")


def test_as_of_2023_the_amo_facts_are_absent(seed):
    result = seed.as_of("2023")[1]
    doc = result.facts
    assert "amo-2008-programme" not in ids(doc, "strategies")
    assert not any(e["id"].startswith("amo-") for e in doc["events"])
    priorities = {p["id"] for s in doc["strategies"] for p in s.get("priorities", ())}
    assert not {p for p in priorities if p.startswith("amo-2008-")}
    # a responsibility for a priority of the programme is gone too
    assert ("mc-info", "implement", "amo-2008-labour-need") not in resp(doc)
    assert sum(result.depending.values()) >= 1  # statements about what went, and such
    # the AMO project: the slides give it a start (2008) and no end, so it still holds;
    # what it implemented of the 2008 programme is left out of it
    amo = next(p for p in doc["projects"] if p["id"] == "amo-2008")
    assert amo["period"] == {"from": "2008"}
    assert not [i for i in amo.get("implements", []) if i.startswith("amo-2008-")]
    # the S3 facts are here
    assert ("s3-koordinaatioryhma", "monitor", "lapland-s3") in resp(doc)


def test_every_fact_kept_holds_the_date_and_trust_is_counted(seed):
    canonical = {"dataset": seed.facts.dataset, **seed.facts.sections}
    for date in ("2007", "2008-11", "2008-11-06", "2013", "2023-09", "2030"):
        result = facts_as_of(canonical, date)
        span = as_of_span(date)
        trusted = 0
        for section, key in TIMED.items():
            for entry in result.facts[section]:
                assert holds(entry.get(key), span) in (True, None), (date, entry)
                trusted += entry.get(key) is None
            kept = len(result.facts[section])
            left = result.outside.get(section, 0) + result.depending.get(section, 0)
            assert kept + left == len(canonical[section]), (date, section)
        for owner, name in (("people", "posts"), ("projects", "activities")):
            trusted += sum(1 for e in result.facts[owner] for i in e.get(name, ())
                           if i.get("period") is None)
        assert result.trusted == trusted, date


@pytest.mark.parametrize("date", ["2008", "2023"])
def test_the_facts_as_of_a_date_are_a_valid_dataset_with_the_same_findings(seed, date,
                                                                          tmp_path):
    """Written as YAML and read by the loader (every reference resolved, every rule
    held), the filtered facts give exactly the findings of `check --as-of`."""
    filtered, result = seed.as_of(date)
    folder = tmp_path / date
    folder.mkdir()
    (folder / "facts.yaml").write_text(to_yaml(result.facts), "utf-8")
    reread = graph.load(folder)

    def keys(ds):
        return sorted((f.check, tuple(sorted(f.subjects)), f.target, f.basis)
                      for f in ds.check())
    assert keys(reread) == keys(filtered)
    cli = json.loads(run("check", SEED, "--as-of", date, "--format", "json").stdout)
    assert sorted((f["check"], tuple(sorted(f["subjects"])), f["target"], f["basis"])
                  for f in cli["findings"]) == keys(filtered)
    assert cli["as_of"] == date and cli["on_trust"] == result.on_trust


def test_a_built_store_as_of_a_date_is_the_facts_folder_as_of_it(seed, tmp_path):
    assert run("build", SEED, "-o", tmp_path).exit_code == 0
    store = graph.load(tmp_path / "lapland.store")
    for date in ("2008", "2023"):
        a, ra = seed.as_of(date)
        b, rb = store.as_of(date)
        assert ra.to_dict() == rb.to_dict()
        assert sorted(f.to_dict()["target"] for f in a.check()) == \
            sorted(f.to_dict()["target"] for f in b.check())


def test_generated_data_as_of_a_date(tmp_path):
    synth_write(tmp_path, 3000, seed=3)
    ds = graph.load(tmp_path)
    canonical = {"dataset": ds.facts.dataset, **ds.facts.sections}
    years = sorted({int(e["period"][k][:4]) for s in ("projects", "responsibilities")
                    for e in canonical[s] if e.get("period") for k in e["period"]})
    middle = str(years[len(years) // 2])
    filtered, result = ds.as_of(middle)
    assert sum(result.outside.values()) > 0  # a year in the middle leaves some out
    folder = tmp_path / "asof"
    folder.mkdir()
    (folder / "facts.yaml").write_text(to_yaml(result.facts), "utf-8")
    graph.load(folder)  # valid: nothing refers to what was left out
    assert len(filtered.check()) <= len(ds.check()) + sum(result.outside.values())


def test_the_cli(tmp_path):
    table = run("check", SEED, "--as-of", "2008")
    assert table.exit_code == 0
    assert table.stdout.startswith("as of 2008: ") and "taken on trust" in table.stdout
    html = run("check", SEED, "--as-of", "2008", "--format", "html").stdout
    assert '<p class="as-of">as of 2008: ' in html
    bad = run("check", SEED, "--as-of", "2008-13")
    assert bad.exit_code == 2 and "is not a date" in bad.output
    out = tmp_path / "m.html"
    drawn = run("map", SEED, "--as-of", "2023", "-o", out)
    assert drawn.exit_code == 0 and "as of 2023:" in drawn.stdout and out.is_file()
    assert "as of 2023: " in out.read_text("utf-8")  # the page's subtitle says so too
    picture = tmp_path / "m.svg"
    assert run("map", SEED, "--as-of", "2008", "--view", "ego", "--id", "lapin-liitto",
               "-o", picture).exit_code == 0
    assert "as of 2008: " in picture.read_text("utf-8")
    with pytest.raises(AsOfError):
        as_of_span("last year")


def test_the_report_as_of_a_date_says_so(tmp_path):
    out = tmp_path / "r.html"
    done = run("report", SEED, "--as-of", "2008", "-o", out)
    assert done.exit_code == 0, done.output
    page, text = out.read_text("utf-8"), out.with_suffix(".md").read_text("utf-8")
    assert '<p class="as-of">as of 2008: ' in page and "taken on trust" in page
    assert text.splitlines()[2].startswith("*as of 2008: ")
    # the findings of the report are those of check --as-of
    checked = json.loads(run("check", SEED, "--as-of", "2008", "--format", "json").stdout)
    assert f"{len(checked['findings'])} finding(s)" in done.stdout
    # without --as-of the report says nothing of a date
    plain = tmp_path / "p.html"
    assert run("report", SEED, "-o", plain).exit_code == 0
    assert '<p class="as-of">' not in plain.read_text("utf-8")


def test_a_named_query_as_of_a_date(tmp_path):
    def targets(*args):
        done = run("query", *args, "--name", "responsibilities", "--param",
                   "actor=lapin-liitto", "--format", "json")
        assert done.exit_code == 0, done.output
        rows = json.loads(done.stdout)["results"]["bindings"]
        return sorted(r["target"]["value"].rsplit("/", 1)[-1] for r in rows), done.stderr
    assert run("build", SEED, "-o", tmp_path).exit_code == 0
    for dataset in (SEED, tmp_path / "lapland.store"):
        then, said = targets(dataset, "--as-of", "2008")
        now, _ = targets(dataset, "--as-of", "2023")
        assert then == ["amo-2008"] and said.startswith("as of 2008: ")
        assert now == ["amo-2008", "lapland-s3-implementation-plans"]
    endpoint = run("query", "--endpoint", "http://127.0.0.1:9/q", "--as-of", "2008",
                   "ASK { ?s ?p ?o }")
    assert endpoint.exit_code == 2 and "--as-of" in endpoint.output


def test_a_map_of_an_id_that_is_not_there_then_says_why(tmp_path):
    """--id of an entity of the dataset that the date leaves out: said so, with its
    period, not "no entity with id"; an id of nothing is still "no entity"."""
    run = CliRunner().invoke
    out = tmp_path / "m.html"
    result = run(main, ["map", str(SEED), "--view", "ego", "--id",
                        "lapland-s3-implementation-plans", "--as-of", "2008", "-o", str(out)])
    assert result.exit_code == 2 and not out.exists()
    assert ("'lapland-s3-implementation-plans' is in the dataset but not as of 2008: its "
            "period is 2023-03–") in result.output
    result = run(main, ["map", str(SEED), "--view", "ego", "--id", "nosuch", "--as-of", "2008",
                        "-o", str(out)])
    assert result.exit_code == 2 and "no entity with id 'nosuch'" in result.output
    result = run(main, ["map", str(SEED), "--view", "ego", "--id",
                        "lapland-s3-implementation-plans", "--as-of", "2023", "-o", str(out)])
    assert result.exit_code == 0, result.output
