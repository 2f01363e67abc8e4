/* Mentor Portal: small enhancements. Every page works without this file. */
(function () {
  "use strict";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  var DRAFT_PREFIX = "mentor-portal-draft:";
  // A draft no one came back to within a week is forgotten: notes about a child do not
  // stay on a device for longer than they are useful.
  var DRAFT_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

  function draftKeys(store) {
    var keys = [];
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(DRAFT_PREFIX) === 0) { keys.push(key); }
    }
    return keys;
  }

  function dropOldDrafts() {
    var store = storage();
    if (!store) { return; }
    draftKeys(store).forEach(function (key) {
      var saved = null;
      try { saved = JSON.parse(store.getItem(key) || "null"); } catch (e) { saved = null; }
      var age = saved && typeof saved.savedAt === "number" ? Date.now() - saved.savedAt : Infinity;
      if (!(age <= DRAFT_MAX_AGE_MS)) { store.removeItem(key); }
    });
  }

  // Move focus to the error summary so screen reader users hear what went wrong.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  }

  // A link of the error summary goes to its question: the label (or legend) in view at the
  // top, the answer focused. Without this the browser still jumps to the field itself.
  function errorSummaryLinks() {
    document.querySelectorAll("[data-error-summary] a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) { return; }
        var details = target.closest("details");
        if (details) { details.open = true; }
        var input = target;
        if (!/^(INPUT|SELECT|TEXTAREA|SUMMARY)$/.test(target.tagName)) {
          input = target.querySelector("input:checked") || target.querySelector("input, select, textarea, summary") || target;
        }
        var label = input.id ? document.querySelector("label[for='" + input.id + "']") : null;
        var fieldset = input.closest("fieldset");
        if (fieldset && (input.type === "radio" || input.type === "checkbox" || target === fieldset)) {
          label = fieldset.querySelector("legend") || label;
        }
        event.preventDefault();
        var top = (label || target).getBoundingClientRect().top + window.pageYOffset - 16;
        window.scrollTo(0, Math.max(0, top));
        if (input.focus) { input.focus({ preventScroll: true }); }
        if (window.history && history.replaceState) { history.replaceState(null, "", link.getAttribute("href")); }
      });
    });
  }

  // Show the concern description only when the box is ticked (it is always shown without JS).
  function conditionalReveal() {
    document.querySelectorAll("[data-shown-by]").forEach(function (panel) {
      var box = document.getElementById(panel.getAttribute("data-shown-by"));
      if (!box) { return; }
      var sync = function () {
        panel.hidden = !box.checked;
        box.setAttribute("aria-expanded", box.checked ? "true" : "false");
      };
      box.addEventListener("change", sync);
      sync();
    });
  }

  // Show only the site contact of the chosen match when a mentor has several.
  function matchContacts(form) {
    var select = form.querySelector("select[name=match]");
    if (!select) { return; }
    var sync = function () {
      form.querySelectorAll("[data-match-contact]").forEach(function (card) {
        card.hidden = card.getAttribute("data-match-contact") !== select.value;
      });
    };
    select.addEventListener("change", sync);
    sync();
  }

  // An absence or cancellation is 0 hours (the server enforces it too); back to "We met",
  // the hours set here are a choice to make again, never a 0.00 left behind.
  function absenceSetsZeroHours(form) {
    var hours = form.querySelector("select[name=hours]");
    var choices = form.querySelectorAll("input[name=attendance]");
    if (!hours || !choices.length) { return; }
    var setByUs = false;
    var sync = function () {
      var chosen = form.querySelector("input[name=attendance]:checked");
      if (!chosen) { return; }
      if (chosen.value !== "met") {
        if (hours.value !== "0.00") { hours.value = "0.00"; setByUs = true; }
      } else if (setByUs || hours.value === "0.00") {
        hours.value = "";
        setByUs = false;
      }
    };
    Array.prototype.forEach.call(choices, function (radio) {
      radio.addEventListener("change", sync);
    });
    hours.addEventListener("change", function () { setByUs = false; });
  }

  // Open a closed part of the form (the needs) when a box in it is ticked: a draft brought
  // back must show what it ticks.
  function openTicked(form) {
    form.querySelectorAll("details").forEach(function (details) {
      if (details.querySelector("input[type=checkbox]:checked")) { details.open = true; }
    });
  }

  function notesCounter() {
    document.querySelectorAll("[data-counter-for]").forEach(function (counter) {
      var field = document.getElementById(counter.getAttribute("data-counter-for"));
      var max = parseInt(counter.getAttribute("data-max"), 10);
      if (!field) { return; }
      // The words come from the page, in its language (data-left, data-over: "{n} ...").
      var lang = document.documentElement.lang || undefined;
      var leftWords = counter.getAttribute("data-left") || "{n} characters left";
      var overWords = counter.getAttribute("data-over") || "{n} characters too many";
      var update = function () {
        var left = max - field.value.length;
        counter.textContent = left >= 0
          ? leftWords.replace("{n}", left.toLocaleString(lang))
          : overWords.replace("{n}", (-left).toLocaleString(lang));
      };
      field.addEventListener("input", update);
      update();
    });
  }

  // Keep what the mentor types in this browser until the entry is saved, so a dropped
  // connection or an expired sign-in never loses their notes. Keys carry the user's id,
  // so the next person on a shared device never sees them.
  function drafts(form) {
    var store = storage();
    var key = form.getAttribute("data-draft-key");
    if (!store || !key) { return; }
    key = DRAFT_PREFIX + key;
    var skip = { csrfmiddlewaretoken: true, submission_token: true };
    var save = function () {
      var data = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || skip[el.name] || el.type === "hidden" || el.readOnly) { return; }
        if (el.type === "checkbox") {
          data[el.name + "=" + el.value] = el.checked;
        } else if (el.type === "radio") {
          if (el.checked) { data[el.name] = el.value; }
        } else {
          data[el.name] = el.value;
        }
      });
      store.setItem(key, JSON.stringify({ savedAt: Date.now(), data: data }));
    };
    var saved = null;
    try { saved = JSON.parse(store.getItem(key) || "null"); } catch (e) { saved = null; }
    var notes = form.querySelector("textarea[name=notes]");
    var notice = document.querySelector("[data-draft-notice]");
    var fresh = !form.hasAttribute("data-bound");
    if (saved && saved.data && fresh && notes && saved.data.notes && saved.data.notes !== notes.value) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || skip[el.name] || el.type === "hidden" || el.readOnly) { return; }
        if (el.type === "checkbox") {
          var k = el.name + "=" + el.value;
          if (k in saved.data) { el.checked = saved.data[k]; el.dispatchEvent(new Event("change")); }
        } else if (el.type === "radio") {
          if (el.name in saved.data && saved.data[el.name] === el.value) {
            el.checked = true;
            el.dispatchEvent(new Event("change"));
          }
        } else if (el.name in saved.data) {
          el.value = saved.data[el.name];
          el.dispatchEvent(new Event("change"));
        }
      });
      openTicked(form);
      if (notice) {
        notice.hidden = false;
        var discard = notice.querySelector("[data-draft-discard]");
        if (discard) {
          discard.addEventListener("click", function () {
            store.removeItem(key);
            window.location.reload();
          });
        }
      }
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
  }

  function clearSavedDrafts() {
    var store = storage();
    document.querySelectorAll("[data-clear-draft]").forEach(function (el) {
      if (store) { store.removeItem(DRAFT_PREFIX + el.getAttribute("data-clear-draft")); }
    });
  }

  // Signing out on purpose leaves no notes about a child behind on the device.
  function clearDraftsOnSignOut() {
    var store = storage();
    document.querySelectorAll("form[data-sign-out]").forEach(function (form) {
      form.addEventListener("submit", function () {
        if (!store) { return; }
        draftKeys(store).forEach(function (key) { store.removeItem(key); });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    dropOldDrafts();
    clearSavedDrafts();
    clearDraftsOnSignOut();
    document.querySelectorAll("form.session-form").forEach(function (form) {
      drafts(form);
      matchContacts(form);
      absenceSetsZeroHours(form);
    });
    conditionalReveal();
    notesCounter();
    errorSummaryLinks();
    focusErrorSummary();
  });
})();
