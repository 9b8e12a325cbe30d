# The conformance fixture is shared by several *_test.cc files.
target_sources(unit_store PRIVATE ${CMAKE_CURRENT_LIST_DIR}/store_test_support.cc)
# GCC 12 at -O3 (the Release default) reports a false -Wrestrict inside
# std::string's operator+ ("j" + std::to_string(i)); GCC bug 105329.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(unit_store PRIVATE -Wno-restrict)
endif()
