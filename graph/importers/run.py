"""``regiograph import``: register files in, a valid facts folder out, all or nothing.

:func:`import_files` reads the files as their format says (graph.importers.register),
tells who is who (graph.importers.identity, honouring the decisions of the dataset's
``same-as.csv``), turns it all into facts, validates them with the loader, and writes the
folder in one rename: the YAML files, ``same-as.csv`` (near names for a person to decide)
and ``import.json`` (what was read, what was refused, what was made).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..base.files import new_folder
from ..base.yamlout import dump_fast
from ..loader.facts import ID_RE, printable
from ..model.names import slug
from ..model.schema import SECTIONS
from .mapping import load_mapping
from .register import Imported, Problem, counts, read_register, to_facts, unique_id

#: the file of near names and their decisions, kept in the dataset folder
REVIEW_FILE = "same-as.csv"
#: what the import read and made (not a facts file: the loader reads only *.yaml)
MANIFEST = "import.json"
#: the files an import writes: a folder holding only these (or nothing) may be replaced
_SECTION_FILES = "|".join(s for s in SECTIONS if s != "sources")
WRITTEN = re.compile(rf"(dataset|({_SECTION_FILES})(-\d{{3,}})?)\.yaml"
                     rf"|{re.escape(REVIEW_FILE)}|{re.escape(MANIFEST)}")
#: entries per file: a YAML document holds at most 1 000 000 nodes (the loader's limit),
#: and the loader reads files in parallel
CHUNK = 4000


class ImportRefused(ValueError):
    """The import cannot be done at all (a file or the output folder): one message."""


@dataclass
class ImportResult:
    """What one import did: the facts, the rows refused, what a person should know, the
    near names to review and the counts (rows read, imported, refused; entries made)."""

    facts: dict
    bad: list[Problem]
    notices: list[Problem]
    review: list = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    made: dict[str, int] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    personal_skipped: int = 0
    digests: dict[str, str] = field(default_factory=dict)  # file -> SHA-256, when read


def import_files(fmt: str, files: list[str | os.PathLike], out: str | os.PathLike, *,
                 dataset_id: str | None = None, title: str | None = None,
                 personal: bool = False, strict: bool = False,
                 today: dt.date | None = None) -> ImportResult:
    """Import ``files`` of format ``fmt`` (a built-in name or a mapping file) into the
    facts folder ``out``. Raises ImportRefused (nothing written) when a file cannot be
    read as the format, or ``out`` holds files that an import did not write.
    Cost: one pass over the files, then O(organisations) for who is who (near names with
    rapidfuzz), then one validation of the facts written.
    """
    from .identity import Mention, read_decisions, resolve, write_review
    from .rows import TableError

    out = Path(os.path.abspath(out))  # `-o .` too: the folder is replaced by its name
    _check_out(out)
    paths = [Path(f) for f in files]
    for path in paths:
        if path.is_dir():
            raise ImportRefused(f"{printable(str(path))} is a folder; give the register files")
        if not path.is_file():
            raise ImportRefused(f"{printable(str(path))}: no such file")
    if dataset_id is not None and not ID_RE.match(dataset_id):
        raise ImportRefused(f"--id {dataset_id!r} is not an id: lowercase ASCII letters and "
                            "digits in groups joined by single '-'")
    if fmt == "workbook":
        return _import_workbook(paths, out, strict, dataset_id, title)
    mapping = load_mapping(fmt)
    try:
        imported = read_register(mapping, paths, personal=personal, today=today)
    except TableError as exc:
        raise ImportRefused(str(exc)) from None
    review_path = out / REVIEW_FILE
    decisions, problems = read_decisions(review_path) if review_path.exists() else ([], [])
    if problems and not decisions:  # unreadable as a whole: never overwrite a person's work
        raise ImportRefused("\n".join(problems) + f"\n{review_path} holds the decisions "
                            "about names; mend it (or remove it) and import again")
    mentions = [Mention(m.name, m.codes, m.country, m.file, m.line) for m in imported.mentions]
    resolution = resolve(mentions, decisions)
    orgs, owner = _organisations(imported, mentions, resolution)
    ident = dataset_id or slug(mapping.format)
    dataset = {"id": ident, "title": {mapping.lang: title or _title(mapping, paths)},
               "lang": mapping.lang}
    if mapping.uses:
        dataset["uses"] = sorted(mapping.uses)
    doc = to_facts(imported, orgs, owner, dataset)
    bad = sorted(imported.bad + [_problem(p) for p in resolution.problems],
                 key=lambda p: (p.file, p.line))
    notices = imported.notices + [_problem(p) for p in problems]
    result = ImportResult(doc, bad, notices, list(resolution.review),
                          personal_skipped=imported.personal_skipped,
                          digests=imported.digests)
    result.rows = {"read": imported.rows_read, "imported": imported.rows_imported,
                   "refused": len(imported.bad)}
    result.made = counts(doc)
    if strict and bad:
        return result  # nothing written: the caller reports the refused rows
    result.written = _write(out, doc, result, mapping.format, paths, resolution.decisions,
                            write_review, mapping.path)
    return result


def _import_workbook(paths: list[Path], out: Path, strict: bool, dataset_id: str | None,
                     title: str | None) -> ImportResult:
    """The ``workbook`` format: the XLSX that ``export --format xlsx`` writes, edited."""
    from ..model.schema import facts_document
    from .identity import write_review
    from .workbook import import_workbook

    res = import_workbook(paths)
    bad = [_problem(p) for p in res.problems]
    if res.facts is None:
        raise ImportRefused("\n".join(res.problems) or "nothing to import")
    dataset = dict(res.facts["dataset"])
    if dataset_id:
        dataset["id"] = dataset_id
    if title:
        dataset["title"] = {dataset["lang"]: title}
    doc = facts_document(dataset=dataset)
    doc.update({k: v for k, v in res.facts.items() if k != "dataset" and v})
    result = ImportResult(doc, bad, [])
    result.rows = {"read": res.read, "imported": res.read - res.left_out,
                   "refused": res.left_out}
    result.made = counts(doc)
    if strict and bad:
        return result
    result.written = _write(out, doc, result, "workbook", paths, [], write_review, "workbook")
    return result


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _problem(text: str) -> Problem:
    match = re.match(r"^(.*):(\d+): (.*)$", text, re.S)
    return Problem(match[1], int(match[2]), match[3]) if match else Problem(text, 0, "")


def _organisations(imported: Imported, mentions: list, resolution
                   ) -> tuple[list[dict], list[int | None]]:
    """Facts entries of the resolved organisations and, per mention, its entry's index
    (None for a mention that names no organisation)."""
    def key(m):
        return m.file, m.row, m.name, tuple(sorted((m.codes or {}).items())), m.country

    index_of = {key(m): n for n, org in enumerate(resolution.organisations)
                for m in org.mentions}
    owner = [index_of.get(key(m)) for m in mentions]
    members: dict[int, list[int]] = {}
    for i, n in enumerate(owner):
        if n is not None:
            members.setdefault(n, []).append(i)
    orgs = []
    for n, org in enumerate(resolution.organisations):
        mine = members.get(n, [])
        kinds = [imported.mentions[i].kind for i in mine if imported.mentions[i].kind]
        countries = {imported.mentions[i].country for i in mine} - {None}
        notes = sorted({imported.mentions[i].note for i in mine} - {None})
        ident = unique_id(org.id, imported.taken, ("organisation", n))
        entry = {"id": ident, "name": {imported.mapping.lang: org.name},
                 "kind": _kind(kinds)}
        if org.codes:
            entry["codes"] = dict(org.codes)
        if org.alt_names:
            entry["alt_names"] = sorted(org.alt_names)
        entry["source"] = sorted({imported.source_of[imported.mentions[i].file] for i in mine})
        extra = []
        if not kinds:
            extra.append("kind: the register gives none")
        elif len(set(kinds)) > 1:
            extra.append("kinds in the register: " + ", ".join(sorted(set(kinds))))
        if len(countries) > 1:
            extra.append("countries in the register: " + ", ".join(sorted(countries)))
        extra += notes
        if extra:
            entry["note"] = "; ".join(extra)
        orgs.append(entry)
    return orgs, owner


def _kind(kinds: list[str]) -> str:
    if not kinds:
        return "organisation"
    order = {"regional-council": 0, "funding-authority": 2}
    return sorted(set(kinds), key=lambda k: (order.get(k, 1), -kinds.count(k), k))[0]


def _title(mapping, paths: list[Path]) -> str:
    text = mapping.title.get(mapping.lang) or next(iter(mapping.title.values()))
    return f"{text}: {', '.join(p.name for p in paths)}"


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ImportRefused(f"{out} is a file; -o names the facts folder to write")
    if out.is_dir():
        entries = sorted(p.name for p in out.iterdir())
        foreign = [name for name in entries if not WRITTEN.fullmatch(name)]
        if entries and (MANIFEST not in entries or foreign):
            shown = ", ".join(printable(n) for n in (foreign or entries)[:5])
            raise ImportRefused(f"{out} holds files that no import wrote ({shown}"
                                f"{'…' if len(foreign or entries) > 5 else ''}); an import "
                                "replaces the whole folder: choose a new or empty one")


def _write(out: Path, doc: dict, result: ImportResult, fmt: str, paths, decisions,
           write_review, mapping_path: str) -> list[Path]:
    from ..loader.facts import InvalidDataset, load_facts

    names = ", ".join(printable(p.name) for p in paths)
    header = (f"# Written by `regiograph import {fmt}` from {names}.\n# Edit freely; the next "
              f"import into this folder replaces it (decisions about names live in "
              f"{REVIEW_FILE}).\n")
    files = {"dataset.yaml": {"format": 1, "dataset": doc["dataset"],
                              "sources": doc.get("sources", [])}}
    for section in SECTIONS:
        entries = doc.get(section) if section != "sources" else None
        if not entries:
            continue
        chunks = [entries[i:i + CHUNK] for i in range(0, len(entries), CHUNK)]
        for k, chunk in enumerate(chunks, 1):
            name = f"{section}.yaml" if len(chunks) == 1 else f"{section}-{k:03d}.yaml"
            files[name] = {section: chunk}
    with new_folder(out) as tmp:
        for name, content in files.items():
            (tmp / name).write_text(header + dump_fast(content), "utf-8")
        try:
            load_facts(tmp, display=os.fspath(out))
        except InvalidDataset as exc:  # the mapping or the importer at fault: write nothing
            shown = "\n".join(str(p) for p in exc.problems[:20])
            raise ImportRefused(f"the import made facts that the loader refuses (a mapping "
                                f"value, or a fault of regiograph to report):\n{shown}") from None
        write_review(tmp / REVIEW_FILE, result.review, decisions)
        manifest = {
            "format": fmt,
            "mapping": mapping_path,
            "files": [{"file": os.fspath(p), "sha256": result.digests.get(os.fspath(p))
                       or _sha256(p)} for p in paths],
            "rows": result.rows,
            "made": result.made,
            "refused": [str(p) for p in result.bad],
            "notices": [str(p) for p in result.notices],
            "personal_fields_skipped": result.personal_skipped,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                    "utf-8")
    return [out / name for name in [*files, REVIEW_FILE, MANIFEST]]
