"""One build of the book per test session, shared by tests/test_site.py and tests/test_browser.py.

Building executes every page (seconds each), so it happens once. The site is built for the address
it is served at (``BACKPROP_SITE_URL``): Material's instant navigation only engages there. The
server socket is bound first (a free port on 127.0.0.1), then the site is built for that address.

``BACKPROP_BUILT_SITE=/path/to/site`` uses a site built beforehand instead (served at the address
its pages name in their canonical link): to iterate on the browser tests without rebuilding, or to
run them against another build (such as an older commit's).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]

# Property tests explore new random examples on every local run; in CI they replay a fixed set so
# that a run of main is reproducible (a failure found locally is printed with its seed).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def _prebuilt() -> tuple[Path, int] | None:
    folder = os.environ.get("BACKPROP_BUILT_SITE", "").strip()
    if not folder:
        return None
    site = Path(folder).resolve()
    index = site / "index.html"
    canonical = re.search(r'<link rel="canonical" href="http://127\.0\.0\.1:(\d+)/"', index.read_text("utf-8")) \
        if index.is_file() else None
    if not canonical:
        pytest.exit(f"BACKPROP_BUILT_SITE={folder}: no site built for http://127.0.0.1:PORT/ there", returncode=4)
    return site, int(canonical.group(1))


@pytest.fixture(scope="session")
def site_server(tmp_path_factory):
    """An HTTP server on 127.0.0.1 (free port) serving the folder the site is built into."""
    prebuilt = _prebuilt()
    site, port = prebuilt if prebuilt else (tmp_path_factory.mktemp("site"), 0)
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    server.site_dir = site
    server.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def built_site(site_server) -> Path:
    """The whole book, built from scratch with ``mkdocs build --strict`` (page cache off)."""
    if _prebuilt():
        return site_server.site_dir
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", BACKPROP_DOCS_CACHE="0", BACKPROP_SITE_URL=site_server.url)
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-d", str(site_server.site_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}", pytrace=False)
    return site_server.site_dir
