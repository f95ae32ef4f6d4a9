#!/usr/bin/env python3
"""check_browser.py --site DIR [--width PX] [--selftest] -- every page of the book's website, in Chromium.

Loads every page of a built site (./workbook book writes it to build/book-site/) from file://
in headless Chromium, in a window WIDTH CSS pixels wide (390 by default: a phone), and requires
of each page:

  * no console errors: no console.error(), no uncaught exception, no error the browser logs
    itself (a resource that failed to load, a refused script);
  * no missing images: every <img> has loaded and has a natural width above 0;
  * no dead internal links: every <a href> inside the site leads to a page or file that exists,
    and its #fragment, if any, to an element with that id (or an <a name>) on the page it leads
    to, as the browser built that page;
  * no horizontal scrolling: the document is no wider than the window. Long code lines must
    scroll inside their <pre>, wide tables inside themselves.

Every chapter page (NN-name.html) must also show at least one PNG (its stage's screenshot) and
one SVG figure, both loaded; and the search page, asked for a phrase the book contains, must
list results. Each problem is printed as `PAGE: what`; the status is 1 if there is any.

Chromium is driven through its DevTools protocol over a pipe (--remote-debugging-pipe), so the
check needs nothing but Debian's `chromium` package and Python's standard library. Without
Chromium the check cannot judge the site: it says how to install it and exits with 77, which
CTest reports as skipped, except under CI (the environment variable CI is set), where it fails.
`./workbook test --browser` installs Chromium and runs this test.

--selftest builds a small site with one of each kind of breakage and checks that each is caught
(it needs Chromium too)."""

from __future__ import annotations

import argparse
import concurrent.futures
import fcntl
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

SKIPPED = 77
WIDTH, HEIGHT = 390, 844
LOAD_TIMEOUT = 30.0     # seconds for one page; a loaded 2-core machine takes well under one
SEARCH_PHRASE = "page table"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# What the check reads from a loaded page, in one call.
PAGE_JS = r"""
(() => {
  const out = {ids: [], links: [], images: [], overflow: null, selfLinks: []};
  for (const e of document.querySelectorAll("[id]")) out.ids.push(e.id);
  for (const e of document.querySelectorAll("a[name]")) out.ids.push(e.getAttribute("name"));
  const here = location.href.split("#")[0];
  const links = new Set();
  for (const a of document.querySelectorAll("a[href]")) {
    const raw = a.getAttribute("href");
    const url = a.href;
    if (!/^file:/.test(url)) continue;
    const [page, frag] = url.split("#");
    if (page.split("?")[0] === here.split("?")[0] && frag !== undefined) {
      // A link within the page: checked here, against the page as built.
      const id = decodeURIComponent(frag);
      if (id && !document.getElementById(id) && !document.getElementsByName(id).length)
        out.selfLinks.push(raw);
      continue;
    }
    links.add(raw + "\u0000" + url);
  }
  out.links = Array.from(links);
  for (const img of document.images) {
    out.images.push({src: img.getAttribute("src"), url: img.currentSrc || img.src,
                     ok: img.complete && img.naturalWidth > 0});
  }
  const root = document.scrollingElement || document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth > width) {
    // Name the outermost elements that stick out, outside any element that scrolls by itself.
    const culprits = [];
    const scrolls = (e) => { const s = getComputedStyle(e).overflowX; return s === "auto" || s === "scroll" || s === "hidden"; };
    const walk = (e) => {
      for (const c of e.children) {
        const r = c.getBoundingClientRect();
        if (r.right > width + 0.5 && culprits.length < 4) {
          const inner = Array.from(c.children).some((k) => k.getBoundingClientRect().right > width + 0.5);
          if (!inner || scrolls(c) || c.tagName === "IMG") {
            const name = c.tagName.toLowerCase() + (c.id ? "#" + c.id : "") +
                         (c.className && typeof c.className === "string" ? "." + c.className.trim().split(/\s+/).join(".") : "");
            culprits.push(name + " (" + Math.round(r.right) + " px) \u201c" +
                          (c.textContent || c.getAttribute("src") || "").trim().replace(/\s+/g, " ").slice(0, 50) + "\u201d");
          } else if (!scrolls(c)) {
            walk(c);
          }
        } else if (!scrolls(c)) {
          walk(c);
        }
      }
    };
    walk(document.body);
    out.overflow = {scrollWidth: root.scrollWidth, width: width, culprits: culprits};
  }
  return JSON.stringify(out);
})()
"""

