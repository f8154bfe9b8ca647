#!/usr/bin/env python3
"""Regenerates tests/data/bad/ (the bad-input corpus). Needs ogr2ogr and gdal_translate (gdal-bin).
The committed files are what the tests use; this script documents how each was made.
Run from the repository root: python3 tests/fuzz/make_bad_corpus.py"""
import os, random, shutil, subprocess, tempfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "bad")
OUT = os.path.normpath(OUT)
os.makedirs(OUT, exist_ok=True)
rng = random.Random(8)  # issue #8: deterministic bytes

def w(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)

ACLED_HDR = "event_date,latitude,longitude,fatalities,event_type,country,admin1\n"
def acled_rows(n, lat0=13.5, lon0=-2.0):
    r = random.Random(n)
    return "".join(f"2021-0{1 + i % 9}-1{i % 10},{lat0 + r.uniform(-1, 1):.4f},{lon0 + r.uniform(-1, 1):.4f},{i % 4},Battles,Burkina Faso,Centre-Nord\n"
                   for i in range(n))

# ---- event CSVs ------------------------------------------------------------------------
w("empty.csv", b"")
w("whitespace_only.csv", " \n\n\t \r\n")
w("comment_only.csv", "# synthetic: true\n# generator: nothing\n")
w("header_only.csv", ACLED_HDR)
w("binary_garbage.csv", bytes(rng.randrange(256) for _ in range(4096)))
w("utf16le_bom.csv", ("\ufeff" + ACLED_HDR + acled_rows(3)).encode("utf-16-le"))
w("no_coordinate_columns.csv", "a,b,c\n1,2,3\n4,5,6\n")
w("only_delimiters.csv", ",,,,\n,,,,\n")
w("bom_crlf.csv", ("\ufeff" + ACLED_HDR + acled_rows(5)).replace("\n", "\r\n"))
w("lone_cr.csv", (ACLED_HDR + acled_rows(4)).replace("\n", "\r"))
w("quoted_newlines.csv", ACLED_HDR.replace("admin1", "notes") +
  '2021-01-01,13.1,-1.5,1,Battles,Mali,"line one\nline two"\n'
  '2021-01-02,13.2,-1.6,0,"Riots","Mali","he said ""hi""\r\nand left"\n'
  '2021-01-03,13.3,-1.7,2,Battles,Mali,plain\n')
w("ragged_rows.csv", ACLED_HDR +
  "2021-01-01,13.1,-1.5,1,Battles,Mali,Mopti\n"
  "2021-01-02,13.2,-1.6\n"                                   # short
  "2021-01-03,13.3,-1.7,2,Battles,Mali,Mopti,extra,fields\n"  # long
  "2021-01-04,13.4,-1.8,0,Battles,Mali,Mopti\n")
w("duplicate_headers.csv", "latitude,longitude,event_date,latitude,event_date\n"
  "13.1,-1.5,2021-01-01,99,not a date\n13.2,-1.6,2021-01-02,99,x\n")
w("mixed_date_formats.csv", "latitude,longitude,event_date\n"
  "13.1,-1.5,2021-03-12\n"          # ISO
  "13.1,-1.5,12 March 2021\n"       # day month-name year
  "13.1,-1.5,\"March 12, 2021\"\n"  # month-name day, year
  "13.1,-1.5,12-Mar-2021\n"
  "13.1,-1.5,12/03/2021\n"          # ambiguous: day first by default
  "13.1,-1.5,03/15/2021\n"          # unambiguous month first
  "13.1,-1.5,2021/03/12 10:15\n"
  "13.1,-1.5,20210312\n"
  "13.1,-1.5,2021-03\n"
  "13.1,-1.5,2021-02-30\n"          # no such day
  "13.1,-1.5,12/03/21\n"            # two-digit year: refused
  "13.1,-1.5,yesterday\n"
  "13.1,-1.5,\n"                    # missing
  "13.1,-1.5,99999999999999-01-01\n")
