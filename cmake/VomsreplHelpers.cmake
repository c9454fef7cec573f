# Common compile options for every vomsrepl target.
add_library(vomsrepl_options INTERFACE)
target_compile_options(vomsrepl_options INTERFACE -Wall -Wextra -Wno-unused-parameter)
# GCC 12 at -O3 reports false -Wrestrict on ordinary std::string concatenation
# (GCC bug 105651); the other warnings stay errors in CI.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(vomsrepl_options INTERFACE -Wno-restrict)
endif()
if(VOMSREPL_WERROR)
  target_compile_options(vomsrepl_options INTERFACE -Werror)
endif()
if(VOMSREPL_SANITIZE)
  target_compile_options(vomsrepl_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(vomsrepl_options INTERFACE -fsanitize=address,undefined)
endif()
if(VOMSREPL_BUILD_FUZZ)
  # Every library is instrumented for libFuzzer's coverage and checked by
  # ASan + UBSan (UB aborts, so the fuzzer reports it); the fuzz targets in
  # tests/fuzz add -fsanitize=fuzzer to link libFuzzer's main.
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "VOMSREPL_BUILD_FUZZ needs clang: -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  target_compile_options(vomsrepl_options INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(vomsrepl_options INTERFACE -fsanitize=address,undefined)
endif()
target_include_directories(vomsrepl_options INTERFACE
  ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src)

# vomsrepl_add_module(name SOURCES ... DEPS ...): one static library per module.
function(vomsrepl_add_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS" ${ARGN})
  add_library(vomsrepl_${name} STATIC ${M_SOURCES})
  target_link_libraries(vomsrepl_${name} PUBLIC vomsrepl_options ${M_DEPS})
endfunction()

# vomsrepl_add_test(name SOURCES ... DEPS ... [LABELS ...]): a GoogleTest program.
function(vomsrepl_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE vomsrepl_options ${T_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    VOMSREPL_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data"
    VOMSREPL_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  gtest_discover_tests(${name} PROPERTIES LABELS "${T_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()

# vomsrepl_add_bench(name SOURCES ... DEPS ...): a Google Benchmark program.
function(vomsrepl_add_bench name)
  cmake_parse_arguments(B "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${B_SOURCES})
  target_link_libraries(${name} PRIVATE vomsrepl_options ${B_DEPS} benchmark::benchmark)
endfunction()
