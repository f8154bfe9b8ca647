# Small, well-kept Debian -dev packages (see scripts/install-deps.sh for why each one).
find_package(Threads REQUIRED)
find_package(nlohmann_json REQUIRED CONFIG)
find_package(CLI11 REQUIRED CONFIG)
find_package(PkgConfig REQUIRED)
pkg_check_modules(FFTW3 REQUIRED IMPORTED_TARGET fftw3)
# Static maps and charts (PNG, PDF, SVG) for `nexusmap map` / `nexusmap chart`.
pkg_check_modules(CAIRO REQUIRED IMPORTED_TARGET cairo)
find_package(PNG REQUIRED)
# giflib (animated GIF time-lapses) ships no .pc file on Debian 12: find its header and library.
find_path(GIF_INCLUDE_DIR gif_lib.h REQUIRED)
find_library(GIF_LIBRARY gif REQUIRED)
if(NEXUSMAP_BUILD_TESTS)
  find_package(doctest REQUIRED CONFIG)
endif()
if(NEXUSMAP_BUILD_VIEWER)
  find_package(glfw3 REQUIRED CONFIG)
  find_package(OpenGL REQUIRED COMPONENTS OpenGL)
  # libimgui-dev ships one static library with the GLFW and OpenGL3 backends inside.
  find_path(IMGUI_INCLUDE_DIR imgui.h PATH_SUFFIXES imgui REQUIRED)
  find_library(IMGUI_LIBRARY imgui REQUIRED)
  # imgui.pc says "Requires: stb": the font atlas uses libstb-dev's stb_truetype/stb_rect_pack.
  find_library(STB_LIBRARY stb REQUIRED)
  add_library(imgui::imgui UNKNOWN IMPORTED)
  set_target_properties(imgui::imgui PROPERTIES IMPORTED_LOCATION ${IMGUI_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES "${IMGUI_INCLUDE_DIR};${IMGUI_INCLUDE_DIR}/backends")
  target_link_libraries(imgui::imgui INTERFACE ${STB_LIBRARY} glfw OpenGL::OpenGL ${CMAKE_DL_LIBS})
endif()