w("nan_inf_coordinates.csv", "latitude,longitude,event_date\n"
  "nan,-1.5,2021-01-01\n13.1,inf,2021-01-01\n-inf,-1.5,2021-01-01\n13.1,NaN,2021-01-01\n"
  "1e400,-1.5,2021-01-01\n13.1,-1.5,2021-01-01\n")
w("huge_coordinates.csv", "latitude,longitude,event_date\n"
  "1e300,-1.5,2021-01-01\n13.1,1e300,2021-01-01\n90.0001,0,2021-01-01\n13.1,-180.5,2021-01-01\n"
  "-90,180,2021-01-01\n13.1,-1.5,2021-01-01\n")
w("null_island.csv", "latitude,longitude\n0,0\n0.0,0.0\n13.1,-1.5\n")
swapped = "latitude,longitude,event_date\n" + "".join(
    f"{13 + (i % 7) * 0.1:.2f},{-1.5 + (i % 5) * 0.1:.2f},2021-01-{1 + i % 28:02d}\n" for i in range(30))
swapped += "-1.40,13.20,2021-02-01\n-1.30,13.40,2021-02-02\n"   # lon in the lat column
swapped += "95.0,13.0,2021-02-03\n"                                # |lat| > 90: reported as swapped
w("swapped_latlon.csv", swapped)
w("unterminated_quote.csv", "latitude,longitude,notes\n13.1,-1.5,ok\n13.2,-1.6,\"never closed\n13.3,-1.7,lost\n")
# Issue #19: dates that used to be accepted wrongly (two-digit years as 20xx; a sign, a bad time or
# trailing text ignored).
w("two_digit_years.csv", "latitude,longitude,event_date\n13.1,-1.5,15-Jan-98\n13.1,-1.5,12/03/21\n13.1,-1.5,12-Mar-21\n13.1,-1.5,2021-03-12\n")
w("dates_with_bad_suffixes.csv", "latitude,longitude,event_date\n13.1,-1.5,-2020-01-01\n13.1,-1.5,2020-01-01T25:61\n"
  "13.1,-1.5,2020-01-01 garbage\n13.1,-1.5,2020-01-01T\n13.1,-1.5,2020-01-01T10:15:00Z\n13.1,-1.5,2020-01-01 00:00:00.000\n")
w("non_utf8_attributes.csv", b"latitude,longitude,event_date,admin1,actor1\n"
  b"13.1,-1.5,2021-01-01,S\xe9gou,Groupe arm\xe9\n"        # Latin-1
  b"13.2,-1.6,2021-01-02,\xff\xfe\xc3\x28,\xed\xa0\x80\n")  # invalid UTF-8 sequences
w("semicolon_decimal_comma.csv", "latitude;longitude;event_date;fatalities\n13,1;-1,5;2021-01-01;2\n13,2;-1,6;2021-01-02;1,5\n")
w("tab_delimited.tsv", "latitude\tlongitude\tevent_date\n13.1\t-1.5\t2021-01-01\n13.2\t-1.6\t2021-01-02\n")
w("year_month_day_nan.csv", "latitude,longitude,year,month,day\n"
  "13.1,-1.5,nan,3,12\n13.1,-1.5,2021,nan,12\n13.1,-1.5,2021,3,nan\n13.1,-1.5,inf,3,12\n13.1,-1.5,2021,3,12\n")
w("huge_fatalities.csv", "latitude,longitude,event_date,fatalities\n"
  "13.1,-1.5,2021-01-01,1e300\n13.2,-1.6,2021-01-02,-3\n13.3,-1.7,2021-01-03,nan\n13.4,-1.8,2021-01-04,7\n")
w("wkt_points.csv", "geom_wkt,event_date\n\"POINT (-1.5 13.1)\",2021-01-01\n\"POINT (nan 13)\",2021-01-02\n"
  "\"LINESTRING (0 0, 1 1)\",2021-01-03\nPOINT(,2021-01-04\n\"POINT (-1.6 13.2)\",2021-01-05\n")
