// The search index (search/search_index.json, the text of the whole book) is the largest file a
// first visit would download, and most readers never search. Material requests it as soon as a page
// loads; this script, loaded before Material's bundle, holds that one request back until the reader
// shows they are about to search: focusing or clicking the search field or its button, or pressing
// one of Material's search keys (/, s, f). Search then works as before, after the index arrives.
(function () {
  var INDEX = /(^|\/)search\/search_index\.json(\?|$)/;
  var held = [];
  var released = false;
  function release() {
    if (released) return;
    released = true;
    held.splice(0).forEach(function (send) { send(); });
  }
  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.__bpSearchIndex = INDEX.test(String(url));
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    if (this.__bpSearchIndex && !released) {
      var request = this, args = arguments;
      held.push(function () { send.apply(request, args); });
      return undefined;
    }
    return send.apply(this, arguments);
  };
  function isSearch(target) {
    return target && target.closest &&
      target.closest("[data-md-component='search'], label[for='__search'], #__search, .md-search");
  }
  document.addEventListener("focusin", function (e) { if (isSearch(e.target)) release(); }, true);
  document.addEventListener("pointerdown", function (e) { if (isSearch(e.target)) release(); }, true);
  document.addEventListener("change", function (e) { if (e.target && e.target.id === "__search") release(); }, true);
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    var typing = t && (t.isContentEditable || /^(input|textarea|select)$/i.test(t.tagName));
    if (!typing && !e.ctrlKey && !e.metaKey && !e.altKey && ["/", "s", "f", "S", "F"].indexOf(e.key) >= 0) release();
  }, true);
})();
