"""MkDocs hook: mkdocs-jupyter's page cache for ``mkdocs serve``, keyed on the library.

The cache is on under ``mkdocs serve`` (fast authoring: only the page you edit is executed again)
and off for ``mkdocs build`` (CI and the tests execute every page); ``BACKPROP_DOCS_CACHE=1`` or
``=0`` overrides. mkdocs-jupyter keys its cache on the page file alone, so a change to the library
would serve stale pages: here the cache folder is named after a digest of every file under
``backprop/`` (code, data such as ``backprop/data/iris.csv``, the page helpers of ``backprop.book``)
and of the installed versions of the packages the pages use. Caches made for other digests are
deleted.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from importlib import metadata
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.serve_cache")

ENV = "BACKPROP_DOCS_CACHE"
PLUGIN = "mkdocs-jupyter"
LIBRARY = "backprop"
# Packages whose version changes what a page computes or how it renders.
KEY_PACKAGES = ("numpy", "sympy", "matplotlib", "mkdocs-jupyter", "nbconvert", "jupytext")

_command: str | None = None  # "build", "serve" or "gh-deploy", from on_startup


def on_startup(command: str, dirty: bool) -> None:
    global _command
    _command = command


def env_flag(name: str) -> bool | None:
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return None
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name}={os.environ[name]!r}: use 1/0, true/false, yes/no or on/off")


def tree_digest(hasher, root: Path) -> None:
    """Feed every file under ``root`` (path and bytes; no bytecode) to ``hasher``."""
    if not root.is_dir():
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        hasher.update(str(path.relative_to(root)).encode())
        hasher.update(path.read_bytes())


def cache_key(project_dir: Path) -> str:
    hasher = hashlib.sha256()
    tree_digest(hasher, project_dir / LIBRARY)
    for name in KEY_PACKAGES:
        try:
            hasher.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            hasher.update(f"{name}=none".encode())
    return hasher.hexdigest()[:16]


def on_config(config):
    plugin = config.plugins.get(PLUGIN)
    if plugin is None:
        return config
    wanted = env_flag(ENV)
    if wanted is None:
        wanted = _command == "serve"
    plugin.config["cache"] = wanted
    if not wanted:
        log.debug("mkdocs-jupyter cache off (every page is executed)")
        return config
    project_dir = Path(config.config_file_path).resolve().parent
    base = Path(plugin.config["cache_dir"])
    if not base.is_absolute():
        base = project_dir / base
    key = cache_key(project_dir)
    if base.is_dir():  # drop caches made for other library versions
        for old in base.iterdir():
            if old.is_dir() and old.name != key:
                shutil.rmtree(old, ignore_errors=True)
    plugin.config["cache_dir"] = str(base / key)
    log.info("mkdocs-jupyter cache: %s", plugin.config["cache_dir"])
    return config
