"""Interactive network maps: one self-contained HTML page per view of the graph.

A map is a vis-network drawing built with pyvis and shipped in a single file that a
planner opens offline: vis-network's JavaScript and CSS (the copies bundled inside the
pyvis package) are inlined, no other host is named, nothing is fetched.

Views (:data:`VIEWS`): ``actors`` (organisations and people, their posts, and the
networks, projects and events that seat two or more of them), ``strategy`` (one
strategy, its priorities, projects, responsible and key actors), ``ego`` (one
entity's neighbourhood to ``depth`` steps), ``cross-border`` (ties between actors of
different countries), ``findings`` (what the checks flagged: overlaps as red edges,
gap pairs as dashed edges). On every view a flagged node is drawn by what its findings
rest on (CHECKS.md "Basis", :data:`BASIS_WORDS`): a red border for a recorded overlap, a
dashed one for what is only not recorded, a purple border and halo for what a source
states; its tooltip quotes the source, and the page filters by basis. The actors,
strategy, ego and cross-border pages carry a year slider (:func:`years_held`): at each
year the page shows what ``regiograph map --as-of YEAR`` draws (docs/time.md).

Node and edge order follow the projection's, never a set's, so that the same data give
the same bytes in every run (see :func:`_induced`).

Why pyvis is fed by hand: ``Network.from_nx`` and ``add_edges`` on an undirected
network compare every edge with every earlier one (4–5 s at 15 000 edges); filling
``Network.nodes`` / ``Network.edges`` directly takes milliseconds. pyvis's template
links bootstrap from a CDN even with ``cdn_resources="in_line"``, writes its heading,
select menu and (when any tooltip holds "href") tooltips as raw HTML, and writes files
in the system encoding; so the page template is our own (``graph/present/assets/map.html.j2``,
with the page's ``map.css`` and ``map.js``, all inlined into the page), rendered by pyvis's
``generate_html`` with autoescaping, and data reach the page only as JSON inside
``<script type="application/json">`` (``<``, ``>``, ``&``, U+2028/9 escaped), read with
``JSON.parse`` and shown with ``textContent``.

Example::

    from graph.dataset import Dataset
    page = Dataset.open("data/lapland").map("ego", id="lapin-liitto", depth=2, lang="en")
    page.save("out/lapin-liitto.html")
"""

from __future__ import annotations

import html
import json
import math
import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jinja2
import networkx as nx

from ..base.files import write_atomic
from ..model.names import pick
from ..model.schema import ACTORS
from ..network.analyses import SEATED
from . import assets
from .layout import UNIT, LayoutError, place, read_layout, write_layout

VIEWS = ("actors", "strategy", "ego", "cross-border", "findings", "overview")
#: how the overview groups the actors view's nodes
GROUPS = ("area", "strategy", "community")
#: the kind of an overview's group node
GROUP_KIND = "group"
COLOR_MODES = ("kind", "country")
SIZE_MODES = ("degree", "funding")
#: the most nodes a map draws; a larger view is refused: draw the overview or a narrower
#: view (30 000 generated nodes draw their first frame in 5.3 s in software WebGL,
#: bench/maps.py; twice that is allowed but was not measured)
MAX_NODES = 60000
#: above this many nodes the drawing switches to its cheap settings (straight edges,
#: labels only when zoomed in)
LARGE = 300
#: above this many nodes the page draws with sigma.js (WebGL) instead of vis-network
VIS_MAX = 3000
#: the views whose pages carry a year slider (:func:`years_held`). Not the findings view:
#: a year's findings are that year's checks' (a gap while a tie had not yet begun is a
#: finding of those years only, absent from the map of all years), so its map of a year
#: is not a part of the map of all years; not the overview, whose groups are made of all
#: years' actors
SLIDER_VIEWS = ("actors", "strategy", "ego", "cross-border")
#: the year slider is worked out for datasets of at most this many triples: each year is
#: projected apart, as ``map --as-of YEAR`` does it, ~0.5 s a year at 100 000 triples
#: (a 30-year synth of 99 475 triples: the ego map 1.9-2.9 -> 15.6-17.7 s, the actors
#: map 3.1-5.3 -> 18.4-19.4 s; at 198 278 triples ~+30 s, so not there)
SLIDER_LIMIT = 100_000
#: the layout file kept with a dataset's facts (see graph.present.layout)
LAYOUT_FILE = "layout.csv"
#: the kinds of node that seat actors at one table
HUB_KINDS = ("network", "project", "event")

KIND_STYLE = {  # colour, vis-network shape
    "organisation": ("#4e79a7", "dot"),
    "person": ("#f28e2b", "diamond"),
    "network": ("#59a14f", "hexagon"),
    "project": ("#b07aa1", "square"),
    "strategy": ("#e0b000", "star"),
    "priority": ("#ff9da7", "triangle"),
    "event": ("#76b7b2", "triangleDown"),
    "area": ("#bab0ac", "dot"),
    "group": ("#9fb7d6", "dot"),
}
OTHER_STYLE = ("#9c755f", "dot")
COUNTRY_COLORS = {"FI": "#2f6bd3", "SE": "#f2c200", "NO": "#c8102e", "DK": "#e87722",
                  "RU": "#6a3d9a", "IS": "#17becf"}
SEVERAL_COUNTRIES = "#8e44ad"
NO_COUNTRY = "#cfcfcf"
EDGE_COLORS = {
    "post": "#f28e2b", "member": "#59a14f", "convener": "#2e7d32", "responsible": "#4e79a7",
    "administers": "#7f5ea8", "partner": "#b07aa1", "funds": "#8c564b",
    "implements": "#c27ba0", "key_actor": "#e0b000", "part_of": "#c8c8c8",
    "represents": "#bcbd22", "took_part": "#76b7b2", "organised": "#4f9a94",
    "overlap": "#d62728", "gap": "#444444",
}
OTHER_EDGE = "#999999"


def _checks_by_shape() -> tuple[frozenset[str], frozenset[str]]:
    """The overlap checks (resting on recorded facts) and the gap checks whose findings
    are a pair (drawn as an edge between the two), read from the checks' headers."""
    from ..checks import check_specs

    specs = check_specs().values()
    overlaps = frozenset(s.name for s in specs if s.basis == "recorded")
    pairs = frozenset(s.name for s in specs if s.basis != "recorded" and len(s.subjects) == 2)
    return overlaps, pairs
#: what a finding rests on (CHECKS.md "Basis"), in the order the page lists them, with
#: the words a planner reads and how a node flagged on that basis is drawn
BASIS_ORDER = ("stated", "unrecorded", "recorded")  # graph.checks.BASES, as the page lists them
BASIS_WORDS = {"stated": "stated by a source", "unrecorded": "not recorded",
               "recorded": "recorded overlap"}
BASIS_COLORS = {"stated": "#6a1b9a", "unrecorded": "#333333", "recorded": "#d62728"}
#: findings told in one node's tooltip before "… and N more"
MAX_FINDING_LINES = 8
#: tooltip lines about one node's relations before "… and N more"
MAX_ROLE_LINES = 12
LABEL_MAX = 44

class MapError(ValueError):
    """A map that cannot be drawn as asked (unknown view or id, bad option)."""


class MissingId(MapError):
    """``--id`` names nothing of the dataset (or of the dataset as of ``--as-of``)."""

    def __init__(self, message: str, ident: str, sections: tuple[str, ...] | None = None):
        super().__init__(message)
        self.ident = ident
        self.sections = sections  # where it was looked for (None: every section)


class MapTooLarge(MapError):
    """The view holds more than :data:`MAX_NODES` nodes."""


# --------------------------------------------------------------------------- the page


