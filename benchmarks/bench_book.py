"""Time the book: a cold `mkdocs build --strict` and each page's execution through a Jupyter kernel.

Run from the repository root:  .venv/bin/python benchmarks/bench_book.py
Writes benchmarks/book-build.json (read by the Performance page). Goal (issue 7): a cold build
under 60 s on a 2-core machine.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pages() -> list[Path]:
    return sorted(p for p in (ROOT / "docs").glob("*.py") if not p.name.startswith("_"))


def time_page(path: Path) -> float:
    """Execute one page as mkdocs-jupyter does (jupytext -> nbclient, a fresh kernel); seconds."""
    import jupytext
    from nbclient import NotebookClient

    nb = jupytext.read(path)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    start = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    return time.perf_counter() - start


def main() -> None:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", BACKPROP_DOCS_CACHE="0")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as out:
        print("cold mkdocs build --strict ...", flush=True)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", out], cwd=ROOT, env=env,
                       check=True, stderr=subprocess.DEVNULL)
        build_s = time.perf_counter() - start
    print(f"  {build_s:.1f} s", flush=True)
    per_page = {}
    for i, page in enumerate(pages(), 1):
        per_page[page.name] = time_page(page)
        print(f"[{i}/{len(pages())}] {page.name}: {per_page[page.name]:.2f} s", flush=True)
    result = {
        "what": "cold `mkdocs build --strict` (no page cache) and per-page execution through a fresh Jupyter kernel",
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "load_average_before_after": [list(load_before), list(os.getloadavg())],
        "cold_build_seconds": build_s,
        "page_seconds": per_page,
    }
    (ROOT / "benchmarks" / "book-build.json").write_text(json.dumps(result, indent=1) + "\n")
    print(f"cold build {build_s:.1f} s; pages {sum(per_page.values()):.1f} s in all; wrote benchmarks/book-build.json")


if __name__ == "__main__":
    main()
