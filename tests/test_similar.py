"""The advisory check overlap.similar-projects (graph.checks.similar): projects whose
names and descriptions are alike, in intersecting areas and periods.

The ranking is measured on a realistic list of Lapland projects (Finnish, Swedish,
English and Sámi names, many sharing the words "kehittämishanke", "matkailu",
"hanke"): the pairs a planner wants to see (a development project and its investment
twin, phases of one programme, the same work registered twice) must score above the
pairs that merely share a common word.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import graph
from cli import main
from graph import checks
from graph.checks.similar import THRESHOLD, similar_pairs
from graph.model.names import folded as normalise

CHECK = "overlap.similar-projects"

HEAD = """\
format: 1
dataset: {id: lappi-hankkeet, title: Lapin hankkeet, lang: fi}
sources:
  - {id: rekisteri, title: Hankerekisteri}
  - {id: muistio, title: Muistio}
areas:
  - {id: suomi, name: Suomi, kind: country, country: FI}
  - {id: sverige, name: Sverige, kind: country, country: SE}
  - {id: lappi, name: Lappi, kind: region, part_of: suomi}
  - {id: norrbotten, name: Norrbotten, kind: region, part_of: sverige}
  - {id: meri-lappi, name: Meri-Lappi, kind: sub-region, part_of: lappi}
  - {id: tunturi-lappi, name: Tunturi-Lappi, kind: sub-region, part_of: lappi}
  - {id: kemi, name: Kemi, kind: municipality, part_of: meri-lappi}
  - {id: tornio, name: Tornio, kind: municipality, part_of: meri-lappi}
  - {id: rovaniemi, name: Rovaniemi, kind: municipality, part_of: lappi}
  - {id: kittila, name: Kittilä, kind: municipality, part_of: tunturi-lappi}
  - {id: inari, name: Inari, kind: municipality, part_of: lappi}
  - {id: haaparanta, name: Haparanda, kind: municipality, part_of: norrbotten}
organisations:
  - {id: digipolis, name: Digipolis Oy, kind: development-agency}
  - {id: lapin-liitto, name: Lapin liitto, kind: regional-council}
  - {id: kemin-kaupunki, name: Kemin kaupunki, kind: municipality}
  - {id: lappia, name: Lappia, kind: school}
  - {id: haparanda-kommun, name: Haparanda kommun, kind: municipality}
  - {id: siida, name: Sámi Siida, kind: association}
