# How a stage's C++ sources become a kernel ELF, a bootable GRUB ISO and CTest tests.
#
# A stage is a directory NN-name with a CMakeLists.txt; the top-level CMakeLists.txt finds them.
# workbook_stage() sets, for the rest of the stage's CMakeLists.txt:
#   WORKBOOK_STAGE          the stage's name, its directory name (03-vga): its tests are named
#                           <stage>/<test> and labeled <stage>, and its target <stage> builds it;
#   WORKBOOK_STAGE_PREFIX   s<NN> (s03), the prefix of the stage's other targets (s03_kernel).
# A stage's CMakeLists.txt spells neither: it names kernels and tests by their short names, and
# uses the variables where it needs more (an expected path, a target file). So a copied stage
# directory is a new stage, and no stage depends on another (.ci/stages-alone configures each
# one alone).
#
#   workbook_stage([LIBRARY <sources...>] [DEFINITIONS <defs...>])
#       Starts a stage. LIBRARY lists the sources shared by the stage's kernel and its test
#       kernels (everything but the mains); they are compiled once (with DEFINITIONS) into a
#       static library, so each kernel links only what it uses; a kernel's own SOURCES take
#       precedence over the library's definitions of the same symbols. Creates the target
#       <stage> that builds all of the stage's kernels.
#   workbook_kernel(<name> SOURCES <sources...> [DEFINITIONS <defs...>] [UNIT_TESTS])
#       A kernel: <name>.elf in the stage's build directory, and <name>.iso, its GRUB ISO, when
#       something boots it through GRUB: always for the one named `kernel` (which also gets the
#       target <stage>-kernel, building it and its ISO alone), for a test kernel when one of its
#       tests says GRUB or BOCHS. UNIT_TESTS builds it and the stage's library with UNIT_TESTS
#       defined, so their in-kernel tests are linked in.
#   workbook_test(<test> KERNEL <name> [GRUB] [BOCHS] [UEFI] [TIMEOUT <seconds>]
#                 [EXPECT_VERDICT <verdict> [EXPECT_OUTPUT <text>...]] [ARGS <harness arguments...>]
#                 [WRAP <command...>])
#       A CTest test named <stage>/<test>, labeled <stage>, that boots the kernel through the
#       harness (common/harness/harness.py --help lists the arguments). Test kernels boot
#       directly (QEMU -kernel: no firmware boot menu, no GRUB, about 0.3 s faster); the main
#       kernel, and a test kernel whose test says GRUB, boot through SeaBIOS and GRUB from the ISO,
#       as on a learner's machine. Those tests are also labeled grub. BOCHS adds the same test
#       under Bochs, <stage>/bochs/<test>, labeled <stage> and bochs (when Bochs is installed; see
#       WORKBOOK_BOCHS below), always from the ISO. UEFI adds the same test booted on UEFI
#       firmware (OVMF) through GRUB's EFI build from the ISO, <stage>/uefi/<test>, labeled
#       <stage> and uefi (when OVMF is installed; see Dependencies.cmake): same arguments, same
#       checks, same expected verdict. (workbook_uefi_test registers only that one.) TIMEOUT replaces the harness's timeout
#       (WORKBOOK_TEST_TIMEOUT). EXPECT_VERDICT makes it a test of an expected failure, for a
#       kernel whose failure is what its design predicts: it passes only when the harness reports
#       that verdict (FAILED, PANIC, ...) with a non-zero status and its output contains every
#       EXPECT_OUTPUT text (common/harness/selftest/expect_verdict.py). CTest's WILL_FAIL would
#       accept any failure, a triple fault or a hang included. Name such a test <test>_fails.
#       WRAP runs the harness command under a checking script (common/harness/check_frames.py).
#   workbook_unit_tests(<name> [UEFI])
#       For a kernel that runs in-kernel tests (a UNIT_TESTS kernel, or a test kernel that calls
#       run_tests()): <stage>/<name> runs all of them in one boot and requires "Running N tests"
#       with N the number found (workbook_kernel_tests), and each test found gets a CTest test
#       <stage>/<test> that boots the kernel running only that test. No list of names: a new
#       KERNEL_TEST gets its CTest test at the next build.
#   workbook_kernel_tests(<out-var> <name>)
#       Sets <out-var> to the in-kernel tests of kernel <name>, found in the sources it links them
#       from: each line that begins with KERNEL_TEST(test) in its SOURCES and, for a UNIT_TESTS
#       kernel, in the stage's LIBRARY. Those files become configure dependencies, so adding a
#       KERNEL_TEST configures again at the next build. For a loop of one's own (stage 11 runs
#       each heap test against each allocator design).
#   workbook_script_test(<test> COMMAND <command...>)
#       A CTest test <stage>/<test>, labeled <stage>, that runs a script of its own rather than
#       the harness (the ELF checks of stages 01 and 02).
#   workbook_uefi_test(<test> KERNEL <name> [TIMEOUT <seconds>] [EXPECT_VERDICT ...] [ARGS ...])
#       Only the UEFI variant of a test: <stage>/uefi/<test>, as workbook_test's UEFI adds it.
#       The main kernel's ISO gets a test of its own too, <stage>/iso_boot_images: xorriso lists
#       a BIOS and a UEFI boot image in it (common/harness/check_iso.py).
#   workbook_kernel_iso(<name>), workbook_boot_arguments(<out-var> <name> <grub>)
#       The GRUB ISO of a kernel, and the harness arguments that boot it; workbook_test uses them,
#       and so do the harness's own tests (common/CMakeLists.txt), which boot kernels differently.
#
# Elsewhere in common/cmake/: HostTest.cmake (workbook_host_test, workbook_host_benchmark,
# workbook_fuzz_target: code compiled for the build machine) and StageBlocks.cmake
# (workbook_compile_test, workbook_allocator_option: blocks that several stages share).

