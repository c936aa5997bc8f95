"""The graph as a networkx ``MultiDiGraph``: entities as nodes, relations as edges.

The projection is written in SPARQL, one file per kind of relation, in
``ontology/projection/`` (``nodes.rq`` for the nodes, every other ``*.rq`` for edges).
Each edge file starts with a comment header naming its ``title``, ``description``,
the edge ``kinds`` it yields and its ``columns``; it returns ``?source`` and
``?target`` (entity IRIs), ``?kind``, ``?sources`` (space-separated source ids) and
any extra columns, which become edge attributes.

Nodes are keyed by entity id, edges by edge kind (``"member"``, ``"post"``…; a second
edge of one kind between the same two nodes gets ``"post-2"`` and so on, its
``kind`` attribute staying ``"post"``).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import networkx as nx
from pyoxigraph import Literal, NamedNode, Store

from ..base.files import atomic_path
from ..base.gcpause import paused_gc
from ..model.names import pick
from ..model.vocab import literal_value, sparql_prologue
from ..query.library import QueryFile, load_folder
from ..rdf.mapping import KIND_OF_CLASS

NODES = "nodes"
#: columns holding space-separated ids, returned as sorted lists
LIST_COLUMNS = frozenset({"sources", "areas", "funders"})

_DATASET_QUERY = """
SELECT ?id ?lang WHERE {
  ?dataset a dcat:Dataset .
  OPTIONAL { ?dataset dct:identifier ?id }
  OPTIONAL { ?dataset dct:language ?lang }
}
"""


def edge_queries() -> list[QueryFile]:
    """Every edge query of the projection, in file-name order. Cost: reads ~12 small files.

    >>> [q.name for q in edge_queries()][:2]
    ['administers', 'convener']
    """
    return [q for name, q in load_folder("projection").items() if name != NODES]


def edge_kinds() -> list[str]:
    """The edge kinds :func:`to_networkx` can produce, in file-name order.

    >>> "member" in edge_kinds() and "organised" in edge_kinds()
    True
    """
    return [kind for query in edge_queries() for kind in query.words("kinds")]


def _select(store: Store, text: str) -> Iterable[dict]:
    """Rows of a SELECT (the package's prefixes prepended) as {column: term or None}."""
    solutions = store.query(sparql_prologue() + text)
    names = [v.value for v in solutions.variables]
    for solution in solutions:
        yield dict(zip(names, solution, strict=True))


# --------------------------------------------------------------------------- values


def _value(term, ids: dict[str, str]):
    """A term as a Python value: entity IRI -> id, number -> int/float, else its text."""
    if isinstance(term, NamedNode):
        return ids.get(term.value, term.value)
    if isinstance(term, Literal):
        return literal_value(term)
    return str(term)


# --------------------------------------------------------------------------- nodes


def _dataset(store: Store) -> tuple[str | None, str | None]:
    """The dataset's id and language (``None`` when the store has none)."""
    for row in _select(store, _DATASET_QUERY):
        return (row["id"].value if row["id"] else None, row["lang"].value if row["lang"] else None)
    return None, None


def _nodes(store: Store) -> dict[str, dict]:
    """IRI -> node attributes (id, kind, names, countries, iri), from ``nodes.rq``."""
    text = load_folder("projection")[NODES].text
    nodes: dict[str, dict] = {}
    for row in _select(store, text):
        iri = row["entity"].value
        node = nodes.get(iri)
        if node is None:
            kind = KIND_OF_CLASS.get(row["type"].value, "")
            node = nodes[iri] = {
                "id": row["id"].value,
                "kind": kind,
                "names": {},
                "countries": set(),
                "iri": iri,
            }
        if row["name"] is not None:
            node["names"][(row["name"].language or "").lower()] = row["name"].value
        if row["country"] is not None:
            node["countries"].add(row["country"].value)
    return nodes


def _add_nodes(G: nx.MultiDiGraph, nodes: dict[str, dict], langs: tuple) -> None:
    for iri in sorted(nodes, key=lambda i: nodes[i]["id"]):
        node = nodes[iri]
        G.add_node(
            node["id"],
            kind=node["kind"],
            label=_label(node["names"], langs),
            names=dict(sorted(node["names"].items())),
            countries=sorted(node["countries"]),
            iri=iri,
        )


# --------------------------------------------------------------------------- edges


def _edge_rows(store: Store, query: QueryFile, ids: dict[str, str], wanted) -> list[dict]:
    """The rows of one edge query, merged per fact: language-tagged columns become
    ``{lang: text}`` dicts, list columns sorted lists, other terms Python values.
    Sorted by the terms of the merged rows, so the graph is the same for every store
    that holds the same triples."""
    merged: dict[tuple, dict] = {}
    for row in _select(store, query.text):
        kind = row["kind"].value if row.get("kind") is not None else query.name
        if wanted is not None and kind not in wanted:
            continue
        # rows of one fact differ only in language-tagged columns: the other terms are
        # its key (terms hash and compare by value, cheaper than the converted values)
        key = tuple(term for term in row.values()
                    if not (isinstance(term, Literal) and term.language))
        edge = merged.get(key)
        if edge is None:
            edge = merged[key] = _edge_values(row, kind, ids)
        for col, term in row.items():
            if isinstance(term, Literal) and term.language:
                edge.setdefault(f"{col}s", {})[term.language.lower()] = term.value
    return [merged[key] for key in sorted(merged, key=lambda k: [str(t) for t in k])]


def _edge_values(row: dict, kind: str, ids: dict[str, str]) -> dict:
    plain = {"kind": kind}
    for col, term in row.items():
        if col == "kind" or (isinstance(term, Literal) and term.language):
            continue
        if term is None:
            if col in LIST_COLUMNS:  # an empty GROUP_CONCAT may come back unbound
                plain[col] = []
        elif col in LIST_COLUMNS:
            plain[col] = sorted(set(term.value.split()))
        else:
            plain[col] = _value(term, ids)
    return plain


def _label(names: dict, langs: tuple) -> str:
    """The label of a node, or of an edge's language-tagged column (``titles`` ->
    ``title``), from its names: the one rule of :func:`to_networkx` and :func:`from_state`."""
    return pick(names, *langs) or ""


def _label_edge(attrs: dict, langs: tuple) -> None:
    for col in [c for c, v in attrs.items() if isinstance(v, dict)]:
        attrs[col[:-1]] = _label(attrs[col], langs)


def _add_edge(G: nx.MultiDiGraph, edge: dict, langs: tuple) -> None:
    attrs = {k: v for k, v in edge.items() if k not in ("source", "target")}
    _label_edge(attrs, langs)
    attrs.setdefault("sources", [])
    u, v, kind = edge["source"], edge["target"], edge["kind"]
    key, n = kind, 1
    while G.has_edge(u, v, key):
        n += 1
        key = f"{kind}-{n}"
    G.add_edge(u, v, key=key, **attrs)


def _check_kinds(kinds: Iterable[str] | None) -> frozenset[str] | None:
    if kinds is None:
        return None
    wanted = frozenset([kinds] if isinstance(kinds, str) else kinds)
    unknown = wanted - set(edge_kinds())
    if unknown:
        raise ValueError(f"unknown edge kind(s) {sorted(unknown)}; known: {edge_kinds()}")
    return wanted


def to_networkx(
    store: Store, kinds: Iterable[str] | None = None, lang: str | None = None
) -> nx.MultiDiGraph:
    """The dataset in ``store`` as a directed multigraph.

    Nodes: every entity with an id but the dataset and its sources, keyed by id, with
    ``kind``, ``label`` (the name in ``lang``, else the dataset's language, else
    English, else any), ``names`` ({lang: name}), ``countries`` (sorted ISO codes:
    an area's own or its nearest ancestors'; an organisation's areas'; else empty)
    and ``iri``. Edges: one per fact found by the edge queries whose kind is in
    ``kinds`` (all when ``None``; see :func:`edge_kinds`), keyed by kind, with
    ``kind``, ``sources`` (sorted source ids) and the query's extra columns
    (``role``, ``from``, ``to``, ``amount``, ``title``/``titles``, ``fact``: the IRI
    of the post, share or responsibility behind the edge…). An endpoint that is not
    a node (an IRI without an id) is added bare, keyed by its IRI.

    Cost: one SELECT for the nodes, one per edge file needed, each roughly linear in
    the triples it touches: ~10 ms on the Lapland seed dataset (1 300 triples),
    ~0.3 s on 38 000 triples.

    Raises ValueError for an unknown edge kind.

    >>> G = to_networkx(store, kinds=["member"], lang="sv")   # doctest: +SKIP
    >>> G.nodes["haaparanta"]["label"], G.nodes["haaparanta"]["countries"]  # doctest: +SKIP
    ('Haparanda', ['SE'])
    >>> list(G.in_edges("kotisatama", keys=True))[0]  # doctest: +SKIP
    ('haaparanta', 'kotisatama', 'member')
    """
    with paused_gc():  # the graph is a heap of small dicts: 1M triples 13.5 -> 8.8 s
        return _to_networkx(store, _check_kinds(kinds), lang)


def _to_networkx(store: Store, wanted: frozenset[str] | None, lang: str | None
                 ) -> nx.MultiDiGraph:
    dataset_id, dataset_lang = _dataset(store)
    langs = (lang, dataset_lang)
    G = nx.MultiDiGraph(dataset=dataset_id or "", lang=lang or dataset_lang or "")
    nodes = _nodes(store)
    _add_nodes(G, nodes, langs)
    ids = {iri: node["id"] for iri, node in nodes.items()}
    for query in edge_queries():
        if wanted is not None and wanted.isdisjoint(query.words("kinds")):
            continue
        for edge in _edge_rows(store, query, ids, wanted):
            _add_edge(G, edge, langs)
    return G


# --------------------------------------------------------------------------- kept


def to_state(G: nx.MultiDiGraph, dataset_lang: str | None) -> dict:
    """``G`` (a projection made by :func:`to_networkx`) as plain data that JSON holds
    exactly: what ``build`` keeps so that maps and measures need not query the store
    again (:func:`from_state` reads it back). Cost: O(|V| + |E|), sharing ``G``'s
    attribute dicts.

    >>> G = nx.MultiDiGraph(dataset="d", lang="fi"); G.add_edge("a", "b", key="member")
    'member'
    >>> nx.utils.graphs_equal(from_state(to_state(G, "fi")), G)
    True
    """
    return {"graph": dict(G.graph), "dataset_lang": dataset_lang,
            "nodes": [[n, d] for n, d in G.nodes(data=True)],
            "edges": [[u, v, k, d] for u, v, k, d in G.edges(keys=True, data=True)]}


def from_state(state: dict, lang: str | None = None) -> nx.MultiDiGraph:
    """The projection kept by :func:`to_state`, its labels in ``lang``: the same graph
    as :func:`to_networkx` (``kinds`` all) on the store it was made from, nodes and
    edges in the same order. Cost: O(|V| + |E|), ~1.5 s at 1M triples.
    """
    langs = (lang, state["dataset_lang"])
    with paused_gc(freeze=True):  # a command's map or measures: kept until it ends
        G = nx.MultiDiGraph(**state["graph"])
        G.graph["lang"] = lang or state["dataset_lang"] or ""
        nodes, edges = state["nodes"], state["edges"]
        if lang is not None:  # the labels as _add_nodes and _add_edge pick them
            for _, d in nodes:
                if "names" in d:  # not an endpoint added bare
                    d["label"] = _label(d["names"], langs)
            for *_, d in edges:
                _label_edge(d, langs)
        G.add_nodes_from(nodes)
        G.add_edges_from(edges)
    return G


# --------------------------------------------------------------------------- GraphML


def _flat(attrs: dict) -> dict:
    """Attributes GraphML can hold: lists -> space-joined text, dicts -> one
    attribute per key (``names`` -> ``name_fi``, ``name_sv``…), ``None`` dropped.

    >>> _flat({"names": {"fi": "Kemi"}, "sources": ["a", "b"], "to": None})
    {'name_fi': 'Kemi', 'sources': 'a b'}
    """
    out: dict = {}
    for name, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, dict):
            stem = name[:-1] if name.endswith("s") else name
            out.update({f"{stem}_{k}": v for k, v in value.items()})
        elif isinstance(value, (list, tuple, set)):
            out[name] = " ".join(str(v) for v in value)
        else:
            out[name] = value
    return out


