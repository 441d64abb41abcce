"""MkDocs hook: links in notebook pages are rewritten and checked like links in Markdown pages.

mkdocs-jupyter neither rewrites nor checks links inside notebook cells. Here every relative
``<a href>`` / ``<img src>`` of a notebook page goes through MkDocs' own link resolver:
``other.py`` and ``other.md#anchor`` become the right URL, and a missing page or anchor is reported
at the level set under ``validation:`` in mkdocs.yml (``warn``: fails ``--strict``). The ids of a
notebook page are registered so that links *to* it are checked too.

nbconvert's heading permalinks (``<a class="anchor-link">¶</a>``) become Material's own
(``class="headerlink"``): the same look as on Markdown pages, and no "¶" in the search index.
"""

from __future__ import annotations

import html
import re

WRAPPER = '<div class="jupyter-wrapper">'
_LINK_ATTR_RE = re.compile(r"(<(?:a|img|source)\b[^>]*?\s(?:href|src)\s*=\s*)\"([^\"]*)\"", re.I)
_ID_RE = re.compile(r"\s(?:id|name)\s*=\s*\"([^\"]+)\"", re.I)
_ANCHOR_LINK_RE = re.compile(r'<a class="anchor-link" href="(#[^"]*)">¶</a>')


def is_notebook_page(page, html_text: str) -> bool:
    return page.file.src_uri.endswith((".py", ".ipynb")) and WRAPPER in html_text


def _rewrite_links(body: str, page, config, files) -> str:
    from mkdocs.structure.pages import _RelativePathTreeprocessor  # MkDocs 1.6's link resolver

    resolver = _RelativePathTreeprocessor(page.file, files, config)

    def fix(m: re.Match) -> str:
        url = html.unescape(m.group(2))
        if not url or url.startswith("data:"):
            return m.group(0)
        return f'{m.group(1)}"{html.escape(resolver.path_to_url(url), quote=True)}"'

    body = _LINK_ATTR_RE.sub(fix, body)
    # Let MkDocs check the anchors of these links (validation.anchors) once every page is rendered.
    links = page.links_to_anchors or {}
    for target, anchors in resolver.links_to_anchors.items():
        links.setdefault(target, {}).update(anchors)
    page.links_to_anchors = links
    return body


def on_page_content(html_text: str, page, config, files):
    if not is_notebook_page(page, html_text):
        return html_text
    body = _ANCHOR_LINK_RE.sub(r'<a class="headerlink" href="\1" title="Permanent link">¶</a>', html_text)
    body = _rewrite_links(body, page, config, files)
    page.present_anchor_ids = (page.present_anchor_ids or set()) | set(_ID_RE.findall(body))
    return body
