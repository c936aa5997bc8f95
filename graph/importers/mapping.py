"""Import formats as data: a mapping file (YAML) says which column of a register is the
project id, its name, the beneficiary, the amounts, the dates and their format, the areas,
the programme and the priority. The built-in ones are package files
(``graph/importers/formats/*.yaml``); a user writes one for a new register and passes its
path where a format name goes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

#: the roles a column can play (``fields:`` keys) and what each means
ROLES = {
    "project.id": "the project's code in the register (required)",
    "project.name": "the project's name (required)",
    "project.description": "what the project does",
    "project.status": "its status, translated by the mapping's `status:` table",
    "project.start": "its first day", "project.end": "its last day",
    "project.amount": "the granted funding of the project (its funding total)",
    "project.areas": "municipalities, regions or NUTS regions: names or codes, ',' or ';' "
                     "between them",
    "project.region": "the region (län, maakunta…) when no municipality is given",
    "programme.name": "the programme (else the mapping's `programme:` block)",
    "priority.code": "the priority axis, insatsområde or specific objective",
    "fund": "the fund (ERDF, ESF…), kept in the note",
    "authority": "the funding authority (grants the funding)",
    "organisation.name": "the beneficiary or partner (required)",
    "organisation.register_id": "its Y-tunnus, organisationsnummer or organisasjonsnummer",
    "organisation.kind": "its type", "organisation.country": "its country (ISO code or name)",
    "organisation.note": "columns kept in the organisation's note (a list)",
    "partner.role": "LP, PP or AP (rows: partner), translated by `roles:`",
    "partner.budget": "the partner's budget (rows: partner)",
    "contact.name": "the project leader (personal data: only with --personal)",
    "contact.phone": "their phone (personal data: only with --personal)",
    "contact.email": "their e-mail (personal data: only with --personal)",
    "note": "columns kept in the project's note (a list)",
}
REQUIRED_ROLES = ("project.id", "project.name", "organisation.name")
DATE_FORMATS = ("d.m.yyyy", "yyyy-mm-dd")
KEYS = ("format", "title", "file", "lang", "country", "uses", "currency", "dates", "rows",
        "columns", "optional", "fields", "programme", "priority_name", "status", "roles",
        "authority_regions", "decimal")


class MappingError(ValueError):
    """A mapping file that cannot be used (``file: message``)."""


@dataclass
class Mapping:
    """One import format (see ROLES for ``fields``)."""

    format: str
    title: dict
    lang: str
    columns: list[str]
    fields: dict
    file: str = "csv"
    country: str | None = None
    uses: list[str] = field(default_factory=list)
    currency: str = "EUR"
    dates: str = "yyyy-mm-dd"
    rows: str = "project"
    optional: list[str] = field(default_factory=list)
    programme: dict | None = None
    priority_name: dict = field(default_factory=dict)
    status: dict = field(default_factory=dict)
    roles: dict = field(default_factory=dict)
    authority_regions: dict = field(default_factory=dict)
    decimal: str = ","
    path: str = ""

    def column(self, role: str) -> str | None:
        """The column that plays ``role``, or None."""
        return self._columns.get(role)

    def __post_init__(self) -> None:
        self._columns = {r: v for r, v in self.fields.items() if isinstance(v, str)}

    def note_columns(self, role: str = "note") -> list[str]:
        value = self.fields.get(role) or []
        return [value] if isinstance(value, str) else list(value)

    @property
    def free_text(self) -> list[str]:
        """Columns whose text may hold the delimiter (candidates for realignment)."""
        roles = ("project.name", "project.description", "organisation.name")
        return [c for c in (self.column(r) for r in roles) if c]


def builtin_names() -> list[str]:
    """The formats that come with regiograph, by name."""
    folder = resources.files(__package__) / "formats"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_mapping(name_or_path: str | os.PathLike) -> Mapping:
    """A built-in format by name, or a mapping file by path. Raises MappingError."""
    text_name = os.fspath(name_or_path)
    if text_name in builtin_names():
        ref = resources.files(__package__) / "formats" / f"{text_name}.yaml"
        text, shown = ref.read_text("utf-8"), f"{text_name} (built in)"
    else:
        path = Path(text_name)
        if not path.is_file():
            raise MappingError(f"{text_name}: no such format (built in: "
                               f"{', '.join(builtin_names())}) nor mapping file")
        try:
            text, shown = path.read_text("utf-8"), text_name
        except (UnicodeDecodeError, OSError) as exc:
            raise MappingError(f"{text_name}: cannot be read as UTF-8 text ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError(f"{shown}: not YAML: {exc}") from None
    return check_mapping(data, shown)


def _value_problems(data: dict) -> list[str]:
    """What the facts format would refuse in the values a mapping puts into facts."""
    from ..loader.facts import parse_date, valid_country, valid_currency, valid_lang
    from ..loader.reference import USES
    from ..model.schema import vocabulary

    problems = []
    for key, kind in (("format", str), ("status", dict), ("roles", dict),
                      ("authority_regions", dict), ("optional", list), ("uses", list),
                      ("file", str), ("dates", str), ("rows", str)):
        if key in data and not isinstance(data[key], kind):
            want = {dict: "a map", list: "a list"}.get(kind, "a string")
            problems.append(f"{key}: {want} expected")
            data = {k: v for k, v in data.items() if k != key}
    if "lang" in data and not (isinstance(data["lang"], str) and valid_lang(data["lang"])):
        problems.append(f"lang: {data['lang']!r} is not a BCP 47 language tag (fi, sv, en…)")
    if "country" in data and not (isinstance(data["country"], str)
                                  and valid_country(data["country"])):
        problems.append(f"country: {data['country']!r} is not an ISO 3166-1 alpha-2 code")
    if "currency" in data and not (isinstance(data["currency"], str)
                                   and valid_currency(data["currency"])):
        problems.append(f"currency: {data['currency']!r} is not an ISO 4217 code (EUR, SEK…)")
    for use in data.get("uses") or []:
        if use not in USES:
            problems.append(f"uses: {use!r} is not one of {', '.join(USES)}")
    statuses = vocabulary("project-status")
    for text, status in (data.get("status") or {}).items():
        if status not in statuses:
            problems.append(f"status: {text}: {status!r} is not one of {', '.join(statuses)}")
    for text, role in (data.get("roles") or {}).items():
        if role not in ("lead", "partner", "associated"):
            problems.append(f"roles: {text}: {role!r} is not lead, partner or associated")
    for name in ("title", "priority_name"):
        value = data.get(name)
        if value is not None and not isinstance(value, (str, dict)):
            problems.append(f"{name}: a string or a map of language tags to strings")
        elif isinstance(value, dict) and not all(isinstance(k, str) and valid_lang(k)
                                                 and isinstance(v, str) and v.strip()
                                                 for k, v in value.items()):
            problems.append(f"{name}: each key a language tag, each value a non-empty string")
    programme = data.get("programme")
    if programme is not None:
        if not isinstance(programme, dict) or "name" not in programme or \
                not isinstance(programme.get("period") or {}, dict):
            problems.append("programme: a map with id, name and period ({from: …, to: …}); "
                            "name required")
        else:
            for end, value in (programme.get("period") or {}).items():
                if end not in ("from", "to") or parse_date(str(value)) is None:
                    problems.append(f"programme: period {end}: {value!r} is not a date")
    return problems


def check_mapping(data, shown: str) -> Mapping:
    """A Mapping from the parsed YAML of a mapping file, every problem in one error."""
    problems = []
    if not isinstance(data, dict):
        raise MappingError(f"{shown}: a mapping file is a YAML mapping with format, columns "
                           "and fields")
    for key in data:
        if key not in KEYS:
            problems.append(f"unknown key {key!r} (known: {', '.join(KEYS)})")
    for key in ("format", "lang", "columns", "fields"):
        if key not in data:
            problems.append(f"{key!r} is required")
    columns = data.get("columns") or []
    fields = data.get("fields") or {}
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        problems.append("'columns' is the list of the register's column names, in order")
        columns = []
    if not isinstance(fields, dict):
        problems.append("'fields' maps roles (project.id, project.name…) to column names")
        fields = {}
    lists = ("note", "organisation.note")
    for role, value in fields.items():
        if role not in ROLES:
            problems.append(f"fields: unknown role {role!r} (roles: {', '.join(ROLES)})")
            continue
        if not isinstance(value, str) and not (role in lists and isinstance(value, list)
                                               and all(isinstance(v, str) for v in value)):
            problems.append(f"fields: {role}: one column name" +
                            (" or a list of them" if role in lists else ""))
            continue
        for column in [value] if isinstance(value, str) else (value or []):
            if column not in columns:
                problems.append(f"fields: {role}: {column!r} is not one of the columns")
    for role in REQUIRED_ROLES:
        if role not in fields:
            problems.append(f"fields: {role!r} is required ({ROLES[role]})")
    if data.get("dates", "yyyy-mm-dd") not in DATE_FORMATS:
        problems.append(f"dates: {data.get('dates')!r} is not one of {', '.join(DATE_FORMATS)}")
    if data.get("rows", "project") not in ("project", "partner"):
        problems.append("rows: 'project' (one row per project) or 'partner' (one per partner)")
    if data.get("decimal", ",") not in (",", "."):
        problems.append("decimal: ',' or '.'")
    problems += _value_problems(data)
    if "programme" not in data and "programme.name" not in fields:
        problems.append("a 'programme' block (id, name, period) or a programme.name column "
                        "is required: the programme becomes the strategy its projects serve")
    if problems:
        raise MappingError("\n".join(f"{shown}: {p}" for p in problems))
    known = {k: data[k] for k in KEYS if k in data}
    title = known.get("title") or {known["lang"]: known["format"]}
    if isinstance(title, str):
        title = {known["lang"]: title}
    known["title"] = title
    if isinstance(known.get("priority_name"), str):
        known["priority_name"] = {known["lang"]: known["priority_name"]}
    return Mapping(**known, path=shown)