def flatten(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``G`` whose attributes are all str, int, float or bool. Cost: O(|G|)."""
    H = nx.MultiDiGraph(**_flat(G.graph))
    H.add_nodes_from((n, _flat(d)) for n, d in G.nodes(data=True))
    H.add_edges_from((u, v, k, _flat(d)) for u, v, k, d in G.edges(keys=True, data=True))
    return H


def write_graphml(G: nx.MultiDiGraph, path: str | os.PathLike) -> Path:
    """Write ``G`` as GraphML to ``path`` atomically, attributes flattened (see
    :func:`flatten`); edge ids are the edge keys. Cost: O(|G|), written as it goes
    (no flattened copy of ``G``, no whole text in memory).

    >>> write_graphml(to_networkx(store), "out/lapland.graphml")  # doctest: +SKIP
    >>> nx.read_graphml("out/lapland.graphml", force_multigraph=True)  # doctest: +SKIP
    """
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "w", encoding="ascii") as f:
        with tempfile.TemporaryFile("w+", encoding="ascii", dir=path.parent) as body:
            # the keys come first in the file but are known once the body is written
            keys = _graphml_body(G, body, _flat)
            if keys is None:  # defaults: networkx writes it
                f.write("\n".join(nx.generate_graphml(flatten(G), encoding="utf-8")))
                f.write("\n")
                return path
            f.write("\n".join([_GRAPHML_HEAD, *_graphml_keys(keys)]) + "\n")
            body.seek(0)
            shutil.copyfileobj(body, f)
    return path


_GRAPHML_HEAD = ('<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                 'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                 'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">')


def _attrib(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
            .replace("\t", "&#09;"))


def _cdata(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def graphml_text(G: nx.MultiDiGraph) -> str:
    """The text of ``"\\n".join(nx.generate_graphml(G)) + "\\n"``, character for
    character, written directly instead of through an ElementTree (990 292 triples'
    projection: ~2.5 s instead of ~20 s). ``G``'s attributes must be GraphML's (see
    :func:`flatten`); a graph with ``node_default``, ``edge_default`` or an ``id``
    goes through networkx.

    >>> G = nx.MultiDiGraph(dataset="d")
    >>> G.add_node("a<b", kind="org", label="Åsele & co")
    >>> _ = G.add_edge("a<b", "c", key="member", sources="s1 s2")
    >>> graphml_text(G) == "\\n".join(nx.generate_graphml(G)) + "\\n"
    True
    """
    body = io.StringIO()
    keys = _graphml_body(G, body, None)
    if keys is None:
        return "\n".join(nx.generate_graphml(G, encoding="utf-8")) + "\n"
    return "\n".join([_GRAPHML_HEAD, *_graphml_keys(keys)]) + "\n" + body.getvalue()


#: characters after which Python's str.splitlines breaks a line (besides \n): networkx
#: joins the lines of its text with \n, so they become line breaks in its file
_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e]")


def _line(text: str) -> str:
    """One line as networkx's writer leaves it: ASCII with character references (it
    serialises to us-ascii), and the breaks of str.splitlines made \\n."""
    if not text.isascii():
        text = text.encode("ascii", "xmlcharrefreplace").decode("ascii")
    return _BREAKS.sub("\n", text)


def _graphml_keys(keys: dict) -> list[str]:
    # networkx inserts each new key first, so the last made comes first
    return [_line(f'  <key id="{key}" for="{scope}" attr.name="{_attrib(name)}" '
                  f'attr.type="{kind}" />')
            for (name, kind, scope), key in reversed(keys.items())]


def _graphml_body(G: nx.MultiDiGraph, out, flat) -> dict | None:
    """Write the ``<graph>`` element of ``G`` (attributes through ``flat`` when given)
    to the text file ``out``, line by line, closing ``</graphml>``; return the keys
    made, or None (writing nothing) for a graph networkx must write itself."""
    if "node_default" in G.graph or "edge_default" in G.graph or "id" in G.graph:
        return None
    xml_type = nx.readwrite.graphml.GraphMLWriter().get_xml_type
    keys: dict[tuple[str, str, str], str] = {}
    same = flat if flat is not None else (lambda attrs: attrs)

    def data(scope: str, attrs: dict, indent: str) -> list[str]:
        lines = []
        for name, value in same(attrs).items():
            name, kind = str(name), xml_type(type(value))
            key = keys.get((name, kind, scope))
            if key is None:
                key = keys[(name, kind, scope)] = f"d{len(keys)}"
            text = str(value)
            lines.append(f'{indent}<data key="{key}">{_cdata(text)}</data>' if text
                         else f'{indent}<data key="{key}" />')
        return lines

    write = out.write
    write(f'  <graph edgedefault="{"directed" if G.is_directed() else "undirected"}">\n')
    graph_data = data("graph", G.graph, "    ")  # its keys come first, its data last

    def element(opening: str, attrs: dict, scope: str) -> None:
        inner = data(scope, attrs, "      ")
        if inner:
            closing = opening.split(" ", 1)[0]
            write(_line("\n".join([f"    <{opening}>", *inner, f"    </{closing}>"])) + "\n")
        else:
            write(_line(f"    <{opening} />") + "\n")

    for node, attrs in G.nodes(data=True):
        element(f'node id="{_attrib(str(node))}"', attrs, "node")
    if G.is_multigraph():
        for u, v, k, attrs in G.edges(keys=True, data=True):
            element(f'edge source="{_attrib(str(u))}" target="{_attrib(str(v))}" '
                    f'id="{_attrib(str(k))}"', attrs, "edge")
    else:
        for u, v, attrs in G.edges(data=True):
            element(f'edge source="{_attrib(str(u))}" target="{_attrib(str(v))}"', attrs,
                    "edge")
    write(_line("\n".join([*graph_data, "  </graph>", "</graphml>"])) + "\n")
    return keys
