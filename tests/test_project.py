"""The networkx projection (graph/network/projection.py and ontology/projection/*.rq)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import networkx as nx
import pytest

from graph.loader.facts import load_facts
from graph.model.vocab import sparql_prologue
from graph.network.projection import (
    NODES,
    edge_kinds,
    edge_queries,
    flatten,
    to_networkx,
    write_graphml,
)
from graph.query.library import load_folder
from graph.rdf.mapping import to_quads
from graph.store.store import memory_store

SEED = Path(__file__).resolve().parent.parent / "data" / "lapland"

ALL_KINDS = {
    "member",
    "post",
    "administers",
    "partner",
    "funds",
    "implements",
    "responsible",
    "part_of",
    "took_part",
    "organised",
    "represents",
    "key_actor",
    "convener",
    "seated",
}
ACTORS = {"organisation", "person"}
#: edge kind -> (kinds of its source nodes, kinds of its target nodes)
ENDS = {
    "member": (ACTORS | {"area"}, {"network"}),
    "post": ({"person"}, {"organisation"}),
    "administers": ({"organisation"}, {"project"}),
    "partner": ({"organisation"}, {"project"}),
    "funds": (ACTORS, {"project"}),
    "implements": ({"project"}, {"priority", "strategy"}),
    "responsible": (ACTORS | {"network"}, {"strategy", "priority", "project", "network"}),
    "part_of": (
        {"area", "organisation", "strategy", "priority"},
        {"area", "organisation", "strategy"},
    ),
    "took_part": (ACTORS, {"event"}),
    "organised": (ACTORS, {"event"}),
    "represents": ({"organisation"}, {"area"}),
    "key_actor": ({"strategy"}, ACTORS),
    "convener": (ACTORS, {"network"}),
    "seated": (ACTORS | {"area"}, {"network", "project", "event"}),
}

SMALL = """\
format: 1
dataset:
  id: small
  title: A small constructed dataset
  lang: fi
sources:
  - id: doc
    title: A document
areas:
  - id: suomi
    name: Suomi
    kind: country
    country: FI
  - id: ruotsi
    name: {fi: Ruotsi, sv: Sverige}
    kind: country
    country: SE
  - id: lappi
    name: Lappi
    kind: region
    part_of: suomi
  - id: norrbotten
    name: {sv: Norrbottens län}
    kind: region
    part_of: ruotsi
  - id: tornio
    name: {fi: Tornio, sv: Torneå}
    kind: municipality
    part_of: lappi
  - id: haaparanta
    name: {fi: Haaparanta, sv: Haparanda}
    kind: municipality
    part_of: norrbotten
  - id: tornionlaakso
    name: Tornionlaakso
    kind: cross-border-area
    part_of: [tornio, haaparanta]
  - id: aavasaksa
    name: Aavasaksa
    kind: place
    part_of: tornionlaakso
    country: FI
organisations:
  - id: haaparannan-kunta
    name: {sv: Haparanda kommun}
    kind: municipality
    area: haaparanta
    represents: haaparanta
  - id: raja
    name: {fi: Rajaneuvosto, en: Border Council}
    kind: association
    area: [tornio, haaparanta]
  - id: raja-toimisto
    name: Rajaneuvoston toimisto
    kind: network-office
    part_of: raja
  - id: firma
    name: Firma Oy
    kind: company
people:
  - id: anna
    name: Anna
    posts:
      - organisation: raja
        title: {fi: sihteeri, en: secretary}
        period: {from: 2001, to: 2004}
      - organisation: raja
        title: johtaja
        period: {from: 2005}
        source: doc
strategies:
  - id: ohjelma
    name: Ohjelma
    kind: programme
    key_actors: [raja, anna]
    source: doc
  - id: alaohjelma
    name: Alaohjelma
    kind: plan
    part_of: ohjelma
    priorities:
      - id: prio
        name: Painopiste
