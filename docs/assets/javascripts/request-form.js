/* The hospital request form (docs/<lang>/request.md; markup from
 * docs/overrides/usine/request-form.html, words from the page: usine-forms.js).
 *
 * Posts the form as JSON to window.USINE.apiBaseUrl + "/requests" with an Idempotency-Key
 * made once per form fill, shows the reference and the tracking link on success in the
 * form's aria-live region, puts the API's per-field messages next to their fields (field
 * names are the API's dotted paths, e.g. "items.0.quantity"), and a general message when
 * the API cannot be reached.
 */
(function () {
  "use strict";
  var U = window.UsineForms;
  var MAX_ITEMS = 20;

  // "items.1.quantity" -> data.items[1].quantity
  function setPath(target, path, value) {
    var keys = path.split(".");
    for (var i = 0; i < keys.length - 1; i++) {
      var next = /^\d+$/.test(keys[i + 1]) ? [] : {};
      if (target[keys[i]] === undefined) target[keys[i]] = next;
      target = target[keys[i]];
    }
    target[keys[keys.length - 1]] = value;
  }

  function valueOf(el) {
    if (el.type === "checkbox") return el.checked;
    var text = el.value.trim();
    if (el.type === "number" && /^-?\d+$/.test(text)) return parseInt(text, 10);
    return text;
  }

  function collect(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) return;
      var value = valueOf(el);
      // Empty required answers are sent as "" so that the API names each missing field;
      // an optional one left empty is not sent.
      if (value === "" && !el.required) return;
      setPath(data, el.name, value);
    });
    if (data.items) data.items = data.items.filter(function (item) { return item; });
    return data;
  }

  U.init("request", function (form) {
    var items = form.querySelector(".usine-items");
    var addButton = form.querySelector(".usine-add-item");
    var submit = form.querySelector("[type=submit]");
    var status = form.querySelector(".usine-status");
    var say = U.messages(form);
    var template = items.querySelector(".usine-item").cloneNode(true);
    var idempotencyKey = U.newKey();

    var date = form.elements.namedItem("needed_by");
    if (date) date.min = U.todayIso();

    function renumber() {
      var rows = items.querySelectorAll(".usine-item");
      U.renumber(rows, "items", function (n) { return U.t("item", { n: n }); });
      addButton.hidden = rows.length >= MAX_ITEMS;
    }

    addButton.addEventListener("click", function () {
      var row = template.cloneNode(true);
      row.querySelectorAll("input, select").forEach(function (el) { el.value = ""; });
      items.appendChild(row);
      renumber();
      row.querySelector("select, input").focus();
    });

    items.addEventListener("click", function (event) {
      var button = event.target.closest(".usine-remove-item");
      if (!button) return;
      button.closest(".usine-item").remove();
      renumber();
      addButton.focus();
    });

    function showSuccess(reference, token) {
      status.textContent = "";
      var p = document.createElement("p");
      p.appendChild(document.createTextNode(U.t("success") + " "));
      var strong = document.createElement("strong");
      strong.className = "usine-reference";
      strong.textContent = reference;
      p.appendChild(strong);
      var help = document.createElement("p");
      help.textContent = U.t("success_help");
      status.appendChild(p);
      status.appendChild(help);
      if (token) {
        // The status page (docs/<lang>/status.md); the fragment never leaves the
        // browser, so the tracking code is in no server log.
        var track = document.createElement("p");
        var link = document.createElement("a");
        link.className = "usine-tracking-link";
        link.href = new URL("status.html", location.href).href.split("#")[0] +
          "#ref=" + encodeURIComponent(reference) + "&token=" + encodeURIComponent(token);
        link.textContent = link.href;
        track.appendChild(document.createTextNode(U.t("track_link") + " "));
        track.appendChild(link);
        status.appendChild(track);
      }
      form.reset();
      items.querySelectorAll(".usine-item").forEach(function (row, n) {
        if (n > 0) row.remove();
      });
      renumber();
      idempotencyKey = U.newKey();  // a new request from now on
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      say.clear();
      status.textContent = "";
      if (!U.apiConfigured()) {
        say.showGeneral([U.t("no_api"), say.contactLine()]);
        return;
      }
      // Answers left empty are named at once; every other rule is the API's to judge.
      var missing = say.checkRequired();
      if (Object.keys(missing).length) {
        say.showFields(missing);
        return;
      }
      submit.disabled = true;
      status.textContent = U.t("sending");
      U.call("POST", "/requests", { body: collect(form), idempotencyKey: idempotencyKey })
        .then(function (result) {
          status.textContent = "";
          var data = result.data;
          if (result.ok && data.reference) {
            showSuccess(data.reference, data.tracking_token);
          } else if (result.status === 400 && data.fields) {
            say.showFields(data.fields, data.message);
          } else {
            say.showGeneral([U.t("server", { status: result.status }), data.message, say.contactLine()]);
          }
        }, function () {
          status.textContent = "";
          say.showGeneral([U.t("network"), say.contactLine()]);
        }).then(function () {
          submit.disabled = false;
        });
    });

    renumber();
  });
})();
