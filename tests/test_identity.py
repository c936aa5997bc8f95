"""Who is who (graph.importers.identity): organisations merged by register id or by
normalised name and by nothing else; near names offered for review, never merged; a
person's decisions in same-as.csv honoured at the next import and never lost."""

from __future__ import annotations

import csv
import random

import pytest
from stdnum.fi import ytunnus
from stdnum.se import orgnr as se_orgnr

from graph.importers import (
    NEAR_THRESHOLD,
    Decision,
    Mention,
    normalise_name,
    read_decisions,
    resolve,
    write_review,
)
from graph.model.names import slug

NOKIA = "0112038-9"  # Nokia Oyj
HELSINKI = "0201256-6"  # Helsingin kaupunki
LINKOPING = "212000-0969"  # checked valid below; used as an id of a Swedish municipality


def _ytunnus(body: str) -> str:
    """A Y-tunnus valid by python-stdnum: ``body`` and the check digit that fits (test
    values generated, not guessed)."""
    return next(f"{body}-{d}" for d in range(10) if ytunnus.is_valid(f"{body}-{d}"))


KEMI = _ytunnus("0209214")  # an id made up for the test: valid, not Kemi's own
OTHER = _ytunnus("1234567")


def m(name, row, codes=None, file="reg.csv", country=None):
    return Mention(name, codes or {}, country, file, row)


def by_name(result):
    return {o.name: o for o in result.organisations}


def test_the_ids_are_valid():
    assert ytunnus.is_valid(NOKIA) and ytunnus.is_valid(HELSINKI)
    assert ytunnus.is_valid(KEMI) and ytunnus.is_valid(OTHER) and KEMI != OTHER
    assert se_orgnr.is_valid(LINKOPING)


def test_normalise_name():
    assert normalise_name("Lapin liitto") == normalise_name("LAPIN  LIITTO") == \
        normalise_name("Lapin liitto.") == normalise_name(" lapin\tliitto ") == "lapin liitto"
    assert normalise_name("Kemi, kaupunki") == "kemi kaupunki"
    assert normalise_name("Ｌａｐｉｎ　liitto") == "lapin liitto"  # NFKC: full-width
    assert normalise_name("Straße") == normalise_name("STRASSE")  # casefold
    assert normalise_name("Lidköpings kommun") != normalise_name("Linköpings kommun")


def test_abbreviations_are_one_name_numbers_are_not():
    # a full stop, colon or apostrophe after a letter abbreviates or elides
    assert normalise_name("Bröderna A.B. Nilsson") == normalise_name("Bröderna AB Nilsson")
    assert normalise_name("S:t Olofs församling") == normalise_name("St Olofs församling")
    assert normalise_name("Café d'Or") == normalise_name("Café d’Or") == "café dor"
    # between digits it is a number's: "4.0" is not "40"
    assert normalise_name("Teollisuus 4.0 Oy") != normalise_name("Teollisuus 40 Oy")
    result = resolve([m("Bröderna A.B. Nilsson", 2), m("Bröderna AB Nilsson", 3),
                      m("Teollisuus 4.0 Oy", 4), m("Teollisuus 40 Oy", 5)])
    merged = by_name(result)
    assert len(result.organisations) == 3
    assert {"Bröderna A.B. Nilsson", "Bröderna AB Nilsson"} <= \
        {n for o in result.organisations for n in [o.name, *o.alt_names]}
    assert "Teollisuus 4.0 Oy" in merged and "Teollisuus 40 Oy" in merged
    assert normalise_name("Nokia Oyj") != normalise_name("Nokia")  # legal forms stay
    assert normalise_name("Kittilä") != normalise_name("Kittila")  # and diacritics


def test_spellings_of_one_body_merge_by_normalised_name():
    r = resolve([m("Lapin liitto", 2), m("LAPIN  LIITTO", 3), m("Lapin liitto.", 4),
                 m("Lapin liitto", 5)])
    [org] = r.organisations
    assert (org.id, org.name, org.alt_names) == ("lapin-liitto", "Lapin liitto",
                                                 ["LAPIN LIITTO", "Lapin liitto."])
    assert [x.row for x in org.mentions] == [2, 3, 4, 5]
    assert r.review == [] and r.problems == []


