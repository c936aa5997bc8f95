from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "lapland"
SHARED = ROOT.parent / "shared"

# real stores on 127.0.0.1 for the tests that ask for them (the oxigraph server, Virtuoso)
from tests.stores import oxigraph_store, virtuoso_store  # noqa: E402, F401 - fixtures


@pytest.fixture(scope="session")
def seed_facts():
    from graph.loader.facts import load_facts

    return load_facts(SEED)


def write_dataset(folder: Path, files: dict[str, str]) -> Path:
    """Write ``{relpath: text}`` under ``folder`` and return it."""
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return folder


HEADER = "format: 1\ndataset:\n  id: t\n  title: Test\n  lang: fi\n"


def leftovers(out: Path, *names: str) -> list[str]:
    """Hidden entries of a build's output folder beyond what its builds publish: each
    dataset's ``.NAME.current`` link and the one generation folder it points to."""
    import os

    kept = set()
    for name in names:
        current = out / f".{name}.current"
        kept |= {current.name, os.readlink(current)}
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".") and p.name not in kept)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Debian's headless Chromium driven over the DevTools protocol (tests.test_maps.Chromium),
    with a profile of its own; closed, and its profile removed, after the module."""
    import shutil

    from tests.test_maps import Chromium

    home = tmp_path_factory.mktemp("chromium")
    chrome = Chromium(home / "profile")
    yield chrome
    chrome.close()
    shutil.rmtree(home / "profile", ignore_errors=True)