get_filename_component(WORKBOOK_COMMON_DIR "${CMAKE_CURRENT_LIST_DIR}" DIRECTORY)
set(WORKBOOK_HARNESS "${WORKBOOK_COMMON_DIR}/harness/harness.py")
# The harness needs only Python's standard library. -S skips the site-packages start-up (.pth
# files), which on some Python installations costs 0.05 to 0.1 s of every test.
set(WORKBOOK_PYTHON ${Python3_EXECUTABLE} -S)
set(WORKBOOK_LINKER_SCRIPT "${WORKBOOK_COMMON_DIR}/boot/linker.ld")
set(WORKBOOK_TEST_TIMEOUT 60 CACHE STRING "seconds a kernel test may run before the harness calls it a hang")
set(WORKBOOK_BOCHS_TEST_TIMEOUT 120 CACHE STRING "the same for a test under Bochs (2-6 s each on an idle machine)")

# Bochs, the second emulator: it models CPU behaviour QEMU's TCG skips (descriptor Accessed and
# busy bits). Its tests are registered only when it can run: the emulator, its BIOS, its VGA BIOS
# and its terminal display each come in a Debian package of their own.
find_program(WORKBOOK_BOCHS bochs)
file(GLOB _bochs_term_plugin "/usr/lib/*/bochs/plugins/libbx_term_gui.so")
set(_bochs_missing "")
if(NOT WORKBOOK_BOCHS)
  list(APPEND _bochs_missing bochs)
endif()
if(NOT EXISTS "/usr/share/bochs/BIOS-bochs-latest")
  list(APPEND _bochs_missing bochsbios)
endif()
if(NOT EXISTS "/usr/share/bochs/VGABIOS-lgpl-latest")
  list(APPEND _bochs_missing vgabios)
endif()
if(NOT _bochs_term_plugin)
  list(APPEND _bochs_missing bochs-term)
endif()
if(_bochs_missing)
  set(WORKBOOK_BOCHS_TESTS OFF)
  list(JOIN _bochs_missing " " _bochs_missing)
  message(STATUS "Bochs tests (label bochs): left out, missing Debian packages: ${_bochs_missing} "
                 "(./workbook test --bochs installs them)")
else()
  set(WORKBOOK_BOCHS_TESTS ON)
  message(STATUS "Bochs tests (label bochs): registered (${WORKBOOK_BOCHS})")
endif()

# --- compiler flags for kernel code -----------------------------------------------------------
add_library(workbook_kernel_flags INTERFACE)
target_compile_features(workbook_kernel_flags INTERFACE cxx_std_20)
target_include_directories(workbook_kernel_flags INTERFACE "${WORKBOOK_COMMON_DIR}/include")
target_compile_options(workbook_kernel_flags INTERFACE
  # No hosted environment: no libc, no libstdc++ runtime, no exceptions or RTTI.
  $<$<COMPILE_LANGUAGE:CXX>:-ffreestanding -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit>
  # Code for a fixed address below 2 GiB; no position independence, no stack protector (it
  # would need a canary in %fs, which the kernel does not set up).
  -fno-pic -fno-pie -fno-stack-protector
  # Interrupt handlers may run on the current stack at any time: no red zone below RSP.
  -mno-red-zone
  # No SSE/x87 state in kernel code: handlers would have to save it.
  $<$<CXX_COMPILER_ID:GNU>:-mgeneral-regs-only>
  $<$<CXX_COMPILER_ID:Clang>:-mno-sse -mno-sse2 -mno-mmx>
  # clang warns when an interrupt handler calls ordinary functions, because they could clobber
  # SSE/x87 state the handler does not save. Kernel code uses neither, so the calls are safe.
  $<$<CXX_COMPILER_ID:Clang>:-Wno-interrupt-service-routine>
  # Sized operator delete, as g++ does by default (clang 14 needs asking): the kernel's
  # containers free with the size they allocated.
  $<$<AND:$<CXX_COMPILER_ID:Clang>,$<COMPILE_LANGUAGE:CXX>>:-fsized-deallocation>
  -fno-asynchronous-unwind-tables -fno-omit-frame-pointer -g
  # Source paths in panic messages relative to the repository: 03-vga/src/main.cpp.
  "-fmacro-prefix-map=${CMAKE_SOURCE_DIR}/="
  -Wall -Wextra $<$<BOOL:${WORKBOOK_WERROR}>:-Werror>)
