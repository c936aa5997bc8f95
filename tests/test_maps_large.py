"""Maps of any size (issue 17): positions computed in Python (graph.present.layout), the
WebGL renderer (sigma.js) for views too large for vis-network, in a real headless
Chromium: a 30 000-node view draws, search focuses a node, hostile names stay text.

The browser is driven as in tests/test_maps.py (its Chromium class). No timings are
asserted here: bench/maps.py measures them.
"""

from __future__ import annotations

import json
import math
import re
import shutil

import networkx as nx
import pytest

from graph.present.layout import UNIT, LayoutError, place, read_layout, write_layout
from graph.present.maps import VIS_MAX, render
from tests.test_maps import PAYLOAD, assert_inert, blocks

KINDS = ("organisation", "person", "project", "network")


def generated(n: int, hostile_every: int = 0) -> nx.MultiDiGraph:
    """A scale-free projection-like graph of ``n`` nodes (ids n0, n1, …); every
    ``hostile_every``-th node's name carries PAYLOAD."""
    B = nx.barabasi_albert_graph(n, 1, seed=1)
    G = nx.MultiDiGraph()
    for i in B:
        name = f"Node {i}" + (f" {PAYLOAD}" if hostile_every and i % hostile_every == 0 else "")
        G.add_node(f"n{i}", kind=KINDS[i % 4], label=name, countries=["FI", "SE"][i % 2:][:1])
    for u, v in B.edges():
        G.add_edge(f"n{u}", f"n{v}", kind="member")
    return G


def test_positions_are_computed_for_every_node_and_the_same_every_time():
    G = generated(400)
    first = place(G)
    assert set(first) == set(G) and first == place(G)
    data = blocks(render(G).html)
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float)
               for n in data["map-nodes"])
    assert data["map-options"]["physics"] == {"enabled": False}
    assert {(n["id"], n["x"], n["y"]) for n in data["map-nodes"]} == {
        (k, *first[k]) for k in first}


def test_given_positions_are_used_as_they_are():
    G = generated(50)
    where = {n: (float(i), float(-i)) for i, n in enumerate(G)}
    nodes = blocks(render(G, positions=where).html)["map-nodes"]
    assert {n["id"]: (n["x"], n["y"]) for n in nodes} == where


def test_a_large_view_is_drawn_with_sigma_and_stays_inert():
    small, large = render(generated(VIS_MAX)), render(generated(VIS_MAX + 1, 97))
    assert blocks(small.html)["map-meta"]["renderer"] == "vis"
    assert blocks(large.html)["map-meta"]["renderer"] == "sigma"
    assert "new Sigma(" in large.html and "graphology" in large.html
    assert_inert(large.html)
    assert not re.search(r"<script[^>]*\bsrc=", large.html)




