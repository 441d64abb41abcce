"""What the book's pages use besides the library: computed Markdown, tables, figures, number format.

The pages of the *backprop* book (and the notebooks downloaded from them) import these, so they
ship with the package; they need matplotlib and IPython (``pip install backprop-book[docs]``),
imported only when used. ``import backprop`` does not import this module.

* :func:`md` shows Markdown computed by the page (every number in the prose comes from here);
* :func:`md_table` a table of computed values, numbers written by one rule (:mod:`.numbers`);
* :func:`figure` a matplotlib figure as an inline SVG that follows the light and the dark scheme;
* :func:`solution` a collapsed solution of an exercise;
* :func:`num`, :func:`tex`, :func:`column`, :func:`sci`: numbers as text or TeX.

Examples
--------
>>> from backprop.book import num, tex
>>> num(-1.24e-9, 2), tex(0.00123, 3)
('−1.2×10⁻⁹', '0.00123')
"""

from .numbers import column, num, sci, tex
from .pages import figure, md, md_table, solution, svg_figure_html

__all__ = ["column", "figure", "md", "md_table", "num", "sci", "solution", "svg_figure_html", "tex"]
