#!/usr/bin/env python3
"""The classroom kit's shared parts: a stage's labs (NN-stage/labs.toml), the lab markers in its
sources, the stubbed copy a student gets, and the check that every test of a stage is graded.

labs.toml, in a stage directory (read with Python's tomllib, 3.11 or later):

    [[lab]]
    name = "idt-entry"                        # a-z, 0-9 and '-'; unique across the workbook
    title = "Fill in an IDT gate"             # one line, shown in the grade table
    points = 30                               # a positive integer
    tests = ["hello_world", "test_break*"]    # CTest names without "<stage>/"; fnmatch globs

    [rest]                                    # every test no lab lists, graded as one group
    title = "The rest of the stage"
    points = 20

A group's score is its points times the share of its tests that pass. The stage's build fixture
(<stage>/build), its checks of this file (<stage>/labs_*), the tests under Bochs (<stage>/bochs/*,
the same kernels booted in a second emulator) and under UEFI firmware (<stage>/uefi/*, the same
kernels booted on OVMF, about 4 s more each) are not graded.

Lab markers, in a stage's C++ sources (src/, tests/):

    // LAB(idt-entry): split the handler's address over the gate's three offset fields
    // STUB: panic("lab idt-entry: not written yet");
    ...the reference code...
    // END LAB(idt-entry)

A lab may have several regions. The `// STUB:` lines (none or more, right after the LAB line)
are what replaces the region in a student's copy, uncommented; at least one region of each lab
must panic naming the lab, so a lab left unwritten fails loudly. Markers sit in every copy of
the marked code, from the first stage that has it to the last (so `./workbook diff` never shows
them), and a handout stubs only the labs its own stage's labs.toml names, removing the marker
lines of the others.
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from dataclasses import dataclass, field

try:
    import tomllib
except ImportError:  # Python 3.10 or older
    tomllib = None

LAB_NAME = r"[a-z0-9][a-z0-9-]*"
LAB_RE = re.compile(rf"^(\s*)// LAB\(({LAB_NAME})\): (\S.*)$")
STUB_RE = re.compile(r"^(\s*)// STUB:(?: (.*))?$")
END_RE = re.compile(rf"^\s*// END LAB\(({LAB_NAME})\)\s*$")
ANY_MARKER_RE = re.compile(r"//\s*(LAB\(|STUB:|END LAB)")
SOURCE_SUFFIXES = (".cpp", ".h", ".hpp", ".S")
# Tests of a stage that no grade counts: the build fixture, the labs checks, the Bochs copies.
UNGRADED = ("build", "labs_*", "bochs/*", "uefi/*")


class LabsError(Exception):
    """labs.toml or a marker is malformed: the message says where and what."""


@dataclass
class Group:
    name: str
    title: str
    points: int
    patterns: list[str] = field(default_factory=list)
    rest: bool = False


@dataclass
class Region:
    path: str          # relative to the stage directory
    lab: str
    begin: int         # line index of the LAB line
    end: int           # line index of the END line
    stub: list[str]    # the stub's lines, uncommented, with their indentation


def labs_file(stage_dir: str) -> str:
    return os.path.join(stage_dir, "labs.toml")


def load_groups(stage_dir: str) -> list[Group]:
    """The stage's labs, then its rest group (when there is one). LabsError when malformed."""
    path = labs_file(stage_dir)
    if tomllib is None:
        raise LabsError(f"reading {path} needs Python 3.11 or later (tomllib); this is "
                        f"{sys.version.split()[0]}")
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise LabsError(f"{path} does not exist: this stage has no labs")
    except tomllib.TOMLDecodeError as e:
        raise LabsError(f"{path}: not valid TOML: {e}")
    unknown = set(data) - {"lab", "rest"}
    if unknown:
        raise LabsError(f"{path}: unknown table(s) {', '.join(sorted(unknown))}; "
                        "only [[lab]] and [rest]")
    groups: list[Group] = []
    for i, lab in enumerate(data.get("lab", []), 1):
        where = f"{path}: lab {i}"
        if not isinstance(lab, dict):
            raise LabsError(f"{where}: want a [[lab]] table")
        extra = set(lab) - {"name", "title", "points", "tests"}
        if extra:
            raise LabsError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
        name = lab.get("name")
        if not isinstance(name, str) or not re.fullmatch(LAB_NAME, name):
            raise LabsError(f"{where}: name must be lowercase letters, digits and '-' (got {name!r})")
        groups.append(Group(name, _title(lab, f"{where} ({name})"), _points(lab, f"{where} ({name})"),
                            _tests(lab, f"{where} ({name})")))
    if not groups:
        raise LabsError(f"{path}: no [[lab]] table")
    names = [g.name for g in groups]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise LabsError(f"{path}: lab name(s) used twice: {', '.join(twice)}")
    if "rest" in data:
        rest = data["rest"]
        extra = set(rest) - {"title", "points"}
        if extra:
            raise LabsError(f"{path}: [rest]: unknown key(s) {', '.join(sorted(extra))} "
                            "(the rest group has no tests list: it is every test no lab lists)")
        groups.append(Group("rest", _title(rest, f"{path}: [rest]"), _points(rest, f"{path}: [rest]"),
                            rest=True))
    return groups


