"""Synthetic facts datasets of a chosen size, with planted overlaps and gaps.

:func:`generate` builds a valid facts document of about N triples that looks like a
three-country development landscape (FI/SE/NO areas with a country → region →
sub-region → municipality hierarchy, organisations, people with posts, strategies
with priorities and key actors, funded projects, responsibilities, networks and
events). The background is built so that it yields **no** finding of the named
checks (CHECKS.md): every strategy is monitored, every priority is led and carried
by a planned, running or completed project, key actors of a strategy sit at one
table, cross-border networks reach two countries, two responsibilities of one role
for one target differ in area or period, and projects implementing one target are
disjoint in area or period. Near misses are part of the background on purpose
(lead + coordinate, sibling areas, back-to-back periods, a cancelled duplicate, a
municipality seated through the area it represents). Then a known number of
findings of every check is planted, and their exact list is returned in the JSON
shape of ``regiograph check --format json``.

Only ``random.Random(seed)`` is used, so one seed gives one dataset.

>>> out = generate(10_000, seed=1)
>>> sorted(out)
['facts', 'planted']
"""

from __future__ import annotations

import json
import os
import random
from collections import defaultdict
from pathlib import Path

from ..base.files import write_atomic
from ..base.yamlout import dump as _dump
from ..model.names import slug
from ..model.schema import SECTIONS, facts_document

DATASET_ID = "synth"
CHUNK = 1000  # entries per file: big sections are split like a real archive would be
FIRST_YEAR, LAST_YEAR = 2000, 2022  # strategies start in this range and last 4-8 years

COUNTRIES = {
    "FI": ("suomi", {"fi": "Suomi", "sv": "Finland", "en": "Finland"}, "fi"),
    "SE": ("sverige", {"fi": "Ruotsi", "sv": "Sverige", "en": "Sweden"}, "sv"),
    "NO": ("norge", {"fi": "Norja", "nb": "Norge", "en": "Norway"}, "nb"),
}
STEMS = {
    "FI": ["Kalli", "Pelto", "Rova", "Sodan", "Tervo", "Posio", "Salla", "Ylä", "Ala", "Iso",
           "Kivi", "Hirvi", "Karhu", "Kuusi", "Mänty", "Ranta", "Saari", "Vesi", "Koivu",
           "Petäjä", "Raja", "Pohjois", "Etelä", "Itä", "Länsi", "Tunturi", "Metsä", "Suo"],
    "SE": ["Norr", "Söder", "Väster", "Öster", "Kal", "Lule", "Pite", "Kiru", "Gälli", "Över",
           "Hapa", "Bode", "Arvids", "Jokk", "Ström", "Sand", "Björk", "Gran", "Lind", "Ek",
           "Älv", "Myr", "Fjäll", "Sjö", "Berg", "Skog", "Mål", "Råne"],
    "NO": ["Alta", "Hammer", "Kirke", "Vard", "Nord", "Sør", "Lyngen", "Skjer", "Kauto",
           "Karas", "Berle", "Gam", "Hasvik", "Loppa", "Måsøy", "Båts", "Lenvik", "Bardu",
           "Fjell", "Havøy", "Kval", "Senja", "Salt", "Bodø", "Narvik", "Lofot", "Vest", "Øst"],
}
ENDINGS = {
    "FI": ["joki", "lahti", "niemi", "vaara", "järvi", "koski", "salmi", "mäki", "lampi", "vuoma"],
    "SE": ["by", "å", "sund", "berg", "vik", "holm", "torp", "fors", "ås", "träsk"],
    "NO": ["vik", "dal", "fjord", "nes", "heim", "berg", "øy", "stad", "vær", "sand"],
}
THEMES = [("matkailu", "tourism"), ("kaivosala", "mining"), ("biotalous", "bioeconomy"),
          ("osaaminen", "skills"), ("saavutettavuus", "accessibility"),
          ("energia", "energy"), ("arktinen-teollisuus", "arctic industry"),
          ("kulttuuri", "culture"), ("digitalisaatio", "digitalisation"),
          ("hyvinvointi", "wellbeing"), ("logistiikka", "logistics"), ("kalatalous", "fisheries")]
ORG_KINDS = ["company", "association", "education", "research", "leader-group"]
SOURCE_KINDS = ["report", "presentation", "article", "web-page", "dataset", "interview"]


def period(a: int | str | None, b: int | str | None) -> dict:
    """A period map with the given ends (years as text), leaving out missing ends."""
    out = {}
    if a is not None:
        out["from"] = str(a)
    if b is not None:
        out["to"] = str(b)
    return out


def _cost(entry: dict, inherited: int = 0) -> int:
    """About how many triples graph.rdf.mapping writes for ``entry`` (type, fields, nesting)."""
    src = entry.get("source")
    own = (1 if isinstance(src, str) else len(src)) if src else 0
    n = 1 + (2 * own if own else inherited)
    for key, value in entry.items():
        if key == "source":
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            n += sum(2 + _cost(item, own or inherited) for item in value)
        elif key == "funding":
            n += 1 + _cost(value, own or inherited)
        elif isinstance(value, (dict, list)):
            n += len(value)
        elif key == "date":
            n += 2
        else:
            n += 1
    return n


