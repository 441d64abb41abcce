"""The `backprop-verify` command (`python -m backprop.symbolic`) and the doctests that run anywhere.

The command must fail (exit status 1) when the library disagrees with a derivation: test doubles of
the library's lookup (`backprop.get_activation`, `backprop.get_loss`) hand it a record whose
derivative is wrong.  The doctests must run from an empty directory with nothing but the package:
a copy of `backprop/` (what the wheel holds) on `PYTHONPATH`, no pyproject.toml, no conftest.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import backprop as bp
import backprop.symbolic as bs
from backprop.symbolic import verification
from backprop.symbolic.verification import main

ROOT = Path(__file__).resolve().parents[1]


def run_main(capsys, *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    return status, capsys.readouterr().out


# ---------------------------------------------------------------- what the command checks


def test_items_come_from_the_library_tables():
    names = [i.name for i in bs.items()]
    assert [n for n in names if n.startswith("activation:")] == [f"activation:{a}" for a in bp.ACTIVATIONS]
    assert [n for n in names if n.startswith("loss:")] == [f"loss:{a}" for a in bp.LOSSES]
    assert [n for n in names if n.startswith("fused:")] == [f"fused:{o}+{l}" for o, l in bp.FUSED]
    assert {"rule:elementwise", "rule:softmax", "rule:softmax+cross_entropy", "example:1-1-1",
            "example:3-2-1"} <= set(names)


def test_json_parses_and_holds_every_item_and_the_exit_status_is_0():
    # The real module, run as a user would; the whole verification (a few seconds).
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONSTARTUP"}}
    proc = subprocess.run([sys.executable, "-m", "backprop.symbolic", "--json"], capture_output=True, text=True,
                          env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert report["ok"] is True
    assert [item["name"] for item in report["items"]] == [i.name for i in bs.items()]
    for item in report["items"]:
        assert item["ok"] and not item["problems"], item["name"]
        assert item["library_error"] is not None and item["library_error"] <= report["tolerances"]["library"]
        assert item["fd_error"] is not None and item["fd_error"] <= report["tolerances"]["finite_differences"]
        assert item["formula"] and item["latex"] and item["seconds"] > 0
        for latex in (item["latex"], item["formula_latex"]):  # the book's notation: the loss is \mathcal{L}
            assert not re.search(r"\\partial L(?![a-zA-Z])", latex) and "\\mathsf" not in latex, latex


def test_only_picks_one_item(capsys):
    status, out = run_main(capsys, "--only", "activation:relu", "--json")
    assert status == 0
    assert [item["name"] for item in json.loads(out)["items"]] == ["activation:relu"]
    status, out = run_main(capsys, "--only", "loss", "--only", "example:1-1-1", "--json")
    assert [item["name"] for item in json.loads(out)["items"]] == [f"loss:{n}" for n in bp.LOSSES] + ["example:1-1-1"]


def test_unknown_item_is_a_usage_error(capsys):
    assert main(["--only", "swish"]) == 2
    assert "no item matches 'swish'" in capsys.readouterr().err


def test_list_and_latex(capsys):
    status, out = run_main(capsys, "--list")
    assert status == 0 and [line.split()[0] for line in out.splitlines()] == [i.name for i in bs.items()]
    status, out = run_main(capsys, "--only", "example:3-2-1", "--latex")
    assert status == 0 and "\\mathcal{L} = " in out and "every item holds" in out


def test_the_same_points_alone_and_in_a_full_run():
    alone = bs.verify(only=["activation:tanh"]).results[0]
    together = [r for r in bs.verify(only=["activation"]).results if r.name == "activation:tanh"][0]
    assert [c.error for c in alone.comparisons] == [c.error for c in together.comparisons]
    other_seed = bs.verify(only=["activation:tanh"], seed=1).results[0]
    assert [c.error for c in other_seed.comparisons] != [c.error for c in alone.comparisons]


# ---------------------------------------------------------------- test doubles: the exit status flips


def wrong_record(monkeypatch, lookup: str, name: str, record) -> None:
    """Make the library's `lookup` return `record` for `name` (a test double of its table)."""
    real = getattr(bp, lookup)
    monkeypatch.setattr(bp, lookup, lambda spec, *a, **k: record if spec == name else real(spec, *a, **k))


def test_a_wrong_activation_derivative_makes_the_command_fail(capsys):
    assert main(["--only", "activation:tanh", "--quiet"]) == 0
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as mp:
        wrong_record(mp, "get_activation", "tanh", bp.Activation("tanh", bp.tanh, lambda z: 1 - z**2))
        status, out = run_main(capsys, "--only", "activation:tanh", "--json")
    assert status == 1
    (item,) = json.loads(out)["items"]
    failing = {(c["label"], c["against"]) for c in item["comparisons"] if not c["ok"]}
    assert failing == {("tanh'", "library"), ("tanh.backward", "library")}
    assert item["fd_error"] < 1e-7  # the record's function is right: finite differences agree