@dataclass
class MapPage:
    """One rendered map: ``html`` is the whole self-contained page."""

    html: str
    title: str = ""
    nodes: int = 0
    edges: int = 0

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page as UTF-8 to ``path`` atomically; returns the path."""
        return write_atomic(path, self.html)

    def _repr_html_(self) -> str:
        """The page inside an iframe (``srcdoc``, attribute-escaped) for Jupyter."""
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
                'sandbox="allow-scripts" style="width:100%;height:720px;border:0" '
                f'title="{html.escape(self.title, quote=True)}"></iframe>')


def json_for_script(value) -> str:
    """``value`` as JSON safe inside ``<script type="application/json">``: ``<``, ``>``,
    ``&`` and the line separators U+2028/U+2029 written as ``\\u`` escapes, so no text
    of the data can close the element or be read as markup. Cost: O(size).

    >>> json_for_script({"n": "</script><b>&"})
    '{"n": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# --------------------------------------------------------------------------- inline assets


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """vis-network's JavaScript and CSS as bundled in the installed pyvis package.

    Raises MapError when the files are missing. Cost: reads ~690 kB once per process.
    """
    import pyvis

    lib = Path(pyvis.__file__).resolve().parent / "templates" / "lib"
    folders = sorted(lib.glob("vis-*"), key=lambda p: [int(x) for x in p.name[4:].split(".")])
    if not folders:
        raise MapError(f"vis-network is missing from the pyvis package ({lib})")
    folder = folders[-1]
    js = (folder / "vis-network.min.js").read_text("utf-8")
    css = (folder / "vis-network.css").read_text("utf-8")
    # a literal "</script" or "</style" inside would end the inline element early
    js = js.replace("</script", "<\\/script")
    css = css.replace("</style", "<\\/style")
    return js, css


def sigma_assets() -> str:
    """sigma.js 3 and graphology, joined into one vendored file (MIT; see
    assets/sigma-graphology.LICENSE.txt). Cost: reads ~0.26 MB once per process.

    >>> "Sigma" in sigma_assets()
    True
    """
    return assets.read("sigma-graphology.min.js")


# --------------------------------------------------------------------------- views


def _undirected(G: nx.MultiDiGraph) -> nx.Graph:
    return G.to_undirected(as_view=True)


def _of_kind(G: nx.MultiDiGraph, node, kinds) -> bool:
    return G.nodes[node].get("kind") in kinds


def _shown(node, d: dict) -> str:
    """The name a map shows for ``node`` with attributes ``d``: its label, else its id."""
    return str(d.get("label") or node)


def _name(G: nx.MultiDiGraph, node) -> str:
    return _shown(node, G.nodes[node]) if node in G else str(node)


def _induced(G: nx.MultiDiGraph, keep) -> nx.MultiDiGraph:
    """The subgraph of ``G`` on the nodes in ``keep`` as a new graph (attribute dicts
    copied), nodes and edges in ``G``'s own order, without the ``seated`` edges (no
    view draws them: :func:`select_view`; removing them afterwards took 0.6 s of a
    profiled actors map at 1M triples).

    ``G.subgraph(keep)`` iterates ``keep`` itself when it is small next to ``G``, and a
    set of strings iterates in an order that changes from one run to the next (string
    hashing is salted per process), which made the pages differ between runs of the
    same data. Cost: O(|V(G)| + edges leaving the kept nodes)."""
    keep = keep if isinstance(keep, (set, frozenset, dict)) else set(keep)
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from((n, dict(d)) for n, d in G.nodes(data=True) if n in keep)
    H.add_edges_from((u, v, k, dict(d)) for u in list(H)
                     for _, v, k, d in G.out_edges(u, keys=True, data=True)
                     if v in keep and d.get("kind") != SEATED)
    return H


