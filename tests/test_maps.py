"""Interactive maps (graph.present.maps): every view on the seed data, escaping of hostile names,
notes and ids, the node limit, and the pages in a real headless Chromium (no console
errors, no network requests, a drawn network, search, no script from the data runs).

The browser is Debian's /usr/bin/chromium driven over the Chrome DevTools Protocol
(websocket-client); `make test` installs it. Without it the browser tests fail.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from cli import main
from graph.dataset import Dataset
from graph.present.maps import (
    BASIS_COLORS,
    MAX_NODES,
    VIEWS,
    MapError,
    MapTooLarge,
    json_for_script,
    render,
)
from tests.conftest import SEED, write_dataset

CHROMIUM = os.environ.get("REGIOGRAPH_CHROMIUM", "/usr/bin/chromium")
EGO = "lapin-liitto"
#: the seed's one stated finding: gap.unmonitored, a quote of kotisatama-2007
STATED = "aluekeskusohjelma-kemi-tornio"
STATED_QUOTE = ("konkreettinen roolien, vastuiden ja työnjaon suunnittelu sekä seuranta "
                "ei toteudu")
#: the three bases of a finding as the legend and the basis filter name them
BASIS_TEXT = {"stated": "stated by a source", "unrecorded": "not recorded",
              "recorded": "recorded overlap"}
STRATEGY = "amo-2008-programme"
#: every argument set a view needs on the seed dataset
SEED_VIEWS = {
    "actors": {},
    "strategy": {"id": STRATEGY},
    "ego": {"id": EGO, "depth": 2},
    "cross-border": {},
    "findings": {},
    "overview": {"group": "area"},
}

PAYLOAD = ("</script><script>window.__pwned=1;alert(1)</script>"
           "<img src=x onerror=\"window.__pwned=2;alert(2)\">"
           "<a href=\"javascript:window.__pwned=3\">link</a> \"quotes\" 'single' &amp; href")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def seed():
    return Dataset.open(SEED)


def hostile_yaml() -> str:
    """A valid dataset whose every name, title and note carries PAYLOAD."""
    p = json.dumps  # a JSON string is a YAML 1.2 double-quoted scalar
    return f"""format: 1
dataset:
  id: evil
  title: {p("Evil " + PAYLOAD)}
  lang: en
sources:
  - {{id: s1, title: {p("Source " + PAYLOAD)}, url: "javascript:window.__pwned=4"}}
areas:
  - {{id: fi, name: {p("Finland " + PAYLOAD)}, kind: country, country: FI}}
  - {{id: se, name: {p("Sweden " + PAYLOAD)}, kind: country, country: SE}}
organisations:
  - {{id: a, name: {p("Alpha " + PAYLOAD)}, kind: company, area: fi, note: {p(PAYLOAD)},
     source: s1}}
  - {{id: b, name: {p("Beta " + PAYLOAD)}, kind: company, area: fi}}
  - {{id: c, name: {p("Gamma " + PAYLOAD)}, kind: company, area: se}}
people:
  - id: p
    name: {p("Person " + PAYLOAD)}
    note: {p(PAYLOAD)}
    posts:
      - {{organisation: a, title: {p(PAYLOAD)}, period: {{from: 2008}}}}
strategies:
  - id: st
    name: {p("Strategy " + PAYLOAD)}
    kind: strategy
    key_actors: [a, b]
    priorities:
      - {{id: pr1, name: {p("Priority " + PAYLOAD)}}}
projects:
  - id: pj
    name: {p("Project " + PAYLOAD)}
    status: running
    administrator: a
    partners: [c]
    implements: [pr1]
    funding: {{total: 1000, currency: EUR, sources: [{{funders: [c], amount: 1000}}]}}
responsibilities:
  - {{actor: a, role: lead, for: st}}
  - {{actor: b, role: lead, for: st}}