class _World:
    """The dataset under construction, the lookups the planting needs, and the plants."""

    def __init__(self, triples: int, seed: int):
        self.rng = random.Random(seed)
        self.goal = triples
        self.cost = 0
        self.used: set[str] = set()
        self.doc: dict[str, list[dict]] = {name: [] for name in SECTIONS}
        self.parent: dict[str, str] = {}
        self.children: dict[str, list[str]] = defaultdict(list)
        self.country: dict[str, str] = {}
        self.top: dict[str, str] = {}  # country code -> its country area
        self.reps: dict[str, str] = {}  # municipality organisation -> the area it represents
        self.munis_in: dict[str, list[str]] = defaultdict(list)  # area -> municipalities
        self.orgs_in: dict[str, list[str]] = defaultdict(list)  # area -> orgs inside it
        self.org_country: dict[str, str] = {}
        self.people: list[str] = []
        self.sources: list[str] = []
        self.roles: dict[str, set[str]] = defaultdict(set)  # target -> roles held for it
        self.implementers: dict[str, list[dict]] = defaultdict(list)
        self.mode: dict[str, str] = {}  # target -> "time" | "space" (how its projects differ)
        self.strategies: list[dict] = []  # background strategies
        self.priorities: list[tuple[dict, dict]] = []  # background (priority, strategy)
        self.projects: list[dict] = []  # background projects with one target
        self.networks: list[dict] = []  # background networks
        self.expected: list[dict] = []

    # -- bookkeeping ---------------------------------------------------------
    def uid(self, name: str) -> str:
        base = slug(name) or "x"
        ident, n = base, 1
        while ident in self.used:
            n += 1
            ident = f"{base}-{n}"
        self.used.add(ident)
        return ident

    def add(self, section: str, entry: dict) -> dict:
        self.doc[section].append(entry)
        self.cost += _cost(entry)
        return entry

    def src(self) -> str | list[str]:
        if self.rng.random() < 0.15:
            return self.rng.sample(self.sources, 2)
        return self.rng.choice(self.sources)

    def place_name(self, country: str) -> str:
        return self.rng.choice(STEMS[country]) + self.rng.choice(ENDINGS[country])

    def names(self, text: str, country: str) -> str | dict:
        lang = COUNTRIES[country][2]
        return text if lang == "fi" else {lang: text}

    # -- the world: areas, organisations, people, sources --------------------
    def sources_section(self, count: int) -> None:
        for n in range(count):
            kind = self.rng.choice(SOURCE_KINDS)
            year = self.rng.randint(FIRST_YEAR, 2024)
            ident = self.uid(f"{kind}-{year}-{n + 1}")
            self.sources.append(ident)
            self.add("sources", {"id": ident, "title": f"Synthetic {kind} {n + 1} ({year})",
                                 "kind": kind, "date": f"{year}-{self.rng.randint(1, 12):02d}"})

    def area(self, name, kind: str, land: str, parent: str | None, **extra) -> str:
        ident = self.uid(name if isinstance(name, str) else next(iter(name.values())))
        entry = {"id": ident, "name": name, "kind": kind}
        if parent:
            entry["part_of"] = parent
            self.parent[ident] = parent
            self.children[parent].append(ident)
        entry.update(extra)
        entry["source"] = self.src()
        self.add("areas", entry)
        self.country[ident] = land
        return ident

    def ancestors(self, area: str) -> list[str]:
        out = [area]
        while out[-1] in self.parent:
            out.append(self.parent[out[-1]])
        return out

    def geography(self, munis: int) -> None:
        """Countries, regions, sub-regions and at least ``munis`` municipalities."""
        per_country = max(2, round(munis / (3 * 3 * 4.5)))
        code = 0
        for c, (_, names, _) in COUNTRIES.items():
            top = self.area(names, "country", c, None, country=c)
            self.top[c] = top
            suffix = {"FI": "n maakunta", "SE": " län", "NO": " fylke"}[c]
            for _ in range(per_country):
                region = self.area(self.names(self.place_name(c) + suffix, c), "region", c, top,
                                   country=c)
                for _ in range(self.rng.randint(2, 4)):
                    sub = self.area(self.names(self.place_name(c) + " sub-region", c),
                                    "sub-region", c, region)
                    for _ in range(self.rng.randint(3, 6)):
                        code += 1
                        m = self.area(self.names(self.place_name(c), c), "municipality", c, sub,
                                      codes={"municipality": f"{code % 1000:03d}"})
                        for a in self.ancestors(m):
                            self.munis_in[a].append(m)

    def org(self, name: str, kind: str, area: str, **extra) -> str:
        ident = self.uid(name)
        entry = {"id": ident, "name": self.names(name, self.country[area]), "kind": kind,
                 "area": area, **extra, "source": self.src()}
        self.add("organisations", entry)
        self.org_country[ident] = self.country[area]
        for a in self.ancestors(area):
            self.orgs_in[a].append(ident)
        if "represents" in extra:
            self.reps[ident] = extra["represents"]
        return ident

    def organisations(self, extra_per_muni: float) -> None:
        kinds = {"country": "ministry", "region": "regional-council",
                 "sub-region": "development-agency", "municipality": "municipality"}
        for entry in list(self.doc["areas"]):
            a, kind = entry["id"], entry["kind"]
            label = next(iter(entry["name"].values())) if isinstance(entry["name"], dict) \
                else entry["name"]
            extra = {"represents": a} if kind == "municipality" else {}
            self.org(f"{label} {kinds[kind].replace('-', ' ')}", kinds[kind], a, **extra)
        munis = [m for top in self.top.values() for m in self.munis_in[top]]
        for n in range(int(len(munis) * extra_per_muni)):
            m = self.rng.choice(munis)
            kind = self.rng.choice(ORG_KINDS)
            self.org(f"{self.place_name(self.country[m])} {kind} {n + 1}", kind, m)

    def people_section(self, count: int) -> None:
        orgs = [e["id"] for e in self.doc["organisations"]]
        first = ["Aino", "Eero", "Liisa", "Mikko", "Sanna", "Juha", "Karin", "Lars", "Ingrid",
                 "Ola", "Siri", "Anders", "Maija", "Pekka", "Elsa", "Nils"]
        last = ["Korhonen", "Niemi", "Lindqvist", "Berg", "Hansen", "Johansson", "Virtanen",
                "Nilsen", "Mäkinen", "Eriksson", "Olsen", "Heikkinen", "Larsen", "Holm"]
        for _ in range(count):
            name = f"{self.rng.choice(first)} {self.rng.choice(last)}"
            posts = []
            start = self.rng.randint(FIRST_YEAR, 2020)
            for org in self.rng.sample(orgs, self.rng.randint(1, 2)):
                posts.append({"organisation": org,
                              "title": {"fi": "kehittämispäällikkö", "en": "development manager"},
                              "period": period(start, None if self.rng.random() < 0.5
                                               else start + self.rng.randint(1, 6))})
            ident = self.uid(name)
            self.people.append(ident)
            self.add("people", {"id": ident, "name": name, "posts": posts, "source": self.src()})

    # -- helpers for strategies and projects ---------------------------------
    def pool(self, area: str, k: int, exclude=()) -> list[str]:
        """``k`` distinct organisations acting inside ``area`` (fewer when there are fewer)."""
        found = [o for o in self.orgs_in[area] if o not in exclude]
        return self.rng.sample(found, min(k, len(found)))

    def responsibility(self, actor: str, role: str, target: str, **extra) -> dict:
        entry = {"actor": actor, "role": role, "for": target, **extra, "source": self.src()}
        self.roles[target].add(role)
        return self.add("responsibilities", entry)

    def funding(self, funders: list[str]) -> dict:
        parts = [self.rng.randint(1, 40) * 1000 for _ in range(self.rng.randint(1, 4))]
        total = sum(parts)
        sources = []
        for amount in parts:
            share = {"share": round(100 * amount / total, 1)} if self.rng.random() < 0.8 else {}
            sources.append({"funders": self.rng.sample(funders, min(len(funders),
                                                                    self.rng.randint(1, 2))),
                            "amount": amount, **share})
        return {"total": total, "currency": "EUR", "sources": sources}

    def project(self, target: str | None, area_ids: list[str], when: dict | None, status: str,
                scope: str, admin: str | None = None, partners: list[str] | None = None,
                name: str = "project", background: bool = True) -> dict:
        """A project with funding, activities and its administrator's `lead` responsibility."""
        people = self.pool(scope, 4)
        admin = admin or people[0]
        if partners is None:
            partners = [o for o in people[1:] if o != admin][:self.rng.randint(0, 3)]
        ident = self.uid(f"{name}-{len(self.doc['projects']) + 1}")
        entry: dict = {"id": ident, "name": f"{name.capitalize()} {len(self.doc['projects']) + 1}",
                       "administrator": admin}
        if partners:
            entry["partners"] = partners
        if area_ids:
            entry["areas"] = area_ids
        if when:
            entry["period"] = when
        entry["status"] = status
        if target:
            entry["implements"] = [target]
        entry["funding"] = self.funding([admin, *self.pool(scope, 2, exclude=[admin])])
        if target and self.rng.random() < 0.6:
            entry["activities"] = [{"name": "Selvitys ja työpajat", "by": admin, "for": target,
                                    "status": self.rng.choice(["done", "planned"])}]
        entry["source"] = self.src()
        self.add("projects", entry)
        if target:
            self.implementers[target].append(entry)
        if status != "cancelled" and self.rng.random() < 0.5:
            self.responsibility(admin, "lead", ident, **({"period": when} if when else {}))
        if background and target and status != "cancelled":
            self.projects.append(entry)
        return entry

    def projects_for(self, target: str, scope: str, years: tuple[int, int], count: int,
                     statuses: list[str] | None = None, seat: list[str] | None = None) -> None:
        """``count`` projects implementing ``target``, pairwise disjoint in time or in space.

        The first is planned, running or completed; ``seat`` puts the key actors of a
        strategy into the first one (administrator and partners). A cancelled twin of
        the first is added now and then: cancelled projects never count as parallel.
        """
        y0, y1 = years
        munis = self.munis_in[scope]
        mode = "space" if len(munis) >= 2 * count and self.rng.random() < 0.5 else "time"
        self.mode[target] = mode
        if mode == "time":
            count = min(count, y1 - y0 + 1)
            cuts = sorted(self.rng.sample(range(y0 + 1, y1 + 1), count - 1))
            bounds = [y0, *cuts, y1 + 1]
            spans = [(bounds[i], bounds[i + 1] - 1) for i in range(count)]
            places = [[self.rng.choice([scope, *self.rng.sample(munis, 1)])] for _ in spans]
        else:
            chosen = self.rng.sample(munis, 2 * count)
            places = [sorted(chosen[2 * i:2 * i + self.rng.randint(1, 2)]) for i in range(count)]
            spans = []
            for _ in range(count):
                a = self.rng.randint(y0, y1)
                spans.append((a, self.rng.randint(a, y1)))
        statuses = statuses or ([self.rng.choice(["planned", "running", "completed"])]
                                + [self.rng.choice(["planned", "running", "completed", "idea"])
                                   for _ in range(count - 1)])
        for n, (place, span) in enumerate(zip(places, spans, strict=False)):
            kw = {"admin": seat[0], "partners": seat[1:]} if seat and n == 0 else {}
            self.project(target, place, period(*span), statuses[n], scope, **kw)
            if n == 0 and self.rng.random() < 0.15:
                self.project(target, place, period(*span), "cancelled", scope)

    def priority(self, strategy: dict, lead: str = "auto", projects: str = "auto",
                 background: bool = True, seat: list[str] | None = None) -> dict:
        """A new priority of ``strategy``, led (per ``lead``) and carried (per ``projects``)."""
        sid, scope = strategy["id"], strategy["area"]
        y0, y1 = int(strategy["period"]["from"]), int(strategy["period"]["to"])
        theme = self.rng.choice(THEMES)
        n = len(strategy.setdefault("priorities", [])) + 1
        ident = self.uid(f"{sid}-p{n}")
        entry: dict = {"id": ident, "name": {"fi": theme[0].replace("-", " ").capitalize(),
                                             "en": theme[1].capitalize()}}
        if self.rng.random() < 0.3:
            entry["source"] = self.src()
        strategy["priorities"].append(entry)
        self.cost += 2 + _cost(entry, 1)
        whole = {"period": period(y0, y1)}
        if lead == "auto":
            lead = self.rng.choice(["one", "one", "halves", "lead+coordinate", "siblings"])
            if lead == "siblings" and len(self.children[scope]) < 2:
                lead = "one"
        actors = self.pool(scope, 3)
        if lead == "one":
            self.responsibility(actors[0], "lead", ident, **whole)
        elif lead == "halves":  # back to back: 2010–2012 and 2013–2015 do not intersect
            mid = (y0 + y1) // 2
            self.responsibility(actors[0], "lead", ident, period=period(y0, mid))
            self.responsibility(actors[1], "lead", ident, period=period(mid + 1, y1))
        elif lead == "lead+coordinate":  # different roles never overlap
            self.responsibility(actors[0], "lead", ident, **whole)
            self.responsibility(actors[1], "coordinate", ident, **whole)
        elif lead == "siblings":  # two sibling areas: neither lies inside the other
            a, b = self.rng.sample(self.children[scope], 2)
            self.responsibility(actors[0], "coordinate", ident, area=a, **whole)
            self.responsibility(actors[1], "coordinate", ident, area=b, **whole)
        elif lead == "fund":  # planted: roles that do not lead
            self.responsibility(actors[0], "fund", ident)
            self.responsibility(actors[1], "implement", ident, **whole)
        elif lead == "monitor":
            self.responsibility(actors[0], "monitor", ident, **whole)
        if self.rng.random() < 0.5:  # roles the overlap check ignores, stated freely
            for actor in self.pool(scope, 2, exclude=actors):
                self.responsibility(actor, self.rng.choice(["fund", "implement", "participate"]),
                                    ident)
        if projects == "auto":
            self.projects_for(ident, scope, (y0, y1), self.rng.randint(1, 3), seat=seat)
        elif projects == "idea":
            self.project(ident, [scope], period(y0, y1), "idea", scope, background=False)
        elif projects == "cancelled":
            self.project(ident, [scope], period(y0, y1), "cancelled", scope, background=False)
        elif projects == "idea+cancelled":
            self.project(ident, [scope], period(y0, y1), "idea", scope, background=False)
            self.project(ident, [scope], period(y0, y1), "cancelled", scope, background=False)
        if background:
            self.priorities.append((entry, strategy))
        return entry

    def strategy(self, monitor: bool = True, background: bool = True) -> dict:
        """A strategy with priorities, key actors at one table, projects, a network, events."""
        rng = self.rng
        top = self.top[rng.choice(sorted(self.top))]
        regions = self.children[top]
        region = rng.choice(regions)
        scope = rng.choice([region, region, top, *self.children[region]])
        y0 = rng.randint(FIRST_YEAR, LAST_YEAR)
        y1 = y0 + rng.randint(3, 7)
        kind = rng.choice(["strategy", "programme", "plan", "regional-model"])
        owner = self.orgs_in[scope][0]  # the council, agency or ministry of the area
        theme = rng.choice(THEMES)
        ident = self.uid(f"{theme[0]}-{kind}-{y0}")
        entry: dict = {"id": ident, "name": {"fi": f"{theme[0].capitalize()}ohjelma {y0}–{y1}",
                                             "en": f"{theme[1].capitalize()} {kind} {y0}–{y1}"},
                       "kind": kind, "owner": owner, "area": scope, "period": period(y0, y1)}
        keys = [owner, *self.pool(scope, rng.randint(1, 3), exclude=[owner])]
        entry["key_actors"] = keys
        entry["source"] = self.src()
        self.add("strategies", entry)
        if background:
            self.strategies.append(entry)
        seat = rng.choice(["network", "project", "event"]) if len(keys) > 1 else "none"
        if seat == "network":
            self.network(f"{theme[0]}-ryhma", rng.choice(["coordination-group", "partnership"]),
                         [*self.represented(keys)], ident, (y0, y1))
        elif seat == "event":
            self.event(scope, [*keys, *rng.sample(self.people, 1)], ident, y0)
        watched = None
        if monitor:
            watched = ident if rng.random() < 0.8 else None
        for n in range(rng.randint(2, 4)):
            p = self.priority(entry, background=background,
                              seat=keys if seat == "project" and n == 0 else None)
            if monitor and watched is None:
                watched = p["id"]
        if monitor:
            self.responsibility(owner, "monitor", watched, period=period(y0, y1))
        if rng.random() < 0.3:
            self.projects_for(ident, scope, (y0, y1), rng.randint(1, 2))
        if rng.random() < 0.4:
            self.network(f"{theme[0]}-verkosto", rng.choice(["working-group", "partnership"]),
                         self.pool(scope, rng.randint(2, 5)), ident, (y0, y1))
        for _ in range(rng.randint(0, 2)):
            self.event(scope, [*self.pool(scope, rng.randint(1, 4)),
                               *rng.sample(self.people, rng.randint(0, 2))], ident,
                       rng.randint(y0, y1))
        return entry

    def represented(self, keys: list[str]) -> list[str]:
        """Network members for ``keys``: a municipality's area instead of its council, at times."""
        return [self.reps[k] if k in self.reps and self.rng.random() < 0.7 else k for k in keys]

    def network(self, name: str, kind: str, members: list[str], serves: str | None,
                years: tuple[int, int] | None, background: bool = True) -> dict:
        ident = self.uid(f"{name}-{len(self.doc['networks']) + 1}")
        entry: dict = {"id": ident, "name": name.replace("-", " ").capitalize(), "kind": kind}
        if members:
            entry["members"] = members
            actors = [m for m in members if m in self.org_country]
            if actors:
                entry["convener"] = actors[0]
        if serves:
            entry["for"] = [serves]
        if years:
            entry["period"] = period(years[0], None)
        entry["source"] = self.src()
        self.add("networks", entry)
        if "convener" in entry and self.rng.random() < 0.5:
            self.responsibility(entry["convener"], "coordinate", ident)
        if background:
            self.networks.append(entry)
        return entry

    def cross_border(self) -> None:
        """A cross-border network with members in two countries (orgs, now and then an area)."""
        a, b = self.rng.sample(sorted(COUNTRIES), 2)
        members = []
        for c in (a, b):
            top = self.top[c]
            if self.rng.random() < 0.3:
                members.append(self.rng.choice(self.munis_in[top]))
            members += self.pool(top, self.rng.randint(1, 3), exclude=members)
        self.network("rajat-ylittava-yhteistyo", "cross-border-network", members, None,
                     (self.rng.randint(FIRST_YEAR, LAST_YEAR), None))

    def event(self, scope: str, participants: list[str], serves: str, year: int) -> dict:
        ident = self.uid(f"seminaari-{year}-{len(self.doc['events']) + 1}")
        day = f"{year}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"
        entry = {"id": ident, "name": f"Seminaari {len(self.doc['events']) + 1}", "date": day,
                 "place": [self.rng.choice(self.munis_in[scope])],
                 "organiser": self.orgs_in[scope][0], "participants": participants,
                 "participant_count": len(participants) + self.rng.randint(0, 40),
                 "for": [serves], "source": self.src()}
        return self.add("events", entry)

    # -- the background ------------------------------------------------------
    def world(self) -> None:
        """Sources, areas, organisations and people, in proportion to the goal."""
        n = self.goal
        self.sources_section(max(6, n // 2500))
        self.geography(max(12, n // 300))
        self.organisations(extra_per_muni=1.0)
        self.people_section(max(10, n // 400))

    def background(self, share: float) -> None:
        """Strategies (and cross-border networks) until ``share`` of the goal is reached."""
        while self.cost < share * self.goal or len(self.strategies) < 6:
            self.strategy()
            if self.rng.random() < 0.25:
                self.cross_border()

    # -- plants --------------------------------------------------------------
    def find(self, check: str, subjects: list[str], target: str, why: str,
             role: str = "") -> None:
        self.expected.append({"check": check, "subjects": sorted(subjects), "target": target,
                              "explanation": why, "_role": role})

    def plant_responsibility(self, k: int) -> None:
        """Same role, same target, intersecting areas and periods: one finding per pair."""
        targets = [(p["id"], s["area"]) for p, s in self.priorities]
        targets += [(p["id"], p["areas"][0]) for p in self.projects]
        targets += [(n["id"], None) for n in self.networks]
        self.rng.shuffle(targets)
        done = 0
        for target, scope in targets:
            if done >= k:
                break
            free = [r for r in ("lead", "coordinate", "monitor") if r not in self.roles[target]]
            if not free or scope is None and self.rng.random() < 0.5:
                continue
            role = self.rng.choice(free)
            where = scope or self.rng.choice([e["id"] for e in self.doc["areas"]
                                              if e["kind"] == "region"])
            actors = self.pool(where, 3) if self.orgs_in[where] else []
            if len(actors) < 3:
                continue
            variant = done % 5
            munis = self.munis_in[where]
            m = self.rng.choice(munis)
            y = self.rng.randint(FIRST_YEAR, LAST_YEAR)
            if variant == 0:  # the same municipality, periods that share a year
                specs = [{"area": m, "period": period(y, y + 2)},
                         {"area": m, "period": period(y + 2, y + 4)}]
            elif variant == 1:  # a municipality inside the other's region or sub-region
                specs = [{"area": m, "period": period(y, y + 3)},
                         {"area": self.parent[m], "period": period(y + 1, None)}]
            elif variant == 2:  # one period unknown
                specs = [{"area": m, "period": period(y, y + 1)}, {"area": m}]
            elif variant == 3:  # no area: both cover the target's areas (or everywhere)
                specs = [{"period": period(y, y + 5)}, {"period": period(y + 5, y + 6)}]
            else:  # three actors: three pairs
                specs = [{"area": m, "period": period(y, y + 3)}] * 3
            for actor, spec in zip(actors, specs, strict=False):
                self.responsibility(actor, role, target, **spec)
            used = actors[:len(specs)]
            for i in range(len(used)):
                for j in range(i + 1, len(used)):
                    self.find("overlap.responsibility", [used[i], used[j]], target,
                              f"planted: both {used[i]} and {used[j]} {role} {target}", role)
            done += 1

    def plant_parallel(self, k: int) -> None:
        """A new project doing what a background project does, where and when it does it."""
        candidates = list(self.projects)
        self.rng.shuffle(candidates)
        for n, twin in enumerate(candidates[:k]):
            target = twin["implements"][0]
            mode = self.mode.get(target, "time")
            variant = n % 4
            scope = twin["areas"][0]
            when = twin["period"]
            areas = list(twin["areas"])
            if variant == 1 and mode == "space":  # no period: meets every period
                when = None
            elif variant == 2 and mode == "time" and scope in self.parent:
                areas = [self.parent[scope]]  # the area around the twin's
            status = self.rng.choice(["idea", "planned", "running"])
            # named like the background ("Project N"), not alike one another: the
            # advisory overlap.similar-projects finds only what plant_similar plants
            new = [self.project(target, areas, when, status, scope, name="project",
                                background=False)]
            if variant == 3:  # two more ideas: three pairs
                new.append(self.project(target, areas, when, "idea", scope,
                                        name="project", background=False))
            group = [twin, *new]
            for i in range(len(group)):
                for j in range(i + 1, len(group)):
                    a, b = group[i]["id"], group[j]["id"]
                    self.find("overlap.parallel-projects", [a, b], target,
                              f"planted: both {a} and {b} implement {target}")

    def plant_key_actors(self, k: int) -> None:
        """A new key actor who sits at no table (or only with the first key actor)."""
        for n, s in enumerate(self.rng.sample(self.strategies, min(k, len(self.strategies)))):
            scope = s["area"]
            where = self.rng.choice(self.munis_in[scope])
            name = f"{self.place_name(self.country[where])} kehitysyhdistys {n + 1}"
            new = self.org_quiet(name, where)
            keys = list(s["key_actors"])
            apart = keys
            if n % 2 == 1 and len(keys) >= 2:  # meets the first key actor in a small project
                self.project(None, [where], period(2024, 2025), "running", scope,
                             admin=keys[0], partners=[new], name="pilotti", background=False)
                apart = keys[1:]
            s["key_actors"] = [*keys, new]
            self.cost += 1
            for other in apart:
                self.find("gap.key-actors-apart", [new, other], s["id"],
                          f"planted: {new} and {other} are key actors of {s['id']} "
                          "who never sit at one table")

    def org_quiet(self, name: str, area: str) -> str:
        """An organisation that no pool offers, so nothing seats it by chance."""
        ident = self.uid(name)
        self.add("organisations", {"id": ident, "name": name, "kind": "association",
                                   "area": area, "source": self.src()})
        self.org_country[ident] = self.country[area]
        return ident

    def plant_priorities(self, k: int) -> None:
        """Priorities nobody leads, and priorities no going project carries."""
        chosen = self.rng.sample(self.strategies, min(2 * k, len(self.strategies)))
        for n in range(k):
            s = chosen[n % len(chosen)]
            mode = ["none", "fund", "monitor"][n % 3]
            p = self.priority(s, lead=mode, background=False)
            self.find("gap.priority-without-lead", [p["id"]], s["id"],
                      f"planted: no actor leads or coordinates {p['id']}")
        for n in range(k):
            s = chosen[(n + k) % len(chosen)]
            mode = ["none", "idea", "cancelled", "idea+cancelled"][n % 4]
            p = self.priority(s, projects=mode, background=False)
            self.find("gap.priority-without-project", [p["id"]], s["id"],
                      f"planted: no going project implements {p['id']} ({mode})")

    def plant_unmonitored(self, k: int) -> None:
        """Strategies (with priorities, leads and projects) that nobody monitors."""
        for _ in range(k):
            s = self.strategy(monitor=False, background=False)
            self.find("gap.unmonitored", [s["id"]], s["id"], f"planted: nobody monitors {s['id']}")

    def plant_cross_border(self, k: int) -> None:
        """Cross-border networks whose members lie in one country, or in none."""
        for n in range(k):
            c = self.rng.choice(sorted(COUNTRIES))
            top = self.top[c]
            variant = n % 4
            if variant == 0:
                members = self.pool(top, 2)
            elif variant == 1:
                members = [self.rng.choice(self.munis_in[top]), *self.pool(top, 1)]
            elif variant == 2:
                members = self.rng.sample(self.people, 2)
            else:
                members = []
            net = self.network("yksipuolinen-rajayhteistyo", "cross-border-network", members,
                               None, None, background=False)
            self.find("gap.cross-border-one-sided", [net["id"]], net["id"],
                      f"planted: the members of {net['id']} lie in fewer than two countries")

    def plant(self) -> None:
        k = max(5, self.goal // 2000)
        # overlaps first: they pick among background targets only
        self.plant_responsibility(k)
        self.plant_parallel(k)
        self.plant_key_actors(k)
        self.plant_priorities(k)
        self.plant_unmonitored(k)
        self.plant_cross_border(k)
        self.plant_similar(k)  # last: the other plants are as they were without it

    def plant_similar(self, k: int) -> None:
        """Two projects named alike (a development project and its investment twin, or
        phases I and II), of one administrator in one municipality in overlapping years,
        implementing nothing: found only by the advisory overlap.similar-projects."""
        words: set[str] = set()
        for n in range(k):
            c = self.rng.choice(sorted(COUNTRIES))
            top = self.top[c]
            where = self.rng.choice(self.munis_in[top])
            word = self.place_name(c)
            while word in words:  # one word per pair: pairs are not alike one another
                word = self.place_name(c) + self.place_name(c)
            words.add(word)
            theme = THEMES[n % len(THEMES)][0]
            start = self.rng.randint(FIRST_YEAR, LAST_YEAR)
            twin = ("investoinnit", "vaihe ii")[n % 2]
            first = self.project(None, [where], period(start, start + 2), "running", top,
                                 partners=[], name=f"{word} {theme} kehittämishanke",
                                 background=False)
            second = self.project(None, [where], period(start + 1, start + 3), "planned",
                                  top, admin=first["administrator"], partners=[],
                                  name=f"{word} {theme} kehittämishanke {twin}",
                                  background=False)
            pair = sorted([first["id"], second["id"]])
            self.find("overlap.similar-projects", pair, pair[0],
                      f"planted: {pair[0]} and {pair[1]} are named alike")

    # -- the expected sources, from the final facts (CHECKS.md "sources") ----
    def expected_findings(self) -> list[dict]:
        derived: dict[str, set[str]] = {}
        for entries in self.doc.values():
            for e in entries:
                own = _listed(e.get("source"))
                if "id" in e:
                    derived[e["id"]] = own
                for p in e.get("priorities", ()):
                    derived[p["id"]] = _listed(p.get("source")) or own
        resp_for: dict[str, list[dict]] = defaultdict(list)
        for r in self.doc["responsibilities"]:
            resp_for[r["for"]].append(r)
        impl: dict[str, list[str]] = defaultdict(list)
        for p in self.doc["projects"]:
            for t in p.get("implements", ()):
                impl[t].append(p["id"])
        reps: dict[str, set[str]] = defaultdict(set)
        for o in self.doc["organisations"]:
            if "represents" in o:
                reps[o["represents"]].add(o["id"])
        # "at one table" once more, from the YAML and on purpose apart from graph.store.derive:
        # this is the test oracle, so it must not share the code it checks
        seats: dict[str, set[str]] = defaultdict(set)
        for n in self.doc["networks"]:
            for m in n.get("members", ()):
                seats[m].add(n["id"])
                for o in reps.get(m, ()):
                    seats[o].add(n["id"])
        for p in self.doc["projects"]:
            for a in [p["administrator"], *p.get("partners", ())]:
                seats[a].add(p["id"])
        for e in self.doc["events"]:
            for a in e.get("participants", ()):
                seats[a].add(e["id"])
        priorities_of = {s["id"]: [p["id"] for p in s.get("priorities", ())]
                         for s in self.doc["strategies"]}
        members = {n["id"]: n.get("members", []) for n in self.doc["networks"]}
        resp_src = {id(r): _listed(r.get("source")) for r in self.doc["responsibilities"]}
        out = []
        for f in self.expected:
            role = f.pop("_role")
            check, subjects, target = f["check"], f["subjects"], f["target"]
            srcs: set[str] = set()
            if check == "overlap.responsibility":
                for r in resp_for[target]:
                    if r["actor"] in subjects and r["role"] == role:
                        srcs |= resp_src[id(r)]
            elif check in ("overlap.parallel-projects", "overlap.similar-projects"):
                srcs = derived[subjects[0]] | derived[subjects[1]]
            elif check == "gap.key-actors-apart":
                srcs = set(derived[target])
                for a in subjects:
                    for t in seats[a]:
                        srcs |= derived[t]
            elif check == "gap.priority-without-lead":
                srcs = derived[subjects[0]] | derived[target]
                srcs |= {s for r in resp_for[subjects[0]] for s in resp_src[id(r)]}
            elif check == "gap.priority-without-project":
                srcs = derived[subjects[0]] | derived[target]
                for p in impl[subjects[0]]:
                    srcs |= derived[p]
            elif check == "gap.unmonitored":
                srcs = set(derived[target])
                for t in [target, *priorities_of[target]]:
                    srcs |= {s for r in resp_for[t] for s in resp_src[id(r)]}
            elif check == "gap.cross-border-one-sided":
                srcs = set(derived[target])
                for m in members[target]:
                    srcs |= derived[m]
            out.append({**f, "sources": sorted(srcs)})
        order = {name: n for n, name in enumerate(CHECK_ORDER)}
        out.sort(key=lambda f: (order[f["check"]], f["target"], f["subjects"]))
        return out

    def document(self) -> dict:
        doc = facts_document(dataset={
            "id": DATASET_ID, "title": f"Synthetic regional development data ({self.goal} triples)",
            "lang": "fi"})
        for name, entries in self.doc.items():
            if entries:
                doc[name] = entries
        return doc


CHECK_ORDER = ("overlap.responsibility", "overlap.parallel-projects", "gap.key-actors-apart",
               "gap.priority-without-lead", "gap.priority-without-project", "gap.unmonitored",
               "gap.cross-border-one-sided", "overlap.similar-projects")


def _listed(value) -> set[str]:
    if not value:
        return set()
    return {value} if isinstance(value, str) else set(value)


def generate(triples: int, seed: int = 0) -> dict:
    """A valid facts document of about ``triples`` triples, and the findings planted in it.

    Returns ``{"facts": document, "planted": {"dataset", "findings"}}``: ``document`` is
    one mapping in the facts format (``format``, ``dataset`` and the sections);
    ``planted`` is what ``regiograph check --format json`` must print, finding for
    finding. ``check``, ``subjects``, ``target`` and ``sources`` are exact;
    ``explanation`` says what was planted, in other words than the check's.
    Cost: O(triples) time and memory; about 0.1 s per 10 000 triples.

    >>> out = generate(10_000, seed=7)
    >>> out["planted"]["findings"][0]["check"]
    'overlap.responsibility'
    """
    if triples < 1:
        raise ValueError("triples must be a positive number")
    world = _World(triples, seed)
    world.world()
    world.background(0.5)
    world.plant()  # plants pick among the background so far, then the rest is filled in
    world.background(0.99)
    return {"facts": world.document(),
            "planted": {"dataset": DATASET_ID, "findings": world.expected_findings()}}


def write(folder: str | os.PathLike, triples: int, seed: int = 0,
          chunk: int = CHUNK) -> list[Path]:
    """Write a generated dataset as several YAML files plus ``planted.json`` in ``folder``.

    ``dataset.yaml`` holds the dataset block and the sources; every other section goes
    to its own files, ``chunk`` entries per file (``projects/projects-003.yaml``…).
    Files of an earlier synth run that this run does not write are removed, so the
    folder is exactly one dataset; a folder with other YAML files is refused
    (``FileExistsError``), so that no hand-written dataset is overwritten. Returns
    the paths written.

    >>> write("out/synth-10k", 10_000, seed=1)  # doctest: +SKIP
    """
    folder = Path(folder)
    if folder.is_dir() and any(folder.rglob("*.yaml")) and not (folder / "planted.json").exists():
        raise FileExistsError(f"{folder} holds YAML files that synth did not write; "
                              "choose an empty or new folder")
    out = generate(triples, seed)
    doc = out["facts"]
    written = []
    header = facts_document(dataset=doc["dataset"], sources=doc.get("sources", []))
    written.append(write_atomic(folder / "dataset.yaml", _dump(header)))
    for name in SECTIONS:
        if name == "sources" or name not in doc:
            continue
        entries = doc[name]
        chunks = [entries[i:i + chunk] for i in range(0, len(entries), chunk)]
        for n, part in enumerate(chunks, 1):
            rel = f"{name}.yaml" if len(chunks) == 1 else f"{name}/{name}-{n:03d}.yaml"
            written.append(write_atomic(folder / rel, _dump(facts_document(**{name: part}))))
    planted = json.dumps(out["planted"], indent=2, ensure_ascii=False) + "\n"
    written.append(write_atomic(folder / "planted.json", planted))
    keep = set(written)
    for old in folder.rglob("*.yaml"):
        if old not in keep:
            old.unlink()
    return written
