"""One way to write a number on every page: in prose math, in tables, and in figure text.

The rules, the same everywhere:

* ``digits`` significant figures (default 4);
* plain notation for ``FIXED_LOW <= |x| < FIXED_HIGH``, scientific (``1.5×10⁻⁷``) outside it;
* a true minus sign (U+2212) in text; in TeX the ``-`` that TeX sets as a minus;
* never a negative zero: a value that prints as zero prints as ``0``;
* integers (Python or NumPy ints) exactly as they are.

:func:`num` gives text (tables, alt text, captions), :func:`tex` gives TeX for ``$...$``, and
:func:`column` formats a whole table column to the same significant figures.

Examples
--------
>>> num(-0.00123456), num(1.5e-7), num(0.10125), num(-0.0), num(42)
('−0.001235', '1.500×10⁻⁷', '0.1013', '0', '42')
>>> tex(2.4e-10, 2), tex(0.5), tex(-1e-7, 1)
('2.4 \\\\times 10^{-10}', '0.5', '-10^{-7}')
>>> column([7.74e-13, 1.4e-10, 0.0], digits=2)
['7.7×10⁻¹³', '1.4×10⁻¹⁰', '0']
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

FIXED_LOW = 1e-3
"""Smallest magnitude written in plain notation."""
FIXED_HIGH = 1e5
"""Magnitudes from here on are written in scientific notation."""

MINUS = "\N{MINUS SIGN}"
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _parts(x: float, digits: int, trim: bool) -> tuple[bool, str, int | None]:
    """``(negative, mantissa, exponent or None)`` of ``x`` rounded to ``digits`` significant figures."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"expected a real number, got {type(x).__name__}: {x!r}")
    if digits < 1:
        raise ValueError(f"digits must be at least 1, got {digits}")
    if isinstance(x, numbers.Integral):
        return x < 0, str(abs(int(x))), None
    x = float(x)
    if not math.isfinite(x):
        return x < 0, "∞" if math.isinf(x) else "NaN", None
    if x == 0:
        return False, "0", None
    mantissa, exponent = f"{abs(x):.{digits - 1}e}".split("e")
    e = int(exponent)
    if FIXED_LOW <= float(f"{abs(x):.{digits - 1}e}") < FIXED_HIGH:
        text = f"{abs(x):.{max(digits - 1 - e, 0)}f}"
        if trim and "." in text:
            text = text.rstrip("0").rstrip(".")
        return x < 0 and float(text) != 0, text, None
    if trim and "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return x < 0, mantissa, e


def num(x: float, digits: int = 4, trim: bool = False) -> str:
    """``x`` as text: ``digits`` significant figures, a true minus, ``×10ⁿ`` outside the plain range.

    ``trim=True`` drops trailing zeros (for prose); tables keep them so a column reads evenly.

    Examples
    --------
    >>> num(3.14159), num(3.14159, 2), num(0.5, trim=True), num(-2.5e6)
    ('3.142', '3.1', '0.5', '−2.500×10⁶')
    """
    negative, mantissa, e = _parts(x, digits, trim)
    sign = MINUS if negative else ""
    if e is None:
        return sign + mantissa
    if mantissa == "1" and trim:
        return f"{sign}10{str(e).translate(_SUPERSCRIPT)}"
    return f"{sign}{mantissa}×10{str(e).translate(_SUPERSCRIPT)}"


def tex(x: float, digits: int = 4, trim: bool = True) -> str:
    """``x`` for TeX math (``$...$``): the same rules as :func:`num`, trailing zeros trimmed by default.

    Never ``1e-07`` inside math, which would be typeset as a product; a mantissa of exactly 1 is
    dropped (``10^{-7}``).

    Examples
    --------
    >>> tex(-0.2276699), tex(1.234e-13, 2), tex(123456.0)
    ('-0.2277', '1.2 \\\\times 10^{-13}', '1.235 \\\\times 10^{5}')
    """
    negative, mantissa, e = _parts(x, digits, trim)
    sign = "-" if negative else ""
    if mantissa == "∞":
        return sign + r"\infty"
    if e is None:
        return sign + mantissa
    if mantissa == "1":
        return f"{sign}10^{{{e}}}"
    return f"{sign}{mantissa} \\times 10^{{{e}}}"


def sci(x: float, digits: int = 1) -> str:
    """TeX for ``x`` with ``digits`` decimals in the mantissa: :func:`tex` with ``digits + 1`` figures.

    Kept for pages that state a precision as decimals of the mantissa.

    Examples
    --------
    >>> sci(2.4e-10), sci(0.0), sci(1e-7)
    ('2.4 \\\\times 10^{-10}', '0', '10^{-7}')
    """
    return tex(x, digits + 1)


def column(values: Iterable[float], digits: int = 4) -> list[str]:
    """Format a table column: every entry with the same ``digits`` significant figures (see :func:`num`).

    Examples
    --------
    >>> column([0.10125, 0.1, -3e-9])
    ['0.1013', '0.1000', '−3.000×10⁻⁹']
    """
    return [num(v, digits) for v in values]


def up(x: float, digits: int = 1) -> float:
    """``x`` rounded *up* to ``digits`` significant figures: an upper bound the text states stays one.

    >>> up(0.7221, 2), up(3.2e-7), up(-0.0449, 1)
    (0.73, 4e-07, -0.04)
    """
    e = math.floor(math.log10(abs(x))) - digits + 1
    return math.ceil(x / 10**e) * 10**e


def down(x: float, digits: int = 1) -> float:
    """``x`` rounded *down* to ``digits`` significant figures: a lower bound the text states stays one.

    >>> num(down(1.796, 2), 2), down(2.1e-7)
    ('1.7', 2e-07)
    """
    e = math.floor(math.log10(abs(x))) - digits + 1
    return math.floor(x / 10**e) * 10**e
