"""Register ids of organisations: the one definition of the schemes that the loader (an
organisation's ``codes``) and the importers (rows of public registers) both use.

Three schemes, each with a check digit validated through python-stdnum:

- ``y-tunnus``: the Finnish business id (Y-tunnus, FO-nummer), written ``1234567-8``;
- ``organisationsnummer``: the Swedish organisation number, written ``NNNNNN-NNNN``;
- ``organisasjonsnummer``: the Norwegian organisation number, written as 9 digits.

:func:`check_register_id` turns a written id into its canonical form or raises
``ValueError`` with a message for people (what is wrong, and what the id should look
like; for a wrong check digit, the digit it should be).

Accepted spellings (decided here, once): spaces, hyphens (also the en dash and other
dashes a word processor puts in) and dots anywhere; the VAT
form of the same number (``FI12345678`` for a Y-tunnus, ``SE123456789701`` for a Swedish
number, ``NO123456789MVA`` for a Norwegian one), since registers of EU and EEA funding
often give the VAT number in the business id column. Nothing else is guessed: a Y-tunnus
of 7 digits is not padded with a zero (the check digit could then pass by chance), a
Swedish 12-digit form (``16NNNNNNNNNN``) is refused with its message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Scheme:
    """One kind of register id: its name (the key in ``codes``), the country of its
    register, its name for people, its canonical form shown by example, the number of
    digits and a short description."""

    name: str
    country: str
    label: str
    example: str
    digits: int
    description: str


SCHEMES: dict[str, Scheme] = {
    "y-tunnus": Scheme(
        "y-tunnus", "FI", "Y-tunnus", "1234567-8", 8,
        "Finnish business id (Y-tunnus) of the Business Information System (YTJ): "
        "7 digits, a hyphen and a check digit"),
    "organisationsnummer": Scheme(
        "organisationsnummer", "SE", "organisationsnummer", "NNNNNN-NNNN", 10,
        "Swedish organisation number (organisationsnummer) of Bolagsverket, Skatteverket "
        "and SCB: 6 digits, a hyphen and 4 digits, the last a Luhn check digit"),
    "organisasjonsnummer": Scheme(
        "organisasjonsnummer", "NO", "organisasjonsnummer", "123456785", 9,
        "Norwegian organisation number (organisasjonsnummer) of Enhetsregisteret "
        "(Brønnøysundregistrene): 9 digits, the last a modulus 11 check digit"),
}

def scheme_of_country(country: str | None) -> str | None:
    """The register-id scheme of organisations of ``country`` (an ISO code), or None.

    >>> scheme_of_country("SE"), scheme_of_country("DK")
    ('organisationsnummer', None)
    """
    return next((s.name for s in SCHEMES.values() if s.country == country), None)


def is_personal_id(scheme: str, text: str) -> bool:
    """Whether a register id is a person's: a Swedish "organisationsnummer" whose third
    digit is 0 or 1 is a personnummer (a sole trader's), personal data; legal persons
    have 2 or more there.

    >>> is_personal_id("organisationsnummer", "811218-9876"), is_personal_id(
    ...     "organisationsnummer", "212000-2718")
    (True, False)
    """
    digits = re.sub(r"\D", "", text)
    return scheme == "organisationsnummer" and len(digits) == 10 and digits[2] in "01"


#: the VAT spellings of the same numbers: country prefix, and what follows the number
_VAT = {"y-tunnus": ("FI", ""), "organisationsnummer": ("SE", "01"),
        "organisasjonsnummer": ("NO", "MVA")}


def _expected_check_digit(scheme: str, body: str) -> str | None:
    """The check digit that completes ``body`` (the digits before it), or None when no
    digit can (a Y-tunnus whose weighted sum leaves 1, a Norwegian number whose leaves 1).
    Computed with python-stdnum's own checksums, so that it agrees with validation."""
    if scheme == "organisationsnummer":
        from stdnum import luhn

        return luhn.calc_check_digit(body)
    if scheme == "y-tunnus":
        from stdnum.fi import alv as module
    else:
        from stdnum.no import orgnr as module
    for digit in "0123456789":
        if module.checksum(body + digit) == 0:
            return digit
    return None


def _validate(scheme: str, digits: str) -> str:
    """python-stdnum's validation of the compact ``digits`` (raises its ValidationError)."""
    if scheme == "y-tunnus":
        from stdnum.fi import ytunnus

        return ytunnus.validate(digits)
    if scheme == "organisationsnummer":
        from stdnum.se import orgnr

        return orgnr.validate(digits)
    from stdnum.no import orgnr as no_orgnr

    return no_orgnr.validate(digits)


def _canonical(scheme: str, digits: str) -> str:
    if scheme == "y-tunnus":
        return f"{digits[:7]}-{digits[7:]}"
    if scheme == "organisationsnummer":
        return f"{digits[:6]}-{digits[6:]}"
    return digits


def check_register_id(scheme: str, text: str) -> str:
    """The canonical form of the register id ``text`` of ``scheme`` (a key of
    :data:`SCHEMES`); ``ValueError`` with a message for people when it is none.

    Cost: a few microseconds (string cleaning and one checksum).

    >>> check_register_id("y-tunnus", "0112038 9"), check_register_id("y-tunnus", "FI01120389")
    ('0112038-9', '0112038-9')
    >>> check_register_id("organisationsnummer", "5560125790")
    '556012-5790'
    >>> check_register_id("organisasjonsnummer", "NO 923 609 016 MVA")
    '923609016'
    >>> check_register_id("y-tunnus", "0112038-8")
    Traceback (most recent call last):
    ...
    ValueError: '0112038-8' is not a valid Y-tunnus: the check digit should be 9
    >>> check_register_id("y-tunnus", "112038-9")
    Traceback (most recent call last):
    ...
    ValueError: '112038-9' is not a valid Y-tunnus: 8 digits expected, like 1234567-8 (it has 7)
    """
    spec = SCHEMES.get(scheme)
    if spec is None:
        raise ValueError(f"{scheme!r} is not a register id scheme; known: "
                         f"{', '.join(SCHEMES)}")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"an empty {spec.label} (expected like {spec.example})")
    shown = text.strip()
    bad = f"{shown!r} is not a valid {spec.label}"
    digits = re.sub(r"[\s.\-\u2010-\u2015\u2212]+", "", shown).upper()  # dashes of word processors
    prefix, suffix = _VAT[scheme]
    if digits.startswith(prefix) and digits.endswith(suffix):
        digits = digits[len(prefix):len(digits) - len(suffix)]
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(f"{bad}: only digits expected, like {spec.example}")
    if len(digits) != spec.digits:
        raise ValueError(f"{bad}: {spec.digits} digits expected, like {spec.example} "
                         f"(it has {len(digits)})")
    expected = _expected_check_digit(scheme, digits[:-1])
    if expected is None:
        raise ValueError(f"{bad}: no check digit completes {digits[:-1]}, so a digit before "
                         "it is wrong")
    if expected != digits[-1]:
        raise ValueError(f"{bad}: the check digit should be {expected}")
    from stdnum.exceptions import ValidationError

    try:  # the library has the last word (it may check more than the check digit)
        _validate(scheme, digits)
    except ValidationError as exc:
        raise ValueError(f"{bad}: {exc}") from None
    return _canonical(scheme, digits)
