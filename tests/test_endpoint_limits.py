"""`regiograph serve` under queries meant to take it down (issue 15, F2).

A runaway query costs its own request a 504 (time) or 503 (memory, engine crash) while
other clients keep getting answers; queries the guard refuses get 400; the endpoint
leaves no worker behind when it stops, and says why when it cannot start.

Every server binds 127.0.0.1 on a free port and is stopped by its fixture or test; the
figures measured are printed (pytest -s shows them).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import threading
import time
import urllib.parse

import psutil
import pytest

from tests.stores import default_sigint
from tests.test_server import REGIOGRAPH, free_port, get, request, start, stop

RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
LONG_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # little memory
SIMPLE = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }"
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def synth_store(tmp_path_factory):
    """A built store of ~20 000 triples (`regiograph synth --triples 20000`)."""
    root = tmp_path_factory.mktemp("synth")
    for args in (["synth", "--triples", "20000", "-o", str(root / "facts")],
                 ["build", str(root / "facts"), "-o", str(root / "out")]):
        proc = subprocess.run([str(REGIOGRAPH), *args], capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, proc.stderr
    (store,) = (root / "out").glob("*.store")
    return store


def serve(store, *options: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = start([str(REGIOGRAPH), "serve", str(store), "--port", str(port), *options], port,
                 preexec_fn=default_sigint)  # the Ctrl-C test must reach it
    return proc, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def quick(synth_store):
    """Queries stop after 2 s; memory enough that the runaway query meets the time first."""
    proc, base = serve(synth_store, "--timeout", "2", "--memory", "6000", "--workers", "2")
    yield base, proc
    stop(proc)


def timed(base: str, query: str, accept: str = JSON) -> tuple[int, float, bytes]:
    began = time.monotonic()
    status, _, body = get(base, query, accept)
    return status, time.monotonic() - began, body


def workers_of(proc: subprocess.Popen) -> list[psutil.Process]:
    try:
        return psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def wait_for_worker(proc: subprocess.Popen, within: float = 10) -> list[psutil.Process]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = workers_of(proc)
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("no query worker started")


def test_runaway_query_gets_504_and_the_endpoint_goes_on(quick):
    base, proc = quick
    status, took, body = timed(base, RUNAWAY)
    print(f"\nORDER BY runaway: {status} after {took:.2f} s (--timeout 2)")
    assert status == 504 and b"stopped after 2 s" in body
    assert took < 6
    status, took, body = timed(base, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }")
    assert status == 504 and took < 6  # a long count: time, not memory
    status, took, _ = timed(base, SIMPLE)
    assert status == 200 and took < 5
    assert proc.poll() is None


def test_other_clients_answer_while_a_runaway_query_runs(quick):
    base, proc = quick
    slow: list = []
    thread = threading.Thread(target=lambda: slow.append(timed(base, RUNAWAY)))
    thread.start()
    try:
        wait_for_worker(proc)
        time.sleep(0.3)  # the runaway query is running now
        answers = [timed(base, SIMPLE) for _ in range(3)]
    finally:
        thread.join(30)
    print(f"\nwhile the runaway query ran, a simple query answered in "
          f"{', '.join(f'{t:.2f}' for _, t, _ in answers)} s; the runaway one got "
          f"{slow[0][0]} after {slow[0][1]:.2f} s")
    assert all(status == 200 for status, _, _ in answers)
    assert max(t for _, t, _ in answers) < 2
    assert slow and slow[0][0] == 504


@pytest.mark.parametrize("case", ["10 000 UNION branches", "{ x 20 000", "( x 50 000",
                                  "nested 30 deep"])
def test_queries_that_overflowed_the_server_get_400(quick, case):
    base, _ = quick
    if case.startswith("10 000"):
        text = "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 10_000) + " }"
    elif case.startswith("{"):
        text = "SELECT * WHERE " + "{" * 20_000 + "}" * 20_000
    elif case.startswith("("):
        text = "SELECT * WHERE { FILTER " + "(" * 50_000 + "1" + ")" * 50_000 + " }"
    else:
        text = "SELECT * WHERE " + "{ " * 30 + "?s ?p ?o" + " }" * 30
    began = time.monotonic()
    status, kind, body = request(f"{base}/query", method="POST", data=text.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": JSON})
    assert status == 400 and kind.startswith("text/plain"), (status, body[:200])
    assert b"characters long" in body or b"nested too deeply" in body
    assert time.monotonic() - began < 5
    assert timed(base, SIMPLE)[0] == 200


def test_memory_limit_costs_the_request_not_the_endpoint(synth_store):
    proc, base = serve(synth_store, "--timeout", "30", "--memory", "300")
    peak = 0
    result: list = []
    try:
        thread = threading.Thread(target=lambda: result.append(timed(base, RUNAWAY)))
        thread.start()
        deadline = time.monotonic() + 40
        while thread.is_alive() and time.monotonic() < deadline:
            for worker in workers_of(proc):
                try:
                    peak = max(peak, worker.memory_info().rss)
                except psutil.Error:
                    pass
            time.sleep(0.02)
        thread.join(5)
        status, took, body = result[0]
        print(f"\n--memory 300: {status} after {took:.2f} s; worker peak RSS "
              f"{peak / 2**20:.0f} MiB")
        assert status in (500, 503), (status, body)
        assert b"memory" in body
        assert took < 25  # stopped by memory, long before --timeout
        assert peak < 300 * 2**20
        assert proc.poll() is None
        assert timed(base, SIMPLE)[0] == 200
    finally:
        stop(proc)


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_no_worker_remains_after_the_endpoint_stops(synth_store, how):
    proc, base = serve(synth_store, "--timeout", "60")
    thread = threading.Thread(target=lambda: get(base, RUNAWAY, JSON), daemon=True)
    thread.start()
    try:
        workers = wait_for_worker(proc)
        time.sleep(0.3)
        proc.send_signal(how)
        code = proc.wait(15)
    finally:
        if proc.poll() is None:
            stop(proc)
    assert code == 0, proc.stderr.read().decode()
    for stream in (proc.stdout, proc.stderr):
        stream.close()
    gone, alive = psutil.wait_procs(workers, timeout=5)
    assert not alive, alive
    thread.join(10)


def test_a_taken_port_is_an_error(synth_store):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run([str(REGIOGRAPH), "serve", str(synth_store), "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: the port is taken" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_store_that_cannot_be_opened_is_an_error(synth_store, tmp_path):
    broken = tmp_path / "broken.store"
    broken.mkdir()
    (broken / "regiograph.json").write_text((synth_store / "regiograph.json").read_text())
    (broken / "db").write_text("not a database")
    proc = subprocess.run([str(REGIOGRAPH), "serve", str(broken), "--port", str(free_port())],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "cannot open the store" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_queue_is_bounded(synth_store):
    """One worker: a second query waits for it (here it frees within the wait)."""
    # memory enough that the runaway query meets the time first (504), as in `quick`:
    # with the default 2 GB it sometimes met the memory limit first (503)
    proc, base = serve(synth_store, "--timeout", "2", "--memory", "6000", "--workers", "1")
    try:
        first: list = []
        thread = threading.Thread(target=lambda: first.append(timed(base, RUNAWAY)))
        thread.start()
        wait_for_worker(proc)
        status, took, _ = timed(base, SIMPLE)
        thread.join(30)
        assert first[0][0] == 504 and status == 200
        assert took >= 1  # it waited for the runaway query's worker
    finally:
        stop(proc)


def test_query_text_in_the_url(quick):
    """A 20 000-brace query in a GET URL (within the request-line limit) gets 400 too."""
    base, _ = quick
    text = "ASK " + "{" * 20_000
    status, _, body = request(f"{base}/query?{urllib.parse.urlencode({'query': text})}")
    assert status == 400 and b"nested too deeply" in body


def test_busy_workers_and_a_killed_worker(synth_store):
    """--workers 1: a second query waits 10 s for the busy worker, then gets 503 with
    Retry-After; a worker killed from outside (as the kernel's OOM killer would) costs
    its request a 503; the endpoint goes on."""
    proc, base = serve(synth_store, "--timeout", "60", "--workers", "1")
    try:
        first: list = []
        thread = threading.Thread(target=lambda: first.append(timed(base, LONG_COUNT)))
        thread.start()
        (worker,) = wait_for_worker(proc)
        status, took, body = timed(base, SIMPLE)
        assert status == 503 and b"busy" in body and 9 < took < 15
        worker.kill()
        thread.join(30)
        assert first[0][0] == 503 and b"exit code -9" in first[0][2]
        assert timed(base, SIMPLE)[0] == 200
    finally:
        stop(proc)


def test_long_texts_do_not_crowd_out_the_others(quick):
    """Eight clients keep sending ~15 000-character queries (the guard's parse takes
    ~0.7 s each, one at a time: rdflib's parser is not thread-safe, and eight parses at
    once gave 500s from inside pyparsing); a simple query waits its turn among them but
    answers, correctly: it is not starved and the endpoint stays up."""
    base, _ = quick
    long_text = ("SELECT * WHERE { " + "UNION".join(["{?s ?p ?o}"] * 900)
                 + " } LIMIT 1")
    assert len(long_text) < 16_000
    stop_at = time.monotonic() + 20
    done = threading.Event()

    statuses: list[int] = []

    def flood():
        while not done.is_set() and time.monotonic() < stop_at:
            statuses.append(request(f"{base}/query", method="POST", data=long_text.encode(),
                                    headers={"Content-Type": "application/sparql-query",
                                             "Accept": JSON})[0])

    threads = [threading.Thread(target=flood) for _ in range(8)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)
        answers = [timed(base, SIMPLE) for _ in range(3)]
    finally:
        done.set()
        for thread in threads:
            thread.join(30)
    print(f"\nunder a flood of long texts a simple query answered in "
          f"{', '.join(f'{t:.2f}' for _, t, _ in answers)} s")
    assert all(status == 200 for status, _, _ in answers), answers
    assert max(t for _, t, _ in answers) < 10
    assert statuses and set(statuses) <= {200, 503}, statuses  # no 500 from a parse