def actors_view(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Organisations and people, with the networks, projects and events that seat at
    least two of them (the tables where actors meet), and the relations among all these:
    posts, memberships, administration, partnership, funding, participation…

    Hubs are drawn rather than replaced by actor–actor ties: a project with nine
    partners is one node with nine spokes, not a 36-edge clique. Cost: O(|V| + |E|).
    """
    actors = {n for n in G if _of_kind(G, n, ACTORS)}
    keep = set(actors)
    for hub in G:
        if _of_kind(G, hub, HUB_KINDS) and len(_seated(G, hub) & actors) >= 2:
            keep.add(hub)
    return _induced(G, keep)


def _seated(G: nx.MultiDiGraph, table) -> set:
    """Who sits at ``table`` (CHECKS.md "at one table", the projection's seated edges)."""
    return {u for u, _, kind in G.in_edges(table, data="kind") if kind == SEATED}


def strategy_scope(G: nx.MultiDiGraph, strategy) -> set:
    """The nodes of a strategy's view: the strategy, its parts (priorities, sub-strategies),
    the projects implementing any of them, the actors responsible for any of those, its
    key actors and its projects' administrators and partners. Cost: O(degree sum)."""
    core = {strategy}
    frontier = [strategy]
    while frontier:  # parts of parts (priorities of sub-strategies)
        node = frontier.pop()
        for part, _, d in G.in_edges(node, data=True):
            if d.get("kind") == "part_of" and part not in core and \
                    _of_kind(G, part, ("priority", "strategy")):
                core.add(part)
                frontier.append(part)
    projects = {u for n in core for u, _, d in G.in_edges(n, data=True)
                if d.get("kind") == "implements"}
    scope = core | projects
    for n in list(scope):
        for u, _, d in G.in_edges(n, data=True):
            if d.get("kind") in ("responsible", "administers", "partner"):
                scope.add(u)
    for _, v, d in G.out_edges(strategy, data=True):
        if d.get("kind") == "key_actor":
            scope.add(v)
    return scope


def strategy_view(G: nx.MultiDiGraph, strategy) -> nx.MultiDiGraph:
    """One strategy and what hangs on it (see :func:`strategy_scope`)."""
    if strategy is None:
        raise MapError("--view strategy needs --id STRATEGY; strategies are: "
                       + _some(n for n in G if _of_kind(G, n, ("strategy",))))
    if strategy not in G or not _of_kind(G, strategy, ("strategy",)):
        raise MissingId(f"no strategy with id {strategy!r}; strategies are: "
                        + _some(n for n in G if _of_kind(G, n, ("strategy",))), strategy,
                        ("strategies",))
    return _induced(G, strategy_scope(G, strategy))


def ego_view(G: nx.MultiDiGraph, center, depth: int = 1) -> nx.MultiDiGraph:
    """``center`` and every node within ``depth`` steps of it (edges in either
    direction), with the edges among them. Cost: O(nodes and edges reached)."""
    if center is None:
        raise MapError("--view ego needs --id ID (an organisation, person, project…)")
    if center not in G:
        raise MissingId(f"no entity with id {center!r} in the dataset", center)
    if depth < 0:
        raise MapError(f"--depth must be 0 or more, not {depth}")
    reach = nx.single_source_shortest_path_length(_undirected(G), center, cutoff=depth)
    H = _induced(G, reach)
    for n, d in reach.items():
        H.nodes[n]["hops"] = d
    return H


def cross_border_view(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Ties that cross a border: every direct relation between two nodes of different
    countries, and every network, project or event at which entities of more than one
    country sit (CHECKS.md "at one table"), with them. Areas' containment is left out.
    Cost: O(|E|)."""
    keep: set = set()
    pairs: set = set()
    for u, v, d in G.edges(data=True):
        cu, cv = set(G.nodes[u].get("countries") or ()), set(G.nodes[v].get("countries") or ())
        # two countries between them (CHECKS.md "country"; as cross-border-ties.rq)
        if d.get("kind") != "part_of" and cu and cv and len(cu | cv) > 1:
            keep |= {u, v}
            pairs.add((u, v))
    for hub in G:
        if not _of_kind(G, hub, HUB_KINDS):
            continue
        # who sits there (areas too: municipalities join networks), by the one rule
        around = {n for n in _seated(G, hub) if G.nodes[n].get("countries")}
        if len({c for n in around for c in G.nodes[n]["countries"]}) > 1:
            keep |= {hub, *around}
            pairs.update((n, hub) for n in around)
    # in G's order, not the sets' (see _induced)
    H = nx.MultiDiGraph(**G.graph)
    H.add_nodes_from((n, G.nodes[n]) for n in G if n in keep)
    H.add_edges_from((u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True)
                     if (u, v) in pairs)
    return H


def findings_view(G: nx.MultiDiGraph, findings: Iterable) -> nx.MultiDiGraph:
    """The subjects and targets of the findings with the relations among them; a red
    ``overlap`` edge between the two subjects of an overlap, a dashed ``gap`` edge between
    two key actors that never meet. Cost: O(findings + edges among them)."""
    findings = list(findings)
    overlaps, pair_gaps = _checks_by_shape()
    keep = {n for f in findings for n in (*f.subjects, f.target)}
    H = nx.MultiDiGraph(**G.graph)
    for n in sorted(keep, key=str):
        H.add_node(n, **(G.nodes[n] if n in G else {"kind": "", "label": n}))
    for u, v, k, d in G.edges(keys=True, data=True):
        if u in keep and v in keep:
            H.add_edge(u, v, key=k, **d)
    for f in findings:
        if len(f.subjects) == 2 and f.check in overlaps | pair_gaps:
            kind = "overlap" if f.check in overlaps else "gap"
            a, b = f.subjects
            H.add_edge(a, b, kind=kind, check=f.check, about=f.target,
                       explanation=f.explain(lambda i: _name(G, i)),
                       sources=list(f.sources), directed=False, basis=basis_of(f),
                       statements=list(getattr(f, "statements", None) or ()))
    return H


def select_view(G: nx.MultiDiGraph, view: str, *, id=None, depth: int = 1,
                findings: Iterable = ()) -> nx.MultiDiGraph:
    """The subgraph of ``G`` (a projection, see graph.network.projection) that ``view`` shows,
    without the ``seated`` edges (each repeats a member, partner… edge drawn already)."""
    if view == "actors":
        H = actors_view(G)
    elif view == "strategy":
        H = strategy_view(G, id)
    elif view == "ego":
        H = ego_view(G, id, depth)
    elif view == "cross-border":
        H = cross_border_view(G)
    elif view == "findings":
        H = findings_view(G, findings)
    else:
        raise MapError(f"unknown view {view!r}; views are: {', '.join(VIEWS)}")
    seated = [(u, v, k) for u, v, k, kind in H.edges(keys=True, data="kind") if kind == SEATED]
    if seated:  # the views not made by _induced
        H.remove_edges_from(seated)
    return H


def _some(items: Iterable, limit: int = 12) -> str:
    items = sorted(map(str, items))
    if not items:
        return "(none)"
    more = f" … ({len(items) - limit} more)" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


# --------------------------------------------------------------------------- overview


def community_groups(H: nx.MultiDiGraph, seed: int = 7) -> dict:
    """node -> community: Louvain (igraph's multilevel, seeded so that the same facts
    give the same groups) on the undirected ties of ``H``; a community is named by its
    best-connected member. Cost: about O(|E| log |V|) (0.33 s at 23 669 nodes and 88 272
    ties, the actors view of a 1M-triple synth; 1.4 s the first time, igraph's import)."""
    import random

    import igraph as ig

    nodes = list(H)
    index = {n: i for i, n in enumerate(nodes)}
    pairs = {tuple(sorted((index[u], index[v]))) for u, v in H.edges() if u != v}
    g = ig.Graph(n=len(nodes), edges=sorted(pairs))
    ig.set_random_number_generator(random.Random(seed))
    try:
        membership = g.community_multilevel().membership
    finally:
        ig.set_random_number_generator(random)
    degree = g.degree()
    head: dict = {}
    for i, c in enumerate(membership):
        if c not in head or (degree[i], -i) > (degree[head[c]], -head[c]):
            head[c] = i
    return {n: f"around {_name(H, nodes[head[membership[i]]])}" for i, n in enumerate(nodes)}


def area_groups(H: nx.MultiDiGraph, areas: dict, name=None) -> dict:
    """node -> the name of its area: an organisation's or project's own (``areas``: id ->
    area ids, from the facts' ``area``), a person's through the organisation of their
    first post, a network's or event's by the most common area of who sits there.
    ``name``: area id -> its name (default: its label in ``H``)."""
    name = name or (lambda a: _name(H, a))
    out = {}
    for n in H:
        own = areas.get(n) or []
        if not own and H.nodes[n].get("kind") == "person":
            for _, org, kind in H.out_edges(n, data="kind"):
                if kind == "post" and areas.get(org):
                    own = areas[org]
                    break
        if not own:
            around = Counter(a for m in nx.all_neighbors(H, n) for a in areas.get(m, ())[:1])
            own = [min(around, key=lambda a: (-around[a], a))] if around else []
        out[n] = name(own[0]) if own else "(area not recorded)"
    return out


def strategy_groups(H: nx.MultiDiGraph, strategies: dict, names: dict) -> dict:
    """node -> the strategy it is grouped under: the first by name among those whose view
    holds it (``strategies``: node -> strategy ids), or "(no strategy)"."""
    out = {}
    for n in H:
        mine = sorted((names.get(s, s) for s in strategies.get(n, ())), key=str.lower)
        out[n] = mine[0] if mine else "(no strategy)"
    return out


def overview_graph(H: nx.MultiDiGraph, groups: dict, positions: dict,
                   findings: Iterable = ()) -> tuple[nx.MultiDiGraph, dict]:
    """The overview of ``H``: ``H`` itself plus one node per group (kind "group", with
    ``members``, ``counts`` by kind and ``flagged`` findings by check) and one "ties"
    edge per pair of groups with the number of ties between them. Returns the graph and
    the positions of every node: the groups laid out by their ties (seeded), each with a
    disc of room for its members, where they lie as ``positions`` (the actors view's
    layout) has them, shrunk to fit. The page shows the groups and opens one on a click.
    Cost: O(|V| + |E|) plus the layout of the groups."""
    by_group: dict = defaultdict(list)
    for n in H:
        by_group[groups[n]].append(n)
    flagged: dict = defaultdict(lambda: defaultdict(int))
    for f in findings:
        for s in dict.fromkeys(f.subjects):
            if s in groups:
                flagged[groups[s]][f.check] += 1
    V = nx.MultiDiGraph(**H.graph)
    where = dict(positions)
    ids = {}
    for i, (name, members) in enumerate(sorted(by_group.items(),
                                               key=lambda kv: (-len(kv[1]), kv[0]))):
        gid = f"group:{i}"
        ids[name] = gid
        counts: dict = defaultdict(int)
        for m in members:
            counts[H.nodes[m].get("kind") or "entity"] += 1
        label = f"{_short(name, LABEL_MAX - 9)} ({len(members)})"
        V.add_node(gid, kind=GROUP_KIND, label=label, group_name=name,
                   members=len(members), counts=dict(sorted(counts.items())),
                   flagged=dict(sorted(flagged[name].items())), countries=[])
    for n, d in H.nodes(data=True):
        V.add_node(n, **d, group=ids[groups[n]])
    ties: dict = defaultdict(int)
    for u, v, k, d in H.edges(keys=True, data=True):
        V.add_edge(u, v, key=k, **d)
        a, b = ids[groups[u]], ids[groups[v]]
        if a != b:
            ties[tuple(sorted((a, b)))] += 1
    for (a, b), count in sorted(ties.items()):
        V.add_edge(a, b, kind="ties", count=count, directed=False)
    # centroids would pile every group of one connected whole in its middle: the groups
    # get a layout of their own, spread so that most members' discs do not overlap
    tied = nx.Graph()
    tied.add_edges_from(ties)
    radius = {ids[name]: 0.5 * UNIT * math.sqrt(len(members))
              for name, members in by_group.items()}
    ranked = sorted(radius[g] for g in tied) or [UNIT]
    spread = max(1.0, 2 * ranked[int(0.9 * (len(ranked) - 1))] / UNIT)
    at = {g: (x * spread, y * spread) for g, (x, y) in place(tied).items()}
    # groups tied to no other (small components): in rows under the tied ones, largest first
    alone = [g for g in sorted(ids.values(), key=lambda g: int(g.split(":")[1]))
             if g not in at]
    if alone:
        left = min((p[0] for p in at.values()), default=0.0)
        width = max((p[0] for p in at.values()), default=0.0) - left
        step = 2 * max(radius[g] for g in alone) + UNIT / 2
        per_row = max(1, int(width // step) + 1) if at else math.ceil(math.sqrt(len(alone)))
        top = max((p[1] for p in at.values()), default=0.0) + 2 * UNIT
        for i, g in enumerate(alone):
            at[g] = (left + (i % per_row) * step, top + (i // per_row) * step)
    for name, members in by_group.items():
        gid = ids[name]
        cx = sum(positions[m][0] for m in members) / len(members)
        cy = sum(positions[m][1] for m in members) / len(members)
        far = max(math.dist(positions[m], (cx, cy)) for m in members) or 1.0
        shrink = min(1.0, radius[gid] / far)
        gx, gy = at[gid]
        where[gid] = (round(gx, 1), round(gy, 1))
        for m in members:
            where[m] = (round(gx + (positions[m][0] - cx) * shrink, 1),
                        round(gy + (positions[m][1] - cy) * shrink, 1))
    return V, where


def group_tip(d: dict) -> list[str]:
    """Tooltip lines of an overview's group node (plain text)."""
    lines = [d["group_name"], f"group of {d['members']} · click to open, again to close", "",
             "Members:"]
    lines += [f"• {kind}: {count}" for kind, count in d["counts"].items()]
    if d["flagged"]:
        lines += ["", "Findings about its members:"]
        lines += [f"• {check}: {count}" for check, count in d["flagged"].items()]
    return lines


# --------------------------------------------------------------------------- text


def _period(d: dict) -> str:
    a, b = d.get("from"), d.get("to")
    if a and b:
        return str(a) if a == b else f"{a}–{b}"
    if a:
        return f"{a}–"
    if b:
        return f"–{b}"
    return ""


def _money(amount, currency: str | None = None) -> str:
    if amount is None:
        return ""
    try:
        value = float(amount)
    except (TypeError, ValueError):
        return str(amount)
    text = f"{value:,.0f}".replace(",", "\u202f") if value == int(value) else f"{value:,.2f}"
    return f"{text} {currency or ''}".strip()


#: edge kind -> (how the source sees it, how the target sees it)
_WORDS = {
    "post": ("post at", "post:"),
    "member": ("member of", "member:"),
    "convener": ("convenes", "convened by"),
    "responsible": ("responsible for", "responsible:"),
    "administers": ("administers", "administered by"),
    "partner": ("partner in", "partner:"),
    "funds": ("funds", "funded by"),
    "implements": ("implements", "implemented by"),
    "key_actor": ("key actor:", "key actor of"),
    "part_of": ("part of", "has part"),
    "represents": ("represents", "represented by"),
    "took_part": ("took part in", "participant:"),
    "organised": ("organised", "organised by"),
}


def _namer(G: nx.MultiDiGraph):
    """:func:`_name` in ``G`` as a function of one id, its names read once (a page names
    each node in the tooltips of all its neighbours)."""
    names = {n: _shown(n, d) for n, d in G.nodes(data=True)}

    def name(node) -> str:
        found = names.get(node)
        return found if found is not None else str(node)
    return name


def _relation_line(name, node, other, d: dict, outgoing: bool) -> str:
    kind = d.get("kind", "")
    verb = _WORDS[kind][0 if outgoing else 1] if kind in _WORDS else kind
    if kind == "responsible" and d.get("role"):
        verb = f"{d['role']}s" if outgoing else f"{d['role']}:"
    if kind == "post" and d.get("title"):
        verb = f"{d['title']} at" if outgoing else f"{d['title']}:"
    text = f"{verb} {name(other)}"
    extra = []
    if kind == "funds":
        extra.append(_money(d.get("amount"), d.get("currency")))
        partners = [f for f in d.get("funders") or () if f != node and f != other]
        if partners:
            extra.append("jointly with " + ", ".join(name(f) for f in partners))
        if d.get("share") is not None:
            extra.append(f"{d['share']:g} %" if isinstance(d["share"], float) else
                         f"{d['share']} %")
    if d.get("areas"):
        extra.append("in " + ", ".join(name(a) for a in d["areas"]))
    period = _period(d)
    if period:
        extra.append(period)
    extra = [e for e in extra if e]
    return text + (f" ({'; '.join(extra)})" if extra else "")


def _funding(G: nx.MultiDiGraph) -> dict:
    """Money per node: a project's sum of funding shares, a funder's sum of the shares it
    gives (a joint share divided among its funders). Cost: O(funds edges)."""
    money: dict = defaultdict(float)
    seen: set = set()
    for u, v, d in G.edges(data=True):
        if d.get("kind") != "funds" or not isinstance(d.get("amount"), (int, float)):
            continue
        funders = d.get("funders") or [u]
        money[u] += d["amount"] / max(1, len(funders))
        fact = d.get("fact") or (u, v, d["amount"])
        if fact not in seen:
            seen.add(fact)
            money[v] += d["amount"]
    return money


def _currency(G: nx.MultiDiGraph, node) -> str:
    for _, _, d in [*G.in_edges(node, data=True), *G.out_edges(node, data=True)]:
        if d.get("kind") == "funds" and d.get("currency"):
            return d["currency"]
    return ""


def basis_of(finding) -> str:
    """What ``finding`` rests on: its ``basis`` (CHECKS.md "Basis"), or for a finding
    made without one, "recorded" for an overlap and "unrecorded" for a gap."""
    basis = getattr(finding, "basis", "") or ""
    if basis in BASIS_ORDER:
        return basis
    return "recorded" if finding.check in _checks_by_shape()[0] else "unrecorded"


def quote_lines(quotes: Iterable[str], quote_sources: dict | None, source_name,
                indent: str = "  ", named: str = "") -> list[str]:
    """One line per quote of a stated finding: the quote in quotation marks and, when
    known and not already in ``named``, the source that says it. Plain text (the page
    shows it with textContent)."""
    lines = []
    for quote in quotes:
        said_by = [s for s in (quote_sources or {}).get(quote) or ()
                   if source_name(s) not in named]
        by = f" — {'; '.join(source_name(s) for s in said_by)}" if said_by else ""
        lines.append(f"{indent}\u201c{quote}\u201d{by}")
    return lines


def finding_lines(G: nx.MultiDiGraph, findings: list, *, source_name=str,
                  quote_sources: dict | None = None) -> list[str]:
    """Tooltip lines of one node's findings, stated ones first: the check and what it
    rests on in words, the explanation with names, and a stated finding's quotes.
    At most MAX_FINDING_LINES findings, then "… and N more". Cost: O(findings)."""
    ordered = sorted(findings, key=lambda f: BASIS_ORDER.index(basis_of(f)))
    lines = ["", "Findings:"]
    for f in ordered[:MAX_FINDING_LINES]:
        lines.append(f"\u2022 {f.check} \u2014 {BASIS_WORDS[basis_of(f)]}")
        explanation = f.explain(lambda i: _name(G, i) if i in G else source_name(i))
        lines.append("  " + explanation)
        lines += quote_lines(getattr(f, "statements", None) or (), quote_sources, source_name,
                             named=explanation)
    if len(ordered) > MAX_FINDING_LINES:
        lines.append(f"\u2022 \u2026 and {len(ordered) - MAX_FINDING_LINES} more")
    return lines


def node_tip(G: nx.MultiDiGraph, node, *, money: dict, notes: dict, sources: dict,
             source_name, checks: dict, findings: dict | None = None,
             quote_sources: dict | None = None, name=None) -> list[str]:
    """Tooltip lines of ``node`` (plain text): name, kind and countries, id, relations
    with roles and periods, money, notes, sources and findings (``findings``: node ->
    its Finding objects, told with what each rests on and the quotes of stated ones;
    without it, the names of the ``checks`` that flagged it). ``name``:
    :func:`_namer` of ``G``, for the tips of many nodes. Cost: O(degree)."""
    name = name or (lambda n: _name(G, n))
    d = G.nodes[node] if node in G else {}
    lines = [name(node)]
    head = [d.get("kind") or "entity"]
    if d.get("countries"):
        head.append(", ".join(d["countries"]))
    head.append(f"id: {node}")
    lines.append(" · ".join(head))
    names = d.get("names") or {}
    others = [f"{lang}: {text}" for lang, text in sorted(names.items())
              if text != lines[0]]
    if others:
        lines.append("also: " + "; ".join(others))
    # through the adjacency itself: networkx's edge views cost more than the lines
    relations = {_relation_line(name, node, v, e, True)
                 for v, keyed in (G.succ[node].items() if node in G else ())
                 for e in keyed.values()}
    relations.update(_relation_line(name, node, u, e, False)
                     for u, keyed in (G.pred[node].items() if node in G else ())
                     for e in keyed.values())
    relations = sorted(relations)
    if relations:
        shown = relations[:MAX_ROLE_LINES]
        lines += ["", "Relations:", *[f"• {r}" for r in shown]]
        if len(relations) > len(shown):
            lines.append(f"• … and {len(relations) - len(shown)} more")
    if money.get(node):
        label = "Funding received" if d.get("kind") == "project" else "Funding given"
        lines += ["", f"{label}: {_money(money[node], _currency(G, node))}"]
    for note in notes.get(node, []):
        lines += ["", f"Note: {note}"]
    if sources.get(node):
        lines += ["", "Sources: " + "; ".join(source_name(s) for s in sources[node])]
    if findings and findings.get(node):
        lines += finding_lines(G, findings[node], source_name=source_name,
                               quote_sources=quote_sources)
    elif checks.get(node):
        lines += ["", "Flagged by: " + ", ".join(sorted(checks[node]))]
    return lines


def edge_tip(G: nx.MultiDiGraph, u, v, d: dict, source_name,
             quote_sources: dict | None = None) -> list[str]:
    """Tooltip lines of one edge (plain text); a finding's edge says what the finding
    rests on and quotes the statements of a stated one. Cost: O(attributes)."""
    kind = d.get("kind", "")
    arrow = "—" if d.get("directed") is False else "→"
    lines = [f"{_name(G, u)} {arrow} {_name(G, v)}", kind]
    if d.get("check"):
        basis = d.get("basis") or ("recorded" if kind == "overlap" else "unrecorded")
        lines.append(f"{d['check']} \u2014 {BASIS_WORDS.get(basis, basis)}")
    if d.get("explanation"):
        lines.append(d["explanation"])
    lines += quote_lines(d.get("statements") or (), quote_sources, source_name, indent="")
    if d.get("role"):
        lines.append(f"role: {d['role']}")
    if d.get("title"):
        lines.append(f"title: {d['title']}")
    if d.get("amount") is not None:
        lines.append(f"amount: {_money(d['amount'], d.get('currency'))}")
    if _period(d):
        lines.append(f"period: {_period(d)}")
    if d.get("sources"):
        lines.append("Sources: " + "; ".join(source_name(s) for s in d["sources"]))
    return lines


# --------------------------------------------------------------------------- options


def vis_options(n_nodes: int) -> dict:
    """vis-network options tuned for the number of nodes. The positions come with the
    nodes (computed in Python, see graph.present.layout), so physics is off: the page
    draws at once and the same facts give the same picture. Small maps get smooth edges;
    large ones straight edges, labels drawn only when zoomed in far enough to read, and
    edges hidden while dragging or zooming.

    >>> vis_options(10)["physics"]["enabled"]
    False
    """
    large = n_nodes > LARGE
    return {
        "autoResize": True,
        "nodes": {
            "font": {"size": 15, "face": "system-ui, 'Segoe UI', Arial, sans-serif",
                     "color": "#222222", "strokeWidth": 4, "strokeColor": "#ffffff"},
            "borderWidth": 1.5,
            "scaling": {"min": 10, "max": 38 if not large else 30,
                        "label": {"enabled": True, "min": 15, "max": 20,
                                  "drawThreshold": 5 if not large else 9,
                                  "maxVisible": 26}},
            "widthConstraint": {"maximum": 230},
        },
        "edges": {
            "width": 1.5,
            "selectionWidth": 2,
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.45}},
            "smooth": {"enabled": True, "type": "continuous"} if not large else False,
            "color": {"inherit": False, "opacity": 0.85},
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False,
                        "keyboard": False, "hideEdgesOnDrag": large,
                        "hideEdgesOnZoom": large},
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "physics": {"enabled": False},
    }


# --------------------------------------------------------------------------- rendering


@dataclass
class MapContext:
    """What a map shows besides the graph: findings, notes, sources, names of sources,
    strategy membership (node -> strategies whose view holds it), and the dataset's
    statements (graph.checks.Statement; they name the source of a stated finding's
    quote)."""

    findings: list = field(default_factory=list)
    notes: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict)
    source_names: dict = field(default_factory=dict)
    strategies: dict = field(default_factory=dict)
    strategy_names: dict = field(default_factory=dict)
    money: dict | None = None
    full: nx.MultiDiGraph | None = None
    statements: list = field(default_factory=list)

    def quote_sources(self) -> dict:
        """quote -> the ids of the sources of the statements that say it."""
        said: dict = {}
        for st in self.statements:
            said.setdefault(st.quote, [])
            said[st.quote] += [s for s in st.source if s not in said[st.quote]]
        return said

    def source_name(self, ident: str) -> str:
        title = self.source_names.get(ident)
        return f"{title} [{ident}]" if title and title != ident else str(ident)


def _short(label: str, most: int = LABEL_MAX) -> str:
    return label if len(label) <= most else label[:most - 1].rstrip() + "…"


def _country_key(countries: list) -> str:
    """"none", "several" or the one country code."""
    if not countries:
        return "none"
    return countries[0] if len(countries) == 1 else "several"


def _country_color(key: str) -> str:
    special = {"none": NO_COUNTRY, "several": SEVERAL_COUNTRIES}
    return special.get(key) or COUNTRY_COLORS.get(key, "#7f7f7f")


def _too_large(count: int, at_least: bool = False) -> str:
    return (f"this view has {'at least ' if at_least else ''}{count} nodes; a map draws at "
            f"most {MAX_NODES}. "
            "Choose a narrower view: --view overview --group area|strategy|community, "
            "--view ego --id ID --depth 1, --view strategy --id ID, or --view findings")


def render(G: nx.MultiDiGraph, *, title: str = "Network map", subtitle: str = "",
           color: str = "kind", size: str = "degree", context: MapContext | None = None,
           lang: str | None = None, positions: dict | None = None,
           format: str = "html", years: dict | None = None):
    """The map page of ``G`` (nodes with ``kind``, ``label``, ``countries``; edges with
    ``kind`` and optional ``sources``, ``role``, ``from``/``to``, ``directed``…).

    ``color`` is "kind" or "country" (the page can switch), ``size`` "degree" or
    "funding". ``positions`` (node -> (x, y), see graph.present.layout) are where the
    nodes are drawn; without them a fresh seeded layout is computed. Up to VIS_MAX
    nodes the page draws with vis-network, above with sigma.js (WebGL); either way with
    the positions given and no physics. ``format`` "svg" or "png" gives a static
    picture of the same (a graph.present.picture.Picture) instead of a MapPage.
    ``years`` (from :func:`years_held`) gives the page its year slider: every node and
    edge carries the years it is drawn in (``held``, runs of years ``[first, last]``).
    Raises MapTooLarge above MAX_NODES nodes, MapError for a bad option. Cost: the
    layout (see graph.present.layout.place) plus
    O(|V| + |E|) in Python (~0.3 s at 5 000 nodes / 15 000 edges) plus the page's
    ~0.7 MB of inline vis-network or ~0.26 MB of sigma.js.

    >>> H = nx.MultiDiGraph(); _ = H.add_edge("a", "b", kind="member")
    >>> "vis.Network" in render(H).html
    True
    """
    if color not in COLOR_MODES:
        raise MapError(f"unknown colour mode {color!r}; choose one of {', '.join(COLOR_MODES)}")
    if size not in SIZE_MODES:
        raise MapError(f"unknown size mode {size!r}; choose one of {', '.join(SIZE_MODES)}")
    if G.number_of_nodes() > MAX_NODES:
        raise MapTooLarge(_too_large(G.number_of_nodes()))
    ctx = context or MapContext()
    full = ctx.full if ctx.full is not None else G
    money = ctx.money if ctx.money is not None else _funding(full)
    checks: dict = defaultdict(set)
    flagged: dict = defaultdict(list)  # node -> its findings, in the checks' order
    for f in ctx.findings:
        for s in dict.fromkeys(f.subjects):
            checks[s].add(f.check)
            flagged[s].append(f)
    quotes = ctx.quote_sources()
    if positions is None or any(n not in positions for n in G):
        positions = place(G, positions)
    nodes, kinds, countries = _vis_nodes(G, full, ctx, money, checks, size, flagged, quotes,
                                         positions)
    edges, edge_kinds = _vis_edges(G, full, ctx, quotes)
    meta = {
        "title": title, "subtitle": subtitle, "color": color, "lang": lang or "",
        "large": G.number_of_nodes() > LARGE,
        "renderer": "vis" if G.number_of_nodes() <= VIS_MAX else "sigma",
        "overview": any(n["kind"] == GROUP_KIND for n in nodes),
        "kinds": [{"key": k, "color": KIND_STYLE.get(k, OTHER_STYLE)[0],
                   "shape": KIND_STYLE.get(k, OTHER_STYLE)[1], "count": kinds[k]}
                  for k in sorted(kinds, key=lambda k: (-kinds[k], k))],
        "size": "number of ties" if size == "degree" else "funding (given or received)",
        "countries": [{"key": c, "color": _country_color(c), "count": countries[c]}
                      for c in sorted(countries, key=lambda c: (c in ("several", "none"), c))],
        "edgeKinds": [{"key": k, "color": EDGE_COLORS.get(k, OTHER_EDGE),
                       "dashed": k == "gap", "count": edge_kinds[k]}
                      for k in sorted(edge_kinds, key=lambda k: (-edge_kinds[k], k))],
        "strategies": sorted(({"id": s, "name": ctx.strategy_names.get(s, s)}
                              for s in {s for n in nodes for s in n["strategies"]}),
                             key=lambda s: (s["name"].lower(), s["name"], s["id"])),
        "checks": sorted({c for n in nodes for c in n["checks"]}),
        "checkCounts": {c: sum(c in n["checks"] for n in nodes)
                        for c in sorted({c for n in nodes for c in n["checks"]})},
        # what the findings rest on: all three named whenever anything is flagged
        "bases": [{"key": b, "text": BASIS_WORDS[b], "color": BASIS_COLORS[b],
                   "count": sum(b in n["bases"] for n in nodes)}
                  for b in BASIS_ORDER] if any(n["bases"] for n in nodes) else [],
    }
    if years is not None and format == "html":
        meta["slider"] = _slider(years, nodes, edges)
    if format != "html":
        from .picture import FORMATS, draw

        if format not in FORMATS:
            raise MapError(f"unknown format {format!r}; choose html, {', '.join(FORMATS)}")
        return draw(nodes, edges, meta, title, format)
    return _page(G, nodes, edges, meta, title)


def _vis_nodes(G, full, ctx, money, checks, size, flagged, quotes, positions):
    kinds: dict = defaultdict(int)
    countries: dict = defaultdict(int)
    degree = dict(G.degree())
    top = max(money.values(), default=0) or 1
    full_name = _namer(full)
    nodes = []
    for n, d in G.nodes(data=True):
        kind = d.get("kind") or ""
        label = _shown(n, d)
        cs = sorted(d.get("countries") or [])
        by_kind, by_country = KIND_STYLE.get(kind, OTHER_STYLE)[0], _country_color(_country_key(cs))
        shape = KIND_STYLE.get(kind, OTHER_STYLE)[1]
        value = (math.sqrt(degree.get(n, 0)) if size == "degree"
                 else math.sqrt(money.get(n, 0) / top) * 10)
        node = {
            "id": n, "label": _short(label), "name": label, "kind": kind or "entity",
            "shape": shape, "value": round(value, 3),
            "colorKind": by_kind, "colorCountry": by_country,
            "countryKey": _country_key(cs), "countries": cs,
            "strategies": sorted(ctx.strategies.get(n, ())),
            "checks": sorted(checks.get(n, ())),
            "bases": [b for b in BASIS_ORDER if any(basis_of(f) == b for f in flagged.get(n, ()))]
                     if flagged else [],
            "tip": [] if kind == GROUP_KIND else node_tip(
                full if n in full else G, n, money=money, notes=ctx.notes,
                sources=ctx.sources, source_name=ctx.source_name, checks=checks,
                findings=flagged, quote_sources=quotes,
                name=full_name if n in full else None),
        }
        if kind == GROUP_KIND:  # an overview's group: sized by its members
            node["tip"] = group_tip(d)
            node["value"] = round(math.sqrt(d["members"]) * 2, 3)
            node["members"] = d["members"]
        if d.get("group"):  # an overview's member: shown when its group is opened
            node["group"] = d["group"]
            node["hidden"] = True
        if node["checks"]:
            _mark_flagged(node)
        node["x"], node["y"] = positions[n]
        if "hops" in d:
            node["hops"] = d["hops"]
            if d["hops"] == 0:  # the ego at the centre stands out
                node["borderWidth"] = 4
                node["color"] = {"border": "#000000"}
                node["font"] = {"size": 20, "face": "system-ui, Arial, sans-serif bold"}
        kinds[node["kind"]] += 1
        countries[node["countryKey"]] += 1
        nodes.append(node)
    return nodes, kinds, countries


def _mark_flagged(node: dict) -> None:
    """Draw a flagged node by what its findings rest on: a red border for a recorded
    overlap, a dashed dark one for what is only not recorded, a solid purple one for
    what a source states; a stated finding also gives the node a purple halo, so that
    it shows even when an overlap claims the border."""
    # findings of graph.checks.assess carry their basis: the check files are read only
    # for findings made without one
    bases = node["bases"] or (["recorded"] if set(node["checks"]) & _checks_by_shape()[0]
                              else ["unrecorded"])
    border = ("recorded" if "recorded" in bases else
              "stated" if "stated" in bases else "unrecorded")
    node["basis"] = "stated" if "stated" in bases else border
    node["borderWidth"] = {"recorded": 3, "stated": 3.5, "unrecorded": 2.5}[border]
    node["color"] = {"border": BASIS_COLORS[border]}
    node["shapeProperties"] = {"borderDashes": [4, 3] if border == "unrecorded" else False}
    if "stated" in bases:
        node["shadow"] = {"enabled": True, "color": "rgba(106,27,154,0.8)", "size": 18,
                          "x": 0, "y": 0}
        node["font"] = {"color": "#4a148c"}


def _vis_edges(G, full, ctx, quotes=None):
    edge_kinds: dict = defaultdict(int)
    edges = []
    for i, (u, v, d) in enumerate(G.edges(data=True)):
        kind = d.get("kind") or ""
        edge = {"id": f"e{i}", "from": u, "to": v, "kind": kind,
                "color": EDGE_COLORS.get(kind, OTHER_EDGE),
                "tip": edge_tip(full if u in full and v in full else G, u, v, d,
                                ctx.source_name, quotes) if kind != "ties" else []}
        if d.get("directed") is False:
            edge["arrows"] = {"to": {"enabled": False}}
        if kind == "overlap":
            edge.update(width=4, label="overlap", font={"color": "#d62728", "size": 13,
                                                        "strokeWidth": 4, "align": "top"})
        elif kind == "gap":
            stated = d.get("basis") == "stated"
            edge.update(width=2.5, dashes=[8, 6],
                        label="never meet (stated by a source)" if stated else "never meet",
                        font={"color": BASIS_COLORS["stated"] if stated else "#444444",
                              "size": 13, "strokeWidth": 4, "align": "top"})
            if stated:
                edge["color"] = BASIS_COLORS["stated"]
                edge["basis"] = "stated"
        elif kind == "part_of":
            edge["width"] = 1
        elif kind == "ties":  # between two groups of an overview
            edge["width"] = round(min(12, 1 + math.log2(d["count"])), 2)
            edge["tip"] = [f"{_name(G, u)} — {_name(G, v)}",
                           f"{d['count']} tie{'s' if d['count'] != 1 else ''} between them"]
        edge_kinds[kind] += 1
        edges.append(edge)
    return edges, edge_kinds


def _page(G, nodes, edges, meta, title) -> MapPage:
    from pyvis.network import Network

    if meta["renderer"] == "vis":
        js, css = vis_assets()
    else:
        js, css = sigma_assets(), ""
    net = Network(height="100%", width="100%", directed=True, heading=title,
                  cdn_resources="in_line")
    # fed directly: from_nx / add_edges are quadratic (see the module docstring)
    net.nodes = nodes
    net.edges = edges
    net.options = vis_options(len(nodes))
    net.template = _environment().from_string(
        assets.read("map.html.j2"),
        globals={"lib_js": _markup(js), "lib_css": _markup(css), "meta": meta,
                 "page_js": _markup(assets.read("map.js")),
                 "page_css": _markup(assets.read("map.css"))})
    text = net.generate_html(notebook=True)
    return MapPage(text, title, len(nodes), len(edges))


def _markup(text: str):
    from markupsafe import Markup

    return Markup(text)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["script_json"] = lambda value: _markup(json_for_script(value))
    return env


# --------------------------------------------------------------------------- years


def _edge_key(u, v, d: dict) -> tuple:
    """What tells an edge from the others between the same two nodes, in every year's
    projection alike: its kind and the fact's own words (a post's title and period, a
    share's amount and funders). Not the ``fact`` IRI: a post's is its place in the
    person's list, which changes when an earlier post is left out."""
    return (u, v, d.get("kind"), str(d.get("from")), str(d.get("to")), d.get("role"),
            d.get("title"), str(d.get("amount")), tuple(d.get("funders") or ()))


def _runs(years: list[int]) -> list[list[int]]:
    """Sorted years as runs ``[first, last]``.

    >>> _runs([2007, 2008, 2009, 2012])
    [[2007, 2009], [2012, 2012]]
    """
    runs: list[list[int]] = []
    for y in years:
        if runs and runs[-1][1] == y - 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return runs


def _trust_words(counts: dict) -> str:
    total = sum(counts.values())
    if not total:
        return "no fact without a period"
    kinds = ", ".join(f"{n} {section}" for section, n in sorted(counts.items()) if n)
    return f"{total} fact(s) without a period taken on trust ({kinds})"


def years_held(ds, view: str, H: nx.MultiDiGraph, *, id=None, depth: int = 1,
               lang: str | None = None) -> dict:
    """In which years each node and edge of ``H`` (the map of ``view`` of ``ds`` with
    every fact) is drawn: in year Y exactly when ``regiograph map --as-of Y`` draws it,
    because it is worked out the same way: the dataset as of Y
    (:meth:`graph.Dataset.as_of`, graph.loader.asof: one rule of what holds when),
    projected and cut to the view by the same functions. The years are those of the
    report's timeline (graph.timeline: the first year any period names to the last).

    Returns ``{"years": [...], "nodes": {node: [years]}, "edges": [[years] per edge of
    H in order], "trust": [per year: what the as-of rule took on trust, and whether the
    view's ``id`` is missing from that year's facts], "undated": words on the facts
    without a period}``, or ``{"why": words}`` when there is no slider:
    a view without one (:data:`SLIDER_VIEWS`), a dataset of more than
    :data:`SLIDER_LIMIT` triples, no period anywhere, or a year whose map holds what the
    map of all years does not (then the slider could not show it, and none is given).

    Cost: per distinct year (years whose facts differ, graph.loader.asof.outside_key) one
    :meth:`graph.Dataset.as_of` and projection: ~0.01 s a year on the seed, ~0.5 s a
    year at 100 000 triples (see :data:`SLIDER_LIMIT`).
    """
    from ..loader.asof import outside_key, undated
    from ..network.projection import to_networkx
    from ..timeline import timeline

    if view not in SLIDER_VIEWS:
        return {"why": f"the {view} view has no year slider"}
    # counted by the engine (0.35 s at 1M triples; ds.info() rebuilds the facts: 10 s)
    triples = int(next(iter(ds.store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0].value)
    if triples > SLIDER_LIMIT:
        return {"why": f"a year slider is worked out for datasets of at most "
                       f"{SLIDER_LIMIT:,} triples (each year is projected apart); this one "
                       f"has {triples:,}: draw a year with --as-of YEAR"}
    years = timeline(ds, findings=False)["years"]
    if not years:
        return {"why": "no fact of the dataset has a period"}
    doc, _ = ds.document()
    keys = [_edge_key(u, v, d) for u, v, d in H.edges(data=True)]
    nodes: dict = {n: [] for n in H}
    edges: list[list[int]] = [[] for _ in keys]
    trust: list[str] = []
    done: dict = {}  # outside_key -> (nodes, edge keys, on trust, id missing)
    for year in years:
        key = outside_key(doc, str(year))
        if key not in done:
            held, result = ds.as_of(str(year))
            G = to_networkx(held.store, lang=lang)
            absent = view in ("ego", "strategy") and id not in G
            Y = nx.MultiDiGraph() if absent else select_view(G, view, id=id, depth=depth)
            done[key] = (set(Y), Counter(_edge_key(u, v, d) for u, v, d in
                                         Y.edges(data=True)), result.on_trust, absent)
        shown, counts, on_trust, absent = done[key]
        if not shown <= nodes.keys():
            return {"why": f"the map as of {year} holds nodes the map of all years does not"}
        counts = Counter(counts)
        for i, k in enumerate(keys):
            if counts[k] > 0 and k[0] in shown and k[1] in shown:
                counts[k] -= 1
                edges[i].append(year)
        if +counts:
            return {"why": f"the map as of {year} holds edges the map of all years does not"}
        for n in shown:
            nodes[n].append(year)
        trust.append(_trust_words(on_trust) + (
            f"; {_name(H, id)} is not in the facts of {year}" if absent else ""))
    return {"years": years, "nodes": nodes, "edges": edges, "trust": trust,
            "undated": _trust_words(undated(doc)).replace(
                "taken on trust", "(taken on trust in every year)")}


def _slider(years: dict, nodes: list[dict], edges: list[dict]) -> dict:
    """The page's slider: ``held`` runs on every node and edge, and the meta the page
    reads (the years, per year what was taken on trust)."""
    if "why" in years:
        return {"why": years["why"]}
    for node in nodes:
        runs = _runs(years["nodes"].get(node["id"], []))
        node["held"] = runs
        if node["tip"]:
            node["tip"] = [*node["tip"][:2], "shown in: " + (", ".join(
                str(a) if a == b else f"{a}\u2013{b}" for a, b in runs) or "no year"),
                *node["tip"][2:]]
    for edge, held in zip(edges, years["edges"], strict=True):
        edge["held"] = _runs(held)
    return {"years": years["years"], "trust": years["trust"], "undated": years["undated"]}


# --------------------------------------------------------------------------- from a dataset


def context_facts(store, G: nx.MultiDiGraph) -> dict:
    """What the maps of one dataset show besides the projection ``G`` and that no
    language changes: ``notes`` (id -> its notes), ``sources`` (id -> source ids),
    ``strategies`` (node -> the strategies whose view holds it, :func:`strategy_scope`)
    and ``areas`` (id -> its area ids, :func:`_areas`), as plain data that ``build``
    keeps. Cost: three SPARQL queries and one pass per strategy (3.5 s at 1M triples,
    measured on a loaded machine).
    """
    from ..model.vocab import sparql_prologue

    # sorted here, not by ORDER BY/DISTINCT: the same order (code points), half the time
    # (1M triples: the sources 2.7 -> 1.2 s)
    notes: dict = defaultdict(list)
    for ident, note in sorted((row["id"].value, row["note"].value) for row in store.query(
            sparql_prologue() + "SELECT ?id ?note WHERE { ?s dct:identifier ?id ; "
                                "skos:note ?note }")):
        notes[ident].append(note)
    sources: dict = defaultdict(list)
    for ident, src in sorted({(row["id"].value, row["src"].value) for row in store.query(
            sparql_prologue() + "SELECT ?id ?src WHERE { ?s dct:identifier ?id ; "
                                "prov:wasDerivedFrom ?d . ?d dct:identifier ?src }")}):
        sources[ident].append(src)
    strategies: dict = defaultdict(set)
    for s in G:
        if _of_kind(G, s, ("strategy",)):
            for n in strategy_scope(G, s):
                strategies[n].add(s)
    return {"notes": dict(notes), "sources": dict(sources),
            "strategies": {n: sorted(strategies[n]) for n in sorted(strategies)},
            "areas": _areas(store)}


def dataset_context(store, G: nx.MultiDiGraph, lang: str | None, findings: list,
                    labels=None, facts: dict | None = None) -> MapContext:
    """Notes, sources (with titles in ``lang``), strategy membership and findings for the
    maps of one dataset. ``facts``: :func:`context_facts` of ``store`` and ``G`` (as
    ``build`` kept them), else read here. ``labels`` (a graph.present.labels.Labels in
    ``lang``) saves reading the names again. Cost: :func:`context_facts` unless given,
    then O(|V| + |E|)."""
    from .labels import Labels

    labels = labels if labels is not None else Labels(store, lang)
    facts = facts if facts is not None else context_facts(store, G)
    sources = facts["sources"]
    source_ids = {s for v in sources.values() for s in v} | {
        s for _, _, d in G.edges(data=True) for s in d.get("sources", [])}
    names = {s: _name(G, s) for s in G if _of_kind(G, s, ("strategy",))}
    return MapContext(findings=findings, notes=facts["notes"], sources=sources,
                      source_names={s: labels(s) for s in source_ids},
                      strategies=facts["strategies"],  # sorted lists, as kept
                      strategy_names=names, money=_funding(G), full=G)


def relabel(G: nx.MultiDiGraph, lang: str | None, dataset_lang: str | None) -> None:
    """Set every node's ``label`` to its name in ``lang`` with graph.model.names' fallback."""
    for _, d in G.nodes(data=True):
        name = pick(d.get("names") or {}, lang, dataset_lang)
        if name:
            d["label"] = name


#: the report embeds the overview picture of a dataset of at most this many actors (at a
#: country's scale (23 669 actors) the picture takes ~13 s and 5 MB: the report says how to
#: draw it)
REPORT_OVERVIEW_ACTORS = 3000


def overview_svg(ds, lang: str | None = None, group: str = "area") -> str:
    """The overview map's picture for the report: an ``<svg>`` element (names as escaped
    text), or, for a dataset of more than :data:`REPORT_OVERVIEW_ACTORS` actors, a
    sentence saying how to draw it. Cost: one COUNT query, then the overview map
    (~1 s on the seed).
    """
    actors = count_actors(ds.store)
    if actors > REPORT_OVERVIEW_ACTORS:
        return (f"The overview map is embedded for datasets of at most "
                f"{REPORT_OVERVIEW_ACTORS:,} actors; this one has {actors:,} (its picture "
                f"takes seconds and megabytes at a country's scale). Draw it with: "
                f"regiograph map DATASET --view overview --group {group} -o overview.svg")
    text = dataset_map(ds, "overview", group=group, lang=lang, format="svg").data
    text = text.decode("utf-8")
    return text[text.index("<svg"):]


def count_actors(store) -> int:
    """How many organisations and people ``store`` holds: the least number of nodes of
    its actors view, counted by the engine before the projection is built, so that a
    view too large is refused in well under a second. Cost: one COUNT query."""
    from ..model.vocab import sparql_prologue
    from ..rdf import CLASSES

    classes = " ".join(f"<{CLASSES[kind].value}>" for kind in ACTORS)
    row = next(iter(store.query(sparql_prologue() + f"""
        SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?class {{ {classes} }} ?s a ?class }}
        """)))
    return int(row[0].value)


def _areas(store) -> dict:
    """id -> the ids of its areas (the facts' ``area``/``areas``), in id order."""
    from ..model.vocab import sparql_prologue

    out: dict = defaultdict(list)
    for ident, area in sorted((row["id"].value, row["area"].value) for row in store.query(
            sparql_prologue() + "SELECT ?id ?area WHERE { ?s dct:identifier ?id ; "
                                "dct:spatial ?a . ?a dct:identifier ?area }")):
        out[ident].append(area)
    return dict(out)


def layout_file(ds) -> Path | None:
    """The layout file kept with the facts of ``ds``: ``layout.csv`` in its facts folder
    (for a built store, the folder it was built from), when there is one."""
    from ..store.store import is_store, store_info

    folder = ds.path
    if folder is None:  # a remote store: no folder of facts beside it
        return None
    if ds.facts is None and is_store(ds.path):
        facts = store_info(ds.path).get("facts")
        if not facts:
            return None
        folder = Path(facts)
        if not folder.is_absolute():
            folder = Path.cwd() / folder
    found = folder / LAYOUT_FILE
    return found if found.is_file() else None


def dataset_map(ds, view: str = "actors", *, id: str | None = None, depth: int = 1,
                lang: str | None = None, color: str | None = None,
                size: str = "degree", layout: str | os.PathLike | None = None,
                group: str = "community", format: str = "html", note: str | None = None):
    """The map of one view of dataset ``ds`` (a graph.dataset.Dataset).

    ``note`` ends the subtitle (under the title, in the page and the picture): what
    ``--as-of`` kept, left out and took on trust.

    ``layout``: a layout file (CSV ``id,x,y``, graph.present.layout) whose positions the
    map keeps; nodes not in it are placed near their neighbours and added to it (the
    file is written, created when missing). Without it, the dataset's own
    ``layout.csv`` (:func:`layout_file`) is used when there is one, and left as it is.
    ``view="overview"`` groups the actors view by ``group`` (one of :data:`GROUPS`):
    one node per group with its counts and findings, which the page opens on a click
    (see :func:`overview_graph`); the positions are the actors view's. ``format``
    "svg" or "png": a static picture with the same layout, legend and title.
    Raises MapError (unknown view, id or option, a layout file that cannot be read) or
    MapTooLarge. Cost: the projection and the checks (~0.1 s on the seed dataset) plus
    :func:`render`.

    >>> ds = Dataset.open("data/lapland")  # doctest: +SKIP
    >>> page = dataset_map(ds, "strategy", id="lapland-s3")  # doctest: +SKIP
    >>> page.save("out/lapland-s3.html")  # doctest: +SKIP
    """
    if view not in VIEWS:
        raise MapError(f"unknown view {view!r}; views are: {', '.join(VIEWS)}")
    if group not in GROUPS:
        raise MapError(f"unknown grouping {group!r}; choose one of {', '.join(GROUPS)}")
    if view == "actors":  # counted before any expensive work: a refusal comes at once
        least = count_actors(ds.store)
        if least > MAX_NODES:
            raise MapTooLarge(_too_large(least, at_least=True))
    G = ds.to_networkx(lang=lang)  # a built store's is kept
    labels = ds.labels(lang)  # every name, read once for the whole page (kept by build)
    relabel(G, lang, labels.dataset_lang)
    assessment = ds.assess()  # a built store's is what build kept
    findings = assessment.findings
    H = select_view(G, "actors" if view == "overview" else view, id=id, depth=depth,
                    findings=findings)
    facts = ds.map_facts(G)
    context = dataset_context(ds.store, G, lang, findings, labels, facts)
    context.statements = list(assessment.statements)
    context.source_names.update({s: labels(s) for st in context.statements
                                 for s in st.source if s not in context.source_names})
    what = {"actors": "actors and their ties", "strategy": f"strategy: {_name(G, id)}",
            "ego": f"around {_name(G, id)} ({depth} step{'s' if depth != 1 else ''})",
            "cross-border": "ties across borders", "findings": "what the checks flagged",
            "overview": f"overview of the actors by {group}"}[view]
    title = f"{labels(ds.id)}: {what}"
    subtitle = (f"{H.number_of_nodes()} nodes, {H.number_of_edges()} edges · "
                f"dataset {ds.id}" + (f" · names in {lang}" if lang else ""))
    if color is None:
        color = "country" if view == "cross-border" else "kind"
    kept_file = Path(layout) if layout is not None else layout_file(ds)
    kept: dict = {}
    if kept_file is not None and kept_file.exists():
        try:
            kept = read_layout(kept_file)
        except (LayoutError, OSError) as exc:
            raise MapError(f"the layout file cannot be used: {exc}") from None
    elif kept_file is None and view in ("actors", "overview"):
        kept = ds.actors_layout() or {}  # a built store's: place() of this same view
    if H.number_of_nodes() > MAX_NODES and view != "overview":
        raise MapTooLarge(_too_large(H.number_of_nodes()))
    positions = place(H, kept)
    if view == "overview":
        groups = (community_groups(H) if group == "community" else
                  area_groups(H, facts["areas"], lambda a: _name(G, a)) if group == "area" else
                  strategy_groups(H, context.strategies, context.strategy_names))
        laid = positions
        H, positions = overview_graph(H, groups, positions, findings)
        if H.number_of_nodes() > MAX_NODES:  # too many to carry: the groups alone
            H = _induced(H, [n for n in H if _of_kind(H, n, (GROUP_KIND,))])
            positions = {n: positions[n] for n in H}
        click = " · click a group to open it" if format == "html" else ""  # not on paper
        subtitle = (f"{sum(1 for n in H if _of_kind(H, n, (GROUP_KIND,)))} groups of "
                    f"{len(laid)} nodes{click} · dataset {ds.id}")
    if note:
        subtitle = f"{subtitle} · {note}"
    # a map as of a date (note given) is of one year already: no slider
    years = (years_held(ds, view, H, id=id, depth=depth, lang=lang)
             if format == "html" and note is None and view in SLIDER_VIEWS else None)
    page = render(H, title=title, subtitle=subtitle, color=color, size=size,
                  context=context, lang=lang, positions=positions, format=format,
                  years=years)
    if layout is not None:  # asked for: keep this view's positions with the old ones
        write_layout(kept_file, {**kept, **(laid if view == "overview" else positions)},
                     kept)
    return page


# --------------------------------------------------------------------------- GEXF


def write_gexf(G: nx.MultiDiGraph, path: str | os.PathLike) -> Path:
    """Write ``G`` as GEXF 1.2 (for Gephi) to ``path`` atomically, attributes flattened
    like GraphML's (graph.network.projection.flatten). Cost: O(|G|).

    >>> write_gexf(Dataset.open("data/lapland").to_networkx(), "out/lapland.gexf")  # doctest: +SKIP
    """
    from ..network.projection import flatten

    H = flatten(G)
    for _, d in H.nodes(data=True):
        d.setdefault("label", "")
    text = "\n".join(nx.generate_gexf(H, encoding="utf-8", version="1.2draft"))
    return write_atomic(path, text + "\n")
