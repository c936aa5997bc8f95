"""Faults from outside (issue 15): Ctrl-C, cells a spreadsheet would run, an output
folder inside the dataset, a killed build, builds racing for one folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import HEADER, ROOT, SEED, leftovers, write_dataset
from tests.stores import default_sigint

REGIOGRAPH = Path(sys.executable).parent / "regiograph"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False,
                              prog_name="regiograph")


# -- 1. Ctrl-C: exit 130, one line ------------------------------------------------------

def test_ctrl_c_in_a_slow_command_exits_130(tmp_path: Path):
    import psutil

    proc = subprocess.Popen([str(REGIOGRAPH), "synth", "--triples", "1000000",
                             "-o", str(tmp_path / "syn")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, preexec_fn=default_sigint)
    try:
        watched = psutil.Process(proc.pid)
        deadline = time.monotonic() + 60
        while watched.cpu_times().user < 1.0:  # past the imports, into the generator
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert err.strip() == "interrupted"
    assert out == ""


def test_keyboard_interrupt_anywhere_in_a_command_is_130(monkeypatch):
    import graph.dataset

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(graph.dataset.Dataset, "open", interrupted)
    result = run("info", SEED)
    assert result.exit_code == 130
    assert "interrupted" in result.output and "Aborted" not in result.output


# -- 2. CSV cells a spreadsheet would evaluate ------------------------------------------

FORMULAS = {"o1": "=HYPERLINK(\"http://evil.example\",\"x\")", "o2": "-kylä", "o3": "+358 40 1",
            "o4": "@SUM(A1:A2)", "o5": "\ttabbed", "o6": "Kemi = Tornio"}


@pytest.fixture()
def formulas(tmp_path: Path) -> Path:
    import json

    entries = "".join(f"  - id: {ident}\n    name: {json.dumps(name)}\n    kind: company\n"
                      for ident, name in FORMULAS.items())
    return write_dataset(tmp_path / "f", {"a.yaml": HEADER + "organisations:\n" + entries})


def _names(table: Path) -> dict[str, str]:
    import csv

    with open(table, encoding="utf-8", newline="") as f:
        return {row["id"]: row["name.fi"] for row in csv.DictReader(f)}


def test_csv_cells_a_spreadsheet_would_run_are_quoted(formulas: Path, tmp_path: Path):
    assert run("export", formulas, "--format", "csv", "-o", tmp_path / "t").exit_code == 0
    names = _names(tmp_path / "t" / "organisations.csv")
    assert names == {k: (v if k == "o6" else "'" + v) for k, v in FORMULAS.items()}
    assert run("build", formulas, "-o", tmp_path / "out").exit_code == 0
    assert _names(tmp_path / "out" / "t-tables" / "organisations.csv") == names


def test_csv_raw_writes_cells_as_they_are(formulas: Path, tmp_path: Path):
    result = run("export", formulas, "--format", "csv", "--csv-raw", "-o", tmp_path / "t")
    assert result.exit_code == 0
    assert _names(tmp_path / "t" / "organisations.csv") == FORMULAS
    assert run("build", formulas, "--csv-raw", "-o", tmp_path / "out").exit_code == 0
    assert _names(tmp_path / "out" / "t-tables" / "organisations.csv") == FORMULAS
    result = run("export", formulas, "--format", "turtle", "--csv-raw")
    assert result.exit_code == 2 and "--csv-raw" in result.output


def test_the_seed_tables_differ_only_in_formula_cells(tmp_path: Path):
    """Neutralising touches only cells starting with = + - @ tab CR, nothing else."""
    import csv

    from graph.export import FORMULA_START

    def rows(path: Path) -> list[list[str]]:
        with open(path, encoding="utf-8", newline="") as f:
            return list(csv.reader(f))

    run("export", SEED, "--format", "csv", "-o", tmp_path / "safe")
    run("export", SEED, "--format", "csv", "--csv-raw", "-o", tmp_path / "raw")
    tables = sorted(p.name for p in (tmp_path / "raw").glob("*.csv"))
    assert tables and tables == sorted(p.name for p in (tmp_path / "safe").glob("*.csv"))
    for name in tables:
        assert rows(tmp_path / "safe" / name) == [
            ["'" + c if c.startswith(FORMULA_START) else c for c in row]
            for row in rows(tmp_path / "raw" / name)]


# -- 3. the output folder inside the dataset ---------------------------------------------

def _copy_seed(tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(SEED, tmp_path / "lapland"))


@pytest.mark.parametrize("inside", [".", "out", "deeper/out"])
def test_build_into_its_own_dataset_is_refused_before_writing(tmp_path: Path, inside: str):
    data = _copy_seed(tmp_path)
    before = sorted(p.relative_to(data) for p in data.rglob("*"))
    result = run("build", data, "-o", data / inside)
    assert result.exit_code == 2, result.output
    assert "inside the dataset" in result.output
    assert sorted(p.relative_to(data) for p in data.rglob("*")) == before
    assert run("validate", data).exit_code == 0


def test_build_beside_its_dataset_still_works(tmp_path: Path):
    data = _copy_seed(tmp_path)
    assert run("build", data, "-o", tmp_path / "out").exit_code == 0
    assert run("build", data, "-o", tmp_path).exit_code == 0  # the parent folder is fine
    assert run("validate", data).exit_code == 0


def test_a_dataset_inside_a_folder_that_build_replaces_is_refused(tmp_path: Path):
    import shutil

    out = tmp_path / "out"
    data = Path(shutil.copytree(SEED, out / "lapland-tables"))
    result = run("build", data, "-o", out)
    assert result.exit_code == 2 and "which build replaces" in result.output
    assert run("validate", data).exit_code == 0


# -- 4. a build killed by SIGKILL leaves no worker behind --------------------------------

@pytest.fixture(scope="module")
def large(tmp_path_factory) -> Path:
    """A synth dataset read by worker processes (>= 4 MB of YAML in several files)."""
    from graph.loader.facts import PARALLEL_BYTES
    from graph.synth.generator import write

    folder = tmp_path_factory.mktemp("large") / "syn"
    write(folder, 400_000, seed=15)
    files = list(folder.rglob("*.yaml"))
    assert len(files) > 2 and sum(p.stat().st_size for p in files) >= PARALLEL_BYTES
    return folder


def test_workers_die_with_a_killed_build(large: Path, tmp_path: Path):
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one CPU: the dataset is read in one process")
    _kill_when_working([str(REGIOGRAPH), "build", str(large), "-o", str(tmp_path / "out")],
                       dict(os.environ), lambda proc: True, workers_at_least=2)


# -- 5. one writer at a time per output folder ------------------------------------------

def test_a_build_into_a_folder_being_written_stops_with_exit_4(tmp_path: Path):
    from graph.base.files import LOCK_NAME, folder_lock

    out = tmp_path / "out"
    with folder_lock(out):
        assert (out / LOCK_NAME).read_text().strip() == str(os.getpid())
        result = run("build", SEED, "-o", out)
        assert result.exit_code == 4
        assert result.stderr == (f"error: {out} is being written by another regiograph "
                                 f"(pid {os.getpid()}); try again when it has finished\n")
        assert [p.name for p in out.iterdir()] == [LOCK_NAME]  # nothing written
    assert not (out / LOCK_NAME).exists()
    assert run("build", SEED, "-o", out).exit_code == 0
    assert not leftovers(out, "lapland")


@pytest.mark.parametrize("command", [["report", "-o", "{out}/report.html"],
                                     ["map", "-o", "{out}/map.html"],
                                     ["export", "--format", "turtle", "-o", "{out}/x.ttl"]])
def test_report_map_and_export_wait_for_the_writer_of_their_folder(tmp_path, monkeypatch,
                                                                   command):
    import threading

    import cli
    from graph.base.files import LOCK_NAME, folder_lock

    out = tmp_path / "out"
    args = [SEED] + [a.format(out=out) for a in command[1:]]
    monkeypatch.setattr(cli, "WRITE_WAIT", 0.3)
    with folder_lock(out):
        result = run(command[0], *args)
        assert result.exit_code == 4
        assert result.stderr.startswith(f"error: {out} is being written by another regiograph")
        assert [p.name for p in out.iterdir()] == [LOCK_NAME]  # nothing written
    monkeypatch.setattr(cli, "WRITE_WAIT", 30)
    held, release = threading.Event(), threading.Event()

    def writer():
        with folder_lock(out):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    held.wait(10)
    threading.Timer(0.5, release.set).start()
    result = run(command[0], *args)  # waits for the other writer, then writes
    thread.join()
    assert result.exit_code == 0, result.output
    assert (out / Path(command[-1]).name).exists()
    assert not (out / LOCK_NAME).exists()


def test_four_builds_at_once_into_one_folder(tmp_path: Path):
    out = tmp_path / "out"
    procs = [subprocess.Popen([str(REGIOGRAPH), "build", str(SEED), "-o", str(out)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=ROOT) for _ in range(4)]
    results = [(p.communicate(timeout=120)[1], p.returncode) for p in procs]
    for err, code in results:
        assert code in (0, 4), err
        if code == 4:
            assert err.startswith(f"error: {out} is being written by another regiograph (")
            assert "Traceback" not in err
    assert any(code == 0 for _, code in results)
    checked = subprocess.run([str(REGIOGRAPH), "check", str(out / "lapland.store")],
                             capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert checked.returncode == 0, checked.stderr
    assert run("info", out / "lapland.store").exit_code == 0
    assert not leftovers(out, "lapland")


# -- 6. what a killed build left is removed by the next build into that folder -----------

def test_the_next_build_removes_the_leftovers_of_a_killed_one(tmp_path: Path):
    out = tmp_path / "out"
    stale = [out / ".lapland.store.k1ll3d", out / ".lapland.store.old-4242",
             out / ".lapland-tables.x7yq2", out / ".lapland.build-h4lf"]
    for folder in stale:
        (folder / "db").mkdir(parents=True)
        (folder / "db" / "000001.sst").write_bytes(b"\0" * 100)
    stale_files = [out / ".lapland.ttl.ab12cd", out / ".lapland.facts.yaml.zz9",
                   out / ".lapland.current.link-4242", out / ".lapland.ttl.link-4242"]
    for file in stale_files:
        file.write_text("half")
    others = [out / ".report.html.q1w2e3", out / ".other.store.abcd", out / "notes.txt",
              out / ".other.build-abcd"]
    for file in others:  # not this build's: another command's, or not temporary
        file.write_text("keep")
    assert run("build", SEED, "-o", out).exit_code == 0
    assert not any(p.exists() for p in stale + stale_files)
    assert all(p.read_text() == "keep" for p in others)


def test_a_build_killed_while_writing_the_store_leaves_nothing_after_the_next(tmp_path):
    from graph.synth.generator import write

    data, out = tmp_path / "syn", tmp_path / "out"
    write(data, 30_000, seed=3)
    command = [str(REGIOGRAPH), "build", str(data), "-o", str(out)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not list(out.glob(".synth.build-*/.synth.store.*")):
            assert proc.poll() is None and time.monotonic() < deadline, "no store written"
            time.sleep(0.01)
        proc.kill()
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert list(out.glob(".synth.build-*/.synth.store.*"))  # kill -9 runs no `finally`
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert not leftovers(out, "synth")


def test_a_build_killed_during_the_exports_leaves_the_old_set_whole(tmp_path):
    """The store and its exports are published together: killed after the new store
    was written but before its exports were, the folder still shows the old build's
    store and exports, all of them, and the next build removes the half-written one."""
    from graph.synth.generator import write

    old_data, new_data, out = tmp_path / "old", tmp_path / "new", tmp_path / "out"
    write(old_data, 3_000, seed=1)
    write(new_data, 40_000, seed=2)
    first = [str(REGIOGRAPH), "build", str(old_data), "-o", str(out)]
    assert subprocess.run(first, capture_output=True, cwd=ROOT, timeout=300).returncode == 0
    published = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    before = {name: (out / name).read_bytes() for name in published
              if (out / name).is_file()}
    old_triples = json.loads((out / "synth.store" / "regiograph.json").read_text())["triples"]
    current = os.readlink(out / ".synth.current")
    info = [str(REGIOGRAPH), "info", str(out / "synth.store"), "--format", "json"]
    old_info = subprocess.run(info, capture_output=True, text=True, cwd=ROOT, timeout=120).stdout

    proc = subprocess.Popen([str(REGIOGRAPH), "build", str(new_data), "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while not [g for g in out.glob(".synth.build-*/synth.store") if g.parent.name != current]:
            assert proc.poll() is None and time.monotonic() < deadline, "no store written"
            time.sleep(0.005)
        proc.kill()
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    [killed] = [g for g in out.glob(".synth.build-*") if g.name != current]
    assert (killed / "synth.store").is_dir()  # the new store was written…
    assert not (killed / "synth.facts.yaml").exists()  # …and killed before its exports were

    assert os.readlink(out / ".synth.current") == current
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == published
    for name in published:  # every public name leads into the one old generation
        assert (out / name).resolve().parent == (out / current).resolve(), name
    assert {name: (out / name).read_bytes() for name in before} == before
    assert json.loads((out / "synth.store" / "regiograph.json").read_text())["triples"] \
        == old_triples
    checked = subprocess.run(info, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert checked.returncode == 0 and checked.stdout == old_info

    again = subprocess.run([str(REGIOGRAPH), "build", str(new_data), "-o", str(out)],
                           capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert again.returncode == 0, again.stderr
    assert not killed.exists() and not (out / current).exists()
    assert not leftovers(out, "synth")
    new_triples = json.loads((out / "synth.store" / "regiograph.json").read_text())["triples"]
    assert new_triples > old_triples


def test_a_full_disk_names_the_file(tmp_path, monkeypatch):
    # ENOSPC from write() carries no file name; the message must still say which file
    import errno

    from click.testing import CliRunner

    from cli import main
    from graph.base import files

    real_open = files.Path.open

    class Full:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    def opened(self, mode="r", *args, **kwargs):  # Path is shared: only writes fail
        f = real_open(self, mode, *args, **kwargs)
        return Full(f) if "w" in mode else f

    monkeypatch.setattr(files.Path, "open", opened)
    seed = __import__("pathlib").Path(__file__).resolve().parent.parent / "data" / "lapland"
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(seed), "-o", str(out)])
    assert result.exit_code == 4
    assert result.stderr.strip() == f"error: cannot read or write {out}: No space left on device"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# -- 7. no worker and no temporary store outlives a killed query or serve ---------------

def _scratch(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.iterdir() if "regiograph-" in p.name)


def _kill_when_working(command: list[str], env: dict, ready, workers_at_least: int = 1
                       ) -> list:
    """Start ``command``, wait until ``ready(proc)`` holds and it has ``workers_at_least``
    workers, kill -9 it and return its workers (gone within 5 s, or the test fails)."""
    import psutil

    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            cwd=ROOT, env=env)
    workers: list = []
    try:
        deadline = time.monotonic() + 60
        while not (ready(proc) and len(workers) >= workers_at_least):
            assert proc.poll() is None and time.monotonic() < deadline, "never worked"
            workers = psutil.Process(proc.pid).children(recursive=True)
            time.sleep(0.02)
        proc.kill()  # kill -9: no handler, no `finally` runs in the command
        proc.wait()
        gone, alive = psutil.wait_procs(workers, timeout=5)
        assert alive == [], f"workers outlived their command: {alive}"
    finally:
        for worker in workers:
            try:
                worker.kill()
            except psutil.NoSuchProcess:
                pass
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    return workers


def test_a_killed_query_leaves_no_worker_and_its_store_goes_with_the_next(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    runaway = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
    _kill_when_working([str(REGIOGRAPH), "query", str(SEED), runaway, "--timeout", "120"],
                       env, lambda proc: True)
    [left] = _scratch(tmp)  # what kill -9 leaves: the temporary store of the facts
    assert left.startswith("regiograph-query-") and (tmp / left / "lapland.store").exists()
    done = subprocess.run([str(REGIOGRAPH), "query", str(SEED), "ASK { ?s ?p ?o }"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert _scratch(tmp) == []


def test_a_killed_serve_leaves_no_worker_nor_listener_and_its_store_goes_with_the_next(
        tmp_path):
    import socket

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def listening(proc) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    asked = []

    def asking(proc) -> bool:  # a worker starts with a query: send a runaway one
        if not asked and listening(proc):
            import threading
            import urllib.parse
            import urllib.request

            runaway = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
            url = f"http://127.0.0.1:{port}/query?" + urllib.parse.urlencode({"query": runaway})

            def ask():
                try:
                    urllib.request.urlopen(url, timeout=30).read()
                except OSError:
                    pass  # the endpoint was killed under the request

            asked.append(threading.Thread(target=ask, daemon=True))
            asked[0].start()
        return bool(asked)

    _kill_when_working([str(REGIOGRAPH), "serve", str(SEED), "--port", str(port),
                        "--workers", "2"], env, asking)
    assert not listening(None)
    [left] = _scratch(tmp)
    assert left.startswith("regiograph-serve-")
    done = subprocess.run([str(REGIOGRAPH), "query", str(SEED), "ASK { ?s ?p ?o }"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert _scratch(tmp) == []


def test_scratch_folders_in_use_are_kept(tmp_path, monkeypatch):
    import tempfile

    from graph.base.files import remove_stale_scratch, scratch_folder

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    others = [tmp_path / "regiograph-notes.txt", tmp_path / "regiograph-old-style",
              tmp_path / ".regiograph-new-justborn", tmp_path / "mine"]
    others[0].write_text("keep")
    for folder in others[1:]:
        folder.mkdir()
    with scratch_folder("query") as live:
        assert live.parent == tmp_path and live.name.startswith("regiograph-query-")
        assert remove_stale_scratch(tmp_path) == []  # this process still holds it
        with scratch_folder("serve") as second:
            assert live.exists() and second.exists() and second != live
        assert not second.exists()
    assert not live.exists()
    assert all(p.exists() for p in others)  # unlocked: not a scratch folder, or being born


def test_a_worker_whose_parent_is_already_gone_ends_at_once():
    """The race of a parent killed before its worker set PR_SET_PDEATHSIG: the worker
    knows its parent's pid and ends when it is no longer that process's child."""
    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux's")
    code = ("from graph.base.process import die_with_parent; "
            "die_with_parent(parent={}); print('alive')")
    gone = subprocess.run([sys.executable, "-c", code.format(1)], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)  # pid 1 is not its parent
    assert gone.returncode == -signal.SIGKILL and gone.stdout == ""
    kept = subprocess.run([sys.executable, "-c", code.format(os.getpid())],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert kept.returncode == 0 and kept.stdout == "alive\n"
