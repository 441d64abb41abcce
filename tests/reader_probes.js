// What a reader sees, measured in the page. Installed by tests/test_browser.py (as an init script)
// and by benchmarks/bench_reader.py. Works on KaTeX output (this site) and on MathJax SVG output
// (the site before it), so that the same checks can be run on both.
(() => {
  const MATH = ".katex, mjx-container";
  const SKIP_TEXT = "pre, code, script, style, textarea, svg, .katex, mjx-container, .clipboard-copy-txt, " +
                    ".md-clipboard, .md-search__output, .md-search-result";
  const short = (s, n = 80) => (s || "").replace(/\s+/g, " ").trim().slice(0, n);
  const describe = (el) => `${el.tagName.toLowerCase()}${el.className && el.className.baseVal === undefined &&
    el.className ? "." + String(el.className).trim().split(/\s+/).join(".") : ""}`;
  const isScroller = (cs) => cs.overflowX === "auto" || cs.overflowX === "scroll";

  // Visible text outside code and math: the text a reader reads.
  function visibleText(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => {
        const p = n.parentElement;
        if (!p || p.closest(SKIP_TEXT)) return NodeFilter.FILTER_REJECT;
        return p.checkVisibility() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT;
      },
    });
    const parts = [];
    while (walker.nextNode()) parts.push(walker.currentNode.textContent);
    return parts.join("");
  }

  // TeX source left as text: $...$, $$, \( \) \[ \], \command.
  function rawTex(root = document.body) {
    const text = visibleText(root);
    const found = [];
    for (const re of [/\$\$/g, /\\\(|\\\)|\\\[|\\\]/g, /\$[^$\n]{1,200}?\$/g, /\\[A-Za-z]{2,}/g]) {
      for (const m of text.matchAll(re)) {
        found.push(short(text.slice(Math.max(0, m.index - 30), m.index + m[0].length + 30)));
        if (found.length >= 10) return found;
      }
    }
    return found;
  }

  function mathErrors(root = document.body) {
    return [...root.querySelectorAll(".katex-error, mjx-merror, [data-mjx-error]")]
      .map((e) => short(e.getAttribute("title") || e.getAttribute("data-mjx-error") || e.textContent));
  }

  // SVG <use> references (MathJax's glyphs, matplotlib's) whose target is not in the document.
  function brokenUses(root = document) {
    const uses = [...root.querySelectorAll("use")];
    const broken = uses.filter((u) => {
      const ref = u.getAttribute("href") || u.getAttribute("xlink:href") || "";
      return !ref.startsWith("#") || !document.getElementById(decodeURIComponent(ref.slice(1)));
    });
    return { uses: uses.length, broken: broken.length, examples: broken.slice(0, 5).map((u) =>
      u.getAttribute("href") || u.getAttribute("xlink:href")) };
  }

  // Fonts: none failed, and every KaTeX face the visible math uses is loaded.
  function fontProblems() {
    const problems = [...document.fonts].filter((f) => f.status === "error")
      .map((f) => `font failed: ${f.family} ${f.weight} ${f.style}`);
    const seen = new Set();
    for (const el of document.querySelectorAll(".katex-html *")) {
      if (el.children.length || !el.textContent.trim() || !el.checkVisibility()) continue;
      const cs = getComputedStyle(el);
      const family = cs.fontFamily.split(",")[0].trim().replace(/^["']|["']$/g, "");
      const key = `${cs.fontStyle} ${cs.fontWeight} 16px "${family}"`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (family.startsWith("KaTeX") && !document.fonts.check(key, el.textContent.trim()))
        problems.push(`KaTeX font not loaded: ${key}`);
    }
    return problems;
  }

  // KaTeX's fonts: at least one face loaded, none still loading (with font-display: block, math
  // text is invisible until its face has arrived).
  function katexFontsReady() {
    const faces = [...document.fonts].filter((f) => f.family.replace(/["']/g, "").startsWith("KaTeX"));
    return faces.some((f) => f.status === "loaded") && !faces.some((f) => f.status === "loading");
  }

  // Formulas drawn smaller than their natural size (MathJax SVG under max-width, a transform or a
  // smaller font on KaTeX). Display formulas and inline ones are counted apart.
  function shrunkFormulas(root = document.body) {
    const out = { display: 0, inline: 0, shrunk: [] };
    for (const el of root.querySelectorAll(".katex")) {
      const display = !!el.closest(".katex-display");
      out[display ? "display" : "inline"]++;
      const own = parseFloat(getComputedStyle(el).fontSize);
      const around = parseFloat(getComputedStyle(el.parentElement).fontSize);
      let scale = 1;  // transforms and zoom on the way up
      for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
        const cs = getComputedStyle(a);
        if (cs.transform && cs.transform !== "none") {
          const m = new DOMMatrix(cs.transform);
          scale *= Math.hypot(m.a, m.b);
        }
        if (cs.zoom && cs.zoom !== "normal" && parseFloat(cs.zoom) !== 1) scale *= parseFloat(cs.zoom);
      }
      const ratio = own / around / 1.21 * scale;  // katex.min.css: .katex { font-size: 1.21em }
      const html = el.querySelector(".katex-html") || el;
      if (ratio < 0.98) out.shrunk.push({ display, ratio: +ratio.toFixed(3), text: short(html.textContent, 40) });
    }
    for (const el of root.querySelectorAll("mjx-container")) {
      const display = el.getAttribute("display") === "true";
      out[display ? "display" : "inline"]++;
      const svg = el.querySelector(":scope > svg");
      if (!svg || !svg.viewBox.baseVal || !svg.viewBox.baseVal.width) continue;
      const em = parseFloat(getComputedStyle(el).fontSize);
      const natural = svg.viewBox.baseVal.width / 1000 * em;  // MathJax: 1000 viewBox units per em
      const ratio = svg.getBoundingClientRect().width / natural;
      if (ratio < 0.98) out.shrunk.push({ display, ratio: +ratio.toFixed(3), text: short(el.getAttribute("aria-label") || "", 40) });
    }
    return out;
  }

  // Boxes that stick out of the viewport without a scroll container of their own, and scroll
  // containers inside scroll containers, and scroll containers with a vertical scrollbar.
  function overflow(root = document.querySelector("article") || document.body) {
    const vw = document.documentElement.clientWidth;
    const out = { pageWidth: document.documentElement.scrollWidth, viewport: vw, sticking: [], nested: [], vertical: [] };
    for (const el of root.querySelectorAll("*")) {
      // A formula or a figure is checked as a whole, not glyph by glyph.
      if (el.parentElement.closest(".katex, mjx-container, svg")) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      const cs = getComputedStyle(el);
      let scroller = null;
      for (let a = el.parentElement; a && a !== root.parentElement; a = a.parentElement) {
        if (isScroller(getComputedStyle(a))) { scroller = a; break; }
      }
      if ((r.right > vw + 1 || r.left < -1) && !scroller && cs.position !== "fixed")
        out.sticking.push(`${describe(el)} [${Math.round(r.left)}, ${Math.round(r.right)}] ${short(el.textContent, 40)}`);
      if (isScroller(cs)) {
        if (scroller && scroller.scrollWidth > scroller.clientWidth + 1 && el.scrollWidth > el.clientWidth + 1)
          out.nested.push(`${describe(el)} in ${describe(scroller)}`);
        if (cs.overflowY !== "hidden" && cs.overflowY !== "visible" && el.scrollHeight > el.clientHeight + 1 &&
            cs.overflowY !== "clip")
          out.vertical.push(`${describe(el)} (${el.scrollHeight} > ${el.clientHeight} px)`);
      }
    }
    for (const k of ["sticking", "nested", "vertical"]) out[k] = out[k].slice(0, 10);
    return out;
  }

  // Tables: scroll containers around each (the table itself included, up to the article), and the
  // alignment and digit style of cells holding a number or only words.
  const NUMBER = /^[−\-+]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:\s*×\s*10[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?\s*%?$/;
  function cellText(cell) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => (n.parentElement.closest(".katex-mathml, mjx-assistive-mml") ? NodeFilter.FILTER_REJECT
                                                                                       : NodeFilter.FILTER_ACCEPT),
    });
    let t = "";
    while (walker.nextNode()) t += walker.currentNode.textContent;
    return t.replace(/\s+/g, " ").trim();
  }
  function tables(root = document.querySelector("article") || document.body) {
    const out = { tables: 0, problems: [] };
    for (const table of root.querySelectorAll("table")) {
      if (table.closest(".highlight, .highlighttable")) continue;  // code line numbers
      out.tables++;
      const scrollers = [];
      for (let a = table; a && a !== root; a = a.parentElement) {
        const cs = getComputedStyle(a);
        if (isScroller(cs) || cs.overflowY === "auto" || cs.overflowY === "scroll") scrollers.push(describe(a));
      }
      const head = short(cellText(table.rows[0] || table), 40);
      if (scrollers.length > 1) out.problems.push(`table "${head}": ${scrollers.length} scroll containers ${scrollers.join(" < ")}`);
      const wide = table.getBoundingClientRect().width > root.getBoundingClientRect().width + 1;
      if (wide && scrollers.length === 0) out.problems.push(`table "${head}" is wider than the column and does not scroll`);
      for (const th of table.querySelectorAll("th")) {
        const min = parseFloat(getComputedStyle(th).minWidth);
        if (min > 0) { out.problems.push(`table "${head}": th min-width ${min}px`); break; }
      }
      for (const cell of table.querySelectorAll("td")) {
        if (cell.querySelector("code") && !cellText(cell).replace(cell.querySelector("code").textContent, "").trim())
          continue;  // a code literal (a default value in the API reference), not a quantity
        const text = cellText(cell);
        const cs = getComputedStyle(cell);
        if (NUMBER.test(text)) {
          if (!["right", "end"].includes(cs.textAlign)) out.problems.push(`table "${head}": number "${text}" aligned ${cs.textAlign}`);
          if (!cs.fontVariantNumeric.includes("tabular-nums")) out.problems.push(`table "${head}": number "${text}" without tabular-nums`);
        } else if (/[A-Za-z]{2,}/.test(text) && !/\d/.test(text) && !["left", "start"].includes(cs.textAlign)) {
          out.problems.push(`table "${head}": text "${short(text, 30)}" aligned ${cs.textAlign}`);
        }
      }
    }
    out.problems = [...new Set(out.problems)].slice(0, 12);
    return out;
  }

  // Figure text as drawn: data-min-text-px (its smallest text at the SVG's natural width) times
  // the drawn scale.
  function figureText(root = document.body) {
    return [...root.querySelectorAll("svg.bp-figure__svg")].map((svg) => {
      const natural = parseFloat(svg.getAttribute("width")) * (svg.getAttribute("width").endsWith("pt") ? 96 / 72 : 1);
      const drawn = svg.getBoundingClientRect().width;
      const min = parseFloat(svg.getAttribute("data-min-text-px"));
      return { label: short(svg.getAttribute("aria-label"), 50), natural, drawn,
               textPx: Number.isFinite(min) ? +(min * drawn / natural).toFixed(2) : null };
    });
  }

  // Inline formulas followed by punctuation that starts the next line.
  function orphanPunctuation(root = document.querySelector("article") || document.body) {
    const found = [];
    const inline = [...root.querySelectorAll(".katex, mjx-container")].filter((m) =>
      !m.closest(".katex-display") && m.getAttribute("display") !== "true" && !m.parentElement.closest(".katex"));
    for (const m of inline) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      walker.currentNode = m;
      let next = null;
      while (walker.nextNode()) {
        if (m.contains(walker.currentNode)) continue;
        next = walker.currentNode;
        break;
      }
      if (!next || !/^[)\],.;:!?]/.test(next.textContent)) continue;
      const range = document.createRange();
      range.setStart(next, 0);
      range.setEnd(next, 1);
      const p = range.getBoundingClientRect();
      const rects = m.getClientRects();
      const last = rects[rects.length - 1];
      if (last && p.height && p.top >= last.bottom - 2)
        found.push(short(`${m.textContent.slice(-20)}|${next.textContent.slice(0, 20)}`));
    }
    return found;
  }

  // SymPy's output (.jp-RenderedLatex) drawn as display math: centred in its column, with the
  // margins of a $$ formula of the page's prose (or, without one, some margin).
  function sympyDisplay(root = document.querySelector("article") || document.body) {
    const problems = [];
    const prose = root.querySelector(".jp-RenderedMarkdown .katex-display, p > .katex-display");
    const wanted = prose ? getComputedStyle(prose) : null;
    for (const out of root.querySelectorAll(".jp-RenderedLatex")) {
      const shown = out.querySelector(".katex-display, mjx-container");
      const text = short(out.textContent, 40);
      if (!shown || !shown.matches(".katex-display, mjx-container[display='true']")) {
        problems.push(`SymPy output not display math: "${text}"`);
        continue;
      }
      const box = out.getBoundingClientRect();
      const math = (shown.querySelector(".katex-html") || shown).getBoundingClientRect();
      const fits = math.width <= box.width + 1;
      if (fits && Math.abs((math.left + math.right) / 2 - (box.left + box.right) / 2) > 2)
        problems.push(`SymPy output not centred: "${text}"`);
      const cs = getComputedStyle(shown);
      const margins = [cs.marginTop, cs.marginBottom].map(parseFloat);
      if (wanted ? (cs.marginTop !== wanted.marginTop || cs.marginBottom !== wanted.marginBottom) : Math.min(...margins) <= 0)
        problems.push(`SymPy output margins ${margins} px, $$ math has ${wanted ? [wanted.marginTop, wanted.marginBottom] : "> 0"}`);
    }
    return [...new Set(problems)].slice(0, 5);
  }

  // Collapsed solutions (<details> of notebook pages) read at the size of the page's paragraphs.
  function solutionText(root = document.querySelector("article") || document.body) {
    const body = root.querySelector(".jp-RenderedMarkdown p, article > p");
    if (!body) return [];
    const size = parseFloat(getComputedStyle(body).fontSize);
    const problems = [];
    for (const details of root.querySelectorAll(".jupyter-wrapper details")) {
      const own = parseFloat(getComputedStyle(details).fontSize);
      if (Math.abs(own - size) > 0.5) problems.push(`solution text ${own} px, paragraphs ${size} px`);
    }
    return [...new Set(problems)];
  }

  // Printed output keeps its lines: a line longer than the column scrolls sideways inside its block;
  // wrapping it would break the columns of a printed report or table.
  function printedOutput(root = document.querySelector("article") || document.body) {
    const problems = [];
    for (const pre of root.querySelectorAll(".jp-OutputArea-output pre")) {
      if (!pre.checkVisibility()) continue;
      const cs = getComputedStyle(pre);
      if (cs.whiteSpace !== "pre") problems.push(`printed output wraps (white-space: ${cs.whiteSpace}): "${short(pre.textContent, 40)}"`);
      else if (pre.scrollWidth > pre.clientWidth + 1 && !["auto", "scroll"].includes(cs.overflowX))
        problems.push(`printed output wider than its block without a scrollbar: "${short(pre.textContent, 40)}"`);
    }
    return [...new Set(problems)].slice(0, 5);
  }

  // A notebook page's cells use the whole text column: nothing floated beside them narrows them.
  function squeezedCells(root = document.querySelector("article") || document.body) {
    const wrap = root.querySelector(".jupyter-wrapper");
    if (!wrap) return [];
    const cs = getComputedStyle(root);
    const column = root.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    const width = wrap.getBoundingClientRect().width;
    return width < column - 2 ? [`the page's cells are ${Math.round(width)} px wide in a ${Math.round(column)} px text column`] : [];
  }

  window.__bp = { squeezedCells, printedOutput, rawTex, mathErrors, brokenUses, fontProblems, katexFontsReady, shrunkFormulas, overflow, tables, figureText,
                  orphanPunctuation, sympyDisplay, solutionText, visibleText, MATH };
})();
