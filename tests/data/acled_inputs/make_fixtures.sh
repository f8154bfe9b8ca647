#!/bin/sh
# Regenerates the ACLED-shaped input fixtures from acled_clean.csv (hand-made, 7 invented rows in
# ACLED's export layout; not real events). Needs gdal-bin and python3.
set -e
cd "$(dirname "$0")"
rm -f acled_clean.xlsx acled_truncated.*
# ACLED's spreadsheet export: one sheet, header row, typed cells.
ogr2ogr -f XLSX -oo AUTODETECT_TYPE=YES -nln acled acled_clean.xlsx acled_clean.csv
# A Shapefile made from the export: dBase cuts geo_precision to geo_precis, time_precision to
# time_preci, sub_event_type to sub_event_.
ogr2ogr -f "ESRI Shapefile" -oo X_POSSIBLE_NAMES=longitude -oo Y_POSSIBLE_NAMES=latitude -oo AUTODETECT_TYPE=YES \
    -a_srs EPSG:4326 acled_truncated.shp acled_clean.csv 2>/dev/null
# ACLED's API answer: {"status":200,"success":true,"count":N,"data":[{...}]} with every value a string.
python3 - <<'PY'
import csv, json
rows = list(csv.DictReader(open("acled_clean.csv", encoding="utf-8")))
json.dump({"status": 200, "success": True, "last_update": 0, "count": len(rows), "data": rows},
          open("acled_api.json", "w", encoding="utf-8"), ensure_ascii=False, indent=1)
PY
