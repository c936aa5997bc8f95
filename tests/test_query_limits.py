"""`regiograph query` bounds a query's memory as well as its time (issue 15: 7.9 GB at
9.6 s for the cross product below before): the worker's address space is limited by
--memory, and past it the query stops with one line and exit 2."""

from __future__ import annotations

import time

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
