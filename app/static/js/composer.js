// The composer: Markdown toolbar and shortcuts, live preview, drafts saved as the member
// types, images by button, drag and drop or paste, emoji suggestions, and a warning before
// leaving with text that is not saved. The page works without this file: the server
// renders the preview (Preview button), restores the draft and has an upload page.
(function () {
  "use strict";
  if (!window.fetch || !window.FormData) return;
  var token = "";  // the form's own CSRF token, read in setup()

  function post(url, data) {
    var body = new FormData();
    Object.keys(data).forEach(function (k) { body.append(k, data[k]); });
    return fetch(url, {
      method: "POST",
      headers: { "Accept": "application/json", "X-CSRFToken": token },
      body: body,
      credentials: "same-origin"
    });
  }

  function debounce(fn, wait) {
    var timer = null;
    var wrapped = function () {
      clearTimeout(timer);
      timer = setTimeout(fn, wait);
    };
    wrapped.now = function () { clearTimeout(timer); fn(); };
    wrapped.cancel = function () { clearTimeout(timer); };
    return wrapped;
  }

  function setup(box) {
    var form = box.closest("form");
    var textarea = box.querySelector("textarea");
    if (!form || !textarea) return;
    var tokenInput = form.querySelector('input[name="csrf_token"]');
    if (tokenInput) token = tokenInput.value;
    var msg = box.dataset;
    var status = box.querySelector("[data-composer-status]");
    var toolbar = box.querySelector("[data-toolbar]");
    var fileInput = box.querySelector("[data-upload-input]");
    var titleInput = msg.titleInput ? document.getElementById(msg.titleInput) : null;
    var panel = document.querySelector("[data-preview-panel]");
    var previewBox = panel && panel.querySelector("[data-preview]");
    var notice = document.querySelector("[data-draft-notice]");
    var submitting = false;
    var saved = currentText();
    var uploads = 0;

    function currentText() {
      return (titleInput ? titleInput.value + "\u0000" : "") + textarea.value;
    }
    function say(text) { if (status) status.textContent = text; }

    // --- editing helpers ---------------------------------------------------------------
    function replaceSelection(before, after, placeholder) {
      var start = textarea.selectionStart, end = textarea.selectionEnd;
      var chosen = textarea.value.slice(start, end) || placeholder;
      textarea.focus();
      textarea.setRangeText(before + chosen + after, start, end, "end");
      textarea.setSelectionRange(start + before.length, start + before.length + chosen.length);
      changed();
    }
    function prefixLines(prefix, placeholder) {
      var value = textarea.value;
      var start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
      var end = textarea.selectionEnd;
      var block = value.slice(start, end) || placeholder;
      var lines = block.split("\n").map(function (line) { return prefix + line; }).join("\n");
      textarea.focus();
      textarea.setRangeText(lines, start, end, "end");
      changed();
    }
    function insertAtCursor(text) {
      var start = textarea.selectionStart;
      var needsBreak = start > 0 && textarea.value[start - 1] !== "\n";
      textarea.focus();
      textarea.setRangeText((needsBreak ? "\n" : "") + text + "\n", start, textarea.selectionEnd, "end");
      changed();
    }
    var actions = {
      bold: function () { replaceSelection("**", "**", msg.msgBold); },
      italic: function () { replaceSelection("_", "_", msg.msgItalic); },
      link: function () {
        var start = textarea.selectionStart, end = textarea.selectionEnd;
        var text = textarea.value.slice(start, end) || msg.msgLinkText;
        textarea.focus();
        textarea.setRangeText("[" + text + "](https://)", start, end, "end");
        var urlStart = start + text.length + 3;
        textarea.setSelectionRange(urlStart, urlStart + 8);
        changed();
      },
      quote: function () { prefixLines("> ", msg.msgQuote); },
      list: function () { prefixLines("- ", msg.msgItem); },
      code: function () {
        var chosen = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
        if (chosen.indexOf("\n") >= 0) replaceSelection("```\n", "\n```", "");
        else replaceSelection("`", "`", msg.msgCode);
      },
      image: function () { if (fileInput) fileInput.click(); }
    };

    if (toolbar) {
      toolbar.hidden = false;
      toolbar.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-md]");
        if (button && actions[button.dataset.md]) actions[button.dataset.md]();
      });
      // One tab stop for the toolbar, arrows move between its buttons (ARIA toolbar).
      var buttons = Array.prototype.slice.call(toolbar.querySelectorAll("button"));
      buttons.forEach(function (b, i) { b.tabIndex = i === 0 ? 0 : -1; });
      toolbar.addEventListener("keydown", function (event) {
        var i = buttons.indexOf(document.activeElement);
        if (i < 0) return;
        var next = null;
        if (event.key === "ArrowRight") next = buttons[(i + 1) % buttons.length];
        else if (event.key === "ArrowLeft") next = buttons[(i - 1 + buttons.length) % buttons.length];
        else if (event.key === "Home") next = buttons[0];
        else if (event.key === "End") next = buttons[buttons.length - 1];
        if (!next) return;
        event.preventDefault();
        buttons[i].tabIndex = -1;
        next.tabIndex = 0;
        next.focus();
      });
    }

    textarea.addEventListener("keydown", function (event) {
      if (emoji.handleKey(event)) return;
      if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
      var key = event.key.toLowerCase(), name = null;
      if (!event.shiftKey && key === "b") name = "bold";
      else if (!event.shiftKey && key === "i") name = "italic";
      else if (!event.shiftKey && key === "k") name = "link";
      else if (!event.shiftKey && key === "e") name = "code";
      else if (event.shiftKey && (event.code === "Digit9" || key === "(")) name = "quote";
      else if (event.shiftKey && (event.code === "Digit8" || key === "*")) name = "list";
      else if (event.shiftKey && key === "i") name = "image";
      else if (key === "enter") { submitting = true; form.requestSubmit ? form.requestSubmit() : form.submit(); event.preventDefault(); return; }
      if (!name) return;
      event.preventDefault();
      actions[name]();
    });

    // --- preview ----------------------------------------------------------------------
    var refreshPreview = debounce(function () {
      if (!panel || !previewBox) return;
      var text = textarea.value;
      if (!text.trim()) {
        previewBox.innerHTML = "";
        var p = document.createElement("p");
        p.className = "muted";
        p.textContent = msg.msgNothing;
        previewBox.appendChild(p);
        return;
      }
      post(msg.previewUrl, { body: text }).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(function (data) {
        // Rendered and sanitised by the server, exactly as the saved post will be.
        previewBox.innerHTML = data.html;
      }).catch(function () { /* the preview waits for the next change */ });
    }, 400);
    if (panel) {
      panel.hidden = false;
      refreshPreview.now();
    }
    var previewButton = form.querySelector("[data-preview-button]");
    if (previewButton && panel) {
      previewButton.addEventListener("click", function (event) {
        event.preventDefault();
        refreshPreview.now();
        panel.scrollIntoView({ block: "nearest" });
      });
    }

    // --- drafts -----------------------------------------------------------------------
    var inFlight = false, again = false;
    function saveDraft() {
      if (submitting) return;
      var text = currentText();
      if (text === saved) return;
      if (inFlight) { again = true; return; }
      inFlight = true;
      say(msg.msgSaving);
      var data = { key: msg.draftKey, body: textarea.value };
      if (titleInput) data.title = titleInput.value;
      post(msg.draftUrl, data).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (!r.ok) throw new Error(body.error || msg.msgNotSaved);
          saved = text;
          say(msg.msgSaved);
        });
      }).catch(function (error) {
        say(error.message && isNaN(error.message) ? error.message : msg.msgNotSaved);
      }).finally(function () {
        inFlight = false;
        if (again) { again = false; saveDraft(); }
      });
    }
    var saveSoon = debounce(saveDraft, 1500);

    function changed() {
      refreshPreview();
      saveSoon();
      emoji.update();
    }
    textarea.addEventListener("input", changed);
    if (titleInput) titleInput.addEventListener("input", saveSoon);

    if (notice) {
      var restore = notice.querySelector("[data-draft-restore]");
      var draftBody = notice.querySelector("template[data-draft-body]");
      var draftTitle = notice.querySelector("template[data-draft-title]");
      if (restore && draftBody) {
        restore.addEventListener("click", function (event) {
          event.preventDefault();
          textarea.value = draftBody.innerHTML ? draftBody.content.textContent : "";
          if (titleInput && draftTitle) titleInput.value = draftTitle.content.textContent;
          saved = currentText();
          notice.remove();
          textarea.focus();
          refreshPreview.now();
        });
      }
      var discard = notice.querySelector("form[data-draft-discard]");
      if (discard) {
        discard.addEventListener("submit", function (event) {
          event.preventDefault();
          post(discard.action, { key: msg.draftKey }).then(function (r) {
            if (!r.ok) throw new Error(r.status);
            if (!restore) {  // the draft was in the box: empty it
              textarea.value = "";
              if (titleInput) titleInput.value = "";
              refreshPreview.now();
            }
            saved = currentText();
            notice.remove();
            textarea.focus();
          }).catch(function () { discard.submit(); });
        });
      }
    }

    form.addEventListener("submit", function () {
      submitting = true;
      saveSoon.cancel();
    });
    window.addEventListener("beforeunload", function (event) {
      if (submitting || (currentText() === saved && !uploads)) return;
      event.preventDefault();
      event.returnValue = msg.msgLeave;
      return msg.msgLeave;
    });
    // Leaving by a link inside the page: save first, so the draft waits for the member.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") saveSoon.now();
    });

    // --- images -----------------------------------------------------------------------
    function upload(file) {
      if (!file || !/^image\//.test(file.type)) return;
      var name = file.name || "image";
      var placeholder = "[" + msg.msgUploading.replace("{name}", name) + "]()";
      insertAtCursor(placeholder);
      uploads += 1;
      say(msg.msgUploading.replace("{name}", name));
      var body = new FormData();
      body.append("file", file, name);
      fetch(msg.uploadUrl, {
        method: "POST",
        headers: { "Accept": "application/json", "X-CSRFToken": token },
        body: body,
        credentials: "same-origin"
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          if (!r.ok || !data.markdown) throw new Error(data.error || msg.msgUploadFailed);
          return data;
        });
      }).then(function (data) {
        swap(placeholder, data.markdown);
        say(msg.msgUploaded);
      }).catch(function (error) {
        swap(placeholder + "\n", "");
        swap(placeholder, "");
        say(error.message || msg.msgUploadFailed);
      }).finally(function () { uploads -= 1; });
    }
    function swap(from, to) {
      var at = textarea.value.indexOf(from);
      if (at < 0) return;
      var cursor = textarea.selectionStart;
      textarea.setRangeText(to, at, at + from.length, "preserve");
      if (cursor > at) textarea.setSelectionRange(cursor + to.length - from.length, cursor + to.length - from.length);
      changed();
    }
    function uploadAll(files) {
      Array.prototype.forEach.call(files || [], upload);
    }
    if (fileInput) {
      fileInput.addEventListener("change", function () {
        uploadAll(fileInput.files);
        fileInput.value = "";
      });
    }
    textarea.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
        box.classList.add("composer-dragging");
      }
    });
    textarea.addEventListener("dragleave", function () { box.classList.remove("composer-dragging"); });
    textarea.addEventListener("drop", function (event) {
      box.classList.remove("composer-dragging");
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      event.preventDefault();
      uploadAll(event.dataTransfer.files);
    });
    textarea.addEventListener("paste", function (event) {
      var items = event.clipboardData && event.clipboardData.files;
      if (!items || !items.length) return;
      event.preventDefault();
      uploadAll(items);
    });

    // --- emoji suggestions ------------------------------------------------------------
    var emoji = emojiSuggestions(box, textarea, msg.emojiUrl);

    // --- a quote puts the cursor after itself (defect 4) ------------------------------
    if ("focusEnd" in msg) {
      textarea.focus();
      var end = textarea.value.length;
      textarea.setSelectionRange(end, end);
      textarea.scrollTop = textarea.scrollHeight;
    }
  }

  function emojiSuggestions(box, textarea, url) {
    var list = box.querySelector("[data-emoji-list]");
    var table = null, loading = false, matches = [], active = 0, range = null;
    var api = { update: update, handleKey: handleKey };
    if (!list) return { update: function () {}, handleKey: function () { return false; } };
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", list.id);

    function load() {
      if (table || loading) return;
      loading = true;
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (data) { table = data; update(); })
        .catch(function () { table = {}; });
    }
    function close() {
      list.hidden = true;
      list.innerHTML = "";
      matches = [];
      range = null;
      textarea.removeAttribute("aria-activedescendant");
    }
    function update() {
      var upto = textarea.value.slice(0, textarea.selectionStart);
      var m = /(^|[\s(])(:[a-z0-9_+\-]{2,31})$/.exec(upto);
      if (!m) { close(); return; }
      load();
      if (!table) return;
      var typed = m[2].slice(1);
      matches = Object.keys(table).filter(function (name) { return name.indexOf(typed) === 0; }).slice(0, 8);
      if (!matches.length) { close(); return; }
      range = [textarea.selectionStart - m[2].length, textarea.selectionStart];
      active = 0;
      render();
    }
    function render() {
      list.innerHTML = "";
      matches.forEach(function (name, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", i === active ? "true" : "false");
        li.textContent = table[name] + " :" + name + ":";
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      textarea.setAttribute("aria-activedescendant", list.id + "-" + active);
    }
    function choose(i) {
      if (!range) return;
      var name = matches[i];
      textarea.setRangeText(":" + name + ": ", range[0], range[1], "end");
      close();
      textarea.dispatchEvent(new Event("input"));
    }
    function handleKey(event) {
      if (list.hidden || !matches.length) return false;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        active = (active + (event.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
        render();
      } else if (event.key === "Enter" || event.key === "Tab") {
        choose(active);
      } else if (event.key === "Escape") {
        close();
      } else {
        return false;
      }
      event.preventDefault();
      return true;
    }
    textarea.addEventListener("blur", function () { setTimeout(close, 150); });
    return api;
  }

  document.querySelectorAll("[data-composer]").forEach(setup);
})();