target_link_options(workbook_kernel_flags INTERFACE
  -nostdlib -static
  "-Wl,-T,${WORKBOOK_LINKER_SCRIPT}"
  -Wl,-z,max-page-size=0x1000 -Wl,--build-id=none -Wl,-z,noexecstack)

# clang 18 renamed the interrupt-handler warning above to -Wexcessive-regsave and no longer
# knows the old name (clang 19: "unknown warning option", an error with -Werror). Which name
# this clang knows is tested, not inferred from its version, and the option above is replaced
# by the one it knows (or dropped when it knows neither).
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  include(CheckCXXCompilerFlag)
  check_cxx_compiler_flag(-Winterrupt-service-routine WORKBOOK_CXX_HAS_WINTERRUPT_SERVICE_ROUTINE)
  if(NOT WORKBOOK_CXX_HAS_WINTERRUPT_SERVICE_ROUTINE)
    check_cxx_compiler_flag(-Wexcessive-regsave WORKBOOK_CXX_HAS_WEXCESSIVE_REGSAVE)
    set(_isr_warning_off "")
    if(WORKBOOK_CXX_HAS_WEXCESSIVE_REGSAVE)
      set(_isr_warning_off -Wno-excessive-regsave)
    endif()
    get_target_property(_kernel_options workbook_kernel_flags INTERFACE_COMPILE_OPTIONS)
    list(TRANSFORM _kernel_options REPLACE "-Wno-interrupt-service-routine" "${_isr_warning_off}")
    set_target_properties(workbook_kernel_flags PROPERTIES INTERFACE_COMPILE_OPTIONS "${_kernel_options}")
  endif()
endif()

# The boot shim and the compiler-support runtime, compiled once for all kernels.
add_library(workbook_boot OBJECT
  "${WORKBOOK_COMMON_DIR}/boot/boot.S"
  "${WORKBOOK_COMMON_DIR}/runtime/runtime.cpp")
target_link_libraries(workbook_boot PRIVATE workbook_kernel_flags)

# The framebuffer consoles' 8x16 font (common/include/font/vga_font.h), converted from a Debian
# console font at build time. A static library: only kernels that draw on a framebuffer link it.
set(WORKBOOK_FONT "/usr/share/consolefonts/default8x16.psf.gz" CACHE FILEPATH
  "The 8x16 PSF font (code page 437 order) the framebuffer console draws with")
if(NOT EXISTS "${WORKBOOK_FONT}")
  message(FATAL_ERROR "The framebuffer console's font ${WORKBOOK_FONT} is missing: it comes with "
    "the Debian package console-data (sudo apt-get install console-data, or run ./workbook, which "
    "installs it), or set WORKBOOK_FONT to another 8x16 PSF font in code page 437 order.")
endif()
set(_font_cpp "${CMAKE_BINARY_DIR}/generated/vga_font.cpp")
add_custom_command(OUTPUT "${_font_cpp}"
  COMMAND "${Python3_EXECUTABLE}" "${WORKBOOK_COMMON_DIR}/font/psf.py" "${WORKBOOK_FONT}" "${_font_cpp}"
  DEPENDS "${WORKBOOK_COMMON_DIR}/font/psf.py" "${WORKBOOK_FONT}"
  COMMENT "Converting the console font ${WORKBOOK_FONT}"
  VERBATIM)
add_library(workbook_font STATIC "${_font_cpp}")
target_link_libraries(workbook_font PRIVATE workbook_kernel_flags)

