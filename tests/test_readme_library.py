"""The README's "Using the library" example runs as written and does what its comments say."""

import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_example_runs(tmp_path, monkeypatch, capsys):
    text = (ROOT / "README.md").read_text()
    section = text.split("## Using the library", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    net, copy, history = namespace["net"], namespace["copy"], namespace["history"]
    assert history.stopped == "early stopping" and (tmp_path / "iris.npz").exists()
    assert all(np.array_equal(net.params[k], copy.params[k]) for k in net.params)
    out = capsys.readouterr().out
    assert set(namespace["grads"]) == set(net.params) and out.count("\nverified ") == 2  # two reports
    deep = namespace["deep"]
    assert "FAILED" not in out and namespace["deep_history"].lr[-1] == 0.005
    assert list(deep.running_stats) == ["mean1", "var1", "mean2", "var2"] and deep.dropout == [0.2, 0.2]
