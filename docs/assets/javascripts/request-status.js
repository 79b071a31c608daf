/* The request-status page (docs/<lang>/status.md; HTML from scripts/sitegen/coordination_forms.py).
 *
 * Asks GET window.USINE.apiBaseUrl + "/requests/<reference>" with the tracking code in the
 * Authorization header (never in the URL), and shows the status and, per part, the
 * quantities requested, allocated and delivered. A tracking link
 * "status.html#ref=R-...&token=..." fills the form and asks at once; the fragment never
 * leaves the browser. Plain JS, no framework, no third-party request.
 */
(function () {
  "use strict";
  if (window.__usineRequestStatus) return;
  window.__usineRequestStatus = true;

  var UI = {
    en: {
      loading: "Looking up the request…",
      missing: "is required",
      notFound: "No request matches this reference and tracking code. Check both; the code is case-sensitive.",
      network: "The service cannot be reached. Check your connection and try again.",
      server: "The service could not answer (error {status}). Try again later.",
      noApi: "This copy of the site has no request service configured.",
      heading: "Request {reference}", status: "Status", neededBy: "Needed by",
      design: "Part", variant: "Variant", requested: "Requested", allocated: "Allocated to makers",
      delivered: "Delivered", anyVariant: "any",
      s_submitted: "Received, waiting for makers", s_matched: "Makers found, production planned",
      s_in_progress: "Partly delivered", s_delivered: "Delivered", s_closed: "Closed",
      s_expired: "Expired"
    },
    fr: {
      loading: "Recherche de la demande…",
      missing: "est obligatoire",
      notFound: "Aucune demande ne correspond à cette référence et à ce code de suivi. Vérifiez-les ; le code distingue majuscules et minuscules.",
      network: "Le service est injoignable. Vérifiez votre connexion et réessayez.",
      server: "Le service n'a pas pu répondre (erreur {status}). Réessayez plus tard.",
      noApi: "Cette copie du site n'a pas de service de demandes configuré.",
      heading: "Demande {reference}", status: "État", neededBy: "Date limite",
      design: "Pièce", variant: "Variante", requested: "Demandées", allocated: "Attribuées à des fabricants",
      delivered: "Livrées", anyVariant: "toutes",
      s_submitted: "Reçue, en attente de fabricants", s_matched: "Fabricants trouvés, production prévue",
      s_in_progress: "Livrée en partie", s_delivered: "Livrée", s_closed: "Close",
      s_expired: "Expirée"
    },
    ar: {
      loading: "جارٍ البحث عن الطلب…",
      missing: "حقل إلزامي",
      notFound: "لا يوجد طلب يطابق هذا المرجع ورمز المتابعة. تحققوا منهما؛ الرمز يميّز بين الأحرف الكبيرة والصغيرة.",
      network: "تعذّر الوصول إلى الخدمة. تحققوا من الاتصال وحاولوا مجدداً.",
      server: "لم تتمكن الخدمة من الرد (خطأ {status}). حاولوا لاحقاً.",
      noApi: "لم تُضبط خدمة الطلبات في هذه النسخة من الموقع.",
      heading: "الطلب {reference}", status: "الحالة", neededBy: "مطلوب قبل",
      design: "القطعة", variant: "النسخة", requested: "المطلوب", allocated: "المُسند إلى الصانعين",
      delivered: "المُسلَّم", anyVariant: "أي نسخة",
      s_submitted: "تم الاستلام، في انتظار الصانعين", s_matched: "تم إيجاد صانعين، الإنتاج مخطط",
      s_in_progress: "سُلّم جزئياً", s_delivered: "تم التسليم", s_closed: "مغلق",
      s_expired: "منتهي الصلاحية"
    }
  };

  var config = window.USINE || {};
  var lang = config.lang || document.documentElement.lang || "en";
  var M = Object.assign({}, UI.en, UI[lang] || UI[lang.split("-")[0]] || {});

  function fmt(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (all, key) {
      return values[key] === undefined ? all : values[key];
    });
  }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }
  function fromHash() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var kv = part.split("=");
      if (kv[0]) out[decodeURIComponent(kv[0])] = decodeURIComponent(kv[1] || "");
    });
    return out;
  }
  // " r-7k3m 9q2x " -> "R-7K3M9Q2X" (the API accepts both; this keeps the URL tidy).
  function tidyReference(text) {
    var body = text.trim().toUpperCase().replace(/^R\s*-?/, "").replace(/[\s-]/g, "");
    return "R-" + body;
  }

  function setup(form) {
    var titlesEl = document.getElementById("usine-status-designs");
    var titles = titlesEl ? JSON.parse(titlesEl.textContent) : {};
    var submit = form.querySelector("[type=submit]");
    // Disabled in the markup: without this script nothing can be sent (no personal value
    // may end up in a URL or reach the page's host).
    submit.disabled = false;
    var out = form.querySelector(".usine-progress");
    var general = form.querySelector(".usine-general-error");

    function clear() {
      general.hidden = true;
      general.textContent = "";
      out.textContent = "";
      form.querySelectorAll(".usine-error").forEach(function (p) { p.hidden = true; p.textContent = ""; });
      form.querySelectorAll("[aria-invalid]").forEach(function (n) { n.removeAttribute("aria-invalid"); });
    }
    function fieldError(name, text) {
      var slot = document.getElementById("f-" + name + "-error");
      slot.textContent = text;
      slot.hidden = false;
      form.elements.namedItem(name).setAttribute("aria-invalid", "true");
    }
    function fail(text) {
      general.textContent = text;
      general.hidden = false;
    }

    function show(data) {
      var box = el("div", null, "usine-request-progress");
      box.appendChild(el("h2", fmt(M.heading, { reference: data.reference })));
      var dl = el("dl");
      dl.appendChild(el("dt", M.status));
      dl.appendChild(el("dd", M["s_" + data.status] || data.status, "usine-request-state"));
      dl.appendChild(el("dt", M.neededBy));
      dl.appendChild(el("dd", data.needed_by));
      box.appendChild(dl);
      var table = el("table", null, "usine-progress-table");
      var head = el("tr");
      [M.design, M.variant, M.requested, M.allocated, M.delivered].forEach(function (h) {
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
        [titles[item.design] || item.design, item.variant || M.anyVariant,
         item.requested, item.allocated, item.delivered].forEach(function (v) {
          tr.appendChild(el("td", String(v)));
        });
        tbody.appendChild(tr);
      });
      table.appendChild(tbody);
      box.appendChild(table);
      out.appendChild(box);
    }

    function ask() {
      clear();
      var ref = form.elements.namedItem("reference").value;
      var token = form.elements.namedItem("token").value.trim();
      if (!ref.trim()) fieldError("reference", M.missing);
      if (!token) fieldError("token", M.missing);
      if (!ref.trim() || !token) return;
      if (!config.apiBaseUrl) return fail(M.noApi);
      var reference = tidyReference(ref);
      submit.disabled = true;
      out.textContent = M.loading;
      fetch(config.apiBaseUrl.replace(/\/+$/, "") + "/requests/" + encodeURIComponent(reference), {
        headers: { "Authorization": "Bearer " + token, "Accept-Language": lang }
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          out.textContent = "";
          if (response.ok) show(data);
          else if (response.status === 404) fail(M.notFound);
          else fail(fmt(M.server, { status: response.status }) + (data.message ? " " + data.message : ""));
        });
      }, function () {
        out.textContent = "";
        fail(M.network);
      }).then(function () { submit.disabled = false; });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      ask();
    });

    var hash = fromHash();
    if (hash.ref) form.elements.namedItem("reference").value = hash.ref;
    if (hash.token) form.elements.namedItem("token").value = hash.token;
    if (hash.ref && hash.token) ask();
  }

  function init() {
    document.querySelectorAll("form[data-usine-form=status]").forEach(setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
