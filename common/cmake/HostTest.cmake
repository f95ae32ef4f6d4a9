# Host unit tests: the stages' pure logic (formatter, writer, decoders, allocators, executor)
# compiled for the build machine and tested with GoogleTest, under AddressSanitizer and
# UndefinedBehaviorSanitizer.
#
#   workbook_host_test(<name> SOURCES <sources...>)
#       A GoogleTest executable; CTest test <stage>/<name>, labeled <stage> and host. The
#       sources see the stage's src/ directory and are compiled with WORKBOOK_HOST_TEST defined.
#
# GoogleTest, Google Benchmark and the sanitizer runtimes are optional: the kernels and their
# tests need none of them. Without them (a fresh machine on which only `./workbook run` has been
# used) the host tests or benchmarks are left out, and one status line at the end of the
# configuration says how many, why, and what to install. Configure again after installing them;
# `./workbook test` installs them and configures again by itself. The cache variable
# WORKBOOK_HOST_MISSING lists what was missing ("" when nothing was); ./workbook reads it.

option(WORKBOOK_SANITIZE "Build host tests with AddressSanitizer and UndefinedBehaviorSanitizer" ON)

find_package(GTest QUIET)
find_package(benchmark QUIET)

string(REGEX MATCH "^[0-9]+" _workbook_compiler_major "${CMAKE_CXX_COMPILER_VERSION}")
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  set(_workbook_sanitizer_package "libclang-rt-${_workbook_compiler_major}-dev")
else()
  set(_workbook_sanitizer_package "libgcc-${_workbook_compiler_major}-dev")
endif()

# What keeps the host tests (GoogleTest programs) and the host benchmarks from being built:
# "reason (Debian packages ...)" entries, none when everything is there.
set(_workbook_host_test_gaps "")
set(_workbook_host_bench_gaps "")
set(_workbook_host_packages "")
set(_workbook_host_missing "")
if(NOT GTest_FOUND)
  list(APPEND _workbook_host_test_gaps "GoogleTest is missing")
  list(APPEND _workbook_host_packages libgtest-dev googletest)
  list(APPEND _workbook_host_missing GoogleTest)
endif()
if(NOT benchmark_FOUND)
  list(APPEND _workbook_host_bench_gaps "Google Benchmark is missing")
  list(APPEND _workbook_host_packages libbenchmark-dev)
  list(APPEND _workbook_host_missing "Google Benchmark")
endif()

