"""The public Python API: what `import graph` offers is pinned, so changes are deliberate."""

from __future__ import annotations

import inspect

import networkx as nx
import pandas as pd

import graph
from tests.conftest import SEED

PUBLIC = ["Assessment", "CHECKS", "Dataset", "Facts", "Finding", "InvalidDataset", "Problem",
          "Statement", "load", "load_facts"]
DATASET_METHODS = ["actors_layout", "as_of", "assess", "canonical", "check", "counts",
                   "document", "entities", "export", "facts_as_of", "info", "labels", "map",
                   "map_facts", "measures", "notes", "open", "overview_picture", "query",
                   "rdf_bytes", "remote", "timeline", "to_networkx"]


def test_all_is_pinned():
    assert sorted(graph.__all__) == PUBLIC
    for name in PUBLIC:
        assert hasattr(graph, name)


def test_dataset_methods_are_pinned():
    public = sorted(n for n, _ in inspect.getmembers(graph.Dataset) if not n.startswith("_")
                    and callable(getattr(graph.Dataset, n)))
    assert public == DATASET_METHODS


def test_an_analysts_first_lines(tmp_path):
    ds = graph.load(SEED)
    findings = ds.check()
    frame = findings.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) == len(findings) > 0
    assert "<table" in findings._repr_html_()
    assert set(frame["basis"]) == {"stated", "unrecorded"}
    said = ds.assess()
    assert said.findings == findings and len(said.statements) == 9
    stated = frame[frame["basis"] == "stated"]
    assert list(stated["target"]) == ["aluekeskusohjelma-kemi-tornio"]
    assert stated["statements"].iloc[0][0].startswith("konkreettinen roolien")
    rows = ds.query("SELECT ?id WHERE { ?s a org:Organization ; dct:identifier ?id }")
    assert "lapin-liitto" in set(rows.to_frame()["id"])
    assert isinstance(ds.to_networkx(), nx.MultiDiGraph)
    page = ds.map(view="actors")
    assert page._repr_html_().startswith("<iframe")
    assert ds.export("turtle", tmp_path / "x.ttl")[0].read_text("utf-8").startswith("@prefix")
    orgs = ds.entities("organisations")
    assert "lapin-liitto" in set(orgs["id"])


def test_invalid_data_raises_with_every_problem(tmp_path):
    (tmp_path / "a.yaml").write_text("format: 1\ndataset: {id: x, title: X, lang: fi}\n"
                                     "areas:\n  - {id: a, name: A, kind: town, country: FIN}\n")
    try:
        graph.load(tmp_path)
    except graph.InvalidDataset as exc:
        assert [p.line for p in exc.problems] == [4, 4]
    else:
        raise AssertionError("an invalid dataset loaded")
