// The live review queue: new items arrive without a reload; claims and decisions made by
// other moderators show at once. Without JavaScript a reload shows the same rows.
(function () {
  "use strict";
  var doc = document;
  var list = doc.querySelector("[data-queue]");
  var socket = window.cercleSocket;
  if (!list || !socket) return;
  var lang = (doc.documentElement.lang || "en").slice(0, 2);
  var token = list.getAttribute("data-csrf") || "";
  var pending = list.getAttribute("data-status") === "pending";
  var filters = {};
  try { filters = JSON.parse(list.getAttribute("data-filters") || "{}"); } catch (e) { filters = {}; }
  var arrivedCount = 0;

  function fillTokens(root) {
    Array.prototype.forEach.call(root.querySelectorAll("input[data-csrf]"), function (input) {
      if (!input.value) input.value = token;
    });
  }

  function total(delta) {
    var el = doc.querySelector("[data-queue-total]");
    if (!el) return;
    var n = Math.max(0, (parseInt(el.textContent.replace(/\D/g, ""), 10) || 0) + delta);
    el.textContent = window.Intl ? new Intl.NumberFormat(doc.documentElement.lang || "en").format(n) : String(n);
  }

  function announce() {
    var line = doc.querySelector("[data-queue-arrived]");
    if (!line) return;
    line.textContent = (list.getAttribute("data-arrived") || "").replace("{n}", String(arrivedCount));
    line.hidden = false;
  }

  function matches(data) {
    if (filters.kind && filters.kind !== data.kind) return false;
    if (filters.reason && filters.reason !== data.reason) return false;
    if (filters.category && Number(filters.category) !== data.category_id) return false;
    return !filters.age;  // an item just opened is younger than any age filter
  }

  socket.on("review_item", function (data) {
    if (!pending || !matches(data)) return;
    var holder = doc.createElement("div");
    holder.innerHTML = (data.html && (data.html[lang] || data.html.en)) || "";
    var row = holder.querySelector("li.queue-item");
    if (!row) return;
    fillTokens(row);
    var existing = doc.getElementById("item-" + data.item_id);
    if (existing) { existing.parentNode.replaceChild(row, existing); return; }
    row.classList.add("is-arrived");
    list.appendChild(row);
    var empty = doc.querySelector("[data-queue-empty]");
    if (empty) empty.hidden = true;
    arrivedCount += 1;
    announce();
    total(1);
  });

  socket.on("review_item_claimed", function (data) {
    var row = doc.getElementById("item-" + data.item_id);
    if (!row) return;
    // This moderator's own copy (its buttons) replaces the row.
    fetch("/mod/items/" + data.item_id + "/row", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var box = doc.createElement("div");
        box.innerHTML = html;
        var fresh = box.querySelector("li.queue-item");
        if (fresh && row.parentNode) row.parentNode.replaceChild(fresh, row);
      }).catch(function () {});
  });

  socket.on("review_item_resolved", function (data) {
    var row = doc.getElementById("item-" + data.item_id);
    if (!row || !pending) return;
    row.parentNode.removeChild(row);
    total(-1);
  });
})();
