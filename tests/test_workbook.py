"""The planner's workbook: `export --format xlsx` and back in, lossless; an edited workbook
imports what is valid and reports every bad row as file:sheet:row: message."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import datetime

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from cli import main
from graph.export import to_workbook, workbook_layout
from graph.importers.workbook import import_workbook, read_workbook
from graph.loader.facts import load_facts
from tests.conftest import HEADER, SEED, write_dataset
from tests.test_roundtrip import datasets


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False,
                              prog_name="regiograph")


@pytest.fixture(scope="module")
def seed_book(tmp_path_factory):
    """The seed exported by the CLI (from the graph, as a user gets it)."""
    path = tmp_path_factory.mktemp("book") / "lapland.xlsx"
    result = run("export", SEED, "--format", "xlsx", "-o", path)
    assert result.exit_code == 0, result.output
    return path


def test_the_seed_comes_back_the_same(seed_book, seed_facts):
    result = import_workbook([seed_book])
    assert result.problems == []
    assert result.facts == seed_facts.canonical()
    assert result.counts["projects"] == len(seed_facts.canonical()["projects"])
    assert result.counts["people.posts"] == sum(len(p.get("posts", ()))
                                                for p in seed_facts.canonical()["people"])
    assert result.left_out == 0 and result.ok


def test_the_workbook_is_laid_out_for_people(seed_book):
    book = openpyxl.load_workbook(seed_book)
    assert book.sheetnames == list(workbook_layout())
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(c.font.b for c in sheet[1])
        assert 8 <= sheet.column_dimensions["A"].width <= 60
    header = [c.value for c in book["projects.funding.sources"][1]]
    assert header[:5] == ["projects", "position", "funders", "amount", "share"]
    assert book["events"].max_row >= 2 and "participant_count" in [c.value for c in
                                                                   book["events"][1]]


def test_xlsx_needs_an_output_file_and_build_writes_none(tmp_path):
    result = run("export", SEED, "--format", "xlsx")
    assert result.exit_code == 2 and "needs -o" in result.output
    assert run("build", SEED, "-o", tmp_path / "out").exit_code == 0
    assert not list((tmp_path / "out").rglob("*.xlsx"))


def test_a_generated_dataset_of_thousands_of_triples_comes_back(tmp_path):
    from graph.synth.generator import write

    write(tmp_path / "synth", 3000, seed=3)
    facts = load_facts(tmp_path / "synth").canonical()
    path = tmp_path / "synth.xlsx"
    path.write_bytes(to_workbook(facts))
    back, problems = read_workbook(path)
    assert problems == []
    assert back == facts


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(datasets())
def test_generated_texts_and_numbers_survive(tmp_path_factory, doc):
    """Names, notes and kinds of any letters, punctuation and symbols (a leading =, +, -,
    @ or ' among them), shares with decimals: the workbook gives them back as they were."""
    folder = tmp_path_factory.mktemp("gen")
    (folder / "facts.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    facts = load_facts(folder).canonical()
    path = folder / "gen.xlsx"
    path.write_bytes(to_workbook(facts))
    back, problems = read_workbook(path)
    assert problems == []
    assert back == facts


TRICKY = HEADER + """\
organisations:
  - id: o1
    name: "=HYPERLINK(\\"http://evil.example\\")"
    kind: "'quoted' in the source"
    note: "-kylä"
    alt_names: ["''two quotes", "+358 40 123", "back\\\\slash", "a_x0041_b", "two\\nlines", "@home"]
  - id: o2
    name: "'"
    kind: "\\ttabbed"
    note: "_x000D_ is how OOXML writes a carriage return"
areas:
  - id: a1
    name: {fi: Kemi, sv: Kemi}
    kind: municipality
    codes: {municipality: "047", iso3166-1: "246"}
projects:
  - id: p1
    name: "2008"
    status: running
    period: {from: 2008-11, to: "2009-02-28"}
    funding:
      total: 1000000000000000001
      sources:
        - funders: [o1]
          amount: 1000000000000000000
        - funders: o2
          amount: 1
          share: 1e-16
events:
  - id: e1
    name: Iso kokous
    participant_count: 100000000000000000000000000000000000000000000000000
"""


def test_formula_like_and_quoted_texts_are_neutralised_and_come_back(tmp_path):
    facts = load_facts(write_dataset(tmp_path / "d", {"facts.yaml": TRICKY})).canonical()
    path = tmp_path / "tricky.xlsx"
    path.write_bytes(to_workbook(facts))
    sheet = openpyxl.load_workbook(path)["organisations"]
    cells = {c.value: c.data_type for row in sheet.iter_rows(min_row=2) for c in row
             if c.value is not None}
    # as the CSV tables write them: a ' in front of what a spreadsheet would evaluate
    assert cells["'=HYPERLINK(\"http://evil.example\")"] == "s"
    assert "'-kylä" in cells and "'\ttabbed" in cells
    assert "''quoted' in the source" in cells  # a ' of its own gets one more
    assert "''" in cells  # the text "'"
    assert not any(v.startswith("=") for v in cells if isinstance(v, str))
    back, problems = read_workbook(path)
    assert problems == []
    assert back == facts


def _edit(seed_book, tmp_path):
    """The seed workbook as a planner leaves it after an afternoon in a spreadsheet."""
    book = openpyxl.load_workbook(seed_book)
    orgs = book["organisations"]
    cols = {c.value: c.column for c in orgs[1]}
    for row in orgs.iter_rows(min_row=2):
        if row[0].value == "lapin-liitto":  # a cell changed
            row[cols["name.en"] - 1].value = "Regional Council of Lapland (Lapin liitto)"

    def add(sheet, **values):
        header = [c.value for c in sheet[1]]
        sheet.append([values.get(h.replace(".", "_")) for h in header])
        return sheet.max_row

    add(orgs, id="uusi-toimisto", name_fi="Uusi toimisto", kind="association",
        area="kemi-tornio", source="kotisatama-2007")
    add(orgs, id="plus-ryhma", name_fi="'+358 ryhmä", kind="association")  # typed '+358…
    formula_row = add(orgs, id="kaava", name_fi='=HYPERLINK("http://evil.example")',
                      kind="association")  # a formula after all
    projects = book["projects"]
    pcols = {c.value: c.column for c in projects[1]}
    for row in projects.iter_rows(min_row=2):
        if row[0].value == "amo-2008":
            row[pcols["funding.total"] - 1].value = 87000.0  # Excel's float
            start = row[pcols["period.from"] - 1]
            start.value = datetime(2008, 1, 1)  # a date cell shown as a year
            start.number_format = "yyyy"
    bad_row = add(projects, id="uusi-hanke", name_fi="Uusi hanke", status="planned",
                  period_from="2008-13")
    shares = book["projects.funding.sources"]
    for row in shares.iter_rows(min_row=2):
        if row[0].value == "amo-2008" and row[1].value == 1:
            row[3].value, row[4].value = 60900.0, 70.0
    posts = book["people.posts"]
    for row in posts.iter_rows(min_row=2):
        if row[0].value == "jukka-kujala":
            row[5].value = datetime(2007, 5, 2)  # period.from as a date cell
            row[5].number_format = "d.m.yyyy"
    resp_row = add(book["responsibilities"], actor="uusi-toimisto", role="lead",
                   **{"for": "uusi-hanke"})
    path = tmp_path / "edited.xlsx"
    book.save(path)
    return path, formula_row, bad_row, resp_row


def test_an_edited_workbook_imports_what_is_valid_and_reports_the_rest(seed_book, tmp_path,
                                                                        seed_facts):
    path, formula_row, bad_row, resp_row = _edit(seed_book, tmp_path)
    result = import_workbook([path], ["plan.xlsx"])
    assert result.problems[:2] == [
        f"plan.xlsx:organisations:{formula_row}: column 'name.fi': a formula "
        '(=HYPERLINK("http://evil.example")); the import reads values, not formulas: type '
        "the value (a text that starts with = needs a ' in front)",
        f"plan.xlsx:projects:{bad_row}: column 'period.from': '2008-13' is not a date "
        "(YYYY, YYYY-MM or YYYY-MM-DD)",
    ]
    assert result.problems[2:] == [
        f"plan.xlsx:responsibilities:{resp_row}: column 'for': no strategy or priority or "
        f"project or network with id 'uusi-hanke': its row projects:{bad_row} is not imported",
    ]
    facts = result.facts
    orgs = {o["id"]: o for o in facts["organisations"]}
    assert orgs["uusi-toimisto"]["name"] == {"fi": "Uusi toimisto"}
    assert orgs["plus-ryhma"]["name"] == {"fi": "+358 ryhmä"}
    assert "kaava" not in orgs
    assert orgs["lapin-liitto"]["name"]["en"] == "Regional Council of Lapland (Lapin liitto)"
    amo = next(p for p in facts["projects"] if p["id"] == "amo-2008")
    assert amo["funding"]["total"] == 87000 and type(amo["funding"]["total"]) is int
    assert amo["funding"]["sources"][0]["share"] == 70
    assert amo["period"] == {"from": "2008"}
    assert "uusi-hanke" not in {p["id"] for p in facts["projects"]}
    jukka = next(p for p in facts["people"] if p["id"] == "jukka-kujala")
    assert jukka["posts"][0]["period"] == {"from": "2007-05-02"}
    before = seed_facts.canonical()
    assert result.counts["organisations"] == len(before["organisations"]) + 2
    assert result.counts["responsibilities"] == len(before["responsibilities"])
    assert result.left_out == 3
    # what was imported is a dataset the loader takes as it is
    assert load_facts(write_dataset(tmp_path / "again", {
        "f.yaml": __import__("graph.export", fromlist=["to_yaml"]).to_yaml(facts)})
    ).canonical() == facts


def _book(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


DATASET_SHEET = [["id", "title.fi", "lang"], ["t", "Testi", "fi"]]


def test_bad_rows_take_what_needs_them_along(tmp_path):
    path = tmp_path / "b.xlsx"
    path.write_bytes(_book({
        "dataset": DATASET_SHEET,
        "organisations": [["id", "name.fi", "kind", "colour"],
                          ["o1", "Yksi", "association", None],
                          ["o2", "Kaksi", "association", "red"],
                          ["o3", "Kolme", None, None]],
        "projects": [["id", "name.fi", "status", "funding.total"],
                     ["p1", "Hanke", "running", 100],
                     ["p2", "Toinen", "running", "100 €"]],
        "projects.funding.sources": [["projects", "position", "funders", "amount"],
                                     ["p1", 1, "o1", 60], ["p1", 2, "o1 o3", "forty"],
                                     ["p9", 1, "o1", 1]],
        "people.posts": [["people", "position", "organisation"], ["nobody", 1, "o1"]],
        "Sheet1": [["notes"], ["call Maija"]],
    }))
    result = import_workbook([path], ["b.xlsx"])
    assert result.problems == [
        "b.xlsx:organisations:1: column 'colour' is no field of an organisation: the 1 "
        "row(s) with a value in it are not imported (rows 3)",
        "b.xlsx:organisations:4: an organisation needs 'kind'",
        "b.xlsx:people.posts:2: column 'people': no row of sheet 'people' has the id "
        "'nobody'",
        "b.xlsx:projects:2: not imported: its row projects.funding.sources:3 is bad (a "
        "funding block is imported whole)",
        "b.xlsx:projects:3: column 'funding.total': '100 €' is not a number (write 87000 "
        "or 17.3: digits, no spaces, no units)",
        "b.xlsx:projects.funding.sources:2: column 'projects': a project 'p1' "
        "(projects:2) is not imported",
        "b.xlsx:projects.funding.sources:3: column 'amount': 'forty' is not a number "
        "(write 87000 or 17.3: digits, no spaces, no units)",
        "b.xlsx:projects.funding.sources:4: column 'projects': no row of sheet 'projects' "
        "has the id 'p9'",
        "b.xlsx:Sheet1: sheet 'Sheet1' is no table of the format; its 1 row(s) are not "
        "imported",
    ]
    assert [o["id"] for o in result.facts["organisations"]] == ["o1"]
    assert result.facts["projects"] == []
    assert result.counts == {"organisations": 1} and result.left_out == 8
    assert result.summary() == "Imported 2 of 10 rows (8 left out): 1 organisations."


def test_without_a_valid_dataset_row_nothing_is_imported(tmp_path):
    path = tmp_path / "n.xlsx"
    path.write_bytes(_book({"organisations": [["id", "name.fi", "kind"], ["o1", "Yksi", "x"]]}))
    facts, problems = read_workbook(path, "n.xlsx")
    assert facts is None
    assert problems == ["n.xlsx: no workbook has a 'dataset' sheet with a row (id, title, "
                        "lang); nothing is imported"]
    path.write_bytes(_book({"dataset": [["id", "title.fi", "lang"], ["t", "T", "xx-yy-zz"]]}))
    facts, problems = read_workbook(path, "n.xlsx")
    assert facts is None and problems[0].startswith("n.xlsx:dataset:2: column 'lang': ")
    (tmp_path / "not.xlsx").write_text("id,name\n", "utf-8")
    facts, problems = read_workbook(tmp_path / "not.xlsx", "not.xlsx")
    assert facts is None and problems[0].startswith("not.xlsx: not an XLSX workbook")
    broken = tmp_path / "broken.xlsx"  # a sheet cut in half: a problem, not a traceback
    with zipfile.ZipFile(io.BytesIO(_book({"dataset": DATASET_SHEET}))) as zin, \
            zipfile.ZipFile(broken, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, data[: len(data) // 2] if "worksheets/" in item.filename
                          else data)
    facts, problems = read_workbook(broken, "broken.xlsx")
    assert facts is None and problems[1].startswith("broken.xlsx:dataset: the sheet cannot "
                                                    "be read (")


def test_several_workbooks_join_like_the_files_of_a_folder(tmp_path):
    first, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    first.write_bytes(_book({"dataset": DATASET_SHEET,
                             "areas": [["id", "name.fi", "kind", "codes.municipality"],
                                       ["kemi", "Kemi", "municipality", "047"]]}))
    second.write_bytes(_book({"organisations": [["id", "name.fi", "kind", "area"],
                                                ["o1", "Yksi", "association", "kemi"],
                                                ["kemi", "Kaksi", "association", None]]}))
    result = import_workbook([first, second], ["1.xlsx", "2.xlsx"])
    assert result.problems == ["2.xlsx:organisations:3: id 'kemi' is defined twice (first "
                               "at 1.xlsx:areas:2); ids are unique across the dataset"]
    assert result.facts["areas"][0]["codes"] == {"municipality": "047"}
    assert result.counts == {"areas": 1, "organisations": 1}


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) is not installed here: the workbook's "
                           "opening in LibreOffice is not tested")
def test_libreoffice_opens_and_saves_it_back(seed_book, tmp_path, seed_facts):
    """LibreOffice reads the workbook and saves it again (as a planner's save does): the
    seed and the formula-like and quoted texts come back. (LibreOffice 7.4 writes a
    literal ``_xHHHH_`` back unescaped, so such a text is left out here: it comes back as
    the character; Excel escapes it.)"""
    tricky = TRICKY.replace("a_x0041_b", "a_b").replace("_x000D_ is", "x000D is")
    facts = load_facts(write_dataset(tmp_path / "d", {"facts.yaml": tricky})).canonical()
    (tmp_path / "tricky.xlsx").write_bytes(to_workbook(facts))
    for book, expected in ((seed_book, seed_facts.canonical()),
                           (tmp_path / "tricky.xlsx", facts)):
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile",
                        "--headless", "--convert-to", "xlsx", "--outdir", str(tmp_path / "lo"),
                        str(book)], check=True, timeout=180, capture_output=True)
        back, problems = read_workbook(tmp_path / "lo" / book.name)
        assert problems == []
        assert back == expected


