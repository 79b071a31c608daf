/* Design pages: the variant picker and the 3D preview (HTML from scripts/sitegen/variant_panel.py).
 *
 * Each variant has a panel (.usine-variant; all shown without JavaScript, the default one
 * marked data-default) carrying data-params (the values of the
 * parameters that differ between variants, as the picker's option values), data-glb and
 * data-svg (URLs relative to the page). The picker's selects choose the panel whose
 * parameters match; when no variant has that exact combination, the one matching the
 * changed select and most of the others wins and the other selects follow it.
 * The 3D viewer (vendored <model-viewer>, ~1 MB) is loaded only when the reader asks for
 * it, then follows the picked variant. Plain JS, no framework, no third-party request.
 */
(function () {
  "use strict";

  function setup(root) {
    var panels = Array.prototype.slice.call(root.querySelectorAll(".usine-variant"));
    var picker = root.querySelector("[data-usine-picker]");
    var figure = root.querySelector(".usine-preview");
    var selects = picker ? Array.prototype.slice.call(picker.querySelectorAll("select")) : [];
    var viewer = null;
    var button = figure ? figure.querySelector(".usine-preview-load") : null;
    // From file:// (a USB stick) browsers refuse to fetch the GLB: keep the drawing only.
    var canFetch = window.location.protocol !== "file:";

    function params(panel) {
      try { return JSON.parse(panel.getAttribute("data-params") || "{}"); } catch (e) { return {}; }
    }

    var selected = panels.filter(function (p) { return p.hasAttribute("data-default"); })[0] ||
      panels[0];

    function current() {
      return selected;
    }

    function choose(changed) {
      var wanted = {};
      selects.forEach(function (s) { wanted[s.getAttribute("data-param")] = s.value; });
      var best = null, bestScore = -1;
      panels.forEach(function (panel) {
        var p = params(panel), score = 0;
        if (changed && p[changed] !== wanted[changed]) { return; }
        Object.keys(wanted).forEach(function (k) { if (p[k] === wanted[k]) { score += 1; } });
        if (score > bestScore) { best = panel; bestScore = score; }
      });
      return best || panels[0];
    }

    function show(panel) {
      selected = panel;
      panels.forEach(function (p) { p.hidden = p !== panel; });
      var p = params(panel);
      selects.forEach(function (s) {
        var v = p[s.getAttribute("data-param")];
        if (v !== undefined) { s.value = v; }
      });
      root.setAttribute("data-selected", panel.getAttribute("data-variant"));
      if (!figure) { return; }
      var still = figure.querySelector(".usine-preview-still");
      var svg = panel.getAttribute("data-svg");
      if (still && svg) {
        still.src = svg;
        still.alt = still.alt.replace(/\S+$/, panel.getAttribute("data-variant"));
      }
      // A variant without a preview GLB (none, or over the preview budget): the drawing.
      var glb = panel.getAttribute("data-glb");
      if (viewer) {
        viewer.hidden = !glb;
        if (still) { still.hidden = !!glb; }
        if (glb) { point(viewer, panel); }
      } else if (button) {
        button.hidden = !glb || !canFetch;
      }
    }

    function point(el, panel) {
      var glb = panel.getAttribute("data-glb");
      if (glb && el.getAttribute("src") !== glb) {
        el.setAttribute("src", glb);
        el.setAttribute("alt", (figure.getAttribute("data-alt") || "").replace(
          "{variant}", panel.getAttribute("data-variant")));
        if (panel.getAttribute("data-svg")) { el.setAttribute("poster", panel.getAttribute("data-svg")); }
      }
    }

    function loadViewer(button) {
      button.disabled = true;
      var src = figure.getAttribute("data-viewer");
      var ready = window.customElements && window.customElements.get("model-viewer")
        ? Promise.resolve()
        : new Promise(function (resolve, reject) {
          var script = document.createElement("script");
          script.src = src;
          script.onload = resolve;
          script.onerror = reject;
          document.head.appendChild(script);
        });
      ready.then(function () {
        viewer = document.createElement("model-viewer");
        viewer.setAttribute("loading", "eager");  // the reader asked for it: no lazy loading
        viewer.setAttribute("camera-controls", "");
        viewer.setAttribute("touch-action", "pan-y");
        viewer.setAttribute("shadow-intensity", "0.6");
        viewer.setAttribute("interaction-prompt", "none");
        // Seen from 35 degrees above: parts lie in their print orientation (glTF's Y up).
        viewer.setAttribute("camera-orbit", "0deg 35deg auto");
        viewer.className = "usine-viewer";
        viewer.addEventListener("load", function () {
          figure.setAttribute("data-state", "loaded");
        });
        viewer.addEventListener("error", function () { figure.setAttribute("data-state", "error"); });
        point(viewer, current());
        var help = document.createElement("figcaption");
        help.textContent = figure.getAttribute("data-help") || "";
        figure.insertBefore(viewer, figure.firstChild);
        figure.appendChild(help);
        button.hidden = true;
        var still = figure.querySelector(".usine-preview-still");
        if (still) { still.hidden = true; }
      }, function () {
        button.disabled = false;
        figure.setAttribute("data-state", "error");
      });
    }

    selects.forEach(function (s) {
      s.addEventListener("change", function () { show(choose(s.getAttribute("data-param"))); });
    });
    if (picker) { picker.hidden = false; }
    if (button) { button.addEventListener("click", function () { loadViewer(button); }); }
    show(current());
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-usine-design]"), setup);
  }

  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(init);  // Material's page-load observable
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
