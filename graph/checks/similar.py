"""Projects that do the same thing: the advisory check ``overlap.similar-projects``.

Its file (ontology/checks/overlap.similar-projects.rq) lists every project that is not
cancelled, one row per fact the check compares (the name to show, descriptions, areas,
period bounds, administrator, partners); this builder does the rest in Python:

- **text**: each project's name, and its name with its description (in the language of
  its name when it has one there, else all its descriptions), Unicode-normalised (NFKC)
  and case-folded, are cut into character n-grams of 3 to 5 characters within word
  boundaries (scikit-learn's ``char_wb`` analyser). No stemmer and no word list:
  Finnish, Swedish, English and Sámi compounds and inflections (``matkailu``/``matkailun``,
  ``kehittämishanke``/``kehittämishankkeen``) share most of their n-grams. Each n-gram
  weighs by its inverse document frequency over the dataset's projects (sublinear term
  frequency, L2 normalised: ``TfidfTransformer``), so a word most projects use (``hanke``,
  ``project``, ``kehittäminen``) weighs little. The score of two projects (0..1) is the
  mean of the cosine of their names and that of their whole texts: names count twice, so
  a development project and its investment twin, named alike and described in other
  words, still meet, and a shared description alone cannot make a pair.
- **candidates**: a pair above :data:`THRESHOLD` is a finding only when its areas
  intersect (the same area, or one inside the other through ``part_of``, transitively; a
  project without areas covers everywhere) and its periods intersect (share a day; a
  missing period is unknown and excludes nothing: the finding says so), as CHECKS.md
  defines both words for the overlap checks.
- **what is alike**: each finding lists, as short phrases, the same administrator or
  shared actors, where the areas meet, the shared period (or that one is unknown) and the
  shared words, rarest first.

The check is *advisory*: its findings are hints ranked by score, not part of
``check --strict`` unless it is named with ``--only``.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from ..loader.facts import parse_date
from ..model.names import folded
from .build import period_text
from .context import Context
from .finding import Finding
from .spec import CheckSpec

#: the least score (the mean of the names' and the whole texts' cosines) that makes a
#: finding. Measured on the realistic Lapland list of tests/test_similar.py (19 projects,
#: Finnish, Swedish and Sámi): phases of one programme score 0.79-0.94, a development
#: project and its investment twin 0.60 (described in other words; 0.72-0.74 when the
#: descriptions share words or are absent); pairs that share only a common word
#: ("Lapin matkailun kehittämishanke" / "Kemin koulujen kehittämishanke") 0.20-0.36,
#: because those n-grams have a low IDF in any list where they are common; the highest
#: unwanted pair, two tourism-development projects of Kemi-Tornio and of all Lapland,
#: 0.46. 0.5 lies between the two groups with a margin on each side.
THRESHOLD = 0.5
#: n-gram sizes (characters, within word boundaries)
NGRAMS = (3, 5)
#: shared words listed in a finding, rarest first
MAX_WORDS = 5
#: a word shorter than this is not listed as shared (articles, "ja", "och", "of")
MIN_WORD = 4

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The words of a normalised text, in order, each once (digits-only words left out)."""
    return list(dict.fromkeys(w for w in _WORD.findall(text)
                              if len(w) >= MIN_WORD and not w.isdigit()))


@dataclass
class Project:
    """What the check compares of one project (IRIs, literal texts)."""

    iri: str
    name: str = ""
    name_lang: str = ""
    descriptions: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    areas: set[str] = field(default_factory=set)
    start: date | None = None
    end: date | None = None
    known: bool = False
    administrators: set[str] = field(default_factory=set)
    partners: set[str] = field(default_factory=set)

    @property
    def description(self) -> str:
        """The descriptions in the name's language (all when none is), normalised."""
        said = self.descriptions.get(self.name_lang) or [
            t for lang in sorted(self.descriptions) for t in self.descriptions[lang]]
        return folded(" ".join(said))


def read_projects(rows: list) -> dict[str, Project]:
    """The check's rows (``project``, ``what``, ``value``) as Projects by IRI."""
    out: dict[str, Project] = {}
    for r in rows:
        iri, what, value = r["project"].value, r["what"].value, r["value"]
        p = out.get(iri)
        if p is None:
            p = out[iri] = Project(iri)
        if value is None:
            continue
        text = value.value
        if what == "name":
            p.name, p.name_lang = text, getattr(value, "language", None) or ""
        elif what == "description":
            p.descriptions[getattr(value, "language", None) or ""].append(text)
        elif what == "area":
            p.areas.add(text)
        elif what in ("from", "to"):
            days = parse_date(text)
            p.known = True
            if days is not None:
                if what == "from":
                    p.start = days[0]
                else:
                    p.end = days[1]
        elif what == "administrator":
            p.administrators.add(text)
        elif what == "partner":
            p.partners.add(text)
    return out


