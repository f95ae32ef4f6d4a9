#!/usr/bin/env python3
"""site.py --out DIR [--root DIR] [--check] [--selftest] -- the book as a static website.

Builds, from book/*.md and the repository's files, a self-contained site in DIR:

  index.html            the book's index (book/README.md)
  NN-name.html          one page per chapter: navigation (previous, contents, next) at the top
                        and bottom, the chapter's table of contents, links to its stage's
                        sources and diff, highlighted code; every excerpt (a fenced block whose
                        info string says file=PATH) is captioned with PATH, linked to the file
  appendix-*.html,      the book's other pages (book/appendix-*.md, book/teaching.md,
  teaching.html,        book/glossary.md), after the chapters in the same chain of
  glossary.html         previous/next links
  diff/NN-name.html     what stage NN changes relative to the stage before it, highlighted
                        (the same comparison as `./workbook diff NN`)
  src/PATH.html         every file of the repository, highlighted, with numbered lines
  src/DIR/index.html    every directory's listing
  search.html           a search over the chapters' sections (search-index.js, search.js)
  figures/..., ...      the images the chapters show, copied beside the pages
  screens/NN-name.png   with --screens DIR: each stage's screenshot (screens.py), shown by its
                        chapter

Links between chapters (05-exceptions.md) become links between pages (05-exceptions.html);
links to repository files and directories become links to their rendered pages. The pages use
no network: they work opened as files and through `./workbook book --serve`.

--check (after building) checks the site: every chapter has its page, every internal link and
image resolves (anchors included), every excerpt has its caption, every stage has its diff page
and its chapter links to it. Problems are printed; the status is 1 if there is any.
--selftest builds and checks small made-up books and checks that the check notices breakage.

Needs Python-Markdown and Pygments (Debian: python3-markdown, python3-pygments)."""

from __future__ import annotations

import os
import sys

try:
    import markdown
    from pygments import highlight
except ImportError:
    # Debian's python3-markdown lives in /usr/lib/python3/dist-packages, which only Debian's own
    # interpreter reads; a python3 from pyenv or a virtual environment does not see it.
    system = "/usr/bin/python3"
    if (os.path.realpath(sys.executable) != os.path.realpath(system) and os.access(system, os.X_OK)
            and not os.environ.get("WORKBOOK_SITE_REEXEC")):
        os.environ["WORKBOOK_SITE_REEXEC"] = "1"
        os.execv(system, [system, os.path.abspath(__file__), *sys.argv[1:]])
    print(f"site.py: error: {sys.executable} cannot import Python-Markdown and Pygments, which "
          "build the book's site.\nInstall them with: sudo apt-get install python3-markdown "
          "python3-pygments (or run ./workbook book, which installs them)", file=sys.stderr)
    sys.exit(1)

import argparse
import difflib
import hashlib
import html
import json
import re
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

from pygments.formatters import HtmlFormatter
from pygments.lexers import DiffLexer, TextLexer, get_lexer_by_name, get_lexer_for_filename
from pygments.util import ClassNotFound

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_excerpts  # noqa: E402  (the same reading of fences and excerpts as the book's check)

TITLE = "Writing an OS in C++"
STAGE_NAME = re.compile(r"^\d\d-[A-Za-z0-9_.-]+$")
IMAGE_SUFFIXES = {".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp"}
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")
PLACEHOLDER = "WORKBOOKCODEBLOCK{:04d}"


# --- the repository -----------------------------------------------------------------------------

def git_files(directory: Path, root: Path) -> list[str] | None:
    """Files under directory, relative to it, as git sees them: tracked, plus untracked ones
    that are not ignored (None without git, or when root is not the top of a git work tree)."""
    if shutil.which("git") is None:
        return None
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=directory, capture_output=True, text=True)
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != root.resolve():
        return None
    out = subprocess.run(["git", "-c", "core.quotePath=false", "ls-files", "-z", "--cached", "--others",
                          "--exclude-standard", "--", "."], cwd=directory, capture_output=True, text=True)
    if out.returncode != 0:
        return None
    return sorted({f for f in out.stdout.split("\0") if f and (directory / f).is_file()})


def walk_files(directory: Path) -> list[str]:
    files = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(("build", ".")))
        files += [os.path.relpath(os.path.join(dirpath, f), directory) for f in filenames]
    return sorted(files)


def list_files(directory: Path, root: Path) -> list[str]:
    """The files of a directory the way ./workbook diff lists a stage's."""
    found = git_files(directory, root)
    return walk_files(directory) if found is None else found


def stages(root: Path) -> list[str]:
    return sorted(d.name for d in root.iterdir()
                  if d.is_dir() and STAGE_NAME.match(d.name) and (d / "CMakeLists.txt").is_file())


def chapters(root: Path) -> list[Path]:
    return sorted((root / "book").glob("[0-9][0-9]-*.md"))


def other_pages(root: Path) -> list[Path]:
    """The book's pages that are not chapters: the appendices, the teachers' guide, the glossary."""
    found = sorted((root / "book").glob("appendix-*.md"))
    named = [root / "book" / name for name in ("teaching.md", "glossary.md")]
    return found + [page for page in named if page.is_file()]


def book_pages(root: Path) -> list[Path]:
    """Every page of the book after the index, in reading order."""
    return chapters(root) + other_pages(root)


def stage_of(chapter: Path, stage_names: list[str]) -> str | None:
    """The stage a chapter explains: the one with the chapter's number."""
    same = [s for s in stage_names if s[:2] == chapter.name[:2]]
    return same[0] if same else None


def read_text(path: Path) -> str | None:
    """A file's text, or None for a binary file."""
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# --- HTML pieces --------------------------------------------------------------------------------

