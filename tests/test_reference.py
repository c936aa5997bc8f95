"""Reference sets of official areas: the CSVs as their SOURCE notes describe them, the
areas made of them, `areas import`, and datasets that `uses:` them."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import Literal, NamedNode, Variable

from cli import main
from graph.dataset import Dataset
from graph.loader import reference
from graph.loader.facts import InvalidDataset, load_facts
from graph.model.names import slug
from graph.model.vocab import CODE, sparql_prologue
from graph.query.library import load_folder
from graph.rdf.mapping import from_triples, to_quads
from graph.store.store import data_triples, memory_store
from tests.conftest import HEADER, ROOT, SEED, write_dataset

REF = ROOT / "data" / "reference"
USES_ALL = HEADER + "  uses: [reference/fi, reference/se, reference/no]\n"


def rows(name: str) -> list[dict[str, str]]:
    file = "nuts.csv" if name == "nuts" else "municipalities.csv"
    with open(REF / name / file, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def by_code(name: str) -> dict[str, dict[str, str]]:
    return {r["code"]: r for r in rows(name)}


@pytest.fixture(scope="module")
def universe():
    return reference.universe()


@pytest.fixture(scope="module")
def used(tmp_path_factory) -> Dataset:
    folder = write_dataset(tmp_path_factory.mktemp("uses"), {"dataset.yaml": USES_ALL + """
areas:
  - id: tornionlaakso-x
    name: Tornionlaakso
    kind: cross-border-area
    part_of: [fi-region-lappi, se-region-norrbottens-lan]
organisations:
  - id: kemin-kaupunki
    name: Kemin kaupunki
    kind: municipality
    represents: fi-kemi
    area: [fi-kemi, se-haparanda, no-oslo]
