"""MkDocs hook: each Jinja template compiled once per process, not once per page or per build.

nbconvert makes a new exporter, so a new Jinja environment, for every notebook page it converts
(twice a page: mkdocs-jupyter's HTML and its table of contents), and every one of them compiled its
templates again: 474 compilations in a cold build, about 3 s of the build process's time. Under
``mkdocs serve`` the theme's and mkdocstrings' environments are new at every rebuild, too. Jinja
can share compiled templates between environments through a bytecode cache (its
``FileSystemBytecodeCache`` does it across processes); this hook gives every environment the
process creates without one a cache in memory.

A cached template is never stale: Jinja files it under the template's name and file and reuses it
only if the source's checksum is the same. The key here also holds every setting of the
environment that changes what the compiler makes of the same source (delimiters, whitespace
options, extensions, optimisation, automatic escaping), so environments set up differently never
share code.
"""

from __future__ import annotations

import hashlib

import jinja2
from jinja2.bccache import Bucket, BytecodeCache


def environment_key(env: jinja2.Environment) -> str:
    """The settings of ``env`` that the compiled code of a template depends on."""
    settings = [env.block_start_string, env.block_end_string, env.variable_start_string,
                env.variable_end_string, env.comment_start_string, env.comment_end_string,
                env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks,
                env.newline_sequence, env.keep_trailing_newline, env.optimized, env.is_async,
                sorted(env.extensions), env.autoescape if isinstance(env.autoescape, bool) else
                getattr(env.autoescape, "__qualname__", repr(env.autoescape)), type(env).__qualname__]
    return repr(settings)


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept in this process, under the environment's settings, name and file."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def get_bucket(self, environment, name, filename, source) -> Bucket:
        key = hashlib.sha256(f"{environment_key(environment)}|{self.get_cache_key(name, filename)}".encode())
        bucket = Bucket(environment, key.hexdigest(), self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # (resets the bucket if the source's checksum differs)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


SHARED = MemoryBytecodeCache()


def _install() -> None:
    init = jinja2.Environment.__init__
    if getattr(init, "bp_shared_cache", False):
        return

    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        if self.bytecode_cache is None:
            self.bytecode_cache = SHARED

    __init__.bp_shared_cache = True
    jinja2.Environment.__init__ = __init__


_install()
