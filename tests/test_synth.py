"""The synthetic-data generator: valid, deterministic, about the size asked, and its
planted findings are exactly what the checks find (issue 8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from graph.checks import CHECKS
from graph.dataset import Dataset
from graph.loader.facts import load_facts
from graph.rdf.mapping import to_triples
from graph.synth.generator import generate, write

SIZE = 10_000


def _key(finding: dict) -> tuple:
    return finding["check"], tuple(finding["subjects"]), finding["target"]


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("synth") / "s10k"
    result = CliRunner().invoke(main, ["synth", "--triples", str(SIZE), "-o", str(folder),
                                       "--seed", "11"])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="module")
def found(synth_dir) -> dict:
    ds = Dataset.open(synth_dir)
    return {_key(f.to_dict()): f.to_dict() for f in ds.check()}


@pytest.fixture(scope="module")
def planted(synth_dir) -> dict:
    doc = json.loads((synth_dir / "planted.json").read_text("utf-8"))
    assert doc["dataset"] == "synth"
    return {_key(f): f for f in doc["findings"]}


def test_checks_find_every_planted_finding_and_nothing_else(found, planted):
    assert set(found) - set(planted) == set(), "findings the generator did not plant"
    assert set(planted) - set(found) == set(), "planted findings the checks missed"


def test_every_check_has_planted_findings(planted):
    per_check = {name: sum(1 for k in planted if k[0] == name) for name in CHECKS}
    assert all(n >= 5 for n in per_check.values()), per_check


def test_planted_sources_match_and_explanations_name_the_ids(found, planted):
    for key, want in planted.items():
        got = found[key]
        assert got["sources"] == want["sources"], key
        assert got["sources"], key
        for ident in [*want["subjects"], want["target"]]:
            assert ident in got["explanation"], (key, got["explanation"])


def test_planted_json_has_the_shape_of_check_json(planted):
    for f in planted.values():
        assert set(f) == {"check", "subjects", "target", "explanation", "sources"}
        assert f["subjects"] == sorted(f["subjects"])


def test_written_dataset_validates_in_several_files(synth_dir):
    result = CliRunner().invoke(main, ["validate", str(synth_dir)])
    assert result.exit_code == 0, result.output
    assert len(list(synth_dir.rglob("*.yaml"))) >= 5


@pytest.mark.parametrize("size", [SIZE, 40_000])
def test_size_is_within_twenty_percent(size, tmp_path):
    write(tmp_path, size, seed=3)
    triples = sum(1 for _ in to_triples(load_facts(tmp_path)))
    assert 0.8 * size <= triples <= 1.2 * size, triples


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    write(tmp_path / "a", 5_000, seed=5)
    write(tmp_path / "b", 5_000, seed=5)
    write(tmp_path / "c", 5_000, seed=6)
    a, b, c = (_files(tmp_path / x) for x in "abc")
    assert a == b
    assert a != c


def test_generate_returns_facts_and_planted():
    out = generate(5_000, seed=2)
    assert out["facts"]["format"] == 1 and out["facts"]["dataset"]["id"] == "synth"
    assert out["planted"]["findings"]


def test_refuses_a_folder_with_other_yaml(tmp_path):
    (tmp_path / "mine.yaml").write_text("format: 1\n", "utf-8")
    result = CliRunner().invoke(main, ["synth", "--triples", "1000", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "did not write" in result.output
    assert (tmp_path / "mine.yaml").read_text("utf-8") == "format: 1\n"
    assert not (tmp_path / "planted.json").exists()


def test_rewriting_a_synth_folder_leaves_no_stale_files(tmp_path):
    write(tmp_path, 5_000, seed=1, chunk=50)
    assert len(list((tmp_path / "projects").glob("*.yaml"))) > 1
    write(tmp_path, 5_000, seed=1)
    load_facts(tmp_path)  # stale chunk files would define ids twice
    assert not list((tmp_path / "projects").glob("*.yaml"))
    assert (tmp_path / "projects.yaml").is_file()
