"""Names of entities in a chosen language, with a stated fallback order."""

from __future__ import annotations

from collections import defaultdict

from pyoxigraph import Store

from .vocab import sparql_prologue

#: after the asked language and the dataset's own: English, then Finnish, Swedish,
#: Northern Sami, Norwegian, then any language in alphabetical order
FALLBACK = ("en", "fi", "sv", "se", "nb", "no")


def pick_tag(names: dict[str, str], lang: str | None,
             dataset_lang: str | None = None) -> str | None:
    """The language tag of the name to show (see :func:`pick`); None without names.

    >>> pick_tag({"sv": "Tornedalen", "se": "Duortnosleahki"}, None, "fi")
    'sv'
    """
    if not names:
        return None
    for tag in (lang, dataset_lang, *FALLBACK):
        if tag and tag in names:
            return tag
        if tag:  # 'en' matches 'en-gb' and the reverse
            for key in sorted(names):
                if key.split("-")[0] == tag.split("-")[0]:
                    return key
    return sorted(names)[0]


def pick(names: dict[str, str], lang: str | None, dataset_lang: str | None = None) -> str | None:
    """The name to show: in ``lang``, else the dataset language, else FALLBACK, else the
    first by tag. The one rule for every consumer (labels, projection, maps, derived).

    >>> pick({"fi": "Lappi", "sv": "Lappland"}, "en", "sv")
    'Lappland'
    >>> pick({"fi": "Lappi"}, "en-GB")
    'Lappi'
    """
    tag = pick_tag(names, lang, dataset_lang)
    return None if tag is None else names[tag]


class Labels:
    """Every entity's names (and source titles) from a store, by id."""

    def __init__(self, store: Store, lang: str | None = None):
        rows = store.query(sparql_prologue() + """
            SELECT ?id ?name WHERE {
              ?s dct:identifier ?id .
              { ?s skos:prefLabel ?name } UNION { ?s dct:title ?name }
            }""")
        self.names: dict[str, dict[str, str]] = defaultdict(dict)
        for row in rows:
            self.names[row["id"].value][row["name"].language or ""] = row["name"].value
        found = list(store.query(sparql_prologue() + """
            SELECT ?lang WHERE { ?d a dcat:Dataset ; dct:language ?lang }"""))
        self.dataset_lang = found[0]["lang"].value if found else None
        self.lang = lang

    def __call__(self, ident: str) -> str:
        """The name of ``ident`` in the chosen language (the id when it has no name)."""
        return pick(self.names.get(ident, {}), self.lang, self.dataset_lang) or ident


def notes(store: Store) -> dict[str, str]:
    """Every entity's ``note`` by id: where the data says how a fact was read, and what
    a finding on it may mean (shown beside findings for people)."""
    rows = store.query(sparql_prologue() + """
        SELECT ?id ?note WHERE { ?s dct:identifier ?id ; skos:note ?note }""")
    return {row["id"].value: row["note"].value for row in rows}
