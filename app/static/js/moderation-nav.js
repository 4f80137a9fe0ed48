// Staff nav: the number of items waiting in the review queue. The page shows the number
// the server remembered (no query per page); when it is unknown, or the queue changes
// (the staff room's pushes), the number is asked for again.
(function () {
  "use strict";
  var link = document.querySelector("[data-mod-nav]");
  if (!link || !window.fetch) return;
  var timer = null;

  function show(n) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-mod-count]"), function (badge) {
      badge.textContent = String(n);
      if (badge.closest(".nav-pill")) badge.hidden = !n;
      badge.classList.toggle("pill-warn", n > 0);
    });
  }

  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      fetch(link.getAttribute("data-mod-nav"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) show(data.pending); })
        .catch(function () {});
    }, 300);
  }

  var badge = link.querySelector("[data-mod-count]");
  if (badge && badge.hidden) refresh();
  var socket = window.cercleSocket;
  if (socket) {
    socket.on("review_item", refresh);
    socket.on("review_item_resolved", refresh);
  }
})();
