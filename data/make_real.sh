#!/usr/bin/env bash
# Bundles the real data sets from ../shared/data/real (or $NEXUSMAP_REAL_SRC) into the repository:
#   data/real/ucdp_ged241_uemoa6.csv   UCDP GED 24.1 events, long source-text columns dropped
#   data/real/afripop2020_20km.tif     WorldPop 2020 population (~18.5 km cells), provenance tags added
#   data/basemap/west_africa.gpkg      + layer admin2 (OCHA COD-AB, P-codes, rough 2020 population);
#                                      per-layer SOURCE/LICENSE/ATTRIBUTION metadata on every layer
# Run data/make_basemap.sh first when rebuilding the basemap from scratch (it recreates the gpkg).
# Needs: python3 (stdlib only), ogr2ogr, gdal_translate.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="${NEXUSMAP_REAL_SRC:-$here/../../shared/data/real}"
[[ -d "$src" ]] || src="$here/../shared/data/real"
[[ -d "$src/ucdp_ged_241_uemoa6" ]] || { echo "no real data under $src (set NEXUSMAP_REAL_SRC)" >&2; exit 1; }
out="$here/real"
gpkg="$here/basemap/west_africa.gpkg"
mkdir -p "$out"

# 1. UCDP GED events: every column except the long source texts and the redundant WKT.
python3 - "$src/ucdp_ged_241_uemoa6/ged241_uemoa6_1989_2023.csv" "$out/ucdp_ged241_uemoa6.csv" <<'EOF'
import csv, sys
drop = {"source_article", "source_office", "source_date", "source_headline", "source_original",
        "where_description", "geom_wkt"}
with open(sys.argv[1], newline="", encoding="utf-8") as f, open(sys.argv[2], "w", newline="", encoding="utf-8") as o:
    r = csv.reader(f)
    hdr = next(r)
    keep = [i for i, h in enumerate(hdr) if h not in drop]
    w = csv.writer(o, lineterminator="\n")
    w.writerow([hdr[i] for i in keep])
    n = 0
    for row in r:
        if len(row) != len(hdr):
            sys.exit(f"{sys.argv[1]}: row {n + 2} has {len(row)} fields, header {len(hdr)}")
        w.writerow([row[i] for i in keep])
        n += 1
print(f"events: {n} rows, {len(keep)} of {len(hdr)} columns")
EOF

# 2. Population grid (2020 only; 2000 is in ../shared for change studies).
gdal_translate -q -co COMPRESS=LZW \
  -mo "SOURCE=WorldPop 2020 1 km people per pixel, aggregated to 1/6 degree by afrimapr/afrilearndata (mean of 20x20 pixels, ~persons per km2)" \
  -mo "LICENSE=CC BY 4.0" \
  -mo "ATTRIBUTION=WorldPop (www.worldpop.org), School of Geography and Environmental Science, University of Southampton" \
  -mo "UNITS=persons per km2 (approx.)" \
  "$src/worldpop_afripop_20km/afripop2020.tif" "$out/afripop2020_20km.tif"

# 3. admin2 layer in the basemap (replaced if present).
ogr2ogr -f GPKG -update -overwrite -nlt MULTIPOLYGON -makevalid -a_srs EPSG:4326 "$gpkg" \
  "$src/admin2_cod_7countries/adm2_7countries_cod_simplified.geojson" -nln admin2 \
  -sql "SELECT iso3 AS iso_a3, adm1_name, adm1_pcode, adm2_name AS name, adm2_pcode, valid_on, area_km2,
        CAST(pop2020_afripop20km_est AS INTEGER) AS pop2020_est, CAST(n_cells AS INTEGER) AS pop_n_cells
        FROM adm2_7countries_cod_simplified ORDER BY iso3, adm2_pcode" \
  -lco "DESCRIPTION=Admin-2 units with P-codes (OCHA COD-AB, CC BY-IGO 3.0) for BEN BFA CIV GHA MLI NER TGO; pop2020_est is approximate"

# 3b. Populated places for map labels (Natural Earth 10m, public domain; a separate file so the
#     basemap's layers stay as they are).
rm -f "$(dirname "$gpkg")/places_west_africa.geojson"
ogr2ogr -f GeoJSON -lco COORDINATE_PRECISION=5 -lco RFC7946=YES "$(dirname "$gpkg")/places_west_africa.geojson" \
  "$src/natural_earth/ne_10m_populated_places_wafrica.geojson" -nln places \
  -sql "SELECT NAME AS name, FEATURECLA AS featurecla, CAST(SCALERANK AS INTEGER) AS scalerank, ADM0_A3 AS adm0_a3,
        ADM1NAME AS adm1name, CAST(POP_MAX AS INTEGER) AS pop_max FROM ne_10m_populated_places
        ORDER BY SCALERANK, POP_MAX DESC"

# 4. Per-layer provenance (GDAL layer metadata: table-scoped rows in gpkg_metadata).
python3 - "$gpkg" <<'EOF'
import sqlite3, sys
from xml.sax.saxutils import escape
ne = {"SOURCE": "Natural Earth (naturalearthdata.com), via QGIS world_map.gpkg",
      "LICENSE": "Public domain", "ATTRIBUTION": "Natural Earth"}
layers = {
    "admin0": ne, "admin1": ne,
    "admin2": {"SOURCE": "OCHA Common Operational Datasets - Administrative Boundaries (COD-AB) adm2, vintages 2015-2021 "
                         "(NER 2015, BFA/CIV 2018, BEN/TGO 2019, GHA/MLI 2021), simplified ~500 m",
               "LICENSE": "CC BY-IGO 3.0 (HDX COD-AB; check each country's terms before publishing)",
               "ATTRIBUTION": "OCHA / national statistics and geographic institutes (COD-AB); population: WorldPop 2020",
               "POPULATION_NOTE": "pop2020_est is approximate: WorldPop 2020 on a ~18.5 km grid summed by cell centre; "
                                  "national totals off by 10-20 %, more for small units"},
}
c = sqlite3.connect(sys.argv[1])
for t, md in layers.items():
    old = [r[0] for r in c.execute("SELECT md_file_id FROM gpkg_metadata_reference WHERE reference_scope='table' AND table_name=?", (t,))]
    for i in old:
        c.execute("DELETE FROM gpkg_metadata_reference WHERE md_file_id=?", (i,))
        c.execute("DELETE FROM gpkg_metadata WHERE id=?", (i,))
    xml = "<GDALMultiDomainMetadata>\n  <Metadata>\n" + "".join(
        f'    <MDI key="{k}">{escape(v)}</MDI>\n' for k, v in md.items()) + "  </Metadata>\n</GDALMultiDomainMetadata>\n"
    cur = c.execute("INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) VALUES ('dataset','http://gdal.org','text/xml',?)", (xml,))
    c.execute("INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, row_id_value, timestamp, md_file_id, md_parent_id) "
              "VALUES ('table', ?, NULL, NULL, strftime('%Y-%m-%dT%H:%M:%fZ','now'), ?, NULL)", (t, cur.lastrowid))
c.commit()
c.execute("VACUUM")
c.close()
EOF

n2="$(ogrinfo -q -ro "$gpkg" -sql 'SELECT COUNT(*) AS n FROM admin2' | sed -n 's/.*= \([0-9][0-9]*\)$/\1/p' | head -n1)"
[[ "$n2" -eq 643 ]] || { echo "admin2 has $n2 features, expected 643" >&2; exit 1; }
ls -l "$out" "$gpkg"