def test_a_wrong_loss_gradient_makes_the_command_fail(capsys):
    with pytest.MonkeyPatch.context() as mp:
        wrong_record(mp, "get_loss", "mse", bp.Loss("mse", bp.mse, lambda p, t: p - t))  # forgot the 1/N
        status, out = run_main(capsys, "--only", "loss:mse")
    assert status == 1 and "loss:mse FAILS" in out and "mse gradient vs library" in out


def test_an_activation_without_a_sympy_row_fails_the_command(monkeypatch, capsys):
    monkeypatch.setitem(bp.ACTIVATIONS, "swish", lambda z: z * bp.sigmoid(z))
    status, out = run_main(capsys, "--only", "activation:swish")
    assert status == 1
    assert "no derivation for activation 'swish': add a row to backprop.symbolic.ACTIVATION_TABLE" in out


def test_a_crash_inside_an_item_is_a_failure_not_a_traceback(monkeypatch):
    monkeypatch.setattr(verification, "derive_loss", lambda name: 1 / 0)
    report = bs.verify(only=["loss:mse", "activation:identity"])
    assert [r.ok for r in report.results] == [True, False] and not report.ok
    assert report.results[1].problems == ["ZeroDivisionError: division by zero"]


# ---------------------------------------------------------------- the console script


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("backprop-verify")
    assert script.exists(), "reinstall the package (pip install -e .) to get the backprop-verify script"
    proc = subprocess.run([str(script), "--only", "loss:bce", "--quiet"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "loss:bce" in proc.stdout, proc.stderr


# ---------------------------------------------------------------- doctests from anywhere


@pytest.fixture(scope="module")
def installed_copy(tmp_path_factory) -> tuple[Path, dict]:
    """A copy of the package alone (as a wheel installs it), an empty working directory and its env."""
    site = tmp_path_factory.mktemp("site")
    shutil.copytree(ROOT / "backprop", site / "backprop", ignore=shutil.ignore_patterns("__pycache__"))
    empty = tmp_path_factory.mktemp("empty")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONSTARTUP"}}
    env["PYTHONPATH"] = str(site)
    env["MPLBACKEND"] = "Agg"
    return empty, env


def test_doctests_pass_with_pytest_from_an_empty_directory(installed_copy):
    empty, env = installed_copy
    (empty / "empty.ini").write_text("[pytest]\n")  # no project configuration: no doctest option flags
    where = subprocess.run([sys.executable, "-c", "import backprop; print(backprop.__file__)"], cwd=empty, env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert where == str(Path(env["PYTHONPATH"]) / "backprop" / "__init__.py")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "-c", "empty.ini",
                           "--doctest-modules", "--pyargs", "backprop"],
                          cwd=empty, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    for name in ("rule.py::backprop.symbolic.rule.prove_backprop_rule", "verification.py::backprop.symbolic."
                 "verification", "elementary.py::backprop.symbolic.elementary.derive_fused_delta"):
        assert f"{name} PASSED" in proc.stdout, name


@pytest.mark.parametrize("module", sorted(p.name for p in (ROOT / "backprop" / "symbolic").glob("*.py")
                                          if p.name != "__main__.py"))
def test_python_m_doctest_runs_on_each_module_file(installed_copy, module):
    empty, env = installed_copy
    path = Path(env["PYTHONPATH"]) / "backprop" / "symbolic" / module
    proc = subprocess.run([sys.executable, "-m", "doctest", str(path)], cwd=empty, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout[-3000:] + proc.stderr[-2000:]


def test_every_symbolic_module_has_examples():
    import doctest
    import importlib

    for path in sorted((ROOT / "backprop" / "symbolic").glob("*.py")):
        if path.name == "__main__.py":
            continue
        module = importlib.import_module(f"backprop.symbolic.{path.stem}" if path.stem != "__init__" else
                                         "backprop.symbolic")
        examples = sum(len(t.examples) for t in doctest.DocTestFinder().find(module))
        assert examples > 0, path.name


def test_finite_differences_helper_is_accurate():
    x = np.array([0.3, -1.2, 2.0])
    g = bs._base.centred_differences(lambda v: float(np.sum(np.sin(v))), x)
    assert np.max(np.abs(g - np.cos(x))) < 1e-9  # h = 1e-6: truncation 2e-13, rounding ~ 3e-10
