#!/usr/bin/env python3
"""Checks that a kernel ISO is a hybrid one: xorriso's report of its El Torito boot images
(`xorriso -indev ISO -report_el_torito plain`) must list a BIOS image and a UEFI image, the first
what a BIOS boots from a CD, the second the EFI system partition image UEFI firmware boots GRUB's
EFI build from. Prints the images found; exits 1 when one is missing, saying which package makes it."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys

MISSING = {
    "BIOS": "GRUB's BIOS platform (Debian package grub-pc-bin)",
    "UEFI": "GRUB's EFI platform (Debian package grub-efi-amd64-bin) or mformat (Debian package mtools)",
}


def boot_images(report: str) -> dict[str, str]:
    """Platform (BIOS, UEFI) -> image path, from the plain report."""
    platforms = dict(re.findall(r"^El Torito boot img :\s+(\d+)\s+(\S+)\s", report, re.M))
    paths = dict(re.findall(r"^El Torito img path :\s+(\d+)\s+(\S+)", report, re.M))
    return {platform: paths.get(number, "?") for number, platform in platforms.items()}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("iso", nargs="+", help="the ISO files to check")
    a = p.parse_args()
    xorriso = shutil.which("xorriso")
    if xorriso is None:
        print("check_iso: xorriso not found; install it with: sudo apt-get install xorriso")
        return 2
    bad = 0
    for iso in a.iso:
        done = subprocess.run([xorriso, "-indev", iso, "-report_el_torito", "plain"],
                              capture_output=True, text=True)
        if done.returncode != 0:
            print(f"check_iso: {iso}: xorriso failed (status {done.returncode}):\n{done.stderr.strip()}")
            bad += 1
            continue
        images = boot_images(done.stdout)
        found = ", ".join(f"{k} {v}" for k, v in images.items()) or "none"
        missing = [k for k in ("BIOS", "UEFI") if k not in images]
        if missing:
            print(f"check_iso: {iso}: boot images: {found}; missing: "
                  + "; ".join(f"{k} (from {MISSING[k]})" for k in missing))
            bad += 1
        else:
            print(f"check_iso: {iso}: boot images: {found}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