set(_workbook_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
if(WORKBOOK_SANITIZE AND GTest_FOUND)
  include(CheckCXXSourceCompiles)
  set(CMAKE_REQUIRED_FLAGS "-fsanitize=address,undefined")
  set(CMAKE_REQUIRED_LINK_OPTIONS "-fsanitize=address,undefined")
  check_cxx_source_compiles("int main() { return 0; }" WORKBOOK_SANITIZERS_LINK)
  unset(CMAKE_REQUIRED_FLAGS)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  if(NOT WORKBOOK_SANITIZERS_LINK)
    list(APPEND _workbook_host_test_gaps
      "the sanitizer runtimes of ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION} are missing "
      "(or configure with -DWORKBOOK_SANITIZE=OFF)")
    list(APPEND _workbook_host_packages ${_workbook_sanitizer_package})
    list(APPEND _workbook_host_missing "sanitizer runtimes")
    # A failed check is cached like a passed one; forget it, so that the next configuration
    # (after the package is installed) checks again.
    unset(WORKBOOK_SANITIZERS_LINK CACHE)
  endif()
endif()
set(WORKBOOK_HOST_MISSING "${_workbook_host_missing}" CACHE INTERNAL
  "what the host tests or benchmarks lacked at the last configuration (empty: nothing)")

# Google Benchmark 1.8 changed --benchmark_min_time from a number of seconds to a value with a
# unit (0.001s, or 10x iterations); a plain number still works there but draws a warning, and
# 1.7 rejects the suffix. The installed version decides.
if(benchmark_FOUND AND benchmark_VERSION VERSION_GREATER_EQUAL 1.8)
  set(_workbook_bench_min_time 0.001s)
else()
  set(_workbook_bench_min_time 0.001)
endif()

set_property(GLOBAL PROPERTY WORKBOOK_HOST_TESTS "")
set_property(GLOBAL PROPERTY WORKBOOK_HOST_TESTS_LEFT_OUT "")
set_property(GLOBAL PROPERTY WORKBOOK_HOST_BENCHMARKS "")
set_property(GLOBAL PROPERTY WORKBOOK_HOST_BENCHMARKS_LEFT_OUT "")

# GoogleTest's main header, precompiled once for the test files of every stage: parsing it took
# about 1.3 s of each test file's compile (of 6 to 8 s, under the sanitizers). The objects that
# reuse it must be compiled with the same options; _workbook_host_object_options sets both.
function(_workbook_host_object_options target)
  target_compile_definitions(${target} PRIVATE WORKBOOK_HOST_TEST)
  # -O0: the tests check behaviour, not speed, and the sanitizers' instrumentation makes
  # optimised compiles of GoogleTest code slow: one allocator test file takes 27 s at -O2,
  # 8 s at -Og and 6.4 s at -O0, and the tests still run in well under a second each.
  target_compile_options(${target} PRIVATE -O0 -Wall -Wextra $<$<BOOL:${WORKBOOK_WERROR}>:-Werror> -g
                         $<$<CXX_COMPILER_ID:Clang>:-fsized-deallocation>)
  # Test files include GoogleTest's headers; the flags must match the test's own.
  target_link_libraries(${target} PRIVATE GTest::gtest)
  if(WORKBOOK_SANITIZE)
    target_compile_options(${target} PRIVATE ${_workbook_sanitize_flags})
  endif()
endfunction()

if(GTest_FOUND AND NOT TARGET workbook_gtest_pch)
  set(_pch_source "${CMAKE_BINARY_DIR}/workbook_gtest_pch.cpp")
  file(CONFIGURE OUTPUT "${_pch_source}" CONTENT "// Only here to carry GoogleTest's precompiled header.\n")
  add_library(workbook_gtest_pch OBJECT EXCLUDE_FROM_ALL "${_pch_source}")
  _workbook_host_object_options(workbook_gtest_pch)
  target_precompile_headers(workbook_gtest_pch PRIVATE <gtest/gtest.h>)
endif()

# Each source is compiled once per stage, into an object library of its own, however many host
# tests list it: the formatter or an allocator is shared by a dozen tests, and compiling it again
# for each (under the sanitizers) was most of the build's time. A test links exactly the objects
# of the sources it names, so two tests may still pick different versions of a helper (a panic
# that aborts, a panic that throws).
function(_workbook_host_object source out_var)
  get_filename_component(path "${source}" ABSOLUTE)
  file(RELATIVE_PATH relative "${CMAKE_SOURCE_DIR}" "${path}")
  string(MAKE_C_IDENTIFIER "${relative}" id)
  set(object ${WORKBOOK_STAGE_PREFIX}_host_object_${id})
  if(NOT TARGET ${object})
    add_library(${object} OBJECT EXCLUDE_FROM_ALL "${path}")
    target_include_directories(${object} PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}/src")
    _workbook_host_object_options(${object})
    if(relative MATCHES "/host/[^/]*_test\\.cpp$")
      target_precompile_headers(${object} REUSE_FROM workbook_gtest_pch)
    endif()
  endif()
  set(${out_var} ${object} PARENT_SCOPE)
endfunction()

function(workbook_host_test name)
  cmake_parse_arguments(_wh "" "" "SOURCES" ${ARGN})
  if(_workbook_host_test_gaps)
    set_property(GLOBAL APPEND PROPERTY WORKBOOK_HOST_TESTS_LEFT_OUT ${WORKBOOK_STAGE}/${name})
    return()
  endif()
  set_property(GLOBAL APPEND PROPERTY WORKBOOK_HOST_TESTS ${WORKBOOK_STAGE}/${name})
  set(target ${WORKBOOK_STAGE_PREFIX}_host_${name})
  set(objects "")
  foreach(source IN LISTS _wh_SOURCES)
    _workbook_host_object("${source}" object)
    list(APPEND objects $<TARGET_OBJECTS:${object}>)
  endforeach()
  add_executable(${target} ${objects})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${name} LINKER_LANGUAGE CXX)
  target_link_libraries(${target} PRIVATE GTest::gtest_main)
  if(WORKBOOK_SANITIZE)
    target_link_options(${target} PRIVATE ${_workbook_sanitize_flags})
  endif()
  add_dependencies(${WORKBOOK_STAGE} ${target})
  add_test(NAME ${WORKBOOK_STAGE}/${name} COMMAND ${target})
  set_tests_properties(${WORKBOOK_STAGE}/${name} PROPERTIES LABELS "${WORKBOOK_STAGE};host" TIMEOUT 300)
endfunction()