def test_same_register_id_merges_different_spellings():
    r = resolve([m("Kemin kaupunki", 2, {"y-tunnus": KEMI}),
                 m("Kemi, kaupunki", 7, {"y-tunnus": KEMI.replace("-", "")}, "z.csv")])
    [org] = r.organisations
    assert org.name == "Kemin kaupunki"  # a tie: the first by file and row
    assert org.alt_names == ["Kemi, kaupunki"]
    assert org.codes == {"y-tunnus": KEMI} and org.country == "FI"
    assert r.review == []


def test_a_mention_without_id_joins_the_one_with_that_name():
    r = resolve([m("Nokia Oyj", 2, {"y-tunnus": NOKIA}), m("NOKIA OYJ", 3)])
    [org] = r.organisations
    assert org.codes == {"y-tunnus": NOKIA} and len(org.mentions) == 2


def test_same_name_different_ids_are_two_and_a_conflict():
    r = resolve([m("Kemin kaupunki", 2, {"y-tunnus": KEMI}),
                 m("Kemin kaupunki", 3, {"y-tunnus": OTHER}),
                 m("Kemin kaupunki", 4)])  # which one? neither: offered for review
    assert len(r.organisations) == 3
    assert sorted(o.id for o in r.organisations) == ["kemin-kaupunki", "kemin-kaupunki-2",
                                                     "kemin-kaupunki-3"]
    conflicts = r.conflicts
    assert len(conflicts) == 3 and all(p.similarity == 100 for p in conflicts)
    both = [p for p in conflicts if p.name_ids and p.other_ids]
    assert [p.note for p in both] == ["the same name, different register ids"]


def test_lidkoping_and_linkoping_are_near_never_merged():
    r = resolve([m("Lidköpings kommun", 2), m("Linköpings kommun", 3),
                 m("Lidköpings kommun", 4, file="b.csv")])
    assert sorted(o.id for o in r.organisations) == ["lidkopings-kommun", "linkopings-kommun"]
    [pair] = r.review
    assert (pair.name, pair.other_name) == ("Lidköpings kommun", "Linköpings kommun")
    assert NEAR_THRESHOLD <= pair.similarity < 100 and not pair.same_name
    assert pair.note == "words differ: lidköpings / linköpings"
    assert pair.name_rows == "b.csv:4 reg.csv:2" and pair.other_rows == "reg.csv:3"


def test_near_names_with_different_ids_are_not_offered():
    r = resolve([m("Lidköpings kommun", 2, {"organisationsnummer": "212000-1744"}),
                 m("Linköpings kommun", 3, {"organisationsnummer": LINKOPING})])
    assert len(r.organisations) == 2 and r.review == []


def test_legal_form_only_is_near():
    r = resolve([m("Nokia", 2), m("Nokia Oyj", 3), m("Kemin kaupunki", 4),
                 m("Torin kaupunki", 5)])
    assert len(r.organisations) == 4
    assert [(p.name, p.other_name, p.similarity, p.note) for p in r.review] == [
        ("Nokia", "Nokia Oyj", 100, "differ only in legal form or word order")]


def test_a_wrong_check_digit_is_reported_and_not_matched():
    wrong = NOKIA[:-1] + "8"
    r = resolve([m("Nokia Oyj", 2, {"y-tunnus": NOKIA}),
                 m("Nokia Solutions", 9, {"y-tunnus": wrong}, "b.csv")])
    assert len(r.organisations) == 2
    solutions = by_name(r)["Nokia Solutions"]
    assert solutions.codes == {}
    assert r.problems == [f"b.csv:9: '{wrong}' is not a valid Y-tunnus: the check digit "
                          "should be 9 (not used to match organisations)"]


def test_unknown_scheme_and_empty_values():
    r = resolve([m("A", 2, {"kvk": "1", "y-tunnus": ""}), m("  ", 3)])
    assert [o.name for o in r.organisations] == ["A"]
    assert r.problems[0].startswith("reg.csv:2: 'kvk' is not a register id scheme")
    assert r.problems[1] == "reg.csv:3: an organisation without a name (row ignored)"


def _review(tmp_path, result, decisions=()):
    path = tmp_path / "same-as.csv"
    write_review(path, result.review, decisions)
    return path