networks:
  - {{id: net, name: {p("Network " + PAYLOAD)}, kind: cross-border-network, members: [a, c],
     note: {p(PAYLOAD)}}}
statements:
  - {{about: [a, b], says: gap.key-actors-apart, quote: {p("Apart " + PAYLOAD)}, source: s1}}
  - {{about: [st], says: gap.unmonitored, quote: {p("Unmonitored " + PAYLOAD)}, source: s1}}
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evil") / "evil"
    return Dataset.open(write_dataset(folder, {"evil.yaml": hostile_yaml()}))


def hostile_graph() -> nx.MultiDiGraph:
    """A projection-like graph whose ids, labels, kinds and edge kinds are payloads."""
    G = nx.MultiDiGraph()
    ids = [f"{PAYLOAD}-{i}\u2028\u2029" for i in range(4)]
    for i, n in enumerate(ids):
        G.add_node(n, kind=["organisation", "person", f"<b>{PAYLOAD}</b>", "network"][i],
                   label=f"Node{i} {PAYLOAD}", countries=[["FI"], ["SE"], [], [PAYLOAD]][i],
                   names={"en": f"Node{i} {PAYLOAD}", PAYLOAD: "x"})
    G.add_edge(ids[0], ids[1], kind="post", title=PAYLOAD, sources=[PAYLOAD], **{"from": "2008"})
    G.add_edge(ids[1], ids[2], kind=PAYLOAD, sources=[])
    G.add_edge(ids[2], ids[3], kind="member", role=PAYLOAD)
    return G


class Attributes(HTMLParser):
    """Every tag and attribute of a page (script and style bodies are not parsed)."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(page: str) -> list[tuple[str, dict]]:
    parser = Attributes()
    parser.feed(page)
    return parser.tags


def blocks(page: str) -> dict:
    """The JSON data blocks of a page, parsed."""
    found = re.findall(r'<script type="application/json" id="(map-[a-z]+)">(.*?)</script>',
                       page, flags=re.S)
    return {name: json.loads(text) for name, text in found}


def assert_inert(page: str) -> None:
    """The page's only elements are its own: six scripts (vis, four JSON blocks, the
    page's code), no element or attribute coming from the data."""
    found = tags(page)
    assert [t for t, _ in found].count("script") == 6
    assert not [t for t, _ in found if t in ("img", "a", "iframe", "object", "embed")]
    for tag, attrs in found:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for value in attrs.values():
            assert "javascript:" not in (value or ""), (tag, attrs)
    for text in ("<script>window.__pwned", "<img src=x", '<a href="javascript'):
        assert text not in page


