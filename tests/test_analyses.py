"""Network measures on small constructed datasets with known answers."""

from __future__ import annotations

import pytest

import graph
from graph.network.analyses import (
    actor_graph,
    brokers,
    components,
    cross_border,
    hoeffding_error,
    strategy_tables,
    tables,
)
from tests.conftest import HEADER, write_dataset

DATA = HEADER + """
areas:
  - {id: fi, name: Suomi, kind: country, country: FI}
  - {id: se, name: Sverige, kind: country, country: SE}
  - {id: tornio, name: Tornio, kind: municipality, part_of: fi}
  - {id: haparanda, name: Haparanda, kind: municipality, part_of: se}
organisations:
  - {id: a, name: A, kind: x, area: tornio}
  - {id: b, name: B, kind: x, area: haparanda}
  - {id: c, name: C, kind: x, area: tornio}
  - {id: d, name: D, kind: x, represents: tornio}
  - {id: e, name: E, kind: x}
strategies:
  - {id: s, name: S, kind: strategy, key_actors: [a, b, c, e]}
networks:
  - {id: n, name: N, kind: partnership, members: [a, b, tornio], convener: e}
projects:
  - {id: p, name: P, status: cancelled, administrator: b, partners: [c]}
events:
  - {id: ev, name: Ev, organiser: e, participants: [c]}
"""


@pytest.fixture(scope="module")
def G(tmp_path_factory):
    folder = write_dataset(tmp_path_factory.mktemp("an"), {"a.yaml": DATA})
    return graph.load(folder).to_networkx()


def test_tables_seat_members_representatives_and_project_people_only(G):
    seats = tables(G)
    assert seats["a"] == {"n"} and seats["b"] == {"n", "p"} and seats["c"] == {"p", "ev"}
    assert seats["d"] == {"n"}  # represents a member area
    assert "e" not in seats  # organiser and convener sit nowhere


def test_actor_graph_and_brokers(G):
    A = actor_graph(G)
    assert sorted(A.edges) == [("a", "b"), ("a", "d"), ("b", "c"), ("b", "d")]
    assert A["b"]["c"]["tables"] == ["p"]
    result = brokers(A)
    assert result["method"] == "exact" and result["brokers"][0]["id"] == "b"


def test_sampled_brokers_state_their_error(G):
    result = brokers(actor_graph(G), exact_limit=2, k=3)
    assert result["method"].startswith("sampled") and result["error"] == hoeffding_error(3)
    assert round(hoeffding_error(500), 3) == 0.061


def test_cross_border_needs_ties_into_two_countries(G):
    found = {r["id"]: r["countries"] for r in cross_border(actor_graph(G))}
    # d has no area of its own but ties to a (FI) and b (SE); e sits nowhere
    assert found == {k: ["FI", "SE"] for k in "abcd"}


def test_components_and_isolated(G):
    assert components(actor_graph(G)) == {"components": [["a", "b", "c", "d"]],
                                          "isolated": ["e"]}


def test_strategy_tables(G):
    (s,) = strategy_tables(G)
    assert {tuple(m["pair"]): m["tables"] for m in s["meet"]} == {
        ("a", "b"): ["n"], ("b", "c"): ["p"]}
    assert s["apart"] == [["a", "c"], ["a", "e"], ["b", "e"], ["c", "e"]]
