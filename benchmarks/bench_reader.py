"""The reader's view, measured in Chromium: bytes of a first visit, time until the math is on screen,
glyphs lost after instant navigation, formulas drawn below their size. Not a test: run it by hand.

    .venv/bin/python benchmarks/bench_reader.py SITE [SITE ...] [--runs 7] [--cpu-slowdown 4] [--page P]
                                                [--only bytes,time,glyphs,shrunk] [--out FILE]

Each SITE is a folder made by ``mkdocs build``. It is served on 127.0.0.1 at the address its pages
were built for (their canonical link; build with ``BACKPROP_SITE_URL=http://127.0.0.1:PORT/``), since
Material's instant navigation only engages there. To compare with the site before build-time math
(commit 01888a6, MathJax in the browser):

    mkdir /tmp/old-main && git archive 01888a6 | tar -x -C /tmp/old-main
    (cd /tmp/old-main && PYTHONPATH=. BACKPROP_SITE_URL=http://127.0.0.1:8765/ mkdocs build -d /tmp/site-old)
    BACKPROP_SITE_URL=http://127.0.0.1:8766/ .venv/bin/mkdocs build -d /tmp/site-new
    .venv/bin/python benchmarks/bench_reader.py /tmp/site-old /tmp/site-new

What is measured, per site (the probes are tests/reader_probes.js, shared with the browser tests):

* first-visit bytes of every page: a fresh browser profile opens the page and everything it loads
  (theme, search index, fonts) is summed, uncompressed (response bodies);
* on the heaviest page (most first-visit bytes, or ``--page``), ``--runs`` fresh loads: first
  contentful paint and the moment the math is on screen (no raw TeX left in the text, some math in
  the page, KaTeX's fonts arrived), both from navigation start;
* glyphs lost: from the home page, every page of the navigation reached by clicking its sidebar
  link (instant navigation); after each, the SVG ``<use>`` references that point at nothing;
* shrunk formulas: on every page at 1280 and at 390 px wide, the formulas drawn below their
  natural size (display and inline).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import re
import statistics
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBES = (ROOT / "tests" / "reader_probes.js").read_text(encoding="utf-8")
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic"]

# Records, from navigation start, when the math is first fully on screen.
MATH_CLOCK = r"""
(() => {
  function tick() {
    if (!window.__bp || !document.body) return requestAnimationFrame(tick);
    const article = document.querySelector("article");
    const katex = document.querySelector(".katex");
    const ready = article && document.querySelector(window.__bp.MATH) && (!katex || window.__bp.katexFontsReady()) &&
                  window.__bp.rawTex(article).length === 0;
    if (ready) { window.__bpMathAt = performance.now(); return; }
    requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
})();
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    index = (site / "index.html").read_text(encoding="utf-8")
    canonical = re.search(r'<link rel="canonical" href="(http://127\.0\.0\.1:(\d+)/)"', index)
    if not canonical:
        raise SystemExit(f"{site}: build it with BACKPROP_SITE_URL=http://127.0.0.1:PORT/ (no canonical link)")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(canonical.group(2))),
                                             functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, canonical.group(1)


