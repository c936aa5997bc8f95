"""Register ids (graph.model.registers): the canonical forms, the spellings accepted, and
the messages for people. Every id used as valid here is asserted valid by python-stdnum
itself first, every one used as wrong is asserted wrong by it."""

from __future__ import annotations

import pytest
from stdnum.fi import ytunnus
from stdnum.no import orgnr as no_orgnr
from stdnum.se import orgnr as se_orgnr

from graph.model.registers import SCHEMES, check_register_id

#: public ids (check digits verified below with python-stdnum)
NOKIA = "0112038-9"  # Nokia Oyj, Y-tunnus
HELSINKI = "0201256-6"  # Helsingin kaupunki, Y-tunnus
VOLVO = "556012-5790"  # AB Volvo, organisationsnummer
EQUINOR = "923609016"  # Equinor ASA, organisasjonsnummer
BRREG = "974760673"  # Brønnøysundregistrene, organisasjonsnummer

LIBRARY = {"y-tunnus": ytunnus, "organisationsnummer": se_orgnr,
           "organisasjonsnummer": no_orgnr}


def test_the_test_ids_are_valid_by_the_library():
    assert all(ytunnus.is_valid(x) for x in (NOKIA, HELSINKI))
    assert se_orgnr.is_valid(VOLVO)
    assert all(no_orgnr.is_valid(x) for x in (EQUINOR, BRREG))


def test_schemes():
    assert {s: (v.country, v.example) for s, v in SCHEMES.items()} == {
        "y-tunnus": ("FI", "1234567-8"),
        "organisationsnummer": ("SE", "NNNNNN-NNNN"),
        "organisasjonsnummer": ("NO", "123456785")}
    assert all(v.name == s and v.description for s, v in SCHEMES.items())
    assert check_register_id("organisasjonsnummer", SCHEMES["organisasjonsnummer"].example)


@pytest.mark.parametrize("scheme, text, canonical", [
    ("y-tunnus", NOKIA, NOKIA),
    ("y-tunnus", "01120389", NOKIA),
    ("y-tunnus", " 0112038 - 9 ", NOKIA),
    ("y-tunnus", "FI01120389", NOKIA),  # the VAT number (ALV-numero) of the same business
    ("y-tunnus", "fi 0112 0389", NOKIA),
    ("y-tunnus", "0112038\u20139", NOKIA),  # an en dash, as a word processor writes it
    ("y-tunnus", "0112038\u00a0-\u00a09", NOKIA),  # no-break spaces
    ("y-tunnus", HELSINKI, HELSINKI),
    ("organisationsnummer", VOLVO, VOLVO),
    ("organisationsnummer", "5560125790", VOLVO),
    ("organisationsnummer", "556012 5790", VOLVO),
    ("organisationsnummer", "SE556012579001", VOLVO),  # momsregistreringsnummer
    ("organisasjonsnummer", EQUINOR, EQUINOR),
    ("organisasjonsnummer", "923 609 016", EQUINOR),
    ("organisasjonsnummer", "NO 923 609 016 MVA", EQUINOR),
    ("organisasjonsnummer", BRREG, BRREG),
])
def test_canonical_forms(scheme, text, canonical):
    assert check_register_id(scheme, text) == canonical
    assert LIBRARY[scheme].is_valid(canonical)


def _wrong_check_digit(scheme: str, valid: str) -> tuple[str, str]:
    """``valid`` with its last digit changed (so the library refuses it), and the digit."""
    last = valid[-1]
    wrong = valid[:-1] + str((int(last) + 1) % 10)
    assert not LIBRARY[scheme].is_valid(wrong)
    return wrong, last


