"""Helpers for the book's pages (jupytext percent ``.py`` files under ``docs/``).

The mkdocs hook (``tools/mkdocs_hooks.py``) puts this folder on the kernel's ``PYTHONPATH`` and
``tests/test_pages.py`` puts it on ``sys.path``, so a page imports it as::

    from pagetools import md, figure, md_table

* ``md(text)`` shows Markdown computed by the page (numbers in prose come from here).
* ``md_table(headers, rows)`` shows a Markdown table of computed values.
* ``figure(draw, alt=...)`` draws a matplotlib figure once and shows it as an inline SVG whose text,
  axes and data colours are CSS variables; the site's CSS (``book.css``) sets them for the light and
  the dark scheme. Alt text is required (the SVG's ``aria-label``).

Only NumPy, matplotlib and IPython are needed; nothing here imports ``backprop``.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from typing import Any

__all__ = ["md", "md_table", "figure", "svg_figure_html", "solution", "sci"]

# A figure is drawn once, with placeholder colours, and each placeholder becomes a CSS variable
# (`--bp-fg`, `--bp-c0`, ...) that docs/assets/stylesheets/book.css sets per colour scheme: one
# inline SVG that follows the reader's light or dark theme. Figures are transparent, so only text,
# axes and data colours change between themes.
_ROLES: dict[str, str] = {"fg": "#0f0001", "edge": "#0f0002", "grid": "#0f0003",
                          **{f"c{i}": f"#0f001{i}" for i in range(6)}}


def _style() -> dict[str, Any]:
    from cycler import cycler

    fg, edge, grid = _ROLES["fg"], _ROLES["edge"], _ROLES["grid"]
    return {
        "figure.facecolor": "none",
        "axes.facecolor": "none",
        "savefig.facecolor": "none",
        "savefig.edgecolor": "none",
        "savefig.transparent": True,
        "text.color": fg,
        "axes.labelcolor": fg,
        "axes.titlecolor": fg,
        "axes.edgecolor": edge,
        "xtick.color": edge,
        "ytick.color": edge,
        "xtick.labelcolor": fg,
        "ytick.labelcolor": fg,
        "grid.color": grid,
        "grid.alpha": 1.0,
        "legend.facecolor": "none",
        "legend.edgecolor": edge,
        "legend.labelcolor": fg,
        "axes.prop_cycle": cycler(color=[_ROLES[f"c{i}"] for i in range(6)]),
        "axes.grid": True,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 11,
        "svg.fonttype": "path",  # text as paths: no fonts needed, no text for MathJax to touch
        "svg.hashsalt": "backprop-book",  # deterministic ids in the SVG
    }


def _display(obj: Any) -> None:
    from IPython.display import display

    display(obj)


def md(text: str) -> None:
    """Show ``text`` (Markdown, dedented) as an output of the current cell.

    Math: use ``$...$`` and ``$$...$$``. Links to other pages: ``[title](other-page.py)``; the build
    rewrites and checks them.
    """
    from IPython.display import Markdown

    _display(Markdown(textwrap.dedent(text).strip("\n")))


def sci(x: float, digits: int = 1) -> str:
    """A number for ``$...$`` math in scientific notation: 2.4e-10 -> ``2.4 \\times 10^{-10}``.

    Zero is ``0``; numbers between 0.1 and 100 are written plainly (``digits + 1`` significant
    figures); a mantissa of exactly 1 is dropped (``10^{-7}``). Never ``1e-07`` inside math, which
    MathJax would typeset as a product.
    """
    if x == 0:
        return "0"
    mantissa, exponent = f"{x:.{digits}e}".split("e")
    e = int(exponent)
    if e in (-1, 0, 1):
        return f"{x:.{digits + 1}g}"
    if float(mantissa) in (1.0, -1.0):
        return f"{'-' if x < 0 else ''}10^{{{e}}}"
    return f"{mantissa} \\times 10^{{{e}}}"


def solution(text: str, title: str = "Solution") -> None:
    """Show a collapsed solution (``<details>``) whose body is Markdown with ``$...$`` math.

    Notebook Markdown cells do not get the site's Markdown extensions, so the body is converted
    here with python-markdown and arithmatex (math is protected from emphasis and typeset by
    MathJax). Compute the numbers of a solution in the same hidden cell and ``assert`` them
    before calling this, so a wrong solution fails the build.
    """
    import markdown
    from IPython.display import HTML

    body = markdown.markdown(
        textwrap.dedent(text).strip("\n"),
        extensions=["tables", "pymdownx.arithmatex", "pymdownx.superfences"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )
    _display(HTML(f'<details class="success"><summary>{html.escape(title)}</summary>\n{body}\n</details>'))


def md_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: str | Callable[[Any], str] = "{:.6g}",
    align: str | None = None,
) -> None:
    """Show a Markdown table. Numbers are formatted with ``fmt``; strings are left as they are.

    ``align`` is one character per column: ``l``, ``c`` or ``r`` (default: right for all but the
    first column).
    """
    headers = list(headers)
    n = len(headers)
    align = align or ("l" + "r" * (n - 1))
    if len(align) != n:
        raise ValueError(f"align has {len(align)} characters for {n} columns")
    rule = {"l": ":--", "c": ":-:", "r": "--:"}

    def cell(v: Any) -> str:
        text = v if isinstance(v, str) else (fmt(v) if callable(fmt) else fmt.format(v))
        # A "|" would end the table cell: inside math it becomes \vert, elsewhere an HTML entity.
        return text.replace("|", r"\vert " if "$" in text else "&#124;")

    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "|".join(rule[a] for a in align) + "|"]
    for row in rows:
        row = list(row)
        if len(row) != n:
            raise ValueError(f"row {row!r} has {len(row)} cells, expected {n}")
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    md("\n".join(lines))


def _render_svg(draw: Callable[[Any], Any], figsize: tuple[float, float]) -> str:
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_style()):
        # Figure() rather than pyplot: no global state, nothing for the inline backend to show.
        fig = Figure(figsize=figsize, layout="constrained")
        draw(fig)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def svg_figure_html(
    draw: Callable[[Any], Any],
    alt: str,
    caption: str | None = None,
    figsize: tuple[float, float] = (6.4, 3.6),
) -> str:
    """The HTML of ``figure()``: a ``<figure>`` holding one inline ``<svg role="img">``."""
    if not alt or not alt.strip():
        raise ValueError("a figure needs alt text describing what it shows")
    svg = _render_svg(draw, figsize)
    svg = svg[svg.index("<svg"):]  # drop the XML declaration and doctype
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    # matplotlib's "*{stroke-linejoin...}" rule would apply to the whole page once inlined: scope it.
    svg = svg.replace("<style type=\"text/css\">*{", "<style type=\"text/css\">.bp-figure__svg *{")
    for role, placeholder in _ROLES.items():
        svg = svg.replace(placeholder, f"var(--bp-{role})")
    leftover = re.search(r"#0f00[0-9a-f]{2}", svg)
    if leftover:  # a placeholder turned into another colour (e.g. blended) would be near-black
        raise ValueError(f"figure colour derived from a theme placeholder: {leftover.group(0)}")
    # Several figures share one HTML document: give this one's ids (glyphs, clip paths) a prefix.
    prefix = "bpf" + hashlib.sha1(svg.encode()).hexdigest()[:8] + "-"
    svg = re.sub(r'(\bid="|href="#|url\(#)', lambda m: m.group(1) + prefix, svg)
    alt_attr = html.escape(" ".join(alt.split()), quote=True)
    svg = svg.replace("<svg ", f'<svg class="bp-figure__svg" role="img" aria-label="{alt_attr}" ', 1)
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="bp-figure">{svg.strip()}{cap}</figure>'


class _HTMLFigure:
    def __init__(self, markup: str, alt: str):
        self._markup = markup
        self._alt = alt

    def _repr_html_(self) -> str:
        return self._markup

    def __repr__(self) -> str:
        return f"<figure: {self._alt}>"


def figure(
    draw: Callable[[Any], Any],
    alt: str,
    caption: str | None = None,
    figsize: tuple[float, float] = (6.4, 3.6),
) -> None:
    """Draw and show a figure that reads well in the light and the dark theme.

    ``draw(fig)`` receives an empty ``matplotlib.figure.Figure`` and draws on it (``ax =
    fig.subplots()`` ...). Use the default colour cycle (``"C0"`` ... ``"C5"``) and leave text and
    axes colours alone: they become CSS variables that each theme sets. ``alt`` describes the figure
    for readers who cannot see it (required); it becomes the SVG's ``aria-label``.
    """
    _display(_HTMLFigure(svg_figure_html(draw, alt, caption, figsize), alt))
