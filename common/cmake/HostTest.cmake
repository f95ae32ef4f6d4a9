# Host unit tests: the stages' pure logic (formatter, writer, decoders, allocators, executor)
# compiled for the build machine and tested with GoogleTest, under AddressSanitizer and
# UndefinedBehaviorSanitizer.
#
#   workbook_host_test(<name> SOURCES <sources...>)
#       A GoogleTest executable; CTest test <stage>/<name>, labeled <stage> and host. The
#       sources see the stage's src/ directory and are compiled with WORKBOOK_HOST_TEST defined.

option(WORKBOOK_SANITIZE "Build host tests with AddressSanitizer and UndefinedBehaviorSanitizer" ON)

find_package(GTest QUIET)

set(_workbook_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
if(WORKBOOK_SANITIZE)
  include(CheckCXXSourceCompiles)
  set(CMAKE_REQUIRED_FLAGS "-fsanitize=address,undefined")
  set(CMAKE_REQUIRED_LINK_OPTIONS "-fsanitize=address,undefined")
  check_cxx_source_compiles("int main() { return 0; }" WORKBOOK_SANITIZERS_LINK)
  unset(CMAKE_REQUIRED_FLAGS)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  if(NOT WORKBOOK_SANITIZERS_LINK)
    message(FATAL_ERROR "The sanitizer runtimes are missing for ${CMAKE_CXX_COMPILER_ID}. "
      "With clang install libclang-rt-14-dev (sudo apt-get install libclang-rt-14-dev), "
      "or configure with -DWORKBOOK_SANITIZE=OFF.")
  endif()
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
    target_compile_definitions(${object} PRIVATE WORKBOOK_HOST_TEST)
    # -Og: the tests check behaviour, not speed, and the sanitizers' instrumentation makes -O2
    # compiles of GoogleTest code three times slower (27 s against 9 s for one test file).
    target_compile_options(${object} PRIVATE -Og -Wall -Wextra $<$<BOOL:${WORKBOOK_WERROR}>:-Werror> -g
                           $<$<CXX_COMPILER_ID:Clang>:-fsized-deallocation>)
    # Test files include GoogleTest's headers; the flags must match the test's own.
    target_link_libraries(${object} PRIVATE GTest::gtest)
    if(WORKBOOK_SANITIZE)
      target_compile_options(${object} PRIVATE ${_workbook_sanitize_flags})
    endif()
  endif()
  set(${out_var} ${object} PARENT_SCOPE)
endfunction()

function(workbook_host_test name)
  cmake_parse_arguments(_wh "" "" "SOURCES" ${ARGN})
  if(NOT GTest_FOUND)
    message(FATAL_ERROR "GoogleTest is missing (needed by ${WORKBOOK_STAGE}'s host tests). "
      "Install it with: sudo apt-get install libgtest-dev (./workbook does this for you).")
  endif()
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
#   workbook_host_benchmark(<name> SOURCES <sources...>)
#       An executable <name> (end the name in _bench: `./workbook bench` runs every *_bench it
#       finds and shows the figures). CTest only checks that it runs (<stage>/<name>_runs, a
#       very short run); speed is measured and reported, never asserted.
find_package(benchmark QUIET)

function(workbook_host_benchmark name)
  cmake_parse_arguments(_wb "" "" "SOURCES" ${ARGN})
  if(NOT benchmark_FOUND)
    message(FATAL_ERROR "Google Benchmark is missing (needed by ${WORKBOOK_STAGE}'s ${name}). "
      "Install it with: sudo apt-get install libbenchmark-dev (./workbook does this for you).")
  endif()
  set(target ${WORKBOOK_STAGE_PREFIX}_host_${name})
  add_executable(${target} ${_wb_SOURCES})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${name})
  target_include_directories(${target} PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}/src")
  target_compile_definitions(${target} PRIVATE WORKBOOK_HOST_TEST)
  target_compile_options(${target} PRIVATE -O2 -Wall -Wextra $<$<BOOL:${WORKBOOK_WERROR}>:-Werror>
                         $<$<CXX_COMPILER_ID:Clang>:-fsized-deallocation>)
  target_link_libraries(${target} PRIVATE benchmark::benchmark)
  add_dependencies(${WORKBOOK_STAGE} ${target})
  add_test(NAME ${WORKBOOK_STAGE}/${name}_runs COMMAND ${target} --benchmark_min_time=0.001)
  set_tests_properties(${WORKBOOK_STAGE}/${name}_runs PROPERTIES LABELS "${WORKBOOK_STAGE};host" TIMEOUT 300)
endfunction()
