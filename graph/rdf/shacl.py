"""Check a dataset's RDF against the SHACL shapes in ontology/shapes.ttl.

The shapes state what graph/rdf/mapping.py writes for any dataset the loader accepts, so a
violation means the mapping, the loader or a hand-edited graph went wrong, not the
facts (those are checked by the loader first).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import pyoxigraph
import rdflib
from pyoxigraph import DefaultGraph, RdfFormat, Store, Triple
from pyshacl import validate
from rdflib.namespace import SH

from ..model.schema import ontology_file


@dataclass
class ShaclResult:
    """The outcome of a validation.

    ``results`` holds one ``(focus node, path, message)`` per violation, as strings
    (the path is '' for a node-level constraint, ``^<iri>`` for an inverse path);
    ``text`` is pyshacl's human-readable report.
    """

    conforms: bool
    results: list[tuple[str, str, str]] = field(default_factory=list)
    text: str = ""


@cache
def _turtle(name: str) -> rdflib.Graph:
    """A Turtle file of the ontology folder, parsed once (callers must not modify it)."""
    return rdflib.Graph().parse(ontology_file(name), format="turtle")


def data_graph(data: Store | Iterable[Triple]) -> rdflib.Graph:
    """The data triples (a store's default graph, or the triples given) as an rdflib graph.

    Cost: O(triples), through an N-Triples serialization.
    """
    if isinstance(data, Store):
        text = data.dump(format=RdfFormat.N_TRIPLES, from_graph=DefaultGraph())
    else:
        text = pyoxigraph.serialize(data, format=RdfFormat.N_TRIPLES)
    # keep the lexical forms as written: rdflib would otherwise rewrite "1E-7"^^xsd:decimal
    # to "0.0000001" on parsing, hiding a malformed literal from sh:pattern
    saved, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        return rdflib.Graph().parse(data=text.decode("utf-8"), format="nt")
    finally:
        rdflib.NORMALIZE_LITERALS = saved


def _path_text(report: rdflib.Graph, path) -> str:
    if path is None:
        return ""
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return f"^<{inverse}>"
    return str(path)


def _results(report: rdflib.Graph) -> list[tuple[str, str, str]]:
    rows = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        rows.append((str(focus), _path_text(report, path), str(message or "")))
    return sorted(rows)


def validate_shacl(data: Store | Iterable[Triple]) -> ShaclResult:
    """Validate a store (its default graph: the ontology's named graph is left out) or
    an iterable of pyoxigraph triples against ontology/shapes.ttl.

    The ontology is given as ``ont_graph``: pyshacl mixes it into a copy of the data
    graph, so SHACL's own ``rdfs:subClassOf*`` walk for ``sh:targetClass`` and
    ``sh:class`` sees the ontology's subclass links. Inference is 'none': graph.rdf.mapping
    types every node with exactly the class its shape targets, and RDFS entailment
    would only add superclass types and superproperty triples (rg:administrator ->
    prov:wasAssociatedWith, ...) that no shape needs and the closed shapes would reject.

    Cost: O(triples) to convert, then pyshacl (pure Python), roughly O(focus nodes x
    constraints); about a second for the seed dataset (a few thousand triples).
    """
    conforms, report, text = validate(
        data_graph(data),
        shacl_graph=_turtle("shapes.ttl"),
        ont_graph=_turtle("regiograph.ttl"),
        inference="none",
        abort_on_first=False,
        allow_warnings=False,
    )
    return ShaclResult(bool(conforms), _results(report), str(text))
