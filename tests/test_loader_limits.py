"""Bad input the loader must refuse with a ``path:line: message`` and nothing worse: no
traceback, no hang, no memory in proportion to the attack (issue 15). What fits in a
small file is a case of the corpus (tests/corpus/bad/153-…); the rest is here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph.loader import yamlread
from graph.loader.yamlread import BigInt, YamlError, read

ROOT = Path(__file__).resolve().parent.parent

DIGITS = "9" * 5000


def test_an_integer_too_long_to_convert_keeps_its_text():
    root, problems = read(f"a: {DIGITS}\nb: -000{DIGITS}\nc: !!int {DIGITS}\nd: 1{'0' * 4299}\n")
    assert not problems
    for key in "abc":
        assert isinstance(root[key].value, BigInt) and root[key].value.digits == 5000
    assert root["b"].text == f"-000{DIGITS}"
    assert root["d"].value == 10**4299  # the longest integer that is converted


def test_leading_zeros_do_not_count_towards_the_limit():
    root, _ = read(f"a: {'0' * 5000}7\nb: -{'0' * 5000}\n")
    assert root["a"].value == 7 and root["b"].value == 0
    assert yamlread.resolve_plain("+" + "0" * 5000 + "12") == 12


# -- a file larger than the limit is refused before it is read -------------------------------

_PEAK = """
import resource, sys
from graph.loader.facts import InvalidDataset, load_facts
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    load_facts(sys.argv[1], workers=1)
except InvalidDataset as exc:
    print("\\n".join(str(p) for p in exc.problems))
