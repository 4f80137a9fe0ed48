// Composer: "similar discussions" under the title, from /search/suggest, to cut duplicates.
// Without this file the form works as usual; the box stays hidden.
(function () {
  "use strict";
  var box = document.querySelector("[data-similar-topics]");
  var title = document.getElementById("title");
  if (!box || !title || !window.fetch) return;
  var list = box.querySelector("ul");
  var timer = null;
  var asked = "";

  function show(results) {
    list.textContent = "";
    results.forEach(function (r) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = r.url;
      link.textContent = r.title; // text, never HTML
      link.target = "_blank";
      link.rel = "noopener";
      item.appendChild(link);
      if (r.place) {
        var place = document.createElement("span");
        place.className = "muted";
        place.textContent = " · " + r.place;
        item.appendChild(place);
      }
      list.appendChild(item);
    });
    box.hidden = results.length === 0;
  }

  function ask() {
    var q = title.value.trim();
    if (q === asked) return;
    asked = q;
    if (q.length < 4) { show([]); return; }
    fetch(box.dataset.url + "?q=" + encodeURIComponent(q), {
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.json() : { results: [] };
    }).then(function (data) {
      if (asked === q) show(data.results || []);
    }).catch(function () { show([]); });
  }

  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 300);
  });
  if (title.value) ask();
})();