# Host benchmarks (Google Benchmark), built with optimisation and without sanitizers.
#
#   workbook_host_benchmark(<name> [MAIN] SOURCES <sources...>)
#       An executable <name> (end the name in _bench: `./workbook bench` runs every *_bench it
#       finds and shows the figures). MAIN links Google Benchmark's own main(). CTest only checks
#       that it runs (<stage>/<name>_runs, a very short run); speed is measured and reported,
#       never asserted.
function(workbook_host_benchmark name)
  cmake_parse_arguments(_wb "MAIN" "" "SOURCES" ${ARGN})
  if(_workbook_host_bench_gaps)
    set_property(GLOBAL APPEND PROPERTY WORKBOOK_HOST_BENCHMARKS_LEFT_OUT ${WORKBOOK_STAGE}/${name})
    return()
  endif()
  set_property(GLOBAL APPEND PROPERTY WORKBOOK_HOST_BENCHMARKS ${WORKBOOK_STAGE}/${name})
  set(target ${WORKBOOK_STAGE_PREFIX}_host_${name})
  add_executable(${target} ${_wb_SOURCES})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${name})
  target_include_directories(${target} PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}/src")
  target_compile_definitions(${target} PRIVATE WORKBOOK_HOST_TEST)
  target_compile_options(${target} PRIVATE -O2 -Wall -Wextra $<$<BOOL:${WORKBOOK_WERROR}>:-Werror>
                         $<$<CXX_COMPILER_ID:Clang>:-fsized-deallocation>)
  target_link_libraries(${target} PRIVATE benchmark::benchmark)
  if(_wb_MAIN)
    target_link_libraries(${target} PRIVATE benchmark::benchmark_main)
  endif()
  add_dependencies(${WORKBOOK_STAGE} ${target})
  add_test(NAME ${WORKBOOK_STAGE}/${name}_runs COMMAND ${target} --benchmark_min_time=${_workbook_bench_min_time})
  set_tests_properties(${WORKBOOK_STAGE}/${name}_runs PROPERTIES LABELS "${WORKBOOK_STAGE};host" TIMEOUT 300)
endfunction()

# Fuzz targets: a libFuzzer entry point (LLVMFuzzerTestOneInput) over some of a stage's sources,
# with a seed corpus in the repository.
#
#   workbook_fuzz_target(<name> SOURCES <sources...>)
#       An executable fuzz_<name>, with seeds in <stage>/host/fuzz/<name>/; the target
#       <stage>-fuzz builds all of the stage's. With clang (and its
#       runtimes) it is a real libFuzzer binary (-fsanitize=fuzzer,address,undefined), which
#       `./workbook fuzz` runs; with g++ it links common/harness/fuzz_replay.cpp instead, which
#       runs the given inputs once each. Either way CTest's <stage>/fuzz_<name>_corpus replays
#       the seed corpus under the sanitizers, so a seed that once crashed stays fixed.
#       Built only where the host tests are (their gaps apply), and never with WORKBOOK_SANITIZE
#       off: a fuzz target without AddressSanitizer finds little.
set(_workbook_fuzz_flags "")
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND WORKBOOK_SANITIZE AND NOT _workbook_host_test_gaps)
  include(CheckCXXSourceCompiles)
  set(CMAKE_REQUIRED_FLAGS "-fsanitize=fuzzer")
  set(CMAKE_REQUIRED_LINK_OPTIONS "-fsanitize=fuzzer")
  check_cxx_source_compiles([[
    #include <cstddef>
    #include <cstdint>
    extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }]]
    WORKBOOK_LIBFUZZER)
  unset(CMAKE_REQUIRED_FLAGS)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  if(NOT WORKBOOK_LIBFUZZER)
    unset(WORKBOOK_LIBFUZZER CACHE)  # check again next time (the runtime may be installed then)
  endif()
endif()

