"""A generated register file in the fi-structural-funds layout (for `make bench`): ``rows``
projects by about ``rows / 8`` beneficiaries (a few spelled two ways, as real lists do),
seeded so the same arguments write the same bytes."""

from __future__ import annotations

import random
from pathlib import Path

HEADER = ("Koodi;Rahasto;Hankkeen nimi;Tl;Viranomainen;Tila;Aloituspvm;Päättymispvm;"
          "Toteuttajan nimi;Myönnetty EU- ja valtion rahoitus;Toteutunut EU- ja valtion "
          "rahoitus;Suunniteltu julkinen rahoitus yhteensä;Toteutunut julkinen rahoitus "
          "yhteensä")
PLACES = ["Kemin", "Tornion", "Oulun", "Kajaanin", "Rovaniemen", "Sodankylän", "Iin",
          "Kuusamon", "Kittilän", "Kolarin", "Sallan", "Inarin", "Raahen", "Kalajoen"]
TOPICS = ["matkailun", "teollisuuden", "osaamisen", "digitalisaation", "kylien", "energian",
          "logistiikan", "kasvun", "vientiyritysten", "biotalouden", "kaivosalan", "hoivan"]
FORMS = ["kaupunki", "kunta", "Oy", "ry", "Ab", "säätiö", "osuuskunta"]
AUTHORITIES = ["Lapin liitto", "Pohjois-Pohjanmaan liitto", "Kainuun liitto",
               "Pohjois-Pohjanmaan ELY-keskus", "Lapin ELY-keskus"]


def write(path: str | Path, rows: int, seed: int = 1) -> Path:
    """Write the register file and return its path."""
    rng = random.Random(seed)
    n_orgs = max(10, rows // 8)
    orgs = [f"{rng.choice(PLACES)} {rng.choice(TOPICS)} {rng.choice(FORMS)} {i}"
            for i in range(n_orgs)]
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(HEADER + "\n")
        for i in range(rows):
            year = rng.randint(2014, 2020)
            org = rng.choice(orgs)
            if rng.random() < 0.05:
                org = org.upper()  # the same body spelled another way
            f.write(f"A{i:07d};EAKR;{rng.choice(TOPICS).capitalize()} {rng.choice(TOPICS)} "
                    f"kehittämishanke {i};{rng.randint(1, 5)};{rng.choice(AUTHORITIES)};"
                    f"Päättynyt;1.{rng.randint(1, 12)}.{year};31.12.{year + 2};{org};"
                    f"{rng.randint(10, 900)} 000,00;;{rng.randint(10, 900)} 000,00;\n")
    return path
