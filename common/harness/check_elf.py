#!/usr/bin/env python3
"""check_elf.py KERNEL.elf -- checks that a kernel binary is freestanding.

Passes when the ELF is a static x86_64 executable whose entry point is _start, with no undefined
symbols, no symbol from the C library or the C++ runtime, and no interpreter (PT_INTERP) or
dynamic section. Each problem found is printed; the status is 1 if there is any."""

import re
import subprocess
import sys

# Names that only a hosted C or C++ runtime would bring in.
HOSTED = re.compile(
    r"^(_?_?libc_|__libc|__gmon_start__|_IO_|_dl_|__stack_chk_fail$|_Unwind_|__gxx_personality"
    r"|__cxa_(allocate|throw|begin_catch|end_catch|rethrow|atexit|finalize|guard_)"
    r"|_ZSt|_ZNSt|_ZTI|_ZTS|malloc$|free$|printf$|puts$|abort$|exit$|_exit$|__assert_fail$"
    r"|__errno_location$|__libc_start_main$|__libc_single_threaded$|__tls_get_addr$)")


def run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    elf = sys.argv[1]
    problems = []

    header = run("readelf", "-h", elf)
    if "EXEC (Executable file)" not in header:
        problems.append("not a static executable (ELF type is not EXEC)")
    if "Advanced Micro Devices X86-64" not in header:
        problems.append("not an x86_64 binary")
    entry = int(re.search(r"Entry point address:\s+(0x[0-9a-f]+)", header).group(1), 16)

    program_headers = run("readelf", "-l", "-W", elf)
    if "INTERP" in program_headers:
        problems.append("has a program interpreter (PT_INTERP): it would need a dynamic loader")
    if "DYNAMIC" in program_headers:
        problems.append("has a dynamic segment (PT_DYNAMIC)")
    sections = run("readelf", "-S", "-W", elf)
    for name in (".interp", ".dynamic", ".dynsym", ".plt", ".got.plt"):
        if re.search(rf"\s{re.escape(name)}\s", sections):
            problems.append(f"has a {name} section")

    undefined = run("nm", "-u", elf).split()
    undefined = [s for s in undefined if s not in ("U", "w")]
    if undefined:
        problems.append("undefined symbols: " + ", ".join(undefined))

    symbols = {}
    for line in run("nm", elf).splitlines():
        parts = line.split()
        if len(parts) == 3:
            symbols[parts[2]] = int(parts[0], 16)
    hosted = sorted(s for s in symbols if HOSTED.match(s))
    if hosted:
        problems.append("symbols from a hosted runtime: " + ", ".join(hosted))
    if "GLIBC_" in run("strings", "-a", elf):
        problems.append("mentions a GLIBC symbol version")

    if symbols.get("_start") != entry:
        problems.append(f"entry point {entry:#x} is not _start "
                        f"({symbols['_start']:#x})" if "_start" in symbols else "has no _start symbol")

    for p in problems:
        print(f"check_elf: {elf}: {p}")
    if problems:
        return 1
    print(f"check_elf: {elf}: freestanding static x86_64 executable, entry _start at {entry:#x}, "
          f"{len(symbols)} symbols, none undefined, none from libc or libstdc++")
    return 0


if __name__ == "__main__":
    sys.exit(main())
