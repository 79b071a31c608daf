/* The catalog's filters (HTML from scripts/sitegen/catalog.py): show the technology and
 * status selects, and hide the cards that do not match. Without JavaScript the catalog is
 * the plain list of every design. */
(function () {
  "use strict";

  function setup(root) {
    var form = root.querySelector("[data-usine-filters]");
    var cards = Array.prototype.slice.call(root.querySelectorAll(".usine-card"));
    var none = root.querySelector(".usine-filter-none");
    if (!form) { return; }
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));

    function apply() {
      var shown = 0;
      cards.forEach(function (card) {
        var ok = selects.every(function (s) {
          return !s.value || card.getAttribute("data-" + s.getAttribute("data-filter")) === s.value;
        });
        card.hidden = !ok;
        if (ok) { shown += 1; }
      });
      if (none) { none.hidden = shown > 0; }
    }

    selects.forEach(function (s) { s.addEventListener("change", apply); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.hidden = false;
    apply();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-usine-catalog]"), setup);
  }

  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
