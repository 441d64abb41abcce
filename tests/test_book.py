"""The page helpers (backprop.book): one rule for numbers, figures that refuse what a reader can't read."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backprop.book import column, num, tex
from backprop.book.pages import MIN_TEXT_PX, PHONE_CONTENT_PX, _tidy, svg_figure_html

finite = st.floats(min_value=-1e300, max_value=1e300, allow_nan=False)  # read-back stays finite


@given(finite, st.integers(1, 8))
def test_num_reads_back_to_its_value_within_its_digits(x, digits):
    text = num(x, digits)
    plain = text.replace("\N{MINUS SIGN}", "-")
    assert "-" not in text, text  # a true minus, never a hyphen
    if "×10" in plain:
        mantissa, exponent = plain.split("×10")
        exponent = exponent.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789"))
        value = float(Decimal(mantissa) * Decimal(10) ** int(exponent))
        assert not (1e-3 <= abs(value) < 1e5) or math.isclose(abs(value), 1e5, rel_tol=10.0 ** -digits)
    else:
        value = float(plain)
    assert math.isclose(value, x, rel_tol=0.5 * 10.0 ** (1 - digits) + 1e-15, abs_tol=0.0) or (x == 0 == value)


@given(finite)
def test_never_a_negative_zero(x):
    for text in (num(x), tex(x), num(x, 1), tex(x, 1)):
        if not any(ch in "123456789" for ch in text):
            assert not text.startswith(("\N{MINUS SIGN}", "-")), text


def test_same_value_same_text_down_a_column():
    # The published-table slip of the gradient-descent page: one exact value, two roundings.
    values = [0.10125, 0.1 + 0.00125, 0.10125]
    assert len(set(column(values))) == 1


@pytest.mark.parametrize("raw, tidy", [("-1.5e-07", "\N{MINUS SIGN}1.5×10⁻⁷"), ("-0.0000", "0.0000"),
                                       ("-0", "0"), ("3.25", "3.25"), ("1,024", "1,024"), ("abc", "abc")])
def test_format_string_results_are_tidied(raw, tidy):
    assert _tidy(raw) == tidy


def _legend_over_line(fig):
    ax = fig.subplots()
    x = np.linspace(0, 1, 50)
    ax.plot(x, np.ones_like(x) * 0.95, label="top line")  # runs under the default legend corner
    ax.set_ylim(0, 1)
    ax.legend(loc="upper right")


def _legend_clear(fig):
    ax = fig.subplots()
    x = np.linspace(0, 1, 50)
    ax.plot(x, 0.2 * x, label="low line")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left")


def test_a_legend_over_data_is_refused():
    with pytest.raises(ValueError, match="legend covers data"):
        svg_figure_html(_legend_over_line, alt="A line near the top.")
    assert "<svg" in svg_figure_html(_legend_clear, alt="A line near the bottom.")


def test_text_too_small_for_a_phone_is_refused_unless_it_may_scroll():
    def small_text(fig):
        ax = fig.subplots()
        ax.plot([0, 1], [0, 1])
        ax.tick_params(labelsize=7)

    with pytest.raises(ValueError, match="phone"):
        svg_figure_html(small_text, alt="A diagonal.", figsize=(6.4, 3.0))
    html = svg_figure_html(small_text, alt="A diagonal.", figsize=(6.4, 3.0), phone="scroll")
    min_width = int(html.split("min-width: ")[1].split("px")[0])
    smallest = float(html.split('data-min-text-px="')[1].split('"')[0])
    assert min_width > PHONE_CONTENT_PX
    # At its minimum width, the smallest text is drawn at 11 px (natural width 6.4 in = 614.4 px).
    assert smallest * min_width / (6.4 * 96) >= MIN_TEXT_PX


@pytest.mark.parametrize("alt", ["$\\eta_c$ marks the threshold", "eta_{c} = 2", "\\lambda_max"])
def test_alt_text_without_tex(alt):
    with pytest.raises(ValueError, match="alt text"):
        svg_figure_html(_legend_clear, alt=alt)
