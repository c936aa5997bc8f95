"""`regiograph import`: register files of the real layouts (tests/registers/) in as a valid
facts folder, with who is who, bad rows reported by file:row, personal data left out."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from graph.loader.facts import load_facts

REGISTERS = Path(__file__).resolve().parent / "registers"
FI = REGISTERS / "fi-structural-funds.csv"
SE = REGISTERS / "se-projektbanken.csv"
IR = REGISTERS / "interreg-partners.csv"


def run(*args):
    return CliRunner().invoke(main, ["import", *[str(a) for a in args]],
                              catch_exceptions=False)


def entries(out: Path, section: str) -> dict[str, dict]:
    facts = load_facts(out)
    return {e.get("id", str(n)): e for n, e in enumerate(facts.sections[section])}


@pytest.fixture
def fi(tmp_path) -> tuple[Path, object]:
    out = tmp_path / "fi"
    return out, run("fi-structural-funds", FI, "-o", out)


def test_the_finnish_list_imports_with_every_bad_row_named(fi):
    out, result = fi
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Imported 7 of 10 rows (3 refused) into ")
    assert result.stderr.splitlines()[:4] == [
        f"{FI}:7: '3456780-5' is not a valid Y-tunnus: the check digit should be 6 (not used "
        "to match organisations)",
        f"{FI}:8: column 'Aloituspvm': '31.2.2016' is not a calendar date",
        f"{FI}:9: column 'Toteuttajan nimi' is empty: the row names no beneficiary or partner",
        f"{FI}:10: column 'Tila': 'Odottaa' is not a status this format knows (Käynnissä, "
        "Hyväksytty, Päättynyt, Suljettu, Keskeytetty, Peruttu, Peruutettu, Valmisteilla); "
        "add it to the mapping's status: table",
    ]
    assert f"note: {FI}:4: 1 cell(s) more than the header: column 'Hankkeen nimi' held ';', " \
           "joined back" in result.stderr
    projects = entries(out, "projects")
    assert set(projects) == {"a70123", "a70124", "s20555", "s20777", "a70999", "a71000",
                             "a71004"}
    shifted = projects["s20555"]
    assert shifted["name"] == {"fi": "Osaajia Tunturi-Lappiin; vaihe I"}
    assert shifted["period"] == {"from": "2016-09-01", "to": "2018-08-31"}
    assert shifted["funding"]["total"] == 410500


def test_one_body_under_two_spellings_is_one_organisation(fi):
    out, _ = fi
    orgs = entries(out, "organisations")
    assert orgs["kemin-kaupunki"]["codes"] == {"y-tunnus": "1234567-1"}
    assert orgs["kemin-kaupunki"]["alt_names"] == ["KEMIN KAUPUNKI"]
    assert orgs["lapin-liitto"]["alt_names"] == ["Lapin liitto."]  # beneficiary and authority
    assert orgs["lapin-liitto"]["kind"] == "regional-council"
    # a wrong check digit is not used: the organisation is imported without it
    assert "codes" not in orgs["tornion-kaupunki"]
    projects = entries(out, "projects")
    assert projects["a70999"]["administrator"] == "lapin-liitto"
    assert projects["a70123"]["funding"]["sources"] == [{"funders": ["lapin-liitto"],
                                                         "amount": 240000}]


def test_the_programme_priorities_and_areas_of_the_finnish_list(fi):
    out, _ = fi
    [programme] = entries(out, "strategies").values()
    assert programme["kind"] == "programme"
    assert [p["name"]["fi"] for p in programme["priorities"]] == \
        ["Toimintalinja 1", "Toimintalinja 3", "Toimintalinja 2"]
    projects = entries(out, "projects")
    assert projects["a70123"]["implements"] == [programme["priorities"][0]["id"]]
    # placed only by its regional council, and it says so; an ELY centre places nothing
    assert projects["a70123"]["areas"] == ["fi-region-lappi"]
    assert "only the region of its funding authority (Lapin liitto)" in \
        projects["a70123"]["note"]
    assert "areas" not in projects["a71000"]
    resp = entries(out, "responsibilities")
    assert {"actor": "pohjois-pohjanmaan-ely-keskus", "role": "fund", "for": "a71000"} in \
        [{k: r[k] for k in ("actor", "role", "for")} for r in resp.values()]


def test_every_fact_cites_the_file_it_came_from(fi):
    out, _ = fi
    facts = load_facts(out)
    [source] = facts.sections["sources"]
    assert source["file"] == "fi-structural-funds.csv" and source["kind"] == "dataset"
    import hashlib

    assert hashlib.sha256(FI.read_bytes()).hexdigest() in source["note"]
    for section in ("organisations", "strategies", "projects", "responsibilities"):
        for entry in facts.sections[section]:
            assert entry["source"] == [source["id"]], (section, entry)
    manifest = json.loads((out / "import.json").read_text("utf-8"))
    assert manifest["rows"] == {"read": 10, "imported": 7, "refused": 3}


def test_near_names_are_offered_never_merged_and_decisions_are_honoured(tmp_path):
    out = tmp_path / "se"
    assert run("se-projektbanken", SE, "-o", out).exit_code == 0
    orgs = entries(out, "organisations")
    assert {"lidkopings-kommun", "linkopings-kommun"} <= set(orgs)
    with (out / "same-as.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [(r["name"], r["other_name"], r["decision"]) for r in rows] == \
        [("Lidköpings kommun", "Linköpings kommun", "")]

    def decide(old: str, word: str) -> None:  # as a person does in a spreadsheet
        path = out / "same-as.csv"
        text = path.read_bytes().decode("utf-8-sig")
        assert f"\r\n{old},94," in text
        path.write_bytes(text.replace(f"\r\n{old},94,", f"\r\n{word},94,").encode("utf-8-sig"))

    decide("", "different")
    again = run("se-projektbanken", SE, "-o", out)
    assert again.exit_code == 0 and "near names to decide" not in again.stdout
    assert {"lidkopings-kommun", "linkopings-kommun"} <= set(entries(out, "organisations"))
    decided = (out / "same-as.csv").read_text("utf-8-sig")
    assert "different,94,Lidköpings kommun" in decided and "kept apart" in decided

    decide("different", "same")
    assert run("se-projektbanken", SE, "-o", out).exit_code == 0
    orgs = entries(out, "organisations")
    assert "linkopings-kommun" not in orgs
    assert orgs["lidkopings-kommun"]["alt_names"] == ["Linköpings kommun"]


def test_the_swedish_list_same_register_id_and_areas(tmp_path):
    out = tmp_path / "se"
    result = run("se-projektbanken", SE, "-o", out)
    assert result.exit_code == 0
    assert f"{SE}:8: column 'beviljat_belopp_sek': 'abc' is not an amount" in result.stderr
    assert f"{SE}:9: column 'projekt_sluttid': the project ends (2020-12-31) before it " \
           "starts (2021-01-01)" in result.stderr
    assert f"note: {SE}:7: area 'Nowhere-by' is none of the reference areas" in result.stderr
    orgs = entries(out, "organisations")
    assert orgs["haparanda-kommun"]["codes"] == {"organisationsnummer": "212000-2718"}
    assert orgs["haparanda-kommun"]["alt_names"] == ["HAPARANDA KOMMUN"]
    projects = entries(out, "projects")
    assert projects["20201302"]["areas"] == ["se-kiruna", "se-lulea"]
    assert projects["20201303"]["areas"] == ["se-kiruna"]  # the unknown place left out
    assert projects["20201306"]["areas"] == ["se-region-norrbottens-lan"]  # no kommun: the län
    assert projects["20201234"]["funding"] == {"total": 2500000, "currency": "SEK"}
    assert projects["20201234"]["description"]["sv"].startswith("Utveckla besöksnäringen")
    assert "status completed: from its period" in projects["20201234"]["note"]


def test_personal_data_is_left_out_unless_asked_for(tmp_path):
    out = tmp_path / "se"
    result = run("se-projektbanken", SE, "-o", out)
    assert "3 row(s) had personal contact fields, not imported" in result.stdout
    written = "".join(p.read_text("utf-8-sig") for p in out.iterdir())
    for secret in ("Anna Andersson", "070-123", "example.se", "Bo Berg"):
        assert secret not in written
    out2 = tmp_path / "se2"
    assert run("se-projektbanken", SE, "-o", out2, "--personal").exit_code == 0
    people = entries(out2, "people")
    assert people["person-anna-andersson"]["posts"] == [
        {"organisation": "haparanda-kommun", "title": {"en": "project leader"}}]
    assert "e-mail anna.andersson@example.se" in people["person-anna-andersson"]["note"]
    assert "20201234, 20201235" in people["person-anna-andersson"]["note"]


def test_interreg_partners_lead_partner_and_budgets(tmp_path):
    out = tmp_path / "ir"
    result = run("interreg-partners", IR, "-o", out)
    assert result.exit_code == 0
    assert f"{IR}:8: column 'role': 'XP' is not a partner role (LP, PP, AP)" in result.stderr
    assert f"note: {IR}:9: area 'NO999' is none of the reference areas" in result.stderr
    projects = entries(out, "projects")
    tour = projects["arctictour"]
    assert tour["administrator"] == "lapin-liitto"
    assert tour["partners"] == ["haparanda-kommun", "troms-fylkeskommune", "visit-tornio-ry"]
    assert tour["areas"] == ["fi-region-lappi", "no-region-troms", "se-region-norrbottens-lan"]
    assert tour["funding"] == {"total": 850000, "currency": "EUR"}
    assert "Haparanda kommun 250000 EUR" in tour["note"]
    roles = {(r["actor"], r["role"], r["for"]) for r in entries(out, "responsibilities").values()}
    assert ("lapin-liitto", "lead", "arctictour") in roles
    assert ("haparanda-kommun", "participate", "arctictour") in roles
    orgs = entries(out, "organisations")
    assert orgs["troms-fylkeskommune"]["kind"] == "regional-council"
    assert orgs["haparanda-kommun"]["note"] == "ownership: public"


def test_strict_writes_nothing_and_exits_1(tmp_path):
    out = tmp_path / "fi"
    result = run("fi-structural-funds", FI, "-o", out, "--strict")
    assert result.exit_code == 1
    assert "(--strict): nothing was written" in result.stderr
    assert not out.exists()


def test_a_file_of_another_format_is_refused_whole(tmp_path):
    result = run("se-projektbanken", FI, "-o", tmp_path / "x")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {FI}:1: the header has no column 'ärende-id'")
    assert not (tmp_path / "x").exists()
    assert run("no-such-format", FI, "-o", tmp_path / "y").exit_code == 2


def test_a_folder_that_no_import_wrote_is_not_replaced(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.yaml").write_text("keep")
    result = run("fi-structural-funds", FI, "-o", out)
    assert result.exit_code == 1 and "holds files that no import wrote (notes.yaml)" in \
        result.stderr
    assert (out / "notes.yaml").read_text() == "keep"


def test_a_mapping_of_ones_own(tmp_path):
    register = tmp_path / "hankkeet.csv"
    register.write_text("nro\tnimi\ttekijä\talku\tkunta\n"
                        "1\tKylätalon korjaus\tKolarin kylät ry\t2021-05-01\tKolari\n"
                        "2\t=HYPERLINK(\"x\")\t@Kittilän kunta\t2022-01-01\tKittilä\n", "utf-8")
    mapping = tmp_path / "hankkeet.yaml"
    mapping.write_text("""
