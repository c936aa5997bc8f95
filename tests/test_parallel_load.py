"""Reading a dataset in worker processes gives the same facts and problems as serially.

Large datasets (``facts.PARALLEL_BYTES`` of YAML in several files) are read by one
process per CPU; every corpus case is read both ways here, with the workers forced.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph.loader import facts as facts_module
from graph.loader.facts import InvalidDataset, load_facts
from graph.synth.generator import write

CORPUS = Path(__file__).parent / "corpus"
BAD = sorted(p for p in (CORPUS / "bad").iterdir() if p.is_dir())
GOOD = sorted(p for p in (CORPUS / "good").iterdir() if p.is_dir())
SEED = Path(__file__).parent.parent / "data" / "lapland"


def _same(a, b) -> None:
    assert a.canonical() == b.canonical()
    assert a.where == b.where and a.kinds == b.kinds and a.files == b.files
    assert a.used == b.used
    # the order entries were read in is kept too (it decides IRIs of repeated content)
    assert a.sections == b.sections


def _problems(path: Path, workers: int) -> list[str]:
    with pytest.raises(InvalidDataset) as info:
        load_facts(path, display=str(path), workers=workers)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("case", GOOD + [SEED], ids=[p.name for p in GOOD + [SEED]])
def test_good_dataset_same_facts_in_workers(case: Path):
    _same(load_facts(case, workers=1), load_facts(case, workers=2))


@pytest.mark.parametrize("case", BAD, ids=[p.name for p in BAD])
def test_bad_dataset_same_problems_in_workers(case: Path):
    assert _problems(case, 2) == _problems(case, 1)


def test_synthetic_dataset_same_facts_in_workers(tmp_path: Path):
    write(tmp_path, 20_000, seed=3)
    _same(load_facts(tmp_path, workers=1), load_facts(tmp_path, workers=3))


def _two_files(tmp_path: Path, second: str) -> Path:
    (tmp_path / "a.yaml").write_text(
        "format: 1\ndataset:\n  id: d\n  title: D\n  lang: fi\n"
        "areas:\n  - id: kemi\n    name: Kemi\n    kind: municipality\n    country: FI\n",
        "utf-8")
    (tmp_path / "b.yaml").write_text(second, "utf-8")
    return tmp_path


def test_clash_between_files_found_by_the_serial_pass(tmp_path: Path):
    """Each file is clean on its own; together an id is defined twice."""
    case = _two_files(tmp_path, "areas:\n  - id: kemi\n    name: Kemi\n"
                                "    kind: municipality\n    country: FI\n")
    problems = _problems(case, 2)
    assert problems == _problems(case, 1)
    assert problems == [f"{case / 'b.yaml'}:2: id 'kemi' is defined twice (first at "
                        f"{case / 'a.yaml'}:7); ids are unique across the dataset"]


def test_second_dataset_block_found_by_the_serial_pass(tmp_path: Path):
    case = _two_files(tmp_path, "format: 1\ndataset:\n  id: e\n  title: E\n  lang: sv\n")
    problems = _problems(case, 2)
    assert problems == _problems(case, 1)
    assert len(problems) == 1 and "a second 'dataset:' block" in problems[0]


def test_workers_chosen_by_size_and_files(tmp_path: Path, monkeypatch):
    case = _two_files(tmp_path, "areas: []\n")
    files = [(p.name, p) for p in sorted(case.iterdir())]
    assert facts_module.workers_for(files, None) == 1  # small: serial
    assert facts_module.workers_for(files[:1], 4) == 1  # one file: serial
    assert facts_module.workers_for(files, 8) == 2  # never more workers than files
    monkeypatch.setattr(facts_module, "PARALLEL_BYTES", 10)
    monkeypatch.setattr(facts_module.os, "sched_getaffinity", lambda _: {0, 1, 2}, raising=False)
    assert facts_module.workers_for(files, None) == 2
    monkeypatch.setattr(facts_module.os, "sched_getaffinity", lambda _: {0}, raising=False)
    assert facts_module.workers_for(files, None) == 1


def test_clean_dataset_is_merged_from_the_workers(tmp_path: Path):
    """The parallel pass is really taken for a clean dataset, and declined for a bad one."""
    write(tmp_path, 10_000, seed=2)
    reader = facts_module.DatasetReader(tmp_path, str(tmp_path))
    files = reader.files()
    assert len(files) > 1 and reader.read_parallel(files, 2)
    assert sum(map(len, reader.sections.values())) > 100 and reader.dataset
    bad = BAD[0]
    reader = facts_module.DatasetReader(bad, str(bad))
    files = reader.files()
    assert len(files) > 1 and not reader.read_parallel(files, 2)
    assert not reader.problems and not any(reader.sections.values())


def test_workers_start_clean_when_other_threads_run(tmp_path: Path, monkeypatch):
    """With another thread alive in a notebook kernel (whose ``__main__`` has no file),
    workers come from a fork server."""
    import sys
    import threading
    import types

    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    write(tmp_path, 10_000, seed=4)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        reader = facts_module.DatasetReader(tmp_path, str(tmp_path))
        assert reader.read_parallel(reader.files(), 2)
    finally:
        stop.set()
        thread.join()
    serial = facts_module.DatasetReader(tmp_path, str(tmp_path))
    for rel, path in serial.files():
        serial.rel = rel
        serial.read_file(path)
    assert reader.sections == serial.sections and reader.defs == serial.defs


def test_a_script_with_threads_reads_serially(tmp_path: Path):
    """A fork server would run an unguarded script's top level again: such a script with
    other threads alive reads in its own process, and its top level runs once."""
    import subprocess
    import sys

    write(tmp_path / "d", 10_000, seed=5)
    log = tmp_path / "runs.txt"
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import threading\n"
        f"open({str(log)!r}, 'a').write('ran\\n')\n"
        "stop = threading.Event()\n"
        "threading.Thread(target=stop.wait, daemon=True).start()\n"
        "from graph.loader.facts import load_facts\n"
        f"facts = load_facts({str(tmp_path / 'd')!r}, workers=2)\n"
        "print(len(facts.sections['organisations']))\n"
        "stop.set()\n", "utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 0
    assert log.read_text() == "ran\n"


def test_interrupt_stops_the_workers_at_once(tmp_path: Path):
    """Ctrl-C during a parallel load ends it without reading the files still queued."""
    import signal
    import subprocess
    import sys
    import time

    write(tmp_path / "d", 10_000, seed=6)
    files = len(list((tmp_path / "d").rglob("*.yaml")))
    script = tmp_path / "slow.py"
    script.write_text(
        "import time\n"
        "from graph.loader import facts\n"
        "real = facts._read_one\n"
        "def slow(*args):\n"
        "    time.sleep(5)\n"
        "    return real(*args)\n"
        "facts._read_one = slow\n"
        "if __name__ == '__main__':\n"
        "    print('start', flush=True)\n"
        "    try:\n"
        f"        facts.load_facts({str(tmp_path / 'd')!r}, workers=2)\n"
        "    except KeyboardInterrupt:\n"
        "        print('interrupted', flush=True)\n", "utf-8")
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parent.parent,
                            start_new_session=True)
    try:
        assert proc.stdout.readline().strip() == "start"
        time.sleep(1.5)
        start = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole group
        out, _ = proc.communicate(timeout=120)
        waited = time.monotonic() - start
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert out.strip() == "interrupted"
    queued = 5 * files / 2  # seconds of work left for two workers at 5 s a file
    assert files >= 6 and waited < queued / 2, (waited, queued)
    for _ in range(50):  # no worker outlives the command
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("a worker process was left running")
