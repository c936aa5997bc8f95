from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "lapland"
SHARED = ROOT.parent / "shared"


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
