find_package(GEOS REQUIRED CONFIG)  # GEOS::geos_c (we use the reentrant C API only)
