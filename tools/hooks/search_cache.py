"""MkDocs hook: each page's search-index entries reused while nothing they are made from changed.

Material's search plugin parses the HTML of every page on every build. Under ``mkdocs serve`` an
edit rebuilds the whole site, and that parsing was about 1.1 s of each refresh (31 pages, most of
them unchanged). Its entries for a page are made from the page's content, URL, title, metadata and
table of contents only: here they are kept, per page, under a digest of exactly those, and a page
whose digest is unchanged gets a copy of its last entries instead of a new parse. Any change to
what the parser reads (an edit, a library change that changes an executed page's output, a new
heading) changes the digest, so a cached entry is never stale. One entry list is kept per page URL.

This replaces ``SearchIndex.add_entry_from_context`` of ``material.plugins.search.plugin`` (the
method the plugin's ``on_page_context`` calls) with a caching wrapper; if Material no longer has it,
the hook does nothing and says so.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging

log = logging.getLogger("mkdocs.hooks.search_cache")

_entries: dict[str, tuple[str, list[dict]]] = {}  # page URL -> (digest, its entries)


def _toc(items) -> list:
    return [[getattr(i, "id", None), i.url, i.title, i.level, _toc(i.children)] for i in items]


def page_digest(page) -> str:
    """A digest of everything Material's indexing reads from ``page``."""
    what = [page.content, page.url, str(page.title), _toc(page.toc), page.meta]
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=repr).encode()).hexdigest()


def cached_add_entry(original):
    def add_entry_from_context(self, page):
        key = page_digest(page)
        last = _entries.get(page.url)
        if last is not None and last[0] == key:
            self.entries.extend(copy.deepcopy(last[1]))
            return
        start = len(self.entries)
        original(self, page)
        _entries[page.url] = (key, copy.deepcopy(self.entries[start:]))

    add_entry_from_context.bp_cached = True
    return add_entry_from_context


def _install() -> None:
    try:
        from material.plugins.search.plugin import SearchIndex
    except ImportError:
        return
    method = getattr(SearchIndex, "add_entry_from_context", None)
    if method is None:
        log.warning("search_cache: Material's SearchIndex has no add_entry_from_context; search is not cached")
    elif not getattr(method, "bp_cached", False):
        SearchIndex.add_entry_from_context = cached_add_entry(method)


_install()