w("ucdp_bad_codes.csv", "id,date_start,latitude,longitude,best,type_of_violence,where_prec,country\n"
  "1,2021-01-01,13.1,-1.5,3,1,1,Mali\n2,2021-01-02,13.2,-1.6,x,2,1,Mali\n3,2021-01-03,13.3,-1.7,2,9,300,Mali\n")
w("control_chars.csv", "latitude,longitude,event_date\n13.1,-1.5,2021-01-01\x07\n13.2,-1.6\x01,2021-01-02\n13.3,-1.7,2021-01-03\n")
# the 1 MB single-line file is generated by the test itself (not committed)

# ---- GeoJSON ---------------------------------------------------------------------------
FC = '{"type":"FeatureCollection","features":[%s]}'
def feat(geom, props='{}'):
    return '{"type":"Feature","properties":%s,"geometry":%s}' % (props, geom)
w("truncated.geojson", FC % (feat('{"type":"Point","coordinates":[1,2]}') + ",") [:70])
w("invalid_json.geojson", '{"type":"FeatureCollection","features":[{,,}]}')
w("not_geojson_array.geojson", "[1, 2, 3]\n")
w("empty_feature_collection.geojson", FC % "")
w("null_geometries.geojson", FC % ",".join([feat("null", '{"id":1}'), feat("null", '{"id":2}')]))
# Issue #19: null/empty geometries among points are counted and reported by feature id (FID).
w("points_null_geometry.geojson", """{"type":"FeatureCollection","features":[
{"type":"Feature","id":10,"properties":{"event_date":"2021-03-12","fatalities":1},"geometry":{"type":"Point","coordinates":[-1.5,13.1]}},
{"type":"Feature","id":11,"properties":{"event_date":"2021-03-13","fatalities":2},"geometry":null},
{"type":"Feature","id":12,"properties":{"event_date":"2021-03-14","fatalities":3},"geometry":{"type":"Point","coordinates":[-1.6,13.2]}},
{"type":"Feature","id":13,"properties":{"event_date":"2021-13-45","fatalities":4},"geometry":{"type":"Point","coordinates":[-1.7,13.3]}},
{"type":"Feature","id":14,"properties":{"event_date":"2021-03-16","fatalities":5},"geometry":{"type":"Point","coordinates":[]}}
]}
""")
w("infinite_coordinates.geojson", FC % ",".join([
    feat('{"type":"Point","coordinates":[1e999,2]}', '{"id":1}'),
    feat('{"type":"Point","coordinates":[-1.5,13.1]}', '{"id":2}')]))
w("huge_coordinates.geojson", FC % ",".join([
    feat('{"type":"Point","coordinates":[1e20,2]}', '{"id":1}'),
    feat('{"type":"Point","coordinates":[-1.5,13.1]}', '{"id":2}'),
    feat('{"type":"Point","coordinates":[-1.6,13.2]}', '{"id":3}')]))
w("mixed_geometry_types.geojson", FC % ",".join([
    feat('{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}', '{"id":1}'),
    feat('{"type":"Polygon","coordinates":[[[2,0],[3,0],[3,1],[2,1],[2,0]]]}', '{"id":2}'),
    feat('{"type":"Point","coordinates":[5,5]}', '{"id":3}'),
    feat('{"type":"LineString","coordinates":[[0,0],[1,1]]}', '{"id":4}'),
    feat('{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,1]},'
         '{"type":"Polygon","coordinates":[[[4,0],[5,0],[5,1],[4,0]]]}]}', '{"id":5}')]))
w("self_intersecting_polygon.geojson", FC % ",".join([
    feat('{"type":"Polygon","coordinates":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}', '{"name":"bowtie"}'),
    feat('{"type":"Polygon","coordinates":[[[3,0],[4,0],[4,1],[3,1],[3,0]]]}', '{"name":"square"}')]))
w("unclosed_polygon.geojson", FC % ",".join([
    feat('{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}', '{"name":"open"}'),
    feat('{"type":"Polygon","coordinates":[[[3,0],[4,0],[4,1],[3,1],[3,0]]]}', '{"name":"square"}')]))
