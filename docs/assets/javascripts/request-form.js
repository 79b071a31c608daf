/* The hospital request form (docs/<lang>/request.md; HTML from scripts/site_content.py).
 *
 * Posts the form as JSON to window.USINE.apiBaseUrl + "/requests" (assets/hub-config.js,
 * generated per build), shows the reference on success in the form's aria-live region,
 * puts the API's per-field messages next to their fields (field names are the API's
 * dotted paths, e.g. "items.0.quantity"), and a general message when the API cannot be
 * reached. Plain JS, no framework, no third-party request.
 */
(function () {
  "use strict";

  var MESSAGES = {
    en: {
      sending: "Sending your request…",
      success: "Request received. Your reference:",
      successHelp: "Keep this reference to follow up on your request.",
      trackLink: "Follow your request with this link (keep it: it is shown only once):",
      invalid: "Some answers need correcting: see the messages next to the fields.",
      network: "The request service cannot be reached. Check your connection and try again.",
      server: "The request service could not handle the request (error {status}). Try again later.",
      contact: "You can also write to {email}.",
      noApi: "This copy of the site has no request service configured.",
      item: "Part {n}"
    },
    fr: {
      sending: "Envoi de votre demande…",
      success: "Demande reçue. Votre référence :",
      successHelp: "Conservez cette référence pour suivre votre demande.",
      trackLink: "Suivez votre demande avec ce lien (gardez-le : il n'est affiché qu'une fois) :",
      invalid: "Certaines réponses sont à corriger : voyez les messages à côté des champs.",
      network: "Le service des demandes est injoignable. Vérifiez votre connexion et réessayez.",
      server: "Le service des demandes n'a pas pu traiter la demande (erreur {status}). Réessayez plus tard.",
      contact: "Vous pouvez aussi écrire à {email}.",
      noApi: "Cette copie du site n'a pas de service de demandes configuré.",
      item: "Pièce {n}"
    },
    ar: {
      sending: "جارٍ إرسال طلبكم…",
      success: "تم استلام الطلب. رقمكم المرجعي:",
      successHelp: "احتفظوا بهذا الرقم المرجعي لمتابعة طلبكم.",
      trackLink: "تابعوا طلبكم بهذا الرابط (احتفظوا به: لن يُعرض إلا مرة واحدة):",
      invalid: "بعض الإجابات تحتاج إلى تصحيح: انظروا الرسائل بجانب الحقول.",
      network: "تعذّر الوصول إلى خدمة الطلبات. تحققوا من الاتصال وحاولوا مجدداً.",
      server: "لم تتمكن خدمة الطلبات من معالجة الطلب (خطأ {status}). حاولوا لاحقاً.",
      contact: "يمكنكم أيضاً مراسلة {email}.",
      noApi: "لم تُضبط خدمة الطلبات في هذه النسخة من الموقع.",
      item: "القطعة {n}"
    }
  };
  var MAX_ITEMS = 20;

  var config = window.USINE || {};
  var lang = config.lang || document.documentElement.lang || "en";
  var M = Object.assign({}, MESSAGES.en, MESSAGES[lang] || MESSAGES[lang.split("-")[0]] || {});

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }

  function todayIso() {
    var d = new Date();
    d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
    return d.toISOString().slice(0, 10);
  }

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
      // Empty answers are sent as "" so that the API names each missing field.
      setPath(data, el.name, valueOf(el));
    });
    if (data.items) data.items = data.items.filter(function (item) { return item; });
    return data;
  }

  function setup(form) {
    var items = form.querySelector(".usine-items");
    var addButton = form.querySelector(".usine-add-item");
    var submit = form.querySelector("[type=submit]");
    // Disabled in the markup: without this script nothing can be sent (no personal value
    // may end up in a URL or reach the page's host).
    submit.disabled = false;
    var status = form.querySelector(".usine-status");
    var general = form.querySelector(".usine-general-error");
    var template = items.querySelector(".usine-item").cloneNode(true);
    var idempotencyKey = newKey();

    var date = form.elements.namedItem("needed_by");
    if (date) date.min = todayIso();

    // Item lines: names, ids and labels follow the line's position, so that the API's
    // "items.<n>.<field>" messages find their line.
    function renumber() {
      var rows = items.querySelectorAll(".usine-item");
      Array.prototype.forEach.call(rows, function (row, n) {
        row.dataset.index = n;
        row.setAttribute("role", "group");
        row.setAttribute("aria-label", fmt(M.item, { n: n + 1 }));
        row.querySelectorAll("[name]").forEach(function (el) {
          var name = el.name.replace(/^items\.\d+\./, "items." + n + ".");
          var id = "f-" + name.replace(/\./g, "-");
          var label = row.querySelector('label[for="' + el.id + '"]');
          var error = row.querySelector('[id="' + el.id + '-error"]');
          var field = el.closest(".usine-field");
          if (label) label.htmlFor = id;
          if (error) error.id = id + "-error";
          if (field) field.dataset.field = name;
          el.name = name;
          el.id = id;
        });
        row.querySelector(".usine-remove-item").hidden = rows.length < 2;
      });
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

    function clearErrors() {
      general.hidden = true;
      general.textContent = "";
      form.querySelectorAll(".usine-error").forEach(function (p) {
        p.hidden = true;
        p.textContent = "";
      });
      form.querySelectorAll("[aria-invalid]").forEach(function (el) {
        el.removeAttribute("aria-invalid");
        var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
          return id && id !== el.id + "-error";
        });
        if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
        else el.removeAttribute("aria-describedby");
      });
    }

    function showGeneral(lines) {
      general.textContent = "";
      lines.filter(Boolean).forEach(function (line) {
        var p = document.createElement("span");
        p.textContent = line;
        general.appendChild(p);
        general.appendChild(document.createTextNode(" "));
      });
      general.hidden = false;
    }

    function contactLine() {
      return config.contactEmail ? fmt(M.contact, { email: config.contactEmail }) : "";
    }

    function showFieldErrors(fields, message) {
      var first = null;
      var placed = 0;
      var unplaced = [];
      Object.keys(fields).forEach(function (key) {
        // A field's message slot is "f-<name with dashes>-error"; "items" has one too.
        var error = document.getElementById("f-" + key.replace(/\./g, "-") + "-error");
        if (!error || !form.contains(error)) {
          unplaced.push(key + ": " + fields[key]);
          return;
        }
        error.textContent = fields[key];
        error.hidden = false;
        placed += 1;
        var el = form.elements.namedItem(key);
        if (!el || !el.setAttribute) return;  // a group ("items"): no single control
        el.setAttribute("aria-invalid", "true");
        var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
        ids.push(error.id);
        el.setAttribute("aria-describedby", ids.join(" "));
        first = first || el;
      });
      showGeneral([M.invalid].concat(unplaced, placed || unplaced.length ? [] : [message]));
      if (first) first.focus();
    }

    function showSuccess(reference, token) {
      status.textContent = "";
      var p = document.createElement("p");
      p.appendChild(document.createTextNode(M.success + " "));
      var strong = document.createElement("strong");
      strong.className = "usine-reference";
      strong.textContent = reference;
      p.appendChild(strong);
      var help = document.createElement("p");
      help.textContent = M.successHelp;
      status.appendChild(p);
      status.appendChild(help);
      if (token) {
        // The status page (docs/<lang>/status.md, API helper); the fragment never leaves
        // the browser, so the tracking code is in no server log.
        var track = document.createElement("p");
        var link = document.createElement("a");
        link.className = "usine-tracking-link";
        link.href = new URL("status.html", location.href).href.split("#")[0] +
          "#ref=" + encodeURIComponent(reference) + "&token=" + encodeURIComponent(token);
        link.textContent = link.href;
        track.appendChild(document.createTextNode(M.trackLink + " "));
        track.appendChild(link);
        status.appendChild(track);
      }
      form.reset();
      items.querySelectorAll(".usine-item").forEach(function (row, n) {
        if (n > 0) row.remove();
      });
      renumber();
      idempotencyKey = newKey();  // a new request from now on
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors();
      status.textContent = "";
      if (!config.apiBaseUrl) {
        showGeneral([M.noApi, contactLine()]);
        return;
      }
      var body = JSON.stringify(collect(form));
      submit.disabled = true;
      status.textContent = M.sending;
      fetch(config.apiBaseUrl.replace(/\/+$/, "") + "/requests", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Idempotency-Key": idempotencyKey },
        body: body
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          status.textContent = "";
          if (response.ok && data.reference) {
            showSuccess(data.reference, data.tracking_token);
          } else if (response.status === 400 && data.fields) {
            showFieldErrors(data.fields, data.message);
          } else {
            showGeneral([fmt(M.server, { status: response.status }), data.message, contactLine()]);
          }
        });
      }, function () {
        status.textContent = "";
        showGeneral([M.network, contactLine()]);
      }).then(function () {
        submit.disabled = false;
      });
    });

    renumber();
  }

  function init() {
    document.querySelectorAll("form[data-usine-form=request]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
