// socialdesk: the little behaviour the pages need beyond htmx. No framework, nothing fetched from elsewhere.
(function () {
  "use strict";

  function csrfToken() {
    // The layout puts the session's token in <body hx-headers>, for htmx; plain fetches read it there too.
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch (e) {
      return "";
    }
  }

  // Forms and buttons that ask first ----------------------------------------------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var question = (submitter && submitter.dataset.confirmClick) || form.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("select[data-autosubmit]") && el.value) {
      el.form.submit();
    }
  });

  document.addEventListener("click", function (event) {
    var back = event.target.closest("[data-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
    var pick = event.target.closest("[data-pick-pillar]");
    if (pick) {
      var select = document.querySelector("select[data-pillar-select]");
      if (select) select.value = pick.dataset.pickPillar;
    }
    var add = event.target.closest("[data-add-slot]");
    if (add) {
      var input = document.createElement("input");
      input.type = "time";
      input.name = add.dataset.addSlot;
      add.parentNode.insertBefore(input, add);
      input.focus();
    }
  });

  // Composer: show a channel's variant box only while the channel is ticked; queue and repeat toggles --
  function syncComposer(form) {
    form.querySelectorAll("[data-channel-toggle]").forEach(function (box) {
      var variant = form.querySelector('[data-variant="' + box.value + '"]');
      if (variant) variant.hidden = !box.checked;
    });
    var queue = form.querySelector("[data-use-queue]");
    if (queue) {
      form.querySelectorAll("[data-when]").forEach(function (input) {
        if (input.name !== "timezone") input.disabled = queue.checked;
      });
    }
    var repeat = form.querySelector("[data-repeat]");
    var count = form.querySelector("[data-repeat-count]");
    if (repeat && count) count.hidden = repeat.value === "none" || repeat.value === "custom";
  }

  function initComposer() {
    var form = document.getElementById("composer");
    if (!form) return;
    syncComposer(form);
    form.addEventListener("change", function () { syncComposer(form); });
    // A file uploaded from the composer arrives ticked in a new picker: check the post again with it.
    // (A response header event would fire on the upload input, which the swap has just removed.)
    document.body.addEventListener("htmx:afterSettle", function (event) {
      if (event.detail.target && event.detail.target.id === "media-picker") {
        form.dispatchEvent(new CustomEvent("recheck"));
      }
      // A file fitted to a network from the check panel (studio): check again, now with the fitted copy.
      if (event.detail.target && event.detail.target.classList.contains("fit-offer")) {
        form.dispatchEvent(new CustomEvent("recheck"));
      }
    });
  }

  // Calendar: drag a post to another day (month) or day and hour (week) -----------------------------
  function showCalendarError(text) {
    var box = document.getElementById("cal-message");
    if (!box) return window.alert(text);
    box.textContent = text;
    box.hidden = false;
    box.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  function initCalendar(grid) {
    var urlTemplate = grid.dataset.moveUrl;
    var dragged = null;
    var origin = null;

    grid.addEventListener("dragstart", function (event) {
      var entry = event.target.closest("[data-post]");
      if (!entry) return;
      dragged = entry;
      origin = entry.parentNode;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", entry.dataset.post);
      entry.classList.add("dragging");
    });

    grid.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("dragging");
      grid.querySelectorAll(".drop-here").forEach(function (cell) { cell.classList.remove("drop-here"); });
    });

    grid.addEventListener("dragover", function (event) {
      var cell = event.target.closest("[data-drop]");
      if (!cell || !dragged) return;
      event.preventDefault();  // allows the drop
      event.dataTransfer.dropEffect = "move";
      grid.querySelectorAll(".drop-here").forEach(function (c) { if (c !== cell) c.classList.remove("drop-here"); });
      cell.classList.add("drop-here");
    });

    grid.addEventListener("drop", function (event) {
      var cell = event.target.closest("[data-drop]");
      if (!cell || !dragged) return;
      event.preventDefault();
      var entry = dragged;
      var minutes = (entry.dataset.time || "09:00").split(":")[1];
      // Week view: the hour of the row, keeping the minutes; month view: the same time on another day.
      var time = cell.dataset.hour !== undefined ? String(cell.dataset.hour).padStart(2, "0") + ":" + minutes
                                                 : entry.dataset.time;
      cell.appendChild(entry);  // optimistic; put back if the server says no
      entry.classList.add("saving");
      fetch(urlTemplate.replace("__POST__", encodeURIComponent(entry.dataset.post)), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrfToken(), "Accept": "application/json",
                   "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ date: cell.dataset.date, time: time }).toString()
      }).then(function (response) {
        if (response.ok) {
          window.location.reload();
          return;
        }
        return response.json().catch(function () { return { message: response.statusText }; }).then(function (data) {
          origin.appendChild(entry);
          entry.classList.remove("saving");
          showCalendarError(data.message || "The post could not be moved.");
        });
      }).catch(function () {
        origin.appendChild(entry);
        entry.classList.remove("saving");
        showCalendarError("The server could not be reached; the post was not moved.");
      });
    });
  }

  function initCalendars() {
    document.querySelectorAll("[data-move-url]").forEach(initCalendar);
    // The week opens at the hour the page names (the working day, or an earlier first post), not at midnight.
    document.querySelectorAll("[data-scroll-to]").forEach(function (grid) {
      var row = grid.querySelector('.cal-hour[data-hour="' + grid.dataset.scrollTo + '"]');
      var head = grid.querySelector(".cal-head");
      if (row) grid.scrollTop = row.offsetTop - (head ? head.offsetHeight : 0);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initComposer();
    initCalendars();
  });
})();

