/* The coordinator console (docs/<lang>/console.md, markup from scripts/sitegen/console.py):
 * open requests, a request's detail (allocate, merge, close, contact), sites with their
 * capacity, the planner's proposal, the allocation board, the CSV export, the audit log.
 *
 * The token is pasted once and kept in sessionStorage (this tab only): never in a URL, a
 * query, a cookie or localStorage. Every call sends it in the Authorization header
 * (UsineForms.call), with Accept-Language: the page's language, so the API's messages are
 * in the page's words. The CSV is fetched with the header and saved from a Blob. Words
 * come from the page (usine-words); region and design names from hub-config.js.
 * Helpers kept here rather than in usine-forms.js: el/table (DOM), feedback (messages next
 * to an action, by the API's field names), download (a Blob from an authorised fetch).
 */
(function () {
  "use strict";
  var U = window.UsineForms;
  if (!U || !document.getElementById("usine-console")) return;
  var t = U.t;
  var config = U.config;
  var KEY = "usine.coordinatorToken";
  var STATUSES = ["proposed", "accepted", "produced", "shipped", "delivered", "declined", "cancelled"];
  var CANCELLABLE = { proposed: true, accepted: true };
  var state = { token: null, requests: [], cursor: null, filters: {}, urgency: "",
                detail: null, sites: null, plan: null, auditDay: "", auditCursor: null };
  var root = document.getElementById("usine-console");

  function $(selector) { return root.querySelector(selector); }

  // The tables, made here inside their regions (a table in the markup would be wrapped
  // in a second region by the build, scripts/sitegen/tables.py).
  root.querySelectorAll("[data-table]").forEach(function (region) {
    var table = document.createElement("table");
    table.id = region.getAttribute("data-table");
    table.appendChild(document.createElement("thead"));
    table.appendChild(document.createElement("tbody"));
    region.appendChild(table);
  });

  // ------------------------------------------------------------------ the token
  // Kept in this tab's sessionStorage by the shared module (U.keep, U.kept, U.forget).
  function storedToken() { return U.kept(KEY); }
  function keepToken(value) {
    state.token = value;
    U.keep(KEY, value);
  }
  function forgetToken() {
    state.token = null;
    U.forget(KEY);
  }

  // ------------------------------------------------------------------ small DOM helpers
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else if (attrs[key] !== null && attrs[key] !== undefined) node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" || typeof child === "number"
        ? document.createTextNode(String(child)) : child);
    });
    return node;
  }
  function ltr(text) { return el("bdi", { dir: "ltr", text: text === null || text === undefined ? "" : String(text) }); }

  function button(text, cls, label) {
    return el("button", { type: "button", className: "md-button " + (cls || ""), "aria-label": label || null, text: text });
  }

  // A table of the markup (thead/tbody in a focusable named region) filled with rows.
  function fill(table, headers, rows, name) {
    var head = table.querySelector("thead");
    var body = table.querySelector("tbody");
    head.textContent = "";
    body.textContent = "";
    head.appendChild(el("tr", {}, headers.map(function (h) { return el("th", { scope: "col", text: h }); })));
    rows.forEach(function (cells) {
      body.appendChild(el("tr", {}, cells.map(function (c) {
        return c instanceof Node ? el("td", {}, [c]) : el("td", { text: c === null || c === undefined ? "" : String(c) });
      })));
    });
    var region = table.closest(".usine-table");  // the theme may wrap the table
    if (name) region.setAttribute("aria-label", name);
    region.hidden = rows.length === 0;
  }

  function regionName(id) {
    var found = (config.regions || []).filter(function (r) { return r.id === id; })[0];
    return found ? found.name : id;
  }
  function designName(slug, variant) {
    var found = (config.designs || []).filter(function (d) { return d.slug === slug; })[0];
    return (found ? found.title : slug) + (variant ? " (" + variant + ")" : "");
  }
  function query(params) {
    var parts = Object.keys(params).filter(function (k) { return params[k]; }).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]);
    });
    return parts.length ? "?" + parts.join("&") : "";
  }
  function formValues(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (e) { if (e.name) out[e.name] = e.value.trim(); });
    return out;
  }

  // ------------------------------------------------------------------ messages of an action
  // scope holds .usine-general-error (or errorEl), .usine-status (or statusEl) and error
  // slots named by the API's field (data-api-field): an API error is shown where it belongs.
  function feedback(scope, errorEl, statusEl) {
    var general = errorEl || scope.querySelector(".usine-general-error");
    var status = statusEl || scope.querySelector(".usine-status");
    function clear() {
      general.hidden = true;
      general.textContent = "";
      if (status) status.textContent = "";
      scope.querySelectorAll(".usine-error[data-api-field]").forEach(function (p) { p.hidden = true; p.textContent = ""; });
      scope.querySelectorAll("[aria-invalid]").forEach(function (e) { e.removeAttribute("aria-invalid"); });
    }
    function error(text, fields) {
      var first = null;
      var rest = [];
      Object.keys(fields || {}).forEach(function (name) {
        var slot = scope.querySelector('.usine-error[data-api-field="' + name + '"]');
        if (!slot) { rest.push(fields[name]); return; }
        slot.textContent = fields[name];
        slot.hidden = false;
        var control = document.getElementById(slot.id.replace(/-error$/, ""));
        if (control) { control.setAttribute("aria-invalid", "true"); first = first || control; }
      });
      general.textContent = [text].concat(rest).filter(Boolean).join(" ");
      general.hidden = !general.textContent;
      if (status) status.textContent = "";
      if (first) first.focus();
    }
    function ok(text) {
      general.hidden = true;
      if (status) status.textContent = text;
    }
    return { clear: clear, error: error, ok: ok, busy: function () { if (status) status.textContent = t("loading"); } };
  }

  // What an answer that is not a success means, in the page's words (or the API's own,
  // which it gives in the page's language), shown by `fb`.
  function explain(res, fb, forbidden) {
    var data = res.data || {};
    if (res.status === 401) return fb.error(t("unauthorized"));
    if (res.status === 403) return fb.error(t(forbidden || "forbidden"));
    if (res.status === 501) return fb.error(t("plan_unavailable"));
    if (res.status >= 500) return fb.error(t("server", { status: res.status }));
    var fields = data.fields || {};
    var placed = Object.keys(fields).length;
    fb.error(placed ? data.message : (data.message || t("server", { status: res.status })), fields);
  }

  // One call with the coordinator's token; `done` gets the data of a success.
  function api(method, path, body, fb, done, forbidden) {
    if (!U.apiConfigured()) { fb.error(t("no_api")); return Promise.resolve(); }
    if (!state.token) { fb.error(t("need_token")); return Promise.resolve(); }
    fb.clear();
    fb.busy();
    return U.call(method, path, { token: state.token, body: body }).then(function (res) {
      if (res.ok) return done(res.data, res);
      explain(res, fb, forbidden);
      return null;
    }, function () { fb.error(t("network")); });
  }

  // The CSV: an authorised fetch saved from a Blob (the token never goes into a URL).
  function download(path, name, fb) {
    if (!U.apiConfigured()) return fb.error(t("no_api"));
    if (!state.token) return fb.error(t("need_token"));
    fb.clear();
    fb.busy();
    U.call("GET", path, { token: state.token, as: "blob" }).then(function (res) {
      if (!res.ok) return explain(res, fb);
      return res.blob.then(function (blob) {
        var url = URL.createObjectURL(blob);
        var a = el("a", { href: url, download: name, hidden: "" });
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
        fb.ok(t("downloaded", { name: name }));
      });
    }, function () { fb.error(t("network")); });
  }

  // ------------------------------------------------------------------ open requests
  var requestsForm = $("#uc-requests-form");
  var requestsFb = feedback(requestsForm);

  function lineText(line) {
    return designName(line.design, line.variant) + ": " + line.allocated + "/" + line.requested;
  }
  function within(days, iso) {
    var limit = new Date();
    limit.setDate(limit.getDate() + days);
    return iso <= limit.toISOString().slice(0, 10);
  }
  function urgent(r) {
    if (state.urgency === "overdue") return r.overdue;
    if (state.urgency === "week") return r.overdue || within(7, r.needed_by);
    return true;
  }

  function renderRequests() {
    var shown = state.requests.filter(urgent);
    fill($("#uc-requests"), [t("reference"), t("region"), t("needed_by"), t("parts"), t("status"), t("urgency")],
      shown.map(function (r) {
        var open = button(r.reference, "uc-open", t("open_request", { reference: r.reference }));
        open.dir = "ltr";
        open.addEventListener("click", function () { openRequest(r.reference); });
        return [open, regionName(r.region), ltr(r.needed_by), r.items.map(lineText).join("; "),
                t("req_" + r.status),
                el("span", { className: r.overdue ? "uc-overdue" : "", text: r.overdue ? t("overdue") : t("on_time") })];
      }));
    $(".uc-more").hidden = !state.cursor;
    return shown.length;
  }

  function loadRequests(more) {
    var params = { region: state.filters.region, design: state.filters.design };
    if (more) params.cursor = state.cursor;
    return api("GET", "/coordination/requests" + query(params), undefined, requestsFb, function (data) {
      state.requests = more ? state.requests.concat(data.requests) : data.requests;
      state.cursor = data.cursor;
      var n = renderRequests();
      requestsFb.ok(n ? t("requests_count", { count: n }) : t("requests_none"));
      return data;
    });
  }

  U.init("console-requests", function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var v = formValues(form);
      state.filters = { region: v.region, design: v.design };
      state.urgency = v.urgency;
      loadRequests(false);
    });
    $(".uc-more").addEventListener("click", function () { loadRequests(true); });
  });

  // ------------------------------------------------------------------ a request
  var detail = $(".uc-detail");
  var allocateForm = $("#uc-allocate-form");
  var allocateFb = feedback(allocateForm);
  var closeForm = $("#uc-close-form");
  var closeFb = feedback(closeForm);
  var repeatsBox = $(".uc-repeats");
  var repeatsFb = feedback(repeatsBox, $(".uc-repeats-error"), $(".uc-repeats-status"));
  var contactBox = $(".uc-contact");
  var contactFb = feedback(contactBox, $(".uc-contact-error"), $(".uc-contact-status"));

  function left(line) { return Math.max(0, line.requested - line.allocated); }

  function allSites() {
    if (state.sites) return Promise.resolve(state.sites);
    return U.call("GET", "/coordination/sites", { token: state.token }).then(function (res) {
      if (res.ok) state.sites = res.data.sites;
      return state.sites || [];
    }, function () { return []; });
  }

  function fillSites() {
    var line = state.detail && state.detail.items[Number($("#uc-al-item").value)];
    var select = $("#uc-al-site");
    var first = select.options[0];
    select.textContent = "";
    select.appendChild(first);
    if (!line) return;
    var offering = (state.sites || []).filter(function (s) {
      return s.offers.some(function (o) { return o.design === line.design; });
    });
    offering.forEach(function (s) {
      var rate = s.offers.filter(function (o) { return o.design === line.design; })
        .map(function (o) { return o.units_per_day; }).reduce(function (a, b) { return a + b; }, 0);
      select.appendChild(el("option", { value: s.id, text: s.id + " – " + regionName(s.region) + " – " + t("per_day", { count: rate }) }));
    });
    if (offering.length === 1) select.value = offering[0].id;
    $("#uc-al-quantity").value = left(line) || "";
    var slot = $("#uc-al-site-error");
    slot.textContent = offering.length ? "" : t("no_site");
    slot.hidden = Boolean(offering.length);
  }

  function renderDetail(d) {
    state.detail = d;
    var heading = $("#uc-detail-h");
    heading.textContent = t("detail_heading", { reference: d.reference });
    var body = $(".uc-detail-body");
    body.textContent = "";
    body.appendChild(el("p", {}, [t("region") + ": " + regionName(d.region) + " · " + t("needed_by") + ": ",
      ltr(d.needed_by), " · " + t("status") + ": " + t("req_" + d.status) +
      (d.overdue ? " · " + t("overdue") : "")]));
    fill($("#uc-lines"), [t("item"), t("requested"), t("allocated"), t("produced"), t("shipped"), t("delivered"), t("left")],
      d.items.map(function (line) {
        return [designName(line.design, line.variant), line.requested, line.allocated, line.produced,
                line.shipped, line.delivered, left(line)];
      }), t("lines_table", { reference: d.reference }));
    var active = d.allocations;
    fill($("#uc-allocs"), [t("site"), t("item"), t("quantity"), t("day"), t("status")],
      active.map(function (a) {
        return [ltr(a.site), designName(a.design, a.variant), a.quantity, ltr(a.day),
                t("state_" + a.status) + (a.reason ? " (" + t("reason_" + a.reason) + ")" : "")];
      }), t("allocations_table", { reference: d.reference }));
    if (!active.length) {
      $("#uc-allocs-box").hidden = true;
      body.appendChild(el("p", { text: t("no_allocations") }));
    }
    var items = $("#uc-al-item");
    var current = items.value;
    items.textContent = "";
    d.items.forEach(function (line, i) {
      items.appendChild(el("option", { value: String(i),
        text: designName(line.design, line.variant) + " – " + t("left") + ": " + left(line) }));
    });
    var firstOpen = d.items.findIndex(function (line) { return left(line) > 0; });
    items.value = current && d.items[Number(current)] && left(d.items[Number(current)]) > 0 ? current
      : String(Math.max(0, firstOpen));
    fillSites();
    var list = $(".uc-repeats-list");
    list.textContent = "";
    (d.possible_repeats || []).forEach(function (into) {
      var b = button(t("merge_into", { reference: d.reference, into: into }), "uc-merge");
      b.addEventListener("click", function () { merge(d.reference, into); });
      list.appendChild(el("li", {}, [b]));
    });
    $(".uc-repeats-none").hidden = Boolean((d.possible_repeats || []).length);
    $(".uc-contact-list").hidden = true;
    $(".uc-contact-list").textContent = "";
    allocateForm.querySelector("[type=submit]").disabled = false;
    closeForm.querySelector("[type=submit]").disabled = false;
    detail.hidden = false;
  }

  function reloadDetail(reference) {
    return U.call("GET", "/coordination/requests/" + encodeURIComponent(reference), { token: state.token })
      .then(function (res) {
        if (res.ok) {
          renderDetail(res.data);
          state.requests = state.requests.map(function (r) { return r.reference === reference ? res.data : r; });
          renderRequests();
        }
      }, function () { /* the action's own message stands */ });
  }

  function openRequest(reference) {
    return api("GET", "/coordination/requests/" + encodeURIComponent(reference), undefined, requestsFb, function (d) {
      [allocateFb, closeFb, repeatsFb, contactFb].forEach(function (fb) { fb.clear(); });
      return allSites().then(function () {
        renderDetail(d);
        requestsFb.ok(t("detail_loaded", { reference: d.reference }));
        $("#uc-detail-h").focus();
      });
    });
  }

  U.init("console-allocate", function (form) {
    $("#uc-al-item").addEventListener("change", fillSites);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var d = state.detail;
      var v = formValues(form);
      allocateFb.clear();
      var missing = {};
      ["site", "quantity"].forEach(function (name) { if (!v[name]) missing[name] = U.reason("missing"); });
      if (Object.keys(missing).length) return allocateFb.error(t("invalid"), missing);
      var body = { reference: d.reference, item: Number(v.item), site: v.site, quantity: Number(v.quantity) };
      if (v.day) body.day = v.day;
      var line = d.items[body.item];
      api("POST", "/coordination/allocations", body, allocateFb, function (a) {
        state.sites = null;  // their load changed
        return allSites().then(function () { return reloadDetail(d.reference); }).then(function () {
          allocateFb.ok(t("allocated_ok", { quantity: a.quantity, design: designName(line.design, line.variant), site: a.site }));
        });
      });
    });
  });

  function merge(reference, into) {
    api("POST", "/coordination/requests/" + encodeURIComponent(reference) + "/merge", { into: into }, repeatsFb, function () {
      dropRequest(reference);
      repeatsFb.ok(t("merged", { reference: reference, into: into }));
    });
  }

  function dropRequest(reference) {
    state.requests = state.requests.filter(function (r) { return r.reference !== reference; });
    renderRequests();
    allocateForm.querySelector("[type=submit]").disabled = true;
    closeForm.querySelector("[type=submit]").disabled = true;
  }

  U.init("console-close", function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var reference = state.detail.reference;
      var reason = formValues(form).reason;
      closeFb.clear();
      if (!reason) return closeFb.error(t("invalid"), { reason: U.reason("missing") });
      api("POST", "/coordination/requests/" + encodeURIComponent(reference) + "/close", { reason: reason }, closeFb, function () {
        dropRequest(reference);
        closeFb.ok(t("closed", { reference: reference }));
      });
    });
  });

  contactBox.querySelector(".uc-show-contact").addEventListener("click", function () {
    var reference = state.detail.reference;
    api("GET", "/coordination/requests/" + encodeURIComponent(reference) + "/contact", undefined, contactFb, function (c) {
      var list = $(".uc-contact-list");
      list.textContent = "";
      var contact = c.contact || {};
      [["contact_name", contact.name], ["contact_email", contact.email], ["contact_phone", contact.phone],
       ["address", c.address], ["notes", c.notes]].forEach(function (pair) {
        if (!pair[1]) return;
        list.appendChild(el("dt", { text: t(pair[0]) }));
        list.appendChild(el("dd", {}, [pair[0] === "contact_email" || pair[0] === "contact_phone" ? ltr(pair[1]) : pair[1]]));
      });
      list.hidden = false;
      contactFb.ok(t("contact_shown"));
    });
  });

  // ------------------------------------------------------------------ sites
  var sitesFb = feedback($("#uc-sites-form"));

  // A site's contact, on demand: the API records each reveal in the audit log.
  function siteContactButton(id) {
    var b = button(t("show_site_contact", { site: id }), "uc-site-contact");
    b.addEventListener("click", function () {
      api("GET", "/coordination/sites/" + encodeURIComponent(id) + "/contact", undefined, sitesFb, function (c) {
        var contact = c.contact || {};
        var cell = b.parentNode;
        cell.textContent = "";
        [c.name, contact.name, contact.email, contact.phone].filter(Boolean).forEach(function (value, i) {
          if (i) cell.appendChild(el("br"));
          cell.appendChild(ltr(value));
        });
        sitesFb.ok(t("contact_shown"));
      });
    });
    return b;
  }
  U.init("console-sites", function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var v = formValues(form);
      api("GET", "/coordination/sites" + query({ region: v.region, design: v.design }), undefined, sitesFb, function (data) {
        if (!v.region && !v.design) state.sites = data.sites;
        fill($("#uc-sites"), [t("site"), t("region"), t("kind"), t("machines"), t("offers"), t("availability"), t("load"), t("site_contact")],
          data.sites.map(function (s) {
            var load = Object.keys(s.load_per_day || {}).sort().slice(0, 7).map(function (day) {
              return day + ": " + s.load_per_day[day];
            });
            return [ltr(s.id), regionName(s.region), s.kind || "",
                    Object.keys(s.machines || {}).map(function (k) { return k + " × " + s.machines[k]; }).join(", "),
                    s.offers.map(function (o) { return designName(o.design, o.variant) + ": " + t("per_day", { count: o.units_per_day }); }).join("; "),
                    ltr([s.availability.from, s.availability.until].filter(Boolean).join(" → ")),
                    load.length ? ltr(load.join(", ")) : t("no_load"), siteContactButton(s.id)];
          }));
        sitesFb.ok(data.sites.length ? t("sites_count", { count: data.sites.length }) : t("sites_none"));
      });
    });
  });

  // ------------------------------------------------------------------ the planner
  var planFb = feedback($("#uc-plan-form"));
  var acceptFb = feedback($("#uc-plan-form").parentNode, $(".uc-accept-error"), $(".uc-accept-status"));
  var acceptAll = $(".uc-accept-all");

  function lineKey(reference, item) { return reference + ":" + item; }

  function showResults(results) {
    var done = 0;
    results.forEach(function (r) {
      var row = root.querySelector('#uc-plan tr[data-line="' + lineKey(r.reference, r.item) + '"]');
      if (r.status === "accepted" || r.status === "partial") done += 1;
      if (!row) return;
      var cell = row.lastChild;
      cell.textContent = "";
      cell.appendChild(el("span", { className: "uc-result-" + r.status,
        text: t("line_" + r.status) + (r.error ? " (" + (r.error === "plan_outdated" ? t("plan_outdated") : r.error) + ")" : "") }));
    });
    return done;
  }

  function accept(lines, count) {
    var plan = state.plan;
    var body = lines ? { lines: lines } : {};
    return api("POST", "/coordination/plans/" + encodeURIComponent(plan.id) + "/accept", body, acceptFb, function (data) {
      count += showResults(data.lines);
      if (!lines && data.remaining > 0 && data.lines.length) return accept(null, count);
      state.sites = null;
      acceptFb.ok(t("plan_accepted", { count: count }));
      acceptAll.hidden = !root.querySelector("#uc-plan .uc-accept-line:not([disabled])");
    });
  }

  U.init("console-plan", function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var v = formValues(form);
      var body = {};
      if (v.region) body.region = v.region;
      if (v.days) body.days = Number(v.days);
      acceptFb.clear();
      acceptAll.hidden = true;
      api("POST", "/coordination/plans", body, planFb, function (plan) {
        state.plan = plan;
        var lines = plan.lines.filter(function (line) { return line.planned > 0; });
        fill($("#uc-plan"), [t("reference"), t("item"), t("region"), t("needed_by"), t("planned"), t("eta"), t("proposed_sites"), t("result")],
          lines.map(function (line) {
            var b = button(t("accept_line", { reference: line.reference, item: line.item + 1 }), "uc-accept-line");
            b.addEventListener("click", function () {
              b.disabled = true;
              accept([{ reference: line.reference, item: line.item }], 0);
            });
            return [ltr(line.reference), designName(line.design, line.variant), regionName(line.region), ltr(line.needed_by),
                    line.planned + "/" + line.requested, ltr(line.eta || ""),
                    line.allocations.map(function (c) { return c.site + ": " + c.quantity + " (" + c.day + ")"; }).join("; "), b];
          }));
        root.querySelectorAll("#uc-plan tbody tr").forEach(function (row, i) {
          row.setAttribute("data-line", lineKey(lines[i].reference, lines[i].item));
        });
        acceptAll.hidden = !lines.length;
        planFb.ok(lines.length ? t("plan_summary", { planned: plan.planned, demanded: plan.demanded,
          on_time: plan.on_time, bound: plan.bound_on_time }) : t("plan_empty"));
      });
    });
    acceptAll.addEventListener("click", function () {
      root.querySelectorAll("#uc-plan .uc-accept-line").forEach(function (b) { b.disabled = true; });
      accept(null, 0);
    });
  });

  // ------------------------------------------------------------------ the board
  var boardForm = $("#uc-board-form");
  var boardFb = feedback(boardForm);
  var board = $(".uc-board");

  function renderBoard(allocs) {
    board.textContent = "";
    STATUSES.forEach(function (status) {
      var group = allocs.filter(function (a) { return a.status === status; });
      if (!group.length) return;
      var id = "uc-board-" + status;
      board.appendChild(el("h3", { id: id + "-h", text: t("state_" + status) + " (" + group.length + ")" }));
      var table = el("table", { id: id }, [el("thead"), el("tbody")]);
      board.appendChild(el("div", { className: "usine-table", tabindex: "0", role: "region" }, [table]));
      fill(table, [t("reference"), t("item"), t("site"), t("quantity"), t("day"),
                   t("produced") + " / " + t("shipped") + " / " + t("delivered"), t("reason"), ""],
        group.map(function (a) {
          var action = el("div");
          if (CANCELLABLE[status]) {
            var b = button(t("cancel", { id: a.id }), "uc-cancel");
            var slot = el("p", { className: "usine-error", role: "alert", hidden: "" });
            b.addEventListener("click", function () { cancel(a, slot); });
            action.appendChild(b);
            action.appendChild(slot);
          }
          return [ltr(a.reference), designName(a.design, a.variant), ltr(a.site), a.quantity, ltr(a.day),
                  a.produced + " / " + a.shipped + " / " + a.delivered, a.reason ? t("reason_" + a.reason) : "", action];
        }), t("board_table", { status: t("state_" + status) }));
    });
  }

  function loadBoard() {
    var refs = state.requests.map(function (r) { return r.reference; });
    var found = [];
    var failed = null;
    boardFb.clear();
    boardFb.busy();
    // A few at a time: the allocations of each open request listed.
    function next() {
      var batch = refs.splice(0, 4);
      if (!batch.length || failed) return Promise.resolve();
      return Promise.all(batch.map(function (ref) {
        return U.call("GET", "/coordination/requests/" + encodeURIComponent(ref), { token: state.token }).then(function (res) {
          if (res.ok) found = found.concat(res.data.allocations);
          else if (res.status !== 404) failed = failed || res;
        });
      })).then(next);
    }
    return next().then(function () {
      if (failed) return explain(failed, boardFb);
      renderBoard(found);
      boardFb.ok(found.length ? t("board_count", { count: found.length }) : t("board_none"));
    }, function () { boardFb.error(t("network")); });
  }

  function cancel(a, slot) {
    var reason = $("#uc-cancel-reason").value;
    var rowFb = feedback(board, slot, boardForm.querySelector(".usine-status"));
    api("POST", "/coordination/allocations/" + encodeURIComponent(a.id) + "/cancel", { action: "cancel", reason: reason }, rowFb, function () {
      state.sites = null;
      return loadBoard().then(function () { boardFb.ok(t("cancelled_ok", { id: a.id })); });
    });
  }

  U.init("console-board", function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!state.token) return boardFb.error(t("need_token"));
      (state.requests.length ? Promise.resolve() : loadRequests(false)).then(loadBoard);
    });
  });

  // ------------------------------------------------------------------ the CSV export
  U.init("console-export", function (form) {
    var fb = feedback(form);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var v = formValues(form);
      download("/coordination/export.csv" + query({ region: v.region, from: v.from, to: v.to }),
               "usine-allocations-" + U.todayIso() + ".csv", fb);
    });
  });

  // ------------------------------------------------------------------ the audit log
  var auditFb = feedback($("#uc-audit-form"));
  var auditRows = [];
  function loadAudit(more) {
    var params = { day: state.auditDay };
    if (more) params.cursor = state.auditCursor;
    api("GET", "/coordination/audit" + query(params), undefined, auditFb, function (page) {
      auditRows = (more ? auditRows : []).concat(page.entries);
      state.auditCursor = page.cursor;
      fill($("#uc-audit"), [t("at"), t("actor"), t("action"), t("records"), t("detail")],
        auditRows.map(function (e) {
          var detailText = Object.keys(e.detail || {}).map(function (k) {
            var value = e.detail[k];
            return k + ": " + (Array.isArray(value) ? value.join(", ") : value);
          }).join("; ");
          return [ltr(e.at), ltr(e.actor), e.action, ltr(e.records.join(", ")), detailText];
        }), t("audit_table", { day: page.day }));
      $(".uc-audit-more").hidden = !page.cursor;
      auditFb.ok(auditRows.length ? t("audit_count", { count: auditRows.length }) : t("audit_none"));
    }, "forbidden_audit");
  }
  U.init("console-audit", function (form) {
    var day = $("#uc-audit-day");
    if (!day.value) day.value = U.todayIso();
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      state.auditDay = formValues(form).day;
      loadAudit(false);
    });
    $(".uc-audit-more").addEventListener("click", function () { loadAudit(true); });
  });

  // ------------------------------------------------------------------ token form
  var work = $(".uc-work");
  U.init("console-token", function (form) {
    var fb = feedback(form);
    var input = $("#uc-token");
    var forget = form.querySelector(".uc-forget");

    function opened(message) {
      work.hidden = false;
      forget.hidden = false;
      fb.ok(message);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var value = input.value.trim();
      fb.clear();
      if (!value) return fb.error(t("invalid"), { token: U.reason("missing") });
      state.token = value;
      state.sites = null;
      requestsFb.clear();
      api("GET", "/coordination/requests", undefined, fb, function (data) {
        keepToken(value);
        input.value = "";
        state.requests = data.requests;
        state.cursor = data.cursor;
        renderRequests();
        opened(t("token_ok"));
      }).then(function () {
        if (storedToken() !== value) {
          state.token = storedToken();
          var slot = $("#uc-token-error");
          if (!form.querySelector(".usine-general-error").hidden) {
            slot.textContent = form.querySelector(".usine-general-error").textContent;
            slot.hidden = false;
            form.querySelector(".usine-general-error").hidden = true;
            input.setAttribute("aria-invalid", "true");
            input.focus();
          }
        }
      });
    });

    forget.addEventListener("click", function () {
      forgetToken();
      state.requests = [];
      state.sites = null;
      state.detail = null;
      state.plan = null;
      work.hidden = true;
      detail.hidden = true;
      root.querySelectorAll(".uc-work table thead, .uc-work table tbody, .uc-board").forEach(function (n) { n.textContent = ""; });
      forget.hidden = true;
      fb.clear();
      fb.ok(t("token_forgotten"));
      input.focus();
    });

    var kept = storedToken();
    if (kept) {
      state.token = kept;
      opened(t("token_kept"));
      loadRequests(false);
    }
  });
})();
