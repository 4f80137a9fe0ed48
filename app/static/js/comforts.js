// Forums' reading comforts on the topic page: keyboard shortcuts (j/k between posts, r to
// reply, ? for help), the author's card in a popover, and reactions and bookmarks without
// a page reload. Every one of them works without this file: the help is a page section,
// the author link goes to the profile, and the forms post the ordinary way.
(function () {
  "use strict";

  // --- keyboard shortcuts ---------------------------------------------------------------
  var help = document.getElementById("shortcuts-help");
  var opener = document.querySelector("[data-shortcuts-open]");

  function typing(target) {
    if (!target || !target.closest) return false;
    return !!target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']");
  }

  function posts() {
    return Array.prototype.slice.call(document.querySelectorAll(".post-stream > article.post"));
  }

  function currentIndex(list) {
    var focused = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest("article.post") : null;
    var index = list.indexOf(focused);
    if (index >= 0) return index;
    // Else the first post whose top is below the top of the window.
    for (var i = 0; i < list.length; i++) {
      if (list[i].getBoundingClientRect().top > 8) return i - 1;
    }
    return list.length - 1;
  }

  function moveTo(article) {
    if (!article) return;
    article.setAttribute("tabindex", "-1");
    article.focus({ preventScroll: true });
    article.scrollIntoView({ block: "start", behavior: "smooth" });
    if (history.replaceState && article.id) history.replaceState(null, "", "#" + article.id);
  }

  function showHelp() {
    if (!help) return;
    if (typeof help.showModal === "function") {
      if (!help.open) help.showModal();
    } else {
      help.setAttribute("open", "");
    }
  }

  if (opener && help) {
    opener.hidden = false;
    opener.addEventListener("click", showHelp);
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    if (help && help.open) return;
    var key = event.key;
    if (key === "?") {
      event.preventDefault();
      showHelp();
      return;
    }
    if (key === "j" || key === "k") {
      var list = posts();
      if (!list.length) return;
      event.preventDefault();
      var index = currentIndex(list);
      var next = key === "j" ? Math.min(list.length - 1, index + 1) : Math.max(0, index - 1);
      moveTo(list[next]);
      return;
    }
    if (key === "r") {
      var box = document.querySelector("#reply textarea");
      if (box) {
        event.preventDefault();
        box.scrollIntoView({ block: "center" });
        box.focus();
        return;
      }
      var link = document.querySelector("a[href$='/reply']");
      if (link) {
        event.preventDefault();
        window.location.href = link.href;
      }
    }
  });

  // --- user cards -----------------------------------------------------------------------
  var card = null;
  var cardFor = null;
  var cache = {};

  function closeCard(restoreFocus) {
    if (!card) return;
    card.remove();
    card = null;
    if (restoreFocus && cardFor) cardFor.focus();
    if (cardFor) cardFor.setAttribute("aria-expanded", "false");
    cardFor = null;
  }

  function placeCard(anchor) {
    var rect = anchor.getBoundingClientRect();
    var top = window.scrollY + rect.bottom + 6;
    var left = window.scrollX + rect.left;
    var width = Math.min(320, document.documentElement.clientWidth - 16);
    left = Math.max(8, Math.min(left, window.scrollX + document.documentElement.clientWidth - width - 8));
    card.style.top = top + "px";
    card.style.left = left + "px";
    card.style.width = width + "px";
  }

  function openCard(anchor, html) {
    closeCard(false);
    card = document.createElement("div");
    card.className = "user-card-popover";
    card.setAttribute("role", "dialog");
    card.setAttribute("aria-label", anchor.textContent.trim());
    card.tabIndex = -1;
    card.innerHTML = html; // a fragment of our own server, rendered by Jinja (escaped)
    document.body.appendChild(card);
    placeCard(anchor);
    cardFor = anchor;
    anchor.setAttribute("aria-expanded", "true");
    card.focus();
  }

  if (window.fetch) {
    document.addEventListener("click", function (event) {
      var anchor = event.target.closest ? event.target.closest("a[data-user-card]") : null;
      if (!anchor) {
        if (card && !card.contains(event.target)) closeCard(false);
        return;
      }
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      if (cardFor === anchor) { closeCard(true); return; }
      var url = anchor.getAttribute("data-user-card");
      if (cache[url]) { openCard(anchor, cache[url]); return; }
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (!response.ok) throw new Error("card " + response.status);
          return response.text();
        })
        .then(function (html) { cache[url] = html; openCard(anchor, html); })
        .catch(function () { window.location.href = anchor.href; });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && card) closeCard(true);
    });
  }

  // --- reactions and bookmarks without a reload -----------------------------------------
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (!meta || !window.fetch) return;

  function post(form, body) {
    return fetch(form.action, {
      method: "POST",
      headers: { "Accept": "application/json", "X-CSRFToken": meta.content },
      body: body,
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) throw new Error("failed: " + response.status);
      return response.json();
    });
  }

  function renderReactions(form, counts, mine) {
    var picker = form.querySelector(".reaction-picker");
    Array.prototype.forEach.call(form.querySelectorAll("button.reaction"), function (b) { b.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll("button.reaction-choice"), function (choice) {
      var emoji = choice.getAttribute("data-reaction");
      var isMine = mine.indexOf(emoji) >= 0;
      choice.setAttribute("aria-pressed", isMine ? "true" : "false");
      choice.value = (isMine ? "off:" : "on:") + emoji;
      var n = counts[emoji] || 0;
      if (!n) return;
      var chip = document.createElement("button");
      chip.type = "submit";
      chip.name = "choice";
      chip.value = choice.value;
      chip.className = "reaction" + (isMine ? " is-mine" : "");
      chip.setAttribute("aria-pressed", isMine ? "true" : "false");
      chip.setAttribute("data-reaction", emoji);
      var face = document.createElement("span");
      face.setAttribute("aria-hidden", "true");
      face.textContent = emoji;
      var count = document.createElement("span");
      count.className = "reaction-count";
      count.textContent = n;
      var label = document.createElement("span");
      label.className = "visually-hidden";
      label.textContent = " " + (choice.getAttribute("title") || emoji);
      chip.appendChild(face);
      chip.appendChild(count);
      chip.appendChild(label);
      form.insertBefore(chip, picker);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-reactions]")) {
      var button = event.submitter;
      if (!button || !button.value) return;
      event.preventDefault();
      if (form.dataset.busy) return;
      form.dataset.busy = "1";
      var body = new FormData(form);
      body.set("choice", button.value);
      post(form, body).then(function (data) {
        var mine = [];
        Array.prototype.forEach.call(form.querySelectorAll("button.reaction-choice"), function (c) {
          var emoji = c.getAttribute("data-reaction");
          var pressed = c.getAttribute("aria-pressed") === "true";
          if (emoji === data.reaction) pressed = data.reacted;
          if (pressed) mine.push(emoji);
        });
        renderReactions(form, data.counts, mine);
        var details = form.querySelector("details");
        if (details) details.open = false;
      }).catch(function () {
        var fallback = document.createElement("input");
        fallback.type = "hidden";
        fallback.name = "choice";
        fallback.value = button.value;
        form.appendChild(fallback);
        form.submit();
      }).finally(function () { delete form.dataset.busy; });
      return;
    }
    if (form.matches("form[data-bookmark]")) {
      event.preventDefault();
      var mark = form.querySelector("button");
      var state = form.querySelector('input[name="state"]');
      if (mark.dataset.busy) return;
      mark.dataset.busy = "1";
      post(form, new FormData(form)).then(function (data) {
        mark.setAttribute("aria-pressed", data.bookmarked ? "true" : "false");
        mark.classList.toggle("is-bookmarked", data.bookmarked);
        if (state) state.value = data.bookmarked ? "off" : "on";
        var label = data.bookmarked ? mark.dataset.labelOn : mark.dataset.labelOff;
        if (label) mark.title = label;
      }).catch(function () { form.submit(); }).finally(function () { delete mark.dataset.busy; });
    }
  });
})();
