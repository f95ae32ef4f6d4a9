#!/usr/bin/env python3
"""check_excerpts.py [--root DIR] [--selftest] -- keeps the book honest about the code it quotes.

Every fenced code block in book/*.md whose info string names a file, as in

    ```cpp file=common/boot/boot.S

quotes that file (the path is relative to the repository root). The check passes when

  * the file exists, and
  * the block's lines appear in it as one contiguous run of lines, or, when the block contains
    elision lines (a line that is only `// ...` or `# ...`, indentation allowed), each run of lines
    between elisions appears contiguously, and the runs appear in the file in the same order.

Lines are compared with trailing whitespace removed; leading whitespace must match exactly.
The classroom kit's lab markers (`// LAB(name): ...`, `// STUB: ...`, `// END LAB(name)`, see
book/teaching.md) are left out of the file before comparing: the book quotes the code, not them.

It also checks book/README.md, the index: every chapter it links to (a relative link to a .md
file) must exist, every chapter file in book/ must be linked from it, and every relative link in
any chapter must point at a file or directory that exists.

Each problem is printed as `book/<chapter>:<line>: <what>`; the status is 1 if there is any.
--selftest runs the checker against small made-up files and checks that it notices drift."""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
FILE_ATTR = re.compile(r"(?:^|\s)file=(?P<path>\S+)")
ELISION = re.compile(r"^\s*(//|#) \.\.\.$")
LAB_MARKER = re.compile(r"^\s*// (LAB\([a-z0-9-]+\): |STUB:|END LAB\()")
# [text](target) -- the target up to the first space or closing parenthesis.
LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
CHAPTER_NAME = re.compile(r"^\d\d-[a-z0-9-]+\.md$")


@dataclass
class Excerpt:
    chapter: Path      # the Markdown file
    line: int          # 1-based line of the opening fence
    path: str          # the quoted file, relative to the repository root
    lines: list[str]   # the block's content lines


def parse_excerpts(chapter: Path) -> tuple[list[Excerpt], list[str], set[int]]:
    """The quoting blocks of one Markdown file, problems with its fences, and the (1-based)
    numbers of all lines that belong to code blocks, fences included."""
    excerpts: list[Excerpt] = []
    problems: list[str] = []
    code_lines: set[int] = set()
    text = chapter.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(text):
        m = FENCE.match(text[i])
        if not m:
            i += 1
            continue
        fence, info, start = m.group("fence"), m.group("info"), i
        body: list[str] = []
        i += 1
        closed = False
        while i < len(text):
            close = re.match(r"^ {0,3}(`{3,}|~{3,})\s*$", text[i])
            if close and close.group(1)[0] == fence[0] and len(close.group(1)) >= len(fence):
                closed = True
                break
            body.append(text[i])
            i += 1
        code_lines.update(range(start + 1, i + 2))
        i += 1
        if not closed:
            problems.append(f"{start + 1}: code block is never closed")
            continue
        attr = FILE_ATTR.search(info)
        if attr:
            excerpts.append(Excerpt(chapter, start + 1, attr.group("path"), body))
    return excerpts, problems, code_lines


def find_run(haystack: list[str], run: list[str], start: int) -> int:
    """Index of the first occurrence of run in haystack at or after start, or -1."""
    n = len(run)
    for pos in range(start, len(haystack) - n + 1):
        if haystack[pos:pos + n] == run:
            return pos
    return -1


def explain_mismatch(haystack: list[str], run: list[str], start: int) -> str:
    """Names the first line of run that keeps it from matching anywhere after start."""
    best_len, best_pos = 0, -1
    for pos in range(start, len(haystack)):
        k = 0
        while k < len(run) and pos + k < len(haystack) and haystack[pos + k] == run[k]:
            k += 1
        if k > best_len:
            best_len, best_pos = k, pos
    if best_len == 0:
        return f"line {run[0]!r} is not in the file" + (" (after the previous run)" if start else "")
    got = haystack[best_pos + best_len] if best_pos + best_len < len(haystack) else "<end of file>"
    return (f"block line {best_len + 1} differs from the file: the block has {run[best_len]!r}, "
            f"the file (line {best_pos + best_len + 1}) has {got!r}")


def check_excerpt(root: Path, ex: Excerpt) -> str | None:
    target = root / ex.path
    if not target.is_file():
        return f"quotes {ex.path}, which does not exist"
    haystack = [line.rstrip() for line in target.read_text(encoding="utf-8", errors="replace").split("\n")
                if not LAB_MARKER.match(line)]
    runs: list[list[str]] = [[]]
    for line in ex.lines:
        if ELISION.match(line):
            runs.append([])
        else:
            runs[-1].append(line.rstrip())
    runs = [r for r in runs if r]
    if not runs:
        return f"the excerpt of {ex.path} is empty"
    pos = 0
    for number, run in enumerate(runs, 1):
        found = find_run(haystack, run, pos)
        if found < 0:
            which = f" (run {number} of {len(runs)})" if len(runs) > 1 else ""
            return (f"the excerpt of {ex.path}{which} does not match the file: "
                    + explain_mismatch(haystack, run, pos))
        pos = found + len(run)
    return None


