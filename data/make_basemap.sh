#!/usr/bin/env bash
# Builds data/basemap/west_africa.gpkg (layers admin0, admin1) from the Natural
# Earth world_map.gpkg shipped in Debian's qgis-common package, and writes
# data/basemap/PROVENANCE.md next to it.
#
# Usage: data/make_basemap.sh
#   QGIS_WORLD_MAP=/path/to/world_map.gpkg  use an existing copy (no apt)
#   QGIS_COMMON_VERSION=...                 Debian version to fetch
#                                           (default 3.22.16+dfsg-1, bookworm)
# Needs: apt-get, dpkg, ogr2ogr/ogrinfo (gdal-bin >= 3.5 for -makevalid).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out_dir="$here/basemap"
out="$out_dir/west_africa.gpkg"
version="${QGIS_COMMON_VERSION:-3.22.16+dfsg-1}"

# Sahel states, the coastal states they border, and their neighbours.
countries=(MLI BFA NER CIV GHA TGO BEN NGA GIN SEN MRT DZA TCD LBR SLE GNB GMB CMR)
in_list="$(printf "'%s'," "${countries[@]}")"
in_list="${in_list%,}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

src="${QGIS_WORLD_MAP:-}"
pkg_desc="user-supplied file $src"
if [[ -z "$src" ]]; then
  # apt-get download runs as _apt when it can; let it write into the temp dir.
  chmod 0777 "$tmp"
  (cd "$tmp" && apt-get download -q "qgis-common=$version")
  deb="$(ls "$tmp"/qgis-common_*.deb)"
  dpkg -x "$deb" "$tmp/root"
  src="$(find "$tmp/root" -path '*/resources/data/world_map.gpkg' | head -n1)"
  [[ -n "$src" ]] || { echo "world_map.gpkg not found in $deb" >&2; exit 1; }
  pkg_desc="Debian package qgis-common $(dpkg-deb -f "$deb" Version), file /${src#"$tmp/root/"}"
fi

# Field names differ between the two source layers (countries: ISO_A3/NAME,
# states_provinces: adm0_a3/name); normalise them here so consumers never
# have to know. admin1.adm0_name is joined from countries so that both layers
# spell country names identically (states_provinces says "Ivory Coast").
# states_provinces has no adm1_code, and its fips codes are not unique within
# Burkina Faso, so no admin-1 code field is emitted.
sql_admin0="SELECT geom, ISO_A3 AS iso_a3, NAME AS name
  FROM countries WHERE ISO_A3 IN ($in_list) ORDER BY ISO_A3"
sql_admin1="SELECT s.geom, s.adm0_a3 AS iso_a3, c.NAME AS adm0_name, s.name AS name
  FROM states_provinces s JOIN countries c ON c.ISO_A3 = s.adm0_a3
  WHERE s.adm0_a3 IN ($in_list) ORDER BY s.adm0_a3, s.name"

mkdir -p "$out_dir"
rm -f "$out"
common=(-f GPKG -dialect SQLite -nlt MULTIPOLYGON -makevalid -a_srs EPSG:4326)
ogr2ogr "${common[@]}" "$out" "$src" -sql "$sql_admin0" -nln admin0 \
  -lco "DESCRIPTION=Country outlines (Natural Earth, public domain) for the nexusmap study area" \
  -mo "SOURCE=Natural Earth via $pkg_desc" -mo "LICENSE=Public domain (Natural Earth)"
ogr2ogr "${common[@]}" -update "$out" "$src" -sql "$sql_admin1" -nln admin1 \
  -lco "DESCRIPTION=First-level admin units (Natural Earth, public domain) for the nexusmap study area"

count() { ogrinfo -q -ro "$out" -sql "$1" | sed -n 's/.*= \([0-9][0-9]*\)$/\1/p' | head -n1; }

# Every country must appear in both layers, otherwise point-in-polygon
# lookups downstream silently lose events.
missing=0
for c in "${countries[@]}"; do
  for layer in admin0 admin1; do
    n="$(count "SELECT COUNT(*) AS n FROM $layer WHERE iso_a3 = '$c'")"
    if [[ "${n:-0}" -eq 0 ]]; then echo "missing $c in $layer" >&2; missing=1; fi
  done
done
[[ $missing -eq 0 ]] || exit 1

n0="$(count 'SELECT COUNT(*) AS n FROM admin0')"
n1="$(count 'SELECT COUNT(*) AS n FROM admin1')"
size="$(stat -c %s "$out")"
per_country="$(ogrinfo -q -ro "$out" -sql \
  "SELECT iso_a3, adm0_name, COUNT(*) AS n FROM admin1 GROUP BY iso_a3, adm0_name ORDER BY iso_a3" |
  awk -F' = ' '/^  iso_a3 \(/{i=$2} /^  adm0_name \(/{a=$2} /^  n \(/{printf "| %s | %s | %s |\n", i, a, $2}')"

cat >"$out_dir/PROVENANCE.md" <<EOF
# Provenance of west_africa.gpkg

- **Source:** Natural Earth (naturalearthdata.com) country and states/provinces
  boundaries, as bundled in QGIS's \`resources/data/world_map.gpkg\`
  (layers \`countries\` and \`states_provinces\`), taken from $pkg_desc.
  The attributes (\`adm0_a3\`, \`woe_name\`, \`gn_name\`, FIPS codes) are
  those of Natural Earth's 1:10m Admin-0/Admin-1 layers; QGIS ships them
  generalised (e.g. Burkina Faso has ~360 vertices; the whole world file is
  ~12 MB). The package's debian/copyright has no separate stanza for it.
- **Licence:** Natural Earth data is in the public domain. No attribution is
  required; we credit it anyway.
- **CRS:** EPSG:4326 (WGS 84, lon/lat), unchanged from the source.
- **Processing:** selection of 18 countries, attribute renaming, \`-makevalid\`.
  No simplification (the extract is only $((size / 1024)) KiB).
- **Generated:** $(date -u +%Y-%m-%d) with $(ogr2ogr --version).
- **Command:** \`data/make_basemap.sh\` (from the repository root), i.e.

\`\`\`
apt-get download qgis-common=$version && dpkg -x qgis-common_*.deb root
ogr2ogr ${common[*]} west_africa.gpkg world_map.gpkg -nln admin0 -sql "$(echo $sql_admin0)"
ogr2ogr ${common[*]} -update west_africa.gpkg world_map.gpkg -nln admin1 -sql "$(echo $sql_admin1)"
\`\`\`

## Layers

| layer | features | fields |
|---|---|---|
| admin0 | $n0 | \`iso_a3\`, \`name\` |
| admin1 | $n1 | \`iso_a3\`, \`adm0_name\`, \`name\` (admin-1 name) |

Countries (ISO 3166-1 alpha-3): ${countries[*]}.
\`admin1\` has no \`adm1_code\`: the source layer carries none, and its FIPS
codes repeat within Burkina Faso, so they would not be a key.
Admin-1 units are as in Natural Earth at packaging time (e.g. Mali has its
pre-2016 8 regions + Bamako; Ménaka and Taoudénit are not separate).

## admin1 features per country

| iso_a3 | name | admin1 features |
|---|---|---|
$per_country
EOF

echo "wrote $out ($n0 admin0, $n1 admin1 features, $size bytes)"
