"""MkDocs hook: execute the notebook pages in parallel kernels, then let mkdocs-jupyter convert them.

mkdocs-jupyter executes a page inside ``page.render``, one page after the other, each in a fresh
kernel: a cold build waits for every page in turn while a second core idles. Here, as soon as the
build knows its files (``on_files``), every page that needs executing is queued for a pool of
kernels, ``BACKPROP_BUILD_JOBS`` at a time (default: the number of cores), slowest first by the
times last recorded in ``benchmarks/book-build.json`` (``BACKPROP_BUILD_ORDER=nav``: in navigation
order), and the build goes on meanwhile, rendering first the pages that need no kernel. Each page
still runs in a fresh kernel of its own, from the project root, exactly as before; only the waiting
overlaps. When MkDocs renders a page, it takes that page's executed notebook and converts it with
mkdocs-jupyter's own converter (``execute=False``, the plugin options of mkdocs.yml), so the HTML is
what the plugin would have made.

* Each page's kernel is forked from ``tools/kernel_zygote.py``, which has imported ipykernel and
  ``PRELOAD_DEFAULT`` once (``BACKPROP_BUILD_FORK=0``: each kernel started as a new Python). Measured
  on two cores (``benchmarks/bench_book.py``, 2 rounds each): 81 s of CPU for a cold build instead of
  104 s, 54.3 s wall instead of 55.7 s.
* A failing cell fails the build: the error names the page, the code cell (its number and the line
  of the source file where it starts) and the traceback. It is raised when the failing page is rendered or, if the
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
import concurrent.futures
import json
import logging
import os
import re
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files

log = logging.getLogger("mkdocs.hooks.execute_pages")

PLUGIN = "mkdocs-jupyter"
JOBS_ENV = "BACKPROP_BUILD_JOBS"
SPARES_ENV = "BACKPROP_BUILD_SPARE_KERNELS"
SPARES_BUILD, SPARES_SERVE = 0, 1  # kernels started ahead of need (see PagePool)
FORK_ENV = "BACKPROP_BUILD_FORK"  # kernels forked from tools/kernel_zygote.py (default on; see Zygote)
PRELOAD_ENV = "BACKPROP_BUILD_PRELOAD"  # modules a kernel imports before its page (commas or spaces)
TIMES_ENV = "BACKPROP_BUILD_TIMES"
ORDER_ENV = "BACKPROP_BUILD_ORDER"  # "longest" (default) or "nav": the order pages are queued in
RECORD = "benchmarks/book-build.json"  # page_seconds: each page's last measured execution time
CELL_TIMEOUT_S = 900  # one cell; a page that hangs fails the build instead of stalling it
REPOSITORY_KEY = "bp_repository"  # in the page object and in the plugin's cache entries

# Run after a page's last cell: what the page read from the repository (backprop.book.repository).
_PROBE = (
    "import json as _bp_json, sys as _bp_sys\n"
    "_bp_repo = _bp_sys.modules.get('backprop.book.repository')\n"
    "print(_bp_json.dumps(_bp_repo.recorded() if _bp_repo else {}))"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def spares_from_env(serve: bool) -> int:
    value = os.environ.get(SPARES_ENV, "").strip()
    if not value:
        return SPARES_SERVE if serve else SPARES_BUILD
    if not value.isdigit():
        raise PluginError(f"{SPARES_ENV}={value!r}: give the number of kernels to start ahead (0 or more)")
    return int(value)


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
        raise PluginError(f"{name}={value!r}: use 1/0, true/false, yes/no or on/off")
    return value in {"1", "true", "yes", "on"}


# What a kernel has imported before its page runs, when it is forked from the zygote (the default)
# or is `mkdocs serve`'s spare kernel waiting for the next edit: then neither a page nor a refresh
# waits for these imports (about 0.6 s of a page). Installed packages only: never the project's own
# modules, which an edit under backprop/ changes while the zygote or the spare kernel waits.
# matplotlib without pyplot, as backprop.book.figure uses it (no global figure state).
PRELOAD_DEFAULT = ("numpy", "sympy", "matplotlib.figure", "matplotlib.backends.backend_agg", "IPython.display")


def preload_from_env(serve: bool = False, fork: bool = False) -> tuple[str, ...]:
    """The modules a kernel imports before its page: ``BACKPROP_BUILD_PRELOAD`` if set (empty: none),
    else ``PRELOAD_DEFAULT`` for forked kernels and under ``mkdocs serve``. (A fresh kernel of a build
    gains nothing from importing before its page: nobody waits for it.)"""
    if PRELOAD_ENV not in os.environ:
        return PRELOAD_DEFAULT if serve or fork else ()
    return tuple(m for m in re.split(r"[,\s]+", os.environ[PRELOAD_ENV]) if m)


def order_from_env() -> str:
    value = os.environ.get(ORDER_ENV, "").strip().lower() or "longest"
    if value not in {"longest", "nav"}:
        raise PluginError(f"{ORDER_ENV}={value!r}: use 'longest' (slowest recorded pages first) or 'nav'")
    return value


def recorded_seconds(root: Path) -> dict[str, float]:
    """Each page's execution time alone, as last measured (``page_seconds`` of RECORD), or {}."""
    try:
        record = json.loads((root / RECORD).read_text(encoding="utf-8"))
        return {name: float(s) for name, s in record.get("page_seconds", {}).items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def longest_first(pages: list, seconds: dict[str, float]) -> list:
    """The pages, slowest first by their recorded time (longest-processing-time order: the last pages
    to start are short, so no core idles at the end while one long page finishes). Pages without a
    record go first (they may be long); ties keep the given order.

    >>> from types import SimpleNamespace as F
    >>> [f.src_uri for f in longest_first([F(src_uri="a.py"), F(src_uri="b.py"), F(src_uri="new.py")],
    ...                                    {"a.py": 1.0, "b.py": 5.0})]
    ['new.py', 'b.py', 'a.py']
    """
    return sorted(pages, key=lambda f: -seconds.get(f.src_uri, float("inf")))


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
    line = f" (from line {starts[index]})" if len(starts) == len(cells) else ""
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


# --------------------------------------------------------------------------- forked kernels

ZYGOTE = Path(__file__).resolve().parents[1] / "kernel_zygote.py"


class Zygote:
    """``tools/kernel_zygote.py``, running: it has imported ``modules`` and forks a kernel on request."""

    def __init__(self, modules: tuple[str, ...], cwd: Path, env: dict[str, str]):
        import socket
        import subprocess
        import sys

        ours, theirs = socket.socketpair()
        # `env` is the kernels' environment: a BLAS library reads its thread count when NumPy is
        # imported, here, not in the forked kernel.
        self.proc = subprocess.Popen([sys.executable, str(ZYGOTE), str(theirs.fileno()), *modules],
                                     pass_fds=[theirs.fileno()], cwd=cwd, env=env, stdin=subprocess.DEVNULL)
        theirs.close()
        self.sock, self.replies = ours, ours.makefile("r", encoding="utf-8")
        self.lock = threading.Lock()

    def fork(self, args: list[str], cwd: str, env: dict[str, str]) -> int:
        """The pid of a new kernel ``python -m ipykernel_launcher *args`` (blocks: call in a thread)."""
        with self.lock:
            self.sock.sendall((json.dumps({"args": args, "cwd": cwd, "env": env}) + "\n").encode())
            reply = self.replies.readline()
        if not reply:
            raise RuntimeError(f"the kernel zygote has exited ({self.proc.poll()})")
        return json.loads(reply)["pid"]

    def close(self) -> None:
        self.sock.close()  # end of file: the zygote exits, and any kernel left with it
        try:
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()


class ForkedProcess:
    """What jupyter_client's LocalProvisioner uses of a Popen, for a kernel the zygote forked (the
    zygote, its parent, reaps it: here it is gone when no such process is left, or a zombie)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid, self.returncode = pid, None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
                with open(f"/proc/{self.pid}/stat", encoding="ascii") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                        self.returncode = 0
            except ProcessLookupError:
                self.returncode = 0
            except OSError:  # no /proc: alive as far as we can tell
                pass
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.perf_counter() + timeout
        while self.poll() is None:
            if deadline is not None and time.perf_counter() > deadline:
                import subprocess

                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _forked_provisioner(zygote: Zygote):
    """A jupyter_client provisioner that gets its kernel from ``zygote`` (a local launch when the
    kernel command is not ``python -m ipykernel_launcher`` of this Python, or the zygote is gone)."""
    import sys

    from jupyter_client.provisioning import LocalProvisioner

    class ForkedKernelProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd, **kwargs):
            if cmd[:3] != [sys.executable, "-m", "ipykernel_launcher"]:
                return await super().launch_kernel(cmd, **kwargs)
            cwd = str(kwargs.get("cwd") or os.getcwd())
            env = dict(kwargs.get("env") or os.environ)
            env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
            try:
                pid = await asyncio.to_thread(zygote.fork, cmd[3:], cwd, env)
            except (OSError, RuntimeError) as e:
                log.warning("kernel zygote: %s; starting the kernel the usual way", e)
                return await super().launch_kernel(cmd, **kwargs)
            self.process, self.pid, self.pgid, self.cwd = ForkedProcess(pid), pid, pid, cwd
            return self.connection_info

    return ForkedKernelProvisioner


# --------------------------------------------------------------------------- the kernels


class PagePool:
    """Executes notebook pages, ``jobs`` at a time, each in a fresh kernel, on an event loop in a
    background thread. With ``spares``, that many kernels are started ahead of need (nothing runs in
    them before their page: the same fresh kernel, without the wait for its start). One pool serves
    one build, or every build of a ``mkdocs serve`` session (a spare kernel waits for the next edit)."""

    def __init__(self, jobs: int, spares: int, cwd: Path, kernel_name: str, allow_errors: bool,
                 preload: tuple[str, ...] = (), fork: bool = False):
        self.jobs, self.spare_count, self.cwd, self.preload = jobs, spares, cwd, preload
        self.zygote = Zygote(preload, cwd, self.kernel_env()) if fork else None
        self.provisioner = _forked_provisioner(self.zygote) if fork else None
        self.kernel_name, self.allow_errors = kernel_name or "python3", allow_errors
        self.spares: list[asyncio.Future] = []  # kernels starting or started, (km, kc) each
        self.closing: set[asyncio.Future] = set()  # kernels of finished pages, shutting down
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="page-kernels", daemon=True)
        self.thread.start()
        self.slots = asyncio.Semaphore(jobs)
        self.begin()

    def begin(self) -> None:
        """Start a build: no page queued yet."""
        self.runs: dict[str, PageRun] = {}
        self.futures: dict[str, concurrent.futures.Future] = {}
        self.kernels: dict = {}  # src_uri -> its kernel manager, while the page runs
        self.stopping = False  # set by stop(): pages not started yet are skipped
        self.started_at = time.perf_counter()

    def submit(self, src_uri: str, path: Path) -> None:
        run = PageRun(src_uri, path, queued=time.perf_counter())
        self.runs[src_uri] = run
        self.futures[src_uri] = asyncio.run_coroutine_threadsafe(self._execute(run), self.loop)

    def kernel_env(self) -> dict[str, str]:
        """The environment of a page's kernel. Several pages at once: one BLAS thread per kernel (the
        kernels already use the cores; two OpenBLAS threads per kernel made every page slower). A
        value the user set is kept."""
        env = dict(os.environ)
        if self.jobs > 1:
            for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
                env.setdefault(var, "1")
        return env

    async def _start_kernel(self):
        from jupyter_client.manager import AsyncKernelManager

        km = AsyncKernelManager(kernel_name=self.kernel_name)
        if self.provisioner is not None:
            import uuid

            km.kernel_id = str(uuid.uuid4())
            km.provisioner = self.provisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
        # As nbclient starts its kernels: no history file.
        await km.start_kernel(cwd=str(self.cwd), env=self.kernel_env(),
                              extra_arguments=["--HistoryManager.hist_file=:memory:"])
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=120)
            if self.preload and self.zygote is None:
                await self._preload(kc)
        except BaseException:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
            raise
        return km, kc

    async def _preload(self, kc) -> None:
        """Import modules in the kernel without binding a name in its namespace (a page still imports
        what it uses): silent, no history, no output."""
        code = f"exec({'import ' + ', '.join(self.preload)!r}, {{}})"
        msg_id = kc.execute(code, silent=True, store_history=False)
        while True:
            reply = await kc.get_shell_msg(timeout=120)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok":
            log.warning("preloading %s in a kernel failed: %s", self.preload, reply["content"].get("evalue"))

    async def _kernel(self):
        """A started kernel (the oldest spare, or a new one), and the spares topped up."""
        kernel = self.spares.pop(0) if self.spares else asyncio.ensure_future(self._start_kernel())
        while len(self.spares) < self.spare_count and not self.stopping:
            self.spares.append(asyncio.ensure_future(self._start_kernel()))
        return await kernel

    @staticmethod
    async def _shutdown(km, kc) -> None:
        kc.stop_channels()
        try:
            await km.shutdown_kernel()
        except Exception as e:  # killed already (stop())
            log.debug("kernel shutdown: %s", e)

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
            try:
                km, kc = await self._kernel()
            except Exception as e:
                run.error = f"{run.src_uri}: the kernel did not start ({type(e).__name__}: {e})"
                run.finished = time.perf_counter()
                return run
            run.kernel_ready = time.perf_counter()
            self.kernels[run.src_uri] = km
            client = NotebookClient(nb, km=km, timeout=CELL_TIMEOUT_S, allow_errors=self.allow_errors,
                                    resources={"metadata": {"path": str(self.cwd)}})
            client.kc = kc
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
                self.kernels.pop(run.src_uri, None)
        # The kernel shuts down (about 0.4 s) in a task of its own, outside the slot: neither the next
        # page nor the rendering of this one waits for it (close() does).
        closing = asyncio.ensure_future(self._shutdown(km, kc))
        self.closing.add(closing)
        closing.add_done_callback(self.closing.discard)
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

    def stop(self) -> None:
        """End the build's work: skip the pages not started, kill the kernels of those running (their
        tasks then end with an error), wait for every task."""

        async def drain():
            self.stopping = True
            pending = [f for f in self.futures.values() if not f.done()]
            deadline = time.perf_counter() + 60
            while pending and time.perf_counter() < deadline:
                for km in list(self.kernels.values()):
                    if km.has_kernel:
                        try:
                            await km.shutdown_kernel(now=True)
                        except Exception as e:  # already gone
                            log.debug("kernel kill: %s", e)
                await asyncio.sleep(0.2)
                pending = [f for f in pending if not f.done()]
            if pending:
                log.warning("%d page kernels did not stop within 60 s", len(pending))

        asyncio.run_coroutine_threadsafe(drain(), self.loop).result()

    def close(self) -> None:
        """stop(), shut the spare kernels down and stop the loop."""
        self.stop()

        async def shut_spares():
            spares, self.spares = self.spares, []
            for kernel in spares:
                try:
                    km, kc = await kernel
                except Exception as e:
                    log.debug("spare kernel: %s", e)
                    continue
                await self._shutdown(km, kc)
            await asyncio.gather(*self.closing, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shut_spares(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        if self.zygote is not None:
            self.zygote.close()
        self.thread.join(timeout=10)
        if not self.thread.is_alive():
            self.loop.close()

    def report(self) -> dict:
        done = {k: r for k, r in self.runs.items() if r.finished}
        wall = max((r.finished for r in done.values()), default=self.started_at) - self.started_at
        return {"jobs": self.jobs, "spares": self.spare_count, "fork": self.zygote is not None,
                "preload": list(self.preload), "wall_s": wall,
                "pages": {k: r.timings() for k, r in done.items()}}


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


_read_entries: dict[Path, dict] = {}  # cache entries are named after their content's key: read each once


def _cached(path: Path | None) -> dict | None:
    """The repository values of a page's cache entry written by this hook, else None."""
    if path is None or not path.is_file():
        return None
    if path not in _read_entries:
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            return None
        if REPOSITORY_KEY not in entry:
            return None
        _read_entries[path] = {REPOSITORY_KEY: entry[REPOSITORY_KEY]}
    return _read_entries[path]


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


