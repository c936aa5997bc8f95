"""Push at scale (issue 19): whole `regiograph push` commands to Virtuoso 7, against the
plain path.

On a fresh Virtuoso (tests/stores.py: its own database in a temporary folder, on
127.0.0.1, a user with the SPARQL_UPDATE role, HTTP digest login; 800 MB of buffers and
a TransactionAfterImageLimit of 2 000 000 000 bytes, so that one transaction can replace
the graphs), each row a process of its own timed with the peak resident memory that GNU
time reports for it:

- ``push`` of a built store into an empty store: both graphs (data and derived facts) in
  chunks of 50 000 triples into staging graphs, then one update replaces the graphs;
- ``push`` again: the same, replacing graphs that are there (the update drops them);
- ``push --update none``: the graphs written in place, no staging and no update (what a
  store without an update endpoint gets; not replaced at once);
- plain path: one HTTP PUT of the data graph's N-Triples file (``curl --digest -T``:
  no derived graph, no chunks, no retries, the store's answer alone);
- ``push`` to a Virtuoso with its default TransactionAfterImageLimit (50 MB): the error it
  ends with, and after how long.

Skipped, with a line that says so, when Virtuoso is not installed.

Run alone: ``.venv/bin/python bench/push.py out/synth.store`` (a store built by
``regiograph build``; e.g. ``regiograph synth --triples 1000000 -o /tmp/pushbench/synth``
then ``regiograph build /tmp/pushbench/synth -o /tmp/pushbench/out``). It prints a
Markdown table. bench/run.py calls :func:`rows` with the largest store it built
(``BENCH_PUSH=0`` leaves it out).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from maps import table  # noqa: E402  (a script beside this)

GNU_TIME = "/usr/bin/time"
REGIOGRAPH = Path(sys.executable).parent / "regiograph"
#: a transaction large enough to replace 1M triples' graphs at once (measured: 50 MB,
#: Virtuoso's default, is not)
AFTER_IMAGE = 2_000_000_000
BUFFERS = 100_000  # 8 KB pages: 800 MB


def skipped() -> str | None:
    """Why the push rows cannot be measured here, or None."""
    from tests.stores import VIRTUOSO_MISSING, virtuoso_programs

    if virtuoso_programs() is None:
        return VIRTUOSO_MISSING
    return None


def timed(args: list, env: dict | None = None) -> dict:
    """Run ``args`` as a process of its own: its time, peak memory (GNU time's %M, None
    without GNU time), exit code and output."""
    with tempfile.TemporaryDirectory() as tmp:
        measured = Path(tmp) / "time"
        wrap = [GNU_TIME, "-f", "%M", "-o", str(measured)] if Path(GNU_TIME).exists() else []
        start = time.perf_counter()
        done = subprocess.run([*wrap, *map(str, args)], capture_output=True, text=True,
                              env=env, timeout=7200, cwd=ROOT)
        seconds = time.perf_counter() - start
        peak = measured.read_text().split()[-1] if measured.exists() else ""
    return {"s": seconds, "mb": int(peak) / 1024 if peak.isdigit() else None,
            "code": done.returncode, "out": done.stdout.strip(), "err": done.stderr.strip()}


def fmt(result: dict) -> str:
    memory = f", {result['mb']:.0f} MB" if result["mb"] is not None else ""
    failed = "" if result["code"] == 0 else f" — exit {result['code']}: {_said(result)}"
    return f"{result['s']:.1f} s{memory}{failed}"


def _said(result: dict) -> str:
    text = (result["err"] or result["out"]).replace("|", "/").splitlines()
    return (text[0] if text else "")[:240]


def _push(store, running, graph: str, *extra) -> dict:
    return timed([REGIOGRAPH, "push", store, "--endpoint", running.graph_store, "--graph",
                  graph, "--user", running.user, *extra], running.env())


def rows(store: str | os.PathLike, folder: Path | None = None) -> list[dict]:
    """Every row, pushing the built store ``store`` (a temporary folder under ``folder``
    holds the Virtuoso databases and the plain path's file)."""
    from pyoxigraph import RdfFormat

    from graph.store.store import open_store, serialize
    from tests.stores import virtuoso_server

    folder = Path(tempfile.mkdtemp(prefix="bench-push-", dir=folder))
    try:
        nt = folder / "data.nt"
        serialize(open_store(store), RdfFormat.N_TRIPLES, output=nt)
        lines = sum(1 for _ in open(nt, "rb"))
        graph = "https://example.org/bench/push/"
        out = []
        with virtuoso_server(folder / "virtuoso", buffers=BUFFERS,
                             after_image=AFTER_IMAGE) as running:
            first = _push(store, running, graph)
            again = _push(store, running, graph)
            in_place = _push(store, running, graph, "--update", "none")
            plain = None
            if shutil.which("curl"):
                netrc = folder / "netrc"  # the password in a file, not on curl's command line
                netrc.write_text(f"machine 127.0.0.1 login {running.user} password "
                                 f"{running.password}\n")
                netrc.chmod(0o600)
                plain = timed(["curl", "--silent", "--show-error", "--fail", "--digest",
                               "--netrc-file", netrc, "-X", "PUT", "-H",
                               "Content-Type: application/n-triples", "-T", nt,
                               f"{running.graph_store}?graph=https://example.org/bench/plain/"])
                arrived = running.count("https://example.org/bench/plain/")
        plain_text = (f"{fmt(plain)} (one PUT of {nt.stat().st_size / 2**20:.0f} MB, data "
                      f"graph only: {arrived:,} of {lines:,} triples arrived)"
                      if plain else "— (no curl)")
        target = "measured (issue 19)"
        found = re.search(r"and (\d+) derived ones", first["out"])
        derived = f"{int(found.group(1)):,}" if found else "the"
        out.append({"what": f"`push` of {lines:,} + {derived} derived triples into an empty "
                            "Virtuoso (chunks, staging, one update)",
                    "ours": fmt(first) + _requests(first), "plain": plain_text,
                    "target": target})
        out.append({"what": "`push` again: the graphs replaced (dropped by the update)",
                    "ours": fmt(again) + _requests(again), "plain": "—", "target": target})
        out.append({"what": "`push --update none`: written in place (not replaced at once)",
                    "ours": fmt(in_place) + _requests(in_place), "plain": "—",
                    "target": target})
        with virtuoso_server(folder / "virtuoso-default", buffers=BUFFERS) as running:
            limited = _push(store, running, graph)
        out.append({"what": "`push` to a Virtuoso with its default TransactionAfterImageLimit "
                            "(50 MB)",
                    "ours": fmt(limited), "plain": "—", "target": "a clear error, exit 6"})
        return out
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _requests(result: dict) -> str:
    """The number of requests push says it sent."""
    found = re.search(r"\((\d+) requests", result["out"])
    return f", {found.group(1)} requests" if found and result["code"] == 0 else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", help="a store built by `regiograph build`")
    args = parser.parse_args()
    why = skipped()
    if why:
        print(f"Push: skipped. {why}")
        return
    print(table(rows(args.store)), flush=True)


if __name__ == "__main__":
    main()
