"""pandas views for analysts: findings and entities as DataFrames."""

from __future__ import annotations

from ..checks import Finding


class Findings(list):
    """A list of :class:`Finding` that shows itself as a table in Jupyter."""

    def to_frame(self, name=None):
        """One row per finding: check, subjects, target, basis, explanation, sources and
        the quotes of the statements that corroborate it.

        ``name`` (an id -> name function, like ``Dataset.labels("en")``) renders the
        explanation with names; without it the explanation uses ids, as in JSON.
        """
        import pandas as pd

        rows = [{**f.to_dict(), "explanation": f.explain(name) if name else f.explanation}
                for f in self]
        columns = ["check", "subjects", "target", "basis", "explanation", "sources",
                   "statements"]
        return pd.DataFrame(rows, columns=columns)

    def _repr_html_(self) -> str:
        # pandas escapes cell text in to_html, so names cannot inject markup
        return self.to_frame().to_html(index=False, escape=True)


def entities_frame(tables: dict[str, list[dict]], section: str):
    """One section's entries as a DataFrame (columns as in the CSV export)."""
    import pandas as pd

    return pd.DataFrame(tables.get(section, []))


__all__ = ["Finding", "Findings", "entities_frame"]