def test_browser_draws_30000_nodes_searches_and_runs_nothing(browser, tmp_path):
    G = generated(30_000, hostile_every=7)
    page = render(G, title=PAYLOAD, subtitle="30 000 generated nodes")
    path = page.save(tmp_path / "large.html")
    url = browser.open(path)
    assert browser.js("mapView.renderer") == "sigma"
    assert browser.js("sigmaRenderer.getGraph().order") == 30_000
    assert browser.problems(url) == {"console": [], "requests": [], "dialogs": []}
    assert browser.drawn_pixels() > 20_000, "the network canvas is blank"
    assert "organisation" in browser.js("document.getElementById('legend').textContent")
    # search: by name, whatever the case; the view is centred on the node found
    browser.js("document.getElementById('search').focus()")
    browser.call("Input.insertText", text="NODE 12345")
    for kind in ("keyDown", "keyUp"):
        browser.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter",
                     windowsVirtualKeyCode=13, nativeVirtualKeyCode=13)
    assert browser.js("mapView.selected()") == ["n12345"]
    assert browser.js("mapView.centreOffset('n12345')") < 1
    assert "Node 12345" in browser.js("document.getElementById('details').textContent")
    # a click finds the node under the mouse in what the WebGL programs drew for picking
    browser.js("(async () => { const f = () => new Promise(r => requestAnimationFrame(r));"
               " await f(); await f(); })()")
    at = browser.js("""(() => { const r = sigmaRenderer, d = r.getNodeDisplayData('n12345');
        const p = r.framedGraphToViewport({x: d.x, y: d.y});
        const box = document.getElementById('mynetwork').getBoundingClientRect();
        return [p.x + box.left, p.y + box.top]; })()""")
    browser.js("document.getElementById('details').textContent = ''")
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        browser.call("Input.dispatchMouseEvent", type=kind, x=at[0], y=at[1], button="left",
                     clickCount=1)
    browser.wait("document.getElementById('details').textContent.includes('Node 12345')", 20)
    # a hostile name is shown as text: in the details, the tooltip, the heading
    hostile = "n7"
    browser.js(f"window.mapFocus({json.dumps(hostile)})")
    browser.js("sigmaRenderer.emit('enterNode', {node: 'n7'})")
    tip = browser.js("document.querySelector('.map-tooltip').textContent")
    assert "<img src=x onerror=" in tip
    assert "<img src=x onerror=" in browser.js("document.getElementById('details').textContent")
    assert "<script>window.__pwned=1" in browser.js(
        "document.querySelector('.map-ring-label').textContent")  # the ring names it
    assert "<script>window.__pwned=1" in browser.js(
        "document.getElementById('heading').textContent")
    assert browser.js("typeof window.__pwned") == "undefined"
    assert browser.js("document.querySelectorAll('img, a, iframe').length") == 0
    # filters hide nodes in the WebGL view too
    browser.js("""(() => { const s = document.getElementById('filter-kind');
        s.value = 'person'; s.dispatchEvent(new Event('change')); })()""")
    shown = browser.js("mapView.shown()")
    assert len(shown) == 7500 and all(int(i[1:]) % 4 == 1 for i in shown)
    assert browser.problems(url) == {"console": [], "requests": [], "dialogs": []}


# --------------------------------------------------------------------------- kept layouts


def test_a_kept_layout_keeps_old_nodes_and_places_new_ones_near_their_neighbours():
    last_year = generated(2000)
    kept = place(last_year)
    this_year = last_year.copy()
    for i in range(40):  # new actors, each tied to an old one
        this_year.add_edge(f"new{i}", f"n{i * 37}", kind="member")
    this_year.add_edge("alone-a", "alone-b", kind="member")  # tied to nothing old
    now = place(this_year, kept)
    assert set(now) == set(this_year)
    assert all(now[n] == kept[n] for n in last_year)
    spread = [math.dist(now[f"new{i}"], now[f"n{i * 37}"]) / UNIT for i in range(40)]
    assert max(spread) < 2.5, spread
    assert now == place(this_year, kept)  # the same again


def test_layout_files_round_trip_and_bad_ones_are_named(tmp_path):
    path = tmp_path / "layout.csv"
    write_layout(path, {"b": (1.5, -2.0), "a": (0, 3)})
    assert path.read_text("utf-8") == "id,x,y\na,0,3\nb,1.5,-2\n"
    assert read_layout(path) == {"a": (0.0, 3.0), "b": (1.5, -2.0)}
    write_layout(path, {"a": (0, 3), "b": (1.5, -2.0), "c": (9, 9)}, kept=["b", "a"])
    assert path.read_text("utf-8").splitlines() == ["id,x,y", "b,1.5,-2", "a,0,3", "c,9,9"]
    for text, needle in (("x,y,z\n", "line 1"), ("id,x,y\na,1,zz\n", "line 2"),
                         ("id,x,y\na,1,nan\n", "not a finite number")):
        path.write_text(text, "utf-8")
        with pytest.raises(LayoutError, match=needle):
            read_layout(path)


NEW_ORG = """format: 1
organisations:
  - {id: uusi-yhdistys, name: Uusi yhdistys, kind: association}
networks:
  - {id: uusi-verkosto, name: Uusi verkosto, kind: partnership,
     members: [uusi-yhdistys, lapin-liitto]}
"""


