# GDAL >= 3.5 ships a CMake package config (GDAL::GDAL); fall back to CMake's FindGDAL.
find_package(GDAL CONFIG QUIET)
if(NOT TARGET GDAL::GDAL)
  find_package(GDAL REQUIRED)
endif()