"""

# id, name, description, areas, period, administrator
PROJECTS = [
    ("kt-matkailu", "Kemi-Tornion matkailun kehittämishanke",
     "Kehitetään Kemi-Tornion alueen matkailupalveluja ja matkailuyritysten yhteistyötä.",
     ["kemi", "tornio"], (2015, 2018), "digipolis"),
    ("kt-matkailu-inv", "Kemi-Tornion matkailun kehittämishanke, investoinnit",
     "Kemi-Tornion matkailun kehittämishankkeen investoinnit: opasteet ja palvelurakenteet.",
     ["kemi", "tornio"], (2016, 2018), "digipolis"),
    ("lumo-1", "Lumolinnan elämysmatkailun tuotteistaminen, vaihe I",
     "Lumolinnan talvimatkailutuotteiden tuotteistaminen ja myynti.",
     ["kemi"], (2012, 2014), "kemin-kaupunki"),
    ("lumo-2", "Lumolinnan elämysmatkailun tuotteistaminen, vaihe II",
     "Lumolinnan talvimatkailutuotteiden tuotteistamisen jatko ja kansainvälinen myynti.",
     ["kemi"], (2014, 2016), "kemin-kaupunki"),
    ("lapin-matkailu", "Lapin matkailun kehittämishanke",
     "Maakunnan matkailustrategian toimeenpano.", ["lappi"], (2015, 2019), "lapin-liitto"),
    ("kemin-koulut", "Kemin koulujen kehittämishanke",
     "Koulurakennusten peruskorjausten suunnittelu.", ["kemi"], (2016, 2018),
     "kemin-kaupunki"),
    ("kylakoulut", "Tornionlaakson kyläkoulujen kehittämishanke",
     "Kyläkoulujen etäopetuksen kokeilu.", ["tornio"], (2015, 2017), "lappia"),
    ("yrityspalvelut", "Meri-Lapin yrityspalvelujen kehittämishanke",
     "Yritysneuvonnan palvelupolku.", ["meri-lappi"], (2014, 2018), "digipolis"),
    ("keskusta", "Rovaniemen keskustan kehittämishanke",
     "Ydinkeskustan kaavoitus ja liikenne.", ["rovaniemi"], (2015, 2018), "lapin-liitto"),
    ("kaivos", "Kittilän kaivoksen ympäristöseurantahanke",
     "Vesistöjen seuranta kaivoksen ympäristössä.", ["kittila"], (2013, 2019), "lapin-liitto"),
    ("osaaminen", "Meri-Lapin teollisuuden osaamisen kehittäminen",
     "Koulutusta teollisuuden työntekijöille.", ["meri-lappi"], (2015, 2017), "lappia"),
    ("digi", "Lapin digitalisaation kehittäminen",
     "Kuntien sähköisten palvelujen kehittäminen.", ["lappi"], (2016, 2020), "lapin-liitto"),
    ("turism-1", "Gränsöverskridande turismutveckling Haparanda-Torneå",
     "Gemensam marknadsföring av turismen i Haparanda och Torneå.",
     ["haaparanta", "tornio"], (2016, 2018), "haparanda-kommun"),
    ("turism-2", "Gränsöverskridande turismutveckling Haparanda-Torneå, etapp 2",
     "Fortsatt gemensam marknadsföring av turismen i Haparanda och Torneå.",
     ["haaparanta", "tornio"], (2018, 2020), "haparanda-kommun"),
    ("skola", "Utveckling av skolorna i Haparanda",
     "Skolornas digitala utveckling.", ["haaparanta"], (2016, 2019), "haparanda-kommun"),
    ("giella-1", "Anára sámegiela giellabeassi",
     "Giellabeassi mánáide Anáris.", ["inari"], (2014, 2016), "siida"),
    ("giella-2", "Anára sámegiela giellabeassi, nubbi muddu",
     "Giellabeassi mánáide Anáris, joatkka.", ["inari"], (2016, 2018), "siida"),
    ("arctic", "Arctic smart specialisation platform",
     "A platform for the region's smart specialisation.", ["lappi"], (2017, 2020),
     "lapin-liitto"),
    ("arctic-en", "Arctic tourism development project",
     "Developing tourism services in Lapland.", ["lappi"], (2016, 2019), "digipolis"),
]

#: the pairs a planner wants to see
WANTED = [("kt-matkailu", "kt-matkailu-inv"), ("lumo-1", "lumo-2"),
          ("turism-1", "turism-2"), ("giella-1", "giella-2")]
#: pairs that share only a common word
COMMON = [("kemin-koulut", "lapin-matkailu"), ("kemin-koulut", "kylakoulut"),
          ("keskusta", "lapin-matkailu"), ("digi", "osaaminen"), ("skola", "turism-1"),
          ("kemin-koulut", "yrityspalvelut")]


def facts(projects=PROJECTS, extra: str = "") -> str:
    out = [HEAD, "projects:"]
    for pid, name, desc, areas, period, admin in projects:
        out.append(f"  - id: {pid}")
        out.append(f"    name: {json.dumps(name, ensure_ascii=False)}")
        if desc:
            out.append(f"    description: {json.dumps(desc, ensure_ascii=False)}")
        out.append("    status: running")
        if areas is not None:
            out.append(f"    areas: [{', '.join(areas)}]")
        if period:
            out.append(f"    period: {{from: {period[0]}, to: {period[1]}}}")
        out.append(f"    administrator: {admin}")
        out.append("    source: rekisteri")
    return "\n".join(out) + "\n" + extra


def write(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    (folder / "facts.yaml").write_text(text, "utf-8")
    return folder


def found(folder: Path) -> list:
    return checks.assess(graph.load(folder).store, [CHECK]).findings


def all_scores() -> dict[tuple[str, str], float]:
    """The score of every pair of PROJECTS, areas and periods aside."""
    ids = sorted(p[0] for p in PROJECTS)
    by_id = {p[0]: p for p in PROJECTS}
    names = [normalise(by_id[i][1]) for i in ids]
    descriptions = [normalise(by_id[i][2]) for i in ids]
    rows, cols, scores = similar_pairs(names, descriptions, 0.0)
    return {(ids[i], ids[j]): s for i, j, s in zip(rows, cols, scores.tolist(), strict=True)}


def pairs(findings) -> list[tuple[str, str]]:
    return [tuple(f.subjects) for f in findings]


# --------------------------------------------------------------------------- ranking


def test_the_pairs_a_planner_wants_rank_above_pairs_that_share_a_common_word():
    scores = all_scores()
    wanted = [scores[p] for p in WANTED]
    common = [scores.get(tuple(sorted(p)), 0.0) for p in COMMON]
    assert min(wanted) > max(common) + 0.15, (wanted, common)
    assert min(wanted) >= THRESHOLD > max(common)
    # the investment twin and the phases are the top of the whole list
    top = sorted(scores, key=scores.get, reverse=True)[:len(WANTED)]
    assert set(top) == set(WANTED)


def test_the_check_finds_exactly_the_wanted_pairs_best_first(tmp_path):
    findings = found(write(tmp_path, facts()))
    assert set(pairs(findings)) == set(WANTED)
    assert [f.score for f in findings] == sorted((f.score for f in findings), reverse=True)
    assert all(f.basis == "recorded" and f.advisory for f in findings)
    twin = next(f for f in findings if f.subjects == ["kt-matkailu", "kt-matkailu-inv"])
    assert twin.target == "kt-matkailu" and twin.sources == ["rekisteri"]
    alike = twin.alike_text()
    assert alike[0] == "same administrator: digipolis"
    assert "areas meet in kemi and tornio" in alike
    assert "periods overlap 2016–2018" in alike
    words_line = next(a for a in alike if a.startswith("shared words: "))
    assert {"tornion", "matkailun"} <= set(words_line.removeprefix("shared words: ").split(", "))
    # the rarest shared words come first: the common "kehittämishanke" is not first
    assert not words_line.startswith("shared words: kehittämishanke")
    text = twin.explain()
    assert text.startswith("kt-matkailu and kt-matkailu-inv look alike (score 0.60)")


def test_json_carries_score_and_alike_and_the_seven_are_unchanged(tmp_path):
    folder = write(tmp_path, facts())
    result = CliRunner().invoke(main, ["check", str(folder), "--format", "json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    similar = [f for f in out["findings"] if f["check"] == CHECK]
    assert len(similar) == len(WANTED)
    for f in similar:
        assert f["advisory"] is True and 0 <= f["score"] <= 1
        assert f["score"] == round(f["score"], 2)
        assert f["alike"] and all(isinstance(a, str) for a in f["alike"])
    # findings of the seven keep the contract's keys only
    for f in out["findings"]:
        if f["check"] != CHECK:
            assert set(f) == {"check", "subjects", "target", "explanation", "sources",
                              "basis", "statements"}
    # the advisory check comes after the seven
    order = [f["check"] for f in out["findings"]]
    assert order[-len(similar):] == [CHECK] * len(similar)


# --------------------------------------------------------------------------- where, when


TWINS = [
    ("a-kehitys", "Kemi-Tornion matkailun kehittämishanke", "", ["kemi"], (2015, 2018),
     "digipolis"),
    ("b-investoinnit", "Kemi-Tornion matkailun kehittämishanke, investoinnit", "",
     ["kemi"], (2016, 2018), "lapin-liitto"),
]


def twins(**changes) -> list:
    out = []
    for project in TWINS:
        pid, name, desc, areas, period, admin = project
        pid_changes = changes.get(pid, {})
        out.append((pid, name, desc, pid_changes.get("areas", areas),
                    pid_changes.get("period", period), admin))
    return out


def test_twins_in_one_place_and_time_are_found(tmp_path):
    (f,) = found(write(tmp_path, facts(twins())))
    assert f.subjects == ["a-kehitys", "b-investoinnit"] and f.score >= THRESHOLD
    assert "same administrator" not in " ".join(f.alike_text())


@pytest.mark.parametrize("change", [
    {"b-investoinnit": {"areas": ["rovaniemi"]}},              # another municipality
    {"b-investoinnit": {"areas": ["haaparanta"]}},             # another country
    {"a-kehitys": {"areas": ["tunturi-lappi"]}},               # a sister sub-region
    {"b-investoinnit": {"period": (2019, 2020)}},              # after it ended
    {"a-kehitys": {"period": (2010, 2012)}},                   # before it began
], ids=["other-municipality", "other-country", "other-sub-region", "later", "earlier"])
def test_different_areas_or_periods_give_no_finding(tmp_path, change):
    assert found(write(tmp_path, facts(twins(**change)))) == []


def test_an_area_inside_the_other_and_missing_facts_do_not_exclude(tmp_path):
    (f,) = found(write(tmp_path, facts(twins(**{"b-investoinnit": {"areas": ["lappi"]}}))))
    assert "areas meet in kemi" in f.alike_text()
    (f,) = found(write(tmp_path, facts(twins(**{"b-investoinnit": {"period": None}}))))
    assert "period of b-investoinnit unknown (not excluded)" in f.alike_text()
    (f,) = found(write(tmp_path, facts(twins(**{"a-kehitys": {"areas": None}}))))
    assert "a-kehitys has no areas (everywhere)" in f.alike_text()


def test_a_cancelled_project_is_left_out(tmp_path):
    text = facts(twins()).replace("    status: running\n    areas: [kemi]\n    period: "
                                  "{from: 2016", "    status: cancelled\n    areas: [kemi]\n"
                                  "    period: {from: 2016")
    assert "cancelled" in text
    assert found(write(tmp_path, text)) == []


# --------------------------------------------------------------------------- text


def test_descriptions_count_and_any_language_map_is_read(tmp_path):
    projects = [
        ("kala-1", "Tornionjoen kalatalousselvitys", {"fi": "Lohen nousun seuranta "
         "Tornionjoessa ja kalastusmatkailun kehittäminen.", "sv": "Laxens vandring i "
         "Torne älv."}, ["tornio"], (2015, 2017), "lappia"),
        ("kala-2", "Tornionjoen lohiseuranta", {"fi": "Lohen nousun seuranta Tornionjoessa "
         "ja kalastusmatkailun kehittäminen."}, ["tornio"], (2016, 2017), "lappia"),
    ]
    text = facts([(p, n, "", a, per, adm) for p, n, _, a, per, adm in projects])
    assert found(write(tmp_path, text)) == []  # the names alone are not alike enough
    lines = []
    for pid, name, desc, areas, period, admin in projects:
        lines += [f"  - id: {pid}", f"    name: {name}", "    description:"]
        lines += [f"      {lang}: {json.dumps(t, ensure_ascii=False)}" for lang, t in desc.items()]
        lines += ["    status: running", f"    areas: [{', '.join(areas)}]",
                  f"    period: {{from: {period[0]}, to: {period[1]}}}",
                  f"    administrator: {admin}"]
    (f,) = found(write(tmp_path, HEAD + "projects:\n" + "\n".join(lines) + "\n"))
    assert f.subjects == ["kala-1", "kala-2"]
    assert "seuranta" in next(a for a in f.alike_text() if a.startswith("shared"))


def test_unicode_forms_and_case_compare_equal():
    composed = normalise("Anára SÁMEGIELA giellabeassi")
    decomposed = normalise("Ana\u0301ra sa\u0301megiela  Giellabeassi")
    assert composed == decomposed == "anára sámegiela giellabeassi"


def test_one_project_or_none_gives_no_pairs(tmp_path):
    rows, _, _ = similar_pairs(["yksi"], [""])
    assert len(rows) == 0
    rows, _, _ = similar_pairs(["", ""], ["", ""])
    assert len(rows) == 0
    assert found(write(tmp_path, facts(PROJECTS[:1]))) == []


# --------------------------------------------------------------------------- the CLI


def test_strict_counts_the_advisory_check_only_when_named(tmp_path):
    folder = write(tmp_path, facts(twins()))
    runner = CliRunner()

    def code(*args: str) -> int:
        return runner.invoke(main, ["check", str(folder), *args],
                             catch_exceptions=False).exit_code

    assert code("--strict") == 0          # the only finding is advisory
    assert code("--strict", "--only", CHECK) == 3
    assert code("--strict", "--only", f"gap.unmonitored,{CHECK}") == 3
    assert code("--strict", "--only", "gap.unmonitored") == 0
    assert code("--strict", "--skip", CHECK) == 0
    table = runner.invoke(main, ["check", str(folder)], catch_exceptions=False).output
    assert "ADVISORY: PROJECTS THAT LOOK ALIKE (1)" in table
    assert "look alike (score 0." in table


def test_it_is_listed_last_advisory_and_a_valid_says(tmp_path):
    names = checks.names()
    assert names[-1] == CHECK and len(names) == 8
    spec = checks.check_specs()[CHECK]
    assert spec.advisory and spec.builder == "similar"
    assert not any(s.advisory for n, s in checks.check_specs().items() if n != CHECK)
    runner = CliRunner()
    shown = runner.invoke(main, ["check", "--show-query", CHECK], catch_exceptions=False)
    assert shown.exit_code == 0 and "SELECT ?project ?what ?value" in shown.output
    listed = runner.invoke(main, ["queries"], catch_exceptions=False)
    assert CHECK in listed.output
    # a source that says the same work is done twice corroborates the finding
    said = facts(twins(), extra="""statements:
  - about: [a-kehitys, b-investoinnit]
    says: overlap.similar-projects
    quote: "samaa työtä tehdään kahdessa hankkeessa"
    source: muistio
