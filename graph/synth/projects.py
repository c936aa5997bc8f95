"""A register-like list of N projects (:func:`facts_yaml`), for the
``overlap.similar-projects`` stage of `make bench` (bench/run.py): Finnish and Swedish
names built the way registers name projects (an acronym now and then, place + topic +
kind of project), short descriptions, municipalities inside sub-regions inside regions,
periods of one to four years, and planted look-alikes (an investment twin of a
development project, phase II of a programme) for about one project in ten.
Deterministic for a seed.

>>> import json
>>> len(json.loads(facts_yaml(50))["projects"])
50
"""

from __future__ import annotations

import random

from ..base.yamlout import dump_json

PLACES = ["Kemin", "Tornion", "Keminmaan", "Simon", "Tervolan", "Ylitornion", "Rovaniemen",
          "Ranuan", "Posion", "Kittilän", "Kolarin", "Muonion", "Enontekiön", "Sodankylän",
          "Inarin", "Utsjoen", "Sallan", "Kemijärven", "Pellon", "Savukosken",
          "Pelkosenniemen", "Meri-Lapin", "Tunturi-Lapin", "Itä-Lapin", "Lapin",
          "Tornionlaakson", "Pohjois-Lapin", "Kemi-Tornion", "Haaparannan", "Oulun"]
TOPICS = ["matkailun", "koulujen", "yrityspalvelujen", "digitalisaation", "kyläkoulujen",
          "energiatehokkuuden", "kalatalouden", "poronhoidon", "luontomatkailun",
          "kulttuuriperinnön", "liikenneyhteyksien", "kaivosalan", "metsäalan",
          "elintarvikealan", "hyvinvointipalvelujen", "nuorten työllisyyden",
          "maahanmuuttajien kotoutumisen", "vesihuollon", "kiertotalouden", "tapahtumien",
          "kansainvälistymisen", "osaamisen", "vapaa-ajan palvelujen", "rajayhteistyön",
          "saamen kielen", "laajakaistan", "biotalouden", "teollisuuden", "ruokamatkailun",
          "kylien"]
KINDS = ["kehittämishanke", "esiselvitys", "koulutushanke", "pilotti", "hanke",
         "verkostohanke", "tutkimushanke", "kehittäminen"]
SV = ["Utveckling av {t} i {p}", "Gränsöverskridande {t} {p}", "Förstudie om {t} i {p}"]
SV_TOPICS = ["turism", "skolor", "företagstjänster", "digitalisering", "energieffektivitet",
             "kulturarv", "fiske", "renskötsel", "transporter", "ungdomars sysselsättning"]
SV_PLACES = ["Haparanda", "Torneådalen", "Övertorneå", "Pajala", "Kalix", "Luleå"]
VERBS = ["Kehitetään", "Selvitetään", "Parannetaan", "Kokeillaan", "Vahvistetaan"]
OBJECTS = ["alueen yritysten yhteistyötä", "palvelujen saatavuutta", "osaamista ja koulutusta",
           "kuntien yhteisiä palveluja", "verkostoja ja markkinointia",
           "investointien suunnittelua", "nuorten osallisuutta", "kansainvälistä yhteistyötä"]


SYLLABLES = ["ar", "ko", "lu", "mi", "sa", "te", "vi", "nor", "pol", "kas", "ri", "tun",
             "jo", "ki", "ta", "va", "lin", "sel", "mu", "ra"]
SUFFIXES = ["Lab", "Biz", "Net", "Hub", "Go", "Plus", "Arctic", "Boost", "", "", ""]


def _acronym(rnd: random.Random) -> str:
    word = "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 3)))
    return word.capitalize() + rnd.choice(SUFFIXES)


def facts_yaml(n: int = 3000, seed: int = 1) -> str:
    """The facts YAML of a dataset of ``n`` projects (with ids p00000…)."""
    rnd = random.Random(seed)
    regions = ["lappi", "pohjois-pohjanmaa", "norrbotten"]
    areas = [{"id": "fi", "name": "Suomi", "kind": "country", "country": "FI"},
             {"id": "se", "name": "Sverige", "kind": "country", "country": "SE"}]
    for r in regions:
        areas.append({"id": r, "name": r.title(), "kind": "region",
                      "part_of": "se" if r == "norrbotten" else "fi"})
    subs, munis = [], []
    for r in regions:
        for k in range(3):
            sid = f"{r}-sub{k}"
            subs.append(sid)
            areas.append({"id": sid, "name": f"{r.title()} {k}", "kind": "sub-region",
                          "part_of": r})
            for m in range(5):
                mid = f"{sid}-m{m}"
                munis.append(mid)
                areas.append({"id": mid, "name": f"Kunta {mid}", "kind": "municipality",
                              "part_of": sid})
    orgs = [{"id": f"org{i:03d}", "name": f"Organisaatio {i}", "kind": "development-agency"}
            for i in range(120)]
    projects = []
    while len(projects) < n:
        i = len(projects)
        if rnd.random() < 0.1:
            place = rnd.choice(SV_PLACES)
            name = rnd.choice(SV).format(t=rnd.choice(SV_TOPICS), p=place)
            desc = f"Projektet utvecklar {rnd.choice(SV_TOPICS)} tillsammans med kommunerna."
        else:
            place, topic = rnd.choice(PLACES), rnd.choice(TOPICS)
            name = f"{place} {topic} {rnd.choice(KINDS)}"
            if rnd.random() < 0.6:  # registers name many projects by an acronym
                name = f"{_acronym(rnd)} – {name}"
            desc = (f"{rnd.choice(VERBS)} {place.lower()} {topic} {rnd.choice(OBJECTS)}; "
                    f"{rnd.choice(VERBS).lower()} {rnd.choice(OBJECTS)} "
                    f"({rnd.choice(TOPICS)}, {rnd.choice(TOPICS)}).")
        level = rnd.random()
        if level < 0.1:
            where = [rnd.choice(regions)]
        elif level < 0.3:
            where = [rnd.choice(subs)]
        else:
            where = rnd.sample(munis, rnd.randint(1, 3))
        start = rnd.randint(2007, 2024)
        end = start + rnd.randint(0, 3)
        p = {"id": f"p{i:05d}", "name": name, "description": desc, "status": "running",
             "areas": where, "period": {"from": start, "to": end},
             "administrator": rnd.choice(orgs)["id"], "source": "register"}
        projects.append(p)
        if rnd.random() < 0.1 and len(projects) < n:  # a planted look-alike
            twin = dict(p, id=f"p{len(projects):05d}")
            if rnd.random() < 0.5:
                twin["name"] = name + ", investoinnit"
                twin["description"] = "Investoinnit: " + desc
            else:
                twin["name"] = name + ", vaihe II"
                twin["period"] = {"from": end, "to": end + 2}  # begins as phase I ends
            projects.append(twin)
    data = {"format": 1,
            "dataset": {"id": "similar-bench", "title": "Similar projects bench", "lang": "fi"},
            "sources": [{"id": "register", "title": "Project register"}],
            "areas": areas, "organisations": orgs, "projects": projects}
    return dump_json(data).rstrip("\n")
