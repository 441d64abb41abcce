"""Time the book's build: cold `mkdocs build --strict`, each page's execution, and `mkdocs serve`'s refresh.

Run from the repository root (the machine should be quiet; the load average is recorded with
every figure):

    .venv/bin/python benchmarks/bench_book.py                     # writes benchmarks/book-build.json
    .venv/bin/python benchmarks/bench_book.py --rounds 3 --before c10ebf7 \
        --config "2 at a time:BACKPROP_BUILD_JOBS=2" --config "1 at a time:BACKPROP_BUILD_JOBS=1"
    .venv/bin/python benchmarks/bench_book.py --no-build --no-pages --serve --no-write

* Cold build: ``mkdocs build --strict`` into a temporary folder, page cache off, ``--rounds`` times
  for each configuration, the configurations alternating (the order reverses every round) so that
  they share the machine's load. A configuration is the committed tree (HEAD, exported with ``git
  archive``) built with some environment (``--config``: ``BACKPROP_BUILD_JOBS``, pages executed at
  once; ``BACKPROP_BUILD_FORK=0``, each kernel a new Python instead of a fork of the zygote;
  ``BACKPROP_BUILD_ORDER=nav``, pages queued in navigation order instead of slowest first;
  ``BACKPROP_BUILD_SPARE_KERNELS``; ``BACKPROP_BUILD_PRELOAD``) or, with ``--before REV``, an
  earlier commit's tree: the figure to compare with. Wall time, CPU time (this process's children: the build and
  its kernels) and the load average before and after each run are recorded; the build's own record
  of each page (wait, kernel start, cells, slowest cells; ``tools/hooks/execute_pages.py``) is kept
  for the last run of the default configuration.
* Pages alone: each page executed in a fresh kernel with nothing else running, as the build runs
  it (jupytext, nbclient, the project root as working directory): its kernel start, its cells and
  its three slowest cells (``page_seconds`` is the total, read by the Performance page).
* Serve (``--serve``): ``mkdocs serve`` on a copy of the project; once every page is cached, a
  Markdown cell of a few pages is edited and the time until the served page shows the edit is
  measured, and again after the edit is undone.

The goal (issue 16): a cold build under 60 s on two cores, a serve refresh under 5 s.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "book-build.json"
TIMES_ENV = "BACKPROP_BUILD_TIMES"
SERVE_PAGES = ("errata.py", "notation.py", "gradient-descent.py")  # a light, a typical, a heavy page
GOAL_BUILD_S, GOAL_REFRESH_S = 60, 5


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --------------------------------------------------------------------------- cold builds


def export(rev: str, where: Path) -> Path:
    """The tree of commit ``rev``, exported into ``where`` (no git metadata)."""
    where.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive.stdout, check=True)
    return where


def cold_build(tree: Path, env_extra: dict[str, str], times_file: Path | None = None) -> dict:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", BACKPROP_DOCS_CACHE="0", **env_extra)
    env.pop(TIMES_ENV, None)
    if times_file is not None:
        env[TIMES_ENV] = str(times_file)
    with tempfile.TemporaryDirectory() as out:
        load_before, cpu_before = _load(), _children_cpu()
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", out], cwd=tree,
                              env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"mkdocs build failed in {tree}:\n{proc.stderr[-3000:]}")
    return {"wall_s": wall, "cpu_s": _children_cpu() - cpu_before, "load_before": load_before, "load_after": _load()}


def parse_config(text: str) -> tuple[str, dict[str, str]]:
    """``"name:VAR=value,VAR=value"`` -> (name, environment)."""
    name, _, assignments = text.partition(":")
    env = dict(a.split("=", 1) for a in assignments.split(",") if a.strip())
    return name, env


def cold_builds(rounds: int, configs_env: dict[str, dict], before: str | None) -> tuple[dict, dict | None]:
    configs: dict[str, tuple[Path, dict]] = {}
    scratch = Path(tempfile.mkdtemp(prefix="bench-book-"))
    try:
        if before:
            configs[f"before ({before})"] = (export(before, scratch / "before"), {})
        # This tree as committed (HEAD): editing the work tree during a run changes nothing.
        head = export("HEAD", scratch / "head")
        for name, env in configs_env.items():
            configs[name] = (head, env)
        default = list(configs_env)[0]
        runs: dict[str, list[dict]] = {name: [] for name in configs}
        page_record = None
        names = list(configs)
        for r in range(rounds):
            for name in (names if r % 2 == 0 else names[::-1]):
                tree, env = configs[name]
                times = scratch / "times.json" if name == default else None
                result = cold_build(tree, env, times)
                runs[name].append(result)
                if times is not None:
                    page_record = json.loads(times.read_text())
                print(f"  round {r + 1}, {name}: {result['wall_s']:.1f} s wall, {result['cpu_s']:.1f} s CPU, "
                      f"load {result['load_before'][0]:.2f} -> {result['load_after'][0]:.2f}", flush=True)
        return runs, page_record
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# --------------------------------------------------------------------------- pages alone


def pages() -> list[Path]:
    return sorted(p for p in (ROOT / "docs").glob("*.py") if not p.name.startswith("_"))


def time_page(path: Path) -> dict:
    """One page in a fresh kernel, as the build executes it: kernel start, cells, slowest cells."""
    import jupytext
    from nbclient import NotebookClient

    nb = jupytext.read(path)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}})
    start = time.perf_counter()
    with client.setup_kernel():
        ready = time.perf_counter()
        cells = []
        for index, cell in enumerate(nb.cells):
            t0 = time.perf_counter()
            client.execute_cell(cell, index)
            if cell.cell_type == "code":
                cells.append((time.perf_counter() - t0, len(cells) + 1, (cell.source.splitlines() or [""])[0][:100]))
        done = time.perf_counter()
    end = time.perf_counter()
    cells.sort(reverse=True)
    return {"seconds": end - start, "kernel_start_s": ready - start, "cells_s": done - ready,
            "shutdown_s": end - done,
            "slowest_cells": [{"seconds": s, "cell": n, "first_line": line} for s, n, line in cells[:3]]}


# --------------------------------------------------------------------------- serve


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def _wait_for(url: str, marker: str, present: bool, timeout: float) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        html = _fetch(url)
        if html is not None and (marker in html) == present:
            return time.perf_counter() - start
        time.sleep(0.05)
    raise SystemExit(f"{url}: {'no' if present else 'still'} {marker!r} after {timeout} s")


def _save(path: Path, text: str) -> None:
    """Write as an editor saves: a new file renamed over the old one (one change for the watcher)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def serve_refresh(repeats: int) -> dict:
    """Edit-to-refresh times of `mkdocs serve` (seconds until the served page shows the edit)."""
    scratch = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    project = scratch / "project"
    for part in ("docs", "tools", "overrides", "backprop", "benchmarks"):
        shutil.copytree(ROOT / part, project / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    port = _free_port()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("BACKPROP_DOCS_CACHE", None)
    log = open(scratch / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--strict", "-a", f"127.0.0.1:{port}"],
                            cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT)
    results: dict[str, list] = {}
    try:
        base = f"http://127.0.0.1:{port}/"
        start = time.perf_counter()
        _wait_for(base, "</html>", True, timeout=900)
        first = time.perf_counter() - start
        print(f"  first build under serve (every page executed, cache filled): {first:.1f} s", flush=True)
        time.sleep(2)
        for name in SERVE_PAGES:
            page = project / "docs" / name
            url = base + name.removesuffix(".py") + "/"
            original = page.read_text(encoding="utf-8")
            header_end = original.index("\n#\n") if "\n#\n" in original else original.index("\n\n")
            results[name] = []
            for i in range(repeats):
                marker = f"Benchmark{os.getpid()}x{i}"
                load = _load()
                _save(page, original[:header_end] + f"\n#\n# {marker}" + original[header_end:])
                edit = _wait_for(url, marker, True, timeout=600)
                time.sleep(1)
                _save(page, original)
                undo = _wait_for(url, marker, False, timeout=600)
                results[name].append({"edit_s": edit, "undo_s": undo, "load_before": load})
                print(f"  {name}: edit shown after {edit:.2f} s, undone after {undo:.2f} s (load {load[0]:.2f})",
                      flush=True)
                time.sleep(1)
        return {"first_build_s": first, "pages": results}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(scratch, ignore_errors=True)


# --------------------------------------------------------------------------- main


def _median(values: list[float]) -> float:
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="cold builds per configuration (default 3)")
    parser.add_argument("--config", action="append", default=[],
                        help="a configuration to build, 'name:VAR=value,VAR=value' (repeat to compare; the first "
                             "is the one recorded as the cold build; default: 'default:', the hooks' defaults)")
    parser.add_argument("--before", help="also build this earlier commit (git archive), alternating with the others")
    parser.add_argument("--no-build", action="store_true", help="skip the cold builds")
    parser.add_argument("--no-pages", action="store_true", help="skip timing each page alone")
    parser.add_argument("--serve", action="store_true", help="measure mkdocs serve's edit-to-refresh time")
    parser.add_argument("--serve-repeats", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help=f"do not write {OUT.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    configs = dict(parse_config(c) for c in (args.config or ["default:"]))

    previous = json.loads(OUT.read_text()) if OUT.is_file() else {}
    result = {
        "what": ("cold `mkdocs build --strict` (no page cache; pages executed BACKPROP_BUILD_JOBS at a time, each "
                 "in a fresh kernel), each page executed alone in a fresh kernel, and `mkdocs serve`'s "
                 "edit-to-refresh time"),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "goals_s": {"cold_build": GOAL_BUILD_S, "serve_refresh": GOAL_REFRESH_S},
    }
    if not args.no_build:
        print(f"cold builds: {args.rounds} rounds of {', '.join(configs)}" + (f" and {args.before}" if args.before
                                                                             else ""), flush=True)
        runs, record = cold_builds(args.rounds, configs, args.before)
        default = list(configs)[0]
        result["build_config"] = {"name": default, "env": configs[default]}
        result["cold_builds"] = runs
        result["cold_build_seconds"] = _median([r["wall_s"] for r in runs[default]])
        result["load_average_before_after"] = [runs[default][-1]["load_before"], runs[default][-1]["load_after"]]
        result["build_page_record"] = record
        for name, rs in runs.items():
            print(f"{name}: median {_median([r['wall_s'] for r in rs]):.1f} s wall, "
                  f"{_median([r['cpu_s'] for r in rs]):.1f} s CPU")
    else:
        for key in ("build_config", "cold_builds", "cold_build_seconds", "load_average_before_after",
                    "build_page_record"):
            if key in previous:
                result[key] = previous[key]
    if not args.no_pages:
        detail = {}
        load_before = _load()
        for i, page in enumerate(pages(), 1):
            detail[page.name] = time_page(page)
            d = detail[page.name]
            print(f"[{i}/{len(pages())}] {page.name}: {d['seconds']:.2f} s (kernel start {d['kernel_start_s']:.2f} s, "
                  f"slowest cell {d['slowest_cells'][0]['seconds']:.2f} s: {d['slowest_cells'][0]['first_line']})",
                  flush=True)
        result["pages_load_before_after"] = [load_before, _load()]
        result["page_detail"] = detail
        result["page_seconds"] = {name: d["seconds"] for name, d in detail.items()}
    else:
        for key in ("pages_load_before_after", "page_detail", "page_seconds"):
            if key in previous:
                result[key] = previous[key]
    if args.serve:
        result["serve"] = serve_refresh(args.serve_repeats)
    elif "serve" in previous:
        result["serve"] = previous["serve"]
    if not args.no_write:
        OUT.write_text(json.dumps(result, indent=1) + "\n")
        print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
