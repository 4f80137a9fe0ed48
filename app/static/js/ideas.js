// Idea form: "similar ideas" under the title, from /ideas/similar, so members vote for an
// idea that exists instead of posting it again. Without this file the form works as usual
// (the server lists similar ideas when it sends the form back).
(function () {
  "use strict";
  var box = document.querySelector("[data-similar-ideas]");
  var title = document.getElementById("title");
  if (!box || !title || !window.fetch) return;
  var list = box.querySelector("ul");
  var timer = null;
  var asked = "";

  function show(ideas) {
    list.textContent = "";
    ideas.forEach(function (idea) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = idea.url;
      link.textContent = idea.title; // text, never HTML
      link.target = "_blank";
      link.rel = "noopener";
      item.appendChild(link);
      var votes = document.createElement("span");
      votes.className = "muted";
      votes.textContent = " · " + idea.votes + " ✓";
      item.appendChild(votes);
      list.appendChild(item);
    });
    box.hidden = ideas.length === 0;
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
      return response.ok ? response.json() : { ideas: [] };
    }).then(function (data) {
      if (asked === q) show(data.ideas || []);
    }).catch(function () { show([]); });
  }

  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 300);
  });
  if (title.value) ask();
})();
