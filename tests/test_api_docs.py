"""The API reference (docs/api.md and its sister pages): it lists the public names, and every docstring renders.

mkdocstrings reads the package with griffe and renders docstrings as Markdown in NumPy style. A
Sphinx role (:class:`MLP`) or a reST literal marker (a line ending in ``::``) is then shown
verbatim, a public name without a docstring is left out, and a parameter documented under the
wrong name is a warning that fails ``mkdocs build --strict``. These tests read the package the same
way (griffe), so they fail where the page would.
"""

from __future__ import annotations

import importlib
import logging
import re
from pathlib import Path

import griffe
import pytest

import backprop

ROOT = Path(__file__).resolve().parents[1]
API_PAGES = [ROOT / "docs" / name for name in ("api.md", "api-training.md", "api-components.md", "api-symbolic.md")]
ROLE = re.compile(r":(?:py:)?(?:class|func|meth|data|attr|mod|exc|obj|const|ref|term):`")
LITERAL_MARKER = re.compile(r"::\s*$", re.M)


def api_identifiers() -> list[str]:
    return [line[4:].strip() for page in API_PAGES for line in page.read_text().splitlines()
            if line.startswith("::: ")]


@pytest.fixture(scope="module")
def package():
    return griffe.load("backprop", search_paths=[str(ROOT)], docstring_parser="numpy")


def resolve(package, identifier: str):
    obj = package
    for part in identifier.split(".")[1:]:
        obj = obj[part]
    return obj


def documented(obj, seen=None):
    """``obj`` and the public members mkdocstrings renders with it (recursively for classes)."""
    yield obj
    if obj.kind.value != "class":
        return
    fields = {e.name for section in (obj.docstring.parse("numpy") if obj.docstring else [])
              if section.kind.value == "attributes" for e in section.value}
    for name, member in obj.members.items():
        if name.startswith("_"):
            continue
        if member.kind.value == "attribute" and name in fields and not member.docstring:
            continue  # a field documented in the class's Attributes section
        yield from documented(member)


def core(package) -> list:
    out = []
    for identifier in api_identifiers():
        if identifier.startswith("backprop.symbolic"):
            continue
        obj = resolve(package, identifier)
        out.extend(documented(obj) if identifier != "backprop.datasets" else [obj])
    return out


def test_the_page_lists_exactly_the_public_names():
    listed = api_identifiers()
    top = {i.split(".")[1] for i in listed if i.count(".") == 1}
    modules = {"datasets", "symbolic", "autodiff"}  # listed as modules
    assert top == set(backprop.__all__) | modules, top ^ (set(backprop.__all__) | modules)
    datasets = {i.split(".")[2] for i in listed if i.startswith("backprop.datasets.")}
    assert datasets == set(backprop.datasets.__all__) - {"one_hot"}  # one_hot is listed as backprop.one_hot
    for identifier in listed:  # every name listed is an attribute of backprop (or of a subpackage of it)
        parts = identifier.split(".")
        obj = importlib.import_module(parts[0])
        for i, part in enumerate(parts[1:], 2):
            obj = getattr(obj, part, None) or importlib.import_module(".".join(parts[:i]))
        assert obj is not None, identifier


def test_every_public_name_and_member_has_a_docstring(package):
    missing = [obj.path for obj in core(package) if not (obj.docstring and obj.docstring.value.strip())]
    assert missing == []


def test_dataclass_fields_are_documented(package):
    import dataclasses

    for name in backprop.__all__:
        cls = getattr(backprop, name)
        if isinstance(cls, type) and dataclasses.is_dataclass(cls):
            sections = resolve(package, f"backprop.{name}").docstring.parse("numpy")
            fields = {e.name for s in sections if s.kind.value == "attributes" for e in s.value}
            assert {f.name for f in dataclasses.fields(cls)} <= fields, name


def test_functions_have_return_types(package):
    untyped = [obj.path for obj in core(package) if obj.kind.value == "function" and obj.name != "__init__"
               and obj.returns is None]
    assert untyped == []


def docstring_problems(objects, caplog) -> list[str]:
    problems = []
    for obj in objects:
        text = obj.docstring.value if obj.docstring else ""
        problems += [f"{obj.path}: Sphinx role {m.group(0)}" for m in ROLE.finditer(text)]
        problems += [f"{obj.path}: reST literal marker '::'" for _ in LITERAL_MARKER.finditer(text)]
        if obj.docstring:
            with caplog.at_level(logging.WARNING, logger="griffe"):
                caplog.clear()
                obj.docstring.parse("numpy")
            problems += [f"{obj.path}: {r.getMessage()}" for r in caplog.records]
    return problems


def test_docstrings_are_markdown_in_numpy_style(package, caplog):
    assert docstring_problems(core(package), caplog) == []


def test_the_check_finds_a_sphinx_role(package, caplog):
    fake = griffe.Function("fake", docstring=griffe.Docstring("See :func:`fit`.\n\nExample::\n\n    fit()"))
    assert len(docstring_problems([fake], caplog)) == 2


def test_symbolic_docstrings_are_markdown_in_numpy_style(package, caplog):
    objects = []
    for identifier in api_identifiers():
        if identifier.startswith("backprop.symbolic"):
            objects.extend(documented(resolve(package, identifier)))
            objects.extend(m for m in resolve(package, identifier).members.values()
                           if not m.name.startswith("_") and not m.is_alias)  # imports are documented where defined
    assert docstring_problems(objects, caplog) == []
