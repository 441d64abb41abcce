// The search index (search/search_index.json, the text of the whole book) is the largest file a
// first visit would download, and most readers never search. Material requests it, and starts its
// search worker, as soon as a page loads; this script, loaded before Material's bundle, holds both
// back until the reader shows they are about to search: focusing or clicking the search field or its
// button, or pressing one of Material's search keys (/, s, f). Until then the worker is a stand-in
// that queues what Material posts to it; then the real worker starts, gets the queue, and its replies
// reach Material through the stand-in. Search then works as before, after the index arrives.
(function () {
  var INDEX = /(^|\/)search\/search_index\.json(\?|$)/;
  var held = [];
  var released = false;
  function release() {
    if (released) return;
    released = true;
    held.splice(0).forEach(function (start) { start(); });
  }
  var RealWorker = window.Worker;
  function LazyWorker(url, options) {
    var target = new EventTarget(), queue = [], worker = null;
    target.postMessage = function (message) {
      if (worker) worker.postMessage(message); else queue.push(message);
    };
    target.terminate = function () { if (worker) worker.terminate(); queue = []; };
    held.push(function () {
      worker = new RealWorker(url, options);
      ["message", "messageerror", "error"].forEach(function (type) {
        worker.addEventListener(type, function (e) {
          var copy = type === "error" ? new ErrorEvent("error", { message: e.message })
                                      : new MessageEvent(type, { data: e.data });
          target.dispatchEvent(copy);
          if (typeof target["on" + type] === "function") target["on" + type](copy);
        });
      });
      queue.splice(0).forEach(function (message) { worker.postMessage(message); });
    });
    return target;
  }
  window.Worker = function (url, options) {
    if (!released && /\/workers\/search\.[\w]+\.min\.js/.test(String(url))) return new LazyWorker(url, options);
    return new RealWorker(url, options);
  };
  window.Worker.prototype = RealWorker.prototype;
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