# --- the build fixture -------------------------------------------------------------------------
# CTest never runs a stale kernel: every test of a stage (and of the harness) requires a fixture,
# <target>/build, that builds the stage's target first. So plain `ctest`, `ctest -R ...` and
# `ctest -L ...` after an edit test the edited code. The fixtures share one lock, because two
# Ninja runs in one build tree at once would corrupt its logs. `./workbook test` builds before it
# runs CTest and sets WORKBOOK_BUILT, which turns the fixtures into no-ops.
# Called at the end of the directory (cmake_language(DEFER)), once all its tests exist.
function(_workbook_build_fixture target)
  get_property(tests DIRECTORY PROPERTY TESTS)
  add_test(NAME ${target}/build
    COMMAND sh -c [[test -n "$WORKBOOK_BUILT" || exec "$0" --build "$1" --target "$2"]]
            "${CMAKE_COMMAND}" "${CMAKE_BINARY_DIR}" ${target})
  set_tests_properties(${target}/build PROPERTIES FIXTURES_SETUP build_${target}
                       RESOURCE_LOCK workbook_build_tree LABELS ${target} TIMEOUT 1800)
  if(tests)
    set_tests_properties(${tests} PROPERTIES FIXTURES_REQUIRED build_${target})
  endif()
endfunction()

macro(workbook_build_fixture target)
  cmake_language(DEFER CALL _workbook_build_fixture ${target})
endmacro()

# --- stages ------------------------------------------------------------------------------------
macro(workbook_stage)
  cmake_parse_arguments(_ws "" "" "LIBRARY;DEFINITIONS" ${ARGN})
  get_filename_component(WORKBOOK_STAGE "${CMAKE_CURRENT_SOURCE_DIR}" NAME)
  string(SUBSTRING "${WORKBOOK_STAGE}" 0 2 WORKBOOK_STAGE_NUMBER)
  set(WORKBOOK_STAGE_PREFIX "s${WORKBOOK_STAGE_NUMBER}")
  add_custom_target(${WORKBOOK_STAGE} ALL)
  workbook_build_fixture(${WORKBOOK_STAGE})
  set(WORKBOOK_STAGE_LIBRARY "")
  set(WORKBOOK_STAGE_LIBRARY_SOURCES ${_ws_LIBRARY})
  if(_ws_LIBRARY)
    set(WORKBOOK_STAGE_LIBRARY ${WORKBOOK_STAGE_PREFIX}_library)
    # A static library: a kernel links only the parts it uses (a test kernel without a heap
    # does not pull in code that needs operator new).
    add_library(${WORKBOOK_STAGE_LIBRARY} STATIC ${_ws_LIBRARY})
    target_link_libraries(${WORKBOOK_STAGE_LIBRARY} PUBLIC workbook_kernel_flags)
    target_include_directories(${WORKBOOK_STAGE_LIBRARY} PUBLIC "${CMAKE_CURRENT_SOURCE_DIR}/src")
    # The same sources with UNIT_TESTS defined, for the unit-test kernel (the counterpart of
    # Rust's cfg(test)): their UNIT_TESTS blocks register in-kernel tests. Linked as objects,
    # all of them, since nothing refers to a test by name.
    add_library(${WORKBOOK_STAGE_LIBRARY}_test OBJECT EXCLUDE_FROM_ALL ${_ws_LIBRARY})
    target_link_libraries(${WORKBOOK_STAGE_LIBRARY}_test PUBLIC workbook_kernel_flags)
    target_include_directories(${WORKBOOK_STAGE_LIBRARY}_test PUBLIC "${CMAKE_CURRENT_SOURCE_DIR}/src")
    target_compile_definitions(${WORKBOOK_STAGE_LIBRARY}_test PUBLIC UNIT_TESTS)
    target_compile_definitions(${WORKBOOK_STAGE_LIBRARY} PRIVATE ${_ws_DEFINITIONS})
    target_compile_definitions(${WORKBOOK_STAGE_LIBRARY}_test PRIVATE ${_ws_DEFINITIONS})
  endif()
  _workbook_labs()
endmacro()

# --- the classroom kit (common/harness/labs.py, grade.py; `./workbook grade` and `handout`) ----
# A teacher's private test kernels: `./workbook grade STAGE --tests-from DIR` configures with
# WORKBOOK_PRIVATE_TESTS=DIR and WORKBOOK_PRIVATE_TESTS_STAGE=STAGE. Each DIR/<name>.cpp is a
# test kernel built like the stage's tests/*.cpp (the stage's library, its src/ on the include
# path) and booted directly; its test <stage>/private/<name> (labels <stage>, private) expects
# it to exit with success through isa-debug-exit, plus the harness arguments in DIR/<name>.args
# (one per line), if that file exists.
set(WORKBOOK_PRIVATE_TESTS "" CACHE PATH "a directory of private test kernels (*.cpp) for ./workbook grade")
set(WORKBOOK_PRIVATE_TESTS_STAGE "" CACHE STRING "the stage the private test kernels belong to")
# One CTest test per stage with labs builds the stage's handout and grades it (expects a score
# above 0 and below full): a kernel build of the stage, about a minute. Off for the stages not
# listed here; a teacher's CI can switch them all on with -DWORKBOOK_HANDOUT_TESTS=all.
set(WORKBOOK_HANDOUT_TESTS "05;09;12" CACHE STRING
  "stage numbers whose handout CTest builds and grades (labs_handout), or all, or empty")
