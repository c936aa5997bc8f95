"""Facts derived once, when a store is built, for every consumer to read alike.

Four words of the contract are needed by several consumers (the checks, the sources of
their findings, the named queries, the projection, the analyses, the maps), and each
once had its own reading of them. They are derived here, in one place, into a named
graph of their own (:data:`DERIVED_GRAPH`), so that exports, SHACL and the round trip
still see the facts alone (the default graph):

- **at one table** (CHECKS.md): ``?x rg:seatedAt ?table`` for every entity the contract
  seats at a network, project or event: members of a network (and an organisation whose
  ``represents`` area is a member), a project's administrator and partners, an event's
  listed participants. Nothing else seats anyone: not organising an event, convening a
  network, funding, a responsibility or a post. Written as SPARQL in
  ``ontology/derived/seated-at.rq``.
- **country** (CHECKS.md): ``?x rg:country "FI"`` for every area (its own ``country``, or
  its nearest ancestors' through ``part_of``: the fewest links up; ancestors at the same
  distance may give several) and every organisation (every country of its ``area``\\ s).
- **within** (CHECKS.md: areas that intersect): ``?a rg:within ?b`` for every area ``a``
  and every area it lies in through ``part_of`` at any depth, itself included. The
  overlap checks ask it of two areas at once; a transitive path (``containedInPlace*``)
  there gave wrong rows on Virtuoso 7 when the areas came from an OPTIONAL.
- **the name to show**: ``?x rg:shownName`` — the one name of an entity that a reader of
  the dataset's language sees, chosen by :func:`graph.model.names.pick` (the asked language,
  the dataset's, then English, Finnish, Swedish, Northern Sami, Norwegian, then any);
  the literal keeps the language it is written in.

>>> from pyoxigraph import Store
>>> store = Store()
>>> derive(store)
>>> len(store)  # of nothing, nothing is derived: only which version derived it
1
"""

from __future__ import annotations

import urllib.parse
from collections import defaultdict

from pyoxigraph import Literal, NamedNode, Quad, Store

from ..model.names import pick_tag
from ..model.schema import ontology_dir
from ..model.vocab import RG, sparql_prologue

#: the named graph of derived facts (never exported: it follows from the facts)
DERIVED_GRAPH = NamedNode("https://w3id.org/regiograph/derived")
SEATED_AT, COUNTRY, SHOWN_NAME, WITHIN = RG.seatedAt, RG.country, RG.shownName, RG.within
#: ``rg:derivedFacts rg:derivedVersion N`` in the derived graph: which
#: :data:`DERIVED_VERSION` wrote it (a copy pushed to a shared store says it too; the
#: subject is no graph name, which a shared store's queries rename)
DERIVED_BY, DERIVED_FACTS = RG.derivedVersion, RG.derivedFacts


#: what :func:`derive` writes, counted up when it writes more: a store built with an older
#: one lacks facts its consumers read (1: seats, countries, names; 2: rg:within)
DERIVED_VERSION = 2


def derived_graph_of(graph: str | None) -> str:
    """The IRI of the named graph that holds the derived facts of the data in ``graph``
    on a shared store (None: the data in the default graph, as in a built store): one
    per dataset, so that two datasets pushed to one store keep their own seats,
    countries and names. A function of the data graph's IRI alone, in regiograph's
    namespace, so that it never names an entity of the data.

    >>> derived_graph_of(None)
    'https://w3id.org/regiograph/derived'
    >>> derived_graph_of("https://example.org/lapland/")
    'https://w3id.org/regiograph/derived?of=https%3A%2F%2Fexample.org%2Flapland%2F'
    """
    if graph is None:
        return DERIVED_GRAPH.value
    return f"{DERIVED_GRAPH.value}?of={urllib.parse.quote(graph, safe='')}"