"""})
    return Dataset.open(folder)


# --------------------------------------------------------------------------- the CSVs


def test_every_set_has_its_source_note_and_the_licences_are_noted():
    for name in reference.SETS:
        assert "## Source" in (REF / name / "SOURCE.md").read_text("utf-8")
    licences = (REF / "LICENCES.md").read_text("utf-8")
    assert "CC0 1.0" in licences and "CC BY 4.0" in licences and "10.2785/321792" in licences


@pytest.mark.parametrize("name, count", [("fi-municipalities", 308), ("se-municipalities", 290),
                                         ("no-municipalities", 357), ("nuts", 95)])
def test_row_count_is_the_one_in_source_md(name, count):
    assert len(rows(name)) == count
    assert f"**{count} rows**" in (REF / name / "SOURCE.md").read_text("utf-8")


def test_known_finnish_rows():
    fi = by_code("fi-municipalities")
    kemi = fi["240"]
    assert (kemi["name_fi"], kemi["region_code"], kemi["subregion_code"], kemi["nuts3_code"]) == \
        ("Kemi", "19", "192", "FI1D7")
    assert fi["751"]["name_fi"] == "Simo" and "843" not in fi  # SOURCE.md: Simo is 751
    for code, name in [("851", "Tornio"), ("273", "Kolari"), ("261", "Kittilä"),
                       ("047", "Enontekiö"), ("976", "Ylitornio"), ("854", "Pello")]:
        assert fi[code]["name_fi"] == name
    assert sum(r["region_code"] == "19" for r in fi.values()) == 21  # Lapland
    assert fi["851"]["name_sv"] == "Torneå"


def test_known_swedish_norwegian_and_nuts_rows():
    se = by_code("se-municipalities")
    assert (se["2583"]["name"], se["2583"]["county_code"]) == ("Haparanda", "25")
    assert se["2518"]["name"] == "Övertorneå" and se["2521"]["name"] == "Pajala"
    no = by_code("no-municipalities")
    assert no["0301"]["name"] == "Oslo"
    assert no["5610"]["name"] == "Kárášjohka - Karasjok"  # not swapped with 5612
    assert no["5612"]["name"] == "Guovdageaidnu - Kautokeino"
    nuts = by_code("nuts")
    assert (nuts["FI1D7"]["name"], nuts["FI1D7"]["parent_code"]) == ("Lappi", "FI1D")
    assert nuts["SE332"]["name"] == "Norrbottens län"
    assert nuts["NO072"]["name"] == "Troms/Romsa/Tromssa"
    assert {c: sum(r["country_code"] == c for r in nuts.values()) for c in ("FI", "SE", "NO")} \
        == {"FI": 30, "SE": 36, "NO": 29}


def test_the_shipped_sets_validate():
    assert reference.validate(reference.read_sets(REF)) == []


# --------------------------------------------------------------------------- validation


def broken_copy(tmp_path: Path, name: str, change) -> Path:
    folder = tmp_path / "ref"
    shutil.copytree(REF, folder)
    file = folder / name / ("nuts.csv" if name == "nuts" else "municipalities.csv")
    lines = file.read_text("utf-8").splitlines(keepends=True)
    file.write_text("".join(change(lines)), "utf-8")
    return folder


def test_a_duplicate_code_is_caught(tmp_path):
    folder = broken_copy(tmp_path, "se-municipalities", lambda lines: [*lines, lines[1]])
    problems = reference.validate(reference.read_sets(folder))
    assert problems == ["se-municipalities line 292: code '0114' is a duplicate "
                        "(first on line 2)"]
    with pytest.raises(reference.ReferenceError):
        reference.build_universe(reference.read_sets(folder))


def test_a_missing_parent_is_caught(tmp_path):
    folder = broken_copy(tmp_path, "nuts",
                         lambda lines: [x for x in lines if not x.startswith("FI1D,")])
    problems = reference.validate(reference.read_sets(folder))
    assert any("parent 'FI1D' of FI1D7 does not exist" in p for p in problems)
    assert any("NUTS 3" in p for p in problems) is False  # FI1D7 itself is still there
    folder2 = broken_copy(tmp_path / "b", "fi-municipalities",
                          lambda lines: [x.replace(",FI1D7", ",FI1D9X") for x in lines])
    problems = reference.validate(reference.read_sets(folder2))
    assert any("NUTS 3 'FI1D9X' of 240 does not exist" in p for p in problems)


def test_a_missing_column_is_reported(tmp_path):
    folder = broken_copy(tmp_path, "se-municipalities",
                         lambda lines: [lines[0].replace("county_code", "lan"), *lines[1:]])
    with pytest.raises(reference.ReferenceError, match="missing column"):
        reference.read_sets(folder)


# --------------------------------------------------------------------------- the areas


def test_areas_have_codes_names_and_the_whole_hierarchy(universe):
    areas = universe.areas
    kemi = areas["fi-kemi"]
    assert kemi["codes"] == {"municipality": "240"}
    assert kemi["name"] == {"en": "Kemi", "fi": "Kemi", "sv": "Kemi"}
    chain, node = [], "fi-kemi"
    while areas[node].get("part_of"):
        node = areas[node]["part_of"][0]
        chain.append(node)
    assert chain == ["fi-sub-region-kemi-tornio", "fi-region-lappi", "nuts-fi1d", "nuts-fi1",
                     "fi"]
    assert areas["fi-region-lappi"]["codes"] == {"nuts": "FI1D7", "region": "19"}
    assert areas["se-haparanda"]["part_of"] == ["se-region-norrbottens-lan"]
    assert areas["se-region-norrbottens-lan"]["codes"] == {"lanskod": "25", "nuts": "SE332"}
    assert areas["no-region-troms"]["name"] == {"fkv": "Tromssa", "no": "Troms", "se": "Romsa"}
    assert areas["no-region-troms"]["codes"] == {"fylkesnummer": "55", "nuts": "NO072"}
    assert areas["no-guovdageaidnu-kautokeino"]["name"] == {"no": "Guovdageaidnu - Kautokeino"}
    assert areas["fi"]["codes"] == {"iso3166-1": "FI", "nuts": "FI"}
    for area in areas.values():  # every parent exists and is an area of the universe
        assert all(p in areas for p in area.get("part_of", ()))


def test_set_sizes(universe):
    assert len(universe.select(["fi-municipalities"])) == 1 + 2 + 5 + 19 + 69 + 308
    assert len(universe.select(["nuts"])) == 95  # every NUTS row is one area
    assert len(universe.select(reference.SETS)) == len(universe.areas)


def test_name_clashes_get_country_qualified_ids(universe):
    ids = universe.areas
    assert ids["fi-rauma"]["codes"] == {"municipality": "684"}
    assert ids["no-rauma"]["country"] == "NO"
    assert ids["se-lund"]["codes"] == {"kommunkod": "1281"} and "no-lund" in ids
    assert ids["fi-rovaniemi"]["kind"] == "municipality"
    assert ids["fi-sub-region-rovaniemi"]["kind"] == "sub-region"
    # Håbo and Habo fold to the same slug: both get their code
    assert ids["se-habo-0305"]["name"] == {"sv": "Håbo"}
    assert ids["se-habo-0643"]["name"] == {"sv": "Habo"}
    assert "se-habo" not in ids
    assert slug("Herøy (Møre og Romsdal)") == "heroy-more-og-romsdal"


# --------------------------------------------------------------------------- areas import


def test_areas_import_all_writes_a_valid_dataset(tmp_path, universe):
    out = tmp_path / "areas.yaml"
    result = CliRunner().invoke(main, ["areas", "import", "--all", "-o", str(out)])
    assert result.exit_code == 0, result.output
    facts = load_facts(out)
    assert {s["id"] for s in facts.sections["sources"]} == {
        "ref-fi-municipalities", "ref-se-municipalities", "ref-no-municipalities", "ref-nuts"}
    assert sorted(facts.sections["areas"], key=lambda a: a["id"]) == \
        sorted(universe.areas.values(), key=lambda a: a["id"])


def test_areas_import_one_set_and_fragment(tmp_path):
    out = tmp_path / "se.yaml"
    result = CliRunner().invoke(main, ["areas", "import", "se-municipalities", "--fragment",
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert "dataset:" not in text and "kommunkod: '2583'" in text
    write_dataset(tmp_path / "ds", {"dataset.yaml": HEADER, "areas.yaml": text})
    facts = load_facts(tmp_path / "ds")
    assert len(facts.sections["areas"]) == 1 + 3 + 8 + 21 + 290


def test_areas_import_usage_errors(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["areas", "import", "-o", str(tmp_path / "x")]).exit_code == 2
    assert runner.invoke(main, ["areas", "import", "fi", "-o", str(tmp_path / "x")]).exit_code == 2
    assert runner.invoke(main, ["areas", "import", "nuts", "--all", "-o",
                                str(tmp_path / "x")]).exit_code == 2
    assert not (tmp_path / "x").exists()


# --------------------------------------------------------------------------- uses:


def test_a_dataset_with_uses_loads_builds_and_its_areas_are_queryable(used):
    rows_ = list(used.store.query(sparql_prologue() + """
        SELECT ?code ?name WHERE { ?a skos:notation ?code ; skos:prefLabel ?name .
                             FILTER(LANG(?name) = "sv") }""",
        substitutions={Variable("code"): Literal("851", datatype=CODE.municipality)}))
    assert [r["name"].value for r in rows_] == ["Torneå"]
    org = NamedNode(used.facts.dataset["base"] + "kemin-kaupunki")
    kemi = NamedNode(reference.REFERENCE_BASE + "fi-kemi")
    assert any(True for _ in used.store.quads_for_pattern(org, None, kemi))
    assert used.labels("sv")("tornionlaakso-x") == "Tornionlaakso"
    assert used.labels("sv")("fi-tornio") == "Torneå"
    assert used.info()["counts"]["areas"] == 1  # the dataset's own; the used are in the graph


def test_used_areas_round_trip_without_being_repeated(used, tmp_path):
    facts = used.facts
    back = from_triples(data_triples(memory_store(to_quads(facts))))
    assert back == facts.canonical()
    assert back["dataset"]["uses"] == ["reference/fi", "reference/no", "reference/se"]
    assert [a["id"] for a in back["areas"]] == ["tornionlaakso-x"]
    out = used.export("yaml", tmp_path / "facts.yaml")[0]
    assert load_facts(out).canonical() == facts.canonical()


def test_uses_is_strict(tmp_path):
    folder = write_dataset(tmp_path, {"dataset.yaml": HEADER + "  uses: [reference/fi, "
                                      "reference/sv, reference/fi]\nareas:\n  - id: fi-kemi\n"
                                      "    name: Kemi\n    kind: municipality\n"})
    with pytest.raises(InvalidDataset) as info:
        load_facts(folder)
    messages = [str(p) for p in info.value.problems]
    assert any("'reference/sv' is not a reference set (did you mean 'reference/se'?)" in m
               for m in messages)
    assert any("listed twice" in m for m in messages)
    assert any("dataset.yaml:8: id 'fi-kemi' is also an id of the reference areas" in m
               for m in messages)


def test_without_uses_nothing_is_read_and_the_ids_are_unknown(tmp_path):
    folder = write_dataset(tmp_path, {"dataset.yaml": HEADER + "organisations:\n  - id: o\n"
                                      "    name: O\n    kind: company\n    area: fi-kemi\n"})
    with pytest.raises(InvalidDataset, match="1 problem"):
        load_facts(folder)
    assert load_facts(SEED).used == {}


def test_code_links_in_the_graph(used):
    def match(ident):
        subject = NamedNode(reference.REFERENCE_BASE + ident)
        exact = NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch")
        return sorted(q.object.value for q in used.store.quads_for_pattern(subject, exact, None))

    assert match("fi-region-lappi") == ["http://data.europa.eu/nuts/code/FI1D7"]
    assert match("fi-kemi") == ["http://uri.suomi.fi/codelist/jhs/kunta_1_20230101/code/240"]
    assert match("se-region-norrbottens-lan") == ["http://data.europa.eu/nuts/code/SE332"]
    assert match("no-region-troms") == [] and match("se-haparanda") == []


# --------------------------------------------------------------------------- joins by code


def test_a_query_result_joins_with_the_reference_csv_by_code(used):
    query = load_folder("queries")["areas-with-codes"]
    result = used.store.query(sparql_prologue() + query.text)
    found = [{k: (r[k].value if r[k] is not None else "") for k in ("scheme", "code", "fi", "sv",
                                                                     "no", "area")}
             for r in result]
    fi, se, no = by_code("fi-municipalities"), by_code("se-municipalities"), \
        by_code("no-municipalities")
    joined = {"municipality": 0, "kommunkod": 0, "kommunenummer": 0}
    for row in found:
        if row["scheme"] == "municipality":
            assert fi[row["code"]]["name_fi"] == row["fi"]
            assert fi[row["code"]]["name_sv"] == row["sv"]
        elif row["scheme"] == "kommunkod":
            assert se[row["code"]]["name"] == row["sv"]
        elif row["scheme"] == "kommunenummer":
            assert no[row["code"]]["name"] == row["no"]
        else:
            continue
        joined[row["scheme"]] += 1
    assert joined == {"municipality": 308, "kommunkod": 290, "kommunenummer": 357}


def test_the_seed_areas_carry_the_official_codes_and_names(seed_facts):
    fi, se = by_code("fi-municipalities"), by_code("se-municipalities")
    areas = {a["id"]: a for a in seed_facts.sections["areas"]}
    for ident in ("kemi", "tornio", "kolari", "kittila", "enontekio", "ylitornio", "pello"):
        row = fi[areas[ident]["codes"]["municipality"]]
        assert areas[ident]["name"]["fi"] == row["name_fi"]
        assert areas[ident]["name"].get("sv", row["name_sv"]) == row["name_sv"]
    for ident in ("haaparanta", "pajala"):
        assert areas[ident]["name"]["sv"] == se[areas[ident]["codes"]["kommunkod"]]["name"]
    assert areas["haaparanta"]["codes"] == {"kommunkod": "2583"}
    subs = {r["subregion_code"]: r for r in fi.values()}
    for ident in ("kemi-tornio", "tunturi-lappi", "tornionlaakso"):
        row = subs[areas[ident]["codes"]["sub-region"]]
        assert areas[ident]["name"]["fi"] == row["subregion_name_fi"]
    assert areas["lappi"]["codes"] == {"region": "19", "nuts": "FI1D7"}


# --------------------------------------------------------------------------- installed wheel


def test_areas_import_works_from_an_installed_wheel(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path / "w"), str(ROOT)], check=True, capture_output=True)
    (wheel,) = (tmp_path / "w").glob("regiograph-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "graph/reference_data/nuts/nuts.csv" in names
    assert "graph/reference_data/fi-municipalities/SOURCE.md" in names
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(site), str(wheel)], check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run([sys.executable, str(site / "bin" / "regiograph"), "areas", "import",
                           "--all", "-o", "all.yaml"], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert len(load_facts(tmp_path / "all.yaml").sections["areas"]) == 1119
