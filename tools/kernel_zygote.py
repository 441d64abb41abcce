"""Import what the book's pages import, once, then fork a fresh Jupyter kernel for each page.

    python tools/kernel_zygote.py FD MODULE...

Started by ``tools/hooks/execute_pages.py`` (one per build, or per ``mkdocs serve`` session). A page's
kernel normally spends about 1.2 s of CPU starting Python and IPython and importing NumPy, SymPy and
matplotlib before its first line runs; a kernel forked from this process starts with those modules
imported (nothing else has run: no page code, no name in its namespace), in a few hundredths of a
second.

Protocol, on the socket whose file descriptor is FD: a request is one JSON line
``{"args": [...], "cwd": "...", "env": {...}}`` (the arguments of ``python -m ipykernel_launcher``,
its working directory and environment, as jupyter_client would launch it); the reply is one JSON
line ``{"pid": N}``. The child makes itself a session leader (as jupyter_client's launcher does),
dies with this process (``PR_SET_PDEATHSIG`` on Linux; ipykernel also exits when orphaned), and
runs ``ipykernel_launcher`` as ``python -m`` would. At end of file on the socket this process exits.
"""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import signal
import socket
import sys

PR_SET_PDEATHSIG = 1


def _reap(signum, frame) -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def _kernel(request: dict, sock: socket.socket) -> None:
    """In the forked child: become the kernel described by ``request``; never returns."""
    code = 1
    try:
        sock.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        if sys.platform.startswith("linux"):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        args = list(request["args"])
        # ipykernel reads JPY_PARENT_PID when it is imported, which was here, before any kernel's
        # environment existed: pass it as an option (the kernel then exits if left an orphan).
        if request["env"].get("JPY_PARENT_PID") and not any("parent_handle" in a for a in args):
            args.append(f"--IPKernelApp.parent_handle={request['env']['JPY_PARENT_PID']}")
        sys.argv = ["ipykernel_launcher", *args]
        sys.path.insert(0, request["cwd"])  # as `python -m` puts the working directory first
        import runpy

        runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            import atexit

            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def main() -> None:
    fd, modules = int(sys.argv[1]), sys.argv[2:]
    sys.path.pop(0)  # this script's folder: the kernels see what `python -m ipykernel_launcher` sees
    # ipykernel sets this before a page can import matplotlib; matplotlib reads it when imported.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for name in ("ipykernel.kernelapp", *modules):
        try:
            importlib.import_module(name)
        except Exception as e:  # the page will import it itself, and fail there if it must
            print(f"kernel_zygote: cannot preload {name}: {e}", file=sys.stderr)
    signal.signal(signal.SIGCHLD, _reap)
    sock = socket.socket(fileno=fd)
    requests = sock.makefile("r", encoding="utf-8")
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _kernel(request, sock)
        sock.sendall((json.dumps({"pid": pid}) + "\n").encode())


if __name__ == "__main__":
    main()