def _title(table: dict, where: str) -> str:
    title = table.get("title")
    if not isinstance(title, str) or not title.strip() or "\n" in title:
        raise LabsError(f"{where}: title must be one line of text")
    return title.strip()


def _points(table: dict, where: str) -> int:
    points = table.get("points")
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        raise LabsError(f"{where}: points must be a positive integer (got {points!r})")
    return points


def _tests(table: dict, where: str) -> list[str]:
    tests = table.get("tests")
    if not isinstance(tests, list) or not tests or not all(isinstance(t, str) and t for t in tests):
        raise LabsError(f"{where}: tests must be a non-empty list of test names or globs")
    return tests


def graded(short_name: str) -> bool:
    return not any(fnmatch.fnmatchcase(short_name, p) for p in UNGRADED)


def assign(groups: list[Group], short_names: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Which graded tests each group counts: a lab its patterns' matches, the rest group every
    test no lab matches. Returns (tests per group name, problems): a pattern that matches no
    test, and tests no group counts, are problems."""
    tests = [t for t in short_names if graded(t)]
    counted: dict[str, list[str]] = {}
    problems: list[str] = []
    listed: set[str] = set()
    for g in groups:
        if g.rest:
            continue
        mine: list[str] = []
        for p in g.patterns:
            hits = [t for t in tests if fnmatch.fnmatchcase(t, p)]
            if not hits:
                problems.append(f"lab {g.name}: the test pattern {p!r} matches no test of the stage")
            mine += [t for t in hits if t not in mine]
        counted[g.name] = mine
        listed.update(mine)
    leftover = [t for t in tests if t not in listed]
    rest = next((g for g in groups if g.rest), None)
    if rest is not None:
        counted[rest.name] = leftover
        if not leftover:
            problems.append("[rest]: every test belongs to a lab, so the rest group counts nothing; "
                            "remove [rest]")
    elif leftover:
        problems.append(f"{len(leftover)} test(s) no lab lists and no [rest] group to count them: "
                        + ", ".join(leftover))
    return counted, problems


# --- markers ------------------------------------------------------------------------------------

def stage_sources(stage_dir: str) -> list[str]:
    """The stage's C++ sources that may hold markers, relative to the stage directory."""
    found = []
    for sub in ("src", "tests"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(stage_dir, sub)):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith(SOURCE_SUFFIXES):
                    found.append(os.path.relpath(os.path.join(dirpath, name), stage_dir))
    return found


def parse_markers(path: str, lines: list[str], rel: str) -> list[Region]:
    regions: list[Region] = []
    open_region: Region | None = None
    in_stub = False
    for i, line in enumerate(lines):
        where = f"{rel}:{i + 1}"
        lab, stub, end = LAB_RE.match(line), STUB_RE.match(line), END_RE.match(line)
        if lab:
            if open_region is not None:
                raise LabsError(f"{where}: LAB({lab.group(2)}) inside LAB({open_region.lab}), "
                                f"opened at line {open_region.begin + 1}; regions do not nest")
            open_region = Region(rel, lab.group(2), i, -1, [])
            in_stub = True
        elif stub:
            if open_region is None or not in_stub:
                raise LabsError(f"{where}: a // STUB: line belongs right after a // LAB(name): line")
            open_region.stub.append(stub.group(1) + (stub.group(2) or ""))
        elif end:
            if open_region is None:
                raise LabsError(f"{where}: END LAB({end.group(1)}) without a LAB line before it")
            if end.group(1) != open_region.lab:
                raise LabsError(f"{where}: END LAB({end.group(1)}) closes LAB({open_region.lab}), "
                                f"opened at line {open_region.begin + 1}")
            open_region.end = i
            regions.append(open_region)
            open_region = None
            in_stub = False
        else:
            if ANY_MARKER_RE.search(line):
                raise LabsError(f"{where}: a malformed lab marker: {line.strip()!r} (want "
                                "'// LAB(name): text', '// STUB: code' or '// END LAB(name)')")
            in_stub = False
    if open_region is not None:
        raise LabsError(f"{rel}:{open_region.begin + 1}: LAB({open_region.lab}) has no "
                        f"// END LAB({open_region.lab})")
    return regions


def read_lines(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")


def stage_regions(stage_dir: str) -> list[Region]:
    regions: list[Region] = []
    for rel in stage_sources(stage_dir):
        regions += parse_markers(os.path.join(stage_dir, rel), read_lines(os.path.join(stage_dir, rel)), rel)
    return regions


def known_labs(root: str) -> set[str]:
    """The lab names of every stage present under root. A stage may carry the markers of a
    later stage's lab: they sit in every copy of the marked code, from the first stage that
    has it, so that neighbouring stages never differ in them."""
    names: set[str] = set()
    for d in sorted(os.listdir(root)):
        if re.fullmatch(r"\d\d-[A-Za-z0-9_.-]+", d) and os.path.isfile(labs_file(os.path.join(root, d))):
            names.update(g.name for g in load_groups(os.path.join(root, d)) if not g.rest)
    return names


def lines_of(stage_dir: str, region: Region) -> list[str]:
    """The region's lines between its markers (in a handout: the stub, uncommented)."""
    lines = read_lines(os.path.join(stage_dir, region.path))
    return lines[region.begin + 1 + len(region.stub):region.end]


def is_handout(root: str) -> bool:
    return os.path.isfile(os.path.join(root, HANDOUT_MARK))


def check_markers(root: str, stage: str, groups: list[Group]) -> list[str]:
    """Problems with the stage's markers: a lab of labs.toml without a region or without a stub
    that panics naming it, a region of a lab that no labs.toml (this stage's or an earlier
    one's) names. In a handout the student replaces the stubs, so only the last is checked."""
    stage_dir = os.path.join(root, stage)
    regions = stage_regions(stage_dir)
    problems = []
    known = known_labs(root)
    for g in groups:
        if g.rest or is_handout(root):
            continue
        mine = [r for r in regions if r.lab == g.name]
        if not mine:
            problems.append(f"lab {g.name}: no // LAB({g.name}) region in {stage}/src or {stage}/tests")
        elif not any(f'"lab {g.name}: ' in line for r in mine
                     for line in r.stub + lines_of(stage_dir, r)):
            problems.append(f"lab {g.name}: no // STUB: line panics naming the lab "
                            f'(panic("lab {g.name}: not written yet"))')
    for r in regions:
        if r.lab not in known:
            problems.append(f"{stage}/{r.path}:{r.begin + 1}: LAB({r.lab}) is no lab of any "
                            "stage's labs.toml")
    return problems


def stubbed_text(lines: list[str], regions: list[Region], labs: set[str]) -> list[str]:
    """The file as a student gets it: the regions of `labs` replaced by their stubs between the
    LAB and END lines; the markers of every other lab removed, their code kept."""
    out: list[str] = []
    by_begin = {r.begin: r for r in regions}
    i = 0
    while i < len(lines):
        r = by_begin.get(i)
        if r is None:
            out.append(lines[i])
            i += 1
            continue
        if r.lab in labs:
            out.append(lines[r.begin])
            out += r.stub
            out.append(lines[r.end])
        else:
            body = lines[r.begin + 1 + len(r.stub):r.end]
            out += body
        i = r.end + 1
    return out


def write_stubbed_stage(src_dir: str, dst_dir: str, labs: set[str]) -> int:
    """Rewrites the sources copied into dst_dir from src_dir; returns the regions stubbed."""
    stubbed = 0
    for rel in stage_sources(src_dir):
        lines = read_lines(os.path.join(src_dir, rel))
        regions = parse_markers(os.path.join(src_dir, rel), lines, rel)
        if not regions:
            continue
        stubbed += sum(1 for r in regions if r.lab in labs)
        with open(os.path.join(dst_dir, rel), "w", encoding="utf-8") as f:
            f.write("\n".join(stubbed_text(lines, regions, labs)))
    return stubbed


# --- the student's tree -------------------------------------------------------------------------

# What a handout holds besides its stages and chapters: the driver, the toolchain layer and the
# top-level build files.
HANDOUT_FILES = ["workbook", "CMakeLists.txt", "CMakePresets.json", ".clang-format", ".gitignore", "LICENSE"]
HANDOUT_DIRS = ["common"]
HANDOUT_MARK = ".workbook-handout"


def _copy_tree(src: str, dst: str) -> None:
    import shutil
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "build*"),
                    symlinks=True)


