"""YAML -> RDF -> YAML is lossless: the seed dataset and generated ones."""

from __future__ import annotations

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.export import to_yaml
from graph.loader.facts import load_facts
from graph.loader.yamlread import read, to_plain
from graph.rdf.mapping import from_triples, in_reading_order, to_quads
from graph.store.store import data_triples, memory_store


def roundtrip(facts) -> dict:
    return from_triples(data_triples(memory_store(to_quads(facts))))


def test_seed_dataset_survives_rdf_and_back(seed_facts):
    assert roundtrip(seed_facts) == seed_facts.canonical()


def text(facts: dict) -> str:
    return json.dumps(facts, ensure_ascii=False)


def test_the_facts_read_are_the_facts_read_back_as_text_too(seed_facts):
    """What build keeps from the facts it read (graph.rdf.mapping.in_reading_order) is
    what reading the graph back gives, key order included: the same JSON text."""
    assert text(in_reading_order(seed_facts.canonical())) == text(roundtrip(seed_facts))


def test_exported_yaml_loads_to_the_same_facts(seed_facts, tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text(to_yaml(roundtrip(seed_facts)), "utf-8")
    assert load_facts(path).canonical() == seed_facts.canonical()


def test_every_written_field_is_in_the_graph(seed_facts):
    """Each non-null field written on an entry of the seed YAML is in the rebuilt facts."""
    from tests.conftest import SEED

    back = roundtrip(seed_facts)
    by_id = {e["id"]: e for section, entries in back.items() if section != "dataset"
             for e in entries if "id" in e}
    checked = 0
    for path in sorted(SEED.glob("*.yaml")):
        doc = to_plain(read(path.read_text("utf-8"))[0]) or {}
        for section, entries in doc.items():
            if section in ("format", "dataset") or not entries:
                continue
            for entry in entries:
                if "id" not in entry:
                    continue
                for field, value in entry.items():
                    if value not in (None, [], {}):
                        assert field in by_id[entry["id"]], (path.name, entry["id"], field)
                        checked += 1
    assert checked > 200


# --------------------------------------------------------------------------- generated data

TEXT = st.text(
    st.characters(categories=("L", "N", "P", "S", "Zs"), include_characters="\u2028\u2029\x85"),
    min_size=1, max_size=20,
).filter(lambda s: s.strip() == s and s != "")
LANGS = st.sampled_from(["fi", "sv", "en", "se", "smn", "nb"])
NAMES = TEXT | st.dictionaries(LANGS, TEXT, min_size=1, max_size=3)
YEARS = st.integers(1990, 2030)


@st.composite
def dates(draw):
    year = draw(YEARS)
    form = draw(st.sampled_from(["y", "ym", "ymd"]))
    if form == "y":
        return year
    month = draw(st.integers(1, 12))
    if form == "ym":
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{draw(st.integers(1, 28)):02d}"


@st.composite
def periods(draw):
    start, end = sorted(draw(st.lists(YEARS, min_size=2, max_size=2)))
    keys = draw(st.sampled_from([("from",), ("to",), ("from", "to")]))
    return {k: (start if k == "from" else end) for k in keys}


def ident(prefix: str, n: int) -> str:
    return f"{prefix}-{n}"


@st.composite
def datasets(draw):
    """A valid facts document with every section and most fields."""
    n_src, n_area, n_org, n_person = (draw(st.integers(1, 3)) for _ in range(4))
    srcs = [ident("s", i) for i in range(n_src)]
    areas = [ident("a", i) for i in range(n_area)]
    orgs = [ident("o", i) for i in range(n_org)]
    people = [ident("p", i) for i in range(n_person)]
    actors = orgs + people
    opt = st.booleans()
    doc: dict = {
        "format": 1,
        "dataset": {"id": "gen", "title": draw(NAMES), "lang": draw(LANGS)},
        "sources": [
            {"id": s, "title": draw(NAMES), "kind": draw(st.sampled_from(["report", "article"])),
             "date": draw(dates()), "author": draw(st.sampled_from(actors + ["Some One"]))}
            for s in srcs
        ],
        "areas": [],
        "organisations": [],
        "people": [],
    }
    for i, a in enumerate(areas):
        entry = {"id": a, "name": draw(NAMES), "kind": "municipality",
                 "country": draw(st.sampled_from(["FI", "SE", "NO"])),
                 "codes": {"municipality": draw(st.from_regex(r"0[0-9]{2}", fullmatch=True))}}
        if i and draw(opt):
            entry["part_of"] = areas[draw(st.integers(0, i - 1))]
        if draw(opt):
            entry["source"] = draw(st.sampled_from(srcs))
        doc["areas"].append(entry)
    for o in orgs:
        entry = {"id": o, "name": draw(NAMES), "kind": draw(TEXT),
                 "area": draw(st.lists(st.sampled_from(areas), unique=True, max_size=2))}
        if draw(opt):
            entry["note"] = draw(TEXT)
        doc["organisations"].append(entry)
    for p in people:
        posts = [{"organisation": draw(st.sampled_from(orgs)), "title": draw(NAMES),
                  "period": draw(periods()), "source": draw(st.sampled_from(srcs))}
                 for _ in range(draw(st.integers(0, 2)))]
        doc["people"].append({"id": p, "name": draw(TEXT), "posts": posts,
                              "source": srcs[0]})
    prios = [f"pr-{i}" for i in range(draw(st.integers(1, 3)))]
    doc["strategies"] = [{
        "id": "st-0", "name": draw(NAMES), "kind": "strategy", "owner": orgs[0],
        "area": areas[0], "period": draw(periods()), "key_actors": actors[:2],
        "priorities": [{"id": p, "name": draw(NAMES)} for p in prios],
        "source": srcs,
    }]
    total = draw(st.integers(1, 10_000))
    cut = draw(st.integers(0, total))
    doc["projects"] = [{
        "id": "pj-0", "name": draw(NAMES), "administrator": orgs[0], "partners": orgs[1:],
        "areas": areas, "period": draw(periods()),
        "status": draw(st.sampled_from(["idea", "planned", "running", "completed", "cancelled"])),
        "implements": draw(st.lists(st.sampled_from(prios + ["st-0"]), unique=True, min_size=1)),
        "funding": {"total": total, "currency": "EUR", "sources": [
            {"funders": [orgs[0]], "amount": cut, "share": round(100 * cut / total, 1)},
            {"funders": actors[-1:], "amount": total - cut, "source": srcs[-1]},
        ]},
        "activities": [{"name": draw(NAMES), "by": draw(st.sampled_from(actors)),
                        "for": draw(st.sampled_from(prios)), "status": "done"}
                       for _ in range(draw(st.integers(0, 3)))],
    }]
    doc["responsibilities"] = [
        {"actor": draw(st.sampled_from(actors)),
         "role": draw(st.sampled_from(["lead", "coordinate", "fund", "monitor"])),
         "for": draw(st.sampled_from(prios + ["st-0", "pj-0", "nw-0"])),
         "area": draw(st.lists(st.sampled_from(areas), unique=True, max_size=2)),
         "period": draw(periods()), "note": draw(TEXT)}
        for _ in range(draw(st.integers(0, 4)))
    ]
    if doc["responsibilities"]:  # the same fact stated twice is kept twice
        doc["responsibilities"].append(dict(doc["responsibilities"][0]))
    doc["networks"] = [{"id": "nw-0", "name": draw(NAMES), "kind": "cross-border-network",
                        "members": draw(st.lists(st.sampled_from(orgs + areas), unique=True)),
                        "for": ["st-0"], "convener": orgs[0]}]
    doc["events"] = [{"id": "ev-0", "name": draw(NAMES), "date": draw(dates()),
                      "place": areas[-1], "participants": actors,
                      "participant_count": draw(st.integers(0, 500)),
                      "for": ["st-0"], "outcome": draw(TEXT)}]
    return doc


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_generated_datasets_round_trip(tmp_path_factory, doc):
    folder = tmp_path_factory.mktemp("gen")
    (folder / "facts.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    facts = load_facts(folder)
    canonical = facts.canonical()
    assert roundtrip(facts) == canonical
    assert text(in_reading_order(canonical)) == text(roundtrip(facts))  # keys sorted in YAML
    again = folder / "again"
    again.mkdir()
    (again / "facts.yaml").write_text(to_yaml(roundtrip(facts)), "utf-8")
    assert load_facts(again).canonical() == canonical
