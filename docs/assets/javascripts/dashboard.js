/* The public dashboard (docs/<lang>/dashboard.md, markup from scripts/sitegen/dashboard.py):
 * demand against capacity by region and design (GET /stats), and per day the parts
 * requested, delivered and the makers' capacity (GET /feed.json), drawn with the vendored
 * uPlot (window.uPlot, loaded by this page only) and given again in two tables.
 *
 * Both answers are public and cached by the API (/stats 30 s, the feed 5 min); the refresh
 * and retry buttons ask again past the browser's copy (cache "no-cache"). The filters
 * change what is drawn from the answers already read, without calling the API.
 * Words come from the page (usine-words); region and design names from hub-config.js;
 * dates and numbers in the page's language (Intl). Right to left, time runs right to left
 * (x scale dir -1) and the values' axis stands on the right.
 * Table contract (tests/browser): #ud-regions, tbody tr[data-region][data-design] with
 * td[data-col=open|delivered|capacity]; #ud-days, tr[data-day=YYYY-MM-DD] with
 * td[data-col=requested|delivered|capacity]. The uPlot instances are
 * window.UsineDashboard.charts.regions and .days (the tests read their scales).
 */
(function () {
  "use strict";
  var U = window.UsineForms;
  var root = document.getElementById("usine-dashboard");
  if (!U || !root) return;
  var t = U.t;
  var config = U.config;
  var lang = config.lang || document.documentElement.lang || "en";
  var rtl = getComputedStyle(root).direction === "rtl";
  var DAY_S = 86400;
  var HEIGHT = 260;
  // Okabe-Ito colours (told apart with the common colour-vision deficiencies); capacity
  // is also dashed on the time chart.
  var COLORS = { requested: "#d55e00", open: "#d55e00", delivered: "#009e73", capacity: "#0072b2" };
  var number = new Intl.NumberFormat(lang);
  var shortDay = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", timeZone: "UTC" });
  var longDay = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: "UTC" });
  var moment = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  var state = { stats: null, feed: null, busy: false };
  var charts = {};
  window.UsineDashboard = { charts: charts };

  function $(selector) { return root.querySelector(selector); }
  var status = $(".ud-status");
  var errorBox = $(".ud-error");
  var refresh = $(".ud-refresh");
  var filters = $(".ud-filters");
  var regionSelect = $("#ud-region");
  var designSelect = $("#ud-design");
  var sections = root.querySelectorAll(".ud-section");

  // The tables, made here inside their regions (a table in the markup would be wrapped
  // in a second region by the build, scripts/sitegen/tables.py).
  root.querySelectorAll("[data-table]").forEach(function (region) {
    var table = document.createElement("table");
    table.id = region.getAttribute("data-table");
    table.appendChild(document.createElement("thead"));
    table.appendChild(document.createElement("tbody"));
    region.appendChild(table);
  });

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fmt(n) { return number.format(n || 0); }
  function dayToSeconds(iso) {
    return Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / 1000;
  }
  function secondsToDay(s) { return new Date(s * 1000).toISOString().slice(0, 10); }
  function dayText(iso) { return longDay.format(new Date(dayToSeconds(iso) * 1000)); }

  function byId(list, key, id) {
    for (var i = 0; i < list.length; i++) if (list[i][key] === id) return i;
    return -1;
  }
  function regionName(id) {
    var i = byId(config.regions || [], "id", id);
    return i < 0 ? id : config.regions[i].name;
  }
  function designName(slug) {
    var i = byId(config.designs || [], "slug", slug);
    return i < 0 ? slug : config.designs[i].title;
  }
  // Hub order (hub.toml's regions, the published designs), then the others by id.
  function order(list, key, id) {
    var i = byId(list || [], key, id);
    return i < 0 ? 1e6 : i;
  }
  function compareRows(a, b) {
    return order(config.regions, "id", a.region) - order(config.regions, "id", b.region) ||
      (a.region < b.region ? -1 : a.region > b.region ? 1 : 0) ||
      order(config.designs, "slug", a.design) - order(config.designs, "slug", b.design) ||
      (a.design < b.design ? -1 : a.design > b.design ? 1 : 0);
  }

  function chosen() { return { region: regionSelect.value, design: designSelect.value }; }
  function matches(row, f) {
    return (!f.region || row.region === f.region) && (!f.design || row.design === f.design);
  }

  // ------------------------------------------------------------------ figures
  // (region, design) rows of /stats: still to deliver, delivered, capacity per day.
  function regionRows(f) {
    var rows = {};
    function row(r) {
      var key = r.region + "\u0000" + r.design;
      return rows[key] || (rows[key] = { region: r.region, design: r.design, open: 0, delivered: 0, capacity: 0 });
    }
    (state.stats.requests || []).forEach(function (r) {
      if (!matches(r, f)) return;
      var x = row(r);
      x.open += r.quantity_open || 0;
      x.delivered += r.quantity_delivered || 0;
    });
    (state.stats.capacity || []).forEach(function (r) {
      if (matches(r, f)) row(r).capacity += r.units_per_day || 0;
    });
    return Object.keys(rows).map(function (k) { return rows[k]; })
      .filter(function (r) { return r.open || r.delivered || r.capacity; }).sort(compareRows);
  }

  // Every day of the feed's window, with the sums of the rows the filters keep.
  function dayRows(f) {
    var feed = state.feed;
    var sums = {};
    (feed.rows || []).forEach(function (r) {
      if (!matches(r, f)) return;
      var s = sums[r.day] || (sums[r.day] = [0, 0, 0]);
      s[0] += r.requested || 0;
      s[1] += r.delivered || 0;
      s[2] += r.capacity_units_per_day || 0;
    });
    var out = [];
    for (var s = dayToSeconds(feed.since), end = dayToSeconds(feed.until); s <= end; s += DAY_S) {
      var day = secondsToDay(s);
      var v = sums[day] || [0, 0, 0];
      out.push({ day: day, at: s, requested: v[0], delivered: v[1], capacity: v[2] });
    }
    return out;
  }

  // ------------------------------------------------------------------ tables
  function fill(id, headers, rows) {
    var table = document.getElementById(id);
    var head = table.querySelector("thead");
    var body = table.querySelector("tbody");
    head.textContent = "";
    body.textContent = "";
    var tr = el("tr");
    headers.forEach(function (h) { tr.appendChild(el("th", { scope: "col" }, h)); });
    head.appendChild(tr);
    rows.forEach(function (r) { body.appendChild(r); });
    table.closest(".usine-table").hidden = rows.length === 0;
  }

  function numberCells(tr, row, cols) {
    cols.forEach(function (col) { tr.appendChild(el("td", { "data-col": col }, fmt(row[col]))); });
    return tr;
  }

  function regionsTable(rows) {
    fill("ud-regions", [t("col_region"), t("col_design"), t("col_open"), t("col_delivered"), t("col_capacity")],
      rows.map(function (r) {
        var tr = el("tr", { "data-region": r.region, "data-design": r.design });
        tr.appendChild(el("th", { scope: "row" }, regionName(r.region)));
        tr.appendChild(el("td", {}, designName(r.design)));
        return numberCells(tr, r, ["open", "delivered", "capacity"]);
      }));
  }

  // Days with a figure, the latest first.
  function daysTable(days) {
    fill("ud-days", [t("col_day"), t("col_requested"), t("col_delivered"), t("col_capacity")],
      days.filter(function (d) { return d.requested || d.delivered || d.capacity; }).reverse().map(function (d) {
        var tr = el("tr", { "data-day": d.day });
        var th = el("th", { scope: "row" });
        th.appendChild(el("time", { datetime: d.day }, dayText(d.day)));
        tr.appendChild(th);
        return numberCells(tr, d, ["requested", "delivered", "capacity"]);
      }));
  }

  // ------------------------------------------------------------------ charts
  var INCRS = [];
  [1, 10, 100, 1000, 10000, 100000, 1000000].forEach(function (p) {
    [1, 2, 5].forEach(function (m) { INCRS.push(m * p); });
  });

  function width(box) { return Math.max(200, Math.floor(box.getBoundingClientRect().width)); }

  // Room for the longest label of an axis, measured with the axis's font.
  function axisSize(u, values, axisIdx, cycleNum) {
    var axis = u.axes[axisIdx];
    if (cycleNum > 1) return axis._size;
    var size = axis.ticks.size + axis.gap + 4;
    var longest = (values || []).reduce(function (a, v) { return String(v).length > a.length ? String(v) : a; }, "");
    if (longest) {
      u.ctx.font = axis.font[0];
      size += u.ctx.measureText(longest).width / (window.devicePixelRatio || 1);
    }
    return Math.ceil(size);
  }

  function valueAxis() {
    return { side: rtl ? 1 : 3, incrs: INCRS, size: axisSize,
             values: function (u, splits) { return splits.map(fmt); } };
  }
  function valueScale() {
    return { range: function (u, min, max) { return [0, Math.max(4, Math.ceil((max || 0) * 1.1))]; } };
  }
  function series(key, label, extra) {
    var s = { label: label, stroke: COLORS[key], width: 2,
              value: function (u, v) { return v == null ? "" : fmt(v); } };
    Object.keys(extra || {}).forEach(function (k) { s[k] = extra[k]; });
    return s;
  }

  function draw(name, box, options, data) {
    if (charts[name]) charts[name].destroy();
    options.width = width(box);
    options.height = options.height || HEIGHT;
    charts[name] = new window.uPlot(options, data, box);
  }

  // Quantity open, delivered and capacity of each region (the filters' designs summed), as
  // horizontal bars: one band per region, named beside it (left to right, on the left;
  // right to left, on the right, the bars growing leftwards). x is the region's rank
  // (vertical, top down), each series a bar offset in its band.
  function regionsChart(rows) {
    var regions = [];
    var sums = {};
    rows.forEach(function (r) {
      if (!sums[r.region]) { sums[r.region] = [0, 0, 0]; regions.push(r.region); }
      sums[r.region][0] += r.open;
      sums[r.region][1] += r.delivered;
      sums[r.region][2] += r.capacity;
    });
    var n = regions.length;
    var names = regions.map(regionName);
    var xs = regions.map(function (r, i) { return i; });
    var BAR = 0.28;
    function bars(k) {
      return window.uPlot.paths.bars({ disp: {
        x0: { unit: 1, values: function (u) { return u.data[0].map(function (x) { return x - 1.5 * BAR + k * BAR; }); } },
        size: { unit: 2, values: function () { return [BAR / n]; } }
      } });
    }
    function barSeries(k, key, label) {
      return series(key, label, { fill: COLORS[key], width: 0, paths: bars(k), points: { show: false } });
    }
    // A region's name is cut (…) past 40 % of the chart's width; the table has it whole.
    function fit(u, text) {
      var room = 0.4 * u.width;
      u.ctx.font = u.axes[0].font[0];
      var ratio = window.devicePixelRatio || 1;
      if (u.ctx.measureText(text).width / ratio <= room) return text;
      while (text.length > 1 && u.ctx.measureText(text + "\u2026").width / ratio > room) text = text.slice(0, -1);
      return text + "\u2026";
    }
    var box = document.getElementById("ud-regions-chart");
    draw("regions", box, {
      height: 70 + n * 44,
      scales: { x: { time: false, ori: 1, dir: -1, range: function () { return [-0.5, n - 0.5]; } },
                y: { ori: 0, dir: rtl ? -1 : 1, range: valueScale().range } },
      axes: [
        { side: rtl ? 1 : 3, splits: function () { return xs; }, grid: { show: false }, size: axisSize,
          values: function (u, splits) { return splits.map(function (i) { return names[i] === undefined ? "" : fit(u, names[i]); }); } },
        { side: 2, incrs: INCRS, values: function (u, splits) { return splits.map(fmt); } }
      ],
      cursor: { points: { show: false } },
      legend: { live: true },
      series: [
        { label: t("col_region"), value: function (u, i) { return i == null || names[i] === undefined ? "" : names[i]; } },
        barSeries(0, "open", t("col_open")),
        barSeries(1, "delivered", t("col_delivered")),
        barSeries(2, "capacity", t("col_capacity"))
      ]
    }, [xs, regions.map(function (r) { return sums[r][0]; }), regions.map(function (r) { return sums[r][1]; }),
        regions.map(function (r) { return sums[r][2]; })]);
    var total = [0, 1, 2].map(function (k) { return regions.reduce(function (a, r) { return a + sums[r][k]; }, 0); });
    box.setAttribute("aria-label", t("regions_chart", { open: fmt(total[0]), delivered: fmt(total[1]), capacity: fmt(total[2]) }));
  }

  function daysChart(days) {
    var box = document.getElementById("ud-days-chart");
    draw("days", box, {
      tzDate: function (s) { return window.uPlot.tzDate(new Date(s * 1000), "Etc/UTC"); },
      scales: { x: { time: true, dir: rtl ? -1 : 1 }, y: valueScale() },
      axes: [
        { incrs: [DAY_S, 2 * DAY_S, 7 * DAY_S, 14 * DAY_S, 28 * DAY_S, 91 * DAY_S],
          space: 70, values: function (u, splits) { return splits.map(function (s) { return shortDay.format(new Date(s * 1000)); }); } },
        valueAxis()
      ],
      legend: { live: true },
      series: [
        { label: t("col_day"), value: function (u, s) { return s == null ? "" : longDay.format(new Date(s * 1000)); } },
        series("requested", t("col_requested")),
        series("delivered", t("col_delivered")),
        series("capacity", t("col_capacity"), { dash: [6, 4] })
      ]
    }, [days.map(function (d) { return d.at; }), days.map(function (d) { return d.requested; }),
        days.map(function (d) { return d.delivered; }), days.map(function (d) { return d.capacity; })]);
    var last = days[days.length - 1] || { capacity: 0 };
    box.setAttribute("aria-label", t("days_chart", {
      since: dayText(state.feed.since), until: dayText(state.feed.until),
      requested: fmt(days.reduce(function (a, d) { return a + d.requested; }, 0)),
      delivered: fmt(days.reduce(function (a, d) { return a + d.delivered; }, 0)),
      capacity: fmt(last.capacity) }));
  }

  // Each chart follows the width of its box (a phone turned, a window resized).
  if (window.ResizeObserver) {
    var observer = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) {
        var name = entry.target.id === "ud-days-chart" ? "days" : "regions";
        var chart = charts[name];
        var w = Math.max(200, Math.floor(entry.contentRect.width));
        if (chart && Math.abs(chart.width - w) > 1) chart.setSize({ width: w, height: chart.height });
      });
    });
    ["ud-regions-chart", "ud-days-chart"].forEach(function (id) { observer.observe(document.getElementById(id)); });
  }

  // ------------------------------------------------------------------ the page's states
  function section(i, has) {
    var s = sections[i];
    s.hidden = false;
    s.querySelector(".ud-none").hidden = has;
    s.querySelector(".ud-chart").hidden = !has;
  }

  function render() {
    var f = chosen();
    var empty = !(state.stats.requests || []).length && !(state.stats.capacity || []).length &&
      !(state.feed.rows || []).length;
    status.textContent = empty ? t("empty") : t("as_of", { time: moment.format(new Date(state.stats.generated_at)) });
    filters.hidden = empty;
    sections.forEach(function (s) { s.hidden = empty; });
    $(".ud-days-help").textContent = t("days_help", { since: dayText(state.feed.since), until: dayText(state.feed.until) });
    if (empty) return;
    var rows = regionRows(f);
    var days = dayRows(f);
    var anyDay = days.some(function (d) { return d.requested || d.delivered || d.capacity; });
    section(0, rows.length > 0);
    section(1, anyDay);
    regionsTable(rows);
    daysTable(days);
    if (rows.length) regionsChart(rows);
    if (anyDay) daysChart(days);
  }

  function fail(message) {
    errorBox.querySelector(".ud-error-text").textContent = message;
    errorBox.hidden = false;
    if (!state.stats) status.textContent = "";
    else render();
  }

  // Asks for both answers; the error (and its retry button) stays until one succeeds,
  // and focus left on the retry button moves to the refresh button.
  function load(fresh) {
    if (state.busy) return;
    state.busy = true;
    refresh.disabled = true;
    status.textContent = t("loading");
    var options = fresh ? { cache: "no-cache" } : {};
    function done() {
      state.busy = false;
      refresh.disabled = false;
      refresh.hidden = false;
    }
    Promise.all([U.call("GET", "/stats", options), U.call("GET", "/feed.json", options)]).then(function (answers) {
      var bad = answers.filter(function (a) { return !a.ok; })[0];
      if (bad) return fail(t("server", { status: bad.status }));
      var retrying = errorBox.contains(document.activeElement);
      state.stats = answers[0].data;
      state.feed = answers[1].data;
      errorBox.hidden = true;
      render();
      done();
      if (retrying) refresh.focus();
    }, function () {
      fail(t("network"));
    }).then(done, function (e) { done(); throw e; });
  }

  if (!U.apiConfigured()) {
    status.textContent = t("no_api");
    return;
  }
  regionSelect.addEventListener("change", render);
  designSelect.addEventListener("change", render);
  refresh.addEventListener("click", function () { load(true); });
  errorBox.querySelector(".ud-retry").addEventListener("click", function () { load(true); });
  load(false);
})();