# The stages whose Gradescope bundle CTest tries (autograder_gradescope, label handout): two
# grades of the stage's handout, host tests included.
set(WORKBOOK_AUTOGRADER_TESTS "05" CACHE STRING
  "stage numbers whose Gradescope autograder bundle CTest runs (autograder_gradescope), or empty")

function(_workbook_labs)
  set(stage_dir "${CMAKE_CURRENT_SOURCE_DIR}")
  if(WORKBOOK_PRIVATE_TESTS AND WORKBOOK_PRIVATE_TESTS_STAGE STREQUAL WORKBOOK_STAGE)
    if(NOT IS_DIRECTORY "${WORKBOOK_PRIVATE_TESTS}")
      message(FATAL_ERROR "WORKBOOK_PRIVATE_TESTS: ${WORKBOOK_PRIVATE_TESTS} is not a directory")
    endif()
    file(GLOB private_sources CONFIGURE_DEPENDS "${WORKBOOK_PRIVATE_TESTS}/*.cpp")
    if(NOT private_sources)
      message(FATAL_ERROR "WORKBOOK_PRIVATE_TESTS: no *.cpp test kernel in ${WORKBOOK_PRIVATE_TESTS}")
    endif()
    foreach(source IN LISTS private_sources)
      get_filename_component(name "${source}" NAME_WE)
      if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
        message(FATAL_ERROR "private test kernel ${source}: name it with letters, digits and _ only")
      endif()
      set(args "")
      if(EXISTS "${WORKBOOK_PRIVATE_TESTS}/${name}.args")
        file(STRINGS "${WORKBOOK_PRIVATE_TESTS}/${name}.args" args)
        set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${WORKBOOK_PRIVATE_TESTS}/${name}.args")
      endif()
      workbook_kernel(private_${name} SOURCES "${source}")
      workbook_test(private/${name} KERNEL private_${name} ARGS --expect exit ${args})
      set_property(TEST ${WORKBOOK_STAGE}/private/${name} APPEND PROPERTY LABELS private)
    endforeach()
    list(LENGTH private_sources count)
    message(STATUS "${WORKBOOK_STAGE}: ${count} private test kernel(s) from ${WORKBOOK_PRIVATE_TESTS}")
  endif()
  if(NOT EXISTS "${stage_dir}/labs.toml")
    return()
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${stage_dir}/labs.toml")
  # labs.toml fits the stage: each lab's tests exist, every test is counted, each lab has marked
  # regions with a stub that panics naming it. Lists the tests with ctest -N; runs nothing.
  add_test(NAME ${WORKBOOK_STAGE}/labs_cover_tests
    COMMAND ${Python3_EXECUTABLE} "${WORKBOOK_COMMON_DIR}/harness/grade.py" --check
            --root "${CMAKE_SOURCE_DIR}" --build-dir "${CMAKE_BINARY_DIR}" --stage ${WORKBOOK_STAGE})
  set_tests_properties(${WORKBOOK_STAGE}/labs_cover_tests PROPERTIES LABELS "${WORKBOOK_STAGE};labs" TIMEOUT 60)
  # Not inside a handout (.workbook-handout at its root): its stage is stubbed already.
  if(NOT EXISTS "${CMAKE_SOURCE_DIR}/.workbook-handout" AND
     (WORKBOOK_HANDOUT_TESTS STREQUAL "all" OR WORKBOOK_STAGE_NUMBER IN_LIST WORKBOOK_HANDOUT_TESTS))
    # The student's tree: written, configured and built (the stage's kernels, not its host tests)
    # in the build directory, then graded; its score must be above 0 and below full marks.
    add_test(NAME ${WORKBOOK_STAGE}/labs_handout
      COMMAND ${Python3_EXECUTABLE} "${WORKBOOK_COMMON_DIR}/harness/handout_check.py"
              --root "${CMAKE_SOURCE_DIR}" --stage ${WORKBOOK_STAGE}
              --work "${CMAKE_CURRENT_BINARY_DIR}/handout"
              --cxx "${CMAKE_CXX_COMPILER}" --cc "${CMAKE_C_COMPILER}")
    # Labeled handout only, not with the stage: each costs a kernel build of the stage (a minute
    # or two on 2 CPUs), so `./workbook test` leaves them out unless given --handouts, as CI is.
    set_tests_properties(${WORKBOOK_STAGE}/labs_handout PROPERTIES
      LABELS handout TIMEOUT 1200 COST 500 PROCESSORS 2)
  endif()
  # The Gradescope bundle of the handout (./workbook handout --autograder gradescope): its
  # run_autograder, with Gradescope's directories moved into the build directory, must write a
  # results.json with the score ./workbook grade gives the same tree (common/harness/autograder.py).
  if(NOT EXISTS "${CMAKE_SOURCE_DIR}/.workbook-handout" AND WORKBOOK_STAGE_NUMBER IN_LIST WORKBOOK_AUTOGRADER_TESTS)
    add_test(NAME ${WORKBOOK_STAGE}/autograder_gradescope
      COMMAND ${Python3_EXECUTABLE} "${WORKBOOK_COMMON_DIR}/harness/autograder.py" check
              --root "${CMAKE_SOURCE_DIR}" --stage ${WORKBOOK_STAGE}
              --work "${CMAKE_CURRENT_BINARY_DIR}/autograder")
    set_tests_properties(${WORKBOOK_STAGE}/autograder_gradescope PROPERTIES
      LABELS handout TIMEOUT 1800 COST 500 PROCESSORS 2)
  endif()
