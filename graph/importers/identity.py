"""Who is who: organisation mentions from register rows grouped into organisations.

The rules (issue 16), and nothing else merges silently:

- **same register id → same organisation**: two mentions whose valid Y-tunnus,
  organisationsnummer or organisasjonsnummer (:mod:`graph.model.registers`) agree;
- **same normalised name → same organisation** (:func:`normalise_name`: case, spaces and
  punctuation do not count; legal forms and diacritics do) — unless register ids tell
  them apart: two mentions that carry different register ids stay two organisations
  even when their names agree, and are offered for review as a *same name* pair; a
  mention without an id joins the one organisation with an id of that name, and stays
  apart (offered for review) when there are several;
- **a person's decision** in the review file ``same-as.csv``: ``same`` merges two,
  ``different`` keeps two apart and the pair is not offered again.

Names that are only alike are never merged: they are offered for review as *near* pairs
with their similarity (:data:`NEAR_THRESHOLD`). "Lidköpings kommun" and "Linköpings
kommun" are two municipalities 94 % alike, so they are offered, never merged. An invalid
register id is a problem (``file:row: message``) and is ignored for matching.

The review file (:func:`write_review`, :func:`read_decisions`) is a UTF-8 CSV with a
header, one pair per row, columns :data:`REVIEW_COLUMNS`:

``decision``
    empty when written; a person writes ``same`` or ``different`` (case does not matter).
``similarity``
    0-100, how alike the two names are (see :data:`NEAR_THRESHOLD`); 100 for a pair of
    the same name (different register ids, or one without an id beside several with).
``name``, ``other_name``
    the two spellings compared, as written in the registers (the most common writing of
    each). A decision is about these names (their normal forms): it holds at every later
    import for the organisations that have either spelling among their names.
``name_ids``, ``other_ids``
    the register ids of each side (``y-tunnus 0112038-9; …``), for the person; for a
    pair of the same name they tell the two sides apart and are part of the decision.
``name_rows``, ``other_rows``
    where each spelling was met, ``file:row`` separated by spaces (the first ten).
``note``
    written by the import: how the two names differ, or what became of a decision
    (merged, kept apart, not met in this import, refused and why).
``comment``
    free text for the person; kept as it is.

Decisions are never lost: a decided row is written again at every import, also when its
names no longer occur (its note says so). Undecided pairs are written again as they are
found (with their comment). Cells that a spreadsheet would evaluate (starting with ``=``,
``+``, ``-``, ``@``…) are written with a ``'`` in front, as :func:`graph.export.neutral`
does, and so is a cell that starts with a ``'`` of its own; reading removes one leading
``'``, so every text comes back as it was.
"""

from __future__ import annotations

import bisect
import csv
import functools
import io
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..base.files import write_atomic
from ..export import neutral
from ..model.names import slug
from ..model.registers import SCHEMES, check_register_id

#: A near pair is offered for review when its similarity is at least this (0-100).
#: The similarity is rapidfuzz's ``fuzz.ratio`` (normalised Indel similarity: twice the
#: characters the two have in common, in order, over their total length) of the two
#: *cores*: the normalised names with their legal forms (:data:`LEGAL_FORMS`) left out
#: and their words sorted, i.e. ``token_sort_ratio`` that does not count "Oy" or "AB".
#: 85 lets one letter differ in a core of 7 letters or more, two in 14, three in 20:
#: Lidköpings/Linköpings kommun 94, Kemin/Kemi kaupunki 96, "Lapin liitto"/"Lapin
#: liitto ry" 100 (only the legal form differs). It keeps apart names that share a
#: common word only ("Kemin kaupunki"/"Torin kaupunki" 78: offering every "X kaupunki"
#: pair would bury the real ones) and short names one letter apart ("Salla"/"Sallo"
#: 80), so a typo in a name of 6 letters or fewer is not offered.
NEAR_THRESHOLD = 85

