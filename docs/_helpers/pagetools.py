"""Helpers for the book's pages (jupytext percent ``.py`` files under ``docs/``).

The mkdocs hook (``tools/mkdocs_hooks.py``) puts this folder on the kernel's ``PYTHONPATH`` and
``tests/test_pages.py`` puts it on ``sys.path``, so a page imports it as::

    from pagetools import md, figure, md_table

* ``md(text)`` shows Markdown computed by the page (numbers in prose come from here).
* ``md_table(headers, rows)`` shows a Markdown table of computed values.
* ``figure(draw, alt=...)`` draws a matplotlib figure twice, once styled for the light theme and once
  for the dark one, and shows both as ``<img alt=...>`` SVGs; the site's CSS (``book.css``) shows the
  one matching the reader's colour scheme. Alt text is required.

Only NumPy, matplotlib and IPython are needed; nothing here imports ``backprop``.
"""

from __future__ import annotations

import html
import io
import textwrap
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from typing import Any

__all__ = ["md", "md_table", "figure", "svg_figure_html", "solution", "sci", "THEMES"]

# Colours chosen to be readable on Material's light (white) and dark ("slate") backgrounds.
# Figures are transparent, so only text, axes and data colours need to change between themes.
_LIGHT_CYCLE = ["#0969da", "#bc4c00", "#1a7f37", "#bf3989", "#8250df", "#9a6700"]
_DARK_CYCLE = ["#58a6ff", "#f0883e", "#3fb950", "#f778ba", "#d2a8ff", "#e3b341"]


def _theme(fg: str, edge: str, grid: str, cycle: list[str]) -> dict[str, Any]:
    from cycler import cycler

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
        "axes.prop_cycle": cycler(color=cycle),
        "axes.grid": True,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 11,
        "svg.fonttype": "path",
        "svg.hashsalt": "backprop-book",  # deterministic ids in the SVG
    }


THEMES: dict[str, dict[str, Any]] = {
    "light": _theme("#1f2328", "#57606a", "#d8dee4", _LIGHT_CYCLE),
    "dark": _theme("#e6edf3", "#9198a1", "#3d444d", _DARK_CYCLE),
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


def _render_svg(draw: Callable[[Any], Any], theme: str, figsize: tuple[float, float]) -> str:
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(THEMES[theme]):
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
    """The HTML of ``figure()``: a ``<figure>`` holding a light and a dark ``<img>``."""
    if not alt or not alt.strip():
        raise ValueError("a figure needs alt text describing what it shows")
    alt_attr = html.escape(" ".join(alt.split()), quote=True)
    imgs = []
    for theme in ("light", "dark"):
        svg = _render_svg(draw, theme, figsize)
        # Percent-encoded rather than base64: ~10% smaller, ~30% smaller gzipped. Quotes, "&",
        # "<", ">" and "#" are encoded, so the URL is safe inside a double-quoted attribute.
        data = urllib.parse.quote(svg.replace("\n", " "), safe=" /=:;,.-_()'!*~@+?")
        imgs.append(
            f'<img class="bp-figure__{theme}" alt="{alt_attr}" '
            f'src="data:image/svg+xml,{data}">'
        )
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="bp-figure">{"".join(imgs)}{cap}</figure>'


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
    fig.subplots()`` ...). It is called once per theme, so it must not have side effects. Use the
    default colour cycle (``"C0"``, ``"C1"``, ...) and leave text and axes colours alone: each theme
    sets its own. ``alt`` describes the figure for readers who cannot see it (required).
    """
    _display(_HTMLFigure(svg_figure_html(draw, alt, caption, figsize), alt))
