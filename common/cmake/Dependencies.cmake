# Configure-time check for the tools that turn a kernel into a bootable ISO and run it. Each
# missing tool stops the configuration with the Debian package that provides it; `./workbook`
# installs them on its own (see README.md).

set(_workbook_missing "")
macro(_workbook_require var program package)
  find_program(${var} ${program})
  if(NOT ${var})
    list(APPEND _workbook_missing "${program} (Debian package ${package})")
  endif()
endmacro()

_workbook_require(WORKBOOK_QEMU qemu-system-x86_64 qemu-system-x86)
_workbook_require(WORKBOOK_GRUB_MKRESCUE grub-mkrescue grub-common)
_workbook_require(WORKBOOK_XORRISO xorriso xorriso)
_workbook_require(WORKBOOK_MFORMAT mformat mtools)

# grub-mkrescue builds a BIOS-bootable image only when GRUB's i386-pc modules are installed;
# without them the ISO it writes boots on nothing.
set(WORKBOOK_GRUB_LIB_DIR "/usr/lib/grub" CACHE PATH "where GRUB's platform module directories are")
if(NOT EXISTS "${WORKBOOK_GRUB_LIB_DIR}/i386-pc/multiboot2.mod")
  list(APPEND _workbook_missing "GRUB's BIOS modules ${WORKBOOK_GRUB_LIB_DIR}/i386-pc (Debian package grub-pc-bin)")
endif()

find_package(Python3 3.9 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  list(APPEND _workbook_missing "python3 (Debian package python3), which runs the test harness")
else()
  # The python3 found on PATH may be a version manager's shim: pyenv's is a shell script that
  # runs pyenv to pick an interpreter, about 0.5 s of CPU at each start. CTest starts Python for
  # nearly every test, so the tests and build steps run the interpreter the shim picks.
  execute_process(COMMAND "${Python3_EXECUTABLE}" -S -c "import sys; print(sys.executable)"
                  OUTPUT_VARIABLE _workbook_python OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE _workbook_python_status ERROR_QUIET)
  if(_workbook_python_status EQUAL 0 AND IS_ABSOLUTE "${_workbook_python}" AND EXISTS "${_workbook_python}"
     AND NOT _workbook_python STREQUAL Python3_EXECUTABLE)
    message(STATUS "Python: ${Python3_EXECUTABLE} runs ${_workbook_python}; the tests start that directly")
    set(Python3_EXECUTABLE "${_workbook_python}")
  endif()
endif()

if(_workbook_missing)
  list(JOIN _workbook_missing "\n  " _workbook_missing_text)
  message(FATAL_ERROR
    "Missing tools:\n  ${_workbook_missing_text}\n"
    "Install them with: sudo apt-get install qemu-system-x86 grub-common grub-pc-bin xorriso mtools python3\n"
    "(or run ./workbook, which installs what is missing).")
endif()

if(EXISTS "${WORKBOOK_GRUB_LIB_DIR}/x86_64-efi/multiboot2.mod")
  set(WORKBOOK_ISO_KIND "hybrid BIOS+UEFI")
else()
  set(WORKBOOK_ISO_KIND "BIOS")
endif()
message(STATUS "Kernel ISOs: ${WORKBOOK_ISO_KIND} (grub-mkrescue: ${WORKBOOK_GRUB_MKRESCUE})")