@pytest.mark.parametrize("scheme, valid, label", [
    ("y-tunnus", NOKIA, "Y-tunnus"), ("y-tunnus", HELSINKI, "Y-tunnus"),
    ("organisationsnummer", VOLVO, "organisationsnummer"),
    ("organisasjonsnummer", EQUINOR, "organisasjonsnummer"),
    ("organisasjonsnummer", BRREG, "organisasjonsnummer"),
])
def test_a_wrong_check_digit_says_the_right_one(scheme, valid, label):
    wrong, digit = _wrong_check_digit(scheme, valid)
    with pytest.raises(ValueError) as caught:
        check_register_id(scheme, wrong)
    assert str(caught.value) == f"{wrong!r} is not a valid {label}: the check digit should " \
                                f"be {digit}"


def test_the_issue_example():
    assert not ytunnus.is_valid("0737546-1") and ytunnus.is_valid("0737546-2")
    with pytest.raises(ValueError, match=r"^'0737546-1' is not a valid Y-tunnus: the check "
                                         r"digit should be 2$"):
        check_register_id("y-tunnus", "0737546-1")


@pytest.mark.parametrize("scheme, text, message", [
    ("y-tunnus", "112038-9",
     "'112038-9' is not a valid Y-tunnus: 8 digits expected, like 1234567-8 (it has 7)"),
    ("y-tunnus", "00112038-9",
     "'00112038-9' is not a valid Y-tunnus: 8 digits expected, like 1234567-8 (it has 9)"),
    ("organisationsnummer", "16556012-5790",
     "'16556012-5790' is not a valid organisationsnummer: 10 digits expected, like "
     "NNNNNN-NNNN (it has 12)"),
    ("organisasjonsnummer", "92360901",
     "'92360901' is not a valid organisasjonsnummer: 9 digits expected, like 123456785 "
     "(it has 8)"),
    ("y-tunnus", "O112038-9",
     "'O112038-9' is not a valid Y-tunnus: only digits expected, like 1234567-8"),
    ("y-tunnus", "٠١١٢٠٣٨-٩",  # Arabic-Indic digits are digits to Python, not to a register
     "'٠١١٢٠٣٨-٩' is not a valid Y-tunnus: only digits expected, like 1234567-8"),
    ("y-tunnus", "  ", "an empty Y-tunnus (expected like 1234567-8)"),
    ("kvk", "12345678", "'kvk' is not a register id scheme; known: y-tunnus, "
                        "organisationsnummer, organisasjonsnummer"),
])
def test_wrong_forms(scheme, text, message):
    with pytest.raises(ValueError) as caught:
        check_register_id(scheme, text)
    assert str(caught.value) == message
    if scheme in LIBRARY and text.strip():
        assert not LIBRARY[scheme].is_valid(text)


def test_no_check_digit_fits():
    """Some first digits have no check digit at all: the message says a digit before it
    is wrong (python-stdnum refuses every completion too)."""
    body = next(f"{n:07d}" for n in range(10**6, 10**7)
                if not any(ytunnus.is_valid(f"{n:07d}-{d}") for d in range(10)))
    with pytest.raises(ValueError, match="no check digit completes"):
        check_register_id("y-tunnus", body + "-0")
    body = next(f"{n:08d}" for n in range(10**7, 10**8)
                if not any(no_orgnr.is_valid(f"{n:08d}{d}") for d in range(10)))
    with pytest.raises(ValueError, match="no check digit completes"):
        check_register_id("organisasjonsnummer", body + "0")


def test_agrees_with_the_library_on_many_numbers():
    """Over a run of numbers, exactly those the library accepts are accepted, in its own
    canonical digits."""
    for n in range(1_000_000, 1_002_000):
        for scheme, text in (("y-tunnus", f"{n:08d}"), ("organisationsnummer", f"55{n:08d}"),
                             ("organisasjonsnummer", f"9{n:08d}")):
            ok = LIBRARY[scheme].is_valid(text)
            try:
                got = check_register_id(scheme, text)
            except ValueError:
                assert not ok, (scheme, text)
            else:
                assert ok and LIBRARY[scheme].compact(got).replace("-", "") == text