format: kylahankkeet
lang: fi
country: FI
uses: [reference/fi]
columns: [nro, nimi, tekijä, alku, kunta]
fields: {project.id: nro, project.name: nimi, organisation.name: tekijä,
         project.start: alku, project.areas: kunta}
programme: {id: kylat, name: Kylien kehittäminen}
""", "utf-8")
    out = tmp_path / "out"
    result = run(mapping, register, "-o", out, "--id", "kylat-2022")
    assert result.exit_code == 0, result.output
    facts = load_facts(out)
    assert facts.id == "kylat-2022"
    projects = {p["id"]: p for p in facts.sections["projects"]}
    assert projects["1"]["areas"] == ["fi-kolari"]
    assert projects["2"]["name"] == {"fi": '=HYPERLINK("x")'}  # text stays text
    assert "@Kittilän kunta" in [o["name"]["fi"] for o in facts.sections["organisations"]]


def test_list_and_usage():
    result = CliRunner().invoke(main, ["import", "--list"])
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == \
        ["fi-structural-funds", "interreg-partners", "se-projektbanken", "workbook"]
    assert CliRunner().invoke(main, ["import", "fi-structural-funds"]).exit_code == 2


def test_a_trailing_delimiter_is_not_a_shifted_row(tmp_path):
    text = FI.read_text("utf-8").splitlines()
    rows = [text[0], text[1] + ";", text[1].replace("A70123", "A70200") + ";;"]
    register = tmp_path / "trailing.csv"
    register.write_text("\n".join(rows) + "\n", "utf-8")
    result = run("fi-structural-funds", register, "-o", tmp_path / "out")
    assert result.exit_code == 0 and result.stderr == ""
    assert set(entries(tmp_path / "out", "projects")) == {"a70123", "a70200"}


def test_an_xlsx_register_imports_like_its_csv(tmp_path):
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    with SE.open(encoding="utf-8") as f:
        for n, cells in enumerate(csv.reader(f)):
            if n:  # typed as a spreadsheet types them: numbers, dates
                cells[3] = float(cells[3]) if cells[3].isdigit() else cells[3]
                cells[6] = dt.datetime.fromisoformat(cells[6])
            sheet.append(cells)
    book.save(tmp_path / "projekt.xlsx")
    a, b = tmp_path / "a", tmp_path / "b"
    assert run("se-projektbanken", SE, "-o", a).exit_code == 0
    assert run("se-projektbanken", tmp_path / "projekt.xlsx", "-o", b).exit_code == 0

    def comparable(out):
        projects = entries(out, "projects")
        for p in projects.values():
            p.pop("source")
        return projects

    assert comparable(a) == comparable(b)


def test_the_workbook_of_export_imports_back_to_the_same_facts(tmp_path):
    from tests.conftest import SEED

    book = tmp_path / "plan.xlsx"
    exported = CliRunner().invoke(main, ["export", str(SEED), "--format", "xlsx", "-o",
                                         str(book)])
    assert exported.exit_code == 0, exported.output
    out = tmp_path / "plan"
    result = run("workbook", book, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert load_facts(out).canonical() == load_facts(SEED).canonical()
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".yaml")[:2] == \
        ["areas.yaml", "dataset.yaml"]


def test_a_mapping_that_would_make_facts_the_format_refuses_is_a_usage_error(tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("""
format: x
lang: suomi
currency: euro
country: FIN
uses: [reference/dk]
columns: [a, b, c]
fields: {project.id: a, project.name: b, organisation.name: c, project.status: a}
status: {Käynnissä: runing}
programme: {name: P, period: {from: 2014-13}}
""", "utf-8")
    result = run(mapping, FI, "-o", tmp_path / "out")
    assert result.exit_code == 2
    for text in ("lang: 'suomi' is not a BCP 47", "currency: 'euro'", "country: 'FIN'",
                 "uses: 'reference/dk'", "status: Käynnissä: 'runing' is not one of",
                 "programme: period from: '2014-13' is not a date"):
        assert text in result.stderr, text
    assert not (tmp_path / "out").exists()


# -- what a review found (issue 16): each held -------------------------------------------

def _fi_rows(tmp_path, *rows: str, name: str = "r.csv", encoding: str = "utf-8",
             newline: str = "\n") -> Path:
    header = FI.read_text("utf-8").splitlines()[0]
    path = tmp_path / name
    path.write_bytes(newline.join([header, *rows, ""]).encode(encoding))
    return path


ROW = ("A1;EAKR;Hanke;1;Lapin liitto;Päättynyt;1.3.2015;31.12.2017;Kemin kaupunki;{amount};;"
       ";;")


@pytest.mark.parametrize(("amount", "total"), [("1 234 567,50", 1234567.5), ("1.234.567", 1234567),
                                               ("240000", 240000), ("€ 100", 100)])
def test_amounts_are_read_exactly(tmp_path, amount, total):
    out = tmp_path / "out"
    assert run("fi-structural-funds", _fi_rows(tmp_path, ROW.format(amount=amount)), "-o",
               out).exit_code == 0
    assert entries(out, "projects")["a1"]["funding"]["total"] == total


@pytest.mark.parametrize("amount", ["1.5", "12.34", "1,5,0", "1234567890123456", "-5"])
def test_an_amount_that_could_be_misread_is_refused(tmp_path, amount):
    result = run("fi-structural-funds", _fi_rows(tmp_path, ROW.format(amount=amount)), "-o",
                 tmp_path / "out")
    assert "column 'Myönnetty EU- ja valtion rahoitus'" in result.stderr
    assert "Imported 0 of 1 rows" in result.stdout


def test_swedish_kommun_names_find_the_municipality_not_the_lan(tmp_path):
    text = SE.read_text("utf-8").splitlines()
    row = text[1].replace("Haparanda,1,3", "Stockholms kommun; Jönköping; Gotland,1,3")
    register = tmp_path / "se.csv"
    register.write_text("\n".join([text[0], row]) + "\n", "utf-8")
    assert run("se-projektbanken", register, "-o", tmp_path / "out").exit_code == 0
    assert entries(tmp_path / "out", "projects")["20201234"]["areas"] == \
        ["se-gotland", "se-jonkoping", "se-stockholm"]


def test_one_code_in_two_programmes_is_two_projects_and_a_slug_clash_is_refused(tmp_path):
    head = IR.read_text("utf-8").splitlines()[0]
    rows = ["P1,GREEN,Green one,Org One,company,private,LP,FI1D7,100,PO1,1.1,2023-01-01,"
            "2024-12-31,FI",
            "P2,GREEN,Green two,Org Two,company,private,LP,FI1D7,200,PO1,1.1,2023-01-01,"
            "2024-12-31,FI",
            "P1,green!,Green three,Org Three,company,private,LP,FI1D7,300,PO1,1.1,2023-01-01,"
            "2024-12-31,FI"]
    register = tmp_path / "ir.csv"
    register.write_text("\n".join([head, *rows]) + "\n", "utf-8")
    result = run("interreg-partners", register, "-o", tmp_path / "out")
    assert "code 'green!' makes the same id (green) as the code 'GREEN'" in result.stderr
    projects = entries(tmp_path / "out", "projects")
    assert projects["green"]["name"] == {"en": "Green one"}
    assert projects["green-2"]["name"] == {"en": "Green two"}
    assert projects["green"]["funding"]["total"] == 100


def test_a_personnummer_is_personal_data(tmp_path):
    text = SE.read_text("utf-8").splitlines()
    row = text[3].replace("Lidköpings kommun,,", "Eva Ek Konsult,811218-9876,")
    register = tmp_path / "se.csv"
    register.write_text("\n".join([text[0], row]) + "\n", "utf-8")
    result = run("se-projektbanken", register, "-o", tmp_path / "out")
    assert "a personnummer (a sole trader's), personal data: left out" in result.stderr
    assert "811218" not in "".join(p.read_text("utf-8-sig") for p in
                                    (tmp_path / "out").iterdir())


def test_only_an_empty_or_imported_folder_is_replaced(tmp_path):
    out = tmp_path / "mine"
    (out / ".git").mkdir(parents=True)
    result = run("fi-structural-funds", FI, "-o", out)
    assert result.exit_code == 1 and "holds files that no import wrote (.git)" in result.stderr
    assert (out / ".git").is_dir()


def test_awkward_files_are_refused_in_one_line(tmp_path):
    cr = _fi_rows(tmp_path, ROW.format(amount="100"), name="cr.csv", newline="\r")
    assert run("fi-structural-funds", cr, "-o", tmp_path / "a").exit_code == 0
    huge = _fi_rows(tmp_path, ROW.format(amount="100").replace("Hanke", "x" * 2_000_000),
                    name="huge.csv")
    result = run("fi-structural-funds", huge, "-o", tmp_path / "b")
    assert result.exit_code == 1 and "a cell may hold at most" in result.stderr
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(_fi_rows(tmp_path, ROW.format(amount="100").replace("Hanke", "Hanke ä"))
                      .read_bytes() + "A2;EAKR;Luleå".encode("latin-1") + b"\n")
    result = run("fi-structural-funds", mixed, "-o", tmp_path / "c")
    assert result.exit_code == 1 and "is not UTF-8, while the rest of the file is" in \
        result.stderr


def test_decisions_saved_by_a_spreadsheet_in_cp1252_are_read_and_an_unreadable_file_kept(
        tmp_path):
    out = tmp_path / "se"
    assert run("se-projektbanken", SE, "-o", out).exit_code == 0
    review = out / "same-as.csv"
    text = review.read_bytes().decode("utf-8-sig").replace("\r\n,94,", "\r\ndifferent,94,")
    review.write_bytes(text.encode("cp1252"))  # as old Excel saves "CSV"
    again = run("se-projektbanken", SE, "-o", out)
    assert again.exit_code == 0 and "near names to decide" not in again.stdout
    assert "different,94,Lidköpings kommun" in review.read_bytes().decode("utf-8-sig")

    review.write_text("this is not, a review file\n", "utf-8")
    before = review.read_bytes()
    refused = run("se-projektbanken", SE, "-o", out)
    assert refused.exit_code == 1 and "holds the decisions about names" in refused.stderr
    assert review.read_bytes() == before


@pytest.mark.parametrize(("beneficiary", "authority", "column"), [
    ("...", "Lapin liitto", "Toteuttajan nimi"), ("Kemin kaupunki", "– / –", "Viranomainen")])
def test_a_name_of_only_punctuation_refuses_its_row(tmp_path, beneficiary, authority, column):
    good = ROW.format(amount="1000")
    bad = (f"A2;EAKR;Toinen hanke;1;{authority};Päättynyt;1.3.2015;31.12.2017;{beneficiary};"
           "1000;;;;")
    out = tmp_path / "out"
    result = run("fi-structural-funds", _fi_rows(tmp_path, good, bad), "-o", out)
    assert f"r.csv:3: column {column!r}" in result.stderr
    assert "names no organisation" in result.stderr
    assert "Imported 1 of 2 rows (1 refused)" in result.stdout
    assert set(entries(out, "projects")) == {"a1"}  # no project left without its administrator
