"""`regiograph query` bounds a query's memory as well as its time (issue 15: 7.9 GB at
9.6 s for the cross product below before): the worker's address space is limited by
--memory, and past it the query stops with one line and exit 2."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from cli import main

RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"


def test_a_runaway_query_stops_at_its_memory_limit(tmp_path):
    runner = CliRunner()
    data = tmp_path / "synth"
    assert runner.invoke(main, ["synth", "--triples", "20000", "-o", str(data), "--seed",
                                "4"]).exit_code == 0
    assert runner.invoke(main, ["build", str(data), "-o", str(tmp_path / "out")]
                         ).exit_code == 0
    store = next((tmp_path / "out").glob("*.store"))
    started = time.monotonic()
    result = runner.invoke(main, ["query", str(store), RUNAWAY, "--memory", "300",
                                  "--timeout", "120"])
    took = time.monotonic() - started
    assert result.exit_code == 2, result.output
    assert "memory limit is 300 MiB" in result.stderr and "Traceback" not in result.output
    assert took < 60  # stopped by memory, long before the timeout
    # and an ordinary query still runs under the same limit
    ok = runner.invoke(main, ["query", str(store), "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                              "--memory", "300"])
    assert ok.exit_code == 0, ok.output


def _workers() -> list:
    import psutil

    return [p for p in psutil.Process().children(recursive=True)
            if "worker_main" in " ".join(p.cmdline())]


def test_the_worker_started_ahead_goes_with_a_refused_query(tmp_path):
    """On a built store the query worker starts before the query is checked (it opens
    the store meanwhile); a query refused by the guard, a bad parameter or a bad
    --timeout leaves no worker behind, and the same query then answers as before."""
    from tests.conftest import SEED

    runner = CliRunner()
    assert runner.invoke(main, ["build", str(SEED), "-o", str(tmp_path)]).exit_code == 0
    store = str(tmp_path / "lapland.store")
    refused = [
        ["query", store, "SELECT ?x WHERE { ?x ?y }"],  # syntax
        ["query", store, "INSERT DATA { <a:b> <a:c> <a:d> }"],  # an update
        ["query", store, "SELECT ?x WHERE { ?x a rg:Project }", "--param", "nope=1"],
        ["query", store, "SELECT ?x WHERE { ?x a rg:Project }", "--timeout", "0"],
        ["query", store, "SELECT ?x WHERE { SERVICE <http://x> { ?x ?p ?o } }"],
    ]
    import graph.query.sparql as sparql

    prepare, seen = sparql.prepare, []

    def watched(text):  # the worker is up (opening the store) while the query is checked
        seen.append(len(_workers()))
        return prepare(text)

    for args in refused:
        sparql.prepare = watched
        try:
            result = runner.invoke(main, args)
        finally:
            sparql.prepare = prepare
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
        assert _workers() == [], args
    assert seen[:3] == [1, 1, 1], seen  # syntax, update, parameter: started ahead
    ok = runner.invoke(main, ["query", store, "--name", "responsibilities", "--param",
                              "actor=lapin-liitto", "--format", "csv"])
    assert ok.exit_code == 0 and "lapin-liitto" in ok.output, ok.output
    assert _workers() == []


def test_a_worker_that_is_never_asked_is_stopped(tmp_path):
    from graph.query.sparql import Worker, prepare
    from tests.conftest import SEED

    runner = CliRunner()
    assert runner.invoke(main, ["build", str(SEED), "-o", str(tmp_path)]).exit_code == 0
    with Worker(tmp_path / "lapland.store", 30) as worker:
        proc = worker.proc
        assert _workers()
    assert proc.poll() is not None and _workers() == []
    with Worker(tmp_path / "lapland.store", 30) as worker:  # asked once, and only once
        assert worker.run(prepare("ASK { ?s ?p ?o }")).data.endswith(b"true}")
        with pytest.raises(RuntimeError):
            worker.run(prepare("ASK { ?s ?p ?o }"))
    with Worker(tmp_path / "nowhere.store", 30) as worker:  # no store there: said, no hang
        with pytest.raises(Exception, match="nowhere.store|No such file|does not exist"):
            worker.run(prepare("ASK { ?s ?p ?o }"))
    worker = Worker(tmp_path / "lapland.store", 30)  # dropped without close(): stopped
    proc = worker.proc
    del worker
    assert proc.wait(timeout=30) is not None and _workers() == []
