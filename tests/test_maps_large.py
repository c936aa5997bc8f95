"""Maps of any size (issue 17): positions computed in Python (graph.present.layout), the
WebGL renderer (sigma.js) for views too large for vis-network, in a real headless
Chromium: a 30 000-node view draws, search focuses a node, hostile names stay text.

The browser is driven as in tests/test_maps.py (its Chromium class). No timings are
asserted here: bench/maps.py measures them.
"""

from __future__ import annotations

import json
import re

import networkx as nx
import pytest

from graph.present.layout import place
from graph.present.maps import VIS_MAX, render
from tests.test_maps import PAYLOAD, Chromium, assert_inert, blocks

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


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    home = tmp_path_factory.mktemp("chromium-large")
    chrome = Chromium(home / "profile")
    yield chrome
    chrome.close()


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
    # a hostile name is shown as text: in the details, the tooltip, the heading
    hostile = "n7"
    browser.js(f"window.mapFocus({json.dumps(hostile)})")
    browser.js("sigmaRenderer.emit('enterNode', {node: 'n7'})")
    tip = browser.js("document.querySelector('.map-tooltip').textContent")
    assert "<img src=x onerror=" in tip
    assert "<img src=x onerror=" in browser.js("document.getElementById('details').textContent")
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
