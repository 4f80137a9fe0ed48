// Forums: like without a page reload. The like form works without this file.
// The form says which state it asks for (state=on|off), never "toggle": a double click or
// a retried request then ends in the state the member saw themselves asking for.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (!meta || !window.fetch) return;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form.like-form")) return;
    event.preventDefault();
    var button = form.querySelector("button");
    var state = form.querySelector('input[name="state"]');
    if (button.dataset.busy) return;
    button.dataset.busy = "1";
    fetch(form.action, {
      method: "POST",
      headers: { "Accept": "application/json", "X-CSRFToken": meta.content },
      body: new FormData(form),
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) throw new Error("like failed: " + response.status);
      return response.json();
    }).then(function (data) {
      button.setAttribute("aria-pressed", data.liked ? "true" : "false");
      if (state) state.value = data.liked ? "off" : "on";
      var count = button.querySelector(".like-count");
      if (count) count.textContent = data.like_count;
    }).catch(function () {
      form.submit(); // let the server answer (and explain) the ordinary way
    }).finally(function () {
      delete button.dataset.busy;
    });
  });
})();
