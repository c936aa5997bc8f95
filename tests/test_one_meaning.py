"""One meaning, defined once: every consumer of "at one table", "country" and "the name
to show" reads the one derivation (graph.store.derive) and so agrees with the others.

The dataset is built so that the readings that once disagreed would disagree again: a
convener who is no member, an organiser who is no participant, an organisation seated
through an area it represents, an area with two parents at different distances from
their countries, and a name in Swedish and Northern Sami only in a Finnish dataset.
"""

from __future__ import annotations

import pytest

from graph.checks import assess
from graph.dataset import Dataset
from graph.network.analyses import actor_graph, strategy_tables, tables
from graph.present.maps import actors_view, cross_border_view
from graph.store.derive import COUNTRY, DERIVED_GRAPH, SEATED_AT, SHOWN_NAME
from tests.conftest import write_dataset

FACTS = """\
format: 1
dataset: {id: t, title: T, lang: fi}
sources:
  - {id: s1, title: One}
  - {id: s2, title: Two}
  - {id: s3, title: Three}
  - {id: s4, title: Four}
areas:
  - {id: fi, name: Suomi, kind: country, country: FI}
  - {id: se, name: Sverige, kind: country, country: SE}
  - {id: mid, name: Mid, kind: region, part_of: se}
  - {id: kolari, name: Kolari, kind: municipality, part_of: fi}
  - {id: w, name: {sv: Tornedalen, se: Duortnosleahki}, kind: cross-border-area,
     part_of: [fi, mid]}
  - {id: haaparanta, name: Haaparanta, kind: municipality, part_of: mid}
organisations:
  - {id: a, name: A, kind: company, area: kolari}
  - {id: b, name: B, kind: company}
  - {id: c, name: C, kind: company}
  - {id: d, name: D, kind: company, area: haaparanta}
  - {id: k, name: K, kind: municipality, represents: kolari, area: kolari}
  - {id: x, name: X, kind: company, area: w}
strategies:
  - {id: st, name: St, kind: strategy, key_actors: [a, b, c, k], source: s4}
networks:
  - {id: n, name: N, kind: cross-border-network, members: [a, kolari, x], convener: c,
     source: s1}
events:
  - {id: e, name: E, organiser: b, participants: [a], source: s2}
projects:
  - {id: p, name: P, status: idea, administrator: a, partners: [d], source: s3}
"""
#: who sits where, read off the contract by hand
SEATS = {"a": {"n", "e", "p"}, "d": {"p"}, "k": {"n"}, "x": {"n"}}
APART = {("a", "b"), ("a", "c"), ("b", "c"), ("b", "k"), ("c", "k")}


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    return Dataset.open(write_dataset(tmp_path_factory.mktemp("one"), {"facts.yaml": FACTS}))


def derived(ds, predicate) -> set[tuple[str, str]]:
    ids = {row["s"].value: row["id"].value for row in
           ds.store.query("SELECT ?s ?id WHERE { ?s <http://purl.org/dc/terms/identifier> ?id }")}
    return {(ids[q.subject.value], ids.get(q.object.value, q.object.value))
            for q in ds.store.quads_for_pattern(None, predicate, None, DERIVED_GRAPH)}


def test_the_derivation_seats_by_the_contract(ds):
    seats = derived(ds, SEATED_AT)
    assert seats == {(actor, t) for actor, where in SEATS.items() for t in where} | {
        ("kolari", "n")}  # an area member is seated too (it stands for its community)


def test_the_key_actor_check_and_its_sources(ds):
    found = [f for f in assess(ds.store).findings if f.check == "gap.key-actors-apart"]
    assert {tuple(f.subjects) for f in found} == APART
    sources = {tuple(f.subjects): f.sources for f in found}
    assert sources[("b", "c")] == ["s4"]  # convening and organising seat nobody
    assert sources[("a", "b")] == ["s1", "s2", "s3", "s4"]  # a's tables were examined


def test_the_analyses(ds):
    G = ds.to_networkx()
    assert tables(G) == SEATS
    (st,) = strategy_tables(G, actor_graph(G))
    assert {tuple(pair) for pair in st["apart"]} == APART
    assert [(m["pair"], m["tables"]) for m in st["meet"]] == [(["a", "k"], ["n"])]


@pytest.mark.parametrize("actor", ["a", "b", "c", "d", "k"])
def test_the_named_query_of_an_actors_tables(ds, actor):
    rows = ds.query(ds_query("actor-tables"), actor=actor)
    assert {ident(r["table"]) for r in rows} == SEATS.get(actor, set())


def ident(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def ds_query(name: str) -> str:
    from graph.query.library import load_folder

    return load_folder("queries")[name].text


def test_countries_are_the_nearest_ancestors_everywhere(ds):
    # w lies in fi (FI) directly and, two links up, in se (SE): its country is FI only
    countries = derived(ds, COUNTRY)
    assert {c for a, c in countries if a == "w"} == {"FI"}
    assert {c for a, c in countries if a == "x"} == {"FI"}  # an organisation: its areas'
    G = ds.to_networkx()
    assert G.nodes["w"]["countries"] == ["FI"] and G.nodes["d"]["countries"] == ["SE"]
    # n seats a, kolari, k, x: all in Finland, so it is one-sided for the check...
    one_sided = [f.subjects for f in assess(ds.store).findings
                 if f.check == "gap.cross-border-one-sided"]
    assert one_sided == [["n"]]
    # ...and for the named query and the cross-border map; p seats a (FI) and d (SE)
    rows = ds.query(ds_query("cross-border-ties"))
    assert {(ident(r["table"]), r["country1"], r["country2"]) for r in rows} == {
        ("p", "FI", "SE")}
    assert {(r["members1"], r["members2"]) for r in rows} == {("a", "d")}
    H = cross_border_view(G)
    assert "n" not in H and {"p", "a", "d"} <= set(H)


def test_the_actors_map_draws_the_tables_that_seat_two(ds):
    H = actors_view(ds.to_networkx())
    assert {"n", "p"} <= set(H)
    assert "e" not in H  # one participant; its organiser does not sit there


def test_the_name_to_show_is_one_rule(ds):
    # a Finnish dataset, the area named in Swedish and Northern Sami: Swedish comes first
    shown = dict(derived(ds, SHOWN_NAME))
    assert shown["w"] == "Tornedalen"
    assert ds.labels()("w") == "Tornedalen"
    assert ds.to_networkx().nodes["w"]["label"] == "Tornedalen"
    assert ds.labels("se")("w") == "Duortnosleahki"


def test_derived_facts_stay_out_of_the_facts(ds, tmp_path):
    # exports and the round trip see the facts alone
    turtle = ds.rdf_bytes("turtle").decode()
    assert "seatedAt" not in turtle and "shownName" not in turtle
    assert ds.canonical() == ds.facts.canonical()
    assert b"seatedAt" in ds.rdf_bytes("ntriples", derived=True)