// Writing checks in the composer: a suggestion replaces the underlined text in place (when the text there is
// still what was checked), "Ignore" hides that problem until the page is left; both run the check again.
(function () {
  "use strict";

  function composerOf(element) { return element.closest("form#composer"); }

  function recheck(form) { if (window.htmx) window.htmx.trigger(form, "recheck"); }

  document.addEventListener("click", function (event) {
    var fix = event.target.closest("[data-fix]");
    var ignore = event.target.closest("[data-ignore]");
    if (!fix && !ignore) return;
    var form = composerOf(fix || ignore);
    if (!form) return;
    if (fix) {
      var area = form.querySelector("textarea#text");
      var start = parseInt(fix.dataset.offset, 10);
      var end = start + parseInt(fix.dataset.length, 10);
      // Offsets count code points; JavaScript strings count UTF-16 units: convert through Array.from.
      var chars = Array.from(area.value);
      var replacement = fix.dataset.replacement;
      if (fix.hasAttribute("data-append")) {
        area.value = area.value.replace(/\s*$/, "") + " " + replacement;
      } else if (chars.slice(start, end).join("") === fix.dataset.original) {
        area.value = chars.slice(0, start).join("") + replacement + chars.slice(end).join("");
        var caret = Array.from(chars.slice(0, start).join("") + replacement).join("").length;
        area.setSelectionRange(caret, caret);
      }
      area.dispatchEvent(new Event("input", { bubbles: true }));
      area.focus();
      return;
    }
    var hidden = form.querySelector("[data-writing-ignore]");
    var list = hidden.value ? hidden.value.split("\n") : [];
    list.push(ignore.dataset.ignore);
    hidden.value = list.join("\n");
    recheck(form);
  });

  // Composer: active working time, saved with the post as posting effort (docs/strategy.md). A second
  // counts while the tab is visible and there was a key press, click or scroll in the last 60 seconds.
  var worked = document.querySelector("[data-work-seconds]");
  if (worked) {
    var lastActive = Date.now();
    var seconds = 0;
    ["keydown", "mousedown", "scroll", "input", "touchstart"].forEach(function (name) {
      document.addEventListener(name, function () { lastActive = Date.now(); }, { passive: true, capture: true });
    });
    window.setInterval(function () {
      if (document.visibilityState === "visible" && Date.now() - lastActive < 60000) {
        seconds += 1;
        worked.value = String(seconds);
      }
    }, 1000);
  }
})();
