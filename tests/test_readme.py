"""The README's set-up commands are the ones CI runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    setup = text.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return [m.strip() for m in re.findall(r"^    (\S.*)$", setup, flags=re.M)]


def test_readme_has_two_setup_commands_and_ci_runs_the_test_one():
    serve, test = readme_commands()
    assert "mkdocs serve" in serve and "pytest" in test
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test in ci, f"{test!r} is not a line of .ci/run"