def nav_paths(site: Path) -> list[str]:
    home = (site / "index.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'<a href="([^"#]*)" class="md-nav__link', home)
    return list(dict.fromkeys("" if h in {".", "./"} else h for h in hrefs))


def new_page(browser, width: int = 1280, slowdown: float = 1.0):
    context = browser.new_context(viewport={"width": width, "height": 900}, service_workers="block")
    context.add_init_script(PROBES)
    page = context.new_page()
    if slowdown > 1:
        session = context.new_cdp_session(page)
        session.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
    return context, page


def wait_for_math(page, timeout: float = 20_000) -> None:
    try:
        page.wait_for_function("() => window.__bp && window.__bp.rawTex(document.querySelector('article') || "
                               "document.body).length === 0", timeout=timeout)
        page.evaluate("document.fonts.ready.then(() => true)")
    except Exception:
        pass


def first_visit_bytes(browser, url: str, path: str) -> dict:
    context, page = new_page(browser)
    sizes: dict[str, int] = {}

    def record(response):
        try:
            sizes[response.url] = len(response.body())
        except Exception:
            pass

    page.on("response", record)
    page.goto(url + path, wait_until="load")
    page.wait_for_load_state("networkidle")
    wait_for_math(page)
    page.wait_for_load_state("networkidle")
    context.close()
    return {"total": sum(sizes.values()), "files": dict(sorted(sizes.items(), key=lambda kv: -kv[1]))}


def time_to_math(browser, url: str, path: str, runs: int, slowdown: float) -> dict:
    fcp, math = [], []
    for _ in range(runs):
        context, page = new_page(browser, slowdown=slowdown)
        page.add_init_script(MATH_CLOCK)
        page.goto(url + path, wait_until="load")
        try:
            page.wait_for_function("() => window.__bpMathAt !== undefined", timeout=60_000)
        except Exception:
            pass
        paint, at = page.evaluate("""() => [
          (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime, window.__bpMathAt]""")
        fcp.append(paint)
        math.append(at)
        context.close()
    ok = [m for m in math if m is not None]
    return {"runs": runs, "cpu_slowdown": slowdown, "fcp_ms": fcp, "math_ms": math,
            "median_fcp_ms": statistics.median(fcp), "median_math_ms": statistics.median(ok) if ok else None,
            "median_math_after_fcp_ms": statistics.median([m - f for m, f in zip(math, fcp, strict=True)
                                                          if m is not None]) if ok else None}


def glyphs_lost(browser, url: str, paths: list[str]) -> dict:
    context, page = new_page(browser)
    page.goto(url, wait_until="load")
    wait_for_math(page)
    per_page = {}
    for path in paths:
        if path == "":
            continue
        links = page.locator("nav.md-nav--primary a.md-nav__link")
        index = links.evaluate_all("(els, u) => els.findIndex((e) => e.href === u)", url + path)
        if index < 0:
            per_page[path] = {"error": "no sidebar link"}
            continue
        links.nth(index).click()
        page.wait_for_url(url + path)
        page.wait_for_timeout(300)
        wait_for_math(page)
        page.wait_for_timeout(300)
        per_page[path] = page.evaluate("window.__bp.brokenUses()")
    context.close()
    return {"broken": sum(p.get("broken", 0) for p in per_page.values()),
            "uses": sum(p.get("uses", 0) for p in per_page.values()), "pages": per_page}


def shrunk(browser, url: str, paths: list[str], width: int) -> dict:
    context, page = new_page(browser, width=width)
    per_page = {}
    for path in paths:
        page.goto(url + path, wait_until="load")
        wait_for_math(page)
        page.wait_for_timeout(200)
        per_page[path or "home"] = page.evaluate("window.__bp.shrunkFormulas()")
    context.close()
    count = lambda display: sum(sum(s["display"] == display for s in p["shrunk"]) for p in per_page.values())  # noqa: E731
    return {"display_shrunk": count(True), "inline_shrunk": count(False),
            "display": sum(p["display"] for p in per_page.values()),
            "inline": sum(p["inline"] for p in per_page.values()),
            "below_half": sum(s["ratio"] < 0.5 for p in per_page.values() for s in p["shrunk"]),
            "smallest": min((s["ratio"] for p in per_page.values() for s in p["shrunk"]), default=None)}


def measure(browser, site: Path, runs: int, slowdown: float, page_path: str | None, what: set[str]) -> dict:
    server, url = serve(site)
    try:
        paths = nav_paths(site)
        result = {"site": str(site)}
        if "bytes" in what or not page_path:
            weights = {p or "home": first_visit_bytes(browser, url, p) for p in paths}
            result["first_visit_bytes"] = {p: w["total"] for p, w in weights.items()}
        heaviest = page_path or max((p for p in paths if p), key=lambda p: weights[p]["total"])
        result["heaviest_page"] = heaviest
        if "bytes" in what:
            result["heaviest_page_files"] = weights[heaviest]["files"]
        if "time" in what:
            result["time_to_math"] = time_to_math(browser, url, heaviest, runs, slowdown)
        if "glyphs" in what:
            result["glyphs_lost_after_instant_navigation"] = glyphs_lost(browser, url, paths)
        if "shrunk" in what:
            result["shrunk_1280"] = shrunk(browser, url, paths, 1280)
            result["shrunk_390"] = shrunk(browser, url, paths, 390)
    finally:
        server.shutdown()
        server.server_close()
    return result


def report(r: dict) -> str:
    lines = [f"site {r['site']}"]
    fv = r.get("first_visit_bytes")
    if fv:
        over = sum(v > 1_000_000 for v in fv.values())
        lines.append(f"  first visit, uncompressed: max {max(fv.values()):,} B ({max(fv, key=fv.get)}), min "
                     f"{min(fv.values()):,} B; pages over 1,000,000 B: {over}/{len(fv)}")
    t = r.get("time_to_math")
    if t and t["median_math_ms"] is not None:
        lines.append(f"  page {r['heaviest_page']}: first contentful paint {t['median_fcp_ms']:.0f} ms, math on screen "
                     f"{t['median_math_ms']:.0f} ms (+{t['median_math_after_fcp_ms']:.0f} ms), median of {t['runs']} "
                     f"(CPU slowdown {t['cpu_slowdown']:g}x)")
    elif t:
        lines.append(f"  page {r['heaviest_page']}: the math was never complete on screen")
    g = r.get("glyphs_lost_after_instant_navigation")
    if g:
        lines.append(f"  glyphs lost after instant navigation: {g['broken']:,} of {g['uses']:,} <use> references")
    for width in (1280, 390):
        s = r.get(f"shrunk_{width}")
        if s:
            lines.append(f"  shrunk at {width} px: {s['display_shrunk']} of {s['display']} display formulas, "
                         f"{s['inline_shrunk']} of {s['inline']} inline; below half size: {s['below_half']}; "
                         f"smallest {s['smallest']}")
    if fv:
        lines.append("  first visit per page: " + ", ".join(f"{p} {v / 1e6:.2f} MB" for p, v in fv.items()))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sites", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cpu-slowdown", type=float, default=1.0, help="Chromium CPU throttling factor")
    parser.add_argument("--page", help="page to time, e.g. backpropagation/ (default: the heaviest first visit)")
    parser.add_argument("--only", default="bytes,time,glyphs,shrunk",
                        help="comma-separated subset of bytes,time,glyphs,shrunk")
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for site in args.sites:
            results.append(measure(browser, site.resolve(), args.runs, args.cpu_slowdown, args.page,
                                   set(args.only.split(","))))
            print(report(results[-1]), flush=True)
        browser.close()
    if args.out:
        args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
