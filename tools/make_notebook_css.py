#!/usr/bin/env python3
"""Generate the notebook pages' shared CSS and copy-button script from the installed mkdocs-jupyter.

    .venv/bin/python tools/make_notebook_css.py          # rewrite the two files below
    .venv/bin/python tools/make_notebook_css.py --check  # exit 1 if they are not what it would write

mkdocs-jupyter puts ~590 KB of Jupyter CSS and a small script into every notebook page. The hook
``tools/hooks/offline_assets.py`` takes them out of the pages; this script writes them once, into
files that are committed and listed in mkdocs.yml:

* ``docs/assets/stylesheets/jupyter.css``: the Jupyter CSS trimmed to the rules whose classes occur in
  a notebook converted exactly as the book's pages are (a sample with every kind of cell output,
  executed with the plugin options of mkdocs.yml). Its header records the sha256 of the CSS it was
  made from and the classes it keeps; the hook checks every page against both, so an upgrade of
  mkdocs-jupyter or nbconvert that changes them fails ``mkdocs build --strict`` until this script is
  run again. Table rules are dropped: Material's table style applies to every table of the book.
  Pygments' colours are dropped too: book.css maps them to Material's code colours.
* ``docs/assets/javascripts/nb-clipboard.js``: the copy buttons of code cells.

Run it after upgrading mkdocs-jupyter, nbconvert or jupyterlab's CSS (tests/test_site.py runs --check).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import tempfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CSS_OUT = ROOT / "docs" / "assets" / "stylesheets" / "jupyter.css"
JS_OUT = ROOT / "docs" / "assets" / "javascripts" / "nb-clipboard.js"
WRAPPER = '<div class="jupyter-wrapper">'

# One cell of each kind a page can produce: Markdown, hidden and shown code, stdout, stderr,
# Markdown/HTML/LaTeX/SVG/PNG display data, an expression result and an error.
SAMPLE = '''\
# %% [markdown]
# # Sample
#
# Text with $x$, a [link](#sample) and a fenced block:
#
# ```python
# x = 1
# ```

# %% tags=["hide-input"]
import base64, sys
from IPython.display import HTML, SVG, Image, Latex, Markdown, display

# %%
print("stdout")
print("stderr", file=sys.stderr)
display(Markdown("| a | b |\\n|--:|:--|\\n| 1 | x |"))
display(HTML("<details><summary>s</summary><p>t</p></details>"))
display(Latex(r"$\\displaystyle x^2$"))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>'))
display(Image(base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")))
6 * 7

# %%
raise ValueError("an error output")
'''


# --------------------------------------------------------------------------- conversion


def _plugin_options() -> dict:
    import yaml
    from mkdocs.utils.yaml import get_yaml_loader

    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=get_yaml_loader())
    for plugin in config.get("plugins", []):
        if isinstance(plugin, dict) and "mkdocs-jupyter" in plugin:
            return plugin["mkdocs-jupyter"] or {}
    raise SystemExit("mkdocs.yml lists no mkdocs-jupyter plugin")


def convert_sample() -> str:
    """The HTML mkdocs-jupyter makes of SAMPLE with the book's plugin options (executed)."""
    from mkdocs_jupyter.nbconvert2 import nb2html

    options = _plugin_options()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "sample.py")
        path.write_text(SAMPLE, encoding="utf-8")
        return nb2html(
            str(path),
            execute=True,
            kernel_name=options.get("kernel_name", ""),
            theme=options.get("theme", ""),
            allow_errors=True,
            show_input=options.get("show_input", True),
            no_input=options.get("no_input", False),
            no_prompt=options.get("no_prompt", False),
            remove_tag_config=options.get("remove_tag_config", {}),
            highlight_extra_classes=options.get("highlight_extra_classes", ""),
            include_requirejs=options.get("include_requirejs", False),
        )