# --------------------------------------------------------------------------- unit tests


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_renders_the_seed(seed, view):
    page = seed.map(view, **SEED_VIEWS[view])
    data = blocks(page.html)
    assert set(data) == {"map-nodes", "map-edges", "map-options", "map-meta"}
    assert page.nodes == len(data["map-nodes"]) > 0
    assert page.edges == len(data["map-edges"])
    ids = {n["id"] for n in data["map-nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in data["map-edges"])
    assert all(n["tip"][0] and n["label"] for n in data["map-nodes"])
    assert page.html.startswith("<!DOCTYPE html>") and "vis.Network" in page.html


def test_views_hold_what_they_promise(seed):
    G = seed.to_networkx()
    actors = {n["id"]: n for n in blocks(seed.map("actors").html)["map-nodes"]}
    people = {n for n, d in G.nodes(data=True) if d["kind"] in ("organisation", "person")}
    assert people <= set(actors)
    for hub in set(actors) - people:  # the tables where at least two actors meet
        assert actors[hub]["kind"] in ("network", "project", "event")
        assert len(people & set(nx.all_neighbors(G, hub))) >= 2
    assert "amo-2008" in actors and "ohjelmajohtajatapaaminen-2007" not in actors
    strategy = {n["id"]: n for n in blocks(seed.map("strategy", id=STRATEGY).html)["map-nodes"]}
    assert {"amo-2008-labour-need", "amo-2008", "leader-kylakulttuuria"} <= set(strategy)
    assert "lapland-s3" not in strategy
    cross = blocks(seed.map("cross-border").html)
    assert {"kotisatama", "haaparanta"} <= {n["id"] for n in cross["map-nodes"]}
    assert len({n["countryKey"] for n in cross["map-nodes"]} - {"none", "several"}) >= 2
    flagged = blocks(seed.map("findings").html)["map-nodes"]
    subjects = {s for f in seed.check() for s in f.subjects}
    assert subjects <= {n["id"] for n in flagged}
    assert all(n["checks"] for n in flagged if n["id"] in subjects)


def test_findings_view_draws_overlaps_red_and_gap_pairs_dashed(hostile):
    edges = blocks(hostile.map("findings").html)["map-edges"]
    overlap = [e for e in edges if e["kind"] == "overlap"]
    gap = [e for e in edges if e["kind"] == "gap"]
    assert [(e["from"], e["to"]) for e in overlap] == [("a", "b")]
    assert overlap[0]["color"] == "#d62728" and overlap[0]["width"] > 2
    assert [(e["from"], e["to"]) for e in gap] == [("a", "b")] and gap[0]["dashes"]


def test_stated_findings_are_marked_apart_from_unrecorded_ones(seed):
    data = blocks(seed.map("findings").html)
    nodes = {n["id"]: n for n in data["map-nodes"]}
    stated = nodes[STATED]
    assert stated["bases"] == ["stated"] and stated["basis"] == "stated"
    assert stated["color"]["border"] == BASIS_COLORS["stated"]
    assert stated["shapeProperties"]["borderDashes"] is False and stated["shadow"]["enabled"]
    tip = stated["tip"]
    assert "• gap.unmonitored — stated by a source" in tip
    quote = [line for line in tip if STATED_QUOTE in line]
    assert quote == [f"  \u201c{STATED_QUOTE}\u201d"]  # its source is named just above
    assert any("[kotisatama-2007] says so" in line for line in tip)
    others = [n for n in nodes.values() if n["checks"] and n["id"] != STATED]
    assert others and all(n["bases"] == ["unrecorded"] and n["basis"] == "unrecorded" and
                          n["shapeProperties"]["borderDashes"] and "shadow" not in n and
                          not any("stated by a source" in line for line in n["tip"])
                          for n in others)
    assert all("— not recorded" in "\n".join(n["tip"]) for n in others)
    # the legend names all three bases in words, with how many nodes rest on each
    bases = data["map-meta"]["bases"]
    assert [(b["key"], b["text"]) for b in bases] == list(BASIS_TEXT.items())
    assert {b["key"]: b["count"] for b in bases} == {
        "stated": 1, "unrecorded": len(others), "recorded": 0}
    # the stated finding is marked on every view that shows it
    ego = {n["id"]: n for n in blocks(seed.map("ego", id=STATED).html)["map-nodes"]}
    assert ego[STATED]["bases"] == ["stated"] and STATED_QUOTE in "".join(ego[STATED]["tip"])
    assert blocks(seed.map("ego", id=STATED).html)["map-meta"]["bases"][0]["count"] == 1


def test_findings_of_every_basis_on_one_node_and_edge(hostile):
    data = blocks(hostile.map("findings").html)
    nodes = {n["id"]: n for n in data["map-nodes"]}
    # an overlap (recorded) and a stated gap: the red border stays, the halo marks stated
    assert nodes["a"]["bases"] == ["stated", "recorded"] and nodes["a"]["basis"] == "stated"
    assert nodes["a"]["color"]["border"] == BASIS_COLORS["recorded"] and nodes["a"]["shadow"]
    assert nodes["pr1"]["bases"] == ["unrecorded"]
    assert nodes["st"]["bases"] == ["stated"]
    assert f"  \u201cUnmonitored {PAYLOAD}\u201d" in nodes["st"]["tip"]
    assert {b["key"]: b["count"] for b in data["map-meta"]["bases"]} == {
        b: sum(b in n["bases"] for n in nodes.values()) for b in BASIS_TEXT}
    gap = next(e for e in data["map-edges"] if e["kind"] == "gap")
    assert gap["basis"] == "stated" and gap["color"] == BASIS_COLORS["stated"]
    assert "gap.key-actors-apart — stated by a source" in gap["tip"]
    assert any(line.startswith(f"\u201cApart {PAYLOAD}\u201d") for line in gap["tip"])
    overlap = next(e for e in data["map-edges"] if e["kind"] == "overlap")
    assert "overlap.responsibility — recorded overlap" in overlap["tip"]


RENDER_ALL = """
import sys
from graph.dataset import Dataset
from tests.test_maps import SEED, SEED_VIEWS
ds = Dataset.open(SEED)
for view, opts in SEED_VIEWS.items():
    for color in ("kind", "country"):
        ds.map(view, color=color, **opts).save(f"{sys.argv[1]}/{view}-{color}.html")
"""


def test_pages_are_byte_identical_across_hash_seeds(tmp_path):
    # string hashing is salted per process: sets of ids iterate in another order
    root = Path(__file__).resolve().parent.parent
    for seed_value in ("1", "2"):
        out = tmp_path / seed_value
        out.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed_value}
        subprocess.run([sys.executable, "-c", RENDER_ALL, str(out)], cwd=root, env=env,
                       check=True, timeout=300)
    first = sorted(p.name for p in (tmp_path / "1").iterdir())
    assert len(first) == 2 * len(SEED_VIEWS)
    for name in first:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), \
            name