def _decide(path, decision, names):
    rows = list(csv.reader(path.read_text("utf-8-sig").splitlines()))
    for row in rows[1:]:
        if {row[2], row[3]} == set(names):
            row[0] = decision
    _write_rows(path, rows)


def _write_rows(path, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


KOMMUNER = [m("Lidköpings kommun", 2), m("Linköpings kommun", 3)]


def test_review_file_columns(tmp_path):
    path = _review(tmp_path, resolve(KOMMUNER))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(path.read_text("utf-8-sig").splitlines()))
    assert rows[0] == ["decision", "similarity", "name", "other_name", "name_ids",
                       "other_ids", "name_rows", "other_rows", "note", "comment"]
    assert rows[1][:4] == ["", "94", "Lidköpings kommun", "Linköpings kommun"]


def test_decision_same_is_honoured(tmp_path):
    path = _review(tmp_path, resolve(KOMMUNER))
    _decide(path, "same", ["Lidköpings kommun", "Linköpings kommun"])
    decisions, problems = read_decisions(path)
    assert problems == [] and decisions[0].decision == "same"
    r = resolve(KOMMUNER, decisions)
    [org] = r.organisations
    assert org.name == "Lidköpings kommun" and org.alt_names == ["Linköpings kommun"]
    assert r.review == [] and r.decisions[0].note == "merged"
    write_review(path, r.review, r.decisions)
    again, _ = read_decisions(path)
    assert [(d.decision, d.note) for d in again] == [("same", "merged")]


def test_decision_different_is_honoured_and_not_offered_again(tmp_path):
    path = _review(tmp_path, resolve(KOMMUNER))
    _decide(path, "Different", ["Lidköpings kommun", "Linköpings kommun"])
    decisions, problems = read_decisions(path)
    assert problems == [] and decisions[0].decision == "different"
    r = resolve([*KOMMUNER, m("Lidköpings kommun.", 9)], decisions)
    assert len(r.organisations) == 2 and r.review == []
    assert r.decisions[0].note == "kept apart"
    write_review(path, r.review, r.decisions)
    assert [(d.decision, d.name) for d in read_decisions(path)[0]] == [
        ("different", "Lidköpings kommun")]


def test_decisions_about_names_gone_are_kept_and_marked(tmp_path):
    path = _review(tmp_path, resolve(KOMMUNER))
    _decide(path, "different", ["Lidköpings kommun", "Linköpings kommun"])
    decisions, _ = read_decisions(path)
    r = resolve([m("Linköpings kommun", 3), m("Lapin liitto", 4), m("Lapin liito", 5)],
                decisions)
    write_review(path, r.review, r.decisions)
    rows, _ = read_decisions(path)
    assert [(d.decision, d.name, d.note) for d in rows] == [
        ("", "Lapin liito", "words differ: liito / liitto"),
        ("different", "Lidköpings kommun", "not met in this import: Lidköpings kommun")]


def test_undecided_pairs_are_written_again_with_their_comment(tmp_path):
    path = _review(tmp_path, resolve(KOMMUNER))
    text = path.read_text("utf-8-sig").replace("\r\n", "\n").splitlines()
    text[1] = text[1] + "ask the county"
    path.write_text("\n".join(text) + "\n", "utf-8")
    decisions, _ = read_decisions(path)
    r = resolve(KOMMUNER, decisions)
    write_review(path, r.review, r.decisions)
    [row] = read_decisions(path)[0]
    assert (row.decision, row.comment) == ("", "ask the county")


def test_bad_decisions_are_problems_with_file_and_line(tmp_path):
    path = tmp_path / "same-as.csv"
    path.write_text("decision;similarity;name;other_name\n"  # a Nordic spreadsheet's CSV
                    "kyllä;94;Lidköpings kommun;Linköpings kommun\n"
                    "same;;Lapin liitto;\n", "utf-8")
    decisions, problems = read_decisions(path)
    assert problems == [
        f"{path}:2: decision 'kyllä' is not 'same', 'different' or empty (the row is kept, "
        "not used)",
        f"{path}:3: a row needs both name and other_name (kept, not used)"]
    r = resolve(KOMMUNER, decisions)
    assert len(r.organisations) == 2 and len(r.review) == 1
    write_review(path, r.review, r.decisions)
    kept = read_decisions(path)[0]
    assert [d.decision for d in kept] == ["", "kyllä", "same?"]
    assert kept[1].note == "decision not understood"