@functools.lru_cache(maxsize=1 << 16)
def _word_ngrams(word: str) -> tuple[str, ...]:
    """The n-grams of one word exactly as scikit-learn's ``char_wb`` analyser cuts them
    (padded with a space each side; a word shorter than an n-gram counts once)."""
    padded, lo, hi = f" {word} ", *NGRAMS
    out = []
    for n in range(lo, hi + 1):
        offset = 0
        out.append(padded[:n])
        while offset + n < len(padded):
            offset += 1
            out.append(padded[offset:offset + n])
        if offset == 0:
            break
    return tuple(out)


def ngrams(text: str) -> list[str]:
    """scikit-learn's ``char_wb`` n-grams of a normalised text, each word cut once per
    run (a register repeats its words: this halves the counting time).

    >>> ngrams("ja hanke")[:4]
    [' ja', 'ja ', ' ja ', ' ha']
    """
    out: list[str] = []
    for word in text.split():
        out.extend(_word_ngrams(word))
    return out


def _vectors(names: list[str], descriptions: list[str]):
    """The TF-IDF matrices of the names and of the whole texts (name and description),
    rows L2-normalised; None for one whose texts are all empty.

    The n-grams are counted once: ``char_wb`` cuts each word alone, so a whole text's
    counts are its name's plus its description's.
    """
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    counter = CountVectorizer(analyzer=ngrams, dtype=np.float32)
    try:
        counts = counter.fit_transform([*names, *descriptions])
    except ValueError:  # every text empty: nothing to compare
        return None, None
    n = len(names)
    out = []
    for part in (counts[:n], counts[:n] + counts[n:]):
        out.append(TfidfTransformer(sublinear_tf=True).fit_transform(part)
                   if part.nnz else None)
    return out[0], out[1]


#: rows of the similarity matrix computed at once (memory: BLOCK × projects floats)
BLOCK = 1024
#: an n-gram goes into the dense part of the product when more than DENSE_MIN projects
#: and more than DENSE_SHARE of them have it (at most DENSE_MAX n-grams, the most frequent)
DENSE_MIN, DENSE_SHARE, DENSE_MAX = 32, 0.01, 2048


def similar_pairs(names: list[str], descriptions: list[str], threshold: float = THRESHOLD):
    """Pairs (i, j, score) with i < j whose score is at least ``threshold``: the mean of
    the TF-IDF cosine of their names and that of their whole texts (name and
    description), so that two projects named alike but described in different words (a
    development project and its investment twin) still meet, while a description alone
    cannot make a pair. Three numpy arrays (rows, columns, scores), by row then column.

    The mean of two cosines is one product: ``[Xn Xf]/√2 · [Xn Xf]ᵀ/√2``. It is computed
    in blocks of rows, the n-grams that many projects share (dense columns: a BLAS
    product) apart from the rest (a sparse product, cheap because each of those n-grams is
    rare); n-grams of one project alone are left out (they add nothing to a pair).
    Cost: ~0.5 s for 3 000 projects, growing with the square of the number of projects.
    """
    import numpy as np
    from scipy import sparse

    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
             np.zeros(0, dtype=np.float32))
    n = len(names)
    parts = [x for x in _vectors(names, descriptions) if x is not None]
    if n < 2 or not parts:
        return empty
    x = (sparse.hstack(parts).tocsr() / np.float32(np.sqrt(2))).astype(np.float32)
    df = np.bincount(x.indices, minlength=x.shape[1])
    shared = np.flatnonzero(df > 1)
    cut = max(DENSE_MIN, int(n * DENSE_SHARE))
    frequent = shared[df[shared] > cut]
    if len(frequent) > DENSE_MAX:
        frequent = frequent[np.argsort(-df[frequent], kind="stable")[:DENSE_MAX]]
    rare = np.setdiff1d(shared, frequent)
    dense = x[:, frequent].toarray()
    sp = x[:, rare].tocsr()
    spt = sp.T.tocsr()
    found_i, found_j, found_s = [], [], []
    for start in range(0, n, BLOCK):
        stop = min(n, start + BLOCK)
        block = dense[start:stop] @ dense.T
        block += (sp[start:stop] @ spt).toarray()
        i, j = np.nonzero(block >= threshold - 1e-6)
        keep = j > i + start
        i, j = i[keep], j[keep]
        found_s.append(block[i, j])
        found_i.append(i + start)
        found_j.append(j)
    rows, cols = np.concatenate(found_i), np.concatenate(found_j)
    scores = np.minimum(np.concatenate(found_s), 1.0)
    order = np.lexsort((cols, rows))
    return rows[order].astype(np.int64), cols[order].astype(np.int64), scores[order]


# --------------------------------------------------------------------------- where, when


def _ancestors(ctx: Context, area: str, cache: dict[str, frozenset[str]]) -> frozenset[str]:
    """``area`` and every area it lies in through part_of (IRIs; rg:within, see
    :attr:`Context.enclosing`)."""
    if area not in cache:
        cache[area] = frozenset(ctx.enclosing.get(area, ())) | {area}
    return cache[area]


