"""Helpers for the book's pages (jupytext percent ``.py`` files under ``docs/``).

They ship with the package (``backprop.book``), so a page, or the notebook downloaded from it, runs
wherever ``backprop-book[docs]`` is installed::

    from backprop.book import md, figure, md_table

* ``md(text)`` shows Markdown computed by the page (numbers in prose come from here).
* ``md_table(headers, rows)`` shows a Markdown table of computed values.
* ``figure(draw, alt=...)`` draws a matplotlib figure once and shows it as an inline SVG whose text,
  axes and data colours are CSS variables; the site's CSS (``book.css``) sets them for the light and
  the dark scheme. Alt text is required (the SVG's ``aria-label``).

Only NumPy, matplotlib and IPython are needed (imported when first used).
"""

from __future__ import annotations

import hashlib
import html
import io
import math
import numbers
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .numbers import _SUPERSCRIPT, MINUS, num

__all__ = ["md", "md_table", "figure", "svg_figure_html", "solution"]

# A figure is drawn once, with placeholder colours, and each placeholder becomes a CSS variable
# (`--bp-fg`, `--bp-c0`, ...) that docs/assets/stylesheets/book.css sets per colour scheme: one
# inline SVG that follows the reader's light or dark theme. Figures are transparent, so only text,
# axes and data colours change between themes.
_ROLES: dict[str, str] = {"fg": "#0f0001", "edge": "#0f0002", "grid": "#0f0003",
                          **{f"c{i}": f"#0f001{i}" for i in range(6)}}


# The colours of a figure shown outside the site, where book.css does not set the variables.
_OUTSIDE_THE_SITE = (
    "body:not([data-md-color-scheme]) .bp-figure__svg{--bp-fg:var(--jp-content-font-color1,#1f2328);"
    "--bp-edge:var(--jp-content-font-color2,#57606a);--bp-grid:var(--jp-border-color2,#d8dee4);"
    + "".join(f"--bp-c{i}:{c};" for i, c in enumerate(["#0969da", "#bc4c00", "#1a7f37", "#bf3989", "#8250df",
                                                       "#9a6700"]))
    + "}"
)

DEFAULT_FIGSIZE = (5.0, 3.2)
"""Figure size in inches: wide enough for a plot, narrow enough to fit a phone with 12-pt text."""
PHONE_CONTENT_PX = 350
"""Width of the text column at a 390 px wide screen (Material's margins taken off), in CSS px."""
MIN_TEXT_PX = 11
"""Smallest text a figure may show, in CSS px, on a phone as on a desktop."""


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
        # 12 pt on a 5-inch figure is 11 px when the figure is shrunk to a phone's text column;
        # every text (ticks, legend, labels) uses this one size.
        "font.size": 12,
        "xtick.labelsize": "medium",
        "ytick.labelsize": "medium",
        "legend.fontsize": "medium",
        "axes.titlesize": "medium",
        "axes.labelsize": "medium",
        "figure.figsize": DEFAULT_FIGSIZE,
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


def _tidy(text: str) -> str:
    """A number formatted by a format string, written by the book's rules (see ``numbers``).

    ``-1.5e-07`` becomes ``−1.5×10⁻⁷``, a hyphen-minus becomes a true minus, ``-0.000`` becomes ``0.000``.
    """
    m = re.fullmatch(r"\s*([-+]?)([\d,]*\.?\d*)(?:[eE]([-+]?\d+))?\s*", text)
    if not m or not m.group(2) or m.group(2) in {".", ","}:
        return text
    sign, mantissa, exponent = m.groups()
    zero = not any(ch in "123456789" for ch in mantissa)
    sign = MINUS if sign == "-" and not zero else ""
    if exponent is None:
        return sign + mantissa
    e = int(exponent)
    if zero:
        return mantissa
    return f"{sign}{mantissa}×10{str(e).translate(_SUPERSCRIPT)}"


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def md_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: int | str | Callable[[Any], str] = 4,
    align: str | None = None,
) -> None:
    """Show a Markdown table. Numbers are formatted by one rule; strings are left as they are.

    ``fmt``: an int is the significant figures of :func:`~backprop.book.numbers.num` (the default,
    4, for every number of the table); a format string (``"{:.6f}"``) or a callable is applied, and
    its result is then written by the same rules (true minus, never ``-0``, ``×10ⁿ`` instead of
    ``e-07``). ``align`` is one character per column, ``l``, ``c`` or ``r``; by default a column
    whose cells are all numbers is right-aligned and any other column left-aligned.
    """
    headers = list(headers)
    n = len(headers)
    rows = [list(row) for row in rows]
    for row in rows:
        if len(row) != n:
            raise ValueError(f"row {row!r} has {len(row)} cells, expected {n}")
    if align is None:
        align = "".join("r" if rows and all(_is_number(r[c]) for r in rows) else "l" for c in range(n))
    if len(align) != n:
        raise ValueError(f"align has {len(align)} characters for {n} columns")
    rule = {"l": ":--", "c": ":-:", "r": "--:"}

    def cell(v: Any) -> str:
        if isinstance(v, str):
            text = v
        elif isinstance(fmt, int) and not isinstance(fmt, bool):
            text = num(v, fmt)
        elif _is_number(v):
            text = _tidy(fmt(v) if callable(fmt) else fmt.format(v))
        else:
            text = fmt(v) if callable(fmt) else fmt.format(v)
        # A "|" would end the table cell: inside math it becomes \vert, elsewhere an HTML entity.
        return text.replace("|", r"\vert " if "$" in text else "&#124;")

    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "|".join(rule[a] for a in align) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    md("\n".join(lines))


