"""The computational-graph drawing helper (backprop.book.graphs): labels, and the layout guards."""

from __future__ import annotations

import pytest

from backprop.book.graphs import GraphNode, bar_label, check_graph_layout, draw_graph, node_text
from backprop.book.pages import svg_figure_html


@pytest.mark.parametrize("label, bar", [("x", r"\bar{x}"), ("z^{(1)}_1", r"\bar{z}^{(1)}_1"),
                                        (r"\hat y", r"\bar{\hat y}"), (r"\mathcal{L}", r"\bar{\mathcal{L}}"),
                                        ("w^{(2)}_{21}", r"\bar{w}^{(2)}_{21}")])
def test_the_bar_goes_over_the_leading_symbol_only(label, bar):
    assert bar_label(label) == bar


def test_node_text_writes_numbers_by_the_book_rule():
    text = node_text(GraphNode("z", (0, 0), "z", -0.123456, grad=2.5e-7))
    assert text == "$z = -0.1235$\n$\\bar{z} = 2.5 \\times 10^{-7}$"
    assert node_text(GraphNode("c", (0, 0), "c")) == "$c$"


NODES = [GraphNode("a", (0, 1), "a", 1.0, 2.0, leaf=True), GraphNode("b", (1, 1), "b", 3.0, 4.0, leaf=True),
         GraphNode("q", (0.5, 0), "q", 3.0, 1.0)]
EDGES = [("a", "q"), ("b", "q")]


def test_a_readable_graph_is_drawn():
    html = svg_figure_html(lambda fig: draw_graph(fig, NODES, EDGES), alt="Two inputs feed q.", figsize=(5.0, 2.5))
    assert "<svg" in html and 'aria-label="Two inputs feed q."' in html


def test_overlapping_boxes_are_refused():
    crowded = [GraphNode("a", (0, 0), "a", 1.0, 2.0), GraphNode("b", (0.05, 0.02), "b", 3.0, 4.0)]
    with pytest.raises(ValueError, match="overlap"):
        svg_figure_html(lambda fig: draw_graph(fig, crowded, []), alt="Two boxes.")


def test_a_box_outside_the_axes_is_refused():
    with pytest.raises(ValueError, match="outside the axes"):
        svg_figure_html(lambda fig: draw_graph(fig, NODES, EDGES, pad=(0.01, 0.01)), alt="Clipped.",
                        figsize=(5.0, 2.5))


def test_an_edge_to_a_missing_node_and_a_colour_off_the_cycle_are_refused():
    with pytest.raises(ValueError, match="unknown node 'c'"):
        svg_figure_html(lambda fig: draw_graph(fig, NODES, [("a", "c")]), alt="Broken.")
    with pytest.raises(ValueError, match="cycle"):
        svg_figure_html(lambda fig: draw_graph(fig, NODES, EDGES, edge_colors={("a", "q"): "red"}), alt="Red.")


def test_several_graphs_on_one_figure_are_checked_together():
    def two(fig):
        left, right = fig.subplots(1, 2)
        draw_graph(left, NODES, EDGES, check=False)
        crowded = [GraphNode("a", (0, 0), "a", 1.0, 2.0), GraphNode("b", (0.05, 0.02), "b", 3.0, 4.0)]
        draw_graph(right, crowded, [], check=False)
        check_graph_layout(fig)

    with pytest.raises(ValueError, match="'a' and 'b' overlap"):
        svg_figure_html(two, alt="Two panels.", figsize=(5.0, 2.5))