@pytest.mark.parametrize("depth", [0, 1, 2, 3])
def test_ego_depth_is_the_undirected_neighbourhood(seed, depth):
    G = seed.to_networkx()
    expected = set(nx.single_source_shortest_path_length(G.to_undirected(), EGO, depth))
    nodes = blocks(seed.map("ego", id=EGO, depth=depth).html)["map-nodes"]
    assert {n["id"] for n in nodes} == expected
    assert all(n["hops"] <= depth for n in nodes)
    if depth == 0:
        assert [n["id"] for n in nodes] == [EGO]


def test_lang_picks_names_with_fallback(seed):
    names = {lang: {n["id"]: n["name"] for n in blocks(seed.map("ego", id="haaparanta",
                                                                lang=lang).html)["map-nodes"]}
             for lang in ("fi", "sv")}
    assert names["fi"]["haaparanta"] == "Haaparanta"
    assert names["sv"]["haaparanta"] == "Haparanda"
    # a node without a Swedish name falls back rather than showing its id
    assert names["sv"]["kotisatama"] == names["fi"]["kotisatama"] != "kotisatama"


def test_tooltips_hold_roles_periods_money_and_sources(seed, hostile):
    nodes = {n["id"]: n for n in blocks(seed.map("actors", lang="en").html)["map-nodes"]}
    tip = "\n".join(nodes["jukka-kujala"]["tip"])
    assert "development manager at" in tip and "(2007–)" in tip
    assert "Sources:" in tip and "kotisatama-2007" in tip
    funder = "\n".join(nodes["lapin-liitto"]["tip"])
    assert "60\u202f900 EUR" in funder and "Funding given" in funder
    evil = {n["id"]: n for n in blocks(hostile.map("actors").html)["map-nodes"]}
    assert f"Note: {PAYLOAD}" in evil["p"]["tip"]
    assert "title" not in evil["p"]  # tooltips are built as text in the page, never HTML


