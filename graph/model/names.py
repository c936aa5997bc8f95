"""Names: the one rule for the name to show (in the asked language, else the dataset's,
else a stated fallback order, else the first by tag), and the one way to make an id part
of a name (:func:`slug`)."""

from __future__ import annotations

import re
import unicodedata

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


_FOLD = str.maketrans({"ø": "o", "æ": "ae", "đ": "d", "ŋ": "n", "ŧ": "t", "ß": "ss",
                       "œ": "oe", "ł": "l", "þ": "th", "ð": "d", "ı": "i"})


_NOT_ID = re.compile(r"[^a-z0-9]+")


def slug(name: str) -> str:
    """ASCII-folded lower-case id part of a name: accents dropped, ø→o, æ→ae, đ→d, ŋ→n…,
    every other run of characters one ``-``.

    >>> slug("Guovdageaidnu - Kautokeino"), slug("Herøy (Nordland)"), slug("S:t Michel")
    ('guovdageaidnu-kautokeino', 'heroy-nordland', 's-t-michel')
    >>> slug("Ylä-Sallajärvi"), slug("Måsøyvær")
    ('yla-sallajarvi', 'masoyvaer')
    """
    text = name.lower()
    if not text.isascii():  # most names of a register are: no folding to do
        text = unicodedata.normalize("NFKD", text.translate(_FOLD))
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _NOT_ID.sub("-", text).strip("-")


def folded(text: str) -> str:
    """``text`` as compared without case or layout: Unicode NFKC, case-folded, one space
    between words (accents kept: Lidköping is not Linköping).

    >>> folded("KEMI–TORNION\\u00a0Matkailu"), folded("  Norrbottens   LÄN ")
    ('kemi–tornion matkailu', 'norrbottens län')
    """
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
