"""Read-only, always current views of the record tables (one record per activation or loss)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any


class TableView(Mapping):
    """A mapping computed from a table of records each time it is read, so it never goes stale.

    Adding a record to the table adds its entry here; the view itself cannot be written to.

    Examples
    --------
    >>> table = {"a": 1, "b": 2}
    >>> doubled = TableView(lambda: {k: 2 * v for k, v in table.items()})
    >>> table["c"] = 3
    >>> dict(doubled)
    {'a': 2, 'b': 4, 'c': 6}
    """

    def __init__(self, build: Callable[[], dict]) -> None:
        self._build = build

    def __getitem__(self, key: Any) -> Any:
        return self._build()[key]

    def __iter__(self) -> Iterator:
        return iter(self._build())

    def __len__(self) -> int:
        return len(self._build())

    def __repr__(self) -> str:
        return repr(self._build())