def on_startup(command: str, dirty: bool) -> None:
    _state["command"] = command


def on_files(files, config):
    plugin = _plugin(config)
    if plugin is None:
        return files
    _state["plugin"] = plugin
    pages = [f for f in files if f.abs_src_path and f.src_uri.endswith((".py", ".ipynb")) and _executes(plugin, f)]
    rank = {uri: i for i, uri in enumerate(_nav_order(config))}
    pages.sort(key=lambda f: (rank.get(f.src_uri, len(rank)), f.src_uri))
    todo = [f for f in pages if _cached(_cache_path(plugin, f.abs_src_path)) is None]
    pool = _state["pool"]
    if pool is not None:
        pool.begin()
    if not todo:
        return files
    if pool is None:
        serve, fork = _state.get("command") == "serve", env_flag(FORK_ENV, default=True)
        pool = _state["pool"] = PagePool(jobs_from_env(), spares_from_env(serve),
                                         Path(config.config_file_path).resolve().parent,
                                         plugin.config["kernel_name"], plugin.config["allow_errors"],
                                         preload_from_env(serve, fork), fork)
    if order_from_env() == "longest":
        todo = longest_first(todo, recorded_seconds(Path(config.config_file_path).resolve().parent))
    for f in todo:
        pool.submit(f.src_uri, Path(f.abs_src_path))
    log.info("executing %d notebook pages, %d at a time", len(todo), pool.jobs)
    # MkDocs renders the pages in the order of `files`, waiting at a page still executing: first the
    # pages that need no kernel (rendered while the kernels run), then the executed ones in the order
    # they were queued, which is about the order they finish.
    waiting = {f.src_uri for f in todo}
    return Files([f for f in files if f.src_uri not in waiting] + todo)


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


def on_post_build(config):
    pool = _state["pool"]
    if pool is None:
        return
    pool.stop()
    report = pool.report()
    if _state.get("command") != "serve":  # (under serve, the pool and its spare kernel wait for the next edit)
        _close()
    pages = report["pages"]
    if not pages:
        return
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


def _close() -> None:
    pool, _state["pool"] = _state["pool"], None
    if pool is not None:
        pool.close()


def on_build_error(error):
    if _state["pool"] is not None:
        _state["pool"].stop()
    if _state.get("command") != "serve":
        _close()


def on_shutdown():
    _close()