function(workbook_fuzz_target name)
  cmake_parse_arguments(_wf "" "" "SOURCES" ${ARGN})
  if(_workbook_host_test_gaps OR NOT WORKBOOK_SANITIZE)
    return()
  endif()
  set(target ${WORKBOOK_STAGE_PREFIX}_fuzz_${name})
  set(corpus "${CMAKE_CURRENT_SOURCE_DIR}/host/fuzz/${name}")
  if(NOT IS_DIRECTORY "${corpus}")
    message(FATAL_ERROR "fuzz target ${name}: no seed corpus at ${corpus}")
  endif()
  if(WORKBOOK_LIBFUZZER)
    add_executable(${target} ${_wf_SOURCES})
    # Optimised as fuzzing wants (executions per second), instrumented for coverage.
    target_compile_options(${target} PRIVATE -O1 -g -fsanitize=fuzzer-no-link ${_workbook_sanitize_flags})
    target_link_options(${target} PRIVATE -fsanitize=fuzzer ${_workbook_sanitize_flags})
    target_include_directories(${target} PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}/src")
    target_compile_definitions(${target} PRIVATE WORKBOOK_HOST_TEST)
    target_compile_options(${target} PRIVATE -Wall -Wextra $<$<BOOL:${WORKBOOK_WERROR}>:-Werror>
                           $<$<CXX_COMPILER_ID:Clang>:-fsized-deallocation>)
  else()
    # Replay only: the host tests' objects (same flags, compiled once per stage) do.
    set(objects "")
    foreach(source IN LISTS _wf_SOURCES ITEMS "${WORKBOOK_COMMON_DIR}/harness/fuzz_replay.cpp")
      _workbook_host_object("${source}" object)
      list(APPEND objects $<TARGET_OBJECTS:${object}>)
    endforeach()
    add_executable(${target} ${objects})
    set_target_properties(${target} PROPERTIES LINKER_LANGUAGE CXX)
    target_link_options(${target} PRIVATE ${_workbook_sanitize_flags})
  endif()
  set_target_properties(${target} PROPERTIES OUTPUT_NAME fuzz_${name})
  add_dependencies(${WORKBOOK_STAGE} ${target})
  # <stage>-fuzz builds all of a stage's fuzz targets (what `./workbook fuzz` builds).
  if(NOT TARGET ${WORKBOOK_STAGE}-fuzz)
    add_custom_target(${WORKBOOK_STAGE}-fuzz)
  endif()
  add_dependencies(${WORKBOOK_STAGE}-fuzz ${target})
  # libFuzzer runs each input of a directory once with -runs=0; the replay main does the same.
  add_test(NAME ${WORKBOOK_STAGE}/fuzz_${name}_corpus COMMAND ${target} -runs=0 "${corpus}")
  set_tests_properties(${WORKBOOK_STAGE}/fuzz_${name}_corpus PROPERTIES
                       LABELS "${WORKBOOK_STAGE};host;fuzz" TIMEOUT 300)
endfunction()

# One status line at the end of the configuration: what was configured, or what was left out.
function(_workbook_host_summary)
  get_property(tests GLOBAL PROPERTY WORKBOOK_HOST_TESTS)
  get_property(tests_out GLOBAL PROPERTY WORKBOOK_HOST_TESTS_LEFT_OUT)
  get_property(benches GLOBAL PROPERTY WORKBOOK_HOST_BENCHMARKS)
  get_property(benches_out GLOBAL PROPERTY WORKBOOK_HOST_BENCHMARKS_LEFT_OUT)
  list(LENGTH tests n_tests)
  list(LENGTH tests_out n_tests_out)
  list(LENGTH benches n_benches)
  list(LENGTH benches_out n_benches_out)
  set(sanitizers "")
  if(WORKBOOK_SANITIZE)
    set(sanitizers " (with AddressSanitizer and UBSan)")
  endif()
  if(NOT tests_out AND NOT benches_out)
    message(STATUS "Host tests: ${n_tests} GoogleTest programs${sanitizers}, ${n_benches} benchmarks")
    return()
  endif()
  set(left_out "")
  set(configured "")
  if(tests_out)
    list(APPEND left_out "${n_tests_out} GoogleTest programs")
  elseif(n_tests)
    list(APPEND configured "${n_tests} GoogleTest programs${sanitizers}")
  endif()
  if(benches_out)
    list(APPEND left_out "${n_benches_out} benchmarks")
  elseif(n_benches)
    list(APPEND configured "${n_benches} benchmarks")
  endif()
  list(JOIN left_out " and " left_out)
  set(but "")
  if(configured)
    list(JOIN configured ", " configured)
    set(but " (configured: ${configured})")
  endif()
  set(why ${_workbook_host_test_gaps} ${_workbook_host_bench_gaps})
  list(JOIN why "; " why)
  list(REMOVE_DUPLICATES _workbook_host_packages)
  list(JOIN _workbook_host_packages " " packages)
  message(STATUS "Host tests: LEFT OUT ${left_out}${but}: ${why}. The kernels and their tests "
    "do not need them. To build them: sudo apt-get install ${packages}, then configure again "
    "(./workbook test does both).")
endfunction()
cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _workbook_host_summary)
