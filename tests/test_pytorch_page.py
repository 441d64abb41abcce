"""The PyTorch chapter with and without PyTorch: it builds both ways and says which one ran.

PyTorch is an optional extra (``backprop-book[torch]``); CI does not install it. So the page must
build without it, say in its text that the comparison did not run, and show no number from PyTorch;
with PyTorch installed it must run the comparison and say so. "Without" is simulated by putting a
``torch`` package that raises ImportError first on the path of the kernel or interpreter, which is
what a missing package looks like to ``import torch``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_visible_code import visible_code

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "pytorch.py"
RAN = "This build ran the comparison."
NOT_RAN = "This build did not run the comparison."
HAVE_TORCH = importlib.util.find_spec("torch") is not None


@pytest.fixture
def no_torch(tmp_path: Path) -> dict[str, str]:
    """An environment in which ``import torch`` raises ImportError."""
    fake = tmp_path / "hide" / "torch"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('raise ImportError("PyTorch is hidden for this test")\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONSTARTUP"}}
    env["PYTHONPATH"] = str(fake.parent)
    env["MPLBACKEND"] = "Agg"
    return env


def _execute(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Run the page as the build does (a Jupyter kernel, from the project root) and return its outputs as
    (kind, text) pairs: "stream" for printed text, "markdown" for md(), "html" for figures and solutions."""
    import jupytext
    import nbclient

    for key in ("PYTHONPATH", "PYTHONSTARTUP"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(ROOT)
    notebook = jupytext.read(PAGE)
    nbclient.NotebookClient(notebook, kernel_name="python3", timeout=600).execute()
    outputs = []
    for cell in notebook.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                outputs.append(("stream", out["text"]))
            data = out.get("data", {})
            if "text/markdown" in data:
                outputs.append(("markdown", data["text/markdown"]))
            elif "text/html" in data:
                outputs.append(("html", data["text/html"]))
    return outputs


def test_page_without_torch_says_so_and_shows_no_pytorch_number(no_torch, monkeypatch):
    outputs = _execute(no_torch, monkeypatch)
    text = "\n".join(t for _, t in outputs)
    assert NOT_RAN in text and RAN not in text
    assert "shows no number computed by PyTorch" in text
    # The visible cells print only in the PyTorch branch: without it nothing is printed at all.
    assert [t for kind, t in outputs if kind == "stream"] == []
    # No figure (the only one compares the two runs) and no sentence that reports a PyTorch result.
    assert not any('role="img"' in t for kind, t in outputs if kind == "html")
    assert not re.search(r"PyTorch \d", text)
    for phrase in ("in both", "the two libraries", "This build checked", "gave the same value in this build"):
        assert phrase not in text, phrase


@pytest.mark.skipif(not HAVE_TORCH, reason="PyTorch is not installed (pip install -e '.[torch]')")
def test_page_with_torch_runs_the_comparison(monkeypatch):
    import torch

    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONSTARTUP"}}
    env["MPLBACKEND"] = "Agg"
    outputs = _execute(env, monkeypatch)
    text = "\n".join(t for _, t in outputs)
    assert RAN in text and NOT_RAN not in text
    assert f"PyTorch {torch.__version__} was installed" in text
    printed = "".join(t for kind, t in outputs if kind == "stream")
    assert "PyTorch" in printed and "largest difference between the two loss curves" in printed
    assert sum('role="img"' in t for kind, t in outputs if kind == "html") == 1
    assert "This build checked the three" in text and "gave the same value in this build" in text


def test_visible_code_runs_without_torch(no_torch, tmp_path):
    script = tmp_path / "visible.py"
    script.write_text(visible_code(PAGE), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=no_torch, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout == ""  # every print is a comparison with PyTorch


def test_hidden_torch_really_is_hidden(no_torch, tmp_path):
    """The fixture does what the other tests rely on: ``import torch`` fails."""
    proc = subprocess.run([sys.executable, "-c", "import torch"], cwd=tmp_path, env=no_torch, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode != 0 and "ImportError: PyTorch is hidden for this test" in proc.stderr


def _extras() -> dict[str, list[str]]:
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["optional-dependencies"]


def _resolved(extra: str, extras: dict[str, list[str]]) -> list[str]:
    """The requirements of an extra, with this project's own extras (backprop-book[...]) expanded."""
    out = []
    for req in extras[extra]:
        m = re.fullmatch(r"backprop-book\[([\w,\s-]+)\]", req.replace(" ", ""))
        if m:
            for inner in m.group(1).split(","):
                out += _resolved(inner, extras)
        else:
            out.append(req)
    return out


def test_docs_and_test_extras_never_pull_torch():
    """The README's commands install .[docs] and .[test]: PyTorch (a CUDA build of several GB from an open
    range) must not come with them; it is the separate, pinned extra "torch"."""
    extras = _extras()
    for extra in ("docs", "test"):
        names = [re.split(r"[<>=!~\[;\s]", req, maxsplit=1)[0].lower() for req in _resolved(extra, extras)]
        assert "torch" not in names, (extra, names)
    assert extras["torch"] == ["torch==2.13.0"], extras["torch"]
    for extra, reqs in extras.items():  # wherever torch is required directly, it is the pinned version
        for req in reqs:
            if re.match(r"torch\b", req):
                assert req == "torch==2.13.0", (extra, req)