def _legend_overlaps(fig: Any) -> list[str]:
    """Legends drawn over data: one line per artist whose drawn shape meets a legend's box.

    Data are lines (their whole path, reference lines included), scatter points, bars and filled
    areas. Grid lines, text and images are not data here.
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    problems = []
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    for legend in legends:
        box = legend.get_window_extent(renderer).padded(-1.0)  # touching is not overlapping
        for ax in fig.axes:
            for artist in [*ax.lines, *ax.collections, *ax.patches]:
                if not artist.get_visible():
                    continue
                label = artist.get_label() or type(artist).__name__
                if isinstance(artist, Line2D):
                    path = artist.get_transform().transform_path(artist.get_path())
                    if len(path.vertices) and path.intersects_bbox(box, filled=False):
                        problems.append(f"line {label!r}")
                elif isinstance(artist, Collection):
                    offsets = np.asarray(artist.get_offsets())
                    if len(offsets) > 1:  # scatter: one marker per offset
                        pts = artist.get_offset_transform().transform(offsets)
                        if np.any((pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1) &
                                  (pts[:, 1] >= box.y0) & (pts[:, 1] <= box.y1)):
                            problems.append(f"points {label!r}")
                    else:  # filled areas, line collections
                        transform = artist.get_transform()
                        if any(transform.transform_path(p).intersects_bbox(box, filled=True)
                               for p in artist.get_paths()):
                            problems.append(f"area {label!r}")
                elif isinstance(artist, Patch):
                    drawn = artist.get_transform().transform_path(artist.get_path())
                    if drawn.intersects_bbox(box, filled=True):
                        problems.append(f"patch {label!r}")
    return problems


def _smallest_text_pt(fig: Any) -> float:
    """The smallest font size (points) of any visible, non-empty text of the figure."""
    from matplotlib.text import Text

    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return min(sizes, default=float(fig.dpi))


def _render_svg(draw: Callable[[Any], Any], figsize: tuple[float, float]) -> tuple[str, float]:
    """The SVG of the figure and the smallest text in it, in points."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_style()):
        # Figure() rather than pyplot: no global state, nothing for the inline backend to show.
        fig = Figure(figsize=figsize, layout="constrained")
        draw(fig)
        overlaps = _legend_overlaps(fig)
        if overlaps:
            raise ValueError("figure: a legend covers data (" + "; ".join(sorted(set(overlaps))) +
                             "): move it (loc=...) or outside the axes (fig.legend(loc='outside ...'))")
        smallest = _smallest_text_pt(fig)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue(), smallest


_LONG_DECIMAL = re.compile(r"-?\d+\.\d{3,}")


def _two_decimals(m: re.Match) -> str:
    text = f"{float(m.group(0)):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


_USE_GROUP = re.compile(r'<g( clip-path="[^"]*")>\s*((?:<use style="[^"]*"[^>]*></use>\s*)+)</g>')


def _hoist_use_style(m: re.Match) -> str:
    """A group of markers that all have the same style gets it once, on the group (they inherit it)."""
    styles = set(re.findall(r'<use style="([^"]*)"', m.group(2)))
    if len(styles) != 1:
        return m.group(0)
    uses = re.sub(r'<use style="[^"]*" ', "<use ", m.group(2))
    return f'<g{m.group(1)} style="{styles.pop()}">{uses}</g>'


def _compact_svg(svg: str) -> str:
    """matplotlib writes coordinates (in points) to six decimals, one per line: keep two, on one line.

    A hundredth of a point is far below a pixel at any zoom a reader uses; only path data and
    x/y/width/height attributes are rounded (a glyph's ``scale(0.015625)`` must stay exact).

    Markers drawn with one style are styled once, on their group; comments and the ids of groups
    (nothing refers to them) go.

    >>> _compact_svg('<path d="M 73.004749 99.663621 \\nL 103.057132 -0.001"/><use x="1.23456" y="7"/>')
    '<path d="M 73 99.66 L 103.06 0"/><use x="1.23" y="7"/>'
    >>> _compact_svg('<g clip-path="url(#c)">\\n<use style="fill: red" x="1" href="#m"></use>\\n'
    ...                      '<use style="fill: red" x="2" href="#m"></use>\\n</g>')
    '<g clip-path="url(#c)" style="fill: red"><use x="1" href="#m"></use>\\n<use x="2" href="#m"></use>\\n</g>'
    """
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)  # matplotlib's comments (the TeX of each label)
    svg = re.sub(r'<g id="[^"]*"', "<g", svg)  # a group's id is never referenced (defs and clip paths are)
    svg = _USE_GROUP.sub(_hoist_use_style, svg)
    svg = re.sub(r'\bd="([^"]*)"', lambda m: 'd="' + " ".join(_LONG_DECIMAL.sub(_two_decimals, m.group(1)).split())
                 + '"', svg)
    return re.sub(r'\b(x|y|x1|x2|y1|y2|width|height)="(-?\d+\.\d{3,})"',
                  lambda m: f'{m.group(1)}="{_LONG_DECIMAL.sub(_two_decimals, m.group(2))}"', svg)


