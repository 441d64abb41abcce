"""What a page reads from the book's repository, and the copy of it that a downloaded notebook carries.

A few pages quote files of the book's repository: the Performance page the benchmark results
(``benchmarks/results.json``, ``benchmarks/book-build.json``), "Verify it yourself" the pages
themselves (it counts their ``assert`` statements). A page reads such data through
:func:`from_repository` (or :func:`read_json`), never with a bare ``open``:

* while the book builds (or in a clone of the repository), ``read(root)`` runs on the repository
  found from the working directory (the nearest folder, upwards, that holds ``mkdocs.yml``), and
  the value is remembered (:func:`recorded`);
* the build copies the remembered values into the page's downloadable notebook, whose first cell
  hands them back with :func:`provide`; there :func:`from_repository` returns the copy and ``read``
  does not run, so the notebook needs no file of the repository and shows the same numbers as the
  page.

Values must survive a trip through JSON unchanged (dicts with string keys, lists, strings, numbers,
booleans, ``None``): that is what the notebook can carry. (The examples below use names no page
uses: a provided value stays for the rest of the interpreter's life.)

Examples
--------
>>> from backprop.book.repository import from_repository, provide
>>> provide({"example: pages": ["notation.py", "verify.py"]})   # what a notebook's first cell does
>>> from_repository("example: pages", lambda root: sorted(p.name for p in (root / "docs").glob("*.py")))
['notation.py', 'verify.py']
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["from_repository", "provide", "read_json", "recorded", "repository_root"]

T = TypeVar("T")

MARKER = "mkdocs.yml"
"""The file that marks the root of the book's repository."""

_provided: dict[str, Any] = {}  # values a downloaded notebook carries (provide)
_recorded: dict[str, Any] = {}  # values this interpreter read from the repository (from_repository)


def repository_root(start: Path | None = None) -> Path:
    """The book's repository: ``start`` (default: the working directory) or the nearest folder above
    it that holds ``mkdocs.yml``.

    Raises
    ------
    FileNotFoundError
        Outside a clone of the repository, naming the folder searched from.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return folder
    raise FileNotFoundError(
        f"this cell reads a file of the book's repository, and neither {here} nor a folder above it holds "
        f"{MARKER}: run it in a clone of the repository, or use the notebook downloaded from the book's "
        "page, which carries the data")


def _json_safe(name: str, value: Any) -> Any:
    try:
        again = json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as e:
        raise TypeError(f"from_repository({name!r}): the value cannot be copied into a notebook as JSON: {e}") from e
    if again != value:
        raise TypeError(f"from_repository({name!r}): the value changes on a trip through JSON (tuples, "
                        f"non-string keys?): {str(value)[:200]}")
    return again


def from_repository(name: str, read: Callable[[Path], T]) -> T:
    """``read(root)`` on the book's repository, or in a downloaded notebook the copy of its value.

    Parameters
    ----------
    name
        What is read, unique on the page (the file's path, or a short description).
    read
        Computes the value from the repository's root folder; it runs only where no copy was
        provided. The value must come back unchanged from JSON.

    Returns
    -------
    The value (a fresh copy of the provided one, if any).

    Raises
    ------
    FileNotFoundError
        No copy was provided and the working directory is not inside the repository.
    TypeError
        The value cannot be carried by a notebook (it does not survive JSON).

    Examples
    --------
    >>> from backprop.book.repository import from_repository, provide
    >>> provide({"example: two": 2})
    >>> from_repository("example: two", lambda root: 1 + 1)
    2
    """
    if name in _provided:
        return copy.deepcopy(_provided[name])
    value = read(repository_root())
    _recorded[name] = _json_safe(name, value)
    return value


def read_json(path: str) -> Any:
    """The JSON file at ``path`` (from the repository's root), through :func:`from_repository`.

    Examples
    --------
    >>> from backprop.book.repository import provide, read_json
    >>> provide({"example/build.json": {"cold_build_seconds": 41.5}})
    >>> read_json("example/build.json")["cold_build_seconds"]
    41.5
    """
    return from_repository(path, lambda root: json.loads((root / path).read_text(encoding="utf-8")))


def provide(values: dict[str, Any]) -> None:
    """Hand :func:`from_repository` the values it would read (a downloaded notebook's first cell)."""
    if not isinstance(values, dict) or not all(isinstance(k, str) for k in values):
        raise TypeError(f"provide() takes a dict keyed by the names given to from_repository, got {type(values)}")
    _provided.update(copy.deepcopy(values))


def recorded() -> dict[str, Any]:
    """The values read from the repository in this interpreter so far, by name (the build copies them
    into the page's notebook)."""
    return copy.deepcopy(_recorded)
