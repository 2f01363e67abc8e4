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
      // An entry kept on this phone holds the changes instead, encrypted.
      if (form.hasAttribute("data-offline-pending") && form._keepChanges) { form._keepChanges(); return; }
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

  // --- Entries saved on this phone while offline (issue 16, item 5) -------------------
  // Save with no connection: the entry is kept in this browser, encrypted (AES-GCM) under
  // the key that only this mentor's pages carry, in storage named by their scope; it is sent
  // (same idempotency key, so at most one entry) on the next "online" event or mentor page.
  // No service worker: no page is cached for offline use.
  var OFFLINE_PREFIX = "mentor-portal-offline:";
  var OFFLINE_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

  function offlineConfig() {
    var meta = document.querySelector("meta[name='offline-entries']");
    var store = storage();
    if (!meta || !store || !window.fetch || !window.crypto || !window.crypto.subtle || !window.TextEncoder) {
      return null;
    }
    if (!offlineConfig.cached) {
      offlineConfig.cached = {
        store: store,
        meta: meta,
        scope: meta.getAttribute("content"),
        rawKey: meta.getAttribute("data-key"),
        sendTo: meta.getAttribute("data-send-to"),
        signIn: meta.getAttribute("data-sign-in"),
        prefix: OFFLINE_PREFIX + meta.getAttribute("content") + ":",
        status: document.querySelector("[data-offline-status]")
      };
    }
    return offlineConfig.cached;
  }

  function toBase64(bytes) {
    var text = "";
    for (var i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
    return btoa(text);
  }

  function fromBase64(text) {
    text = text.replace(/-/g, "+").replace(/_/g, "/");
    while (text.length % 4) { text += "="; }
    var raw = atob(text);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function cryptoKey(cfg) {
    if (!cfg.key) {
      cfg.key = window.crypto.subtle.importKey(
        "raw", fromBase64(cfg.rawKey), { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
    }
    return cfg.key;
  }

  function seal(cfg, payload) {
    var iv = window.crypto.getRandomValues(new Uint8Array(12));
    var plain = new TextEncoder().encode(JSON.stringify(payload));
    return cryptoKey(cfg).then(function (key) {
      return window.crypto.subtle.encrypt(
        { name: "AES-GCM", iv: iv, additionalData: new TextEncoder().encode(cfg.scope) }, key, plain);
    }).then(function (sealed) {
      return { iv: toBase64(iv), ct: toBase64(new Uint8Array(sealed)) };
    });
  }

  function unseal(cfg, record) {
    return cryptoKey(cfg).then(function (key) {
      return window.crypto.subtle.decrypt(
        { name: "AES-GCM", iv: fromBase64(record.iv), additionalData: new TextEncoder().encode(cfg.scope) },
        key, fromBase64(record.ct));
    }).then(function (plain) {
      return JSON.parse(new TextDecoder().decode(plain));
    });
  }

  function readRecord(cfg, name) {
    try { return JSON.parse(cfg.store.getItem(name) || "null"); } catch (e) { return null; }
  }

  function offlineNames(store, prefix) {
    var names = [];
    for (var i = 0; i < store.length; i++) {
      var name = store.key(i);
      if (name && name.indexOf(prefix) === 0) { names.push(name); }
    }
    return names;
  }

  function formToken(form) {
    var field = form && form.querySelector("input[name=submission_token]");
    return field ? field.value : "";
  }

  // Keep the form as an encrypted entry under its idempotency key (never in plain text:
  // the plain draft of this form is removed).
  function keepEntry(cfg, form, rejected) {
    var token = formToken(form);
    if (!token) { return Promise.reject(new Error("no idempotency key")); }
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") { fields.push([name, value]); }
    });
    return seal(cfg, { path: cfg.sendTo, fields: fields }).then(function (sealed) {
      cfg.store.setItem(cfg.prefix + token, JSON.stringify({
        v: 1, savedAt: Date.now(), rejected: !!rejected, iv: sealed.iv, ct: sealed.ct
      }));
      return token;
    });
  }

  // From now on the encrypted entry is the only copy on this phone: no plain draft.
  function onlyKept(cfg, form) {
    var draftKey = form.getAttribute("data-draft-key");
    if (draftKey) { cfg.store.removeItem(DRAFT_PREFIX + draftKey); }
    form.setAttribute("data-offline-pending", "");
  }

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // What the portal did with a sent entry: "sent" (the page of the saved entry, for this
  // idempotency key), "signin", "stale" (CSRF), "later" (busy or broken), or "rejected"
  // (the form came back with errors, or any other page).
  function sendEntry(cfg, token, payload) {
    var body = new URLSearchParams();
    payload.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.set("csrfmiddlewaretoken", csrfToken());
    return window.fetch(payload.path, {
      method: "POST", body: body, credentials: "same-origin", redirect: "follow",
      // The portal answers 401 to this post when the sign-in has ended, keeping nothing.
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Offline-Entry": "1" }
    }).then(function (response) {
      var url = new URL(response.url || payload.path, window.location.href);
      if (response.status === 401 || (url.origin === window.location.origin && url.pathname.indexOf(cfg.signIn) === 0)) {
        return { outcome: "signin" };
      }
      if (response.status === 403) { return { outcome: "stale" }; }
      if (response.status === 429 || response.status >= 500) { return { outcome: "later" }; }
      return response.text().then(function (html) {
        if (response.ok && html.indexOf('data-clear-offline="' + token + '"') !== -1) {
          return { outcome: "sent", url: url.pathname + url.search, entry: url.pathname };
        }
        return { outcome: "rejected" };
      });
    }, function () {
      return { outcome: "offline" };
    });
  }

  // The notice at the top of the page (a role=status region), in plain words.
  function say(cfg, kind, parts, focus) {
    var region = cfg.status;
    if (!region) { return; }
    region.textContent = "";
    var box = document.createElement("div");
    box.className = "notice notice--" + kind;
    parts.forEach(function (part) {
      var p = document.createElement("p");
      if (typeof part === "string") {
        p.textContent = part;
      } else if (part.strong) {
        var strong = document.createElement("strong");
        strong.textContent = part.strong;
        p.appendChild(strong);
      } else if (part.href) {
        var link = document.createElement("a");
        link.href = part.href;
        link.textContent = part.text;
        p.appendChild(link);
      } else if (part.buttons) {
        p.className = "offline-status__actions";
        part.buttons.forEach(function (b) {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "button " + (b.primary ? "button--primary" : "button--secondary");
          button.textContent = b.text;
          button.addEventListener("click", b.click);
          p.appendChild(button);
          p.appendChild(document.createTextNode(" "));
        });
      }
      box.appendChild(p);
    });
    region.appendChild(box);
    if (focus) {
      region.scrollIntoView({ block: "start" });
      region.focus({ preventScroll: true });
    }
  }

  // The words come from the page, in its language (templates/includes/offline_entries.html:
  // data-say-<name> on the meta tag); English when the page has none.
  var WORDS = {
    "not-sent": "Saved on this phone, not sent yet",
    "keep-signed-in": "Do not sign out before it is sent: signing out deletes it from this phone.",
    "why-offline": "It will be sent when you are back online. Keep this page or come back to it.",
    "why-signin": "Your sign-in has ended. Sign in again and it will be sent.",
    "why-stale": "This page is out of date. Reload the page and it will be sent.",
    "why-later": "The portal could not take it just now. It will be sent again when you open a page of the portal.",
    "sign-in": "Sign in",
    "rejected": "The entry saved on this phone was not accepted.",
    "rejected-open": "It is still on this phone. Open it to see what to change, then save it.",
    "open-it": "Open it",
    "delete-it": "Delete it from this phone",
    "deleted": "The entry is deleted from this phone.",
    "sent": "Sent: the entry saved on this phone is now in the portal.",
    "see-entry": "See the entry",
    "unreadable": "An entry saved on this phone could not be opened.",
    "unreadable-why": "It was saved before your password changed, so it is deleted from this phone. Please log that session again.",
    "rejected-here": "Change what is marked below, then save it. Until then it stays on this phone."
  };

  function words(cfg, name) {
    return (cfg.meta && cfg.meta.getAttribute("data-say-" + name)) || WORDS[name];
  }

  function sayKept(cfg, outcome, focus) {
    var known = { offline: 1, signin: 1, stale: 1, later: 1 };
    var why = words(cfg, "why-" + (known[outcome] ? outcome : "offline"));
    var parts = [{ strong: words(cfg, "not-sent") }, why, words(cfg, "keep-signed-in")];
    if (outcome === "signin") { parts.push({ href: cfg.signIn + "?next=" + encodeURIComponent(window.location.pathname), text: words(cfg, "sign-in") }); }
    say(cfg, "info", parts, focus);
  }

  // Show the entry the portal refused as the form with the portal's own errors: a real
  // post of what was kept, so the mentor sees what to change and saves it from there.
  function openRejected(cfg, payload) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = payload.path;
    form.hidden = true;
    payload.fields.concat([["csrfmiddlewaretoken", csrfToken()]]).forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    HTMLFormElement.prototype.submit.call(form);
  }

  function sayRejected(cfg, name, payload) {
    say(cfg, "error", [
      { strong: words(cfg, "rejected") },
      words(cfg, "rejected-open"),
      { buttons: [
        { text: words(cfg, "open-it"), primary: true, click: function () { openRejected(cfg, payload); } },
        { text: words(cfg, "delete-it"), click: function () {
          cfg.store.removeItem(name);
          say(cfg, "info", [words(cfg, "deleted")], true);
        } }
      ] }
    ], false);
  }

  var sending = false;

  // Send every entry of this mentor kept on this phone, one after the other.
  function sendKept() {
    var cfg = offlineConfig();
    if (!cfg || sending || !navigator.onLine) { return Promise.resolve(); }
    var names = offlineNames(cfg.store, cfg.prefix);
    if (!names.length) { return Promise.resolve(); }
    sending = true;
    var form = document.querySelector("form.session-form[data-offline]");
    var here = formToken(form);
    var next = function (i) {
      if (i >= names.length) { return Promise.resolve(); }
      var name = names[i];
      var token = name.slice(cfg.prefix.length);
      var record = readRecord(cfg, name);
      if (!record || !record.iv || !(Date.now() - record.savedAt <= OFFLINE_MAX_AGE_MS)) {
        cfg.store.removeItem(name);
        return next(i + 1);
      }
      return unseal(cfg, record).then(function (payload) {
        if (record.rejected) {
          // Being fixed on this page, or waiting for the mentor to open it.
          if (token !== here) { sayRejected(cfg, name, payload); }
          return next(i + 1);
        }
        return sendEntry(cfg, token, payload).then(function (result) {
          if (result.outcome === "sent") {
            cfg.store.removeItem(name);
            // Its own form: on to the page of the saved entry, as after any Save.
            if (token === here) { window.location.assign(result.url); return null; }
            say(cfg, "success", [
              { strong: words(cfg, "sent") },
              { href: result.entry, text: words(cfg, "see-entry") }
            ], false);
            return next(i + 1);
          }
          if (result.outcome === "rejected") {
            record.rejected = true;
            cfg.store.setItem(name, JSON.stringify(record));
            if (token !== here) { sayRejected(cfg, name, payload); } else { openRejected(cfg, payload); }
            return next(i + 1);
          }
          sayKept(cfg, result.outcome, token === here);
          return null;  // still offline or signed out: the rest waits too
        });
      }, function () {
        // Sealed under another key (the password changed since): it cannot be read.
        cfg.store.removeItem(name);
        say(cfg, "error", [
          { strong: words(cfg, "unreadable") },
          words(cfg, "unreadable-why")
        ], false);
        return next(i + 1);
      });
    };
    return next(0).then(function () { sending = false; }, function () { sending = false; });
  }

  // Save on the form for a new entry: kept on this phone first, then sent; with no
  // connection it stays there and the page says so. Without WebCrypto the form posts as usual.
  function offlineSave(form) {
    var cfg = offlineConfig();
    if (!cfg || !formToken(form)) { return; }
    var kept = readRecord(cfg, cfg.prefix + formToken(form));
    if (kept) {
      form.setAttribute("data-offline-pending", "");
      if (kept.rejected) {
        say(cfg, "error", [
          { strong: words(cfg, "rejected") },
          words(cfg, "rejected-here")
        ], false);
      }
    }
    // While an entry is kept, what the mentor changes is kept with it, encrypted.
    form._keepChanges = function () {
      var record = readRecord(cfg, cfg.prefix + formToken(form));
      keepEntry(cfg, form, record && record.rejected).catch(function () {});
    };
    form.addEventListener("submit", function (event) {
      if (form._posting) { return; }
      event.preventDefault();
      if (form._saving) { return; }  // a second tap while the first is on its way
      var token = formToken(form);
      // Kept offline before this Save: from here on it is never dropped unsaved.
      var wasKept = form.hasAttribute("data-offline-pending");
      var post = function () { form._posting = true; HTMLFormElement.prototype.submit.call(form); };
      var done = function () { form._saving = false; };
      form._saving = true;
      keepEntry(cfg, form, false).then(function () {
        if (!navigator.onLine) {
          done();
          onlyKept(cfg, form);
          sayKept(cfg, "offline", true);
          return;
        }
        return unseal(cfg, readRecord(cfg, cfg.prefix + token)).then(function (payload) {
          return sendEntry(cfg, token, payload);
        }).then(function (result) {
          done();
          if (result.outcome === "sent") {
            cfg.store.removeItem(cfg.prefix + token);
            window.location.assign(result.url);
          } else if (wasKept && result.outcome === "rejected") {
            // Refused again: it stays on this phone, and the form shows the portal's errors.
            return keepEntry(cfg, form, true).then(post);
          } else if (wasKept && result.outcome === "signin") {
            sayKept(cfg, "signin", true);
          } else if (result.outcome === "rejected" || result.outcome === "signin") {
            // The portal's own page: the form with its errors, or the sign-in page that
            // keeps what was typed for after the sign-in (as without JavaScript); the plain
            // draft keeps the text meanwhile.
            cfg.store.removeItem(cfg.prefix + token);
            form.removeAttribute("data-offline-pending");
            post();
          } else {
            onlyKept(cfg, form);
            sayKept(cfg, result.outcome, true);
          }
        });
      }).catch(function () {
        done();
        post();
      });
    });
  }

  function clearSentOffline() {
    var cfg = offlineConfig();
    if (!cfg) { return; }
    document.querySelectorAll("[data-clear-offline]").forEach(function (el) {
      cfg.store.removeItem(cfg.prefix + el.getAttribute("data-clear-offline"));
    });
  }

  // Entries of any account older than 30 days leave the device, read or not.
  function dropOldOffline() {
    var store = storage();
    if (!store) { return; }
    offlineNames(store, OFFLINE_PREFIX).forEach(function (name) {
      var record = null;
      try { record = JSON.parse(store.getItem(name) || "null"); } catch (e) { record = null; }
      var age = record && typeof record.savedAt === "number" ? Date.now() - record.savedAt : Infinity;
      if (!(age <= OFFLINE_MAX_AGE_MS)) { store.removeItem(name); }
    });
  }

  // Signing out on purpose leaves no notes about a child behind on the device: every
  // draft, and this mentor's entries kept offline (another account's stay, unreadable here).
  function clearDraftsOnSignOut() {
    var store = storage();
    document.querySelectorAll("form[data-sign-out]").forEach(function (form) {
      form.addEventListener("submit", function () {
        if (!store) { return; }
        draftKeys(store).forEach(function (key) { store.removeItem(key); });
        var cfg = offlineConfig();
        if (cfg) { offlineNames(store, cfg.prefix).forEach(function (name) { store.removeItem(name); }); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    dropOldDrafts();
    dropOldOffline();
    clearSavedDrafts();
    clearSentOffline();
    clearDraftsOnSignOut();
    document.querySelectorAll("form.session-form").forEach(function (form) {
      if (form.hasAttribute("data-offline")) { offlineSave(form); }
      drafts(form);
      matchContacts(form);
      absenceSetsZeroHours(form);
    });
    conditionalReveal();
    notesCounter();
    errorSummaryLinks();
    focusErrorSummary();
    sendKept();
    window.addEventListener("online", sendKept);
  });
})();
