"""MkDocs hook: execute the notebook pages in parallel kernels, then let mkdocs-jupyter convert them.

mkdocs-jupyter executes a page inside ``page.render``, one page after the other, each in a fresh
kernel: a cold build waits for every page in turn while a second core idles. Here, as soon as the
build knows its files (``on_files``), every page that needs executing is queued for a pool of
kernels, ``BACKPROP_BUILD_JOBS`` at a time (default: the number of cores), in navigation order, and
the build goes on meanwhile. Each page still runs in a fresh kernel of its own, from the project
root, exactly as before; only the waiting overlaps. When MkDocs renders a page, it takes that page's
executed notebook and converts it with mkdocs-jupyter's own converter (``execute=False``, the plugin
options of mkdocs.yml), so the HTML is what the plugin would have made.

* A failing cell fails the build: the error names the page, the code cell (its number and its line
  in the source file) and the traceback. It is raised when the failing page is rendered or, if the
  failure comes first, at the next page rendered; the other kernels are then stopped.
* ``mkdocs serve``: pages whose mkdocs-jupyter cache entry is valid (``serve_cache.py``) are not
  executed; an executed page's HTML is written to that cache, as the plugin does.
* Each page's notebook for download (``notebook_download.py``) needs what the page read from the
  repository (``backprop.book.repository``): after the page's last cell, its kernel is asked for
  those values (``page.bp_repository``; kept in the cache entry too).
* Timings: per page the wait, kernel start and cells, with the slowest cells, are logged at the end
  (``mkdocs build -v``) and written as JSON to the file named by ``BACKPROP_BUILD_TIMES`` (read by
  ``benchmarks/bench_book.py``).
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import json
import logging
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

log = logging.getLogger("mkdocs.hooks.execute_pages")

PLUGIN = "mkdocs-jupyter"
JOBS_ENV = "BACKPROP_BUILD_JOBS"
TIMES_ENV = "BACKPROP_BUILD_TIMES"
CELL_TIMEOUT_S = 900  # one cell; a page that hangs fails the build instead of stalling it
REPOSITORY_KEY = "bp_repository"  # in the page object and in the plugin's cache entries

# Run after a page's last cell: what the page read from the repository (backprop.book.repository).
_PROBE = (
    "import json as _bp_json, sys as _bp_sys\n"
    "_bp_repo = _bp_sys.modules.get('backprop.book.repository')\n"
    "print(_bp_json.dumps(_bp_repo.recorded() if _bp_repo else {}))"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def jobs_from_env() -> int:
    value = os.environ.get(JOBS_ENV, "").strip()
    if not value:
        return os.cpu_count() or 1
    if not value.isdigit() or int(value) < 1:
        raise PluginError(f"{JOBS_ENV}={value!r}: give the number of pages to execute at once (1 or more)")
    return int(value)


# --------------------------------------------------------------------------- one page


@dataclass
class PageRun:
    """One page's execution: the executed notebook or the error, and where the time went."""

    src_uri: str
    path: Path
    notebook: object = None
    error: str | None = None
    repository: dict = field(default_factory=dict)
    queued: float = 0.0  # time.perf_counter() values
    started: float = 0.0
    kernel_ready: float = 0.0
    finished: float = 0.0
    cells: list = field(default_factory=list)  # (seconds, cell number, first line), slowest first

    def timings(self) -> dict:
        return {
            "wait_s": self.started - self.queued,
            "kernel_start_s": self.kernel_ready - self.started,
            "cells_s": sum(c[0] for c in self.cells),
            "total_s": self.finished - self.started,
            "slowest_cells": [{"seconds": s, "cell": n, "first_line": line} for s, n, line in self.cells[:3]],
        }