endfunction()

function(workbook_kernel name)
  cmake_parse_arguments(_wk "UNIT_TESTS" "" "SOURCES;DEFINITIONS" ${ARGN})
  set(target ${WORKBOOK_STAGE_PREFIX}_${name})
  add_executable(${target} ${_wk_SOURCES} $<TARGET_OBJECTS:workbook_boot>)
  target_link_libraries(${target} PRIVATE workbook_kernel_flags)
  target_include_directories(${target} PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}/src")
  if(_wk_UNIT_TESTS)
    target_compile_definitions(${target} PRIVATE UNIT_TESTS)
    if(WORKBOOK_STAGE_LIBRARY)
      target_sources(${target} PRIVATE $<TARGET_OBJECTS:${WORKBOOK_STAGE_LIBRARY}_test>)
      add_dependencies(${target} ${WORKBOOK_STAGE_LIBRARY}_test)
    endif()
  elseif(WORKBOOK_STAGE_LIBRARY)
    target_link_libraries(${target} PRIVATE ${WORKBOOK_STAGE_LIBRARY})
  endif()
  # After the stage's library on the link line, which refers to it.
  target_link_libraries(${target} PRIVATE workbook_font)
  target_compile_definitions(${target} PRIVATE ${_wk_DEFINITIONS})
  # The sources whose KERNEL_TESTs the kernel links, for workbook_kernel_tests: its own, and
  # with UNIT_TESTS the library's, all of whose objects it links.
  set(test_sources ${_wk_SOURCES})
  if(_wk_UNIT_TESTS)
    list(APPEND test_sources ${WORKBOOK_STAGE_LIBRARY_SOURCES})
  endif()
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME ${name} SUFFIX ".elf"
    LINK_DEPENDS "${WORKBOOK_LINKER_SCRIPT}"
    WORKBOOK_TEST_SOURCES "${test_sources}")
  add_dependencies(${WORKBOOK_STAGE} ${target})
  # <stage>-kernel: the stage's own kernel and ISO, without its test kernels; what
  # `./workbook run`, `iso` and `debug` build.
  if(name STREQUAL "kernel")
    workbook_kernel_iso(kernel)
    add_custom_target(${WORKBOOK_STAGE}-kernel)
    add_dependencies(${WORKBOOK_STAGE}-kernel ${target}_iso)
    # Every ISO is a hybrid one: BIOS and UEFI boot images both (the configure step checks that
    # grub-mkrescue can make them; this checks the ISO the stage really made).
    add_test(NAME ${WORKBOOK_STAGE}/iso_boot_images
      COMMAND ${WORKBOOK_PYTHON} "${WORKBOOK_COMMON_DIR}/harness/check_iso.py" "${CMAKE_CURRENT_BINARY_DIR}/kernel.iso")
    set_tests_properties(${WORKBOOK_STAGE}/iso_boot_images PROPERTIES LABELS ${WORKBOOK_STAGE} TIMEOUT 60)
  endif()
endfunction()

