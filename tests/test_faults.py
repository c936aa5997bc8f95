"""Faults from outside (issue 15): Ctrl-C, cells a spreadsheet would run, an output
folder inside the dataset, a killed build, builds racing for one folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import HEADER, ROOT, SEED, write_dataset

REGIOGRAPH = Path(sys.executable).parent / "regiograph"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False,
                              prog_name="regiograph")


def _default_sigint() -> None:  # a child started from a background job may inherit SIG_IGN
    signal.signal(signal.SIGINT, signal.SIG_DFL)


# -- 1. Ctrl-C: exit 130, one line ------------------------------------------------------

def test_ctrl_c_in_a_slow_command_exits_130(tmp_path: Path):
    import psutil

    proc = subprocess.Popen([str(REGIOGRAPH), "synth", "--triples", "1000000",
                             "-o", str(tmp_path / "syn")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, preexec_fn=_default_sigint)
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
    import psutil

    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one CPU: the dataset is read in one process")
    proc = subprocess.Popen([str(REGIOGRAPH), "build", str(large), "-o", str(tmp_path / "out")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    workers: list = []
    try:
        parent = psutil.Process(proc.pid)
        deadline = time.monotonic() + 60
        while len(workers) < 2:
            assert proc.poll() is None and time.monotonic() < deadline, "no workers started"
            workers = parent.children(recursive=True)
            time.sleep(0.02)
        proc.kill()  # kill -9: no handler, no `finally` runs in the parent
        proc.wait()
        gone, alive = psutil.wait_procs(workers, timeout=5)
        assert alive == [], f"workers outlived their parent: {alive}"
    finally:
        for worker in workers:
            try:
                worker.kill()
            except psutil.NoSuchProcess:
                pass
        if proc.poll() is None:
            proc.kill()
            proc.wait()


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
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


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
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


# -- 6. what a killed build left is removed by the next build into that folder -----------

def test_the_next_build_removes_the_leftovers_of_a_killed_one(tmp_path: Path):
    out = tmp_path / "out"
    stale = [out / ".lapland.store.k1ll3d", out / ".lapland.store.old-4242",
             out / ".lapland-tables.x7yq2"]
    for folder in stale:
        (folder / "db").mkdir(parents=True)
        (folder / "db" / "000001.sst").write_bytes(b"\0" * 100)
    stale_files = [out / ".lapland.ttl.ab12cd", out / ".lapland.facts.yaml.zz9"]
    for file in stale_files:
        file.write_text("half")
    others = [out / ".report.html.q1w2e3", out / ".other.store.abcd", out / "notes.txt"]
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
        while not list(out.glob(".synth.store.*")):
            assert proc.poll() is None and time.monotonic() < deadline, "no store written"
            time.sleep(0.01)
        proc.kill()
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert list(out.glob(".synth.store.*"))  # what kill -9 leaves: no `finally` ran
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]


def test_a_full_disk_names_the_file(tmp_path, monkeypatch):
    # ENOSPC from write() carries no file name; the message must still say which file
    import errno
    import os

    from click.testing import CliRunner

    from cli import main
    from graph.base import files

    real_fdopen = os.fdopen

    class Full:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    def fdopen(fd, mode="r", *args, **kwargs):  # os is shared: only writes fail
        f = real_fdopen(fd, mode, *args, **kwargs)
        return Full(f) if "w" in mode else f

    monkeypatch.setattr(files.os, "fdopen", fdopen)
    seed = __import__("pathlib").Path(__file__).resolve().parent.parent / "data" / "lapland"
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(seed), "-o", str(out)])
    assert result.exit_code == 4
    assert result.stderr.strip() == f"error: cannot read or write {out}: No space left on device"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