def _cell_lines(path: Path) -> list[int]:
    """The line where each cell of a jupytext percent file starts (its ``# %%`` marker)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [i + 1 for i, line in enumerate(lines) if line.startswith("# %%")]


def _where(run: PageRun, index: int) -> str:
    cells = run.notebook.cells
    number = sum(1 for c in cells[: index + 1] if c.cell_type == "code")
    starts = _cell_lines(run.path)
    line = f", line {starts[index]}" if len(starts) == len(cells) else ""
    return f"{run.src_uri}: code cell {number}{line}"


def _failure(run: PageRun, error: BaseException) -> str:
    """The error of a page as the build reports it: page, cell and traceback, without colour codes."""
    failing = next((i for i, c in enumerate(run.notebook.cells) if c.cell_type == "code"
                    and any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
    where = _where(run, failing) if failing is not None else run.src_uri
    return f"{where} failed ({type(error).__name__}):\n{_ANSI.sub('', str(error)).strip()}"


def _seconds(cell) -> float:
    timing = cell.metadata.get("execution", {})
    try:
        start = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return 0.0
    return (end - start).total_seconds()


# --------------------------------------------------------------------------- the kernels


class PagePool:
    """Executes notebook pages, ``jobs`` kernels at a time, on an event loop in a background thread."""

    def __init__(self, jobs: int, cwd: Path, kernel_name: str, allow_errors: bool):
        self.jobs, self.cwd, self.kernel_name, self.allow_errors = jobs, cwd, kernel_name or "python3", allow_errors
        self.runs: dict[str, PageRun] = {}
        self.futures: dict[str, concurrent.futures.Future] = {}
        self.clients: dict = {}  # src_uri -> its NotebookClient, once the page has started
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="page-kernels", daemon=True)
        self.thread.start()
        self.slots = asyncio.Semaphore(jobs)
        self.started_at = time.perf_counter()

    stopping = False  # set by close(): pages not started yet are skipped

    def submit(self, src_uri: str, path: Path) -> None:
        run = PageRun(src_uri, path, queued=time.perf_counter())
        self.runs[src_uri] = run
        self.futures[src_uri] = asyncio.run_coroutine_threadsafe(self._execute(run), self.loop)

    async def _execute(self, run: PageRun) -> PageRun:
        import jupytext
        import nbformat
        from nbclient import NotebookClient

        async with self.slots:
            if self.stopping:
                run.error = f"{run.src_uri}: not executed (the build stopped)"
                return run
            run.started = time.perf_counter()
            nb = jupytext.read(run.path)
            nb.metadata["kernelspec"] = {"name": self.kernel_name, "display_name": "Python 3", "language": "python"}
            probe = nbformat.v4.new_code_cell(_PROBE)
            nb.cells.append(probe)
            run.notebook = nb

            def kernel_ready(**_):
                run.kernel_ready = time.perf_counter()

            client = NotebookClient(nb, kernel_name=self.kernel_name, timeout=CELL_TIMEOUT_S,
                                    allow_errors=self.allow_errors, on_notebook_start=kernel_ready,
                                    resources={"metadata": {"path": str(self.cwd)}})
            self.clients[run.src_uri] = client
            try:
                await client.async_execute()
            except Exception as e:  # CellExecutionError, CellTimeoutError, DeadKernelError, ...
                nb.cells.remove(probe)
                run.error = _failure(run, e)
            else:
                nb.cells.remove(probe)
                text = "".join(o.get("text", "") for o in probe.outputs if o.get("name") == "stdout")
                run.repository = json.loads(text) if text.strip() else {}
            finally:
                run.finished = time.perf_counter()
                run.kernel_ready = run.kernel_ready or run.finished
                # nbclient leaves its exit handler registered when a kernel dies while starting
                # (close() kills kernels): the kernel is gone, so is the need for the handler.
                atexit.unregister(client._cleanup_kernel)
            run.cells = sorted(((_seconds(c), n, (c.source.splitlines() or [""])[0][:100])
                                for n, c in enumerate((c for c in nb.cells if c.cell_type == "code"), 1)),
                               reverse=True)
            return run

    def result(self, src_uri: str) -> PageRun:
        """The page's run, once done. A failure of any page raises as soon as it happens, even while
        this page is still running."""
        target = self.futures[src_uri]
        pending = {f for f in self.futures.values() if not f.done()}
        while True:
            self.raise_failures()
            if target.done():
                return target.result()
            _, pending = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)

    def raise_failures(self) -> None:
        for future in self.futures.values():
            if future.done() and not future.cancelled() and future.result().error:
                raise PluginError(future.result().error)

    def close(self) -> None:
        """Skip the pages not started, kill the kernels of those running (their clients then clean up
        as after any failure), and stop the loop. Tasks are not cancelled: nbclient's clean-up of a
        cancelled start would leave its exit handler behind."""

        async def drain():
            self.stopping = True
            pending = [f for f in self.futures.values() if not f.done()]
            deadline = time.perf_counter() + 60
            while pending and time.perf_counter() < deadline:
                for client in list(self.clients.values()):
                    km = client.km
                    if km is not None and km.has_kernel:
                        try:
                            await km.shutdown_kernel(now=True)
                        except Exception:  # already gone
                            pass
                await asyncio.sleep(0.2)
                pending = [f for f in pending if not f.done()]
            if pending:
                log.warning("%d page kernels did not stop within 60 s", len(pending))

        if self.loop.is_running():
            asyncio.run_coroutine_threadsafe(drain(), self.loop).result()
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        if not self.thread.is_alive():
            self.loop.close()

    def report(self) -> dict:
        done = {k: r for k, r in self.runs.items() if r.finished}
        wall = max((r.finished for r in done.values()), default=self.started_at) - self.started_at
        return {"jobs": self.jobs, "wall_s": wall, "pages": {k: r.timings() for k, r in done.items()}}


# --------------------------------------------------------------------------- converting an executed page


def _html(notebook, options: dict) -> str:
    """mkdocs-jupyter's HTML of an executed notebook (its converter, ``execute=False``)."""
    import nbformat
    from mkdocs_jupyter import convert

    with tempfile.TemporaryDirectory(prefix="bp-page-") as tmp:
        path = Path(tmp, "page.ipynb")
        nbformat.write(notebook, path)
        html = convert.nb2html(
            str(path), execute=False, kernel_name=options["kernel_name"], theme=options["theme"],
            allow_errors=options["allow_errors"], show_input=options["show_input"], no_input=options["no_input"],
            no_prompt=options["no_prompt"], remove_tag_config=options["remove_tag_config"],
            highlight_extra_classes=options["highlight_extra_classes"],
            include_requirejs=options["include_requirejs"], custom_mathjax_url=options["custom_mathjax_url"],
        )
    # For an .ipynb file (not for a .py page) nb2html appends the notebook CSS once more, after the
    # cells: the same CSS its header holds, which offline_assets.py serves as jupyter.css.
    tail = re.search(r"\s*<style>[^<]*</style>\s*$", html)
    if tail is None:
        raise PluginError("mkdocs-jupyter's HTML of an executed notebook does not end with its CSS block: "
                          "has the converter changed? (tools/hooks/execute_pages.py)")
    return html[: tail.start()]