def chapter_of(root: str, stage: str) -> str | None:
    """book/NN-*.md of the stage, if there is one."""
    book = os.path.join(root, "book")
    if not os.path.isdir(book):
        return None
    found = sorted(f for f in os.listdir(book) if f.startswith(stage[:3]) and f.endswith(".md"))
    return os.path.join(book, found[0]) if found else None


def student_readme(stage: str, groups: list[Group], regions: list[Region], chapters: list[str],
                   earlier: list[str]) -> str:
    number = str(int(stage[:2]))
    total = sum(g.points for g in groups)
    rows = []
    for g in groups:
        if g.rest:
            rows.append(f"| (rest) | {g.title} | {g.points} |")
            continue
        where = ", ".join(f"`{stage}/{r.path}:{r.begin + 1}`" for r in regions if r.lab == g.name)
        rows.append(f"| `{g.name}` | {g.title} ({where}) | {g.points} |")
    chapter_lines = "\n".join(f"- [{os.path.basename(c)}](book/{os.path.basename(c)})" for c in chapters)
    earlier_text = (f"\nThe earlier stages are here too, complete ({', '.join(earlier)}): compare with "
                    f"`./workbook diff {number}`.\n" if earlier else "")
    return f"""# {stage}: your labs

This repository is one stage of the workbook "Writing an OS in C++": a kernel that boots under
QEMU, with some of its code taken out. Your task is to write that code back so that every test
passes. The chapter that explains the stage is in `book/`:

{chapter_lines or "- (no chapter)"}
{earlier_text}
## What to write

Each lab is a region of the sources between two marker comments:

```cpp
// LAB(name): what to write here
panic("lab name: not written yet");   // the stub: remove it and write the code
// END LAB(name)
```

The stub compiles, and panics naming the lab when the kernel reaches it, so a test that needs
the lab fails loudly until you have written it. Keep the marker lines; write between them.

| lab | what | points |
|---|---|---|
{chr(10).join(rows)}
| | total | {total} |

## Commands

```sh
./workbook run {number}       # build the kernel and boot it in QEMU
./workbook test {number}      # build and run the stage's tests (CTest)
./workbook grade {number}     # the tests grouped by lab, with points
```

`./workbook grade {number}` prints one row per lab (its points, its tests that pass, and the
verdict of each that fails) and your score; it exits with status 0 only on full marks. A kernel that does not build, hangs or triple-faults still gets a
result: the points are lost and the table says why. The first `./workbook` command installs the
Debian packages it is missing (through sudo) and says which; `./workbook --help` lists the rest.
"""


