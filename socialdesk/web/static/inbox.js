// The inbox's keyboard and the glue between its panes. Shortcuts press the buttons the panes already
// show (data-key), so a shortcut can do nothing a click could not, and nothing the user may not do.
(function () {
  "use strict";
  var inbox = document.getElementById("inbox");
  if (!inbox) return;
  var selectedInput = document.getElementById("inbox-selected");

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#inbox-list-inner .conv[data-id]")); }
  function selectedId() { return selectedInput.value; }

  function markSelected() {
    rows().forEach(function (row) {
      var on = row.dataset.id === selectedId();
      row.classList.toggle("selected", on);
      row.setAttribute("aria-selected", on ? "true" : "false");
    });
  }

  // Moving through the list with the keyboard selects at once and loads the panes when the keys stop;
  // only the answer for the conversation selected last is shown, however the answers arrive.
  var loadTimer = null;
  var loadToken = 0;
  function load(id) {
    var mine = ++loadToken;
    fetch(inbox.dataset.openUrl + "?c=" + encodeURIComponent(id),
          { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) {
        return response.text().then(function (html) { return { html: html, trigger: response.headers.get("HX-Trigger") }; });
      })
      .then(function (answer) {
        if (mine !== loadToken) return;
        var panes = document.getElementById("inbox-panes");
        panes.innerHTML = answer.html;
        htmx.process(panes);
        if (answer.trigger) htmx.trigger(document.body, answer.trigger);
      });
  }

  function open(id, now) {
    if (!id) return;
    anchor = null;
    selectedInput.value = id;
    markSelected();
    var row = document.getElementById("conv-" + id);
    if (row) row.scrollIntoView({ block: "nearest" });
    window.clearTimeout(loadTimer);
    loadTimer = window.setTimeout(function () { load(id); }, now ? 0 : 120);
    if (window.history.replaceState) {
      var url = new URL(window.location.href);
      url.searchParams.set("c", id);
      window.history.replaceState(null, "", url.toString());
    }
  }

  // An answered or closed conversation sinks in the list when it redraws; the keys then carry on from
  // where it was, so "j" after answering goes to the one that was next, not to the bottom.
  var anchor = null;
  function step(delta) {
    var list = rows();
    if (!list.length) return;
    var index = list.findIndex(function (row) { return row.dataset.id === selectedId(); });
    var next;
    if (anchor !== null) {
      next = list[Math.max(0, Math.min(list.length - 1, delta > 0 ? anchor : anchor - 1))];
    } else {
      next = list[Math.max(0, Math.min(list.length - 1, index + delta))] || list[0];
    }
    anchor = null;
    open(next.dataset.id);
  }

  var orderBefore = [];
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target.id === "inbox-list-inner") orderBefore = rows().map(function (row) { return row.dataset.id; });
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "inbox-list-inner" && !document.getElementById("inbox-list-inner").contains(event.detail.target)) return;
    var before = orderBefore.indexOf(selectedId());
    var now = rows().map(function (row) { return row.dataset.id; }).indexOf(selectedId());
    if (before >= 0 && now !== before) anchor = before;
  });

  function press(key) {
    var button = document.querySelector('#inbox-panes [data-key="' + key + '"]');
    if (button) { button.click(); return true; }
    return false;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-open]");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      open(link.dataset.open, true);
      return;
    }
    var insert = event.target.closest("[data-insert]");
    if (insert) insertText(insert.dataset.insert);
    if (event.target.closest("[data-shortcuts-open]")) document.getElementById("shortcuts").showModal();
  });

  function insertText(text) {
    var box = document.getElementById("reply-text");
    if (!box || !text) return;
    box.value = box.value ? box.value.replace(/\s*$/, "\n") + text : text;
    box.focus();
  }

  document.addEventListener("change", function (event) {
    var pick = event.target.closest("[data-insert-select]");
    if (pick && pick.value) {
      insertText(pick.selectedOptions[0].dataset.text);
      pick.value = "";
    }
    if (event.target.matches("[data-autosubmit-any]")) event.target.form.submit();
  });

  // Polling must not wipe a selection being made or a filter being typed.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail.elt;
    if (source && source.id === "inbox-list-inner") {
      var busy = source.querySelector("input[name=ids]:checked") || source.contains(document.activeElement);
      if (busy) event.preventDefault();
    }
  });
  document.body.addEventListener("htmx:afterSwap", markSelected);

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target.matches("input, textarea, select, [contenteditable]");
    if (typing) {
      if (event.key === "Escape") target.blur();
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.id === "reply-text") {
        event.preventDefault();
        var send = document.querySelector("#reply-form [data-send]");
        if (send) send.click();
        target.blur();  // so the keys move through the list again once it is sent
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var handled = true;
    switch (event.key) {
      case "j": case "ArrowDown": step(1); break;
      case "k": case "ArrowUp": step(-1); break;
      case "r": var box = document.getElementById("reply-text"); if (box) box.focus(); else handled = false; break;
      case "n": var note = document.getElementById("note-text"); if (note) note.focus(); else handled = false; break;
      case "/": var search = document.getElementById("inbox-search"); if (search) search.focus(); break;
      case "x":
        var row = document.getElementById("conv-" + selectedId());
        var tick = row && row.querySelector("input[name=ids]");
        if (tick) tick.checked = !tick.checked; else handled = false;
        break;
      case "?": document.getElementById("shortcuts").showModal(); break;
      default: handled = press(event.key);
    }
    if (handled) event.preventDefault();
  });
})();
