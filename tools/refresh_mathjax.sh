#!/usr/bin/env bash
# Refresh the vendored MathJax 3 copy in docs/assets/vendor/mathjax/ from the npm registry.
#
#   tools/refresh_mathjax.sh            # re-fetch the pinned version (checks integrity)
#   tools/refresh_mathjax.sh 3.2.3      # move the pin to another 3.x version
#
# The site must load nothing from outside the machine, so MathJax is kept in the repository:
# one file (es5/tex-svg-full.js: TeX input, SVG output, no web fonts), its LICENSE and an
# ORIGIN file recording the exact version, tarball URL and sha512 integrity from the registry.
# Needs npm (only to refresh; building the site needs nothing but Python).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/docs/assets/vendor/mathjax"
version="${1:-$(sed -n 's/^version: //p' "$dest/ORIGIN" 2>/dev/null || true)}"
version="${version:-3.2.2}"
case "$version" in
  3.*) ;;
  *) echo "refusing mathjax@$version: the config in docs/assets/javascripts/mathjax-config.js is for MathJax 3" >&2; exit 2 ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "mathjax@$version" > pack.txt
tarball="$(tail -n1 pack.txt)"
integrity="$(npm view "mathjax@$version" dist.integrity)"
url="$(npm view "mathjax@$version" dist.tarball)"
# Check the tarball we got against the registry's integrity string.
got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$got" != "$integrity" ]; then
  echo "integrity mismatch for $tarball: $got != $integrity" >&2
  exit 1
fi
tar -xzf "$tarball"

mkdir -p "$dest"
cp package/es5/tex-svg-full.js "$dest/tex-svg-full.js"
cp package/LICENSE "$dest/LICENSE"
{
  echo "# Vendored by tools/refresh_mathjax.sh; do not edit by hand."
  echo "package: mathjax"
  echo "version: $version"
  echo "file: es5/tex-svg-full.js"
  echo "tarball: $url"
  echo "integrity: $integrity"
  echo "license: Apache-2.0 (see LICENSE)"
  echo "sha256(tex-svg-full.js): $(sha256sum "$dest/tex-svg-full.js" | cut -d' ' -f1)"
} > "$dest/ORIGIN"
echo "mathjax@$version -> $dest"