SEARCH_JS = r"""
(() => { const r = document.getElementById("search-results");
         const s = document.getElementById("search-status");
         return JSON.stringify({results: r ? r.children.length : -1, status: s ? s.textContent : ""}); })()
"""


class BrowserError(Exception):
    pass


class Chromium:
    """Headless Chromium, driven over --remote-debugging-pipe: the browser reads the protocol's
    JSON messages, each ended by a NUL byte, on its fd 3 and writes its answers and events on fd 4."""

    def __init__(self, binary: str, width: int, height: int):
        self.profile = tempfile.mkdtemp(prefix="workbook-chromium-")
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()
        flags = ["--headless", "--remote-debugging-pipe", f"--user-data-dir={self.profile}",
                 f"--window-size={width},{height}", "--hide-scrollbars", "--disable-gpu",
                 "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                 "--disable-background-networking", "--disable-sync", "--disable-component-update",
                 "--mute-audio", "--allow-file-access-from-files"]
        # Without its sandbox: Chromium refuses to run as root with it, and in a container or a
        # chroot it may find no way to build it. The pages are the book's own, from local files.
        flags.append("--no-sandbox")

        def fds() -> None:
            # Out of the way first (either may be fd 3 or 4), then onto 3 and 4; dup2 onto
            # another number makes a descriptor that survives exec.
            r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([binary, *flags, "about:blank"], stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log, preexec_fn=fds,
                                     close_fds=False, start_new_session=True)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = LOAD_TIMEOUT) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self.to_browser, data):]
        wanted = self.next_id
        deadline = time.monotonic() + timeout
        answer = None
        while answer is None:
            for msg in self.read(deadline):  # every message read is kept: events may follow the answer
                if msg.get("id") == wanted:
                    answer = msg
                elif "method" in msg:
                    self.events.append(msg)
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error'].get('message', answer['error'])}")
        return answer.get("result", {})

    def read(self, deadline: float) -> list[dict]:
        """The messages that have arrived, waiting for at least one until the deadline."""
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self.from_browser], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.from_browser, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium ended" + self.output())
            self.buffer += chunk
        *messages, self.buffer = self.buffer.split(b"\0")
        return [json.loads(m) for m in messages if m]

    def wait_event(self, method: str, session: str, timeout: float = LOAD_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for ev in self.events[seen:]:
                if ev["method"] == method and ev.get("sessionId") == session:
                    self.events.remove(ev)
                    return
            seen = len(self.events)
            for msg in self.read(deadline):
                if "method" in msg:
                    self.events.append(msg)

    def output(self) -> str:
        try:
            self.log.seek(0)
            text = self.log.read().decode(errors="replace").strip()
        except OSError:
            text = ""
        return f"; its output:\n{text[-2000:]}" if text else ""

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                try:
                    self.send("Browser.close", timeout=5)
                except (BrowserError, OSError):
                    pass
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait()
        finally:
            for fd in (self.to_browser, self.from_browser):
                try:
                    os.close(fd)
                except OSError:
                    pass
            shutil.rmtree(self.profile, ignore_errors=True)


class Tab:
    def __init__(self, browser: Chromium, width: int, height: int):
        self.b = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for method in ("Page.enable", "Runtime.enable", "Log.enable"):
            self.call(method)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def call(self, method: str, params: dict | None = None) -> dict:
        return self.b.send(method, params, session=self.session)

    def load(self, url: str) -> list[str]:
        """Navigates to url, waits for its load event; returns the errors logged meanwhile."""
        self.b.events = [e for e in self.b.events if e.get("sessionId") != self.session]
        result = self.call("Page.navigate", {"url": url})
        if result.get("errorText"):
            return [f"the browser could not open it: {result['errorText']}"]
        self.b.wait_event("Page.loadEventFired", self.session)
        return []

    def evaluate(self, expression: str) -> object:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"the check's script failed: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def errors(self) -> list[str]:
        """The console errors, uncaught exceptions and browser-logged errors since the load."""
        self.evaluate("0")  # a round trip: events sent before it have arrived
        found = []
        for ev in self.b.events:
            if ev.get("sessionId") != self.session:
                continue
            p = ev.get("params", {})
            if ev["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                args = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
                found.append(f"console error: {args}")
            elif ev["method"] == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                text = d.get("exception", {}).get("description") or d.get("text", "")
                found.append(f"uncaught exception: {text.splitlines()[0] if text else '?'}")
            elif ev["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                e = p["entry"]
                found.append(f"browser error: {e.get('text', '')}" + (f" ({e['url']})" if e.get("url") else ""))
        self.b.events = [e for e in self.b.events if e.get("sessionId") != self.session]
        return found


def find_chromium(given: str | None) -> str | None:
    if given:
        return given if shutil.which(given) else None
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def to_path(url: str) -> Path:
    return Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path))


def load_pages(site: Path, pages: list[str], chromium: str, width: int, search: bool) -> dict:
    """Loads the pages one after the other in one Chromium; returns, for each, its problems,
    ids and links (and, with search, the search page's problems under "search")."""
    found_all: dict = {}
    browser = Chromium(chromium, width, HEIGHT)
    try:
        tab = Tab(browser, width, HEIGHT)
        for page in pages:
            found = tab.load((site / page).as_uri())
            data = json.loads(tab.evaluate(PAGE_JS))
            found += tab.errors()
            for raw in data["selfLinks"]:
                found.append(f"the link {raw!r} leads to no element of this page")
            for img in data["images"]:
                if not img["ok"]:
                    found.append(f"the image {img['src']!r} did not load")
            if data["overflow"]:
                o = data["overflow"]
                found.append(f"scrolls sideways at {width} px: the page is {o['scrollWidth']} px wide; "
                             + ("; ".join(o["culprits"]) or "(no single element named)"))
            if re.fullmatch(r"\d\d-[^/]+\.html", page):
                loaded = [img["src"] for img in data["images"] if img["ok"]]
                for kind in ("png", "svg"):
                    if not any(src.lower().endswith("." + kind) for src in loaded):
                        found.append(f"a chapter page without a {kind.upper()} "
                                     + ("screenshot" if kind == "png" else "figure"))
            found_all[page] = (found, set(data["ids"]), [tuple(x.split("\0", 1)) for x in data["links"]])
        if search:
            query = urllib.parse.quote(SEARCH_PHRASE)
            found = tab.load((site / "search.html").as_uri() + f"?q={query}")
            result = {"results": 0}
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                result = json.loads(tab.evaluate(SEARCH_JS))
                if result["results"] > 0:
                    break
                time.sleep(0.05)
            found += tab.errors()
            if result["results"] <= 0:
                found.append(f"searching for {SEARCH_PHRASE!r} lists nothing ({result.get('status', '')!r})")
            found_all["search"] = [f"search.html?q={query}: {p}" for p in found]
    finally:
        browser.close()
    return found_all


def check(site: Path, chromium: str, width: int, jobs: int = 1) -> tuple[list[str], int]:
    site = site.resolve()
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    jobs = max(1, min(jobs, len(pages)))
    search = "search.html" in pages
    # Each browser takes every jobs-th page, so that the heavy source pages are shared out.
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        parts = list(pool.map(lambda n: load_pages(site, pages[n::jobs], chromium, width, search and n == 0),
                              range(jobs)))
    problems: list[str] = []
    ids: dict[str, set[str]] = {}
    links: dict[str, list[tuple[str, str]]] = {}
    for part in parts:
        problems += part.pop("search", [])
        for page, (found, page_ids, page_links) in part.items():
            problems += [f"{page}: {p}" for p in found]
            ids[page], links[page] = page_ids, page_links
    problems.sort()
    # The links between pages, against the pages as the browser built them.
    page_set = set(pages)
    for page in pages:
        for raw, url in links[page]:
            path = to_path(url.split("#")[0])
            frag = urllib.parse.unquote(url.split("#", 1)[1]) if "#" in url else ""
            try:
                rel = path.relative_to(site).as_posix()
            except ValueError:
                problems.append(f"{page}: the link {raw!r} leads out of the site, to {path}")
                continue
            if url.split("#")[0].split("?")[0].endswith("/"):
                rel = (rel + "/index.html").lstrip("/")
            if rel in page_set:
                if frag and frag not in ids[rel]:
                    problems.append(f"{page}: the link {raw!r} leads to {rel}, which has no element #{frag}")
            elif not (site / rel).is_file():
                problems.append(f"{page}: the link {raw!r} leads to {rel}, which does not exist")
    return problems, len(pages)


def selftest(chromium: str, width: int) -> int:
    """A made-up site with one page per kind of breakage: each must be reported, the good page not."""
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010800000000"
                        "3a7e9b550000000a49444154789c63600000000200015dd1d1f20000000049454e44ae426082")
    page = '<!doctype html><html><head><meta name="viewport" content="width=device-width"></head><body>{}</body></html>'
    pages = {
        "good.html": '<h1 id="top">Good</h1><a href="other.html#there">x</a><a href="#top">up</a>'
                     '<pre style="overflow-x:auto">' + "x" * 300 + "</pre>",
        "other.html": '<p id="there">there</p><a href="good.html">back</a>',
        "01-chapter.html": '<img src="f.svg" alt=""><img src="s.png" alt="">',
        "02-chapter.html": '<img src="f.svg" alt="">',
        "console.html": "<script>console.error('boom')</script>",
        "exception.html": "<script>null.x()</script>",
        "image.html": '<img src="gone.png" alt="">',
        "deadlink.html": '<a href="nowhere.html">x</a>',
        "deadanchor.html": '<a href="other.html#elsewhere">x</a>',
        "deadselfanchor.html": '<a href="#nothing">x</a>',
        "wide.html": '<pre style="overflow:visible">' + "x" * 300 + "</pre>",
    }
    expect = {"01-chapter.html": None, "good.html": None, "other.html": None,
              "02-chapter.html": "without a PNG", "console.html": "console error: boom",
              "exception.html": "uncaught exception", "image.html": "did not load",
              "deadlink.html": "does not exist", "deadanchor.html": "no element #elsewhere",
              "deadselfanchor.html": "leads to no element", "wide.html": "scrolls sideways"}
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        (site / "f.svg").write_text(svg)
        (site / "s.png").write_bytes(png)
        for name, body in pages.items():
            (site / name).write_text(page.format(body))
        problems, count = check(site, chromium, width, jobs=2)
    for name, want in expect.items():
        got = [p for p in problems if p.startswith(name + ":")]
        if want is None and got:
            failures += 1
            print(f"selftest: {name} should pass, got {got}")
        elif want is not None and not any(want in p for p in got):
            failures += 1
            print(f"selftest: {name} should report {want!r}, got {got or 'nothing'}")
    print(f"selftest: {'all cases behave' if not failures else f'{failures} case(s) misbehave'} "
          f"({count} pages)")
    return 1 if failures else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--site", type=Path, help="the built site (build/book-site)")
    p.add_argument("--width", type=int, default=WIDTH, help=f"the window's width in CSS pixels (default {WIDTH})")
    p.add_argument("--chromium", help="the browser to run (default: chromium from PATH)")
    p.add_argument("--jobs", type=int, default=1, help="browsers run at once, each loading a share of the pages")
    p.add_argument("--selftest", action="store_true", help="check the check on a made-up site")
    a = p.parse_args()
    chromium = find_chromium(a.chromium)
    if chromium is None:
        print(f"check_browser: {'the browser ' + repr(a.chromium) if a.chromium else 'Chromium'} is not "
              "installed, so the book's pages cannot be checked in a browser. Install it with: "
              "sudo apt-get install chromium (./workbook test --browser installs it)")
        if os.environ.get("CI"):
            print("check_browser: failed: CI must check the pages in a browser")
            return 1
        return SKIPPED
    if a.selftest:
        return selftest(chromium, a.width)
    if a.site is None:
        p.error("--site DIR is needed (or --selftest)")
    if not (a.site / "index.html").is_file():
        print(f"check_browser: {a.site}/index.html does not exist: build the site first "
              "(./workbook book, or cmake --build build --target book_site)")
        return 1
    started = time.monotonic()
    try:
        problems, count = check(a.site, chromium, a.width, a.jobs)
    except BrowserError as e:
        print(f"check_browser: {e}")
        return 1
    took = time.monotonic() - started
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_browser: {len(problems)} problem(s) in {count} pages ({took:.1f} s)")
        return 1
    print(f"check_browser: {count} pages load in Chromium at {a.width} px without console errors, missing "
          f"images, dead internal links or sideways scrolling ({took:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
