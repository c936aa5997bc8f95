"""Faults from outside (issue 15): Ctrl-C, cells a spreadsheet would run, an output
folder inside the dataset, a killed build, builds racing for one folder."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from cli import main
from tests.conftest import ROOT, SEED

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