# The GRUB ISO of a kernel made by workbook_kernel in this directory, <name>.iso: made once, when
# something boots the kernel through GRUB.
function(workbook_kernel_iso name)
  set(target ${WORKBOOK_STAGE_PREFIX}_${name})
  if(TARGET ${target}_iso)
    return()
  endif()
  set(iso "${CMAKE_CURRENT_BINARY_DIR}/${name}.iso")
  add_custom_command(OUTPUT "${iso}"
    COMMAND "${CMAKE_COMMAND}" -DKERNEL=$<TARGET_FILE:${target}> -DISO=${iso}
            "-DNAME=${WORKBOOK_STAGE} ${name}" -DGRUB_MKRESCUE=${WORKBOOK_GRUB_MKRESCUE}
            -P "${WORKBOOK_COMMON_DIR}/cmake/make_iso.cmake"
    DEPENDS ${target} "${WORKBOOK_COMMON_DIR}/cmake/make_iso.cmake"
    COMMENT "GRUB ISO ${WORKBOOK_STAGE}/${name}.iso"
    VERBATIM)
  add_custom_target(${target}_iso DEPENDS "${iso}")
  add_dependencies(${WORKBOOK_STAGE} ${target}_iso)
endfunction()

# The harness arguments that boot kernel <name>: from its GRUB ISO when GRUB is true, else
# directly from its ELF file.
function(workbook_boot_arguments out name grub)
  set(target ${WORKBOOK_STAGE_PREFIX}_${name})
  if(grub)
    workbook_kernel_iso(${name})
    set(${out} --iso "${CMAKE_CURRENT_BINARY_DIR}/${name}.iso" --elf $<TARGET_FILE:${target}> PARENT_SCOPE)
  else()
    set(${out} --kernel $<TARGET_FILE:${target}> PARENT_SCOPE)
  endif()
endfunction()

