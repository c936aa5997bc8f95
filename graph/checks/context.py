"""What the check builders look up beside their rows, read from the store when first
asked and kept for the run; and the lookups a check's header may name."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property

from pyoxigraph import Store

from ..model.vocab import sparql_prologue
from ..store.derive import DERIVED_GRAPH

#: a lookup applied to an expression: ``implementers(priority)``
CALL = re.compile(r"(\w+)\((.*)\)\Z")
#: the lookups a check header may apply to a column: name -> what it gives
LOOKUPS = {
    "seats": "the networks, projects and events an entity sits at (at one table)",
    "responsibilities": "the responsibilities for a target",
    "implementers": "the projects that implement a priority or strategy",
    "administrators": "the administrators of a project",
    "priorities": "the priorities of a strategy",
    "serving": "the networks that serve a strategy or priority",
    "members": "the members of a network",
}


def rows(store: Store, text: str) -> list:
    return list(store.query(sparql_prologue() + text))


def _pairs(store: Store, text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for a, b in rows(store, text):
        out[a.value].append(b.value)
    return out


class Context:
    """Flat lookups over one store (IRIs in, IRIs out), each read once per run."""

    def __init__(self, store: Store):
        self.store = store
        base = rows(store, "SELECT ?d WHERE { ?d a dcat:Dataset }")
        self.base = base[0][0].value if base else ""
        self._lookups: dict[str, dict[str, list[str]]] = {}

    # -- ids ------------------------------------------------------------------
    @cached_property
    def ids(self) -> dict[str, str]:
        """Ids by IRI: the dataset's own, used reference areas and sources."""
        return {s.value: i.value for s, i in rows(self.store, """
            SELECT ?s ?i WHERE { ?s dct:identifier ?i }""")}

    @cached_property
    def iris(self) -> dict[str, str]:
        return {i: s for s, i in self.ids.items()}

    def iri(self, ident: str) -> str:
        return self.iris.get(ident) or self.base + ident

    def id(self, term) -> str:
        value = term.value if hasattr(term, "value") else term
        if value in self.ids:
            return self.ids[value]
        return value[len(self.base):] if self.base and value.startswith(self.base) else value

    # -- sources --------------------------------------------------------------
    @cached_property
    def sources(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for s, src in rows(self.store, "SELECT ?s ?src WHERE { ?s prov:wasDerivedFrom ?src }"):
            out[s.value].add(self.id(src))
        return out

    def sources_of(self, iris: Iterable[str]) -> list[str]:
        out: set[str] = set()
        for iri in iris:
            out |= self.sources.get(iri, set())
        return sorted(out)

    # -- lookups a header may name --------------------------------------------
    def lookup(self, name: str) -> dict[str, list[str]]:
        """One of LOOKUPS as a dict IRI -> IRIs (read from the store once)."""
        if name not in LOOKUPS:
            raise KeyError(f"no lookup {name!r}; lookups are: {', '.join(LOOKUPS)}")
        if name not in self._lookups:
            text = {
                "seats": f"SELECT ?a ?t WHERE {{ GRAPH <{DERIVED_GRAPH.value}> "
                         "{ ?a rg:seatedAt ?t } }",
                "responsibilities": "SELECT ?t ?r WHERE { ?r rg:responsibleFor ?t }",
                "implementers": "SELECT ?t ?p WHERE { ?p rg:implements ?t }",
                "administrators": "SELECT ?p ?a WHERE { ?p rg:administrator ?a }",
                "priorities": "SELECT ?s ?p WHERE { ?p rg:priorityOf ?s }",
                "serving": "SELECT ?t ?n WHERE { ?n a rg:Network ; rg:serves ?t }",
                "members": "SELECT ?n ?m WHERE { ?n org:hasMember ?m }",
            }[name]
            self._lookups[name] = _pairs(self.store, text)
        return self._lookups[name]

    def evaluate(self, expr: str, columns: dict[str, list[str]]) -> list[str]:
        """The values (IRIs or literal text) of ``expr``: a column of the rows, or a
        lookup applied to one (``implementers(priority)``), sorted by id."""
        m = CALL.match(expr.strip())
        if m is None:
            if expr not in columns:
                raise KeyError(f"no column {expr!r} in the check's rows")
            return columns[expr]
        table = self.lookup(m.group(1))
        found = {v for x in self.evaluate(m.group(2), columns) for v in table.get(x, ())}
        return sorted(found, key=self.id)

    # -- areas ----------------------------------------------------------------
    @cached_property
    def enclosing(self) -> dict[str, list[str]]:
        """Area IRI -> the areas it lies in, itself included (rg:within, derived at build
        by graph.store.derive: the one reading of part_of that the checks' queries use)."""
        return _pairs(self.store, f"SELECT ?a ?b WHERE {{ GRAPH <{DERIVED_GRAPH.value}> "
                      "{ ?a rg:within ?b } }")

    def within(self, area: str, outer: str) -> bool:
        """True when ``area`` is ``outer`` or lies inside it through part_of (IRIs)."""
        return area == outer or outer in self.enclosing.get(area, ())