def test_the_same_actor_is_drawn_in_the_same_place_next_year(tmp_path):
    """map --layout on last year's facts writes the file; this year's facts (one new
    organisation and network) keep every old position and add the new ones."""
    from click.testing import CliRunner

    from cli import main
    from tests.conftest import SEED

    last, now = tmp_path / "2024", tmp_path / "2025"
    shutil.copytree(SEED, last)
    shutil.copytree(SEED, now)
    (now / "uusi.yaml").write_text(NEW_ORG, "utf-8")
    layout = tmp_path / "layout.csv"
    runner = CliRunner()
    first = runner.invoke(main, ["map", str(last), "-o", str(tmp_path / "a.html"),
                                 "--layout", str(layout)])
    assert first.exit_code == 0, first.output
    kept = read_layout(layout)
    drawn = {n["id"]: (n["x"], n["y"])
             for n in blocks((tmp_path / "a.html").read_text("utf-8"))["map-nodes"]}
    assert drawn == kept
    second = runner.invoke(main, ["map", str(now), "-o", str(tmp_path / "b.html"),
                                  "--layout", str(layout)])
    assert second.exit_code == 0, second.output
    later = {n["id"]: (n["x"], n["y"])
             for n in blocks((tmp_path / "b.html").read_text("utf-8"))["map-nodes"]}
    assert {k: later[k] for k in kept} == kept
    assert {"uusi-yhdistys", "uusi-verkosto"} <= set(later) <= set(read_layout(layout))
    assert math.dist(later["uusi-verkosto"], later["lapin-liitto"]) < 3 * UNIT
    # the dataset's own layout.csv is used when no --layout is given, and not changed
    shutil.copy(layout, now / "layout.csv")
    before = (now / "layout.csv").read_bytes()
    third = runner.invoke(main, ["map", str(now), "-o", str(tmp_path / "c.html")])
    assert third.exit_code == 0, third.output
    assert blocks((tmp_path / "c.html").read_text("utf-8"))["map-nodes"] == blocks(
        (tmp_path / "b.html").read_text("utf-8"))["map-nodes"]
    assert (now / "layout.csv").read_bytes() == before
    bad = tmp_path / "bad.csv"
    bad.write_text("id,x,y\nkemi,1,zz\n", "utf-8")
    refused = runner.invoke(main, ["map", str(now), "-o", str(tmp_path / "d.html"),
                                   "--layout", str(bad)])
    assert refused.exit_code == 2 and "bad.csv, line 2" in refused.output
    assert "Traceback" not in refused.output


# --------------------------------------------------------------------------- overview


@pytest.mark.parametrize("group", ["community", "area", "strategy"])
def test_the_overview_groups_every_actor_with_counts_and_findings(group):
    from graph.dataset import Dataset
    from tests.conftest import SEED

    ds = Dataset.open(SEED)
    data = blocks(ds.map("overview", group=group).html)
    nodes = data["map-nodes"]
    groups = [n for n in nodes if n["kind"] == "group"]
    members = [n for n in nodes if n["kind"] != "group"]
    actors = {n["id"] for n in blocks(ds.map("actors").html)["map-nodes"]}
    assert {n["id"] for n in members} == actors and groups
    assert sum(g["members"] for g in groups) == len(members)
    assert all(n["hidden"] and n["group"] in {g["id"] for g in groups} for n in members)
    assert data["map-meta"]["overview"] is True
    for g in groups:  # its tooltip counts its members by kind and their findings
        assert g["tip"][1].startswith(f"group of {g['members']}")
        assert sum(int(line.rsplit(": ", 1)[1]) for line in g["tip"]
                   if line.startswith("• ") and not line.startswith("• gap.")
                   and not line.startswith("• overlap.")) == g["members"]
    flagged = sum(int(line.rsplit(": ", 1)[1]) for g in groups for line in g["tip"]
                  if line.startswith(("• gap.", "• overlap.")))
    assert flagged == sum(len(set(f.subjects) & actors) for f in ds.check())