_STYLE_RE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S | re.I)
_CLASS_RE = re.compile(r"\sclass\s*=\s*\"([^\"]*)\"", re.I)


def head_styles(page_html: str) -> list[str]:
    """The CSS blocks mkdocs-jupyter puts before a notebook's cells, in order, stripped, no repeats."""
    head = page_html[: page_html.index(WRAPPER)] if WRAPPER in page_html else page_html
    return list(dict.fromkeys(s.strip() for s in _STYLE_RE.findall(head) if s.strip()))


def styles_digest(styles: list[str]) -> str:
    return hashlib.sha256("\n/**/\n".join(styles).encode()).hexdigest()


# --------------------------------------------------------------------------- trimming


def _selector_used(selector: str, used: set[str]) -> bool:
    # A class inside :not()/:is()/... need not be present: strip those arguments first.
    plain = re.sub(r":(?:not|is|where|has)\((?:[^()]|\([^()]*\))*\)", "", selector)
    # ".jupyter-wrapper :root" / ".jupyter-wrapper body" can never match: dead weight.
    if ":root" in plain or re.search(r"\s(?:html|body)\b", plain):
        return False
    # Only rules scoped to notebook markup: nothing that reaches Material's own pages and code blocks.
    if ".jupyter-wrapper" not in plain and ".jp-" not in plain:
        return False
    # Tables get Material's style (one style for every table of the book).
    if re.search(r"(?:^|[\s>+~])(?:table|thead|tbody|tfoot|tr|th|td|caption)\b", plain):
        return False
    # Code colours and backgrounds are Material's (book.css maps Pygments' token classes to them).
    if re.search(r"\.highlight-ipynb\s+\.[\w-]+|\.highlight\s+(?:\.[\w-]+|pre\b)", plain):
        return False
    classes = re.findall(r"\.(-?[_a-zA-Z][\w-]*)", plain)
    if not classes:
        return False  # bare element selectors would leak into the rest of the site
    return all(c in used for c in classes)


def _split_selectors(prelude: str) -> list[str]:
    out, depth, cur = [], 0, []
    for ch in prelude:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    return out


def _purge(css: str, used: set[str]) -> list[str]:
    import tinycss2

    def walk(rules) -> list[str]:
        kept: list[str] = []
        for rule in rules:
            if rule.type == "qualified-rule":
                selectors = [s for s in _split_selectors(tinycss2.serialize(rule.prelude)) if _selector_used(s, used)]
                if selectors:
                    kept.append(f"{','.join(selectors)}{{{tinycss2.serialize(rule.content).strip()}}}")
            elif rule.type == "at-rule":
                kw = rule.lower_at_keyword
                prelude = tinycss2.serialize(rule.prelude).strip()
                if kw in {"media", "supports"} and rule.content is not None:
                    inner = walk(tinycss2.parse_rule_list(rule.content, skip_whitespace=True, skip_comments=True))
                    if inner:
                        kept.append(f"@{kw} {prelude}{{{''.join(inner)}}}")
                elif kw.endswith("keyframes"):
                    kept.append(tinycss2.serialize([rule]))
                # @charset, @import, @font-face, others: dropped (nothing external, no fonts)
        return kept

    return walk(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True))


_VAR_USE_RE = re.compile(r"var\(\s*(--[\w-]+)")


