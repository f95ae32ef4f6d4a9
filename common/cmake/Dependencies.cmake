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

if(NOT EXISTS "${WORKBOOK_GRUB_LIB_DIR}/x86_64-efi/multiboot2.mod")
  list(APPEND _workbook_missing "GRUB's UEFI modules ${WORKBOOK_GRUB_LIB_DIR}/x86_64-efi (Debian package grub-efi-amd64-bin)")
endif()
set(_workbook_packages "qemu-system-x86 grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools ovmf python3")

if(_workbook_missing)
  list(JOIN _workbook_missing "\n  " _workbook_missing_text)
  message(FATAL_ERROR
    "Missing tools:\n  ${_workbook_missing_text}\n"
    "Install them with: sudo apt-get install ${_workbook_packages}\n"
    "(or run ./workbook, which installs what is missing).")
endif()

# Every ISO is a hybrid: bootable from BIOS (GRUB's i386-pc image) and UEFI (an EFI system
# partition image holding GRUB's x86_64-efi build). grub-mkrescue leaves out a platform whose
# pieces are missing without failing, so the packages being there proves little: a tiny ISO is
# made here the way make_iso.cmake makes a kernel's, and xorriso's report of its El Torito boot
# images must list both platforms.
set(_probe "${CMAKE_BINARY_DIR}/CMakeFiles/workbook-iso-probe")
file(REMOVE_RECURSE "${_probe}")
file(MAKE_DIRECTORY "${_probe}/tree/boot/grub")
file(WRITE "${_probe}/tree/boot/grub/grub.cfg" "set timeout=0\n")
execute_process(
  COMMAND "${WORKBOOK_GRUB_MKRESCUE}" -o "${_probe}/probe.iso" "${_probe}/tree"
          --fonts= --locales= --themes= "--install-modules=multiboot2 normal iso9660 part_msdos"
  RESULT_VARIABLE _probe_result OUTPUT_VARIABLE _probe_out ERROR_VARIABLE _probe_out)
if(NOT _probe_result EQUAL 0)
  message(FATAL_ERROR "grub-mkrescue could not make a test ISO (status ${_probe_result}):\n${_probe_out}")
endif()
execute_process(
  COMMAND "${WORKBOOK_XORRISO}" -indev "${_probe}/probe.iso" -report_el_torito plain
  RESULT_VARIABLE _probe_result OUTPUT_VARIABLE _probe_report ERROR_QUIET)
file(REMOVE_RECURSE "${_probe}")
set(_probe_missing "")
if(NOT _probe_report MATCHES "El Torito boot img : +[0-9]+ +BIOS ")
  list(APPEND _probe_missing "no BIOS boot image: GRUB's BIOS platform is missing (Debian package grub-pc-bin)")
endif()
if(NOT _probe_report MATCHES "El Torito boot img : +[0-9]+ +UEFI ")
  list(APPEND _probe_missing "no UEFI boot image: GRUB's EFI platform (Debian package grub-efi-amd64-bin) "
                             "or mformat (Debian package mtools) is missing")
endif()
if(_probe_missing)
  list(JOIN _probe_missing "\n  " _probe_missing)
  message(FATAL_ERROR
    "A test ISO made by ${WORKBOOK_GRUB_MKRESCUE} is not a hybrid BIOS+UEFI one:\n  ${_probe_missing}\n"
    "xorriso -report_el_torito plain said:\n${_probe_report}\n"
    "Install the packages with: sudo apt-get install ${_workbook_packages}\n"
    "(or run ./workbook, which installs what is missing).")
endif()
message(STATUS "Kernel ISOs: hybrid BIOS+UEFI (grub-mkrescue: ${WORKBOOK_GRUB_MKRESCUE}; a test ISO lists both boot images)")

# UEFI firmware for QEMU (OVMF), for the tests labeled uefi; common/harness/qemu.py finds it the
# same way at run time. Without it those tests are left out.
set(WORKBOOK_OVMF "")
foreach(_ovmf IN ITEMS /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_CODE.fd
                       /usr/share/edk2/ovmf/OVMF_CODE.fd /usr/share/ovmf/OVMF.fd /usr/share/qemu/OVMF.fd)
  if(EXISTS "${_ovmf}")
    set(WORKBOOK_OVMF "${_ovmf}")
    break()
  endif()
endforeach()
if(WORKBOOK_OVMF)
  set(WORKBOOK_UEFI_TESTS ON)
  message(STATUS "UEFI tests (label uefi): registered (OVMF: ${WORKBOOK_OVMF})")
else()
  set(WORKBOOK_UEFI_TESTS OFF)
  message(STATUS "UEFI tests (label uefi): left out, no OVMF firmware: Debian package ovmf "
                 "(./workbook installs it)")
endif()