projects:
  - id: hanke
    name: Hanke
    status: running
    administrator: raja
    partners: [firma]
    implements: [prio, ohjelma]
    funding:
      total: 100
      currency: EUR
      sources:
        - funders: [raja, anna]
          amount: 60
          share: 60
          source: doc
        - funders: [raja]
          amount: 40
responsibilities:
  - actor: raja
    role: lead
    for: hanke
    area: [tornio, haaparanta]
    period: {from: 2008, to: 2010}
    source: doc
  - actor: raja
    role: monitor
    for: hanke
networks:
  - id: verkosto
    name: Verkosto
    kind: cross-border-network
    members: [tornio, haaparannan-kunta, anna]
    convener: raja
    source: doc
events:
  - id: kokous
    name: Kokous
    date: {from: 2009-05-01, to: 2009-05-02}
    organiser: raja
    participants: [raja, firma]
"""

AREAS_ONLY = """\
format: 1
dataset:
  id: bare
  title: {en: Areas only}
  lang: en
areas:
  - id: suomi
    name: {fi: Suomi, en: Finland}
    kind: country
    country: FI
  - id: lappi
    name: {fi: Lappi}
    kind: region
    part_of: suomi
"""


def store_of(folder: Path):
    return memory_store(to_quads(load_facts(folder)))


def write_dataset(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "facts.yaml").write_text(textwrap.dedent(text), "utf-8")
    return folder


@pytest.fixture(scope="module")
def seed_store():
    return store_of(SEED)


@pytest.fixture(scope="module")
def seed(seed_store) -> nx.MultiDiGraph:
    return to_networkx(seed_store)


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    return store_of(write_dataset(tmp_path_factory.mktemp("small"), SMALL))


@pytest.fixture(scope="module")
def small(small_store) -> nx.MultiDiGraph:
    return to_networkx(small_store)


def edges(G: nx.MultiDiGraph, kind: str, u: str | None = None, v: str | None = None):
    """(u, v, attrs) of the edges of ``kind`` (between u and v when given)."""
    return [
        (a, b, d)
        for a, b, d in G.edges(data=True)
        if d["kind"] == kind and u in (None, a) and v in (None, b)
    ]


def one(G, kind, u, v) -> dict:
    found = edges(G, kind, u, v)
    assert len(found) == 1, (kind, u, v, found)
    return found[0][2]


# --------------------------------------------------------------------------- query files


def test_edge_kinds_are_the_documented_ones():
    assert set(edge_kinds()) == ALL_KINDS
    assert len(edge_kinds()) == len(ALL_KINDS)


@pytest.mark.parametrize("query", load_folder("projection").values(), ids=lambda q: q.name)
def test_query_headers_document_every_column(query, seed_store, small_store):
    text = query.text
    assert text.startswith("# title: ")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    assert "# description: " in header and "# columns: " in header
    documented = set(re.findall(r"(\w+) —", header))
    for store in (seed_store, small_store):
        result = store.query(sparql_prologue() + text)
        assert {v.value for v in result.variables} <= documented
    if query.name != NODES:
        assert {"source", "target", "kind", "sources"} <= documented


def test_queries_yield_only_their_declared_kinds(seed_store, small_store):
    for query in edge_queries():
        assert query.words("kinds"), query.name
        for store in (seed_store, small_store):
            for row in store.query(sparql_prologue() + query.text):
                assert row["kind"].value in query.words("kinds"), query.name


# --------------------------------------------------------------------------- seed data


def test_seed_has_every_kind_but_convener_and_key_actor_with_the_right_ends(seed):
    # the seed's documents name no convener and no key actor of any strategy
    present = {d["kind"] for _, _, d in seed.edges(data=True)}
    assert ALL_KINDS - {"convener", "key_actor"} <= present
    check_ends(seed)


def check_ends(G):
    for u, v, key, d in G.edges(keys=True, data=True):
        sources, targets = ENDS[d["kind"]]
        assert G.nodes[u]["kind"] in sources, (u, v, key)
        assert G.nodes[v]["kind"] in targets, (u, v, key)
        assert key == d["kind"] or key.startswith(d["kind"] + "-")
        assert isinstance(d["sources"], list)


def test_seed_edges_of_the_format_examples(seed):
    for town in ("kemi", "tornio", "haaparanta"):
        assert one(seed, "member", town, "kotisatama")["sources"] == ["kotisatama-2007"]
    post = one(seed, "post", "jukka-kujala", "kemi-tornion-kehittamiskeskus")
    assert post["titles"] == {"fi": "kehittämispäällikkö", "en": "development manager"}
    assert post["title"] == "kehittämispäällikkö"
    assert post["from"] == "2007" and "to" not in post
    one(seed, "administers", "leader-kylakulttuuria", "amo-2008")
    one(seed, "partner", "tyohallinto", "amo-2008")
    assert not edges(seed, "partner", "northland-resources", "amo-2008")  # contact only
    monitor = one(seed, "responsible", "s3-koordinaatioryhma", "lapland-s3")
    assert monitor["role"] == "monitor" and monitor["from"] == "2023-09"
    for funder in ("tem", "lapin-liitto"):
        funds = one(seed, "funds", funder, "amo-2008")
        assert funds["amount"] == 60900 and funds["share"] == 70
        assert funds["funders"] == ["lapin-liitto", "tem"] and funds["currency"] == "EUR"
    one(seed, "implements", "amo-2008", "amo-2008-labour-need")
    lead = [
        d
        for _, _, d in edges(
            seed, "responsible", "kemi-tornion-kehittamiskeskus", "aluekeskusohjelma-kemi-tornio"
        )
        if d["role"] == "lead"
    ]
    assert len(lead) == 1
    assert lead[0]["areas"] == ["kemi-tornio"]
    assert (lead[0]["from"], lead[0]["to"]) == ("2007", "2013")
    assert lead[0]["sources"] == ["kotisatama-2007"]
    one(seed, "part_of", "kolari", "tunturi-lappi")
    one(seed, "part_of", "amo-2008-labour-need", "amo-2008-programme")
    one(seed, "organised", "lapin-liitto", "s3-sprint-kemi-2023")
    # the article names no participant of the sprint, no key actor, nothing Lapin liitto
    # represents: none of these is in the seed
    assert not edges(seed, "took_part", "lapin-liitto", "s3-sprint-kemi-2023")
    assert not edges(seed, "represents", "lapin-liitto", "kolari")
    assert not edges(seed, "key_actor", "lapland-s3", "lapin-liitto")
    took = one(seed, "took_part", "tyohallinto", "amo-markkinointikiertue-2008")
    assert (took["from"], took["to"]) == ("2008", "2008")


def test_seed_nodes(seed):
    kinds = {d for _, d in seed.nodes(data="kind")}
    assert kinds <= {
        "area",
        "organisation",
        "person",
        "strategy",
        "priority",
        "project",
        "network",
        "event",
    }
    assert "kotisatama-2007" not in seed and "lapland" not in seed  # sources, dataset
    node = seed.nodes["lapin-liitto"]
    assert node["kind"] == "organisation"
    assert node["label"] == "Lapin liitto"  # the dataset's language, fi
    assert node["names"]["en"] == "Regional Council of Lapland"
    assert node["countries"] == ["FI"]
    assert node["iri"].endswith("/lapin-liitto")
    assert seed.nodes["haaparanta"]["countries"] == ["SE"]
    assert seed.graph == {"dataset": "lapland", "lang": "fi"}


def test_seed_labels_in_another_language(seed_store):
    G = to_networkx(seed_store, kinds=[], lang="sv")
    assert G.number_of_edges() == 0
    assert G.nodes["haaparanta"]["label"] == "Haparanda"
    assert G.nodes["kemi"]["label"] == "Kemi"  # no sv name: the dataset's fi


# --------------------------------------------------------------------------- constructed data


def test_small_countries(small):
    countries = {n: d["countries"] for n, d in small.nodes(data=True)}
    assert countries["haaparanta"] == ["SE"]  # municipality -> län -> country
    assert countries["norrbotten"] == ["SE"]
    assert countries["tornio"] == ["FI"]
    assert countries["tornionlaakso"] == ["FI", "SE"]  # both parents' countries
    assert countries["aavasaksa"] == ["FI"]  # its own, nearer than its ancestors'
    assert countries["haaparannan-kunta"] == ["SE"]
    assert countries["raja"] == ["FI", "SE"]
    assert countries["raja-toimisto"] == [] and countries["firma"] == []
    assert countries["anna"] == [] and countries["hanke"] == []


def test_small_labels_fall_back(small_store, small):
    assert small.nodes["raja"]["label"] == "Rajaneuvosto"
    assert small.nodes["haaparannan-kunta"]["label"] == "Haparanda kommun"  # no fi: any
    english = to_networkx(small_store, kinds=(), lang="en")
    assert english.nodes["raja"]["label"] == "Border Council"
    assert english.nodes["tornio"]["label"] == "Tornio"  # no en: the dataset's fi
    assert english.nodes["norrbotten"]["label"] == "Norrbottens län"  # only sv
    assert english.graph["lang"] == "en"


def test_small_every_kind_with_the_right_ends(small):
    assert {d["kind"] for _, _, d in small.edges(data=True)} == ALL_KINDS
    check_ends(small)


def test_small_parallel_edges_get_numbered_keys(small):
    posts = small.get_edge_data("anna", "raja")
    assert set(posts) == {"post", "post-2"}
    by_start = {d["from"]: d for d in posts.values()}
    assert by_start["2001"]["to"] == "2004" and by_start["2001"]["title"] == "sihteeri"
    assert by_start["2001"]["titles"] == {"fi": "sihteeri", "en": "secretary"}
    assert by_start["2005"]["title"] == "johtaja" and by_start["2005"]["sources"] == ["doc"]
    roles = small.get_edge_data("raja", "hanke")
    assert {d["role"] for k, d in roles.items() if d["kind"] == "responsible"} == {
        "lead",
        "monitor",
    }
    assert {"administers", "responsible", "responsible-2", "funds", "funds-2"} <= set(roles)


def test_small_edge_attributes(small):
    lead = [d for _, _, d in edges(small, "responsible", "raja", "hanke") if d["role"] == "lead"]
    assert lead[0]["areas"] == ["haaparanta", "tornio"]
    assert (lead[0]["from"], lead[0]["to"], lead[0]["sources"]) == ("2008", "2010", ["doc"])
    monitor = [d for _, _, d in edges(small, "responsible") if d["role"] == "monitor"][0]
    assert monitor["areas"] == [] and monitor["sources"] == []
    assert "from" not in monitor
    shares = sorted(d["amount"] for _, _, d in edges(small, "funds", "raja", "hanke"))
    assert shares == [40, 60]
    joint = one(small, "funds", "anna", "hanke")
    assert joint["funders"] == ["anna", "raja"] and joint["share"] == 60
    assert joint["sources"] == ["doc"]
    one(small, "convener", "raja", "verkosto")
    for member in ("tornio", "haaparannan-kunta", "anna"):
        assert one(small, "member", member, "verkosto")["sources"] == ["doc"]
    one(small, "represents", "haaparannan-kunta", "haaparanta")
    one(small, "part_of", "raja-toimisto", "raja")  # organisation -> organisation
    one(small, "part_of", "alaohjelma", "ohjelma")  # strategy -> strategy
    one(small, "part_of", "prio", "alaohjelma")  # priority -> strategy
    assert len(edges(small, "part_of", "tornionlaakso")) == 2
    assert one(small, "key_actor", "ohjelma", "anna")["sources"] == ["doc"]
    one(small, "implements", "hanke", "prio")
    one(small, "implements", "hanke", "ohjelma")
    assert set(small.get_edge_data("raja", "kokous")) == {"took_part", "organised", "seated"}
    one(small, "took_part", "firma", "kokous")


def test_kinds_select_edges(small_store):
    G = to_networkx(small_store, kinds=["organised", "convener"])
    assert sorted(k for _, _, k in G.edges(keys=True)) == ["convener", "organised"]
    assert G.number_of_nodes() == to_networkx(small_store, kinds=[]).number_of_nodes()
    assert to_networkx(small_store, kinds="member").number_of_edges() == 3
    with pytest.raises(ValueError, match="unknown edge kind"):
        to_networkx(small_store, kinds=["members"])


def test_a_dataset_without_edges_of_a_kind(tmp_path):
    store = store_of(write_dataset(tmp_path / "bare", AREAS_ONLY))
    G = to_networkx(store)
    assert [k for _, _, k in G.edges(keys=True)] == ["part_of"]
    assert to_networkx(store, kinds=["member", "funds"]).number_of_edges() == 0
    assert G.nodes["suomi"]["label"] == "Finland"
    assert G.nodes["lappi"]["label"] == "Lappi" and G.nodes["lappi"]["countries"] == ["FI"]
    assert G.graph == {"dataset": "bare", "lang": "en"}


def test_labels_follow_the_one_rule_of_names(tmp_path):
    # the projection and graph.model.names pick the same name: Swedish before Northern Sami
    # in a Finnish dataset that has neither Finnish nor English (FALLBACK)
    from graph.dataset import Dataset
    from graph.present.labels import pick

    (tmp_path / "a.yaml").write_text("""format: 1
