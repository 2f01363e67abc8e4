/* Mentor Portal: passkeys (WebAuthn). Without this file, or in a browser without
   passkeys, the passkey buttons stay hidden and codes and passwords work as before.

   A form marked data-passkey="create" or data-passkey="get" asks the server for options
   (POST to data-options-url), lets the browser make or use a passkey, puts the answer in
   the form's hidden "passkey" field and submits the form as usual: the server checks it
   and answers with a page, like any other form. */
(function () {
  "use strict";

  if (!window.PublicKeyCredential || !navigator.credentials) { return; }

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) { return null; }
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withBytes(list) {
    return (list || []).map(function (item) {
      var copy = Object.assign({}, item);
      copy.id = toBytes(item.id);
      return copy;
    });
  }

  function creationOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.user = Object.assign({}, json.user, { id: toBytes(json.user.id) });
    options.excludeCredentials = withBytes(json.excludeCredentials);
    return { publicKey: options };
  }

  function requestOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.allowCredentials = withBytes(json.allowCredentials);
    return { publicKey: options };
  }

  function answerJSON(credential) {
    var response = credential.response;
    var answer = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toText(response.clientDataJSON) }
    };
    if (response.attestationObject) {
      answer.response.attestationObject = toText(response.attestationObject);
      answer.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      answer.response.authenticatorData = toText(response.authenticatorData);
      answer.response.signature = toText(response.signature);
      answer.response.userHandle = toText(response.userHandle);
    }
    return JSON.stringify(answer);
  }

  function say(form, text) {
    var status = form.querySelector("[data-passkey-status]");
    if (status) { status.textContent = text; status.hidden = !text; }
  }

  // The page gives the words in its language (data-say-*); English when it does not.
  function words(form, key, english) {
    return form.getAttribute("data-say-" + key) || english;
  }

  function start(form, button) {
    var mode = form.getAttribute("data-passkey");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var name = form.querySelector("input[name=name]");
    if (mode === "create" && name && !name.value.trim()) {
      say(form, words(form, "name", "Give the passkey a name first, for example the device it is on."));
      name.focus();
      return;
    }
    button.disabled = true;
    say(form, "");
    fetch(form.getAttribute("data-options-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", "Accept": "application/json" },
      // Where to come back to if the server first asks the person to confirm it is them.
      body: new URLSearchParams({ back: window.location.pathname })
    }).then(function (response) {
      if (response.redirected) { window.location.assign(response.url); throw null; }
      if (!response.ok) { throw new Error("options"); }
      return response.json();
    }).then(function (json) {
      return mode === "create"
        ? navigator.credentials.create(creationOptions(json))
        : navigator.credentials.get(requestOptions(json));
    }).then(function (credential) {
      form.querySelector("input[name=passkey]").value = answerJSON(credential);
      form.submit();
    }).catch(function (error) {
      button.disabled = false;
      if (error === null) { return; }
      if (error && error.name === "NotAllowedError") {
        say(form, words(form, "cancelled", "The passkey was not used (cancelled or timed out). You can try again."));
      } else if (error && error.name === "InvalidStateError") {
        say(form, words(form, "exists", "This device already has a passkey for your account."));
      } else {
        say(form, words(form, "failed", "Passkeys did not work in this browser just now. Please try again."));
      }
    });
  }

  document.querySelectorAll("[data-passkey]").forEach(function (form) {
    var box = form.closest("[data-passkey-box]") || form;
    box.hidden = false;
    var button = form.querySelector("[data-passkey-button]");
    form.addEventListener("submit", function (event) {
      if (form.querySelector("input[name=passkey]").value) { return; }
      event.preventDefault();
      start(form, button);
    });
  });
  document.querySelectorAll("[data-passkey-without-js]").forEach(function (note) {
    note.hidden = true;
  });
})();
