"""Table cells are aligned by what they show (tools/hooks/table_alignment.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "table_alignment", Path(__file__).resolve().parents[1] / "tools" / "hooks" / "table_alignment.py")
table_alignment = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(table_alignment)


@pytest.mark.parametrize(("text", "kind"), [
    ("−0.2277", "number"), ("1.5×10⁻⁷", "number"), ("1,024", "number"), ("3 %", "number"), ("42", "number"),
    ("total", "words"), ("hidden unit", "words"), ("W1 (3, 2)", None), ("$x$", None), ("", None),
])
def test_kind(text, kind):
    assert table_alignment.kind(text) == kind


def test_mixed_column_aligns_each_cell_by_content():
    table = ('<table><thead><tr><th style="text-align: left;">layer</th><th>count</th></tr></thead><tbody>'
             '<tr><td style="text-align: left;">1</td><td>total</td></tr>'
             '<tr><td style="text-align: right;">input</td><td>−3.5</td></tr></tbody></table>')
    out = table_alignment.align_tables(table)
    cells = [c.group(2) for c in table_alignment._CELL.finditer(out)]
    assert 'text-align: right;' in cells[0]  # header over a column holding a number
    assert 'text-align: right;' in cells[2] and 'text-align: left;' in cells[3]  # "1" right, "total" left
    assert 'text-align: left;' in cells[4] and 'text-align: right;' in cells[5]  # "input" left, "−3.5" right


def test_katex_hidden_mathml_is_not_read():
    inner = '<span class="katex"><span class="katex-mathml"><math><mn>2</mn></math></span>' \
            '<span class="katex-html">two</span></span>'
    assert table_alignment.cell_text(inner) == "two"


def test_code_line_numbers_untouched():
    table = '<table class="highlighttable"><tr><td class="linenos">1</td><td>x = 1</td></tr></table>'
    assert table_alignment.align_tables(table) == table


def test_runs_after_the_math_is_typeset():
    """A cell holding $1$ is a number only once KaTeX has typeset it: the alignment hook must run after
    katex_math's (MkDocs runs higher priorities first; the default is 0)."""
    def priority(name: str) -> float:
        hooks = Path(__file__).resolve().parents[1] / "tools" / "hooks"
        spec = importlib.util.spec_from_file_location(f"hook_{name}", hooks / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return getattr(module.on_page_content, "mkdocs_priority", 0)

    assert priority("table_alignment") < priority("katex_math")
