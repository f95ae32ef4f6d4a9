#!/usr/bin/env python3
"""check_figures.py [--root DIR] -- keeps the book's SVG figures plain, readable and in use.

Every book/figures/*.svg must
  * be well-formed XML whose root is an <svg> with a viewBox at most MAX_WIDTH wide,
  * have a <title>, and a first <rect> that paints a white background,
  * hold its words as <text> (at least one) and contain no <image>, <font>, <foreignObject>,
    @font-face or external reference, so GitHub and a browser render it the same everywhere,
  * stay small (at most MAX_BYTES), so that a change to it is a readable diff,
  * be shown by at least one chapter (a Markdown image `](figures/NAME.svg)`) and be listed in
    book/figures/README.md.
A chapter's link to a figure that does not exist is check_excerpts.py's business (it checks all
relative links).

Each problem is printed as `book/figures/<file>: <what>`; the status is 1 if there is any."""

from __future__ import annotations

import argparse
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

SVG = "{http://www.w3.org/2000/svg}"
MAX_WIDTH = 800
MAX_BYTES = 20_000
WHITE = {"#fff", "#ffffff", "white"}
FORBIDDEN = ("image", "font", "foreignObject", "script")


def check_svg(path: Path) -> list[str]:
    problems: list[str] = []
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        problems.append(f"{len(data)} bytes, more than {MAX_BYTES}: split or simplify the figure")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        return problems + [f"not well-formed XML: {error}"]
    if root.tag != SVG + "svg":
        return problems + [f"root element is {root.tag}, not <svg> in the SVG namespace"]

    view_box = root.get("viewBox", "").replace(",", " ").split()
    if len(view_box) != 4:
        problems.append("no viewBox (min-x min-y width height)")
    elif float(view_box[2]) > MAX_WIDTH:
        problems.append(f"viewBox is {view_box[2]} wide, more than {MAX_WIDTH}")

    if root.find(SVG + "title") is None:
        problems.append("no <title>")
    first_rect = next(root.iter(SVG + "rect"), None)
    if first_rect is None or first_rect.get("fill", "").lower() not in WHITE:
        problems.append('the first <rect> must paint the background white (fill="#ffffff")')
    if next(root.iter(SVG + "text"), None) is None:
        problems.append("no <text>: words must be text, not paths")

    for element in root.iter():
        name = element.tag.replace(SVG, "")
        if name in FORBIDDEN:
            problems.append(f"contains <{name}>")
        for attribute, value in element.attrib.items():
            if attribute.endswith("href") and not value.startswith("#"):
                problems.append(f"<{name}> refers to {value}: figures must be self-contained")
        if name == "style" and element.text and "@font-face" in element.text:
            problems.append("embeds a font (@font-face)")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the repository root (default: the parent of book/)")
    args = parser.parse_args()
    book = args.root / "book"
    figures = book / "figures"
    if not figures.is_dir():
        print(f"check_figures: {figures} does not exist")
        return 1

    used: set[str] = set()
    for chapter in sorted(book.glob("[0-9][0-9]-*.md")):
        used.update(re.findall(r"\]\(figures/([^)\s]+\.svg)\)", chapter.read_text(encoding="utf-8")))
    readme = figures / "README.md"
    listed = readme.read_text(encoding="utf-8") if readme.is_file() else ""

    problems: list[str] = []
    svgs = sorted(figures.glob("*.svg"))
    for svg in svgs:
        where = f"book/figures/{svg.name}"
        problems += [f"{where}: {p}" for p in check_svg(svg)]
        if svg.name not in used:
            problems.append(f"{where}: no chapter shows it (![...](figures/{svg.name}))")
        if f"({svg.name})" not in listed:
            problems.append(f"{where}: not listed in book/figures/README.md")

    for problem in problems:
        print(problem)
    if problems:
        print(f"check_figures: {len(problems)} problem(s)")
        return 1
    print(f"check_figures: {len(svgs)} figures, all plain SVG, all shown and listed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
