#pragma once
// The checkout's paths, defined once in test_main.cpp (see tests/CMakeLists.txt).
const char* nexusmap_test_data_dir();
const char* nexusmap_test_source_dir();
const char* nexusmap_test_binary_dir();
#define NEXUSMAP_TEST_DATA nexusmap_test_data_dir()
#define NEXUSMAP_SOURCE_DIR nexusmap_test_source_dir()
#define NEXUSMAP_BINARY_DIR nexusmap_test_binary_dir()