def test_same_refused_when_register_ids_differ(tmp_path):
    mentions = [m("Kemin kaupunki", 2, {"y-tunnus": KEMI}),
                m("Kemin kaupunki", 3, {"y-tunnus": OTHER})]
    path = _review(tmp_path, resolve(mentions))
    _decide(path, "same", ["Kemin kaupunki"])
    decisions, _ = read_decisions(path)
    r = resolve(mentions, decisions)
    assert len(r.organisations) == 2
    assert "cannot be one organisation: their Y-tunnus differ" in r.problems[0]
    assert r.decisions[0].note == "refused: their Y-tunnus differ"


def test_conflict_decided_different_is_not_offered_again(tmp_path):
    mentions = [m("Kemin kaupunki", 2, {"y-tunnus": KEMI}),
                m("Kemin kaupunki", 3, {"y-tunnus": OTHER})]
    path = _review(tmp_path, resolve(mentions))
    _decide(path, "different", ["Kemin kaupunki"])
    r = resolve(mentions, read_decisions(path)[0])
    assert len(r.organisations) == 2 and r.review == [] and r.problems == []


def test_same_name_without_id_can_be_given_to_one(tmp_path):
    mentions = [m("Kemin kaupunki", 2, {"y-tunnus": KEMI}),
                m("Kemin kaupunki", 3, {"y-tunnus": OTHER}), m("Kemin kaupunki", 4)]
    path = _review(tmp_path, resolve(mentions))
    rows = list(csv.reader(path.read_text("utf-8-sig").splitlines()))
    for row in rows[1:]:  # the row without ids belongs with KEMI
        row[0] = "same" if {row[4], row[5]} == {"", f"y-tunnus {KEMI}"} else "different"
    _write_rows(path, rows)
    r = resolve(mentions, read_decisions(path)[0])
    assert sorted(len(o.mentions) for o in r.organisations) == [1, 2]
    assert r.review == [] and r.problems == []


