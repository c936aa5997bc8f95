"""SHACL shapes and the ontology against what graph/rdf/mapping.py writes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, RdfFormat, Store, Triple
from rdflib.collection import Collection

from graph.loader.facts import load_facts
from graph.model.schema import VOCABULARY_NAMES, ontology_file, vocabulary
from graph.model.vocab import RDF, RDFS, RG, RGC, SKOS, XSD
from graph.rdf.mapping import (
    CLASSES,
    DERIVED,
    END,
    GENERIC,
    NESTED,
    POSITION,
    PREDICATES,
    START,
    concept,
    to_quads,
    to_triples,
)
from graph.rdf.shacl import ShaclResult, validate_shacl
from graph.store.store import memory_store

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "lapland"
GOOD = ROOT / "tests" / "corpus" / "good"
SH_IN = rdflib.URIRef("http://www.w3.org/ns/shacl#in")


@pytest.fixture(scope="module")
def seed() -> list[Triple]:
    return list(to_triples(load_facts(str(SEED))))


@pytest.fixture(scope="module")
def ontology() -> Store:
    store = Store()
    with open(ontology_file("regiograph.ttl"), "rb") as f:
        store.load(f, format=RdfFormat.TURTLE)
    return store


def _find(triples: list[Triple], pred: NamedNode, cls: NamedNode | None = None) -> Triple:
    """The first triple with predicate ``pred`` (on a subject of class ``cls``)."""
    typed = {t.subject for t in triples if t.predicate == RDF.type and t.object == cls}
    return next(t for t in triples if t.predicate == pred and (cls is None or t.subject in typed))


def _replace(triples: list[Triple], old: Triple, new: Triple | None) -> list[Triple]:
    return [t for t in triples if t != old] + ([new] if new else [])


def _violations_on(result: ShaclResult, focus: str) -> list[tuple[str, str, str]]:
    return [r for r in result.results if r[0] == focus]


# --------------------------------------------------------------------------- conforming data


def test_seed_conforms(seed):
    result = validate_shacl(seed)
    assert result.conforms, result.text


def test_seed_store_conforms(seed):
    # from a store: only the default graph is checked, not the ontology's named graph
    result = validate_shacl(memory_store(to_quads(load_facts(str(SEED)))))
    assert result.conforms, result.text


def _good_cases() -> list[Path]:
    return sorted(p for p in GOOD.iterdir() if p.is_dir()) if GOOD.is_dir() else []


@pytest.mark.skipif(not GOOD.is_dir(), reason="tests/corpus/good is missing")
@pytest.mark.parametrize("case", _good_cases(), ids=lambda p: p.name)
def test_good_corpus_conforms(case: Path):
    result = validate_shacl(to_triples(load_facts(str(case))))
    assert result.conforms, result.text


# --------------------------------------------------------------------------- violations


def _drop_status(triples):
    old = _find(triples, RG.status)
    return _replace(triples, old, None), old.subject, RG.status


def _administrator_is_area(triples):
    old = _find(triples, RG.administrator)
    area = next(t.subject for t in triples if t.predicate == RDF.type and t.object == RG.Area)
    new = Triple(old.subject, old.predicate, area)
    return _replace(triples, old, new), old.subject, RG.administrator


def _negative_amount(triples):
    old = _find(triples, RG.amount)
    new = Triple(old.subject, old.predicate, Literal("-5", datatype=XSD.decimal))
    return _replace(triples, old, new), old.subject, RG.amount


def _amount_with_exponent(triples):
    # not a valid xsd:decimal lexical form; rdflib would silently normalise it
    old = _find(triples, RG.amount)
    new = Triple(old.subject, old.predicate, Literal("1E-7", datatype=XSD.decimal))
    return _replace(triples, old, new), old.subject, RG.amount


def _date_as_string(triples):
    old = _find(triples, START, RG.Project)
    new = Triple(old.subject, old.predicate, Literal(old.object.value))  # xsd:string
    return _replace(triples, old, new), old.subject, START


def _share_over_100(triples):
    old = _find(triples, RG.sharePercent)
    new = Triple(old.subject, old.predicate, Literal("150", datatype=XSD.decimal))
    return _replace(triples, old, new), old.subject, RG.sharePercent


def _responsibility_without_actor(triples):
    old = _find(triples, RG.actor)
    return _replace(triples, old, None), old.subject, RG.actor


def _unknown_area_kind(triples):
    old = _find(triples, RG.areaKind)
    new = Triple(old.subject, old.predicate, RGC["area-kind-galaxy"])
    return _replace(triples, old, new), old.subject, RG.areaKind


def _name_without_language(triples):
    old = _find(triples, SKOS.prefLabel, RG.Project)
    new = Triple(old.subject, old.predicate, Literal(old.object.value))
    return _replace(triples, old, new), old.subject, SKOS.prefLabel


def _source_points_at_area(triples):
    old = _find(triples, DERIVED, RG.Project)
    area = next(t.subject for t in triples if t.predicate == RDF.type and t.object == RG.Area)
    return _replace(triples, old, Triple(old.subject, old.predicate, area)), old.subject, DERIVED


def _two_statuses(triples):
    old = _find(triples, RG.status)
    extra = Triple(old.subject, RG.status, concept("project-status", "idea"))
    if extra.object == old.object:
        extra = Triple(old.subject, RG.status, concept("project-status", "running"))
    return triples + [extra], old.subject, RG.status


def _unexpected_predicate(triples):
    old = _find(triples, RG.status)
    extra = Triple(old.subject, RG.statsu, concept("project-status", "idea"))
    return triples + [extra], old.subject, RG.statsu


BREAKS: dict[str, Callable] = {
    "drop-project-status": _drop_status,
    "administrator-is-area": _administrator_is_area,
    "negative-amount": _negative_amount,
    "amount-with-exponent": _amount_with_exponent,
    "date-as-xsd-string": _date_as_string,
    "share-over-100": _share_over_100,
    "responsibility-without-actor": _responsibility_without_actor,
    "unknown-area-kind": _unknown_area_kind,
    "name-without-language": _name_without_language,
    "derived-from-not-a-source": _source_points_at_area,
    "two-statuses": _two_statuses,
    "unexpected-predicate": _unexpected_predicate,
}


@pytest.mark.parametrize("name", BREAKS)
def test_broken_graph_does_not_conform(seed, name):
    triples, focus, path = BREAKS[name](list(seed))
    result = validate_shacl(triples)
    assert not result.conforms
    found = _violations_on(result, focus.value)
    assert found, f"no violation on {focus.value}:\n{result.text}"
    assert any(p == path.value for _, p, _ in found), found
    assert all(message for _, _, message in found)
    assert focus.value in result.text


# --------------------------------------------------------------------------- the ontology


def _emitted_terms() -> set[NamedNode]:
    links = {link for _, _, link in NESTED.values()}
    return {*CLASSES.values(), *PREDICATES.values(), *GENERIC.values(), *links,
            START, END, POSITION, DERIVED}


def _rg_terms() -> list[NamedNode]:
    return sorted((t for t in _emitted_terms() if t.value.startswith(RG.iri)), key=str)


def test_ontology_parses_with_rdflib():
    graph = rdflib.Graph().parse(ontology_file("regiograph.ttl"), format="turtle")
    assert (rdflib.URIRef("https://w3id.org/regiograph/ns"), rdflib.RDF.type,
            rdflib.OWL.Ontology) in graph


@pytest.mark.parametrize("term", _rg_terms(), ids=lambda t: t.value[len(RG.iri):])
def test_ontology_declares_rg_term(ontology, term):
    assert list(ontology.quads_for_pattern(term, RDF.type, None)), f"{term} has no rdf:type"
    labels = {q.object.language for q in ontology.quads_for_pattern(term, RDFS.label, None)}
    assert {"en", "fi"} <= labels, f"{term} needs rdfs:label in en and fi"
    comments = {q.object.language for q in ontology.quads_for_pattern(term, RDFS.comment, None)}
    assert "en" in comments, f"{term} needs an rdfs:comment in en"


def test_ontology_declares_every_rg_term_in_seed(ontology, seed):
    used = {t.predicate for t in seed} | {t.object for t in seed if t.predicate == RDF.type}
    missing = [t.value for t in used if t.value.startswith(RG.iri)
               and not list(ontology.quads_for_pattern(t, RDF.type, None))]
    assert not missing


@pytest.mark.parametrize("vocab", VOCABULARY_NAMES)
def test_ontology_has_concept_scheme(ontology, vocab):
    scheme = RGC[vocab]
    assert list(ontology.quads_for_pattern(scheme, RDF.type, SKOS.ConceptScheme))
    for value in vocabulary(vocab):
        term = concept(vocab, value)
        assert list(ontology.quads_for_pattern(term, RDF.type, SKOS.Concept)), term
        assert list(ontology.quads_for_pattern(term, SKOS.inScheme, scheme)), term
        assert list(ontology.quads_for_pattern(term, SKOS.notation, Literal(value))), term
        langs = {q.object.language for q in ontology.quads_for_pattern(term, SKOS.prefLabel, None)}
        assert {"en", "fi"} <= langs, term
        assert list(ontology.quads_for_pattern(term, SKOS.definition, None)), term
    concepts = {q.subject for q in ontology.quads_for_pattern(None, SKOS.inScheme, scheme)}
    assert concepts == {concept(vocab, v) for v in vocabulary(vocab)}


def test_shapes_closed_lists_match_vocabularies():
    """Every sh:in list of the shapes is exactly one closed list of graph/model/schema.py."""
    shapes = rdflib.Graph().parse(ontology_file("shapes.ttl"), format="turtle")
    expected = {frozenset(concept(v, x).value for x in vocabulary(v))
                for v in VOCABULARY_NAMES}
    lists = [frozenset(str(x) for x in Collection(shapes, node))
             for node in shapes.objects(None, SH_IN)]
    assert all(found in expected for found in lists)
    assert set(lists) == expected
