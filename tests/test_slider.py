"""The maps' year slider (graph.present.maps.years_held): at every year it offers, a map
page shows exactly the nodes and edges that `regiograph map --as-of YEAR` draws for the
same view (sets of node ids and of (source, target, kind) edges), on the seed and on
generated data; in a real headless Chromium the slider and the Play button move through
the years with the nodes in place, on the vis-network page and on the sigma.js page, and
hostile names stay text.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from graph.dataset import Dataset
from graph.loader.asof import facts_as_of, outside_key, undated
from graph.present import maps
from tests.conftest import SEED, write_dataset
from tests.test_maps import blocks, hostile_yaml

EGO = "lapin-liitto"
#: the views with a slider, with the arguments each needs on the seed
SEED_VIEWS = {
    "actors": {},
    "ego": {"id": EGO, "depth": 2},
    "strategy": {"id": "amo-2008-programme"},
    "cross-border": {},
}
#: where the browser test keeps its screenshots when asked (one per year), to look at
SHOTS = os.environ.get("REGIOGRAPH_SLIDER_SHOTS")


def _args(view: str, opts: dict) -> list[str]:
    args = ["--view", view]
    if "id" in opts:
        args += ["--id", opts["id"]]
    if "depth" in opts:
        args += ["--depth", str(opts["depth"])]
    return args


def as_of_map(dataset, view: str, opts: dict, year: int, out: Path):
    """(node ids, edges (source, target, kind)) that `regiograph map --as-of YEAR`
    draws; an --id missing from that year's facts is no map at all (exit 2)."""
    path = out / f"{view}-{year}.html"
    result = CliRunner().invoke(main, ["map", str(dataset), *_args(view, opts),
                                       "--as-of", str(year), "-o", str(path)])
    if result.exit_code == 2 and opts.get("id") and repr(opts["id"]) in result.output:
        return set(), set()
    assert result.exit_code == 0, result.output
    data = blocks(path.read_text("utf-8"))
    return ({n["id"] for n in data["map-nodes"]},
            {(e["from"], e["to"], e["kind"]) for e in data["map-edges"]})


def _held(item: dict, year: int) -> bool:
    return any(a <= year <= b for a, b in item["held"])


def slider_at(data: dict, year: int):
    """What the page shows at ``year`` by its data: the nodes held then, and the edges
    held then between two of them (as the page's shownEdges computes it)."""
    nodes = {n["id"] for n in data["map-nodes"] if _held(n, year)}
    edges = {(e["from"], e["to"], e["kind"]) for e in data["map-edges"]
             if _held(e, year) and e["from"] in nodes and e["to"] in nodes}
    return nodes, edges


@pytest.fixture(scope="module")
def seed():
    return Dataset.open(SEED)


@pytest.fixture(scope="module")
def seed_pages(seed, tmp_path_factory):
    folder = tmp_path_factory.mktemp("slider")
    return {view: seed.map(view, **opts).save(folder / f"{view}.html")
            for view, opts in SEED_VIEWS.items()}


@pytest.fixture(scope="module")
def as_of_seed(tmp_path_factory):
    """view -> year -> what map --as-of YEAR draws, for every year the slider offers."""
    out = tmp_path_factory.mktemp("as-of")
    cache: dict = {}

    def get(view: str, year: int):
        if (view, year) not in cache:
            cache[view, year] = as_of_map(SEED, view, SEED_VIEWS[view], year, out)
        return cache[view, year]
    return get


# --------------------------------------------------------------------------- the data


@pytest.mark.parametrize("view", SEED_VIEWS)
def test_every_year_of_the_slider_is_the_as_of_map(seed_pages, as_of_seed, view):
    data = blocks(seed_pages[view].read_text("utf-8"))
    slider = data["map-meta"]["slider"]
    assert slider["years"] == list(range(2007, 2024))  # the seed's years, as the timeline's
    assert len(slider["trust"]) == len(slider["years"])
    differ = 0
    for year in slider["years"]:
        assert slider_at(data, year) == as_of_seed(view, year), (view, year)
        differ += len(slider_at(data, year)[1]) != len(data["map-edges"])
    # the seed's four cross-border ties hold in every year
    assert differ or view == "cross-border", "every year is all years: nothing to see"