#: legal-form words left out of the core that near names are scored on (never out of
#: the normal form that decides sameness: "Nokia" and "Nokia Oyj" are near, not same)
LEGAL_FORMS = frozenset({
    "oy", "oyj", "ab", "abp", "ry", "rf", "ky", "ay", "tmi", "osk", "sr",  # Finland
    "hb", "kb", "ek", "för", "ideell", "förening",  # Sweden
    "as", "asa", "sa", "ans", "da", "ba", "nuf",  # Norway
})

REVIEW_COLUMNS = ("decision", "similarity", "name", "other_name", "name_ids", "other_ids",
                  "name_rows", "other_rows", "note", "comment")
DECISIONS = ("same", "different")
_SHOWN_ROWS = 10


#: a full stop, colon or apostrophe after a letter: an abbreviation or an elision
_ABBREVIATION = re.compile(r"(?<=[^\W\d_])[.:'\u2019]")


def normalise_name(text: str) -> str:
    """The normal form of an organisation name: two names with the same normal form are
    the same organisation. Unicode NFKC, case folded, every punctuation or symbol
    character a space, whitespace collapsed, stripped; except that a full stop, colon or
    apostrophe right after a letter is dropped, as it abbreviates or elides ("A.B." is
    "AB", "S:t" is "St"; "4.0" stays two numbers). Legal forms and diacritics stay
    (Lidköping is not Linköping; "Oy" or not is for a person to decide).

    Cost: linear in the length of the name (about a microsecond per 20 characters).

    >>> normalise_name("  LAPIN  LIITTO. "), normalise_name("Kemi, kaupunki")
    ('lapin liitto', 'kemi kaupunki')
    >>> normalise_name("Lidköpings kommun") == normalise_name("Linköpings kommun")
    False
    >>> normalise_name("Bröderna A.B. Nilsson"), normalise_name("S:t Michel 4.0")
    ('bröderna ab nilsson', 'st michel 4 0')
    """
    text = _ABBREVIATION.sub("", unicodedata.normalize("NFKC", text).casefold())
    text = "".join(" " if unicodedata.category(c)[0] in "PS" else c for c in text)
    return " ".join(text.split())


#: the same names come back row after row: each is normalised once
cached_normal = functools.lru_cache(maxsize=1 << 16)(normalise_name)


def _core(normal: str) -> str:
    """What near names are scored on: the normal form's words, legal forms left out,
    sorted (all words sorted when nothing else is left)."""
    words = normal.split()
    kept = [w for w in words if w not in LEGAL_FORMS] or words
    return " ".join(sorted(kept))


