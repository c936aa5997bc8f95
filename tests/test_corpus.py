"""The corpus of bad and good datasets (tests/corpus/README.md describes the layout)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from graph.loader.facts import InvalidDataset, load_facts

CORPUS = Path(__file__).parent / "corpus"
BAD = sorted(p for p in (CORPUS / "bad").iterdir() if p.is_dir())
GOOD = sorted(p for p in (CORPUS / "good").iterdir() if p.is_dir())


def _expected(case: Path) -> list[tuple[str, list[str]]]:
    out = []
    for line in (case / "expected.txt").read_text("utf-8").splitlines():
        if line.strip():
            loc, _, keyword = line.partition("\t")
            out.append((loc.strip(), [k.lower() for k in keyword.strip().split("|")]))
    return out


def _location(problem, case: Path) -> str:
    if problem.path == str(case):
        return "."
    rel = os.path.relpath(problem.path, case).replace(os.sep, "/")
    return f"{rel}:{problem.line}" if problem.line is not None else rel


def _matches(expected_loc: str, loc: str) -> bool:
    if expected_loc.endswith(":*"):
        return loc.startswith(expected_loc[:-1])
    return expected_loc == loc


def test_corpus_is_large_enough():
    assert len(BAD) >= 40 and len(GOOD) >= 10


@pytest.mark.parametrize("case", BAD, ids=[p.name for p in BAD])
def test_bad_dataset_is_refused_at_the_right_places(case: Path):
    with pytest.raises(InvalidDataset) as info:
        load_facts(case, display=str(case))
    found = [(_location(p, case), p.message) for p in info.value.problems]
    shown = "\n".join(f"{loc}: {msg}" for loc, msg in found)
    expected = _expected(case)
    for loc, keywords in expected:
        hits = [msg for got, msg in found if _matches(loc, got)]
        assert hits, f"no error at {loc}; got:\n{shown}"
        assert any(k in m.lower() for m in hits for k in keywords), (
            f"error at {loc} lacks {keywords}; got:\n{shown}"
        )
    for loc, msg in found:
        assert any(_matches(e, loc) for e, _ in expected), f"unexpected error {loc}: {msg}"


@pytest.mark.parametrize("case", GOOD, ids=[p.name for p in GOOD])
def test_good_dataset_loads(case: Path):
    facts = load_facts(case)
    spec_file = case / "expect.json"
    if not spec_file.exists():
        return
    spec = json.loads(spec_file.read_text("utf-8"))
    for section, count in spec.get("counts", {}).items():
        assert len(facts.sections[section]) == count, section
    for section, ident, field, value in spec.get("values", []):
        entry = next(e for e in facts.sections[section] if e.get("id") == ident)
        got = entry.get(field)
        if isinstance(got, list) and isinstance(value, list):
            assert sorted(map(json.dumps, got)) == sorted(map(json.dumps, value)), (ident, field)
        else:
            assert got == value, (ident, field)


@pytest.mark.parametrize("case", BAD, ids=[p.name for p in BAD])
def test_bad_dataset_through_the_cli_prints_only_problem_lines(case: Path):
    from click.testing import CliRunner

    from cli import main

    result = CliRunner().invoke(main, ["validate", str(case)])
    assert result.exit_code == 1 and result.stdout == ""
    line = re.compile(re.escape(str(case)) + r"(/[^:]+:\d+)?: \S")
    for text in result.stderr.splitlines():
        assert line.match(text), text