def slugify(value: str, separator: str = "-") -> str:
    """Heading ids as GitHub makes them, so that #anchors written for GitHub work here too."""
    value = unicodedata.normalize("NFKC", html.unescape(re.sub(r"<[^>]+>", "", value))).lower()
    value = "".join(c for c in value if c.isalnum() or c in " -_")
    return value.replace(" ", separator)


def rel_url(from_page: str, to: str) -> str:
    """The relative URL from one site path (e.g. "diff/03-vga.html") to another."""
    return os.path.relpath(to, os.path.dirname(from_page) or ".").replace(os.sep, "/")


_LEXERS: dict[str, object] = {}


def lexer_for(name: str, text: str):
    """The lexer for a file, by its name (looked up once per name: the lookup is slow)."""
    key = base = os.path.basename(name)
    if key not in _LEXERS:
        try:
            _LEXERS[key] = get_lexer_for_filename(base)
        except ClassNotFound:
            _LEXERS[key] = TextLexer()
    return _LEXERS[key]


_BLOCK_FORMAT = HtmlFormatter(wrapcode=True)
_LINES_FORMAT = HtmlFormatter(nowrap=True)


def code_html(text: str, lexer, line_anchors: bool = False) -> str:
    """Highlighted code; with line_anchors, every line numbered and its own anchor (#L-12).
    Pygments closes its spans at the end of every line, so each line can be wrapped."""
    if not line_anchors:
        return highlight(text, lexer, _BLOCK_FORMAT)
    lines = highlight(text, lexer, _LINES_FORMAT).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    numbered = "\n".join(f'<span class="line" id="L-{n}"><a class="ln" href="#L-{n}">{n}</a>{line}</span>'
                         for n, line in enumerate(lines, 1))
    return f'<div class="highlight"><pre><code>{numbered}\n</code></pre></div>\n'


class Page:
    """One page of the site: where it lives, its title and its main content."""

    def __init__(self, path: str, title: str, body: str, prev=None, up=None, next=None,
                 extra_head: str = "", wide: bool = False):
        self.path, self.title, self.body, self.wide = path, title, body, wide
        self.prev, self.up, self.next = prev, up, next   # (site path, label) or None
        self.extra_head = extra_head

    def pager(self, where: str) -> str:
        parts = []
        for cls, link, arrow in (("prev", self.prev, "← "), ("up", self.up, ""), ("next", self.next, " →")):
            if link is None:
                parts.append(f'<span class="{cls}"></span>')
                continue
            target, label = link
            text = f"{arrow}{html.escape(label)}" if cls == "prev" else (
                f"{html.escape(label)}{arrow}" if cls == "next" else html.escape(label))
            parts.append(f'<a class="{cls}" href="{rel_url(self.path, target)}">{text}</a>')
        return f'<nav class="pager {where}" aria-label="chapters">{"".join(parts)}</nav>'

    def render(self) -> str:
        base = rel_url(self.path, "index.html")[: -len("index.html")]
        return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(self.title)} · {TITLE}</title>
