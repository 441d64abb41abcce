"""Data tables read one way on every page: numbers right-aligned, words left-aligned.

A Markdown table aligns whole columns, and a column of the book often mixes a label with numbers
(a transposed table, a "total" row), or holds numbers that a page wrote as strings. So after the
math is typeset (this hook runs after ``katex_math.py``), each body cell of every table in the page
is aligned by what it shows: a number (``−0.2277``, ``1.5×10⁻⁷``, ``3 %``) to the right, words
without digits to the left; any other cell (math, code, mixed) keeps its column's alignment.
Header cells follow the alignment of the numbers under them. ``tests/reader_probes.js`` checks the
same rule in the browser.
"""

from __future__ import annotations

import functools
import html
import re

from mkdocs.plugins import event_priority

# The same pattern as tests/reader_probes.js: a number as the book's formatter writes it.
NUMBER = re.compile(r"^[−\-+]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:\s*×\s*10[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?\s*%?$")
WORDS = re.compile(r"[A-Za-z]{2,}")

_TABLE = re.compile(r"<table\b.*?</table>", re.S | re.I)
_ROW = re.compile(r"<tr\b[^>]*>.*?</tr>", re.S | re.I)
_CELL = re.compile(r"<(td|th)\b([^>]*)>(.*?)</\1>", re.S | re.I)
_MATHML = re.compile(r'<span class="katex-mathml">.*?</math></span>', re.S)
_TAG = re.compile(r"<[^>]+>")
_ALIGN_STYLE = re.compile(r"\s*text-align\s*:\s*[a-z-]+\s*;?", re.I)


def cell_text(inner_html: str) -> str:
    """What a reader sees in a cell: its text without tags and without KaTeX's hidden MathML copy."""
    text = _TAG.sub("", _MATHML.sub("", inner_html))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def kind(text: str) -> str | None:
    """``"number"``, ``"words"`` or ``None`` (anything else keeps its column's alignment)."""
    if NUMBER.match(text):
        return "number"
    if WORDS.search(text) and not re.search(r"\d", text):
        return "words"
    return None


def _aligned(attrs: str, side: str) -> str:
    """The cell's attributes with ``text-align: side`` (replacing any alignment it had)."""
    attrs = re.sub(r'\s*align="[^"]*"', "", attrs)
    m = re.search(r'style="([^"]*)"', attrs)
    if m:
        style = _ALIGN_STYLE.sub("", m.group(1)).strip()
        style = f"text-align: {side};" + (f" {style}" if style else "")
        return attrs[: m.start()] + f'style="{style}"' + attrs[m.end():]
    return f'{attrs} style="text-align: {side};"'


def align_table(table: str) -> str:
    """One table with its body cells aligned by content and its headers by their column's numbers."""
    rows = [[(m.group(1).lower(), kind(cell_text(m.group(3)))) for m in _CELL.finditer(r.group(0))]
            for r in _ROW.finditer(table)]
    numeric_columns = set()
    for row in rows:
        for c, (tag, what) in enumerate(row):
            if tag == "td" and what == "number":
                numeric_columns.add(c)

    def fix_row(row_match: re.Match) -> str:
        column = -1

        def fix_cell(m: re.Match) -> str:
            nonlocal column
            column += 1
            tag, attrs, inner = m.group(1), m.group(2), m.group(3)
            if tag.lower() == "th":
                side = "right" if column in numeric_columns else None
            else:
                side = {"number": "right", "words": "left"}.get(kind(cell_text(inner)))
            if side is None:
                return m.group(0)
            return f"<{tag}{_aligned(attrs, side)}>{inner}</{tag}>"

        return _CELL.sub(fix_cell, row_match.group(0))

    return _ROW.sub(fix_row, table)


@functools.lru_cache(maxsize=128)  # `mkdocs serve` rebuilds every page, most of them unchanged
def align_tables(page_html: str) -> str:
    """Every table of a page aligned; code blocks' line-number tables are left alone."""
    return _TABLE.sub(lambda m: m.group(0) if "highlighttable" in m.group(0)[:200] else align_table(m.group(0)),
                      page_html)


@event_priority(-60)  # after katex_math.py's on_page_content (-50): a cell's math is typeset, "$1$" reads "1"
def on_page_content(html_text: str, page, config, files) -> str:
    return align_tables(html_text)