def test_formula_cells_are_neutralised_and_read_back(tmp_path):
    mentions = [m("=HYPERLINK(1)", 2), m("=HYPERLINK(2)", 3), m("-kylä", 4), m("@kylät", 5),
                m("'Ylikylä", 6), m("Ylikylät", 7)]
    path = _review(tmp_path, resolve(mentions))
    text = path.read_text("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "\n=" not in text and ",=" not in text
    assert ",'-kylä," in text and ",'@kylät," in text
    names = {(d.name, d.other_name) for d in read_decisions(path)[0]}
    assert ("=HYPERLINK(1)", "=HYPERLINK(2)") in names and ("-kylä", "@kylät") in names
    assert ",''Ylikylä," in text and ("'Ylikylä", "Ylikylät") in names


def test_ids_are_unique_slugs_whatever_the_order():
    mentions = [m("Kemin kaupunki", 2, {"y-tunnus": KEMI}),
                m("Kemin kaupunki", 3, {"y-tunnus": OTHER}),
                m("Kemin-kaupunki-2", 4),  # its own slug is the suffixed form of another
                m("Lapin liitto", 5), m("LAPIN LIITTO", 6), m("LAPIN LIITTO", 7),
                m("Lidköpings kommun", 8), m("Linköpings kommun", 9),
                m("Kemi, kaupunki", 10, {"y-tunnus": KEMI}),
                m("Nokia", 11), m("Nokia Oyj", 12, {"y-tunnus": NOKIA}),
                m("Nokia Oyj", 13, file="a.csv"), m("Nokia Oyj", 14, {"y-tunnus": "1"})]

    def shape(r):
        return ([(o.id, o.name, o.alt_names, o.codes, o.country,
                  [(x.file, x.row) for x in o.mentions]) for o in r.organisations],
                r.review, r.problems)

    first = shape(resolve(mentions))
    ids = [o[0] for o in first[0]]
    assert len(set(ids)) == len(ids) and "kemin-kaupunki-2" in ids
    assert all(i == slug(n) or i.startswith(slug(n) + "-") for i, n, *_ in first[0])
    assert by_name(resolve(mentions))["LAPIN LIITTO"].alt_names == ["Lapin liitto"]
    rng = random.Random(16)
    for _ in range(20):
        shuffled = mentions[:]
        rng.shuffle(shuffled)
        assert shape(resolve(shuffled)) == first


def _generated(n: int, seed: int = 1) -> list[str]:
    """``n`` distinct names of organisations, far from each other, made of syllables."""
    rng = random.Random(seed)
    syllables = ["ka", "la", "mi", "no", "pu", "ri", "sa", "te", "vo", "ul", "ro", "jä",
                 "ke", "lo", "ni", "ty", "hä", "ös", "be", "du"]
    kinds = ["Oy", "kunta", "ry", "AB", "kommun", "AS", "säätiö", "liitto"]
    names: set[str] = set()
    while len(names) < n:
        words = ["".join(rng.choice(syllables) for _ in range(rng.randint(3, 5)))
                 for _ in range(rng.randint(1, 2))]
        names.add(" ".join(w.capitalize() for w in words) + " " + rng.choice(kinds))
    return sorted(names)


def test_eight_thousand_organisations():
    """The scale of a register import (the time is measured by `make bench`): 8 000
    generated names, a second spelling of 500 of them, 50 planted near pairs."""
    names = _generated(8000)
    mentions = [m(name, row) for row, name in enumerate(names, 2)]
    mentions += [m(name.upper() + ".", row, file="z.csv")
                 for row, name in enumerate(names[:500], 2)]
    planted = {}  # one letter changed in a name of 8 letters or more besides its legal form
    longer = [name for name in names[1000:] if len(name.rsplit(" ", 1)[0]) >= 8]
    for k, name in enumerate(longer[:50]):
        near = name[:3] + ("x" if name[3] != "x" else "y") + name[4:]
        planted[name] = near
        mentions.append(m(near, k + 2, file="near.csv"))
    r = resolve(mentions)
    assert len(r.organisations) == 8050
    orgs = by_name(r)
    assert all(orgs[name].alt_names == [name.upper() + "."] for name in names[:500])
    found = {(p.name, p.other_name) for p in r.review} | \
        {(p.other_name, p.name) for p in r.review}
    assert all((a, b) in found for a, b in planted.items())
    assert all(p.similarity >= NEAR_THRESHOLD for p in r.review)
    assert r.problems == []


@pytest.mark.parametrize("text", ["decision,name\n", "name,other_name\nA,B\n"])
def test_a_header_without_columns(tmp_path, text):
    path = tmp_path / "same-as.csv"
    path.write_text(text, "utf-8")
    decisions, problems = read_decisions(path)
    assert decisions == [] and problems[0].startswith(f"{path}:1: the header lacks")


def test_missing_file_is_no_decisions(tmp_path):
    assert read_decisions(tmp_path / "none.csv") == ([], [])


def test_contradicting_decisions(tmp_path):
    decisions = [Decision("same", "Lidköpings kommun", "Linköpings kommun", line=2,
                          file="x.csv"),
                 Decision("different", "Linköpings kommun", "LIDKÖPINGS KOMMUN", line=3,
                          file="x.csv")]
    r = resolve(KOMMUNER, decisions)
    assert len(r.organisations) == 1
    assert r.problems == ["x.csv:3: 'different' for 'Linköpings kommun' and 'LIDKÖPINGS "
                          "KOMMUN' contradicts line 2 ('same'); the first holds"]


def test_different_about_one_organisation_is_a_problem():
    mentions = [m("Nokia Oyj", 2, {"y-tunnus": NOKIA}), m("Nokia Corporation", 3,
                                                          {"y-tunnus": NOKIA})]
    r = resolve(mentions, [Decision("different", "Nokia Oyj", "Nokia Corporation", line=2,
                                    file="x.csv")])
    assert len(r.organisations) == 1
    assert r.decisions[0].note == "not used: they are one organisation by register ids"
    assert r.problems == ["x.csv:2: 'Nokia Oyj' and 'Nokia Corporation' are one organisation "
                          f"(nokia-oyj) by register ids (y-tunnus {NOKIA}); 'different' "
                          "cannot hold"]