<link rel="stylesheet" href="{base}style.css">
<link rel="stylesheet" href="{base}pygments.css">
{self.extra_head}</head>
<body data-base="{base}"{' class="wide"' if self.wide else ''}>
<header class="site">
<a class="home" href="{base}index.html">{TITLE}</a>
<form class="search" action="{base}search.html" role="search">
<input type="search" name="q" placeholder="Search the book" aria-label="Search the book" autocomplete="off">
</form>
</header>
{self.pager("top")}
<main>
{self.body}
</main>
{self.pager("bottom")}
<script src="{base}search.js"></script>
</body>
</html>
"""


# --- the site -----------------------------------------------------------------------------------

class Site:
    def __init__(self, root: Path, out: Path, screens: Path | None = None):
        self.root, self.out, self.screens = root, out, screens
        self.stage_names = stages(root)
        self.chapters = chapters(root)
        self.book_pages = book_pages(root)
        self.page_sources = {f"book/{p.name}" for p in self.book_pages} | {"book/README.md"}
        found = git_files(root, root)
        self.files = walk_files(root) if found is None else found
        self.file_set = set(self.files)
        self.dirs = {"."}
        for f in self.files:
            d = os.path.dirname(f)
            while d and d not in self.dirs:
                self.dirs.add(d)
                d = os.path.dirname(d)
        self.pages: list[Page] = []
        self.search: list[dict] = []
        self.copied: set[str] = set()
        self.highlight_cache: dict[str, str] = {}

    # Where things are on the site.
    @staticmethod
    def source_page(rel: str) -> str:
        return f"src/{rel}.html"

    @staticmethod
    def dir_page(rel: str) -> str:
        return "src/index.html" if rel in (".", "") else f"src/{rel}/index.html"

    @staticmethod
    def diff_page(stage: str) -> str:
        return f"diff/{stage}.html"

    @staticmethod
    def chapter_page(chapter: Path) -> str:
        return "index.html" if chapter.name == "README.md" else chapter.stem + ".html"

    def chapter_title(self, chapter: Path) -> str:
        for line in chapter.read_text(encoding="utf-8").split("\n"):
            if line.startswith("# "):
                return line[2:].strip()
        return chapter.stem

    # Links written in the Markdown, relative to book/.
    def rewrite_link(self, target: str, page: str) -> str:
        if SCHEME.match(target) or target.startswith("#") or not target:
            return target
        path, _, frag = target.partition("#")
        frag = "#" + frag if frag else ""
        rel = os.path.normpath(os.path.join("book", path)).replace(os.sep, "/")
        if rel.startswith("../"):
            return target  # outside the repository: leave it, the check reports it
        if re.fullmatch(r"book/\d\d-[a-z0-9-]+\.md", rel) or rel in self.page_sources:
            return rel_url(page, self.chapter_page(Path(rel))) + frag
        if Path(rel).suffix.lower() in IMAGE_SUFFIXES and (self.root / rel).is_file():
            return rel_url(page, self.copy_asset(rel)) + frag
        if rel in self.dirs or (self.root / rel).is_dir():
            return rel_url(page, self.dir_page(rel)) + frag
        # A file (or a missing one: its page will not exist, and the check says so).
        return rel_url(page, self.source_page(rel)) + frag

    def copy_asset(self, rel: str) -> str:
        """Copies an image into the site; returns its site path. Images under book/ keep their
        place relative to the chapters (book/figures/x.svg is figures/x.svg beside the pages),
        others go under files/ (files/common/x.png)."""
        site_path = rel[len("book/"):] if rel.startswith("book/") else f"files/{rel}"
        if rel not in self.copied:
            self.copied.add(rel)
            dst = self.out / site_path
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.root / rel, dst)
        return site_path

    def rewrite_links(self, body: str, page: str) -> str:
        def fix(m: re.Match) -> str:
            value = html.unescape(m.group(3))
            return f'{m.group(1)}={m.group(2)}{html.escape(self.rewrite_link(value, page))}{m.group(2)}'
        return re.sub(r'\b(href|src)=(["\'])(.*?)\2', fix, body)

    # Excerpts and other code blocks.
    def excerpt_html(self, info: str, lines: list[str], page: str) -> str:
        words = info.split()
        lang = words[0] if words and "=" not in words[0] else "text"
        attr = check_excerpts.FILE_ATTR.search(info)
        text = "\n".join(lines) + "\n"
        try:
            lexer = get_lexer_by_name(lang)
        except ClassNotFound:
            lexer = lexer_for(attr.group("path"), text) if attr else TextLexer()
        code = code_html(text, lexer)
        if not attr:
            return code
        path = attr.group("path")
        anchor = ""
        target = self.root / path
        if target.is_file():
            haystack = [x.rstrip() for x in (read_text(target) or "").split("\n")]
            first = []
            for line in lines:
                if check_excerpts.ELISION.match(line):
                    if first:
                        break
                    continue
                first.append(line.rstrip())
            pos = check_excerpts.find_run(haystack, first, 0) if first else -1
            if pos >= 0:
                anchor = f"#L-{pos + 1}"
        href = rel_url(page, self.source_page(path)) + anchor
        return (f'<figure class="excerpt">\n<figcaption class="excerpt-file"><a href="{html.escape(href)}">'
                f"{html.escape(path)}</a></figcaption>\n{code}</figure>")

    def split_code(self, text: str) -> tuple[str, list[tuple[str, list[str]]]]:
        """The Markdown with each fenced block replaced by a placeholder paragraph, and the
        blocks (info string, lines), read the way check_excerpts reads them."""
        lines = text.split("\n")
        kept: list[str] = []
        blocks: list[tuple[str, list[str]]] = []
        i = 0
        while i < len(lines):
            m = check_excerpts.FENCE.match(lines[i])
            if not m:
                kept.append(lines[i])
                i += 1
                continue
            fence, info = m.group("fence"), m.group("info").strip()
            body = []
            i += 1
            while i < len(lines):
                close = re.match(r"^ {0,3}(`{3,}|~{3,})\s*$", lines[i])
                if close and close.group(1)[0] == fence[0] and len(close.group(1)) >= len(fence):
                    break
                body.append(lines[i])
                i += 1
            i += 1
            kept += ["", m.group("indent") + PLACEHOLDER.format(len(blocks)), ""]
            blocks.append((info, body))
        return "\n".join(kept), blocks

    def markdown_page(self, source: Path, page: str) -> tuple[str, list]:
        """A Markdown file as HTML (links rewritten, code highlighted) and its headings."""
        text, blocks = self.split_code(source.read_text(encoding="utf-8"))
        md = markdown.Markdown(extensions=["tables", "sane_lists", "toc"],
                               extension_configs={"toc": {"slugify": slugify, "toc_depth": "2-3"}})
        body = self.rewrite_links(md.convert(text), page)
        for n, (info, lines) in enumerate(blocks):
            token = PLACEHOLDER.format(n)
            code = self.excerpt_html(info, lines, page)
            body = body.replace(f"<p>{token}</p>", code, 1) if f"<p>{token}</p>" in body \
                else body.replace(token, code, 1)
        return body, md.toc_tokens

    # Pages.
    def build(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / "pygments.css").write_text(HtmlFormatter().get_style_defs(".highlight") + "\n")
        (self.out / "style.css").write_text(STYLE)
        (self.out / "search.js").write_text(SEARCH_JS)
        for figure in sorted((self.root / "book").glob("figures/**/*")):
            if figure.is_file() and figure.suffix.lower() in IMAGE_SUFFIXES:
                self.copy_asset(figure.relative_to(self.root).as_posix())
        self.build_chapters()
        self.build_diffs()
        self.build_sources()
        self.pages.append(Page("search.html", "Search", SEARCH_BODY, up=("index.html", "Contents")))
        for p in self.pages:
            dst = self.out / p.path
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_text(p.render(), encoding="utf-8")
        (self.out / "search-index.js").write_text(
            "window.WORKBOOK_SEARCH = " + json.dumps(self.search, ensure_ascii=False, separators=(",", ":"))
            + ";\n", encoding="utf-8")

    def build_chapters(self) -> None:
        index = self.root / "book" / "README.md"
        if index.is_file():
            body, _ = self.markdown_page(index, "index.html")
            links = [f'<li><a href="{self.chapter_page(c)}">{html.escape(self.chapter_title(c))}</a></li>'
                     for c in self.book_pages]
            body += ('\n<h2 id="site-pages">On this site</h2>\n<ul>\n' + "\n".join(links)
                     + '\n<li><a href="search.html">Search</a></li>'
                     + f'\n<li><a href="{self.dir_page(".")}">Every file of the repository</a></li>\n</ul>\n')
            first = (self.chapter_page(self.book_pages[0]), self.chapter_title(self.book_pages[0])) \
                if self.book_pages else None
            self.pages.append(Page("index.html", "Contents", body, next=first))
        pages = self.book_pages
        for n, chapter in enumerate(pages):
            page = self.chapter_page(chapter)
            title = self.chapter_title(chapter)
            body, toc = self.markdown_page(chapter, page)
            stage = stage_of(chapter, self.stage_names)
            facts = []
            if stage:
                facts.append(f'Stage <a href="{self.dir_page(stage)}"><code>{stage}/</code></a>')
                facts.append(f'<a class="stage-diff" href="{self.diff_page(stage)}">what it changes'
                             f' relative to the stage before</a>')
            items = "".join(toc_items(toc))
            what = "chapter" if chapter in self.chapters else "page"
            aside = (f'<nav class="toc" aria-label="contents of this {what}">'
                     + (f'<p>{" · ".join(facts)}</p>' if facts else "")
                     + f'<details open><summary>In this {what}</summary><ul>{items}</ul></details></nav>')
            body = re.sub(r"(</h1>)", lambda m: m.group(1) + "\n" + aside, body, count=1) \
                if "</h1>" in body else aside + body
            if stage:
                body = self.with_screenshot(body, stage, page)
            prev = (self.chapter_page(pages[n - 1]), self.chapter_title(pages[n - 1])) if n else None
            nxt = ((self.chapter_page(pages[n + 1]), self.chapter_title(pages[n + 1]))
                   if n + 1 < len(pages) else None)
            self.pages.append(Page(page, title, body, prev=prev, up=("index.html", "Contents"), next=nxt))
            self.index_for_search(page, title, body)

    def with_screenshot(self, body: str, stage: str, page: str) -> str:
        """The chapter's page with its stage's screenshot (screens.py's NN-name.png in --screens):
        just before the chapter's first screen output block (`<!-- output: NN screen -->`), or
        else at the start of its "Running ..." section, or else after the table of contents."""
        shot = self.screens / f"{stage}.png" if self.screens else None
        if shot is None or not shot.is_file():
            return body
        site_path = f"screens/{stage}.png"
        (self.out / "screens").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, self.out / site_path)
        typed = ""
        if int(stage[:2]) == 1:
            typed = " when it had halted: GRUB's line is all there is, since the kernel writes nothing"
        if int(stage[:2]) >= 7:
            typed = " after typing <kbd>hello World!</kbd> (the timer's dots land between the keys)"
        figure = (f'<figure class="screen"><img src="{rel_url(page, site_path)}" width="720" height="400" '
                  f'alt="The screen of the {html.escape(stage)} kernel">'
                  f"<figcaption>The screen of <code>{html.escape(stage)}</code>'s kernel{typed}, taken from "
                  "QEMU (<code>screendump</code>) when the book was built.</figcaption></figure>\n")
        marker = re.search(r"<!--\s*output:\s*\S+\s+screen\b[^>]*-->", body)
        if marker:
            return body[:marker.start()] + figure + body[marker.start():]
        running = re.search(r'<h2 id="[^"]*">Running[^<]*</h2>\n', body)
        if running:
            return body[:running.end()] + figure + body[running.end():]
        at = body.find("</nav>")
        return body[:at + 6] + "\n" + figure + body[at + 6:] if at >= 0 else figure + body

    def index_for_search(self, page: str, title: str, body: str) -> None:
        """One search entry per section: its heading, its anchor and its words."""
        parts = re.split(r'(<h[1-3] id="[^"]*">.*?</h[1-3]>)', body)
        heading, anchor = title, ""
        for part in parts:
            m = re.match(r'<h[1-3] id="([^"]*)">(.*?)</h[1-3]>', part)
            if m:
                anchor, heading = m.group(1), html.unescape(re.sub(r"<[^>]+>", "", m.group(2)))
                continue
            words = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", part))).strip()
            if words:
                self.search.append({"u": page + (f"#{anchor}" if anchor else ""), "c": title,
                                    "h": heading, "t": words})

    def build_diffs(self) -> None:
        for n, stage in enumerate(self.stage_names):
            base = self.stage_names[n - 1] if n else None
            page = self.diff_page(stage)
            chapter = [c for c in self.chapters if c.name[:2] == stage[:2]]
            up = (self.chapter_page(chapter[0]), self.chapter_title(chapter[0])) if chapter \
                else ("index.html", "Contents")
            prev = (self.diff_page(base), f"Stage {base}") if base else None
            nxt = (self.diff_page(self.stage_names[n + 1]), f"Stage {self.stage_names[n + 1]}") \
                if n + 1 < len(self.stage_names) else None
            self.pages.append(Page(page, f"Stage {stage}: what it changes", self.diff_body(stage, base, page),
                                   prev=prev, up=up, next=nxt, wide=True))

    def diff_body(self, stage: str, base: str | None, page: str) -> str:
        new_files = list_files(self.root / stage, self.root)
        title = f"<h1>Stage <code>{stage}</code>: what it changes</h1>\n"
        if base is None:
            items = "".join(f'<li><a href="{rel_url(page, self.source_page(f"{stage}/{f}"))}">{html.escape(f)}</a></li>'
                            for f in new_files)
            return title + f"<p>The first stage: there is no stage before it. Its files:</p>\n<ul>{items}</ul>\n"
        old_files = list_files(self.root / base, self.root)
        rows, sections = [], []
        for f in sorted(set(old_files) | set(new_files)):
            a = read_text(self.root / base / f) if f in old_files else ""
            b = read_text(self.root / stage / f) if f in new_files else ""
            if a == b:
                continue
            if a is None or b is None:
                diff = f"Binary files {base}/{f} and {stage}/{f} differ\n"
            else:
                diff = "".join(difflib.unified_diff(
                    a.splitlines(keepends=True), b.splitlines(keepends=True),
                    fromfile=f"{base}/{f}" if f in old_files else "/dev/null",
                    tofile=f"{stage}/{f}" if f in new_files else "/dev/null"))
                diff = re.sub(r"(?<!\n)(\n?)$", "\n", diff) if diff else diff
            added = sum(1 for x in diff.split("\n") if x.startswith("+") and not x.startswith("+++"))
            removed = sum(1 for x in diff.split("\n") if x.startswith("-") and not x.startswith("---"))
            kind = "added" if f not in old_files else "removed" if f not in new_files else "changed"
            anchor = "file-" + re.sub(r"[^A-Za-z0-9_-]", "-", f)
            rows.append(f'<tr><td><a href="#{anchor}">{html.escape(f)}</a></td><td>{kind}</td>'
                        f'<td class="num add">+{added}</td><td class="num del">−{removed}</td></tr>')
            links = []
            if f in old_files:
                links.append(f'<a href="{rel_url(page, self.source_page(f"{base}/{f}"))}">{base}/{html.escape(f)}</a>')
            if f in new_files:
                links.append(f'<a href="{rel_url(page, self.source_page(f"{stage}/{f}"))}">{stage}/{html.escape(f)}</a>')
            sections.append(f'<section class="diff-file"><h2 id="{anchor}"><code>{html.escape(f)}</code> '
                            f'<span class="kind">{kind}</span></h2>\n<p class="files">{" → ".join(links)}</p>\n'
                            + code_html(diff, DiffLexer()) + "</section>")
        intro = (f'<p>The difference between <a href="{rel_url(page, self.dir_page(base))}"><code>{base}/</code></a> '
                 f'and <a href="{rel_url(page, self.dir_page(stage))}"><code>{stage}/</code></a>, file by file: what '
                 f"<code>./workbook diff {stage[:2]}</code> shows.</p>\n")
        if not rows:
            return title + intro + "<p>The two stages have the same files.</p>\n"
        table = ('<table class="diffstat"><thead><tr><th>file</th><th>how</th><th>added</th><th>removed</th>'
                 "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>\n")
        return title + intro + table + "\n".join(sections)

    def build_sources(self) -> None:
        for rel in self.files:
            page = self.source_page(rel)
            text = read_text(self.root / rel)
            if text is None:
                size = (self.root / rel).stat().st_size
                code = f"<p>A binary file of {size} bytes.</p>"
            else:
                key = hashlib.sha1((rel.rsplit("/", 1)[-1] + "\0" + text).encode()).hexdigest()
                if key not in self.highlight_cache:
                    self.highlight_cache[key] = code_html(text, lexer_for(rel, text), line_anchors=True)
                code = self.highlight_cache[key]
            parent = os.path.dirname(rel) or "."
            body = (f'<h1 class="path">{path_links(rel, page, self)}</h1>\n<div class="source">{code}</div>\n')
            self.pages.append(Page(page, rel, body, wide=True,
                                   up=(self.dir_page(parent), f"{parent}/" if parent != "." else "all files")))
        for d in sorted(self.dirs):
            page = self.dir_page(d)
            prefix = "" if d == "." else d + "/"
            subdirs = sorted(x for x in self.dirs if x != "." and os.path.dirname(x) == ("" if d == "." else d))
            files = [f for f in self.files if os.path.dirname(f) == ("" if d == "." else d)]
            items = [f'<li class="dir"><a href="{rel_url(page, self.dir_page(s))}">{html.escape(s[len(prefix):])}/</a></li>'
                     for s in subdirs]
            items += [f'<li><a href="{rel_url(page, self.source_page(f))}">{html.escape(f[len(prefix):])}</a></li>'
                      for f in files]
            extra = ""
            if d in self.stage_names:
                extra = (f'<p><a href="{rel_url(page, self.diff_page(d))}">What this stage changes relative to the '
                         "stage before</a></p>\n")
            heading = path_links(d, page, self) if d != "." else "The repository's files"
            body = f'<h1 class="path">{heading}</h1>\n{extra}<ul class="listing">{"".join(items)}</ul>\n'
            up = (self.dir_page(os.path.dirname(d) or "."), "up") if d != "." else ("index.html", "Contents")
            self.pages.append(Page(page, f"{d}/" if d != "." else "files", body, up=up))


def path_links(rel: str, page: str, site: Site) -> str:
    """A path whose directories link to their listings."""
    parts = rel.split("/")
    out = []
    for i, part in enumerate(parts):
        if i + 1 < len(parts):
            out.append(f'<a href="{rel_url(page, site.dir_page("/".join(parts[:i + 1])))}">{html.escape(part)}</a>')
        else:
            out.append(html.escape(part))
    return "/".join(out)


def toc_items(tokens: list) -> list[str]:
    items = []
    for t in tokens:
        sub = toc_items(t.get("children", []))
        nested = f"<ul>{''.join(sub)}</ul>" if sub else ""
        items.append(f'<li><a href="#{t["id"]}">{t["name"]}</a>{nested}</li>')
    return items


STYLE = """/* The book's pages: plain CSS, no fonts or anything else from the network. */
:root { --fg: #1d1d1f; --muted: #5c5c66; --bg: #fff; --line: #d8d8e0; --box: #f5f6f8; --link: #0b57a4; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 50rem; padding: 0 1rem 2rem; color: var(--fg); background: var(--bg);
       font: 1.0625rem/1.6 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; overflow-wrap: break-word; }
body.wide { max-width: 72rem; }
a { color: var(--link); }
h1, h2, h3 { line-height: 1.25; margin: 1.8em 0 0.6em; }
h1 { font-size: 1.9rem; margin-top: 0.8em; }
h2 { font-size: 1.45rem; border-bottom: 1px solid var(--line); padding-bottom: 0.2em; }
h3 { font-size: 1.15rem; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
:not(pre) > code { background: var(--box); padding: 0.1em 0.3em; border-radius: 3px; }
pre { margin: 0; padding: 0.75em 1em; overflow-x: auto; line-height: 1.45; }
.highlight { background: var(--box); border: 1px solid var(--line); border-radius: 4px; margin: 1em 0; }
.highlight pre { background: transparent; }
figure.excerpt { margin: 1.2em 0; }
figure.screen { margin: 1.2em 0; }
figure.screen img { display: block; border: 1px solid var(--line); image-rendering: pixelated; }
figure.screen figcaption { font-size: 0.9rem; color: var(--muted); margin-top: 0.3em; }
figure.excerpt .highlight { margin: 0; border-top-left-radius: 0; border-top-right-radius: 0; }
figcaption.excerpt-file { font: 0.85rem/1.4 ui-monospace, "DejaVu Sans Mono", monospace; background: #e8ebf0;
       border: 1px solid var(--line); border-bottom: 0; border-radius: 4px 4px 0 0; padding: 0.25em 0.75em; }
figcaption.excerpt-file a { text-decoration: none; }
figcaption.excerpt-file a:hover { text-decoration: underline; }
blockquote { margin: 1em 0; padding: 0.2em 1em; border-left: 4px solid var(--line); color: var(--muted); }
table { border-collapse: collapse; margin: 1em 0; display: block; overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid var(--line); padding: 0.3em 0.6em; vertical-align: top; text-align: left; }
th { background: var(--box); }
img { max-width: 100%; height: auto; }
header.site { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; justify-content: space-between;
       padding: 0.6rem 0; border-bottom: 1px solid var(--line); }
header.site .home { font-weight: 600; text-decoration: none; color: var(--fg); }
form.search { position: relative; flex: 1 1 12rem; max-width: 20rem; }
form.search input { width: 100%; font: inherit; font-size: 0.95rem; padding: 0.25em 0.5em; border: 1px solid var(--line); border-radius: 4px; }
.search-results { list-style: none; padding: 0; margin: 0; }
.search-results li { margin: 0 0 0.9em; }
.search-results .where { color: var(--muted); font-size: 0.9em; }
.search-results p { margin: 0.2em 0 0; font-size: 0.95em; }
nav.pager { display: flex; justify-content: space-between; gap: 1rem; padding: 0.6rem 0; font-size: 0.95rem; }
nav.pager.bottom { border-top: 1px solid var(--line); margin-top: 2rem; }
nav.pager a { text-decoration: none; }
nav.pager > * { min-width: 0; }
nav.pager .prev, nav.pager .next { flex: 1 1 0; }
nav.pager .next { text-align: right; }
nav.pager .up { flex: 0 1 auto; text-align: center; }
@media (max-width: 40rem) {  /* a phone: "up" on a row of its own, previous and next below it */
  nav.pager { flex-wrap: wrap; gap: 0.3rem 1rem; }
  nav.pager .up { order: -1; flex: 1 1 100%; text-align: left; }
}
nav.toc { background: var(--box); border: 1px solid var(--line); border-radius: 4px; padding: 0.5em 1em; margin: 1em 0 1.5em; font-size: 0.95rem; }
nav.toc p { margin: 0.2em 0 0.4em; }
nav.toc summary { cursor: pointer; font-weight: 600; }
nav.toc ul { margin: 0.3em 0; padding-left: 1.3em; }
h1.path { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 1.2rem; }
.source .highlight pre { padding-left: 0.5em; }
.source a.ln { color: #8a8a96; display: inline-block; min-width: 3.2em; padding-right: 1em; text-align: right;
       text-decoration: none; user-select: none; }
.source .line:target { background: #fff3b0; display: inline-block; min-width: 100%; }
ul.listing { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.95rem; }
table.diffstat td.num { text-align: right; font-family: ui-monospace, monospace; }
td.add { color: #1a7f37; } td.del { color: #b3261e; }
section.diff-file h2 { font-size: 1.1rem; }
section.diff-file .kind { font-weight: normal; color: var(--muted); font-size: 0.85em; }
section.diff-file .files { font-size: 0.9rem; margin: 0.2em 0; }
.highlight .gi { background: #e6ffec; } .highlight .gd { background: #ffebe9; }
"""

SEARCH_BODY = """<h1>Search</h1>
<form class="search-page" action="search.html"><input type="search" name="q" aria-label="Search the book" autocomplete="off"></form>
<p id="search-status">Type words to find the sections of the chapters that contain all of them.</p>
<ul class="search-results" id="search-results"></ul>
"""

# The search: the index is a script (search-index.js) rather than JSON, because a page opened as
# a file may not fetch() another file; it is loaded only on the search page.
SEARCH_JS = r"""// The book's search: every section of every chapter whose text has all the words asked for.
(function () {
  "use strict";
  var base = document.body.getAttribute("data-base") || "";
  var results = document.getElementById("search-results");
  if (!results) return;
  var params = new URLSearchParams(window.location.search);
  var query = (params.get("q") || "").trim();
  var boxes = document.querySelectorAll('input[name="q"]');
  for (var i = 0; i < boxes.length; i++) boxes[i].value = query;
  var status = document.getElementById("search-status");
  if (!query) return;
  var script = document.createElement("script");
  script.src = base + "search-index.js";
  script.onload = function () { show(window.WORKBOOK_SEARCH || []); };
  script.onerror = function () { status.textContent = "The search index (search-index.js) could not be loaded."; };
  document.head.appendChild(script);

  function show(index) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    var phrase = words.join(" ");
    // Sections with the words as a phrase first, then those with them in the heading, then by
    // how often the words occur; the book's order among equals.
    var found = [];
    index.forEach(function (e, order) {
      var heading = e.h.toLowerCase(), text = e.t.toLowerCase();
      if (!words.every(function (w) { return (heading + " " + text).indexOf(w) >= 0; })) return;
      var score = (heading.indexOf(phrase) >= 0 ? 1000 : 0) + (text.indexOf(phrase) >= 0 ? 100 : 0);
      words.forEach(function (w) {
        if (heading.indexOf(w) >= 0) score += 20;
        score += Math.min(text.split(w).length - 1, 10);
      });
      found.push({e: e, score: score, order: order});
    });
    found.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
    found = found.map(function (f) { return f.e; });
    status.textContent = found.length + (found.length === 1 ? " section contains " : " sections contain ") +
      "\u201c" + query + "\u201d.";
    found.slice(0, 200).forEach(function (e) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = base + e.u;
      a.textContent = e.h;
      var where = document.createElement("span");
      where.className = "where";
      where.textContent = " \u2014 " + e.c;
      var p = document.createElement("p");
      var lower = e.t.toLowerCase(), at = lower.indexOf(phrase);
      if (at < 0) at = lower.indexOf(words[0]);
      var start = Math.max(0, at - 80);
      p.textContent = (start > 0 ? "\u2026" : "") + e.t.slice(start, start + 220) + (start + 220 < e.t.length ? "\u2026" : "");
      li.appendChild(a); li.appendChild(where); li.appendChild(p);
      results.appendChild(li);
    });
  }
})();
"""


def build(root: Path, out: Path, screens: Path | None = None) -> Site:
    """Builds the site into a fresh directory, then puts it in place of out."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=out.name + ".new-", dir=out.parent))
    try:
        site = Site(root, fresh, screens)
        site.build()
        fresh.chmod(0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=out.name + ".old-", dir=out.parent))
            out.rename(old / "site")
            fresh.rename(out)
            shutil.rmtree(old)
        else:
            fresh.rename(out)
    finally:
        if fresh.exists():
            shutil.rmtree(fresh)
    site.out = out
    return site


# --- the check ----------------------------------------------------------------------------------

ATTR = re.compile(r'\s(id|name|href|src)="([^"]*)"')
CAPTION = re.compile(r'<figcaption class="excerpt-file">(.*?)</figcaption>', re.S)


class PageScan:
    """What the check needs of a page: its anchors, its links and its excerpt captions. The
    pages are the builder's own, always quoted the same way, so regular expressions do (an HTML
    parser takes several times as long over the highlighted sources)."""

    def __init__(self, text: str = ""):
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []
        for m in ATTR.finditer(text):
            value = html.unescape(m.group(2))
            if m.group(1) in ("id", "name"):
                self.ids.add(value)
            elif not value.startswith("#L-"):  # a source page's own line numbers
                self.links.append((m.group(1), value))
        self.captions = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in CAPTION.findall(text)]


def check(root: Path, out: Path) -> list[str]:
    problems: list[str] = []
    if not (out / "index.html").is_file():
        problems.append("index.html: the book's index page is missing")
    scans: dict[str, PageScan] = {}
    for page in sorted(out.rglob("*.html")):
        scans[page.relative_to(out).as_posix()] = PageScan(page.read_text(encoding="utf-8"))
    stage_names = stages(root)
    for chapter in book_pages(root):
        page = chapter.stem + ".html"
        if page not in scans:
            problems.append(f"{page}: {chapter.name} has no page")
            continue
        excerpts, _, _ = check_excerpts.parse_excerpts(chapter)
        want = [e.path for e in excerpts]
        got = [c.strip() for c in scans[page].captions]
        if got != want:
            missing = [p for p in want if p not in got]
            problems.append(f"{page}: {len(want)} excerpts in {chapter.name}, {len(got)} captions on the page"
                            + (f"; no caption for {', '.join(missing)}" if missing else ""))
        stage = stage_of(chapter, stage_names)
        if stage and ("diff/" + stage + ".html") not in {v.split("#")[0] for _, v in scans[page].links}:
            problems.append(f"{page}: does not link to its stage's diff page diff/{stage}.html")
    for stage in stage_names:
        if f"diff/{stage}.html" not in scans:
            problems.append(f"diff/{stage}.html: stage {stage} has no diff page")
    for page, scan in scans.items():
        for attr, value in scan.links:
            if SCHEME.match(value):
                if value.startswith(("http:", "https:", "mailto:")):
                    continue
                problems.append(f"{page}: {attr}={value!r} is neither internal nor a web address")
                continue
            path, _, frag = value.partition("#")
            path = path.split("?", 1)[0]
            if not path:
                target = page
            else:
                target = os.path.normpath(os.path.join(os.path.dirname(page), path)).replace(os.sep, "/")
                if target.startswith("../") or not (out / target).is_file():
                    problems.append(f"{page}: {attr}={value!r} points at {target}, which is not in the site")
                    continue
            if frag and target.endswith(".html") and frag not in scans.get(target, PageScan()).ids:
                problems.append(f"{page}: {attr}={value!r}: {target} has no anchor #{frag}")
    return problems


# --- self-test ----------------------------------------------------------------------------------

def selftest() -> int:
    """A small book builds and passes; each kind of breakage is reported."""
    chapter = ("# Chapter 1 — One\n\nSee [the next](02-two.md#second-part) and [the stage](../01-one/).\n\n"
               "![a figure](figures/f.svg) ![a screen](../01-one/screen.png)\n\n## First part\n\n```cpp file=01-one/main.cpp\nint b = 2;\n```\n\n"
               "```text\nnot an excerpt\n```\n")
    chapter2 = "# Chapter 2 — Two\n\n[Back](01-one.md) and [a term](glossary.md#term)\n\n## Second part\n\nText.\n"
    glossary = "# Glossary\n\n## Term\n\nIntroduced in [Chapter 1](01-one.md#first-part).\n"
    cases = {
        "faithful": (lambda c: c, True),
        "a broken chapter link": (lambda c: c.replace("02-two.md#", "03-three.md#"), False),
        "a broken anchor": (lambda c: c.replace("#second-part", "#third-part"), False),
        "a missing image": (lambda c: c.replace("figures/f.svg", "figures/g.svg"), False),
        "a broken anchor into the glossary": (lambda c: c + "\n[a term](glossary.md#no-such-term)\n", False),
        "a missing image outside book/": (lambda c: c.replace("screen.png", "screen2.png"), False),
        "a link to a missing file": (lambda c: c.replace("../01-one/", "../01-one/gone.cpp"), False),
    }
    failures = 0
    for name, (change, should_pass) in cases.items():
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "repo"
            for rel, text in {"01-one/CMakeLists.txt": "# one\n", "01-one/main.cpp": "int a = 1;\nint b = 2;\n",
                              "02-two/CMakeLists.txt": "# two\n", "02-two/main.cpp": "int a = 1;\nint b = 3;\n",
                              "book/README.md": "# Book\n\n- [One](01-one.md)\n- [Two](02-two.md)\n",
                              "book/01-one.md": change(chapter), "book/02-two.md": chapter2,
                              "book/glossary.md": glossary,
                              "book/figures/f.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
                              "01-one/screen.png": "not really a PNG\n"}.items():
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_text(text)
            out = Path(tmp) / "site"
            build(root, out)
            problems = check(root, out)
            if name == "faithful" and not problems:
                # Pages lost after the build are reported too.
                (out / "diff" / "02-two.html").unlink()
                if not check(root, out):
                    failures += 1
                    print("selftest: a missing diff page was not reported")
                build(root, out)
                (out / "src" / "01-one" / "main.cpp.html").unlink()
                if not check(root, out):
                    failures += 1
                    print("selftest: a missing source page (an excerpt's caption link) was not reported")
                build(root, out)
                page = out / "01-one.html"
                page.write_text(page.read_text().replace('<figcaption class="excerpt-file">', "<figcaption>"))
                if not check(root, out):
                    failures += 1
                    print("selftest: an excerpt without its caption was not reported")
                build(root, out)
                (out / "02-two.html").unlink()
                if not check(root, out):
                    failures += 1
                    print("selftest: a missing chapter page was not reported")
                shots = Path(tmp) / "screens"
                shots.mkdir()
                (shots / "01-one.png").write_bytes(b"not really a PNG\n")
                build(root, out, shots)
                if 'src="screens/01-one.png"' not in (out / "01-one.html").read_text() or check(root, out):
                    failures += 1
                    print("selftest: a stage's screenshot is not shown by its chapter, or breaks the check")
                build(root, out)
                if 'href="glossary.html#term"' not in (out / "02-two.html").read_text():
                    failures += 1
                    print("selftest: a link to the glossary does not lead to its page")
                (out / "glossary.html").unlink()
                if not check(root, out):
                    failures += 1
                    print("selftest: a missing glossary page was not reported")
            if (not problems) != should_pass:
                failures += 1
                print(f"selftest: {name}: expected {'a pass' if should_pass else 'a failure'}, "
                      f"got {problems or 'a pass'}")
    print(f"selftest: {'all cases behave' if failures == 0 else f'{failures} case(s) misbehave'}")
    return 1 if failures else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                   help="the repository root (default: the parent of book/)")
    p.add_argument("--out", type=Path, help="where the site goes (it is replaced)")
    p.add_argument("--check", action="store_true", help="check the site after building it")
    p.add_argument("--screens", type=Path, metavar="DIR",
                   help="the stages' screenshots (screens.py's NN-name.png): each chapter shows its "
                        "stage's; a missing one is left out")
    p.add_argument("--selftest", action="store_true", help="test the builder and the check")
    args = p.parse_args()
    if args.selftest:
        return selftest()
    if args.out is None:
        p.error("--out DIR is needed")
    root = args.root.resolve()
    if not (root / "book").is_dir():
        print(f"site.py: error: {root} has no book/ directory (is --root the repository?)", file=sys.stderr)
        return 1
    site = build(root, args.out, args.screens.resolve() if args.screens else None)
    print(f"site.py: {len(site.pages)} pages in {site.out}; open {site.out / 'index.html'}")
    if args.check:
        problems = check(root, site.out)
        for problem in problems:
            print(problem)
        if problems:
            print(f"site.py: {len(problems)} problem(s) in the site")
            return 1
        print("site.py: every chapter has its page, every excerpt its caption and every stage its diff; "
              "all internal links and images resolve")
    return 0


if __name__ == "__main__":
    sys.exit(main())