# --------------------------------------------------------------------------- MkDocs events

_state: dict = {"pool": None, "plugin": None}


def _plugin(config):
    return config.plugins.get(PLUGIN)


def _cache_path(plugin, abs_src_path: str) -> Path | None:
    if not plugin.config["cache"]:
        return None
    from mkdocs_jupyter.plugin import _compute_cache_key, _get_cache_path

    return _get_cache_path(plugin.config["cache_dir"], _compute_cache_key(abs_src_path, plugin.config, True))


def _cached(path: Path | None) -> dict | None:
    """A cache entry written by this hook (with the page's repository values), else None."""
    if path is None or not path.is_file():
        return None
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    return entry if REPOSITORY_KEY in entry else None


def _executes(plugin, file) -> bool:
    if not (plugin.config["execute"] and plugin.should_include(file)):
        return False
    return not any(Path(file.abs_src_path).match(p) for p in plugin.config["execute_ignore"])


def _nav_order(config) -> list[str]:
    order: list[str] = []

    def walk(items):
        for item in items or []:
            if isinstance(item, dict):
                for value in item.values():
                    walk([value] if isinstance(value, str) else value)
            elif isinstance(item, str):
                order.append(item)

    walk(config.nav)
    return order


def on_files(files, config):
    _stop()
    plugin = _plugin(config)
    if plugin is None:
        return files
    _state["plugin"] = plugin
    pages = [f for f in files if f.abs_src_path and f.src_uri.endswith((".py", ".ipynb")) and _executes(plugin, f)]
    rank = {uri: i for i, uri in enumerate(_nav_order(config))}
    pages.sort(key=lambda f: (rank.get(f.src_uri, len(rank)), f.src_uri))
    todo = [f for f in pages if _cached(_cache_path(plugin, f.abs_src_path)) is None]
    if not todo:
        return files
    pool = PagePool(jobs_from_env(), Path(config.config_file_path).resolve().parent,
                    plugin.config["kernel_name"], plugin.config["allow_errors"])
    for f in todo:
        pool.submit(f.src_uri, Path(f.abs_src_path))
    _state["pool"] = pool
    log.info("executing %d notebook pages, %d at a time", len(todo), pool.jobs)
    return files