def test_cells_typed_by_hand_come_back_as_the_format_wants(tmp_path):
    path = tmp_path / "h.xlsx"
    path.write_bytes(_book({
        "dataset": DATASET_SHEET,
        "areas": [["id", "name", "kind", "codes.municipality"],
                  ["kemi", "Kemi", "municipality", 240], ["tornio", "Tornio", "municipality",
                                                          "851"]],
        "organisations": [["id", "name.fi", "kind", "area", "alt_names"],
                          ["o1", "Yksi", "association", "kemi, tornio", "Ykkönen\nEka"],
                          ["o2", "Kaksi", True, None, None]],
        "people": [["id", "name.fi"], ["p1", "Maija"]],
        "people.posts": [["people", "position", "organisation", "period.from"],
                         ["p1", 2, "o1", 2008.0], ["p1", 1.0, "o1", "2001-02-03"]],
        "events": [["id", "name.fi", "date", "participant_count"],
                   ["e1", "Seminaari", "2009-01", 30.0]],
    }))
    result = import_workbook([path], ["h.xlsx"])
    assert result.problems == ["h.xlsx:organisations:3: column 'kind': TRUE is a truth "
                               "value; this column takes no truth values"]
    facts = result.facts
    assert facts["areas"][0]["name"] == {"fi": "Kemi"}  # a plain name: the dataset's language
    assert facts["areas"][0]["codes"] == {"municipality": "240"}
    assert facts["organisations"] == [{"id": "o1", "name": {"fi": "Yksi"},
                                       "kind": "association", "area": ["kemi", "tornio"],
                                       "alt_names": ["Eka", "Ykkönen"]}]
    assert [p["period"] for p in facts["people"][0]["posts"]] == [{"from": "2001-02-03"},
                                                                  {"from": "2008"}]
    assert facts["events"][0]["participant_count"] == 30
    assert facts["events"][0]["date"] == "2009-01"
    assert result.counts == {"areas": 2, "organisations": 1, "people": 1, "people.posts": 2,
                             "events": 1}


