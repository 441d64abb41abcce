// MathJax 3 configuration (loaded before the vendored es5/tex-svg-full.js).
// Typesets $...$, $$...$$, \(...\) and \[...\] in .md pages (arithmatex emits \(...\) spans) and in
// notebook pages (where $...$ survives and SymPy output arrives as $\displaystyle ...$).
window.MathJax = {
  tex: {
    inlineMath: [["$", "$"], ["\\(", "\\)"]],
    displayMath: [["$$", "$$"], ["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
    tags: "ams",
  },
  svg: { fontCache: "global" },
  options: {
    // Not the hidden copy-to-clipboard text of notebook code cells, and not code.
    ignoreHtmlClass: "clipboard-copy-txt|tex2jax_ignore",
    processHtmlClass: "arithmatex|tex2jax_process",
  },
  // startup.typeset (default true) typesets the first page once MathJax has loaded; the
  // document$ subscription below handles pages reached by instant navigation.
};

// Material's instant navigation swaps the page without reloading: typeset again each time.
(function () {
  function typeset() {
    if (!window.MathJax || !MathJax.startup || !MathJax.startup.promise) return;
    MathJax.startup.promise
      .then(function () {
        var output = MathJax.startup.output; // SVG output: clearFontCache; CHTML: clearCache
        if (output.clearFontCache) output.clearFontCache();
        if (output.clearCache) output.clearCache();
        MathJax.typesetClear();
        MathJax.texReset();
        return MathJax.typesetPromise();
      })
      .catch(function (err) {
        console.error("MathJax typeset failed:", err);
      });
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(typeset);
  } else {
    document.addEventListener("DOMContentLoaded", typeset);
  }
})();
