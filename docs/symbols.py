# %% [markdown]
# # Symbols
#
# Every symbol the book uses on more than one page, with its meaning and, where it has one, its name
# in the library. Each meaning is written once, in `backprop.book.symbols`, and every table of
# symbols in the book is drawn from it. The [notation chapter](notation.py) shows the first three
# groups (sizes and indices, the forward pass, the loss and its gradients); some of their symbols
# are first used in later chapters. The other groups belong to the later chapters; a few of those
# show the symbols they use in a box drawn from this table, and a page that needs a letter of its
# own for one derivation defines it where it first appears. Samples are rows throughout.

# %% tags=["hide-input"]
from backprop.book.symbols import GROUPS, SYMBOLS, symbol_table

assert len({s.key for s in SYMBOLS}) == len(SYMBOLS)  # one entry per symbol
assert [s.group for s in SYMBOLS if s.group in GROUPS[:3]] == [s.group for s in SYMBOLS][:sum(
    s.group in GROUPS[:3] for s in SYMBOLS)]  # the notation chapter's groups come first
assert any(not s.code for s in SYMBOLS) and any(s.code for s in SYMBOLS)  # "where it has one"
symbol_table()