@event_priority(-100)  # after mkdocs-jupyter's on_pre_page has replaced page.render
def on_pre_page(page, config, files):
    pool, plugin = _state["pool"], _state["plugin"]
    if plugin is None or not plugin.should_include(page.file):
        return page
    cache_path = _cache_path(plugin, page.file.abs_src_path)
    entry = _cached(cache_path)
    if entry is not None:  # the plugin's render serves the cached HTML
        page.bp_repository = entry[REPOSITORY_KEY]
        return page
    if pool is None or page.file.src_uri not in pool.futures:
        if pool is not None:
            pool.raise_failures()
        return page

    def render(self, config, files):
        from mkdocs.structure.toc import get_toc
        from mkdocs_jupyter.plugin import _get_nb_toc_tokens

        run = pool.result(self.file.src_uri)
        self.content = _html(run.notebook, plugin.config)
        toc_tokens, title = _get_nb_toc_tokens(self.file.abs_src_path, plugin.config["toc_depth"])
        self.toc = get_toc(toc_tokens)
        if title is not None and not plugin.config["ignore_h1_titles"]:
            self.title = title
        self.bp_repository = run.repository
        if cache_path is not None:
            log.info("Cache miss, writing: %s", self.file.abs_src_path)
            cache_path.parent.mkdir(parents=True, exist_ok=True)
            cache_path.write_text(json.dumps({"content": self.content, "toc_tokens": toc_tokens, "title": title,
                                              REPOSITORY_KEY: run.repository}), encoding="utf-8")

    page.render = render.__get__(page, type(page))
    return page


def _stop() -> dict | None:
    pool, _state["pool"] = _state["pool"], None
    if pool is None:
        return None
    pool.close()
    return pool.report()


def on_post_build(config):
    report = _stop()
    if report is None:
        return
    pages = report["pages"]
    busy = sum(p["total_s"] for p in pages.values())
    log.info("executed %d pages in %.1f s, %d at a time (%.1f s of kernel time)", len(pages), report["wall_s"],
             report["jobs"], busy)
    for name, p in sorted(pages.items(), key=lambda kv: -kv[1]["total_s"])[:5]:
        slowest = p["slowest_cells"][0] if p["slowest_cells"] else {"seconds": 0, "cell": 0, "first_line": ""}
        log.info("  %-28s %5.1f s (kernel start %.1f s; slowest: code cell %d, %.1f s: %s)", name, p["total_s"],
                 p["kernel_start_s"], slowest["cell"], slowest["seconds"], slowest["first_line"])
    out = os.environ.get(TIMES_ENV, "").strip()
    if out:
        Path(out).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


def on_build_error(error):
    _stop()


def on_shutdown():
    _stop()
