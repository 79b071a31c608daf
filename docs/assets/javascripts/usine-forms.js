/* What the three forms' scripts share (request-form.js, maker-form.js, request-status.js):
 * their words, calls to the API, error messages next to the fields, tokens.
 *
 * Words: the build writes the words a form needs, in the page's language (English where
 * the catalog lacks one), into the page as <script type="application/json"
 * id="usine-words">: the form's own ([forms.common], [forms.<form>] of
 * serverless/chalicelib/locales/<lang>.toml) and the API's per-field reasons under
 * "field.<code>" ([api.field]), so a form and the API never word a rule differently.
 * Plain JS, no framework, no third-party request; loaded before the form's script.
 */
(function () {
  "use strict";
  if (window.UsineForms) return;

  var config = window.USINE || {};
  var cache = null;

  function words() {
    if (!cache) {
      var el = document.getElementById("usine-words");
      cache = el ? JSON.parse(el.textContent) : {};
    }
    return cache;
  }

  // A catalog template with its {fields} filled; a field nobody filled stays visible.
  function fmt(text, values) {
    values = values || {};
    return String(text).replace(/\{(\w+)\}/g, function (all, key) {
      return values[key] === undefined ? all : values[key];
    });
  }

  function t(key, values) {
    var W = words();
    return fmt(W[key] === undefined ? key : W[key], values);
  }

  // The API's reason for a field rule ("missing", "greater_than_equal"...).
  function reason(code, values) {
    var W = words();
    return fmt(W["field." + code] || W["field.invalid"] || code, values);
  }

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : {};
  }

  // An Idempotency-Key, made once per form fill.
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "k" + Date.now() + Math.random().toString(16).slice(2) + Math.random().toString(16).slice(2);
  }

  function todayIso() {
    var d = new Date();
    d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
    return d.toISOString().slice(0, 10);
  }

  // "#ref=R-...&token=..." -> {ref, token}: a fragment never leaves the browser.
  function fromHash() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var kv = part.split("=");
      if (kv[0]) out[decodeURIComponent(kv[0])] = decodeURIComponent(kv[1] || "");
    });
    return out;
  }

  function apiConfigured() { return Boolean(config.apiBaseUrl); }

  // One call to the API: resolves {status, ok, data}; rejects when it cannot be reached.
  // Tokens go in the Authorization header, never in a URL. options.cache: fetch's cache
  // mode ("no-cache": ask the server again, past the browser's copy). options.as "blob":
  // an ok answer is a file, given as {blob: Promise<Blob>} (errors are still JSON).
  function call(method, path, options) {
    options = options || {};
    var headers = { "Accept-Language": config.lang || document.documentElement.lang || "en" };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    if (options.token) headers.Authorization = "Bearer " + options.token;
    if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
    return fetch(config.apiBaseUrl.replace(/\/+$/, "") + path, {
      method: method, headers: headers, cache: options.cache || "default",
      body: options.body === undefined ? undefined : JSON.stringify(options.body)
    }).then(function (response) {
      // A file (options.as "blob": a CSV export) is read only when the answer is ok.
      if (options.as === "blob" && response.ok) {
        return { status: response.status, ok: true, data: {}, blob: response.blob() };
      }
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, ok: response.ok, data: data };
      });
    });
  }

  // The messages of one form: its general alert, its per-field slots
  // ("f-<dotted name with dashes>-error", linked to their control by aria-describedby
  // in the markup), focus on the first field in error.
  function messages(form) {
    var general = form.querySelector(".usine-general-error");

    function clear() {
      general.hidden = true;
      general.textContent = "";
      form.querySelectorAll(".usine-error").forEach(function (p) { p.hidden = true; p.textContent = ""; });
      form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    }

    function showGeneral(lines) {
      general.textContent = "";
      lines.filter(Boolean).forEach(function (line) {
        var span = document.createElement("span");
        span.textContent = line;
        general.appendChild(span);
        general.appendChild(document.createTextNode(" "));
      });
      general.hidden = false;
    }

    function contactLine() {
      return config.contactEmail ? t("write_to", { email: config.contactEmail }) : "";
    }

    // fields: {dotted name: message}. Messages without a slot are listed in the alert.
    function showFields(fields, fallback) {
      var first = null;
      var placed = 0;
      var unplaced = [];
      Object.keys(fields).forEach(function (key) {
        var slot = document.getElementById("f-" + key.replace(/\./g, "-") + "-error");
        if (!slot || !form.contains(slot)) {
          unplaced.push(key + ": " + fields[key]);
          return;
        }
        slot.textContent = fields[key];
        slot.hidden = false;
        placed += 1;
        var el = form.elements.namedItem(key) || form.elements.namedItem(key + ".0");
        if (el && el.setAttribute) {
          el.setAttribute("aria-invalid", "true");
          first = first || el;
        }
      });
      showGeneral([t("invalid")].concat(unplaced, placed || unplaced.length ? [] : [fallback]));
      if (first) first.focus();
    }

    // The checks every form shares, in the API's words: required answers, e-mail shape.
    function checkRequired() {
      var errors = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.disabled || !el.required) return;
        if (el.type === "checkbox") {
          if (!el.checked) errors[el.name] = reason(el.name === "consent" ? "consent" : "missing");
        } else if (!el.value.trim()) {
          errors[el.name] = reason("missing");
        } else if (el.type === "email" && el.validity && el.validity.typeMismatch) {
          errors[el.name] = reason("email");
        }
      });
      return errors;
    }

    return { clear: clear, showGeneral: showGeneral, showFields: showFields,
             contactLine: contactLine, checkRequired: checkRequired };
  }

  // Rows of a repeating group ("items", "machines", "offers"): names, ids, labels, error
  // slots and aria-describedby follow the row's position, so that the API's
  // "<group>.<n>.<field>" messages find their row.
  function renumber(rows, group, label) {
    var re = new RegExp("^(f-)?" + group + "([.-])\\d+\\2");
    var refs = new RegExp("f-" + group + "-\\d+-", "g");
    Array.prototype.forEach.call(rows, function (row, n) {
      row.dataset.index = n;
      row.setAttribute("role", "group");
      row.setAttribute("aria-label", label(n + 1));
      row.querySelectorAll("[name], label[for], [id], [data-field]").forEach(function (el) {
        ["name", "id", "htmlFor"].forEach(function (attr) {
          if (el[attr]) el[attr] = el[attr].replace(re, function (all, f, sep) {
            return (f || "") + group + sep + n + sep;
          });
        });
        var field = el.dataset && el.dataset.field;
        if (field) el.dataset.field = field.replace(/\.\d+\./, "." + n + ".");
        var described = el.getAttribute("aria-describedby");
        if (described) el.setAttribute("aria-describedby", described.replace(refs, "f-" + group + "-" + n + "-"));
      });
      var remove = row.querySelector(".usine-remove-item");
      if (remove) remove.hidden = rows.length < 2;
    });
  }

  // Run setup(form) on every form[data-usine-form=kind] once the page is read; the submit
  // button, disabled in the markup (nothing can be sent without the script: no personal
  // value may end up in a URL), is enabled here.
  function init(kind, setup) {
    function run() {
      document.querySelectorAll("form[data-usine-form=" + kind + "]").forEach(function (form) {
        if (form.dataset.ready) return;
        form.dataset.ready = "1";
        setup(form);
        form.querySelector("[type=submit]").disabled = false;
      });
    }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
    else run();
  }

  window.UsineForms = {
    config: config, words: words, t: t, fmt: fmt, reason: reason, json: json,
    newKey: newKey, todayIso: todayIso, fromHash: fromHash, apiConfigured: apiConfigured,
    call: call, messages: messages, renumber: renumber, init: init
  };
})();