def _drop_unused(rules: list[str]) -> list[str]:
    """Remove duplicate rules, custom properties nobody reads and keyframes nobody runs."""
    import tinycss2

    def blocks(content):
        return tinycss2.parse_blocks_contents(content, skip_whitespace=True, skip_comments=True)

    def rule_list(content):
        return tinycss2.parse_rule_list(content, skip_whitespace=True, skip_comments=True)

    rules = list(dict.fromkeys(reversed(rules)))[::-1]  # the last of identical rules: same cascade
    text = "\n".join(rules)
    parsed = tinycss2.parse_stylesheet(text, skip_whitespace=True, skip_comments=True)

    defs: dict[str, set[str]] = {}  # custom property -> the custom properties its value reads
    roots: set[str] = set()  # custom properties read by ordinary declarations

    def scan(rule_seq) -> None:
        for rule in rule_seq:
            if rule.type == "qualified-rule":
                for decl in blocks(rule.content):
                    if decl.type == "declaration":
                        uses = set(_VAR_USE_RE.findall(tinycss2.serialize(decl.value)))
                        (defs.setdefault(decl.name, set()).update if decl.name.startswith("--") else roots.update)(uses)
            elif rule.type == "at-rule" and rule.content is not None and rule.lower_at_keyword in {"media", "supports"}:
                scan(rule_list(rule.content))

    scan(parsed)
    live, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name not in live:
            live.add(name)
            todo.extend(defs.get(name, ()))
    animations = " ".join(re.findall(r"animation(?:-name)?\s*:([^;}]*)", text))

    def rebuild(rule_seq) -> list[str]:
        out = []
        for rule in rule_seq:
            if rule.type == "qualified-rule":
                decls = [d for d in blocks(rule.content)
                         if d.type == "declaration" and (not d.name.startswith("--") or d.name in live)]
                if decls:
                    body = ";".join(f"{d.name}:{tinycss2.serialize(d.value).strip()}"
                                    + ("!important" if d.important else "") for d in decls)
                    out.append(f"{tinycss2.serialize(rule.prelude).strip()}{{{body}}}")
            elif rule.type == "at-rule":
                kw = rule.lower_at_keyword
                if kw.endswith("keyframes"):
                    name = tinycss2.serialize(rule.prelude).strip()
                    if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", animations):
                        out.append(tinycss2.serialize([rule]))
                elif rule.content is not None:
                    inner = rebuild(rule_list(rule.content))
                    if inner:
                        out.append(f"@{kw} {tinycss2.serialize(rule.prelude).strip()}{{{''.join(inner)}}}")
        return out

    return rebuild(parsed)


# --------------------------------------------------------------------------- outputs


def notebook_css(page_html: str) -> str:
    styles = head_styles(page_html)
    body = page_html[page_html.index(WRAPPER):]
    used = {c for attr in _CLASS_RE.findall(body) for c in attr.split()} | {"jupyter-wrapper"}
    rules = _drop_unused([r for css in styles for r in _purge(css, used)])
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("mkdocs-jupyter", "nbconvert"))
    return "\n".join([
        "/* Generated by tools/make_notebook_css.py from the notebook CSS of " + versions + ",",
        "   trimmed to the classes of a converted notebook. Do not edit: the book's own rules are in",
        "   docs/assets/stylesheets/book.css.",
        f"   source-sha256: {styles_digest(styles)}",
        f"   classes: {' '.join(sorted(used))} */",
        *rules,
    ]) + "\n"


def clipboard_js() -> str:
    import mkdocs_jupyter

    assets = Path(mkdocs_jupyter.__file__).parent / "templates" / "mkdocs_html" / "assets"
    return (
        "/* Generated by tools/make_notebook_css.py: mkdocs-jupyter's clipboard-copy element for the copy\n"
        "   buttons of notebook code cells, and the notice it shows. Do not edit. */\n"
        + (assets / "clipboard.umd.js").read_text(encoding="utf-8").rstrip()
        + """
document.addEventListener('clipboard-copy', function (event) {
  const notice = event.target.querySelector('.notice');
  if (!notice) return;
  notice.hidden = false;
  setTimeout(function () { notice.hidden = true; }, 1000);
});
"""
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    args = parser.parse_args(argv)
    outputs = {CSS_OUT: notebook_css(convert_sample()), JS_OUT: clipboard_js()}
    stale = [p for p, text in outputs.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is out of date: run tools/make_notebook_css.py", file=sys.stderr)
        return 1 if stale else 0
    for path, text in outputs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} ({len(text.encode()):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