def test_size_by_funding_and_colour_by_country(seed):
    nodes = blocks(seed.map("actors", size="funding", color="country").html)
    by_id = {n["id"]: n for n in nodes["map-nodes"]}
    assert by_id["tem"]["value"] > 0 and by_id["paula-heikkila"]["value"] == 0
    assert nodes["map-meta"]["color"] == "country"
    assert by_id["lapin-liitto"]["colorCountry"] != by_id["lappia"]["colorCountry"]


def test_no_remote_resource_and_no_bootstrap(seed):
    page = seed.map("actors").html
    for tag, attrs in tags(page):
        for name in ("src", "href", "action", "data"):
            value = attrs.get(name) or ""
            assert not re.match(r"\s*(https?:)?//", value), (tag, attrs)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page)
    assert "@import" not in page
    for word in ("bootstrap", "tom-select", "cdnjs", "jsdelivr", "unpkg"):
        assert word not in page.lower()


def test_hostile_dataset_is_escaped_in_every_view(hostile):
    options = {"strategy": {"id": "st"}, "ego": {"id": "a", "depth": 3}}
    for view in VIEWS:
        page = hostile.map(view, **options.get(view, {})).html
        assert_inert(page)
        heading = re.search(r"<h1 id=\"heading\">(.*?)</h1>", page, flags=re.S).group(1)
        assert "&lt;script&gt;" in heading and "<" not in heading
        title = re.search(r"<title>(.*?)</title>", page, flags=re.S).group(1)
        assert "<" not in title
        data = blocks(page)  # the payload survives as data, byte for byte
        texts = json.dumps(data, ensure_ascii=False)
        assert PAYLOAD.replace('"', '\\"') in texts


def test_hostile_ids_and_kinds_are_escaped():
    page = render(hostile_graph(), title=PAYLOAD, subtitle=PAYLOAD).html
    assert_inert(page)
    data = blocks(page)
    assert {n["id"] for n in data["map-nodes"]} == set(hostile_graph())
    assert "\u2028" not in page and "\u2029" not in page


def test_json_for_script_escapes_what_could_end_the_block():
    text = json_for_script({"x": "</script><!-- & \u2028\u2029 -->"})
    assert not set(text) & set("<>&\u2028\u2029")
    assert json.loads(text) == {"x": "</script><!-- & \u2028\u2029 -->"}


def test_more_than_max_nodes_is_refused():
    G = nx.MultiDiGraph()
    G.add_nodes_from((i, {"kind": "organisation"}) for i in range(MAX_NODES + 1))
    with pytest.raises(MapTooLarge, match="narrower view"):
        render(G)
    G.remove_node(MAX_NODES)
    assert render(G).nodes == MAX_NODES


def test_bad_options_are_map_errors(seed):
    for kwargs in ({"view": "nope"}, {"view": "strategy"}, {"view": "strategy", "id": EGO},
                   {"view": "ego", "id": "no-such-id"}, {"view": "ego", "id": EGO, "depth": -1},
                   {"view": "actors", "color": "rainbow"}, {"view": "actors", "size": "x"}):
        with pytest.raises(MapError):
            seed.map(**kwargs)


def test_map_page_saves_utf8_and_shows_in_jupyter(seed, tmp_path):
    page = seed.map("ego", id="kittila", depth=1)
    path = page.save(tmp_path / "sub" / "map.html")
    assert path.read_bytes().decode("utf-8") == page.html and "Kittilä" in page.html
    frame = page._repr_html_()
    assert frame.startswith("<iframe srcdoc=\"") and frame.count("<") == 2
    assert "&lt;script" in frame


