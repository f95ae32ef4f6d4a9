# Blocks that several stages had copied, as functions. They hold the mechanics only: what a test
# checks (its cases, the errors and texts it expects) stays in the stage's CMakeLists.txt, which
# thus still lists the tests that prove the stage.
#
#   workbook_compile_test(<test> SOURCE <file> DEFINITIONS <defs...> [EXPECT_ERROR <regex>] [KERNEL])
#       A CTest test <stage>/<test>, labeled <stage> and host, that runs the C++ compiler over
#       <file> (C++20, -fsyntax-only, the stage's src/ on the include path, each definition as
#       -D). With EXPECT_ERROR the code must not compile, for the reason given: the test passes
#       only when the compiler's output matches <regex> (the name of the error the code is meant
#       to trigger), so a typo or a missing include, which fails to compile too, does not pass.
#       Without it the code must compile cleanly under -Wall -Wextra -Werror: the control case,
#       which a check that rejected everything would fail. KERNEL adds the kernel's code-generation
#       options that [[gnu::interrupt]] functions need (no SSE, no x87 state to save).
#   workbook_allocator_option(<out-var>)
#       The cache variable WORKBOOK_ALLOCATOR, the design of the kernel heap's allocator (bump,
#       linked_list or fixed_size_block, the default), checked; sets <out-var> to the definition
#       that selects the design in allocator.cpp (KERNEL_ALLOCATOR_FIXED_SIZE_BLOCK).
#   workbook_frames_test(<test> KERNEL <name> [ARGS <harness arguments...>])
#       A kernel that prints the memory map and the frames its frame allocator hands out
#       (tests/memory_map.cpp), booted through GRUB on SeaBIOS (<stage>/<test>) and on OVMF
#       (<stage>/uefi/<test>, label uefi): the two firmwares' maps differ, and under each
#       common/harness/check_frames.py checks every frame against the map the kernel printed.

function(workbook_compile_test test)
  cmake_parse_arguments(_wc "KERNEL" "SOURCE;EXPECT_ERROR" "DEFINITIONS" ${ARGN})
  if(_wc_UNPARSED_ARGUMENTS OR NOT _wc_SOURCE)
    message(FATAL_ERROR "workbook_compile_test(${test}): needs SOURCE <file>; not understood: ${_wc_UNPARSED_ARGUMENTS}")
  endif()
  set(flags -std=c++20 -fsyntax-only)
  # Sized operator delete, as the kernels and the host tests are compiled (g++ has it by default).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    list(APPEND flags -fsized-deallocation)
  endif()
  if(_wc_KERNEL AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    list(APPEND flags -mgeneral-regs-only)
  elseif(_wc_KERNEL)
    # As in Kernel.cmake: no SSE/MMX, and the interrupt-handler warning off under the name this
    # clang knows.
    list(APPEND flags -mno-sse -mno-sse2 -mno-mmx)
    if(WORKBOOK_CXX_HAS_WINTERRUPT_SERVICE_ROUTINE)
      list(APPEND flags -Wno-interrupt-service-routine)
    elseif(WORKBOOK_CXX_HAS_WEXCESSIVE_REGSAVE)
      list(APPEND flags -Wno-excessive-regsave)
    endif()
  endif()
  if(NOT DEFINED _wc_EXPECT_ERROR)
    list(APPEND flags -Wall -Wextra -Werror)
  endif()
  list(TRANSFORM _wc_DEFINITIONS PREPEND -D)
  get_filename_component(source "${_wc_SOURCE}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  add_test(NAME ${WORKBOOK_STAGE}/${test}
    COMMAND ${CMAKE_CXX_COMPILER} ${flags} -I "${CMAKE_CURRENT_SOURCE_DIR}/src" ${_wc_DEFINITIONS} "${source}")
  set_tests_properties(${WORKBOOK_STAGE}/${test} PROPERTIES LABELS "${WORKBOOK_STAGE};host")
  if(DEFINED _wc_EXPECT_ERROR)
    set_tests_properties(${WORKBOOK_STAGE}/${test} PROPERTIES PASS_REGULAR_EXPRESSION "${_wc_EXPECT_ERROR}")
  endif()
endfunction()

function(workbook_allocator_option out_var)
  set(WORKBOOK_ALLOCATOR fixed_size_block CACHE STRING
    "The kernel heap's allocator in stage 11 and later: bump, linked_list or fixed_size_block")
  set_property(CACHE WORKBOOK_ALLOCATOR PROPERTY STRINGS bump linked_list fixed_size_block)
  if(NOT WORKBOOK_ALLOCATOR MATCHES "^(bump|linked_list|fixed_size_block)$")
    message(FATAL_ERROR "WORKBOOK_ALLOCATOR is '${WORKBOOK_ALLOCATOR}'; choose bump, linked_list or fixed_size_block")
  endif()
  string(TOUPPER "KERNEL_ALLOCATOR_${WORKBOOK_ALLOCATOR}" definition)
  set(${out_var} ${definition} PARENT_SCOPE)
endfunction()

function(workbook_frames_test test)
  cmake_parse_arguments(_wf "" "KERNEL" "ARGS" ${ARGN})
  if(_wf_UNPARSED_ARGUMENTS OR NOT _wf_KERNEL)
    message(FATAL_ERROR "workbook_frames_test(${test}): needs KERNEL <name>; not understood: ${_wf_UNPARSED_ARGUMENTS}")
  endif()
  workbook_test(${test} KERNEL ${_wf_KERNEL} GRUB UEFI ARGS ${_wf_ARGS}
    WRAP ${WORKBOOK_PYTHON} "${WORKBOOK_COMMON_DIR}/harness/check_frames.py" --)
endfunction()
