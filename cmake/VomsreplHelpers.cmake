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
# The public vocabulary only: src/ is not on any global include path (below).
target_include_directories(vomsrepl_options INTERFACE ${PROJECT_SOURCE_DIR}/include)

# vomsrepl_add_module(name SOURCES ... [DEPS ...] [PRIVATE_DEPS ...]): one static
# library per module (docs/architecture.md).
#   DEPS          what the module's headers include (other modules, third-party
#                 libraries): linked PUBLIC, so their headers reach every user.
#   PRIVATE_DEPS  what only its .cc files include: linked PRIVATE, their headers
#                 reach no user (Connector/C, RocksDB, the HTTP and logging
#                 libraries, modules used in .cc files only).
# Each module has an include root of its own: a directory in the build tree that
# holds one link, named after the module's folder, to src/<folder>. The module's
# files and the targets that link it find "<folder>/x.h" there and no other
# folder of src/, so a file can include only the modules its target links
# (directly, or PUBLIC through them): the build checks the include graph.
function(vomsrepl_add_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(vomsrepl_${name} STATIC ${M_SOURCES})
  target_link_libraries(vomsrepl_${name} PUBLIC vomsrepl_options ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS})
  get_filename_component(folder ${CMAKE_CURRENT_SOURCE_DIR} NAME)
  set(root ${PROJECT_BINARY_DIR}/module-include/${folder})
  file(MAKE_DIRECTORY ${root})
  file(CREATE_LINK ${CMAKE_CURRENT_SOURCE_DIR} ${root}/${folder} SYMBOLIC)
  target_include_directories(vomsrepl_${name} PUBLIC ${root})
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