def _spelling(text: str) -> str:
    """A name as written, whitespace collapsed (a double space is no spelling of its own)."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Mention:
    """One organisation as a register row names it: ``name`` as written, its register ids
    ``{scheme: id as written}`` (schemes of :data:`graph.model.registers.SCHEMES`;
    empty values are ignored), its ``country`` (ISO 3166 alpha-2) if known, and where it
    came from: ``file`` and ``row`` (for messages and the review file)."""

    name: str
    codes: Mapping[str, str] = field(default_factory=dict)
    country: str | None = None
    file: str = ""
    row: int = 0

    @property
    def where(self) -> str:
        return f"{self.file}:{self.row}"


@dataclass
class Organisation:
    """One organisation: ``id`` (slug of its name, unique), ``name`` (the most common
    spelling; ties: the one met first by file and row), ``alt_names`` (every other
    spelling, sorted), ``codes`` ({scheme: canonical id}), ``country`` (of its register
    ids, else the most common of its mentions) and the ``mentions`` it merged (sorted by
    file and row)."""

    id: str
    name: str
    alt_names: list[str]
    codes: dict[str, str]
    country: str | None
    mentions: list[Mention]


@dataclass(frozen=True)
class Decision:
    """One row of the review file: ``decision`` ('same', 'different', '' or, when not
    understood, as written), the pair it is about and the other cells of the row;
    ``line`` is its line in the file (0 for a new pair)."""

    decision: str
    name: str
    other_name: str
    name_ids: str = ""
    other_ids: str = ""
    similarity: str = ""
    name_rows: str = ""
    other_rows: str = ""
    note: str = ""
    comment: str = ""
    line: int = 0
    file: str = ""

    @property
    def where(self) -> str:
        return f"{self.file or 'same-as.csv'}:{self.line}"

    @property
    def key(self) -> frozenset:
        """What the decision is about: the normal forms of the two names; the register
        ids as well when the two names are the same."""
        a, b = cached_normal(self.name), cached_normal(self.other_name)
        if a == b:
            return frozenset({(a, _exact(self.name_ids)), (b, _exact(self.other_ids))})
        return frozenset({(a, ""), (b, "")})


@dataclass(frozen=True)
class ReviewPair:
    """A pair of organisations offered for review: near names, or the same name kept apart
    by register ids (``same_name``). ``first``/``second`` are the organisations' ids."""

    similarity: int
    name: str
    other_name: str
    name_ids: str
    other_ids: str
    name_rows: str
    other_rows: str
    note: str
    first: str
    second: str
    same_name: bool = False

    @property
    def key(self) -> frozenset:
        return self.as_decision().key

    def as_decision(self, comment: str = "") -> Decision:
        return Decision("", self.name, self.other_name, self.name_ids, self.other_ids,
                        str(self.similarity), self.name_rows, self.other_rows, self.note,
                        comment)


@dataclass
class Resolution:
    """What :func:`resolve` found: the ``organisations`` (sorted by id), the pairs to
    ``review`` (most alike first), the ``decisions`` it was given, each with a note of
    what became of it, and the ``problems`` (``file:row: message``, sorted)."""

    organisations: list[Organisation]
    review: list[ReviewPair]
    decisions: list[Decision]
    problems: list[str]

    @property
    def conflicts(self) -> list[ReviewPair]:
        """The pairs of the same name that register ids keep apart."""
        return [p for p in self.review if p.same_name]


def _ids_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _exact(text: str) -> str:
    """A side of a decision about two of the same name: exactly these ids ('-': none)."""
    return _ids_key(text) or "-"


def _ids_text(codes: Mapping[str, Iterable[str]]) -> str:
    return "; ".join(f"{s} {i}" for s in sorted(codes) for i in sorted(codes[s]))


class _Groups:
    """Union-find over mention indices, each root holding its normal names, spellings'
    positions and register ids."""

    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _position(m: Mention) -> tuple[str, int]:
    return (m.file, m.row)