dataset: {id: t, title: T, lang: fi}
areas:
  - {id: tornedalen, name: {sv: Tornedalen, se: Duortnosleahki}, kind: region}
""", "utf-8")
    ds = Dataset.open(tmp_path)
    assert ds.to_networkx().nodes["tornedalen"]["label"] == "Tornedalen"
    assert ds.labels()("tornedalen") == "Tornedalen"
    assert ds.to_networkx(lang="se").nodes["tornedalen"]["label"] == "Duortnosleahki"
    assert pick({"fi": "Lappi", "sv": "Lappland"}, "sv-FI", "fi") == "Lappland"
    assert pick({}, "fi") is None


# --------------------------------------------------------------------------- GraphML


@pytest.mark.parametrize("which", ["seed", "small"])
def test_graphml_reads_back(which, request, tmp_path):
    G = request.getfixturevalue(which)
    path = write_graphml(G, tmp_path / "out" / "g.graphml")
    H = nx.read_graphml(path, force_multigraph=True)
    assert H.number_of_nodes() == G.number_of_nodes()
    assert H.number_of_edges() == G.number_of_edges()
    assert set(H.nodes) == set(G.nodes)
    assert sorted(H.edges(keys=True)) == sorted(G.edges(keys=True))
    assert not list(tmp_path.joinpath("out").glob(".*"))  # no temporary file left


def test_graphml_flattens_attributes(small, tmp_path):
    H = nx.read_graphml(write_graphml(small, tmp_path / "g.graphml"), force_multigraph=True)
    node = H.nodes["raja"]
    assert node["name_fi"] == "Rajaneuvosto" and node["name_en"] == "Border Council"
    assert node["countries"] == "FI SE" and node["kind"] == "organisation"
    joint = [d for _, _, d in H.edges("anna", data=True) if d["kind"] == "funds"][0]
    assert joint["funders"] == "anna raja" and joint["amount"] == 60.0
    assert H.graph["dataset"] == "small"
    flat = flatten(small)
    for _, data in [*flat.nodes(data=True), *((None, d) for *_, d in flat.edges(data=True))]:
        assert all(isinstance(v, (str, int, float, bool)) for v in data.values())