function(workbook_test test)
  cmake_parse_arguments(_wt "GRUB;BOCHS;UEFI;_UEFI_ONLY" "KERNEL;TIMEOUT;EXPECT_VERDICT" "EXPECT_OUTPUT;ARGS;WRAP" ${ARGN})
  if(_wt_UNPARSED_ARGUMENTS OR NOT _wt_KERNEL)
    message(FATAL_ERROR "workbook_test(${test}): needs KERNEL <name>; not understood: ${_wt_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT _wt_TIMEOUT)
    set(_wt_TIMEOUT ${WORKBOOK_TEST_TIMEOUT})
  endif()
  # An expected failure: the harness runs under expect_verdict.py, which passes only on that
  # verdict (and a non-zero status, and each EXPECT_OUTPUT text in the harness's output).
  set(expect "")
  if(DEFINED _wt_EXPECT_VERDICT)
    set(expect ${WORKBOOK_PYTHON} "${WORKBOOK_COMMON_DIR}/harness/selftest/expect_verdict.py"
               --verdict "${_wt_EXPECT_VERDICT}")
    foreach(text IN LISTS _wt_EXPECT_OUTPUT)
      list(APPEND expect --output "${text}")
    endforeach()
    list(APPEND expect --)
  elseif(DEFINED _wt_EXPECT_OUTPUT)
    message(FATAL_ERROR "workbook_test(${test}): EXPECT_OUTPUT needs EXPECT_VERDICT")
  endif()
  # WRAP: a script the harness command runs under, which adds checks of its own (check_frames.py).
  set(expect ${_wt_WRAP} ${expect})
  set(labels ${WORKBOOK_STAGE})
  if(_wt_KERNEL STREQUAL "kernel")
    set(_wt_GRUB TRUE)
  endif()
  if(_wt_GRUB)
    list(APPEND labels grub)
  endif()
  if(_wt_UEFI AND WORKBOOK_UEFI_TESTS)
    # On OVMF, always from the ISO: QEMU's -kernel path belongs to SeaBIOS. OVMF itself takes
    # about 4 s under TCG, so the timeout is the same generous one.
    workbook_boot_arguments(boot ${_wt_KERNEL} TRUE)
    add_test(NAME ${WORKBOOK_STAGE}/uefi/${test}
      COMMAND ${expect} ${WORKBOOK_PYTHON} "${WORKBOOK_HARNESS}" --firmware uefi ${boot}
              --timeout ${_wt_TIMEOUT}
              ${_wt_ARGS})
    math(EXPR backstop "${_wt_TIMEOUT} + 30")
    set_tests_properties(${WORKBOOK_STAGE}/uefi/${test} PROPERTIES
      LABELS "${WORKBOOK_STAGE};uefi" TIMEOUT ${backstop})
  endif()
  if(_wt__UEFI_ONLY)
    return()
  endif()
  workbook_boot_arguments(boot ${_wt_KERNEL} ${_wt_GRUB})
  add_test(NAME ${WORKBOOK_STAGE}/${test}
    COMMAND ${expect} ${WORKBOOK_PYTHON} "${WORKBOOK_HARNESS}" ${boot}
            --timeout ${_wt_TIMEOUT}
            ${_wt_ARGS})
  # CTest's own timeout is a backstop above the harness's, which reports hangs itself.
  math(EXPR backstop "${_wt_TIMEOUT} + 30")
  set_tests_properties(${WORKBOOK_STAGE}/${test} PROPERTIES LABELS "${labels}" TIMEOUT ${backstop})
  if(_wt_BOCHS AND WORKBOOK_BOCHS_TESTS)
    workbook_boot_arguments(boot ${_wt_KERNEL} TRUE)
    add_test(NAME ${WORKBOOK_STAGE}/bochs/${test}
      COMMAND ${expect} ${WORKBOOK_PYTHON} "${WORKBOOK_HARNESS}" --emulator bochs ${boot}
              --timeout ${WORKBOOK_BOCHS_TEST_TIMEOUT}
              ${_wt_ARGS})
    math(EXPR backstop "${WORKBOOK_BOCHS_TEST_TIMEOUT} + 30")
    set_tests_properties(${WORKBOOK_STAGE}/bochs/${test} PROPERTIES
      LABELS "${WORKBOOK_STAGE};bochs" TIMEOUT ${backstop})
  endif()
endfunction()

# Only the UEFI variant of a test (see workbook_test's UEFI): for a test whose BIOS version is
# registered some other way (workbook_unit_tests), or that exists only under UEFI.
function(workbook_uefi_test test)
  workbook_test(${test} UEFI _UEFI_ONLY ${ARGN})
endfunction()

# A test that runs a script of its own (ELF checks, GDB) rather than the harness.
function(workbook_script_test test)
  cmake_parse_arguments(_ws "" "" "COMMAND" ${ARGN})
  add_test(NAME ${WORKBOOK_STAGE}/${test} COMMAND ${_ws_COMMAND})
  set_tests_properties(${WORKBOOK_STAGE}/${test} PROPERTIES LABELS ${WORKBOOK_STAGE} TIMEOUT 120)
endfunction()

# The in-kernel tests of kernel <kernel>: the names of the lines that begin with KERNEL_TEST(name)
# in the sources it links tests from. Only at the start of a line, so test_framework.h's
# `#define KERNEL_TEST(name)` and the examples in comments are not tests. The sources become
# configure dependencies: a new KERNEL_TEST makes the next build configure again, and so gets
# its CTest test without a list to edit.
function(workbook_kernel_tests out kernel)
  set(target ${WORKBOOK_STAGE_PREFIX}_${kernel})
  if(NOT TARGET ${target})
    message(FATAL_ERROR "workbook_kernel_tests: no kernel ${kernel} in ${WORKBOOK_STAGE} (workbook_kernel makes one)")
  endif()
  get_target_property(sources ${target} WORKBOOK_TEST_SOURCES)
  set(tests "")
  foreach(source IN LISTS sources)
    get_filename_component(path "${source}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${path}")
    file(STRINGS "${path}" lines REGEX "^KERNEL_TEST\\([A-Za-z_][A-Za-z0-9_]*\\)")
    foreach(line IN LISTS lines)
      if(line MATCHES "^KERNEL_TEST\\(([A-Za-z_][A-Za-z0-9_]*)\\)")
        if(CMAKE_MATCH_1 IN_LIST tests)
          message(FATAL_ERROR "${WORKBOOK_STAGE} kernel ${kernel}: two in-kernel tests named ${CMAKE_MATCH_1} "
                              "(the second in ${source}); the test filter could not tell them apart")
        endif()
        list(APPEND tests ${CMAKE_MATCH_1})
      endif()
    endforeach()
  endforeach()
  set(${out} ${tests} PARENT_SCOPE)
endfunction()

function(workbook_unit_tests kernel)
  set(uefi "")
  if(ARGN STREQUAL "UEFI")
    set(uefi UEFI)
  elseif(ARGN)
    message(FATAL_ERROR "workbook_unit_tests(${kernel} [UEFI]): takes only the kernel; its tests are found "
                        "in its sources (not understood: ${ARGN})")
  endif()
  workbook_kernel_tests(tests ${kernel})
  list(LENGTH tests count)
  if(count EQUAL 0)
    message(FATAL_ERROR "workbook_unit_tests(${kernel}): no line in its sources starts with KERNEL_TEST(")
  endif()
  # One boot running every registered test. The count must be the number found: a test the
  # scan missed (an indented KERNEL_TEST, one made by another macro) would otherwise run only
  # here, without a CTest test of its own.
  # With UEFI, that one boot also runs on OVMF (not each test alone: OVMF's 4 s each).
  workbook_test(${kernel} KERNEL ${kernel} ${uefi} ARGS --expect exit "--serial=Running ${count} tests")
  foreach(test IN LISTS tests)
    workbook_test(${test} KERNEL ${kernel} ARGS --expect exit --test-filter ${test})
  endforeach()
endfunction()