w("degenerate_polygon.geojson", FC % ",".join([
    feat('{"type":"Polygon","coordinates":[[[0,0],[1,1],[0,0]]]}', '{"name":"sliver"}'),
    feat('{"type":"Polygon","coordinates":[[[0,0],[1,1],[2,2],[0,0]]]}', '{"name":"collinear"}'),
    feat('{"type":"Polygon","coordinates":[[[3,0],[4,0],[4,1],[3,1],[3,0]]]}', '{"name":"square"}')]))
w("non_utf8_properties.geojson", (FC % feat('{"type":"Point","coordinates":[-1.5,13.1]}', '{"admin1":"S@gou"}')).encode().replace(b"@", b"\xe9"))
w("unknown_crs.geojson", '{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::999999"}},'
  '"features":[' + feat('{"type":"Point","coordinates":[500000,1500000]}') + ']}')
w("deep_nesting.geojson", '{"type":"FeatureCollection","features":[' + feat('{"type":"Point","coordinates":' + "[" * 20000 + "]" * 20000 + '}') + "]}")
w("swapped_points.geojson", FC % ",".join(
    [feat('{"type":"Point","coordinates":[%.2f,%.2f]}' % (-1.5 + (i % 5) * 0.1, 13 + (i % 7) * 0.1), '{"event_date":"2021-01-%02d"}' % (1 + i))
     for i in range(20)] + [feat('{"type":"Point","coordinates":[13.2,-1.4]}', '{"event_date":"2021-02-01"}')]))
w("lines_as_events.geojson", FC % feat('{"type":"LineString","coordinates":[[0,0],[1,1]]}'))
w("binary_garbage.geojson", bytes(rng.randrange(256) for _ in range(2048)))
w("zero_byte.geojson", b"")

# ---- other vector formats ---------------------------------------------------------------
w("zero_byte.gpkg", b"")
w("garbage.gpkg", b"SQLite format 3\x00" + bytes(rng.randrange(256) for _ in range(2032)))
w("malformed.kml", '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><Point><coordinates>1,2')
w("empty.kml", '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document></Document></kml>')