def test_as_of_2008_and_2023_on_the_seed(seed_pages):
    """The issue's story: as of 2008 the S3 facts are absent, as of 2023 AMO's."""
    data = blocks(seed_pages["ego"].read_text("utf-8"))
    y2008, y2023 = slider_at(data, 2008)[0], slider_at(data, 2023)[0]
    s3 = {n["id"] for n in data["map-nodes"] if "s3" in n["id"]}
    amo = {n["id"] for n in data["map-nodes"] if n["id"].startswith("amo-2008-")}
    assert s3 and amo
    assert not s3 & y2008 and amo <= y2008
    assert s3 <= y2023 and not amo & y2023
    assert "amo-2008" in y2023  # the project, recorded from 2008 with no end, still holds
    strategy = blocks(seed_pages["strategy"].read_text("utf-8"))
    assert slider_at(strategy, 2008)[0] and not slider_at(strategy, 2023)[0]
    trust = strategy["map-meta"]["slider"]["trust"]
    assert "is not in the facts of 2023" in trust[-1]


def test_the_trust_line_is_the_as_of_rule_s(seed):
    doc, _ = seed.document()
    data = blocks(seed.map("ego", id=EGO, depth=2).html)
    slider = data["map-meta"]["slider"]
    for year, line in zip(slider["years"], slider["trust"], strict=True):
        result = facts_as_of(doc, str(year))
        assert line.startswith(f"{result.trusted} fact(s) without a period"), (year, line)
    assert slider["undated"].startswith(f"{sum(undated(doc).values())} fact(s) without")


def test_nodes_say_when_they_are_shown(seed_pages):
    data = blocks(seed_pages["actors"].read_text("utf-8"))
    tips = [n["tip"][2] for n in data["map-nodes"]]
    assert all(t.startswith("shown in: ") for t in tips)
    assert any("\u2013" in t for t in tips)


