# %% [markdown]
# # Symbols
#
# Every symbol of the book, with its meaning and its name in the library: the book's one definition
# of each. The [notation chapter](notation.py) introduces the first three groups, the symbols of
# the forward pass and of the loss and its gradients; the other groups belong to the chapters that
# use them, each of which shows the symbols it needs in a box drawn from this same table. Samples
# are rows throughout.

# %% tags=["hide-input"]
from backprop.book.symbols import GROUPS, SYMBOLS, symbol_table

assert len({s.key for s in SYMBOLS}) == len(SYMBOLS)  # one entry per symbol
symbol_table()