def test_what_the_loader_refuses_lands_on_its_row_and_column(tmp_path):
    path = tmp_path / "c.xlsx"
    path.write_bytes(_book({
        "dataset": DATASET_SHEET,
        "areas": [["id", "name.fi", "kind", "part_of"], ["a", "A", "region", "b"],
                  ["b", "B", "region", "a"], ["c", "C", "region", "a"]],
        "organisations": [["id", "name.fi", "kind", "area"], ["o1", "Yksi", "x", None],
                          ["o2", "Kaksi", "x", "c"]],
        "projects": [["id", "name.fi", "status", "funding.total", "partners", "period.from",
                      "period.to"],
                     ["p1", "Hanke", "running", 100, "o1 o2 o2", 2009, 2008],
                     ["p2", "H2", "runing", None, None, None, None],
                     ["p3", "H3", "running", 100, None, None, None]],
        "projects.funding.sources": [["projects", "position", "funders", "amount", "share"],
                                     ["p3", 1, "o1", 60, 50], ["p3", 2, "o1", 40, None]],
    }))
    result = import_workbook([path], ["c.xlsx"])
    assert result.problems == [
        "c.xlsx:areas:2: part_of forms a cycle: a → b → a",
        "c.xlsx:areas:3: column 'part_of': no area with id 'a': its row areas:2 is not "
        "imported",
        "c.xlsx:areas:4: column 'part_of': no area with id 'a': its row areas:2 is not "
        "imported",
        "c.xlsx:organisations:3: column 'area': no area with id 'c': its row areas:4 is not "
        "imported",
        "c.xlsx:projects:2: column 'partners': 'o2' is listed twice in 'partners'",
        "c.xlsx:projects:2: column 'period.to': period ends (2008) before it starts (2009)",
        "c.xlsx:projects:3: column 'status': 'runing' is not one of idea, planned, running, "
        "completed, cancelled (did you mean 'running'?)",
        "c.xlsx:projects:4: not imported: its row projects.funding.sources:2 is bad (a "
        "funding block is imported whole)",
        "c.xlsx:projects.funding.sources:2: column 'share': share 50 does not match amount "
        "60 of total 100 (60.00 %); they may differ by 0.5 points",
        "c.xlsx:projects.funding.sources:3: column 'projects': a project 'p3' (projects:4) "
        "is not imported",
    ]
    assert [o["id"] for o in result.facts["organisations"]] == ["o1"]
    assert result.facts["areas"] == [] and result.facts["projects"] == []
