#!/usr/bin/env python3
"""check_output.py --build DIR [--root DIR] [--compiler ID-VERSION] [--build-type TYPE] [--selftest]
-- keeps the book's printed output true to the kernels.

A fenced block in book/*.md that shows what a kernel prints is marked with an HTML comment on
the line before its fence (GitHub and the website do not show it):

    <!-- output: 05 screen -->                        the VGA screen of stage 05's main kernel
    <!-- output: 04 serial kernel=unit_tests -->      the serial output of a test kernel
    <!-- output: 02 monitor "info registers" -->      what QEMU's monitor answers to a command
    <!-- output: 07 screen keys="h e l l o" -->       the screen after typing (QEMU key names)
    <!-- output: 11 serial kernel=x ends=failure -->  a test kernel whose test fails on purpose

The check boots each kernel once (the main kernel from its GRUB ISO, a test kernel from its ELF),
at the moment screens.py takes its screenshot: a halting kernel once it has halted, a running one
(stage 07 on) once its last line and a few timer dots are on the screen, after the keys if any.
Kernels that exit (test kernels) are read when they have exited, which must be with QEMU's
success status unless the marker says ends=failure. Then each block must appear in
that output as it appears in a file quoted by an excerpt:

  * the block's lines stand in the output as consecutive lines, compared without trailing spaces;
  * a line that is only `[...]` leaves out any number of lines; `[...]` inside a line stands for
    any text (for instance what GRUB left on the screen's first row);
  * on the screen of a stage with a timer (07 on), the timer's dots are not compared: they may
    stand anywhere in the kernel's lines, and a run of dots in the block stands for one or more.

Every other character counts: addresses, counts, colours of words. The values hold for the
build the book was written against, REFERENCE below (g++ 12 in the RelWithDebInfo build, under
QEMU 7.2: Debian 12, the default preset). Another compiler lays the kernels out differently and
other QEMU and GRUB versions fill the screen and memory differently, so with any other build the
check says so and reports itself skipped (status 77) rather than passing or failing on values it
cannot judge.

A disagreement is reported as `book/<chapter>:<line>: ...`, naming the block's line and the
kernel's line it differs from; the status is 1 if there is any. --selftest checks the matching
rules on made-up output, without booting anything."""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_excerpts  # noqa: E402  (the same reading of fences)
import screens  # noqa: E402  (the same boot, at the same moment, as the screenshots)

REFERENCE = {"compiler": "GNU-12.", "build_type": "RelWithDebInfo", "qemu": "7.2."}
SKIPPED = 77
MARKER = re.compile(r"^\s*<!--\s*output:\s*(?P<spec>.*?)\s*-->\s*$")
ELISION = "[...]"
SOURCES = ("screen", "serial", "monitor")


@dataclass
class Block:
    chapter: Path
    line: int                 # 1-based line of the opening fence
    stage: str                # the stage directory
    source: str               # screen, serial or monitor
    command: str = ""         # the monitor command
    kernel: str = "kernel"
    keys: str | None = None
    ends: str = "success"     # how an exiting kernel must end: success, or failure
    lines: list[str] = field(default_factory=list)

    @property
    def boot_key(self) -> tuple[str, str, str | None, str]:
        return self.stage, self.kernel, self.keys, self.ends

    @property
    def dots(self) -> bool:
        return self.source == "screen" and self.kernel == "kernel" and screens.has_timer_dots(self.stage)


def stage_dirs(root: Path) -> list[str]:
    return sorted(d.name for d in root.iterdir() if re.fullmatch(r"\d\d-[A-Za-z0-9_.-]+", d.name)
                  and (d / "CMakeLists.txt").is_file())