def test_a_too_large_actors_view_is_refused_before_the_projection(monkeypatch):
    import graph.present.maps as maps
    from graph.dataset import Dataset
    from tests.conftest import SEED

    monkeypatch.setattr(maps, "MAX_NODES", 10)
    with pytest.raises(maps.MapTooLarge, match="at least 14 nodes.*--view overview"):
        Dataset.open(SEED).map("actors")
    page = Dataset.open(SEED).map("overview")  # the overview of the same still draws
    assert all(n["kind"] == "group" for n in blocks(page.html)["map-nodes"])


def test_browser_overview_opens_a_group_on_a_click(browser, tmp_path):
    from graph.dataset import Dataset
    from tests.conftest import SEED

    path = Dataset.open(SEED).map("overview").save(tmp_path / "overview.html")
    url = browser.open(path)
    data = blocks(path.read_text("utf-8"))["map-nodes"]
    groups = [n["id"] for n in data if n["kind"] == "group"]
    assert sorted(browser.js("mapView.shown()")) == sorted(groups)
    big = max((n for n in data if n["kind"] == "group"), key=lambda n: n["members"])
    at = browser.js(f"""(() => {{
        const p = network.canvasToDOM(network.getPositions([{json.dumps(big['id'])}])
                                      [{json.dumps(big['id'])}]);
        const r = document.getElementById('mynetwork').getBoundingClientRect();
        return [p.x + r.left, p.y + r.top]; }})()""")
    for kind in ("mousePressed", "mouseReleased"):
        browser.call("Input.dispatchMouseEvent", type=kind, x=at[0], y=at[1], button="left",
                     clickCount=1)
    inside = {n["id"] for n in data if n.get("group") == big["id"]}
    browser.wait(f"mapView.shown().length === {len(groups) + len(inside)}", 20)
    assert set(browser.js("mapView.shown()")) == set(groups) | inside
    assert "1 group open" in browser.js("document.getElementById('status').textContent")
    assert big["tip"][0] in browser.js("document.getElementById('details').textContent")
    # finding a member of a closed group opens that group
    other = next(n for n in data if n.get("group") and n["group"] != big["id"])
    browser.js(f"window.mapFocus({json.dumps(other['id'])})")
    assert other["id"] in browser.js("mapView.shown()")
    assert browser.js("mapView.selected()") == [other["id"]]
    assert browser.problems(url) == {"console": [], "requests": [], "dialogs": []}


# --------------------------------------------------------------------------- pictures


def test_pictures_have_the_layout_legend_and_title_and_names_stay_text(tmp_path):
    from xml.etree import ElementTree

    from click.testing import CliRunner

    from cli import main
    from tests.conftest import SEED

    runner = CliRunner()
    for suffix in ("svg", "png"):
        out = tmp_path / f"actors.{suffix}"
        done = runner.invoke(main, ["map", str(SEED), "-o", str(out)])
        assert done.exit_code == 0 and f"Picture ({suffix.upper()})" in done.output
    svg = (tmp_path / "actors.svg").read_text("utf-8")
    texts = [t.text or "" for t in ElementTree.fromstring(svg).iter(
        "{http://www.w3.org/2000/svg}text")]
    assert any(t.endswith(": actors and their ties") for t in texts)  # the title
    assert "Lapin liitto" in texts and "organisation (10)" in texts  # a name, the legend
    assert (tmp_path / "actors.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = runner.invoke(main, ["map", str(SEED), "-o", str(tmp_path / "again.svg")])
    assert again.exit_code == 0
    assert (tmp_path / "again.svg").read_bytes() == (tmp_path / "actors.svg").read_bytes()
    # hostile names, a "$" that matplotlib would read as mathematics: text, escaped
    G = generated(30)
    G.nodes["n1"]["label"] = "A $5 & $10 <img src=x onerror=alert(1)>"
    picture = render(G, title=PAYLOAD, format="svg").data.decode("utf-8")
    assert "<img" not in picture and "<script>" not in picture
    assert "A $5 &amp; $10 &lt;img src=x" in picture
    root = ElementTree.fromstring(picture)
    assert not [e for e in root.iter() if e.tag.endswith(("script", "foreignObject"))]
