#!/usr/bin/env python3
"""Compare the products the command line and the viewer wrote (issue #15 parity tests).

Usage: compare_products.py CLI_DIR VIEWER_DIR [--min N] [NAME ...]
Without NAMEs, every .csv/.geojson/.gpkg in CLI_DIR, and the viewer's folder must hold the same
names. A CSV must be byte-identical and its .csv.json metadata equal; a GeoJSON's features
(geometry and properties) and "metadata" equal. The metadata key "created" (the run's own
timestamp) is left out. Exit 1 on any difference or fewer than N files compared.
"""
import json
import os
import sys


def meta_csv(p):
    m = json.load(open(p + ".json"))["metadata"]
    m.pop("created", None)
    return m


def load_geojson(p):
    d = json.load(open(p))
    m = dict(d.get("metadata", {}))
    m.pop("created", None)
    return m, d["features"]


def main(argv):
    a, b = argv[1], argv[2]
    rest = argv[3:]
    need = 1
    if rest[:1] == ["--min"]:
        need, rest = int(rest[1]), rest[2:]
    bad = []
    if rest:
        names = rest
    else:
        kinds = (".csv", ".geojson", ".gpkg")
        names = sorted(f for f in os.listdir(a) if f.endswith(kinds))
        other = sorted(f for f in os.listdir(b) if f.endswith(kinds)) if os.path.isdir(b) else []
        if names != other:
            bad.append(f"files differ: cli {names} viewer {other}")
    n = 0
    for f in names:
        pa, pb = os.path.join(a, f), os.path.join(b, f)
        if not os.path.exists(pb):
            bad.append(f"{f}: the viewer wrote none")
            continue
        if f.endswith(".csv"):
            if open(pa, "rb").read() != open(pb, "rb").read():
                bad.append(f"{f}: tables differ")
            ma, mb = meta_csv(pa), meta_csv(pb)
        elif f.endswith(".geojson"):
            (ma, ga), (mb, gb) = load_geojson(pa), load_geojson(pb)
            if ga != gb:
                bad.append(f"{f}: features differ ({len(ga)} vs {len(gb)})")
            if not ga:
                bad.append(f"{f}: no features")
        else:
            continue
        n += 1
        if not ma:
            bad.append(f"{f}: no metadata")
        for k in sorted(set(ma) | set(mb)):
            if ma.get(k) != mb.get(k):
                bad.append(f"{f}: metadata {k}: cli {ma.get(k)!r} viewer {mb.get(k)!r}")
    print(f"{os.path.basename(a)}: {n} files compared ({', '.join(names)})")
    if n < need:
        bad.append(f"only {n} files compared (expected at least {need})")
    for line in bad[:30]:
        print("  " + line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
