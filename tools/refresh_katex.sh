#!/usr/bin/env bash
# Refresh the vendored KaTeX copy in docs/assets/vendor/katex/ from the npm registry.
#
#   tools/refresh_katex.sh            # re-fetch the pinned version (checks integrity)
#   tools/refresh_katex.sh 0.19.2     # move the pin to another 0.x version
#
# The book's math is typeset while the site builds (tools/hooks/katex_math.py runs katex.min.js in
# V8 through the PyPI wheel mini-racer), so a reader's browser gets HTML and CSS, no math script.
# Kept here:
#   katex.min.js    build time only; excluded from the site (exclude_docs in mkdocs.yml)
#   katex.min.css   served; its @font-face rules point at the woff2 fonts only
#   fonts/*.woff2   served; a browser fetches only the faces a page uses
#   LICENSE, ORIGIN version, tarball URL, the registry's sha512 integrity, sha256 of every file
# Needs npm and python3 (only to refresh; building the site needs nothing but Python).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/docs/assets/vendor/katex"
version="${1:-$(sed -n 's/^version: //p' "$dest/ORIGIN" 2>/dev/null || true)}"
version="${version:-0.19.1}"
case "$version" in
  0.*) ;;
  *) echo "refusing katex@$version: tools/hooks/katex_math.py is written for KaTeX 0.x" >&2; exit 2 ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "katex@$version" > pack.txt
tarball="$(tail -n1 pack.txt)"
integrity="$(npm view "katex@$version" dist.integrity)"
url="$(npm view "katex@$version" dist.tarball)"
# Check the tarball we got against the registry's integrity string.
got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$got" != "$integrity" ]; then
  echo "integrity mismatch for $tarball: $got != $integrity" >&2
  exit 1
fi
tar -xzf "$tarball"

rm -rf "$dest"
mkdir -p "$dest/fonts"
cp package/dist/katex.min.js "$dest/katex.min.js"
cp package/dist/fonts/*.woff2 "$dest/fonts/"
cp package/LICENSE "$dest/LICENSE"
# Only woff2 is vendored (every browser that runs the site reads it): drop the woff/ttf fallbacks
# from each @font-face src list, and fail if anything else in the CSS points at a file.
python3 - package/dist/katex.min.css "$dest/katex.min.css" <<'PY'
import re, sys
css = open(sys.argv[1], encoding="utf-8").read()
css, n = re.subn(r',\s*url\([^)]*\.(?:woff|ttf)\)\s*format\("(?:woff|truetype)"\)', "", css)
urls = re.findall(r"url\(([^)]*)\)", css)
bad = [u for u in urls if not re.fullmatch(r"fonts/KaTeX_[\w-]+\.woff2", u)]
if bad or not urls or n != 2 * len(urls):  # one woff and one ttf fallback per face
    sys.exit(f"unexpected url() in katex.min.css: {bad or urls} ({n} fallbacks dropped)")
open(sys.argv[2], "w", encoding="utf-8").write(css)
PY

{
  echo "# Vendored by tools/refresh_katex.sh; do not edit by hand."
  echo "package: katex"
  echo "version: $version"
  echo "tarball: $url"
  echo "integrity: $integrity"
  echo "license: MIT (see LICENSE)"
  echo "files: dist/katex.min.js (build time only), dist/katex.min.css (woff/ttf fallbacks removed), dist/fonts/*.woff2"
  echo "sha256:"
  (cd "$dest" && find . -type f ! -name ORIGIN | sort | xargs sha256sum | sed 's/^/  /')
} > "$dest/ORIGIN"
echo "katex@$version -> $dest"
