// Realtime: live replies, like counts, presence, the "N new topics" bar, the notification
// badge, a member's tabs kept in step, and @name suggestions. Every page works without it.
(function () {
  "use strict";
  var doc = document;
  var lang = (doc.documentElement.lang || "en").slice(0, 2);
  var member = !!doc.querySelector("[data-notif-badge]");

  function announce(text) {
    var region = doc.getElementById("live-announcer");
    if (!region) {
      region = doc.createElement("div");
      region.id = "live-announcer";
      region.className = "visually-hidden";
      region.setAttribute("aria-live", "polite");
      doc.body.appendChild(region);
    }
    region.textContent = text;
  }

  function plural(el, n) {
    var template = n === 1 ? el.getAttribute("data-one") : el.getAttribute("data-other");
    return (template || "%(num)d").replace("%(num)d", String(n));
  }

  function number(n) {
    return window.Intl ? new Intl.NumberFormat(doc.documentElement.lang || "en").format(n) : String(n);
  }

  // A <time> for "just now", its text from the page (translated), its title the moment.
  function justNow(holder, iso) {
    var time = doc.createElement("time");
    time.setAttribute("datetime", iso || new Date().toISOString());
    time.textContent = holder.getAttribute("data-just-now") || "";
    return time;
  }

  // The topic page's side line: "No replies yet" becomes "Last reply just now".
  function lastReply(data) {
    var line = doc.querySelector("[data-last-reply]");
    if (!line) return;
    var link = doc.createElement("a");
    link.href = "/t/" + data.topic_id + "/" + data.post_number;
    link.appendChild(justNow(line, data.last_posted_at));
    line.textContent = (line.getAttribute("data-label") || "") + " ";
    line.appendChild(link);
  }

  function setBadge(n) {
    var count = doc.querySelector("[data-unread]");
    if (!count) return;
    var hidden = count.querySelector(".visually-hidden");
    count.textContent = String(n);
    if (hidden) count.appendChild(hidden);
    count.hidden = !n;
  }

  // --- @name suggestions (members only) --------------------------------------------------
  function mentionBox(area) {
    var list = doc.createElement("ul");
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.id = "mentions-" + Math.random().toString(36).slice(2);
    list.hidden = true;
    area.parentNode.insertBefore(list, area.nextSibling);
    area.setAttribute("aria-controls", list.id);
    var timer = null, items = [], active = -1;

    function prefix() {
      var before = area.value.slice(0, area.selectionStart);
      var m = /(^|[^\w@])@([A-Za-z0-9_.-]{1,30})$/.exec(before);
      return m ? m[2] : null;
    }
    function close() { list.hidden = true; items = []; active = -1; }
    function choose(i) {
      var name = items[i];
      if (!name) return;
      var start = area.selectionStart, before = area.value.slice(0, start);
      var at = before.lastIndexOf("@");
      area.value = before.slice(0, at + 1) + name + " " + area.value.slice(start);
      var caret = at + name.length + 2;
      area.setSelectionRange(caret, caret);
      close();
      area.focus();
    }
    function render() {
      list.textContent = "";
      items.forEach(function (name, i) {
        var li = doc.createElement("li");
        li.setAttribute("role", "option");
        li.textContent = "@" + name;
        if (i === active) li.setAttribute("aria-selected", "true");
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = !items.length;
    }
    area.addEventListener("input", function () {
      var p = prefix();
      clearTimeout(timer);
      if (!p) { close(); return; }
      timer = setTimeout(function () {
        fetch("/notifications/mentions?q=" + encodeURIComponent(p), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (data) { items = data.map(function (m) { return m.username; }); active = 0; render(); })
          .catch(close);
      }, 150);
    });
    area.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        render();
      } else if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        choose(active);
      } else if (e.key === "Escape") {
        close();
      }
    });
    area.addEventListener("blur", function () { setTimeout(close, 150); });
  }
  if (member && window.fetch) {
    Array.prototype.forEach.call(doc.querySelectorAll("textarea[name=body]"), mentionBox);
  }

  // --- the socket ------------------------------------------------------------------------
  if (typeof window.io !== "function") return;
  var roomsMeta = doc.querySelector('meta[name="realtime-rooms"]');
  var rooms = roomsMeta ? roomsMeta.content.split(/\s+/).filter(Boolean) : [];
  if (!rooms.length && !member) return;
  var socket = window.io({ transports: ["websocket", "polling"] });
  window.cercleSocket = socket;

  socket.on("connect", function () {
    // The page says it is live once every room answered (tests and styles can rely on it).
    var pending = rooms.length;
    function ready() { doc.documentElement.setAttribute("data-realtime", "on"); }
    if (!pending) ready();
    rooms.forEach(function (room) {
      socket.emit("join", { room: room }, function () { pending -= 1; if (!pending) ready(); });
    });
  });

  socket.on("notification", function (data) {
    setBadge(data.unread);
    if (data.text) announce(data.text);
  });
  socket.on("badge", function (data) { setBadge(data.unread); });

  // Topic page.
  var stream = doc.querySelector(".post-stream[data-topic-id]");
  var topicId = stream ? Number(stream.getAttribute("data-topic-id")) : 0;

  function markRead(n) {
    if (member && topicId && doc.visibilityState === "visible") {
      socket.emit("read", { topic_id: topicId, post_number: n });
    }
  }

  socket.on("post_created", function (data) {
    if (!stream || data.topic_id !== topicId) return;
    var replies = doc.querySelector("[data-reply-count]");
    if (replies) replies.textContent = number(data.reply_count);
    lastReply(data);
    if (doc.getElementById("post-" + data.post_number)) return;
    var lastPage = stream.getAttribute("data-last-page") === "1";
    var shown = stream.querySelectorAll("article.post").length;
    var perPage = Number(stream.getAttribute("data-per-page") || 20);
    if (!lastPage || shown >= perPage) {
      var more = doc.querySelector("[data-new-replies]");
      if (more) {
        var n = Number(more.getAttribute("data-count") || 0) + 1;
        more.setAttribute("data-count", String(n));
        var link = more.querySelector("a");
        link.textContent = plural(more, n);
        link.href = "/t/" + topicId + "/" + data.post_number;
        more.hidden = false;
      }
      return;
    }
    var holder = doc.createElement("div");
    holder.innerHTML = typeof data.html === "string" ? data.html : "";  // this page's language
    var article = holder.querySelector("article.post");
    if (!article) return;
    article.classList.add("post-arrived");
    stream.appendChild(article);
    announce(stream.getAttribute("data-arrived") || "");
    markRead(data.post_number);
    if (member) {
      // The member's own copy: their buttons, their language, their CSRF token.
      fetch("/t/" + topicId + "/posts/" + data.post_number + "/partial", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) return;
          var box = doc.createElement("div");
          box.innerHTML = html;
          var own = box.querySelector("article.post");
          var current = doc.getElementById("post-" + data.post_number);
          if (own && current) { own.classList.add("post-arrived"); current.replaceWith(own); }
        }).catch(function () {});
    }
  });

  socket.on("post_liked", function (data) {
    if (!stream || data.topic_id !== topicId) return;
    var post = doc.getElementById("post-" + data.post_number);
    var count = post && post.querySelector(".like-count");
    if (count) count.textContent = String(data.like_count);
    var total = doc.querySelector("[data-like-count]");
    if (total) total.textContent = String(data.topic_like_count);
  });

  socket.on("presence", function (data) {
    var el = doc.querySelector("[data-presence]");
    if (!el || data.topic_id !== topicId) return;
    el.textContent = plural(el, data.count);
    el.hidden = data.count < 1;
  });

  socket.on("read", function (data) {
    if (data.topic_id !== topicId) return;
    var jump = doc.querySelector(".unread-jump");
    var highest = stream ? Number(stream.getAttribute("data-highest") || 0) : 0;
    if (jump && data.post_number >= highest) jump.hidden = true;
  });

  // Topic lists: counts and activity of the rows shown change in place (no reordering).
  socket.on("topic_activity", function (data) {
    var row = doc.querySelector('[data-topic-row="' + Number(data.topic_id) + '"]');
    if (!row) return;
    var count = row.querySelector("[data-topic-replies]");
    if (count) count.textContent = number(data.reply_count);
    var activity = row.querySelector("[data-topic-activity]");
    var table = row.closest("table");
    if (activity && table) {
      if (data.last_url) activity.href = data.last_url;
      activity.textContent = "";
      activity.appendChild(justNow(table, data.last_posted_at));
    }
    row.classList.remove("row-updated");
    void row.offsetWidth;  // restart the highlight
    row.classList.add("row-updated");
  });

  // Topic lists: a bar instead of a jump.
  var bar = doc.querySelector("[data-new-topics]");
  var fresh = {};
  socket.on("topic_created", function (data) {
    if (!bar) return;
    var filter = bar.getAttribute("data-category-id");
    if (filter && Number(filter) !== data.category_id) return;
    fresh[data.topic_id] = true;
    var n = Object.keys(fresh).length;
    bar.querySelector("a").textContent = plural(bar, n);
    bar.hidden = false;
  });
})();