def derive(store: Store, *, bulk: bool = False) -> None:
    """Add the derived facts of the data in ``store``'s default graph to DERIVED_GRAPH,
    replacing any there (``bulk``: a store on disk being built, filled without a
    transaction). Cost: one CONSTRUCT for the seats, then O(areas × depth + names) in
    Python: ~0.1 s per 100 000 triples.
    """
    if DERIVED_GRAPH in set(store.named_graphs()):
        store.remove_graph(DERIVED_GRAPH)
    store.add_graph(DERIVED_GRAPH)  # there even when empty: a store built before has none
    seats = store.query(sparql_prologue() + (ontology_dir() / "derived" / "seated-at.rq")
                        .read_text("utf-8"))
    quads = [Quad(t.subject, t.predicate, t.object, DERIVED_GRAPH) for t in seats]
    parents: dict[str, list[str]] = defaultdict(list)
    for a, b in _rows(store, "SELECT ?a ?b WHERE { ?a schema:containedInPlace ?b }"):
        parents[a.value].append(b.value)
    areas = [a.value for (a,) in _rows(store, "SELECT ?a WHERE { ?a a rg:Area }")]
    quads += _countries(store, parents, areas)
    quads += [Quad(NamedNode(a), WITHIN, NamedNode(b), DERIVED_GRAPH)
              for a in areas for b in sorted(ancestors(parents, a))]
    quads += _shown_names(store)
    quads.append(Quad(DERIVED_FACTS, DERIVED_BY, Literal(DERIVED_VERSION), DERIVED_GRAPH))
    (store.bulk_extend if bulk else store.extend)(quads)


def _rows(store: Store, text: str):
    return store.query(sparql_prologue() + text)


def area_countries(parents: dict[str, list[str]], own: dict[str, str], area: str
                   ) -> set[str]:
    """An area's own country, or its nearest ancestors' (fewest ``part_of`` links).

    >>> sorted(area_countries({"w": ["fi", "mid"], "mid": ["se"]},
    ...                       {"fi": "FI", "se": "SE"}, "w"))
    ['FI']
    """
    level, seen = {area}, {area}
    while level:
        found = {own[a] for a in level if a in own}
        if found:
            return found
        level = {p for a in level for p in parents.get(a, ()) if p not in seen}
        seen |= level
    return set()


def ancestors(parents: dict[str, list[str]], area: str) -> set[str]:
    """``area`` and every area it lies in through ``part_of``, at any depth (a cycle ends
    where it comes back). Cost: the areas above it.

    >>> sorted(ancestors({"w": ["fi", "mid"], "mid": ["se"]}, "w"))
    ['fi', 'mid', 'se', 'w']
    """
    seen, todo = {area}, [area]
    while todo:
        for parent in parents.get(todo.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def _countries(store: Store, parents: dict[str, list[str]], areas: list[str]) -> list[Quad]:
    own = {a.value: c.value for a, c in
           _rows(store, "SELECT ?a ?c WHERE { ?a schema:addressCountry ?c }")}
    of_area = {a: area_countries(parents, own, a) for a in areas}
    quads = [Quad(NamedNode(a), COUNTRY, Literal(c), DERIVED_GRAPH)
             for a in sorted(of_area) for c in sorted(of_area[a])]
    by_org: dict[str, set[str]] = defaultdict(set)
    for o, a in _rows(store, "SELECT ?o ?a WHERE { ?o a org:Organization ; dct:spatial ?a }"):
        by_org[o.value] |= of_area.get(a.value, set())
    quads += [Quad(NamedNode(o), COUNTRY, Literal(c), DERIVED_GRAPH)
              for o in sorted(by_org) for c in sorted(by_org[o])]
    return quads


def _shown_names(store: Store) -> list[Quad]:
    found = list(_rows(store, "SELECT ?lang WHERE { ?d a dcat:Dataset ; dct:language ?lang }"))
    dataset_lang = found[0][0].value if found else None
    # keyed by IRI text (hashing terms costs more); the chosen literal goes back as it is
    named = {s.value for (s,) in _rows(store, "SELECT ?s WHERE { ?s dct:identifier ?i }")}
    names: dict[str, dict] = defaultdict(dict)
    for predicate in ("skos:prefLabel", "dct:title"):  # two lookups beat one UNION (2×)
        for s, name in _rows(store, f"SELECT ?s ?name WHERE {{ ?s {predicate} ?name }}"):
            if s.value in named:
                names[s.value][name.language or ""] = name
    return [Quad(NamedNode(s), SHOWN_NAME, by_lang[pick_tag(by_lang, None, dataset_lang)],
                 DERIVED_GRAPH) for s, by_lang in names.items()]


__all__ = ["COUNTRY", "DERIVED_BY", "DERIVED_FACTS", "DERIVED_GRAPH", "DERIVED_VERSION",
           "SEATED_AT", "SHOWN_NAME", "WITHIN", "ancestors", "area_countries", "derive",
           "derived_graph_of"]