/* Shared by the pages that act on allocations (site-allocations.js, request-status.js):
 * tokens kept in sessionStorage (this tab only, never a URL or a cookie), the fragment of
 * an e-mail link taken off the address bar, cards cloned from a <template> of the page,
 * and an API error placed next to the control (or button) that caused it.
 */
(function () {
  "use strict";
  var U = window.UsineForms;
  if (!U || U.takeHash) return;

  // The fragment's values, then the fragment removed from the address bar and history.
  function takeHash() {
    var values = U.fromHash();
    if (location.hash) {
      history.replaceState(history.state, "", location.pathname + location.search);
    }
    return values;
  }

  function keep(key, value) {
    try { sessionStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }

  function kept(key) {
    try { return JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function forget(key) {
    try { sessionStorage.removeItem(key); } catch (e) { /* nothing kept */ }
  }

  // A copy of <template id=id>'s first element; "-tpl" in its ids becomes "-<suffix>".
  function fromTemplate(id, suffix) {
    var node = document.getElementById(id).content.firstElementChild.cloneNode(true);
    var attrs = ["id", "for", "aria-describedby", "aria-labelledby"];
    [node].concat(Array.prototype.slice.call(node.querySelectorAll("*"))).forEach(function (el) {
      attrs.forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value && value.indexOf("-tpl") >= 0) el.setAttribute(attr, value.replace(/-tpl\b/g, "-" + suffix));
      });
    });
    return node;
  }

  // A word of the page, or the value itself when the page has none for it.
  function label(key, value) {
    return U.words()[key] === undefined ? String(value) : U.t(key);
  }

  // An action form's error slots: [data-api-field] (the API's field names; `aliases`
  // maps an API name to the slot's). clearSlots() empties them.
  function clearSlots(form) {
    form.querySelectorAll(".usine-error").forEach(function (p) { p.hidden = true; p.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  function slotFor(form, field) {
    return form.querySelector('[data-api-field="' + field + '"]');
  }

  // Shows `message` next to the control of `field` (marked invalid and focused), else next
  // to the form's button (its "action" slot, or the last slot of the form).
  function showAt(form, field, message) {
    var slots = form.querySelectorAll(".usine-error[data-api-field]");
    var slot = (field && slotFor(form, field)) || slotFor(form, "action") || slots[slots.length - 1];
    slot.textContent = message;
    slot.hidden = false;
    var control = slot.id && form.querySelector('[aria-describedby~="' + slot.id + '"]');
    if (control && control.matches("input, select, textarea")) {
      control.setAttribute("aria-invalid", "true");
      control.focus();
    } else if (control) {
      control.focus();
    }
  }

  // An API answer that is not ok, or a failed call (result null), shown in the form.
  function showFailure(form, result, aliases, words) {
    aliases = aliases || {};
    words = words || {};
    if (!result) return showAt(form, null, U.t(words.network || "network"));
    var data = result.data || {};
    var fields = data.fields || {};
    var keys = Object.keys(fields);
    if (keys.length) {
      keys.forEach(function (key) { showAt(form, aliases[key] || key, fields[key]); });
      return;
    }
    if (result.status === 404) return showAt(form, null, U.t(words.notFound || "not_found"));
    showAt(form, null, data.message || U.t(words.server || "server", { status: result.status }));
  }

  U.takeHash = takeHash;
  U.keep = keep;
  U.kept = kept;
  U.forget = forget;
  U.fromTemplate = fromTemplate;
  U.label = label;
  U.clearSlots = clearSlots;
  U.showAt = showAt;
  U.showFailure = showFailure;
})();
