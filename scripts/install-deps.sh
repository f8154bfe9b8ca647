#!/usr/bin/env bash
# Installs every Debian package nexusmap needs to build, test and run. Idempotent.
# Why each extra package:
#   nlohmann-json3-dev  project files and GeoJSON metadata (a tested JSON parser beats a hand-written one)
#   libcli11-dev        subcommand/flag parsing with --help generated from one declaration
#   libfftw3-dev        the fast kernel-density path (FFT convolution of binned points)
#   libpng-dev          PNG screenshots and map images without a display
#   xvfb, xauth, libgl1-mesa-dri, mesa-utils  the viewer's screenshot tests under Mesa llvmpipe
#   clang, libclang-rt-14-dev  libFuzzer targets (scripts/fuzz.sh)
#   libcairo2-dev, fonts-dejavu-core  print maps and charts (PNG/PDF/SVG) without a display
#   poppler-utils, libxml2-utils      tests: pdfinfo page counts, xmllint on .qml/.svg
#   libgif-dev                        animated GIF time-lapses (`nexusmap animate`; giflib, one shared palette)
#   python3                           tests: writing fixtures and checking CSV/JSON arithmetic (gdal-bin pulls it in too)
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
  build-essential cmake ninja-build pkg-config git \
  libgdal-dev gdal-bin libproj-dev proj-bin libgeos-dev \
  libimgui-dev libstb-dev libglfw3-dev libgl-dev libgl1-mesa-dri libglx-mesa0 mesa-utils \
  doctest-dev nlohmann-json3-dev libcli11-dev libfftw3-dev libpng-dev \
  xvfb xauth \
  clang libclang-rt-14-dev \
  libcairo2-dev fonts-dejavu-core poppler-utils libxml2-utils python3 libgif-dev