def test_findings_and_overview_and_as_of_maps_have_no_slider(seed, tmp_path):
    for view, opts in (("findings", {}), ("overview", {"group": "area"})):
        meta = blocks(seed.map(view, **opts).html)["map-meta"]
        assert "slider" not in meta, view
    path = tmp_path / "asof.html"
    result = CliRunner().invoke(main, ["map", str(SEED), "--as-of", "2008", "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert "slider" not in blocks(path.read_text("utf-8"))["map-meta"]


def test_a_dataset_above_the_limit_says_why(seed, monkeypatch):
    monkeypatch.setattr(maps, "SLIDER_LIMIT", 100)
    data = blocks(seed.map("actors").html)
    assert "at most 100 triples" in data["map-meta"]["slider"]["why"]
    assert "held" not in data["map-nodes"][0]


def test_years_with_the_same_facts_are_projected_once(seed):
    doc, _ = seed.document()
    keys = {outside_key(doc, str(y)) for y in range(2007, 2024)}
    assert 1 < len(keys) < 17


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "s"
    result = CliRunner().invoke(main, ["synth", "--triples", "4000", "-o", str(out),
                                       "--seed", "3"])
    assert result.exit_code == 0, result.output
    return out


def test_every_year_is_the_as_of_map_on_generated_data(synth, tmp_path):
    ds = Dataset.open(synth)
    G = ds.to_networkx()
    centre = max((n for n in G if G.nodes[n]["kind"] == "organisation"), key=G.degree)
    for view, opts in (("actors", {}), ("ego", {"id": centre, "depth": 2})):
        data = blocks(ds.map(view, **opts).html)
        years = data["map-meta"]["slider"]["years"]
        assert len(years) > 5
        changed = 0
        for year in years:
            expected = as_of_map(synth, view, opts, year, tmp_path)
            assert slider_at(data, year) == expected, (view, year)
            changed += expected[0] != {n["id"] for n in data["map-nodes"]}
        assert changed


# --------------------------------------------------------------------------- the browser




CLEAN = {"console": [], "requests": [], "dialogs": []}


def move_slider(browser, at: int) -> None:
    """Put the slider at position ``at`` as a person does: the value, then an input event."""
    browser.js(f"""(() => {{ const s = document.getElementById('year');
        s.value = '{at}'; s.dispatchEvent(new Event('input')); }})()""")


def shown(browser):
    nodes = set(browser.js("window.mapView.shown()"))
    edges = {tuple(e) for e in browser.js("window.mapView.shownEdges()")}
    return nodes, edges


def test_browser_slider_shows_each_year_s_as_of_map(browser, seed_pages, as_of_seed,
                                                    tmp_path):
    url = browser.open(seed_pages["ego"])
    assert not browser.js("document.getElementById('time-wrap').hidden")
    years = blocks(seed_pages["ego"].read_text("utf-8"))["map-meta"]["slider"]["years"]
    assert browser.js("document.getElementById('year').max") == str(len(years))
    assert browser.js("document.getElementById('year-shown').textContent") == "all years"
    everything = shown(browser)
    where = browser.js("network.getPositions()")
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    for at, year in enumerate(years):
        move_slider(browser, at)
        assert browser.js("document.getElementById('year-shown').textContent") == str(year)
        assert shown(browser) == as_of_seed("ego", year), year
        legend = browser.js("document.querySelector('#legend .year-note').textContent")
        assert f"as of {year}" in legend and "without a period taken on trust" in legend
        now = browser.js("network.getPositions()")  # of the nodes shown: where they were
        assert now and all(now[n] == where[n] for n in now), year
        (shots / f"ego-{EGO}-{year}.png").write_bytes(browser.screenshot())
    move_slider(browser, len(years))
    assert shown(browser) == everything
    assert "all years" in browser.js("document.querySelector('#legend .year-note').textContent")
    assert browser.problems(url) == CLEAN


def test_browser_play_steps_through_the_years_and_reset_shows_all(browser, seed_pages):
    url = browser.open(seed_pages["ego"])
    browser.js("document.getElementById('play').click()")
    assert browser.js("document.getElementById('year-shown').textContent") == "2007"
    browser.wait("document.getElementById('year-shown').textContent === '2008'")
    browser.js("document.getElementById('play').click()")  # pause
    assert "Play" in browser.js("document.getElementById('play').textContent")
    assert browser.js("window.mapView.shown().length") < browser.js("network.body.data."
                                                                     "nodes.length")
    browser.js("document.getElementById('reset').click()")
    assert browser.js("document.getElementById('year-shown').textContent") == "all years"
    assert browser.js("window.mapView.shown().length") == browser.js(
        "network.body.data.nodes.length")
    assert browser.problems(url) == CLEAN


def test_browser_slider_works_on_the_sigma_page(browser, seed, as_of_seed, monkeypatch,
                                                tmp_path):
    monkeypatch.setattr(maps, "VIS_MAX", 5)  # the seed's actors drawn as a large map is
    path = seed.map("actors").save(tmp_path / "sigma.html")
    data = blocks(path.read_text("utf-8"))
    assert data["map-meta"]["renderer"] == "sigma"
    url = browser.open(path)
    for at, year in enumerate(data["map-meta"]["slider"]["years"]):
        move_slider(browser, at)
        assert shown(browser) == as_of_seed("actors", year), year
    assert browser.problems(url) == CLEAN


def test_browser_hostile_names_stay_text_through_the_years(browser, tmp_path):
    folder = write_dataset(tmp_path / "evil", {"evil.yaml": hostile_yaml()})
    ds = Dataset.open(folder)
    for view, opts in (("actors", {}), ("ego", {"id": "p", "depth": 1})):
        path = ds.map(view, **opts).save(tmp_path / f"{view}.html")
        data = blocks(path.read_text("utf-8"))
        years = data["map-meta"]["slider"]["years"]
        url = browser.open(path)
        for at in range(len(years) + 1):
            move_slider(browser, at)
            browser.js("window.mapFocus('p')")
        details = browser.js("document.getElementById('details').textContent")
        assert "<img src=x onerror=" in details
        assert browser.problems(url) == CLEAN
        assert browser.js("typeof window.__pwned") == "undefined"
        assert browser.js("document.querySelectorAll('img, a, iframe').length") == 0