def test_cli_map_writes_every_view(tmp_path):
    runner = CliRunner()
    for view, opts in SEED_VIEWS.items():
        args = ["map", str(SEED), "-o", str(tmp_path / f"{view}.html"), "--view", view,
                "--lang", "sv", "--color", "country", "--size", "funding"]
        for name, value in opts.items():
            args += [f"--{name}", str(value)]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        assert (tmp_path / f"{view}.html").read_text("utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("args, needle", [
    (["--view", "ego", "--id", "no-such-id"], "no entity with id 'no-such-id'"),
    (["--view", "strategy"], "needs --id"),
    (["--view", "galaxy"], "Invalid value for '--view'"),
    (["--view", "ego", "--id", EGO, "--depth", "-1"], "--depth"),
])
def test_cli_map_errors_exit_2_without_traceback(tmp_path, args, needle):
    out = tmp_path / "x.html"
    result = CliRunner().invoke(main, ["map", str(SEED), "-o", str(out), *args])
    assert result.exit_code == 2, result.output
    assert needle in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_cli_map_too_many_nodes_exits_2(tmp_path):
    orgs = "".join(f"  - {{id: o{i}, name: Org {i}, kind: company}}\n"
                   for i in range(MAX_NODES + 1))
    folder = write_dataset(tmp_path / "big", {
        "d.yaml": "format: 1\ndataset: {id: big, title: Big, lang: en}\n"
                  "organisations:\n" + orgs})
    out = tmp_path / "big.html"
    result = CliRunner().invoke(main, ["map", str(folder), "-o", str(out)])
    assert result.exit_code == 2, result.output  # a usage problem: choose a narrower view
    assert "narrower view" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_export_gexf_reads_back(seed, tmp_path):
    out = tmp_path / "lapland.gexf"
    result = CliRunner().invoke(main, ["export", str(SEED), "--format", "gexf", "-o", str(out)])
    assert result.exit_code == 0, result.output
    H = nx.read_gexf(out)
    G = seed.to_networkx()
    assert H.number_of_nodes() == G.number_of_nodes()
    assert H.number_of_edges() == G.number_of_edges()
    assert H.nodes["haaparanta"]["label"] == G.nodes["haaparanta"]["label"]
    assert H.nodes["haaparanta"]["name_sv"] == "Haparanda"
    usage = CliRunner().invoke(main, ["export", str(SEED), "--format", "gexf"])
    assert usage.exit_code == 2 and "needs -o" in usage.output


# --------------------------------------------------------------------------- the browser


