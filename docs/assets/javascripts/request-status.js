/* The request-status page (docs/<lang>/status.md; markup from
 * docs/overrides/usine/form.html and status-allocations.html, words from the page:
 * usine-forms.js).
 *
 * Asks GET window.USINE.apiBaseUrl + "/requests/<reference>" with the tracking code in the
 * Authorization header (never in the URL), and shows the status and, per part, the
 * quantities requested, allocated and delivered; then the request's allocations (the
 * region of each site, never the site; planned day, shipped and received counts), where
 * the requester confirms receipt (POST /requests/{ref}/receipts), and the request's need,
 * reconfirmed or cancelled (POST /requests/{ref}/reconfirm). A tracking link
 * "status.html#ref=R-...&token=..." fills the form and asks at once; the fragment is taken
 * off the address bar and the code kept in sessionStorage (this tab only).
 */
(function () {
  "use strict";
  var U = window.UsineForms;
  var M = U.t;
  var KEY = "usine-status";
  var OPEN = ["submitted", "matched", "in_progress"];

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }
  // " r-7k3m 9q2x " -> "R-7K3M9Q2X" (the API accepts both; this keeps the URL tidy).
  function tidyReference(text) {
    var body = text.trim().toUpperCase().replace(/^R\s*-?/, "").replace(/[\s-]/g, "");
    return "R-" + body;
  }

  U.init("status", function (form) {
    var titles = U.json("usine-status-designs");
    var submit = form.querySelector("[type=submit]");
    var out = form.querySelector(".usine-progress");
    var messages = U.messages(form);
    var panel = document.getElementById("usine-request-allocations");
    var current = null; // {reference, token} of the request shown
    var cards = 0;

    function fail(text) { messages.showGeneral([text]); }

    function show(data) {
      var box = el("div", null, "usine-request-progress");
      var heading = el("h2", M("heading", { reference: data.reference }));
      heading.id = "usine-progress-h";
      box.appendChild(heading);
      var dl = el("dl");
      dl.appendChild(el("dt", M("status")));
      var state = "state_" + data.status;
      dl.appendChild(el("dd", U.words()[state] ? M(state) : data.status, "usine-request-state"));
      dl.appendChild(el("dt", M("needed_by")));
      dl.appendChild(el("dd", data.needed_by));
      box.appendChild(dl);
      var table = el("table", null, "usine-progress-table");
      var head = el("tr");
      [M("design"), M("variant"), M("requested"), M("allocated"), M("delivered")].forEach(function (h) {
        var th = el("th", h);
        th.scope = "col";
        head.appendChild(th);
      });
      var thead = el("thead");
      thead.appendChild(head);
      table.appendChild(thead);
      var tbody = el("tbody");
      (data.items || []).forEach(function (item) {
        var tr = el("tr");
        tr.dataset.design = item.design;
        [titles[item.design] || item.design, item.variant || M("any_variant"),
         item.requested, item.allocated, item.delivered].forEach(function (v) {
          tr.appendChild(el("td", String(v)));
        });
        tbody.appendChild(tr);
      });
      table.appendChild(tbody);
      // Like every table of the site: in a focusable, named region that scrolls sideways
      // on a narrow screen instead of widening the page.
      var region = el("div", null, "usine-table");
      region.tabIndex = 0;
      region.setAttribute("role", "region");
      region.setAttribute("aria-labelledby", heading.id);
      region.appendChild(table);
      box.appendChild(region);
      out.appendChild(box);
      showAllocations(data);
    }

    // ---------------------------------------------------------------- allocations

    function regionName(id) {
      var found = (U.config.regions || []).filter(function (r) { return r.id === id; })[0];
      return found ? found.name : id;
    }

    function fill(node, slot, value) {
      node.querySelector('[data-slot="' + slot + '"]').textContent =
        value === undefined || value === null ? "" : String(value);
    }

    function allocationCard(a) {
      cards += 1;
      var node = U.fromTemplate("usine-request-allocation-template", cards);
      node.dataset.allocation = a.id;
      var title = titles[a.design] || a.design;
      if (a.variant) title += " (" + M("variant") + " " + a.variant + ")";
      node.querySelector(".usine-allocation-title").textContent = title;
      fill(node, "region", regionName(a.site_region));
      fill(node, "quantity", a.quantity);
      fill(node, "day", a.day);
      fill(node, "status", U.label("alloc_" + a.status, a.status));
      fill(node, "shipped", a.shipped);
      fill(node, "delivered", a.delivered);
      var receipt = node.querySelector("form[data-action=receipt]");
      receipt.hidden = !(a.shipped > 0 && (a.status === "shipped" || a.status === "delivered"));
      if (!receipt.hidden) {
        var input = receipt.elements.namedItem("received");
        var minimum = Math.max(a.delivered || 0, 1);
        input.min = minimum;
        input.max = a.shipped;
        input.value = a.delivered || "";
        receipt.querySelector(".usine-help").textContent =
          M("receipt_help", { minimum: minimum, maximum: a.shipped });
        receipt.addEventListener("submit", function (event) {
          event.preventDefault();
          confirmReceipt(node, a, receipt);
        });
        receipt.querySelector("[type=submit]").disabled = false;
      }
      return node;
    }

    function showAllocations(data) {
      if (!panel) return;
      var list = panel.querySelector(".ra-list");
      var allocations = data.allocations || [];
      list.textContent = "";
      allocations.forEach(function (a) { list.appendChild(allocationCard(a)); });
      panel.querySelector(".ra-none").hidden = allocations.length > 0;
      needForms();
      var open = OPEN.indexOf(data.status) >= 0;
      var note = panel.querySelector(".ra-not-open");
      note.textContent = M("not_open_note");
      note.hidden = open;
      panel.querySelectorAll(".ra-need-actions form").forEach(function (f) {
        f.hidden = !open;
        U.clearSlots(f);
        f.querySelector(".usine-allocation-result").textContent = "";
      });
      panel.hidden = false;
    }

    // Sends one of the requester's actions; resolves with the answer when it is ok.
    function send(f, path, body, aliases) {
      var button = f.querySelector("[type=submit]");
      var result = f.querySelector(".usine-allocation-result") ||
        f.parentNode.querySelector(".usine-allocation-result");
      U.clearSlots(f);
      result.textContent = M("sending");
      button.disabled = true;
      return U.call("POST", "/requests/" + encodeURIComponent(current.reference) + path,
                    { token: current.token, body: body }).then(function (answer) {
        result.textContent = "";
        button.disabled = false;
        if (answer.ok) return answer;
        U.showFailure(f, answer, aliases);
        return null;
      }, function () {
        result.textContent = "";
        button.disabled = false;
        U.showFailure(f, null);
        return null;
      });
    }

    function confirmReceipt(node, a, f) {
      var raw = f.elements.namedItem("received").value.trim();
      U.clearSlots(f);
      if (!raw) return U.showAt(f, "received", U.reason("missing"));
      if (!/^\d+$/.test(raw)) return U.showAt(f, "received", U.reason("int_type"));
      var count = Number(raw);
      send(f, "/receipts", { allocation: a.id, received: count }, { count: "received" })
        .then(function (answer) {
          if (!answer) return;
          refresh(function () {
            var fresh = panel.querySelector('[data-allocation="' + a.id + '"] .usine-allocation-result');
            if (!fresh) return;
            fresh.textContent = M("receipt_done", { count: count });
            fresh.focus();
          });
        });
    }

    // The need's forms, cloned from their <template> once a request is shown (before, the
    // status form is the page's only form).
    function needForms() {
      var actions = panel.querySelector(".ra-need-actions");
      if (actions.firstElementChild) return;
      var forms = U.fromTemplate("usine-request-need-template", "need");
      while (forms.firstElementChild) actions.appendChild(forms.firstElementChild);
      var reconfirm = panel.querySelector("form[data-action=reconfirm]");
      var cancel = panel.querySelector("form[data-action=cancel]");
      reconfirm.addEventListener("submit", function (event) {
        event.preventDefault();
        if (!current) return;
        send(reconfirm, "/reconfirm", { still_needed: true }).then(function (answer) {
          if (!answer) return;
          var result = reconfirm.querySelector(".usine-allocation-result");
          result.textContent = M("reconfirmed");
          result.focus();
        });
      });
      cancel.addEventListener("submit", function (event) {
        event.preventDefault();
        if (!current) return;
        U.clearSlots(cancel);
        if (!cancel.elements.namedItem("confirm").checked) {
          return U.showAt(cancel, "confirm", U.reason("missing"));
        }
        send(cancel, "/reconfirm", { still_needed: false }).then(function (answer) {
          if (!answer) return;
          refresh(function () {
            var note = panel.querySelector(".ra-not-open");
            note.textContent = M("cancelled");
            note.setAttribute("tabindex", "-1");
            note.setAttribute("role", "status");
            note.focus();
          });
        });
      });
      [reconfirm, cancel].forEach(function (f) { f.querySelector("[type=submit]").disabled = false; });
    }

    // ---------------------------------------------------------------- asking

    function load(reference, token, done) {
      submit.disabled = true;
      out.textContent = M("loading");
      U.call("GET", "/requests/" + encodeURIComponent(reference), { token: token })
        .then(function (result) {
          out.textContent = "";
          if (result.ok) {
            current = { reference: result.data.reference, token: token };
            U.keep(KEY, { ref: current.reference, token: token });
            show(result.data);
            if (done) done();
          } else if (result.status === 404) {
            U.forget(KEY);
            fail(M("not_found"));
          } else {
            fail(M("server", { status: result.status }) + (result.data.message ? " " + result.data.message : ""));
          }
        }, function () {
          out.textContent = "";
          fail(M("network"));
        }).then(function () { submit.disabled = false; });
    }

    function refresh(done) {
      if (current) load(current.reference, current.token, done);
    }

    function ask() {
      messages.clear();
      out.textContent = "";
      if (panel) panel.hidden = true;
      var missing = messages.checkRequired();
      if (Object.keys(missing).length) return messages.showFields(missing);
      if (!U.apiConfigured()) return fail(M("no_api"));
      var reference = tidyReference(form.elements.namedItem("reference").value);
      var token = form.elements.namedItem("token").value.trim();
      load(reference, token);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      ask();
    });

    var hash = U.takeHash();
    var saved = hash.ref && hash.token ? hash : U.kept(KEY);
    if (saved && saved.ref) form.elements.namedItem("reference").value = saved.ref;
    if (saved && saved.token) form.elements.namedItem("token").value = saved.token;
    if (saved && saved.ref && saved.token) ask();
  });
})();