def parse_marker(spec: str, stages: list[str]) -> tuple[dict, str | None]:
    """The marker's fields, or a problem."""
    try:
        words = shlex.split(spec)
    except ValueError as e:
        return {}, f"cannot read the output marker {spec!r}: {e}"
    if len(words) < 2:
        return {}, f"the output marker {spec!r} needs a stage and a source ({', '.join(SOURCES)})"
    name, source, rest = words[0], words[1], words[2:]
    found = [s for s in stages if s == name or (name.isdigit() and int(s[:2]) == int(name))]
    if not found:
        return {}, f"the output marker names stage {name!r}, which does not exist"
    if source not in SOURCES:
        return {}, f"the output marker's source is {source!r}; it must be one of {', '.join(SOURCES)}"
    fields: dict = {"stage": found[0], "source": source}
    if source == "monitor":
        if not rest or "=" in rest[0]:
            return {}, 'a monitor output marker names the command: monitor "info registers"'
        fields["command"], rest = rest[0], rest[1:]
    for word in rest:
        key, sep, value = word.partition("=")
        if not sep or key not in ("kernel", "keys", "ends") or not value:
            return {}, f"the output marker's {word!r} is not kernel=NAME, keys=\"KEYS\" or ends=failure"
        if key == "ends" and value not in ("success", "failure"):
            return {}, f"the output marker's {word!r}: a kernel ends with success or failure"
        fields[key] = value
    return fields, None


def parse_blocks(root: Path) -> tuple[list[Block], list[str]]:
    stages = stage_dirs(root)
    blocks: list[Block] = []
    problems: list[str] = []
    for chapter in sorted((root / "book").glob("*.md")):
        text = chapter.read_text(encoding="utf-8").split("\n")
        _, _, code_lines = check_excerpts.parse_excerpts(chapter)
        for i, line in enumerate(text):
            m = MARKER.match(line)
            if not m or i + 1 in code_lines:  # a marker shown inside a code block is an example
                continue
            where = f"book/{chapter.name}:{i + 1}"
            fields, problem = parse_marker(m.group("spec"), stages)
            if problem:
                problems.append(f"{where}: {problem}")
                continue
            fence = check_excerpts.FENCE.match(text[i + 1]) if i + 1 < len(text) else None
            if not fence:
                problems.append(f"{where}: an output marker must stand on the line just before a fenced block")
                continue
            body = []
            j = i + 2
            while j < len(text) and not re.match(r"^ {0,3}(`{3,}|~{3,})\s*$", text[j]):
                body.append(text[j])
                j += 1
            if j == len(text):
                problems.append(f"book/{chapter.name}:{i + 2}: the output block is never closed")
                continue
            blocks.append(Block(chapter, i + 2, lines=body, **fields))
    return blocks, problems


# --- matching ---------------------------------------------------------------------------------

def line_pattern(line: str, dots: bool) -> re.Pattern:
    """A block line as a regular expression over one line of output (see the module's rules)."""
    parts = line.rstrip().split(ELISION)
    if not dots:
        return re.compile(".*".join(re.escape(p) for p in parts))
    pieces = []
    for n, part in enumerate(parts):
        if n:
            pieces.append(".*")
        for run in re.findall(r"\.+|[^.]", part):
            pieces.append(r"\.+" if run.startswith(".") else re.escape(run))
    return re.compile(r"\.*" + r"\.*".join(pieces) + r"\.*")


def matches(pattern: re.Pattern, line: str) -> bool:
    return pattern.fullmatch(line.rstrip()) is not None


def compare(block: Block, output: list[str], what: str) -> str | None:
    """None when the block appears in the output; otherwise what differs, naming lines."""
    runs: list[list[tuple[int, str]]] = [[]]
    for n, line in enumerate(block.lines):
        if line.strip() == ELISION:
            runs.append([])
        else:
            runs[-1].append((block.line + 1 + n, line))
    runs = [r for r in runs if r]
    if not runs:
        return f"book/{block.chapter.name}:{block.line}: the output block is empty"
    pos = 0
    for run in runs:
        patterns = [line_pattern(line, block.dots) for _, line in run]
        found = -1
        for start in range(pos, len(output) - len(run) + 1):
            if all(matches(p, output[start + k]) for k, p in enumerate(patterns)):
                found = start
                break
        if found < 0:
            return explain(block, run, patterns, output, pos, what)
        pos = found + len(run)
    return None


def explain(block: Block, run, patterns, output: list[str], pos: int, what: str) -> str:
    """Names the first line of the run that keeps it from matching: where the longest part of
    the run matches, the line after it; if no line matches at all, the run's first line."""
    best_len, best_at = 0, -1
    for start in range(pos, len(output)):
        k = 0
        while k < len(run) and start + k < len(output) and matches(patterns[k], output[start + k]):
            k += 1
        if k > best_len:
            best_len, best_at = k, start
    shown = "\n".join(f"    | {line}" for line in output if line.strip()) or "    (nothing)"
    if best_len == 0:
        number, line = run[0]
        return (f"book/{block.chapter.name}:{number}: {line.rstrip()!r} is not in the {what}"
                + (" (after the block's earlier lines)" if pos else "") + f"; the {what} reads:\n{shown}")
    number, line = run[best_len]
    at = best_at + best_len
    got = output[at].rstrip() if at < len(output) else "<the end of the output>"
    # Screen rows are counted from 0, as the harness's --vga does; other lines from 1.
    place = f"row {at}" if block.source == "screen" else f"line {at + 1}"
    return (f"book/{block.chapter.name}:{number}: the book has {line.rstrip()!r}, the {what} has {got!r} "
            f"({place}); the {what} reads:\n{shown}")