def resolve(mentions: Iterable[Mention], decisions: Iterable[Decision] = (), *,
            threshold: int = NEAR_THRESHOLD, workers: int = -1) -> Resolution:
    """Group ``mentions`` into organisations by the rules of this module, honour the
    ``decisions`` of a review file (:func:`read_decisions`), and find the pairs to review.

    The result does not depend on the order of ``mentions`` (ties are broken by file and
    row, ids are given in an order of the organisations' own content). ``workers`` is
    rapidfuzz's (-1: every CPU).

    Cost: linear in the mentions for the grouping; the near names compare every distinct
    core with every other of a length that can be as alike, in rapidfuzz's ``cdist`` (C++,
    bit-parallel, in blocks of 1 000 rows, a few MB). 8 000 organisations (8 824 rows,
    1 083 pairs to review) take 0.7-0.9 s on 2 busy CPUs, about 50 MB (``make bench``).

    >>> r = resolve([Mention("Lapin liitto", file="a.csv", row=2),
    ...              Mention("LAPIN  LIITTO.", file="a.csv", row=3),
    ...              Mention("Lidköpings kommun", file="b.csv", row=2),
    ...              Mention("Linköpings kommun", file="b.csv", row=3)])
    >>> [(o.id, o.name, o.alt_names) for o in r.organisations]  # doctest: +NORMALIZE_WHITESPACE
    [('lapin-liitto', 'Lapin liitto', ['LAPIN LIITTO.']),
     ('lidkopings-kommun', 'Lidköpings kommun', []),
     ('linkopings-kommun', 'Linköpings kommun', [])]
    >>> [(p.name, p.other_name, p.similarity) for p in r.review]
    [('Lidköpings kommun', 'Linköpings kommun', 94)]
    """
    if not 0 < threshold <= 100:
        raise ValueError(f"threshold {threshold} is not a similarity in 1-100")
    mentions = sorted(mentions, key=lambda m: (m.file, m.row, m.name,
                                               sorted((str(k), str(v)) for k, v in
                                                      (m.codes or {}).items()),
                                               m.country or ""))
    problems: list[str] = []
    kept: list[Mention] = []
    valid: list[dict[str, str]] = []
    for m in mentions:
        if not isinstance(m.name, str) or not m.name.strip() or not cached_normal(m.name):
            problems.append(f"{m.where}: an organisation without a name (row ignored)")
            continue
        ids = {}
        for scheme, value in (m.codes or {}).items():
            if value is None or not str(value).strip():
                continue
            try:
                ids[scheme] = check_register_id(scheme, str(value))
            except ValueError as exc:
                problems.append(f"{m.where}: {exc} (not used to match organisations)")
        kept.append(m)
        valid.append(ids)
    mentions = kept
    normal = [cached_normal(m.name) for m in mentions]
    groups = _Groups(len(mentions))

    # same valid register id -> same
    first_with: dict[tuple[str, str], int] = {}
    for i, ids in enumerate(valid):
        for item in ids.items():
            if item in first_with:
                groups.union(first_with[item], i)
            else:
                first_with[item] = i
    # mentions without an id: one group per normal name, joined to the one group with
    # ids that has that name (several: it stays apart, for review)
    named_with_ids: dict[str, set[int]] = defaultdict(set)
    for i, ids in enumerate(valid):
        if ids:
            named_with_ids[normal[i]].add(groups.find(i))
    bare_first: dict[str, int] = {}
    for i, ids in enumerate(valid):
        if not ids:
            if normal[i] in bare_first:
                groups.union(bare_first[normal[i]], i)
            else:
                bare_first[normal[i]] = i
    for name, i in bare_first.items():
        roots = named_with_ids.get(name, set())
        if len(roots) == 1:
            groups.union(next(iter(roots)), i)

    def members() -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for i in range(len(mentions)):
            out[groups.find(i)].append(i)
        return out

    def codes_of(idx: list[int]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for i in idx:
            for scheme, value in valid[i].items():
                out[scheme].add(value)
        return out

    # a person's decisions: 'same' merges (unless register ids differ)
    decisions = list(decisions)
    noted: dict[int, str] = {}
    seen: dict[frozenset, Decision] = {}
    for n, d in enumerate(decisions):
        if d.decision not in DECISIONS:
            continue
        if d.key in seen:
            if seen[d.key].decision != d.decision:
                problems.append(f"{d.where}: {d.decision!r} for {d.name!r} and "
                                f"{d.other_name!r} contradicts line {seen[d.key].line} "
                                f"({seen[d.key].decision!r}); the first holds")
                noted[n] = f"contradicts line {seen[d.key].line}: not used"
            continue
        seen[d.key] = d
    # a decision's side: the groups (as the rules made them) that have the name, and for
    # a pair of the same name, exactly the ids; looked up through find() after merges
    side_index: dict[tuple[str, str], set[int]] = defaultdict(set)
    root_codes: dict[int, dict[str, set[str]]] = {}
    for root, idx in members().items():
        root_codes[root] = codes_of(idx)
        ids = _exact(_ids_text(root_codes[root]))
        for name in {normal[i] for i in idx}:
            side_index[(name, "")].add(root)  # a near pair's side: whatever the ids
            side_index[(name, ids)].add(root)
    for n, d in enumerate(decisions):
        if d.decision != "same" or seen.get(d.key) is not d:
            continue
        sides = sorted(d.key) if len(d.key) == 2 else [*d.key] * 2
        found = [{groups.find(r) for r in side_index.get(s, ())} for s in sides]
        missing = [d.name if s[0] == cached_normal(d.name) else d.other_name
                   for s, f in zip(sides, found, strict=True) if not f]
        if missing:
            noted[n] = f"not met in this import: {', '.join(sorted(set(missing)))}"
            continue
        if any(len(f) > 1 for f in found):
            noted[n] = "not used: a name here belongs to several organisations (give ids)"
            problems.append(f"{d.where}: {d.name!r} or {d.other_name!r} names several "
                            "organisations; write their register ids in name_ids and "
                            "other_ids to say which")
            continue
        a, b = (next(iter(f)) for f in found)
        if a == b:
            noted[n] = "merged"
            continue
        ca, cb = root_codes[a], root_codes[b]
        clash = sorted(s for s in set(ca) & set(cb) if ca[s] != cb[s])
        if clash:
            label = SCHEMES[clash[0]].label
            noted[n] = f"refused: their {label} differ"
            problems.append(f"{d.where}: {d.name!r} and {d.other_name!r} cannot be one "
                            f"organisation: their {label} differ "
                            f"({', '.join(sorted(ca[clash[0]]))} and "
                            f"{', '.join(sorted(cb[clash[0]]))}); correct the register "
                            "id or decide 'different'")
            continue
        groups.union(a, b)
        merged = {s: ca.get(s, set()) | cb.get(s, set()) for s in {*ca, *cb}}
        root_codes[groups.find(a)] = merged
        noted[n] = "merged"

    # the organisations
    groups_now = members()
    built: list[tuple[tuple, Organisation, list[int]]] = []
    for idx in groups_now.values():
        idx.sort()  # mentions are sorted by file and row
        group = [mentions[i] for i in idx]
        counts = Counter(_spelling(m.name) for m in group)
        first = {}
        for m in group:
            first.setdefault(_spelling(m.name), _position(m))
        name = min(counts, key=lambda s: (-counts[s], first[s], s))
        codes_sets = codes_of(idx)
        codes = {}
        for scheme, values in sorted(codes_sets.items()):
            per = Counter(valid[i][scheme] for i in idx if scheme in valid[i])
            codes[scheme] = min(values, key=lambda v: (-per[v], v))
            if len(values) > 1:
                where = " ".join(mentions[i].where for i in idx if scheme in valid[i])
                problems.append(f"{group[0].where}: one organisation {name!r} with several "
                                f"{SCHEMES[scheme].label}: {', '.join(sorted(values))} "
                                f"(rows {where}); {codes[scheme]} kept")
        countries = [SCHEMES[s].country for s in codes] or \
            [m.country for m in group if m.country]
        country = min(Counter(countries).items(), key=lambda kv: (-kv[1], kv[0]))[0] \
            if countries else None
        org = Organisation("", name, sorted(s for s in counts if s != name), codes, country,
                           group)
        order = (slug(name) or "organisation", _ids_text(codes_sets),
                 sorted({normal[i] for i in idx}), name, [_position(m) for m in group])
        built.append((order, org, idx))
    built.sort(key=lambda t: t[0])
    taken: set[str] = set()
    bases = {order[0] for order, _, _ in built}  # a suffix never takes another's own slug
    later = []
    for order, org, _ in built:
        if order[0] in taken:
            later.append((order, org))
        else:
            org.id = order[0]
            taken.add(org.id)
    for order, org in later:
        n = 2
        while f"{order[0]}-{n}" in taken or f"{order[0]}-{n}" in bases:
            n += 1
        org.id = f"{order[0]}-{n}"
        taken.add(org.id)
    organisations = sorted((org for _, org, _ in built), key=lambda o: o.id)

    # 'different' decisions, and decisions about organisations already one
    different = {d.key for d in seen.values() if d.decision == "different"}
    org_of_root = {groups.find(idx[0]): org for _, org, idx in built}
    for n, d in enumerate(decisions):
        if d.decision != "different" or seen.get(d.key) is not d:
            continue
        sides = sorted(d.key) if len(d.key) == 2 else [*d.key] * 2
        found = [{groups.find(r) for r in side_index.get(s, ())} for s in sides]
        if not all(found):
            missing = [d.name if s[0] == cached_normal(d.name) else d.other_name
                       for s, f in zip(sides, found, strict=True) if not f]
            noted[n] = f"not met in this import: {', '.join(sorted(set(missing)))}"
        elif len(found[0]) == 1 and found[0] == found[1]:
            org = org_of_root[next(iter(found[0]))]
            why = ("the same normalised name" if len(d.key) == 1 else
                   f"register ids ({_ids_text({s: [v] for s, v in org.codes.items()})})"
                   if org.codes else "other decisions")
            noted[n] = f"not used: they are one organisation by {why.split(' (')[0]}"
            problems.append(f"{d.where}: {d.name!r} and {d.other_name!r} are one "
                            f"organisation ({org.id}) by {why}; 'different' cannot hold")
        else:
            noted[n] = "kept apart"
    review = _pairs(organisations, threshold, workers, different)
    marked = [replace(d, note=noted.get(n, d.note if d.decision in DECISIONS else
                                        "decision not understood")) if d.decision else d
              for n, d in enumerate(decisions)]
    return Resolution(organisations, review, marked, sorted(problems, key=_problem_order))


def _problem_order(text: str):
    head, _, rest = text.partition(": ")
    file, _, row = head.rpartition(":")
    return (file, int(row) if row.isdigit() else 0, rest)


def _pairs(organisations: list[Organisation], threshold: int, workers: int,
           different: set[frozenset]) -> list[ReviewPair]:
    """The pairs to review: organisations that share a normal name (kept apart by their
    register ids), and those whose names' cores are at least ``threshold`` alike, less
    those a 'different' decision is about and those whose register ids differ."""
    from rapidfuzz import fuzz, process

    spellings: list[dict[str, str]] = []  # per organisation: normal -> most common writing
    rows: list[dict[str, list[str]]] = []
    by_core: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for k, org in enumerate(organisations):
        counts: dict[str, Counter] = defaultdict(Counter)
        where: dict[str, list[str]] = defaultdict(list)
        for m in org.mentions:
            counts[cached_normal(m.name)][_spelling(m.name)] += 1
            where[cached_normal(m.name)].append(m.where)
        shown = {n: min(c, key=lambda s: (-c[s], s != org.name, s)) for n, c in counts.items()}
        spellings.append(shown)
        rows.append(where)
        for n in shown:
            by_core[_core(n)].add((k, n))
    # by length: a core cannot be `threshold` alike to one (200 - t) / t times longer
    # (ratio <= 2 * shorter / (both)), so each block is compared with the cores that can
    cores = sorted(by_core, key=lambda c: (len(c), c))
    lengths = [len(c) for c in cores]
    reach = (200 - threshold) / threshold
    best: dict[tuple[int, int], tuple[int, str, str]] = {}

    def offer(score: int, a: tuple[int, str], b: tuple[int, str]) -> None:
        if a[0] == b[0]:
            return
        if a[0] > b[0]:
            a, b = b, a
        old = best.get((a[0], b[0]))
        # the best score; then a pair of different names; then the first names in order
        if old is None or (score, a[1] != b[1], (old[1], old[2])) > \
                (old[0], old[1] != old[2], (a[1], b[1])):
            best[(a[0], b[0])] = (score, a[1], b[1])

    step = 1000
    for start in range(0, len(cores), step):
        longest = lengths[min(start + step, len(cores)) - 1]
        end = bisect.bisect_right(lengths, int(longest * reach) + 1)
        block = process.cdist(cores[start:start + step], cores[start:end], scorer=fuzz.ratio,
                              dtype="uint8", score_cutoff=threshold, workers=workers)
        hit_rows, hit_cols = block.nonzero()
        for r, c in zip(hit_rows.tolist(), hit_cols.tolist(), strict=True):
            i, j = start + r, start + c
            if j < i:
                continue
            score = 100 if i == j else int(block[r, c])
            for a in sorted(by_core[cores[i]]):
                for b in sorted(by_core[cores[j]]):
                    offer(100 if a[1] == b[1] else score, a, b)
    out = []
    for (x, y), (score, na, nb) in best.items():
        a, b = organisations[x], organisations[y]
        same_name = bool(set(spellings[x]) & set(spellings[y]))
        if same_name:
            na = nb = min(set(spellings[x]) & set(spellings[y]))
        clash = [s for s in set(a.codes) & set(b.codes) if a.codes[s] != b.codes[s]]
        if clash and not same_name:
            continue  # known to be different
        ids_a, ids_b = (_ids_text({s: [v] for s, v in o.codes.items()}) for o in (a, b))
        if same_name:
            keys = {frozenset({(na, _exact(ids_a)), (nb, _exact(ids_b))})}
            note = ("the same name, different register ids" if clash else
                    "the same name; register ids do not tell whether they are one")
        else:
            keys = {frozenset({(p, ""), (q, "")}) for p in spellings[x] for q in spellings[y]}
            words_a, words_b = set(_core(na).split()), set(_core(nb).split())
            if words_a == words_b:
                note = "differ only in legal form or word order"
            else:
                note = (f"words differ: {' '.join(sorted(words_a - words_b)) or '-'} / "
                        f"{' '.join(sorted(words_b - words_a)) or '-'}")
        if keys & different:
            continue
        side_a = (spellings[x][na], ids_a, _rows(rows[x][na]), a.id)
        side_b = (spellings[y][nb], ids_b, _rows(rows[y][nb]), b.id)
        if (cached_normal(side_b[0]), side_b[1]) < (cached_normal(side_a[0]), side_a[1]):
            side_a, side_b = side_b, side_a
        out.append(ReviewPair(score, side_a[0], side_b[0], side_a[1], side_b[1], side_a[2],
                              side_b[2], note, side_a[3], side_b[3], same_name))
    out.sort(key=lambda p: (-p.similarity, cached_normal(p.name), cached_normal(p.other_name),
                            p.name_ids, p.other_ids, p.first, p.second))
    return out


def _rows(where: list[str]) -> str:
    shown = " ".join(where[:_SHOWN_ROWS])
    return shown + (f" (+{len(where) - _SHOWN_ROWS} more)" if len(where) > _SHOWN_ROWS else "")


def _written(text: str) -> str:
    """A cell as the review file holds it: :func:`graph.export.neutral` (a ``'`` in front
    of a text a spreadsheet would evaluate), and a ``'`` in front of a text that starts
    with one of its own, so that reading removes exactly one and every text comes back."""
    return "'" + text if text.startswith("'") else neutral(text)


def _read(text: str) -> str:
    """A cell as it was before :func:`_written` (one leading ``'`` removed)."""
    return text[1:] if text.startswith("'") else text


def read_decisions(path: str | Path) -> tuple[list[Decision], list[str]]:
    """The rows of a review file (see the module's text) and its problems
    (``path:line: message``): a decision other than ``same``, ``different`` or empty, a
    row without its two names, a header without the needed columns. A missing file is no
    decisions and no problem. Reads UTF-8 (with or without BOM), comma- or
    semicolon-separated (as a spreadsheet saves it in a Nordic locale).

    Cost: linear in the file's size.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "same-as.csv"
    >>> _ = p.write_text("decision,name,other_name\\nSame,Kemi,Kemin kaupunki\\nmaybe,A,B\\n")
    >>> decisions, problems = read_decisions(p)
    >>> [(d.decision, d.name, d.other_name) for d in decisions]
    [('same', 'Kemi', 'Kemin kaupunki'), ('maybe', 'A', 'B')]
    >>> [s.split(": ", 1)[1] for s in problems]
    ["decision 'maybe' is not 'same', 'different' or empty (the row is kept, not used)"]
    """
    from .rows import TableError, decode

    path = Path(path)
    try:
        text, _ = decode(path.read_bytes(), str(path))  # a spreadsheet may save cp1252
    except FileNotFoundError:
        return [], []
    except TableError as exc:
        return [], [f"{exc}; save it as CSV UTF-8"]
    head = text.split("\n", 1)[0]
    delimiter = ";" if head.count(";") > head.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [c.strip().casefold() for c in next(reader, [])]
    need = [c for c in ("decision", "name", "other_name") if c not in header]
    if need:
        return [], [f"{path}:1: the header lacks the column(s) {', '.join(need)} "
                    f"(expected: {', '.join(REVIEW_COLUMNS)})"]
    out, problems = [], []
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        row = {h: _read(cells[n].strip()) if n < len(cells) else ""
               for n, h in enumerate(header) if h in REVIEW_COLUMNS}
        decision = row.get("decision", "")
        if decision.casefold() in DECISIONS:
            decision = decision.casefold()
        elif decision:
            problems.append(f"{path}:{line}: decision {decision!r} is not 'same', 'different' "
                            "or empty (the row is kept, not used)")
        if not row.get("name") or not row.get("other_name"):
            problems.append(f"{path}:{line}: a row needs both name and other_name (kept, "
                            "not used)")
            decision = decision if decision not in DECISIONS else f"{decision}?"
        out.append(Decision(decision, row.get("name", ""), row.get("other_name", ""),
                            row.get("name_ids", ""), row.get("other_ids", ""),
                            row.get("similarity", ""), row.get("name_rows", ""),
                            row.get("other_rows", ""), row.get("note", ""),
                            row.get("comment", ""), line, str(path)))
    return out, problems


def write_review(path: str | Path, pairs: Iterable[ReviewPair],
                 decisions: Iterable[Decision] = ()) -> Path:
    """Write the review file atomically (UTF-8 with BOM, for spreadsheets): first the
    ``pairs`` to decide (each with the comment of an undecided row of the same pair in
    ``decisions``), then every row of ``decisions`` with a decision (also one not
    understood), as given, with their notes. Undecided rows of pairs no longer offered
    are dropped. Returns the path.

    Cost: linear in the rows.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "same-as.csv"
    >>> d = Decision("different", "-kylä", "Kylä", comment="two villages")
    >>> _ = write_review(p, [], [d])
    >>> p.read_text("utf-8-sig").splitlines()[1]
    "different,,'-kylä,Kylä,,,,,,two villages"
    >>> read_decisions(p)[0][0].name
    '-kylä'
    """
    decisions = list(decisions)
    comments = {d.key: d.comment for d in decisions if not d.decision and d.comment}
    rows = [p.as_decision(comments.get(p.key, "")) for p in pairs]
    rows += [d for d in decisions if d.decision]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(REVIEW_COLUMNS)
    for d in rows:
        writer.writerow([_written(c) for c in (d.decision, d.similarity, d.name, d.other_name,
                                              d.name_ids, d.other_ids, d.name_rows,
                                              d.other_rows, d.note, d.comment)])
    return write_atomic(path, "\ufeff" + buf.getvalue())


__all__ = ["DECISIONS", "LEGAL_FORMS", "NEAR_THRESHOLD", "REVIEW_COLUMNS", "Decision",
           "Mention", "Organisation", "Resolution", "ReviewPair", "normalise_name",
           "read_decisions", "resolve", "write_review"]