class Chromium:
    """Headless Chromium on 127.0.0.1 with a fresh profile, driven over CDP."""

    def __init__(self, profile: Path):
        if not (Path(CHROMIUM).exists() and os.access(CHROMIUM, os.X_OK)):
            pytest.fail(f"Chromium is missing at {CHROMIUM}: the browser tests need it. "
                        "Install Debian's package (apt-get install -y chromium) or run "
                        "`make test`, which installs it.")
        import websocket

        self.profile = profile
        (profile / "DevToolsActivePort").unlink(missing_ok=True)  # a stale one has a dead port
        self.log = open(profile.parent / "chromium.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--hide-scrollbars", "--mute-audio",
             f"--user-data-dir={profile}", "--remote-debugging-address=127.0.0.1",
             "--remote-debugging-port=0", "--window-size=1400,900", "about:blank"],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.ws = None
        try:
            port = self._port()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
                pages = [t for t in json.load(r) if t["type"] == "page"]
            self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"],
                                                  suppress_origin=True, timeout=60)
        except BaseException:
            self.close()  # never leave a browser behind
            raise
        self.next_id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=1400, height=900,
                  deviceScaleFactor=1, mobile=False)

    def _port(self) -> int:
        active = self.profile / "DevToolsActivePort"
        for _ in range(300):
            if active.exists() and active.read_text().strip():
                return int(active.read_text().split()[0])
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail(f"Chromium did not start; see {self.log.name}")

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
            self.ws = None
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self.log.close()

    def _handle(self, message: dict) -> None:
        self.events.append(message)
        if message.get("method") == "Page.javascriptDialogOpening":
            # dismiss so that the page goes on; the test then fails on the recorded event
            self.call("Page.handleJavaScriptDialog", accept=False)

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        mine = self.next_id
        self.ws.send(json.dumps({"id": mine, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == mine:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._handle(message)

    def js(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait(self, expression: str, limit: float = 120.0):
        """Poll until ``expression`` is truthy (a liveness bound, not a timing check)."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"never true: {expression}")

    def open(self, path: Path) -> str:
        self.events.clear()
        url = path.resolve().as_uri()
        self.call("Page.navigate", url=url)
        self.wait("window.__mapReady === true")
        return url

    def problems(self, url: str) -> dict:
        """Console errors, exceptions, requests to anything but the page, dialogs."""
        out: dict[str, list] = {"console": [], "requests": [], "dialogs": []}
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                out["console"].append(params["exceptionDetails"])
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                out["console"].append(params["args"])
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                out["console"].append(params["entry"]["text"])
            elif method == "Network.requestWillBeSent":
                requested = params["request"]["url"]
                if requested != url and not requested.startswith("data:"):
                    out["requests"].append(requested)
            elif method == "Page.javascriptDialogOpening":
                out["dialogs"].append(params.get("message"))
        return out

    def screenshot(self) -> bytes:
        return base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])

    def drawn_pixels(self) -> int:
        """Pixels of the network's canvas that differ from its white background."""
        from PIL import Image

        box = self.js("(() => { const r = document.querySelector('#mynetwork canvas')"
                      ".getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })()")
        image = Image.open(io.BytesIO(self.screenshot())).convert("RGB")
        grey = image.crop(tuple(int(v) for v in box)).convert("L")
        return sum(grey.histogram()[:215])

    def hover_node(self, node_id) -> None:
        at = self.js(f"""(() => {{
            const id = {json.dumps(node_id)};
            const p = network.canvasToDOM(network.getPositions([id])[id]);
            const r = document.getElementById('mynetwork').getBoundingClientRect();
            return [p.x + r.left, p.y + r.top]; }})()""")
        for dx in (0, 1):  # two moves: vis shows the tooltip on a move over the node
            self.call("Input.dispatchMouseEvent", type="mouseMoved", x=at[0] + dx, y=at[1])
        self.wait("(() => { const t = document.querySelector('div.vis-tooltip');"
                  " return t && t.style.visibility !== 'hidden' && t.textContent; })()", 10)




@pytest.fixture(scope="module")
def seed_pages(seed, tmp_path_factory):
    folder = tmp_path_factory.mktemp("maps")
    return {view: seed.map(view, **opts).save(folder / f"{view}.html")
            for view, opts in SEED_VIEWS.items()}


@pytest.mark.parametrize("view", VIEWS)
def test_browser_draws_every_view_offline_without_errors(browser, seed_pages, view):
    url = browser.open(seed_pages[view])
    assert browser.problems(url) == {"console": [], "requests": [], "dialogs": []}
    assert browser.drawn_pixels() > 2000, "the network canvas is blank"
    legend = browser.js("document.getElementById('legend').textContent")
    assert "Nodes" in legend
    nodes = browser.js("network.body.data.nodes.length")
    assert nodes == len(blocks(seed_pages[view].read_text("utf-8"))["map-nodes"])


def test_browser_legend_and_filter_name_what_findings_rest_on(browser, seed_pages):
    url = browser.open(seed_pages["findings"])
    legend = browser.js("document.getElementById('legend').textContent")
    assert all(text in legend for text in BASIS_TEXT.values())
    options = browser.js("[...document.querySelectorAll('#filter-basis option')]"
                         ".map(o => o.value + '=' + o.textContent)")
    assert options == ["=all", "stated=stated by a source", "unrecorded=not recorded"]
    browser.js("""(() => { const s = document.getElementById('filter-basis');
        s.value = 'stated'; s.dispatchEvent(new Event('change')); })()""")
    shown = browser.js("network.body.data.nodes.get({filter: n => !n.hidden}).map(n => n.id)")
    assert shown == [STATED]
    browser.hover_node(STATED)
    quote = browser.js("document.querySelector('div.vis-tooltip .tip-line.quote').textContent")
    assert quote == f"\u201c{STATED_QUOTE}\u201d"
    assert browser.problems(url) == {"console": [], "requests": [], "dialogs": []}


def test_browser_search_focuses_the_node(browser, seed_pages):
    browser.open(seed_pages["actors"])
    target = browser.js("network.body.data.nodes.get('tornionlaakson-seutukunta').name")
    browser.js("document.getElementById('search').focus()")
    browser.call("Input.insertText", text=target.upper())  # case does not matter
    for kind in ("keyDown", "keyUp"):
        browser.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter",
                     windowsVirtualKeyCode=13, nativeVirtualKeyCode=13)
    assert browser.js("network.getSelectedNodes()") == ["tornionlaakson-seutukunta"]
    # the view is centred on it
    off = browser.js("""(() => { const v = network.getViewPosition();
        const p = network.getPositions(['tornionlaakson-seutukunta'])['tornionlaakson-seutukunta'];
        return Math.hypot(v.x - p.x, v.y - p.y); })()""")
    assert off < 1
    details = browser.js("document.getElementById('details').textContent")
    assert target in details
    browser.js("document.getElementById('search').value = 'no such thing at all';"
               "window.mapFocus('no such thing at all')")
    assert browser.js("document.getElementById('status').textContent") == "no match"


def test_browser_filters_hide_nodes(browser, seed_pages):
    browser.open(seed_pages["actors"])
    browser.js("""(() => { const s = document.getElementById('filter-kind');
        s.value = 'person'; s.dispatchEvent(new Event('change')); })()""")
    shown = browser.js("network.body.data.nodes.get({filter: n => !n.hidden})"
                       ".map(n => n.kind)")
    assert shown and set(shown) == {"person"}


def run_hostile_page(browser, path: Path, node_id) -> None:
    url = browser.open(path)
    browser.hover_node(node_id)
    browser.js(f"window.mapFocus({json.dumps(node_id)})")
    tip = browser.js("document.querySelector('div.vis-tooltip').textContent")
    assert "<img src=x onerror=" in tip  # shown as text
    assert browser.problems(url) == {"console": [], "requests": [], "dialogs": []}
    assert browser.js("typeof window.__pwned") == "undefined"
    assert browser.js("document.querySelectorAll('img, a, iframe').length") == 0
    options = browser.js("[...document.querySelectorAll('select option')]"
                         ".map(o => o.textContent).join(' ')")
    heading = browser.js("document.getElementById('heading').textContent")
    assert "<script>window.__pwned=1" in heading
    assert browser.drawn_pixels() > 500
    return options


def test_browser_hostile_dataset_runs_nothing(browser, hostile, tmp_path):
    for view, opts, node in (("actors", {}, "a"), ("findings", {}, "b"),
                             ("findings", {}, "st"), ("strategy", {"id": "st"}, "pj"),
                             ("cross-border", {}, "net"), ("ego", {"id": "p"}, "p")):
        path = hostile.map(view, **opts).save(tmp_path / f"{view}-{node}.html")
        options = run_hostile_page(browser, path, node)
        if view == "actors":
            assert "Strategy </script>" in options  # the strategy filter lists it as text
        if node == "st":  # a stated finding's quote, shown as text
            quote = browser.js("document.querySelector('#details .line.quote').textContent")
            assert quote == f"\u201cUnmonitored {PAYLOAD}\u201d"


def test_browser_hostile_ids_run_nothing(browser, tmp_path):
    G = hostile_graph()
    path = render(G, title=PAYLOAD, subtitle=PAYLOAD).save(tmp_path / "ids.html")
    options = run_hostile_page(browser, path, next(iter(G)))
    assert f"<b>{PAYLOAD}</b>" in options  # the kind filter holds the kind as text