def output_lines(block: Block, cap: screens.Capture) -> tuple[list[str], str]:
    """The output a block is compared with, as lines, and what to call it."""
    name = f"{block.stage}/{block.kernel}"
    if block.source == "screen":
        return (cap.screen.text().split("\n") if cap.screen else []), f"screen of {name}"
    if block.source == "serial":
        return cap.serial.replace("\r", "").split("\n"), f"serial output of {name}"
    return cap.monitor.get(block.command, "").replace("\r", "").split("\n"), \
        f"monitor's answer to {block.command!r} on {name}"


# --- the reference build ----------------------------------------------------------------------

def qemu_version() -> str:
    try:
        out = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True, text=True).stdout
    except OSError:
        return "?"
    m = re.search(r"version (\d+\.\d+\.\d+)", out)
    return m.group(1) if m else "?"


def reference_problem(compiler: str | None, build_type: str | None) -> str | None:
    """Why this build is not the one the book's values come from, or None."""
    have = {"compiler": compiler or "?", "build_type": build_type or "?", "qemu": qemu_version()}
    for key, want in REFERENCE.items():
        if not (have[key].startswith(want) if want.endswith(".") else have[key] == want):
            return (f"the book's printed values come from g++ 12 (RelWithDebInfo) under QEMU 7.2 "
                    f"(Debian 12, the default preset); this build has compiler {have['compiler']}, "
                    f"build type {have['build_type']}, QEMU {have['qemu']}")
    return None


# --- the check --------------------------------------------------------------------------------

def check(root: Path, build: Path, jobs: int, only: set[str] | None = None) -> tuple[list[str], int, int]:
    blocks, problems = parse_blocks(root)
    if only is not None:
        left_out = sorted({b.stage for b in blocks if b.stage not in only})
        if left_out:
            print(f"check_output: not compared, since this build leaves their stages out: the blocks "
                  f"of {', '.join(left_out)}")
        blocks = [b for b in blocks if b.stage in only]
    groups: dict[tuple, list[Block]] = {}
    for b in blocks:
        groups.setdefault(b.boot_key, []).append(b)

    def run(key: tuple) -> screens.Capture:
        stage, kernel, keys, ends = key
        commands = tuple(sorted({b.command for b in groups[key] if b.source == "monitor"}))
        return screens.boot(build, stage, kernel=kernel, keys=keys,
                            typed=screens.echo_of(keys) if keys else None,
                            monitor_commands=commands, ends=ends)

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        captures = dict(zip(groups, pool.map(run, groups)))
    for key, group in groups.items():
        cap = captures[key]
        if cap.error:
            places = ", ".join(f"book/{b.chapter.name}:{b.line}" for b in group)
            problems.append(f"{places}: {cap.error}")
            continue
        for b in group:
            lines, what = output_lines(b, cap)
            problem = compare(b, lines, what)
            if problem:
                problems.append(problem)
    return problems, len(blocks), len(groups)