print("grown_kib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


def test_a_file_over_the_size_limit_is_refused_without_reading_it(tmp_path):
    """A sparse file of 300 MiB (no disk used) is refused; memory grows by far less than it."""
    size = yamlread.MAX_BYTES + 44 * 2**20
    (tmp_path / "dataset.yaml").write_text(
        "format: 1\ndataset: {id: test, title: Testi, lang: fi}\n", "utf-8")
    with open(tmp_path / "huge.yaml", "wb") as file:
        file.truncate(size)
    run = subprocess.run([sys.executable, "-c", _PEAK, str(tmp_path)], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    *problems, grown = run.stdout.splitlines()
    assert problems == [f"{tmp_path / 'huge.yaml'}: file is larger than the limit of 256 MiB "
                        "(300 MiB); split it into several files"]
    assert int(grown.split()[1]) < 32 * 1024  # KiB: 32 MiB, a tenth of the file


def test_a_file_that_grows_past_the_limit_is_read_only_up_to_it(tmp_path, monkeypatch):
    """The size stated by stat is not trusted: at most MAX_BYTES + 1 bytes are read."""
    monkeypatch.setattr(yamlread, "MAX_BYTES", 1000)
    path = tmp_path / "a.yaml"
    path.write_bytes(b"a: 1\n")
    assert yamlread.read_bytes(path) == b"a: 1\n"
    real_fstat = os.fstat
    monkeypatch.setattr(os, "fstat", lambda fd: os.stat_result(
        (*real_fstat(fd)[:6], 0, *real_fstat(fd)[7:])))  # st_size 0, as in /proc
    path.write_bytes(b"#" * 5000)
    with pytest.raises(YamlError, match="larger than the limit of 0 MiB"):
        yamlread.read_bytes(path)
    path.write_bytes(b"#" * 1000)
    assert len(yamlread.read_bytes(path)) == 1000


def test_a_fifo_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "a.yaml"
    os.mkfifo(fifo)
    with pytest.raises(YamlError, match="not a regular file"):
        yamlread.read_bytes(fifo)


# -- links out of the dataset folder -----------------------------------------------------------

LINK_RULE = ("a link to a file outside the dataset folder: not read (a dataset reads only "
             "files inside its folder; links to files inside it are allowed)")


def _linked_dataset(tmp_path: Path) -> Path:
    """A valid dataset with links: out of the folder (to a file, a folder), and inside it."""
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "shadow").write_text("root:$6$hunter2:19000:0:99999:7:::\n", "utf-8")
    (secret / "more.yaml").write_text("areas: [hunter2]\n", "utf-8")
    data = tmp_path / "data"
    (data / "parts").mkdir(parents=True)
    (data / "dataset.yaml").write_text(
        "format: 1\ndataset: {id: test, title: Testi, lang: fi}\n", "utf-8")
    (data / "parts" / "areas.txt").write_text(
        "areas:\n  - {id: kolari, name: Kolari, kind: municipality}\n", "utf-8")
    (data / "areas.yaml").symlink_to("parts/areas.txt")  # inside: read
    (data / "parts" / "shadow.yaml").symlink_to(secret / "shadow")  # absolute, outside
    (data / "up.yaml").symlink_to("../secret/more.yaml")  # relative, outside
    (data / "linked").symlink_to("../secret")  # a folder: not followed
    return data


@pytest.mark.parametrize("workers", [1, 2])
def test_a_link_out_of_the_dataset_folder_is_refused_unread(tmp_path, workers):
    from graph.loader.facts import InvalidDataset, load_facts

    data = _linked_dataset(tmp_path)
    with pytest.raises(InvalidDataset) as info:
        load_facts(data, workers=workers)
    assert [str(p) for p in info.value.problems] == [
        f"{data}/parts/shadow.yaml: {LINK_RULE}",
        f"{data}/up.yaml: {LINK_RULE}",
    ]


def test_a_link_inside_the_dataset_folder_is_read(tmp_path):
    from graph.loader.facts import load_facts

    data = _linked_dataset(tmp_path)
    for name in ("parts/shadow.yaml", "up.yaml"):
        (data / name).unlink()
    facts = load_facts(data)
    assert [a["id"] for a in facts.sections["areas"]] == ["kolari"]
    assert facts.files == ["areas.yaml", "dataset.yaml"]  # linked/ is not followed


def test_the_cli_names_the_link_and_shows_nothing_of_its_target(tmp_path):
    from click.testing import CliRunner

    from cli import main

    data = _linked_dataset(tmp_path)
    result = CliRunner().invoke(main, ["validate", str(data)])
    assert result.exit_code == 1 and result.stdout == ""
    assert "hunter2" not in result.stderr and "root:" not in result.stderr
    assert result.stderr.splitlines() == [f"{data}/parts/shadow.yaml: {LINK_RULE}",
                                          f"{data}/up.yaml: {LINK_RULE}"]


# -- a file name cannot forge a line of output ------------------------------------------------


def test_a_problem_shows_control_characters_of_its_path_escaped():
    from graph.loader.facts import Problem

    problem = Problem("data/x\n/etc/ok.yaml:1: fine\u202e\udcff.yaml", 3, "bad\rthing")
    assert str(problem) == "data/x\\u000a/etc/ok.yaml:1: fine\\u202e\\xff.yaml:3: bad\\u000dthing"
    assert str(Problem("data/Kolari ä → b.yaml", None, "ok")) == "data/Kolari ä → b.yaml: ok"


def test_a_file_name_with_a_newline_gives_one_line_on_stderr(tmp_path):
    from click.testing import CliRunner

    from cli import main

    (tmp_path / "dataset.yaml").write_text(
        "format: 1\ndataset: {id: test, title: Testi, lang: fi}\n", "utf-8")
    (tmp_path / "x\nforged.yaml:1: everything is fine\n\x1b[2J.yaml").write_text("areas: 5\n")
    (tmp_path / "b\u2028c.yaml").write_text("format: 1\ndataset: {id: t, title: T, lang: fi}\n")
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{tmp_path}/dataset.yaml:2: a second 'dataset:' block (the first is at "
        f"{tmp_path}/b\\u2028c.yaml:2); a dataset has exactly one",
        f"{tmp_path}/x\\u000aforged.yaml:1: everything is fine\\u000a\\u001b[2J.yaml:1: "
        "section 'areas' must be a list of entries (each starting with '- ')",
    ]
