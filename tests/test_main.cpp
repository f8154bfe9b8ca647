#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

const char* nexusmap_test_data_dir() { return NEXUSMAP_TEST_DATA_VALUE; }
const char* nexusmap_test_source_dir() { return NEXUSMAP_SOURCE_DIR_VALUE; }
const char* nexusmap_test_binary_dir() { return NEXUSMAP_BINARY_DIR_VALUE; }
