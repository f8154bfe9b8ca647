#!/usr/bin/env python3
"""Makes data/countries/countries.csv: the names `--country` accepts for each ISO 3166 alpha-3 code.

Source: Natural Earth 1:50m admin-0 countries (public domain, v4.0.x as of 2017; the West Africa
extract in ../shared/data/real/natural_earth, see its SOURCE.md): ISO_A3, NAME, NAME_LONG, ADMIN,
BRK_NAME, NAME_SORT, NAME_ALT, NAME_CIAWF, FORMAL_EN, FORMAL_FR. That release has no short French
name (NAME_FR came in v4.1), so the short French names and the UCDP/ACLED spellings below were added
by hand (marked in the `added` column).

Usage: python3 make_countries.py [NE_GEOJSON] > countries.csv
"""
import csv
import json
import sys

NE = sys.argv[1] if len(sys.argv) > 1 else \
    "../../../shared/data/real/natural_earth/ne_50m_admin_0_countries_wafrica.geojson"
NE_FIELDS = ["NAME", "NAME_LONG", "ADMIN", "BRK_NAME", "NAME_SORT", "NAME_ALT", "NAME_CIAWF", "FORMAL_EN", "FORMAL_FR"]

# Hand-added: short French names, and the spellings UCDP GED and ACLED use where they differ.
FRENCH = {
    "BEN": "Bénin", "BFA": "Burkina Faso", "CAF": "République centrafricaine", "CIV": "Côte d'Ivoire",
    "CMR": "Cameroun", "DZA": "Algérie", "ESP": "Espagne", "GHA": "Ghana", "GIN": "Guinée", "GMB": "Gambie",
    "GNB": "Guinée-Bissau", "GNQ": "Guinée équatoriale", "LBR": "Libéria", "LBY": "Libye", "MAR": "Maroc",
    "MLI": "Mali", "MRT": "Mauritanie", "NER": "Niger", "NGA": "Nigéria", "ESH": "Sahara occidental",
    "SEN": "Sénégal", "SLE": "Sierra Leone", "TCD": "Tchad", "TGO": "Togo",
}
OTHER = {  # UCDP GED / ACLED / common English spellings
    "CIV": ["Ivory Coast", "Cote d'Ivoire", "Côte d’Ivoire"], "GMB": ["The Gambia", "Gambia"],
    "GNB": ["Guinea Bissau"], "CAF": ["CAR", "Central African Rep."], "ESH": ["Western Sahara"],
    "LBR": ["Liberia"], "BFA": ["Upper Volta"],
}

def main():
    feats = json.load(open(NE, encoding="utf-8"))["features"]
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["iso3", "name_en", "name_fr", "names", "added"])
    for f in sorted(feats, key=lambda f: f["properties"]["ISO_A3"]):
        p = f["properties"]
        iso = p["ISO_A3"] if p["ISO_A3"] not in (None, "-99") else p["ADM0_A3"]
        names = []
        for k in NE_FIELDS:
            v = p.get(k)
            if v and v not in names:
                names.append(v)
        added = [n for n in [FRENCH.get(iso)] + OTHER.get(iso, []) if n and n not in names]
        w.writerow([iso, p["NAME"], FRENCH.get(iso, ""), "|".join(names + added), "|".join(added)])

if __name__ == "__main__":
    main()
