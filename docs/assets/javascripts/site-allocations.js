/* A site's allocations (docs/<lang>/sites.md; markup from
 * docs/overrides/usine/site-allocations.html, words from the page: usine-forms.js).
 *
 * The e-mail link "sites.html#id=<allocation id>&token=<link token>" opens that
 * allocation (GET /allocations/{id}); the site number and edit code open all of the
 * site's allocations (GET /makers/{id}/allocations). The token is kept in sessionStorage
 * (this tab only) and the fragment is taken off the address bar; tokens go in the
 * Authorization header, never in a URL. Each allocation is a card cloned from the page's
 * <template>: accept, decline with a reason, produced and shipped counts
 * (POST /allocations/{id}), and a packing slip printed with the print stylesheet
 * (usine.css). The delivery contact comes from the API only once the site accepted (the
 * reveal is audited by the API). Every answer says what happened and what comes next;
 * the API's errors, in the page's language, appear next to the control that caused them.
 */
(function () {
  "use strict";
  var U = window.UsineForms;
  var M = U.t;
  var KEY = "usine-site";
  var OPEN_ACTIONS = {
    accept: ["proposed"], decline: ["proposed"], produced: ["accepted", "produced"],
    shipped: ["produced", "shipped"]
  };
  var PRINTABLE = ["accepted", "produced", "shipped"];

  U.init("site", function (form) {
    var messages = U.messages(form);
    var status = form.querySelector(".usine-status");
    var forgetButton = form.querySelector(".usine-forget");
    var section = document.querySelector(".usine-allocations");
    var list = section.querySelector(".usine-allocation-list");
    var session = null;
    var cards = 0;

    function designTitle(slug) {
      var found = (U.config.designs || []).filter(function (d) { return d.slug === slug; })[0];
      return found ? found.title : slug;
    }

    function partText(a) {
      var text = designTitle(a.design);
      if (a.variant) text += " (" + M("variant") + " " + a.variant + ")";
      if (a.part) text += ", " + M("kit_part", { part: designTitle(a.part) });
      return text;
    }

    function fill(card, slot, value) {
      var dd = card.querySelector('[data-slot="' + slot + '"]');
      var empty = value === undefined || value === null || value === "";
      dd.textContent = empty ? "" : String(value);
      if (dd.tagName === "DD") {
        dd.hidden = empty;
        dd.previousElementSibling.hidden = empty;
      }
    }

    function card(a, result) {
      cards += 1;
      var node = U.fromTemplate("usine-allocation-template", cards);
      node.dataset.allocation = a.id;
      node.dataset.status = a.status;
      node.querySelector(".usine-allocation-title").textContent =
        M("heading", { quantity: a.quantity, design: designTitle(a.part || a.design) });
      fill(node, "reference", a.reference);
      fill(node, "part", partText(a));
      fill(node, "quantity", a.quantity);
      fill(node, "day", a.day);
      fill(node, "status", U.label("status_" + a.status, a.status));
      fill(node, "produced", a.produced);
      fill(node, "shipped", a.shipped);
      fill(node, "delivered", a.delivered);
      fill(node, "next", U.label("next_" + a.status, ""));
      var delivery = a.delivery;
      node.querySelector(".usine-delivery").hidden = !delivery;
      node.querySelector(".usine-delivery-locked").hidden = a.status !== "proposed";
      if (delivery) {
        var contact = delivery.contact || {};
        fill(node, "contact.name", contact.name);
        fill(node, "contact.email", contact.email);
        fill(node, "contact.phone", contact.phone);
        fill(node, "address", delivery.address);
        fill(node, "notes", delivery.notes);
      }
      node.querySelectorAll(".usine-action-form").forEach(function (f) {
        var action = f.dataset.action;
        f.hidden = OPEN_ACTIONS[action].indexOf(a.status) < 0;
        if (f.hidden) return;
        var count = f.elements.namedItem("count");
        if (count) {
          var done = a[action] || 0;
          var maximum = action === "produced" ? a.quantity : a.produced;
          var minimum = Math.max(done, 1);
          count.min = minimum;
          count.max = maximum;
          count.value = done || "";
          f.querySelector(".usine-help").textContent = M("count_help", { minimum: minimum, maximum: maximum });
        }
        f.addEventListener("submit", function (event) {
          event.preventDefault();
          act(node, a, f);
        });
        f.querySelector("[type=submit]").disabled = false;
      });
      var print = node.querySelector(".usine-print");
      print.hidden = PRINTABLE.indexOf(a.status) < 0;
      print.addEventListener("click", function () { printSlip(node); });
      if (result) node.querySelector(".usine-allocation-result").textContent = result;
      return node;
    }

    function printSlip(node) {
      document.body.classList.add("usine-printing");
      node.classList.add("usine-print-this");
      var done = function () {
        document.body.classList.remove("usine-printing");
        node.classList.remove("usine-print-this");
        window.removeEventListener("afterprint", done);
      };
      window.addEventListener("afterprint", done);
      window.print();
    }

    // One allocation read again (with its delivery contact once accepted).
    function reload(id) {
      return U.call("GET", "/allocations/" + encodeURIComponent(id), { token: session.token });
    }

    function act(node, a, f) {
      var action = f.dataset.action;
      var body = { action: action };
      var result = node.querySelector(".usine-allocation-result");
      U.clearSlots(f);
      result.textContent = "";
      if (action === "decline") {
        body.reason = f.elements.namedItem("reason").value;
        if (!body.reason) return U.showAt(f, "reason", U.reason("missing"));
      }
      var count = f.elements.namedItem("count");
      if (count) {
        var raw = count.value.trim();
        if (!raw) return U.showAt(f, "count", U.reason("missing"));
        if (!/^\d+$/.test(raw)) return U.showAt(f, "count", U.reason("int_type"));
        body.count = Number(raw);
      }
      var button = f.querySelector("[type=submit]");
      button.disabled = true;
      result.textContent = M("sending");
      U.call("POST", "/allocations/" + encodeURIComponent(a.id), { token: session.token, body: body })
        .then(function (answer) {
          if (!answer.ok) {
            result.textContent = "";
            button.disabled = false;
            return U.showFailure(f, answer);
          }
          var said = M("done_" + action, { count: body.count });
          return reload(a.id).then(function (fresh) {
            var next = card(fresh.ok ? fresh.data : answer.data, said);
            node.replaceWith(next);
            next.querySelector(".usine-allocation-result").focus();
          });
        }, function () {
          result.textContent = "";
          button.disabled = false;
          U.showFailure(f, null);
        });
    }

    function show(allocations, note) {
      list.textContent = "";
      allocations.forEach(function (a) { list.appendChild(card(a)); });
      section.hidden = allocations.length === 0;
      status.textContent = note;
      forgetButton.hidden = false;
    }

    function load() {
      messages.clear();
      status.textContent = M("loading");
      var one = session.kind === "allocation";
      var path = one ? "/allocations/" + encodeURIComponent(session.id)
        : "/makers/" + encodeURIComponent(session.id) + "/allocations";
      U.call("GET", path, { token: session.token }).then(function (answer) {
        status.textContent = "";
        if (answer.ok) {
          var all = one ? [answer.data] : answer.data.allocations || [];
          show(all, one ? M("loaded_one") : all.length ? M("loaded", { count: all.length }) : M("none"));
        } else if (answer.status === 404) {
          U.forget(KEY);
          session = null;
          messages.showGeneral([M("not_found")]);
        } else {
          messages.showGeneral([answer.data.message || M("server", { status: answer.status })]);
        }
      }, function () {
        status.textContent = "";
        messages.showGeneral([M("network")]);
      });
    }

    function start(kind, id, token) {
      session = { kind: kind, id: id, token: token };
      U.keep(KEY, session);
      if (!U.apiConfigured()) return messages.showGeneral([M("no_api")]);
      load();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      messages.clear();
      var missing = messages.checkRequired();
      if (Object.keys(missing).length) return messages.showFields(missing);
      var site = form.elements.namedItem("site").value.trim().toUpperCase().replace(/^M\s*-?\s*/, "");
      var token = form.elements.namedItem("token");
      start("site", "M-" + site.replace(/[\s-]/g, ""), token.value.trim());
      token.value = "";
    });

    forgetButton.addEventListener("click", function () {
      U.forget(KEY);
      session = null;
      list.textContent = "";
      section.hidden = true;
      forgetButton.hidden = true;
      status.textContent = M("forgotten");
      form.elements.namedItem("site").focus();
    });

    var hash = U.takeHash();
    if (hash.id && hash.token) {
      start(/^M-/i.test(hash.id) ? "site" : "allocation", hash.id, hash.token);
    } else {
      var saved = U.kept(KEY);
      if (saved && saved.id && saved.token) start(saved.kind, saved.id, saved.token);
    }
  });
})();