""")
    assessment = checks.assess(graph.load(write(tmp_path, said)).store, [CHECK])
    (f,) = assessment.findings
    assert f.basis == "stated" and f.sources == ["muistio", "rekisteri"]
    assert assessment.statements[0].status == "corroborated"


def test_a_statement_of_it_conforms_to_the_shapes():
    case = Path(__file__).parent / "checks" / CHECK / "investment-twin"
    result = CliRunner().invoke(main, ["validate", str(case), "--shacl"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output


def test_the_ngrams_are_scikit_learns_char_wb():
    from sklearn.feature_extraction.text import CountVectorizer

    from graph.checks.similar import NGRAMS, ngrams

    reference = CountVectorizer(analyzer="char_wb", ngram_range=NGRAMS,
                                lowercase=False).build_analyzer()
    texts = ["a", "ab", "abc", "abcd", "kemi–tornion matkailun kehittämishanke, vaihe ii",
             "anára sámegiela giellabeassi", "gränsöverskridande turismutveckling 2016"]
    texts += [normalise(p[1] + " " + p[2]) for p in PROJECTS]
    for text in texts:
        assert ngrams(text) == reference(text), text


def test_every_planted_twin_of_a_register_like_list_is_found(tmp_path):
    """graph.synth.projects (the list `make bench` times at 3 000 projects), at 400:
    each investment twin and phase II is found with its original."""
    from graph.synth.projects import facts_yaml

    text = facts_yaml(400, seed=3)
    projects = json.loads(text)["projects"]
    planted = [(a["id"], b["id"])  # a twin follows its original
               for a, b in zip(projects, projects[1:], strict=False)
               if b["name"] in (a["name"] + ", investoinnit", a["name"] + ", vaihe II")]
    assert len(planted) >= 20
    found_pairs = set(pairs(found(write(tmp_path, text))))
    assert set(planted) <= found_pairs