def selftest() -> int:
    """The rules on made-up output: a faithful block passes, each kind of drift is caught."""
    screen = ["", "Hello World!", "Level 4 page table at: 0x108000", ".Usable memory: 130559 KiB",
              "It did not crash!", "..h.e.llo..", "", "Booting `x'"]
    cases = [
        ("faithful", ["Level 4 page table at: 0x108000", "Usable memory: 130559 KiB"], True, True),
        ("a changed value", ["Level 4 page table at: 0x109000"], True, False),
        ("lines not consecutive", ["Hello World!", "Usable memory: 130559 KiB"], True, False),
        ("an elided line", ["Hello World!", "[...]", "Usable memory: 130559 KiB"], True, True),
        ("elisions in order", ["It did not crash!", "[...]", "Hello World!"], True, False),
        ("dots typed between keys", ["It did not crash!", "....hello."], True, True),
        ("dots left out of the kernel's line", ["It did not crash!", "hello", ""], True, True),
        ("a dots line is only dots", ["It did not crash!", "...."], True, False),
        ("dots are compared without a timer", ["Usable memory: 130559 KiB"], False, False),
        ("text within a line", ["Boot[...]'"], False, True),
        ("a missing line", ["Goodbye"], True, False),
        ("trailing spaces", ["Hello World!   "], False, True),
    ]
    failures = 0
    for name, lines, dots, should_pass in cases:
        block = Block(Path("01-x.md"), 10, "07-x" if dots else "03-x", "screen", lines=lines)
        problem = compare(block, screen, "screen")
        if (problem is None) != should_pass:
            failures += 1
            print(f"selftest: {name}: expected {'a pass' if should_pass else 'a failure'}, got "
                  f"{problem or 'a pass'}")
    # A failure names the chapter and the block's line that differs.
    block = Block(Path("01-x.md"), 10, "07-x", "screen", lines=["Hello World!", "Level 4 page table at: 0x1"])
    problem = compare(block, screen, "screen") or ""
    if not problem.startswith("book/01-x.md:12: the book has 'Level 4 page table at: 0x1'"):
        failures += 1
        print(f"selftest: the report does not name the differing line: {problem!r}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "05-five").mkdir()
        (root / "05-five" / "CMakeLists.txt").write_text("")
        (root / "book").mkdir()
        (root / "book" / "05-five.md").write_text(
            "<!-- output: 5 screen -->\n```text\nHi\n```\n\n<!-- output: 6 screen -->\n```text\nHi\n```\n"
            "<!-- output: 05 screen -->\n\n```text\n```\n<!-- output: 05 sreen -->\n```text\n```\n"
            "````text\n<!-- output: 05 screen -->\n```text\nan example\n```\n````\n")
        blocks, problems = parse_blocks(root)
        if len(blocks) != 1 or blocks[0].stage != "05-five" or blocks[0].lines != ["Hi"] or len(problems) != 3:
            failures += 1
            print(f"selftest: markers read wrong: {blocks}, {problems}")
    stages = ["11-eleven"]
    fields, problem = parse_marker("11 serial kernel=k ends=failure", stages)
    if problem or fields.get("ends") != "failure":
        failures += 1
        print(f"selftest: ends=failure read wrong: {fields}, {problem}")
    if parse_marker("11 serial ends=crash", stages)[1] is None:
        failures += 1
        print("selftest: ends=crash was accepted")
    print(f"selftest: {'all cases behave' if failures == 0 else f'{failures} case(s) misbehave'}")
    return 1 if failures else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                   help="the repository root (default: the parent of book/)")
    p.add_argument("--build", type=Path, help="the build directory with the stages' kernels")
    p.add_argument("--compiler", help="the build's compiler, ID-VERSION (CMake's, e.g. GNU-12.2.0)")
    p.add_argument("--build-type", help="the build's CMAKE_BUILD_TYPE")
    p.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)), help="kernels booted at once")
    p.add_argument("--stages", help="the stages the build has, separated by ';' (CMake's list): "
                   "blocks of other stages are left out, with a note (default: every stage)")
    p.add_argument("--selftest", action="store_true", help="test the matching rules")
    a = p.parse_args()
    if a.selftest:
        return selftest()
    if a.build is None:
        p.error("--build DIR is needed (or --selftest)")
    root = a.root.resolve()
    other = reference_problem(a.compiler, a.build_type)
    if other:
        blocks, problems = parse_blocks(root)
        for problem in problems:
            print(problem)
        if problems:
            return 1
        print(f"check_output: skipped: {other}. The {len(blocks)} marked blocks are read, not compared.")
        return SKIPPED
    started = time.monotonic()
    screens.qemu.end_on_signals()
    only = set(filter(None, a.stages.split(";"))) if a.stages is not None else None
    problems, count, boots = check(root, a.build.resolve(), a.jobs, only)
    for problem in problems:
        print(problem)
    took = time.monotonic() - started
    if problems:
        print(f"check_output: {len(problems)} problem(s) ({count} blocks, {boots} boots, {took:.1f} s)")
        return 1
    print(f"check_output: {count} output blocks match the kernels ({boots} boots, {took:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