def meeting_areas(ctx: Context, a: Project, b: Project, cache: dict) -> list[str] | None:
    """Where the two projects' areas meet (for each intersecting pair the smaller area),
    ``[]`` when either covers everywhere, None when they do not intersect."""
    if not a.areas or not b.areas:
        return []
    found = []
    for x in sorted(a.areas):
        up_x = _ancestors(ctx, x, cache)
        for y in sorted(b.areas):
            if y in up_x:
                found.append(x)
            elif x in _ancestors(ctx, y, cache):
                found.append(y)
    return list(dict.fromkeys(found)) or None


def _meet_in_time(order: list[Project], rows, cols):
    """A mask over the pairs: whether their periods share a day (numpy, open bounds)."""
    import numpy as np

    start = np.array([p.start.toordinal() if p.start else 0 for p in order], dtype=np.int64)
    end = np.array([p.end.toordinal() if p.end else 10**7 for p in order], dtype=np.int64)
    return np.maximum(start[rows], start[cols]) <= np.minimum(end[rows], end[cols])


# --------------------------------------------------------------------------- findings


def build_similar(ctx: Context, spec: CheckSpec, rows: list) -> list[Finding]:
    """One finding per pair of alike projects whose areas and periods intersect, the
    highest score first (then by the pair's ids)."""
    projects = read_projects(rows)
    order = sorted(projects.values(), key=lambda p: ctx.id(p.iri))
    names = [folded(p.name) for p in order]
    descriptions = [p.description for p in order]
    rows, cols, scores = similar_pairs(names, descriptions, THRESHOLD)
    texts = [f"{a} {b}" for a, b in zip(names, descriptions, strict=True)]
    in_time = _meet_in_time(order, rows, cols)
    rows, cols, scores = rows[in_time].tolist(), cols[in_time].tolist(), scores[in_time].tolist()
    cache: dict[str, frozenset[str]] = {}
    # each project's areas and every area they lie in: two intersect when one's areas
    # meet the other's closure (a project without areas covers everywhere)
    up = [frozenset().union(*(_ancestors(ctx, x, cache) for x in p.areas)) for p in order]
    kept = [(i, j, score) for i, j, score in zip(rows, cols, scores, strict=True)
            if not order[i].areas or not order[j].areas
            or not order[i].areas.isdisjoint(up[j]) or not order[j].areas.isdisjoint(up[i])]
    df = Counter(w for t in texts for w in words(t)) if kept else Counter()
    findings = []
    for i, j, score in kept:
        a, b = order[i], order[j]
        where = meeting_areas(ctx, a, b, cache) or []
        other = set(words(texts[j]))
        shared = [w for _, _, w in sorted((df[w], n, w) for n, w in enumerate(words(texts[i]))
                                          if w in other)]
        findings.append(_finding(ctx, spec, a, b, round(score, 2), where,
                                 shared[:MAX_WORDS]))
    findings.sort(key=lambda f: (-(f.score or 0), f.subjects))
    return findings


def _finding(ctx: Context, spec: CheckSpec, a: Project, b: Project, score: float,
             where: list[str], shared: list[str]) -> Finding:
    s1, s2 = ctx.id(a.iri), ctx.id(b.iri)
    refs: dict[str, str | list[str]] = {"s1": s1, "s2": s2}
    alike: list[str] = []
    same_admin = sorted(a.administrators & b.administrators, key=ctx.id)
    if same_admin:
        refs["admin"] = [ctx.id(x) for x in same_admin]
        alike.append("same administrator: {admin}")
    actors = sorted(((a.administrators | a.partners) & (b.administrators | b.partners))
                    - set(same_admin), key=ctx.id)
    if actors:
        refs["actors"] = [ctx.id(x) for x in actors]
        alike.append("shared actors: {actors}")
    if where:
        refs["area"] = [ctx.id(x) for x in where]
        alike.append("areas meet in {area}")
    else:
        unbounded = [s for s, p in (("s1", a), ("s2", b)) if not p.areas]
        alike.append(" and ".join("{" + s + "}" for s in unbounded)
                     + (" has" if len(unbounded) == 1 else " have")
                     + " no areas (everywhere)")
    if a.known and b.known:
        lo = max((d for d in (a.start, b.start) if d), default=None)
        hi = min((d for d in (a.end, b.end) if d), default=None)
        alike.append("periods overlap " + period_text(lo, hi).removeprefix("during "))
    else:
        unknown = [s for s, p in (("s1", a), ("s2", b)) if not p.known]
        alike.append("period of " + " and ".join("{" + s + "}" for s in unknown)
                     + " unknown (not excluded)")
    if shared:
        alike.append("shared words: " + ", ".join(w.replace("{", "{{").replace("}", "}}")
                                                  for w in shared))
    template = ("{s1} and {s2} look alike (score " + f"{score:.2f}" + "): "
                + "; ".join(alike) + ".")
    sources = ctx.sources_of([a.iri, b.iri])
    return Finding(spec.name, [s1, s2], s1, template, refs, sources, score=score,
                   alike=alike, advisory=spec.advisory)