def check_links(chapter: Path, code_lines: set[int]) -> list[str]:
    """Relative links outside code blocks must point at something that exists."""
    problems = []
    for number, line in enumerate(chapter.read_text(encoding="utf-8").split("\n"), 1):
        if number in code_lines:
            continue
        line = re.sub(r"`[^`]*`", "", line)  # no links inside inline code
        for m in LINK.finditer(line):
            target = m.group("target")
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # web address, mail address, or an anchor in the same page
            path = target.split("#", 1)[0]
            if not path:
                continue
            resolved = (chapter.parent / path).resolve()
            if not resolved.exists():
                problems.append(f"{number}: link to {target}, which does not exist")
    return problems


def check_index(book: Path) -> list[str]:
    index = book / "README.md"
    if not index.is_file():
        return ["README.md: the book has no index"]
    problems = []
    linked = set()
    for number, line in enumerate(index.read_text(encoding="utf-8").split("\n"), 1):
        for m in LINK.finditer(line):
            name = m.group("target").split("#", 1)[0]
            if CHAPTER_NAME.match(name):
                linked.add(name)
                if not (book / name).is_file():
                    problems.append(f"README.md:{number}: lists chapter {name} as available, "
                                    "but the file does not exist")
    for chapter in sorted(book.glob("[0-9][0-9]-*.md")):
        if chapter.name not in linked:
            problems.append(f"README.md: chapter {chapter.name} exists but the index does not link to it")
    return problems


def check_book(root: Path) -> tuple[list[str], int]:
    book = root / "book"
    problems = [f"book/{p}" for p in check_index(book)]
    count = 0
    for chapter in sorted(book.glob("*.md")):
        name = f"book/{chapter.name}"
        excerpts, fence_problems, code_lines = parse_excerpts(chapter)
        problems += [f"{name}:{p}" for p in fence_problems]
        problems += [f"{name}:{p}" for p in check_links(chapter, code_lines)]
        for ex in excerpts:
            count += 1
            problem = check_excerpt(root, ex)
            if problem:
                problems.append(f"{name}:{ex.line}: {problem}")
    return problems, count


def selftest() -> int:
    """Checks the checker: a faithful book passes, each kind of drift is caught."""
    source = "int a = 1;\nint b = 2;   \nint c = 3;\nint d = 4;\n"
    good = ("# Chapter\n\n```cpp file=src/x.cpp\nint b = 2;\nint c = 3;\n```\n\n"
            "```cpp file=src/x.cpp\nint a = 1;\n// ...\nint d = 4;\n```\n\n"
            "```cpp\nnot a quote, not checked\n```\n\n[source](../src/x.cpp)\n")
    cases = {
        "faithful": (good, True),
        "changed line": (good.replace("int c = 3;\n```", "int c = 30;\n```", 1), False),
        "not contiguous": (good.replace("int b = 2;\nint c = 3;", "int a = 1;\nint c = 3;", 1), False),
        "runs out of order": (good.replace("int a = 1;\n// ...\nint d = 4;", "int d = 4;\n// ...\nint a = 1;"), False),
        "missing file": (good.replace("file=src/x.cpp", "file=src/y.cpp", 1), False),
        "broken link": (good.replace("../src/x.cpp)", "../src/z.cpp)"), False),
        "unclosed block": (good + "\n```cpp file=src/x.cpp\nint a = 1;\n", False),
        "lab markers in the file": (good.replace("file=src/x.cpp", "file=src/lab.cpp"), True),
        "lab stub in the book": (good.replace("file=src/x.cpp\nint b", "file=src/lab.cpp\n// STUB: x\nint b"), False),
    }
    failures = 0
    for name, (chapter, should_pass) in cases.items():
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "src").mkdir()
            (root / "src/x.cpp").write_text(source)
            (root / "src/lab.cpp").write_text(source.replace(
                "int b", "// LAB(x): write b and c\n// STUB: panic(\"lab x: not written yet\");\nint b").replace(
                "int c = 3;\n", "int c = 3;\n// END LAB(x)\n"))
            (root / "book").mkdir()
            (root / "book/01-x.md").write_text(chapter)
            (root / "book/README.md").write_text("# Book\n\n- [One](01-x.md)\n- Two (coming)\n")
            problems, _ = check_book(root)
            if (not problems) != should_pass:
                failures += 1
                print(f"selftest: {name}: expected {'a pass' if should_pass else 'a failure'}, "
                      f"got {problems or 'a pass'}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "book").mkdir()
        (root / "book/README.md").write_text("- [One](01-x.md)\n")
        if not check_book(root)[0]:
            failures += 1
            print("selftest: an index entry without its chapter file was not reported")
        (root / "book/README.md").write_text("- One (coming)\n")
        (root / "book/01-x.md").write_text("# One\n")
        if not check_book(root)[0]:
            failures += 1
            print("selftest: a chapter missing from the index was not reported")
    print(f"selftest: {'all cases behave' if failures == 0 else f'{failures} case(s) misbehave'}")
    return 1 if failures else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                   help="the repository root (default: the parent of book/)")
    p.add_argument("--selftest", action="store_true", help="test the checker itself")
    args = p.parse_args()
    if args.selftest:
        return selftest()
    problems, count = check_book(args.root.resolve())
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_excerpts: {len(problems)} problem(s)")
        return 1
    print(f"check_excerpts: {count} excerpts match their files; the index and links are in order")
    return 0


if __name__ == "__main__":
    sys.exit(main())
