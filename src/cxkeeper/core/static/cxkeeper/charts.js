// Renders every [data-chart] element with the vendored Vega-Lite: the spec is the JSON in
// <script type="application/json" id="{data-chart}">. Canvas renderer and Vega's expression
// interpreter, so the strict CSP (no eval, no inline styles) holds. Re-runs after HTMX swaps.
(function () {
  "use strict";
  var OPTIONS = {
    renderer: "canvas",
    actions: false,
    defaultStyle: false,
    ast: true,
    expr: window.vegaInterpreter && window.vegaInterpreter.expressionInterpreter,
    // The tooltip's own <style> element would be an inline style; its rules are in app.css.
    tooltip: {disableDefaultStyle: true, theme: "light"},
  };

  // htmx drops <script> elements from swapped content (allowScriptTags: false), so the specs
  // of an HTMX response are read from the response text (DOMParser runs nothing) before the swap.
  var swapped = {};

  function specText(id) {
    var source = document.getElementById(id);
    return source ? source.textContent : swapped[id];
  }

  function render(root) {
    if (typeof window.vegaEmbed !== "function") return;
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var text = specText(el.dataset.chart);
      if (!text) return;
      var spec;
      try {
        spec = JSON.parse(text);
      } catch (error) {
        console.error("chart " + el.dataset.chart + ": bad spec", error);
        return;
      }
      el.dataset.rendered = "1";
      window.vegaEmbed(el, spec, OPTIONS).then(function () {
        // The drawing is named once, by its container (role="img" and the chart's label, the
        // data table beside it): Vega's own "Vega visualization" name is hidden.
        el.querySelectorAll("canvas, svg").forEach(function (drawing) {
          drawing.setAttribute("aria-hidden", "true");
        });
        el.classList.add("chart-ready");
      }).catch(function (error) {
        el.dataset.rendered = "";
        console.error("chart " + el.dataset.chart + " failed", error);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { render(document); });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var html = event.detail.serverResponse;
    if (!html || html.indexOf("application/json") < 0) return;
    var parsed = new DOMParser().parseFromString(html, "text/html");
    parsed.querySelectorAll('script[type="application/json"][id]').forEach(function (script) {
      swapped[script.id] = script.textContent;
    });
  });
  document.addEventListener("htmx:afterSettle", function () { render(document); });
})();