tmp = tempfile.mkdtemp()
def run(*a):
    subprocess.run(a, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
def shp_from_csv(name, rows, prj=None):
    src = os.path.join(tmp, name + ".csv")
    with open(src, "w") as f:
        f.write("id,x,y\n" + "".join(f"{i},{x},{y}\n" for i, (x, y) in enumerate(rows)))
    args = ["ogr2ogr", "-f", "ESRI Shapefile", os.path.join(tmp, name + ".shp"), src,
            "-oo", "X_POSSIBLE_NAMES=x", "-oo", "Y_POSSIBLE_NAMES=y", "-nln", name]
    if prj: args += ["-a_srs", prj]
    run(*args)
    for ext in ("shp", "shx", "dbf", "prj"):
        p = os.path.join(tmp, f"{name}.{ext}")
        if os.path.exists(p): shutil.copy(p, os.path.join(OUT, f"{name}.{ext}"))
# UTM 30N metres without a .prj: the CRS cannot be guessed
shp_from_csv("noprj_projected", [(500000 + 1000 * i, 1500000 + 500 * i) for i in range(5)])
# lon/lat without a .prj: assumed EPSG:4326 with a warning
shp_from_csv("noprj_lonlat", [(-1.5 + 0.1 * i, 13 + 0.1 * i) for i in range(5)])
# a .prj that is not a CRS
shp_from_csv("garbage_prj", [(-1.5, 13.1), (-1.6, 13.2)])
w("garbage_prj.prj", "PROJCS[\"broken\", this is not WKT at all\n")
# a .shp cut in the middle of its records
shp_from_csv("truncated_shp", [(-1.5 + 0.1 * i, 13 + 0.1 * i) for i in range(20)])
with open(os.path.join(OUT, "truncated_shp.shp"), "r+b") as f:
    f.truncate(150)

# ---- rasters ----------------------------------------------------------------------------
def tif(name, vrt_or_asc, ext=".asc", *extra):
    src = os.path.join(tmp, name + ext)
    with open(src, "w") as f: f.write(vrt_or_asc)
    run("gdal_translate", "-q", "-of", "GTiff", *extra, src, os.path.join(OUT, name + ".tif"))
ASC = "ncols 4\nnrows 3\nxllcorner 0\nyllcorner 0\ncellsize 1\nNODATA_value -9999\n1 2 3 4\n5 6 -9999 8\n9 10 11 12\n"
tif("good_small", ASC)  # control: reads fine
with open(os.path.join(OUT, "good_small.tif"), "rb") as f: good = f.read()
w("truncated.tif", good[: len(good) // 2])
w("garbage.tif", b"II*\x00" + bytes(rng.randrange(256) for _ in range(1020)))
vrt = lambda gt, w_=4, h=3: (f'<VRTDataset rasterXSize="{w_}" rasterYSize="{h}"><GeoTransform>{gt}</GeoTransform>'
       '<VRTRasterBand dataType="Float32" band="1"><SimpleSource><SourceFilename relativeToVRT="0">' +
       os.path.join(OUT, "good_small.tif") + '</SourceFilename><SourceBand>1</SourceBand></SimpleSource></VRTRasterBand></VRTDataset>')
tif("rotated.tif".replace(".tif", ""), vrt("0, 1, 0.2, 3, 0.1, -1"), ".vrt")
tif("rectangular_cells", vrt("0, 1, 0, 3, 0, -2"), ".vrt")
tif("no_geotransform", '<VRTDataset rasterXSize="4" rasterYSize="3"><VRTRasterBand dataType="Float32" band="1"><SimpleSource>'
    '<SourceFilename relativeToVRT="0">' + os.path.join(OUT, "good_small.tif") + '</SourceFilename><SourceBand>1</SourceBand></SimpleSource></VRTRasterBand></VRTDataset>', ".vrt")
# 100000 x 100000 float32 (40 GB if read) in a few KB: sparse, huge tiles
run("gdal_create", "-q", "-of", "GTiff", "-outsize", "100000", "100000", "-bands", "1", "-ot", "Float32",
    "-a_ullr", "0", "100000", "100000", "0", "-co", "SPARSE_OK=YES", "-co", "TILED=YES",
    "-co", "BLOCKXSIZE=8192", "-co", "BLOCKYSIZE=8192", os.path.join(OUT, "huge_dimensions.tif"))
# issue #19: 1e-5 cells at 1e20, an extent below its coordinates' precision (UB/leak in map once)
tif("huge_geotransform", vrt("1e20, 1e-5, 0, 1e20, 0, -1e-5"), ".vrt")
# issue #19: 30000 x 30000 float32 (3.35 GiB if read) in a few hundred bytes: the memory budget
run("gdal_create", "-q", "-of", "GTiff", "-outsize", "30000", "30000", "-bands", "1", "-ot", "Float32",
    "-a_srs", "EPSG:3857", "-a_ullr", "0", "30000000", "30000000", "0", "-co", "SPARSE_OK=TRUE",
    "-co", "BLOCKYSIZE=30000", os.path.join(OUT, "sparse_30000x30000.tif"))
# issue #19: a VRT naming a local file beside it; the VRT driver is not registered, so refused
w("vrt_of_local_tif.vrt", '<VRTDataset rasterXSize="4" rasterYSize="3"><GeoTransform>0, 1, 0, 3, 0, -1</GeoTransform>'
  '<VRTRasterBand dataType="Int32" band="1"><SimpleSource><SourceFilename relativeToVRT="1">good_small.tif'
  '</SourceFilename><SourceBand>1</SourceBand></SimpleSource></VRTRasterBand></VRTDataset>\n')
shutil.rmtree(tmp)
for f in ("good_small.tif.aux.xml",):
    p = os.path.join(OUT, f)
    if os.path.exists(p): os.remove(p)
print("corpus in", OUT, ":", len(os.listdir(OUT)), "files")
