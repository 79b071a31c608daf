/* The maker sign-up form (docs/<lang>/signup.md; markup from
 * docs/overrides/usine/maker-form.html, words from the page: usine-forms.js).
 *
 * Checks the answers with the API's own messages ([api.field] of the catalogs), posts
 * them as JSON to window.USINE.apiBaseUrl + "/makers" with an Idempotency-Key made once
 * per form fill, and shows the sign-up's id and its edit link. Opened with
 * "#id=M-...&token=...", it loads the sign-up to change it (PUT) or withdraw it (DELETE).
 */
(function () {
  "use strict";
  var U = window.UsineForms;
  var LIMITS = { machines: 50, offers: 20 };
  var EMAIL = /^[^\s@<>(),;:"\[\]\\]+@[^\s@<>(),;:"\[\]\\.]+(\.[^\s@<>(),;:"\[\]\\.]+)+$/;
  var PHONE = /^\+?[0-9 ().\-\/]+$/;
  var POSTCODE = /^[A-Za-z0-9][A-Za-z0-9 \-]*$/;
  var M = U.t, reason = U.reason;

  U.init("maker", function (form) {
    var VARIANTS = U.json("usine-maker-variants");
    var submit = form.querySelector("[type=submit]");
    var withdraw = form.querySelector(".usine-withdraw");
    var status = form.querySelector(".usine-status");
    var messages = U.messages(form);
    var templates = {};
    var idempotencyKey = U.newKey();
    var editing = null;  // {id, token} when changing an existing sign-up

    // ------------------------------------------------------------ repeating groups
    function rowsOf(group) {
      return form.querySelectorAll('.usine-items[data-group="' + group + '"] > .usine-item');
    }
    function renumber(group) {
      var rows = rowsOf(group);
      U.renumber(rows, group, function (n) { return M(group === "machines" ? "machine_n" : "offer_n", { n: n }); });
      form.querySelector('.usine-add-item[data-group="' + group + '"]').hidden =
        rows.length >= LIMITS[group];
    }
    function addRow(group) {
      var row = templates[group].cloneNode(true);
      row.querySelectorAll("input, select").forEach(function (el) { el.value = ""; });
      form.querySelector('.usine-items[data-group="' + group + '"]').appendChild(row);
      renumber(group);
      return row;
    }
    ["machines", "offers"].forEach(function (group) {
      templates[group] = rowsOf(group)[0].cloneNode(true);
      renumber(group);
    });
    form.addEventListener("click", function (event) {
      var add = event.target.closest(".usine-add-item");
      if (add) {
        addRow(add.dataset.group).querySelector("select, input").focus();
        return;
      }
      var remove = event.target.closest(".usine-remove-item");
      if (remove) {
        var row = remove.closest(".usine-item");
        var group = row.parentNode.dataset.group;
        row.remove();
        renumber(group);
        form.querySelector('.usine-add-item[data-group="' + group + '"]').focus();
      }
    });
    function fillVariants(row, chosen) {
      var design = row.querySelector('[name$=".design"]').value;
      var select = row.querySelector('[name$=".variant"]');
      var first = select.options[0].cloneNode(true);
      select.textContent = "";
      select.appendChild(first);
      (VARIANTS[design] || []).forEach(function (v) {
        var option = document.createElement("option");
        option.value = v;
        option.textContent = v;
        select.appendChild(option);
      });
      select.value = chosen || "";
    }
    form.addEventListener("change", function (event) {
      if (/^offers\.\d+\.design$/.test(event.target.name || "")) {
        fillVariants(event.target.closest(".usine-item"));
      }
    });
    var from = form.elements.namedItem("availability.from");
    if (from) from.min = U.todayIso();

    // ------------------------------------------------------------ body and checks
    function val(name) {
      var el = form.elements.namedItem(name);
      if (!el) return "";
      if (el.type === "checkbox") return el.checked;
      return el.value.trim();
    }
    function integer(text) { return /^-?\d+$/.test(text) ? parseInt(text, 10) : text; }

    function collect() {
      var body = {
        name: val("name"), kind: val("kind"),
        contact: { name: val("contact.name"), email: val("contact.email") },
        region: val("region"), postcode: val("postcode"),
        machines: [], materials: [], offers: [],
        availability: { from: val("availability.from") },
        consent: val("consent") === true
      };
      if (val("contact.phone")) body.contact.phone = val("contact.phone");
      if (val("availability.until")) body.availability.until = val("availability.until");
      body.materials = val("materials").split(/[,،;]/).map(function (s) { return s.trim(); })
        .filter(Boolean);
      Array.prototype.forEach.call(rowsOf("machines"), function (row, n) {
        var p = "machines." + n + ".";
        var machine = { technology: val(p + "technology"), model: val(p + "model"),
                        count: integer(val(p + "count")) };
        var volume = [0, 1, 2].map(function (i) { return val(p + "build_volume_mm." + i); });
        if (volume.some(Boolean)) machine.build_volume_mm = volume.map(function (v) {
          return v === "" ? 0 : integer(v);
        });
        body.machines.push(machine);
      });
      Array.prototype.forEach.call(rowsOf("offers"), function (row, n) {
        var p = "offers." + n + ".";
        var offer = { design: val(p + "design"), units_per_day: integer(val(p + "units_per_day")) };
        if (val(p + "variant")) offer.variant = val(p + "variant");
        body.offers.push(offer);
      });
      var trap = val("website");
      if (trap) body.website = trap;
      return body;
    }

    // Mirrors the API's rules (serverless/chalicelib/maker_models.py), in its words.
    function check(body) {
      var errors = {};
      function need(path, value, max) {
        if (value === "" || value === undefined) errors[path] = reason("missing");
        else if (max && value.length > max) errors[path] = reason("string_too_long", { max_length: max });
      }
      function number(path, value, ge, le) {
        if (value === "" || value === undefined) errors[path] = reason("missing");
        else if (typeof value !== "number") errors[path] = reason("int_type");
        else if (value < ge) errors[path] = reason("greater_than_equal", { ge: ge });
        else if (value > le) errors[path] = reason("less_than_equal", { le: le });
      }
      need("name", body.name, 200);
      need("kind", body.kind);
      need("contact.name", body.contact.name, 120);
      need("contact.email", body.contact.email, 254);
      if (!errors["contact.email"] && !EMAIL.test(body.contact.email)) errors["contact.email"] = reason("email");
      if (body.contact.phone) {
        var digits = body.contact.phone.replace(/\D/g, "").length;
        if (!PHONE.test(body.contact.phone) || digits < 6 || digits > 20) errors["contact.phone"] = reason("phone");
      }
      need("region", body.region);
      need("postcode", body.postcode, 12);
      if (!errors.postcode && !POSTCODE.test(body.postcode)) errors.postcode = reason("postcode");
      body.machines.forEach(function (m, n) {
        var p = "machines." + n + ".";
        need(p + "technology", m.technology);
        need(p + "model", m.model, 100);
        number(p + "count", m.count, 1, 1000);
        (m.build_volume_mm || []).forEach(function (v) {
          if (typeof v !== "number" || v < 0 || v > 5000) {
            errors[p + "build_volume_mm"] = reason(typeof v !== "number" ? "int_type" :
              v < 0 ? "greater_than_equal" : "less_than_equal", { ge: 0, le: 5000 });
          }
        });
      });
      body.materials.forEach(function (m, n) {
        if (m.length > 60) errors["materials." + n] = reason("string_too_long", { max_length: 60 });
      });
      if (body.materials.length > 30) errors.materials = reason("too_long", { max_length: 30 });
      var seen = {};
      body.offers.forEach(function (o, n) {
        var p = "offers." + n + ".";
        need(p + "design", o.design);
        number(p + "units_per_day", o.units_per_day, 1, 100000);
        var key = o.design + "|" + (o.variant || "");
        if (o.design && seen[key]) errors.offers = reason("duplicate_design", { design: o.design });
        seen[key] = true;
      });
      var today = U.todayIso();
      var start = body.availability.from;
      if (!start) errors["availability.from"] = reason("missing");
      else if (!editing && start < today) errors["availability.from"] = reason("date_past");
      var until = body.availability.until;
      if (until && start && until < start) errors["availability.until"] = reason("date_order");
      else if (until && until < today) errors["availability.until"] = reason("date_past");
      if (body.consent !== true) errors.consent = reason("consent");
      return errors;
    }

    // ------------------------------------------------------------ messages
    function say(nodes) {
      status.textContent = "";
      nodes.forEach(function (node) { status.appendChild(node); });
    }
    function para(text, strongText, cls) {
      var p = document.createElement("p");
      p.appendChild(document.createTextNode(text));
      if (strongText) {
        p.appendChild(document.createTextNode(" "));
        var strong = document.createElement("strong");
        strong.className = cls || "";
        strong.textContent = strongText;
        p.appendChild(strong);
      }
      return p;
    }
    function editLink(id, token) {
      return location.href.split("#")[0] + "#id=" + encodeURIComponent(id) +
        "&token=" + encodeURIComponent(token);
    }

    // ------------------------------------------------------------ talking to the API
    function call(method, path, body, token) {
      return U.call(method, path, { body: body, token: token,
                                    idempotencyKey: method === "POST" ? idempotencyKey : null });
    }
    function failed(result) {
      if (result.status === 400 && result.data.fields) messages.showFields(result.data.fields, result.data.message);
      else if (result.status === 404) messages.showGeneral([M("not_found"), messages.contactLine()]);
      else messages.showGeneral([M("server", { status: result.status }), result.data.message, messages.contactLine()]);
    }
    function offline() { status.textContent = ""; messages.showGeneral([M("network"), messages.contactLine()]); }

    function fill(record) {
      ["name", "kind", "region", "postcode"].forEach(function (k) {
        form.elements.namedItem(k).value = record[k] || "";
      });
      ["name", "email", "phone"].forEach(function (k) {
        form.elements.namedItem("contact." + k).value = (record.contact || {})[k] || "";
      });
      form.elements.namedItem("materials").value = (record.materials || []).join(", ");
      form.elements.namedItem("availability.from").value = (record.availability || {}).from || "";
      form.elements.namedItem("availability.until").value = (record.availability || {}).until || "";
      form.elements.namedItem("consent").checked = true;
      ["machines", "offers"].forEach(function (group) {
        var list = record[group] || [];
        while (rowsOf(group).length < Math.max(1, list.length)) addRow(group);
        list.forEach(function (item, n) {
          var p = group + "." + n + ".";
          Object.keys(item).forEach(function (k) {
            if (k === "build_volume_mm") {
              (item[k] || []).forEach(function (v, i) {
                form.elements.namedItem(p + k + "." + i).value = v;
              });
            } else if (k !== "variant" && form.elements.namedItem(p + k)) {
              form.elements.namedItem(p + k).value = item[k] === null ? "" : item[k];
            }
          });
          if (group === "offers") fillVariants(rowsOf("offers")[n], item.variant);
        });
      });
    }

    function startEditing(id, token) {
      editing = { id: id, token: token };
      submit.textContent = M("update");
      withdraw.hidden = false;
      say([para(M("loading"))]);
      call("GET", "/makers/" + encodeURIComponent(id), undefined, token).then(function (result) {
        status.textContent = "";
        if (result.ok) fill(result.data);
        else {
          editing = null;
          submit.textContent = M("submit");
          withdraw.hidden = true;
          failed(result);
        }
      }, offline);
    }

    withdraw.addEventListener("click", function () {
      if (!editing || !window.confirm(M("confirm_withdraw"))) return;
      messages.clear();
      call("DELETE", "/makers/" + encodeURIComponent(editing.id), undefined, editing.token)
        .then(function (result) {
          if (!result.ok) return failed(result);
          editing = null;
          form.reset();
          withdraw.hidden = true;
          submit.textContent = M("submit");
          history.replaceState(null, "", location.href.split("#")[0]);
          say([para(M("withdrawn"))]);
        }, offline);
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      messages.clear();
      status.textContent = "";
      if (!U.apiConfigured()) {
        messages.showGeneral([M("no_api"), messages.contactLine()]);
        return;
      }
      var body = collect();
      var errors = check(body);
      if (Object.keys(errors).length) {
        messages.showFields(errors);
        return;
      }
      submit.disabled = true;
      say([para(M("sending"))]);
      var request = editing
        ? call("PUT", "/makers/" + encodeURIComponent(editing.id), body, editing.token)
        : call("POST", "/makers", body);
      request.then(function (result) {
        status.textContent = "";
        if (!result.ok) return failed(result);
        if (editing) {
          say([para(M("updated"))]);
          return;
        }
        var link = document.createElement("a");
        link.className = "usine-edit-link";
        link.href = editLink(result.data.id, result.data.edit_token);
        link.textContent = link.href;
        var keep = para(M("keep_link"));
        keep.appendChild(document.createElement("br"));
        keep.appendChild(link);
        say([para(M("created"), result.data.id, "usine-reference"), keep]);
        form.reset();
        idempotencyKey = U.newKey();  // a new sign-up from now on
      }, offline).then(function () { submit.disabled = false; });
    });

    var hash = U.fromHash();
    if (hash.id && hash.token && U.apiConfigured()) startEditing(hash.id, hash.token);
  });
})();
