"""Every snippet of the shared FACTS-FORMAT.md is part of the seed dataset, as written."""

from __future__ import annotations

import re
from pathlib import Path

from graph.loader.yamlread import read, to_plain
from tests.conftest import SEED, SHARED

# the shared contract when ../shared is beside the repo, else the copy kept with the tests
FORMAT = next(p for p in (SHARED / "FACTS-FORMAT.md",
                          Path(__file__).parent / "contracts" / "FACTS-FORMAT.md") if p.exists())


def snippets() -> list[dict]:
    blocks = re.findall(r"```yaml\n(.*?)```", FORMAT.read_text("utf-8"), re.S)
    return [to_plain(read(b)[0]) for b in blocks]


def seed() -> dict[str, list]:
    merged: dict[str, list] = {}
    for path in sorted(SEED.rglob("*.yaml")):
        doc = to_plain(read(path.read_text("utf-8"))[0]) or {}
        for key, value in doc.items():
            if key == "dataset":
                merged["dataset"] = [value]
            elif isinstance(value, list):
                merged.setdefault(key, []).extend(value)
    return merged


def _contains(whole, part) -> bool:
    """``part`` is written in ``whole``: same scalars, maps by key, lists item by item."""
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(
            (v is None and whole.get(k) is None) or (k in whole and _contains(whole[k], v))
            for k, v in part.items())
    if isinstance(part, list):
        return isinstance(whole, list) and len(whole) >= len(part) and all(
            any(_contains(w, p) for w in whole) for p in part)
    return whole == part


def _key(entry: dict):
    """What names an entry: its id; a responsibility's actor, role and target; a
    statement's quote (the source's own words)."""
    if "quote" in entry:
        return entry["quote"]
    return entry.get("id") or (entry.get("actor"), entry.get("role"), entry.get("for"))


def test_every_snippet_entry_is_in_the_seed_dataset():
    data = seed()
    checked = 0
    for doc in snippets():
        for section, value in doc.items():
            if section == "format":
                continue
            entries = [value] if section == "dataset" else value
            for entry in entries:
                found = [e for e in data.get(section, []) if _key(e) == _key(entry)]
                assert found, f"{section}: {_key(entry)} is not in the seed dataset"
                assert _contains(found[0], entry), (section, _key(entry))
                checked += 1
    assert len(snippets()) >= 2 and checked >= 12
