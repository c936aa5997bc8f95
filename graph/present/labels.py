"""Names of entities in a chosen language (the rule of :mod:`graph.model.names`), and notes."""

from __future__ import annotations

from collections import defaultdict

from pyoxigraph import Store

from ..model.names import pick
from ..model.vocab import sparql_prologue


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

    @classmethod
    def of(cls, names: dict[str, dict[str, str]], dataset_lang: str | None,
           lang: str | None = None) -> Labels:
        """Labels from names already read (``names``: id -> {language: name}, as
        :attr:`names` holds them; what ``build`` keeps), without a store.

        >>> Labels.of({"kemi": {"fi": "Kemi", "sv": "Kemi stad"}}, "fi", "sv")("kemi")
        'Kemi stad'
        """
        self = cls.__new__(cls)
        self.names, self.dataset_lang, self.lang = names, dataset_lang, lang
        return self

    def __call__(self, ident: str) -> str:
        """The name of ``ident`` in the chosen language (the id when it has no name)."""
        return pick(self.names.get(ident, {}), self.lang, self.dataset_lang) or ident


def notes(store: Store) -> dict[str, str]:
    """Every entity's ``note`` by id: where the data says how a fact was read, and what
    a finding on it may mean (shown beside findings for people)."""
    rows = store.query(sparql_prologue() + """
        SELECT ?id ?note WHERE { ?s dct:identifier ?id ; skos:note ?note }""")
    return {row["id"].value: row["note"].value for row in rows}