def svg_figure_html(
    draw: Callable[[Any], Any],
    alt: str,
    caption: str | None = None,
    figsize: tuple[float, float] = DEFAULT_FIGSIZE,
    phone: str = "fit",
) -> str:
    """The HTML of ``figure()``: a ``<figure>`` holding one inline ``<svg role="img">``."""
    if not alt or not alt.strip():
        raise ValueError("a figure needs alt text describing what it shows")
    tex_markup = re.search(r"\$|\\[a-zA-Z]+|[_^]\{", alt)
    if tex_markup:
        raise ValueError(f"alt text is read aloud as it is: write {tex_markup.group(0)!r} in words or "
                         f"Unicode (η, λ, ∂, ², ...), not TeX: {alt!r}")
    if phone not in {"fit", "scroll"}:
        raise ValueError(f"phone must be 'fit' or 'scroll', got {phone!r}")
    svg, smallest_pt = _render_svg(draw, figsize)
    svg = svg[svg.index("<svg"):]  # drop the XML declaration and doctype
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = _compact_svg(svg)
    # matplotlib's "*{stroke-linejoin...}" rule would apply to the whole page once inlined: scope it.
    # Outside the site (a downloaded notebook in Jupyter: no Material scheme on <body>, no book.css)
    # the colour variables get Jupyter's text colours and the light scheme's data colours.
    svg = svg.replace("<style type=\"text/css\">*{", f"<style type=\"text/css\">{_OUTSIDE_THE_SITE}.bp-figure__svg *{{")
    for role, placeholder in _ROLES.items():
        svg = svg.replace(placeholder, f"var(--bp-{role})")
    leftover = re.search(r"#0f00[0-9a-f]{2}", svg)
    if leftover:  # a placeholder turned into another colour (e.g. blended) would be near-black
        raise ValueError(f"figure colour derived from a theme placeholder: {leftover.group(0)}")
    # Several figures share one HTML document: give this one's ids (glyphs, clip paths) a prefix.
    prefix = "bpf" + hashlib.sha1(svg.encode()).hexdigest()[:8] + "-"
    svg = re.sub(r'(\bid="|href="#|url\(#)', lambda m: m.group(1) + prefix, svg)
    alt_attr = html.escape(" ".join(alt.split()), quote=True)
    # Text must stay at least MIN_TEXT_PX wide at any screen: the SVG scales down with the column, so
    # it gets a minimum width (below it, the figure scrolls sideways instead of shrinking its text).
    # data-min-text-px is the smallest text at the SVG's natural size, for the browser tests.
    natural_px = figsize[0] * 96.0
    smallest_px = smallest_pt * 96.0 / 72.0
    min_width = math.ceil(natural_px * MIN_TEXT_PX / smallest_px)
    if phone == "fit" and min_width > PHONE_CONTENT_PX:
        raise ValueError(
            f"figure ({figsize[0]:g} in wide, smallest text {smallest_pt:g} pt) would need {min_width} px to "
            f"keep its text at {MIN_TEXT_PX} px; a phone's text column is {PHONE_CONTENT_PX} px. Make it "
            f"narrower or its text larger, or pass phone='scroll' to let it scroll sideways on a phone")
    svg = svg.replace("<svg ", f'<svg class="bp-figure__svg" role="img" aria-label="{alt_attr}" '
                      f'data-min-text-px="{smallest_px:.2f}" style="min-width: {min_width}px" ', 1)
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
    figsize: tuple[float, float] = DEFAULT_FIGSIZE,
    phone: str = "fit",
) -> None:
    """Draw and show a figure that reads well in the light and the dark theme.

    ``draw(fig)`` receives an empty ``matplotlib.figure.Figure`` and draws on it (``ax =
    fig.subplots()`` ...). Use the default colour cycle (``"C0"`` ... ``"C5"``) and leave text and
    axes colours alone: they become CSS variables that each theme sets. ``alt`` describes the figure
    for readers who cannot see it (required, plain words or Unicode, no TeX); it becomes the SVG's
    ``aria-label``. ``caption`` may hold ``$...$`` math.

    The figure must fit a phone: at a 390 px wide screen its smallest text is at least 11 px
    (:data:`MIN_TEXT_PX`), or ``figure`` raises. ``phone="scroll"`` lets a wide figure (a network
    diagram) keep its size and scroll sideways there instead. A legend over data raises too.
    """
    _display(_HTMLFigure(svg_figure_html(draw, alt, caption, figsize, phone), alt))
