// The network explorer (explorer.js, ~27 KB) is fetched only by pages that have one: this loader,
// on every page, looks for an explorer (.bpx) each time a page is shown, including after instant
// navigation, and adds explorer.js once when it finds one. explorer.js then scans the page itself
// (Material's document$ replays the current page to a late subscriber).
(function () {
  var src = document.currentScript.src.replace(/explorer-on-demand\.js(\?.*)?$/, "explorer.js");
  var added = false;
  function look() {
    if (added || !document.querySelector(".bpx")) return;
    added = true;
    var script = document.createElement("script");
    script.src = src;
    document.head.appendChild(script);
  }
  if (window.document$) document$.subscribe(look);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", look);
  else look();
})();
