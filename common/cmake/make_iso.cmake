# cmake -DKERNEL=<elf> -DISO=<iso> -DNAME=<menu title> -DGRUB_MKRESCUE=<path> -P make_iso.cmake
#
# Lays out an ISO tree (boot/kernel.elf and a grub.cfg that boots it at once) and runs
# grub-mkrescue on it. grub-mkrescue's chatter is shown only when it fails.
get_filename_component(_dir "${ISO}" DIRECTORY)
get_filename_component(_base "${ISO}" NAME_WE)
set(_tree "${_dir}/${_base}.isodir")
file(REMOVE_RECURSE "${_tree}")
file(MAKE_DIRECTORY "${_tree}/boot/grub")
file(COPY_FILE "${KERNEL}" "${_tree}/boot/kernel.elf")
file(WRITE "${_tree}/boot/grub/grub.cfg"
  "set timeout=0\n"
  "set default=0\n"
  "menuentry \"${NAME}\" {\n"
  "    multiboot2 /boot/kernel.elf\n"
  "    if [ \"$grub_platform\" = efi ]; then insmod all_video; else set gfxpayload=text; fi\n"
  "    boot\n"
  "}\n")
# Under UEFI GRUB needs a video driver (all_video: efi_gop among others) to set up the
# framebuffer the kernel's multiboot2 header asks for; under BIOS gfxpayload=text keeps the VGA
# text mode despite that request. all_video and test ([) exist for both platforms.
# No biosdisk in --install-modules: the BIOS core image always has it, and with GRUB's EFI
# modules installed too (a hybrid image) grub-mkrescue fails looking for an EFI biosdisk.mod.
# No --compress: GRUB would unpack xz-compressed modules at every boot, which takes Bochs about
# 4 s of a 7 s boot; uncompressed, a BIOS image grows only from 0.64 to 0.82 MB.
execute_process(
  COMMAND "${GRUB_MKRESCUE}" -o "${ISO}" "${_tree}"
          --fonts= --locales= --themes=
          "--install-modules=multiboot2 normal iso9660 part_msdos all_video test"
  RESULT_VARIABLE _result
  OUTPUT_VARIABLE _out
  ERROR_VARIABLE _out)
if(NOT _result EQUAL 0 OR NOT EXISTS "${ISO}")
  message(FATAL_ERROR "grub-mkrescue failed (status ${_result}) making ${ISO}:\n${_out}")
endif()
file(REMOVE_RECURSE "${_tree}")
