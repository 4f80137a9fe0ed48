/* Flag a post in a small dialog: the flag link opens its form (the same page that works
   without JavaScript, asked for as a fragment), the form posts as JSON, the dialog says
   thank you. Without JavaScript the link opens the flag page. */
(function () {
  "use strict";

  function dialog() {
    var d = document.getElementById("flag-dialog");
    if (d) return d;
    d = document.createElement("dialog");
    d.id = "flag-dialog";
    d.className = "flag-dialog";
    d.setAttribute("aria-labelledby", "flag-dialog-title");
    document.body.appendChild(d);
    d.addEventListener("click", function (e) {
      if (e.target === d || e.target.closest("[data-flag-cancel]")) {
        e.preventDefault();
        d.close();
      }
    });
    return d;
  }

  function show(d, html, title) {
    d.innerHTML = '<h2 id="flag-dialog-title"></h2><div class="flag-dialog-body"></div>';
    d.querySelector("h2").textContent = title;
    d.querySelector(".flag-dialog-body").innerHTML = html;
    var form = d.querySelector("form[data-flag-form]");
    if (form) form.addEventListener("submit", submit);
    if (!d.open) d.showModal();
    var first = d.querySelector("input, textarea, button, a");
    if (first) first.focus();
  }

  function submit(e) {
    e.preventDefault();
    var form = e.target;
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    }).then(function (r) { return r.json().then(function (data) { return [r, data]; }); })
      .then(function (pair) {
        var data = pair[1], d = dialog();
        if (data.flagged) {
          var p = document.createElement("p");
          p.className = "notice";
          p.setAttribute("role", "status");
          p.textContent = data.message;
          d.querySelector(".flag-dialog-body").replaceChildren(p);
          setTimeout(function () { d.close(); }, 2500);
          return;
        }
        form.querySelectorAll(".error[data-js]").forEach(function (n) { n.remove(); });
        var messages = [].concat(data.form_errors || []);
        Object.keys(data.errors || {}).forEach(function (k) { messages = messages.concat(data.errors[k]); });
        var box = document.createElement("p");
        box.className = "error";
        box.setAttribute("data-js", "");
        box.setAttribute("role", "alert");
        box.textContent = messages.join(" ");
        form.prepend(box);
        if (button) button.disabled = false;
      })
      .catch(function () { form.submit(); });
  }

  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[data-flag-dialog]");
    if (!link || typeof HTMLDialogElement === "undefined") return;
    e.preventDefault();
    var url = link.href + (link.href.indexOf("?") < 0 ? "?" : "&") + "partial=1";
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) { show(dialog(), html, link.getAttribute("title") || ""); })
      .catch(function () { window.location = link.href; });
  });
})();