def write_handout(root: str, stage: str, dest: str, with_earlier: bool, earlier_stages: list[str],
                  extra=None) -> dict:
    """Writes the student's repository for `stage` into dest (which must not exist or be
    empty) and commits it; returns what it wrote. extra(dest), when given, adds files to the
    tree before the commit (the GitHub Classroom workflow)."""
    import shutil
    import subprocess
    if is_handout(root):
        raise LabsError(f"{root} is a handout already ({HANDOUT_MARK}): its labs are stubbed; "
                        "hand out from the workbook's own repository")
    if os.path.exists(dest) and (not os.path.isdir(dest) or os.listdir(dest)):
        raise LabsError(f"{dest} exists and is not an empty directory; choose a new directory "
                        "(a handout is a repository of its own)")
    stage_dir = os.path.join(root, stage)
    groups = load_groups(stage_dir)
    problems = check_markers(root, stage, groups)
    if problems:
        raise LabsError(f"{stage}: " + "; ".join(problems))
    os.makedirs(dest, exist_ok=True)
    for name in HANDOUT_FILES:
        if os.path.exists(os.path.join(root, name)):
            shutil.copy2(os.path.join(root, name), os.path.join(dest, name))
    for name in HANDOUT_DIRS:
        _copy_tree(os.path.join(root, name), os.path.join(dest, name))
    earlier = earlier_stages if with_earlier else []
    for s in earlier + [stage]:
        _copy_tree(os.path.join(root, s), os.path.join(dest, s))
    lab_names = {g.name for g in groups if not g.rest}
    stubbed = write_stubbed_stage(stage_dir, os.path.join(dest, stage), lab_names)
    chapters = [c for c in (chapter_of(root, s) for s in earlier + [stage]) if c]
    if chapters:
        os.makedirs(os.path.join(dest, "book"), exist_ok=True)
        for c in chapters:
            shutil.copy2(c, os.path.join(dest, "book", os.path.basename(c)))
    # The book's exercise solutions (book/solutions/) must never reach a student: only the
    # chapters themselves are copied above. Checked, so that a change to the copying cannot
    # let them in unnoticed (CTest solutions/not_in_handouts writes every handout too).
    if os.path.exists(os.path.join(dest, "book", "solutions")):
        raise LabsError(f"{dest}: book/solutions would reach the handout; it must stay out")
    regions = stage_regions(os.path.join(dest, stage))
    with open(os.path.join(dest, "README.md"), "w") as f:
        f.write(student_readme(stage, groups, regions, chapters, earlier))
    with open(os.path.join(dest, HANDOUT_MARK), "w") as f:
        f.write(f"{stage}\n")
    if extra is not None:
        extra(dest)
    git = ["git", "-C", dest]
    identity = []
    for key, value in (("user.name", "workbook handout"), ("user.email", "handout@workbook.invalid")):
        if subprocess.run(["git", "-C", dest, "config", key], capture_output=True).returncode != 0:
            identity += ["-c", f"{key}={value}"]
    for argv in (git + ["init", "-q"], git + ["add", "-A"],
                 git + identity + ["commit", "-q", "-m", f"{stage}: handout with labs {', '.join(sorted(lab_names))}"]):
        r = subprocess.run(argv, capture_output=True, text=True)
        if r.returncode != 0:
            raise LabsError(f"{' '.join(argv[3:5])} in {dest} failed: {r.stderr.strip()}")
    return {"labs": sorted(lab_names), "regions": stubbed, "chapters": [os.path.basename(c) for c in chapters],
            "earlier": earlier, "points": sum(g.points for g in groups)}
