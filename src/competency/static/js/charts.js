// Draws every plotly figure embedded as <script type="application/json" class="figure-data">.
// On a narrow screen a radar gets smaller margins and labels, so the disc stays readable on a phone.
(function () {
  "use strict";
  // Area titles come wrapped at about 16 characters; a phone's radar has room for about 11.
  function rewrap(title, width) {
    var words = String(title).split(/<br>| /), lines = [], line = "";
    words.forEach(function (word) {
      if (line && line.length + 1 + word.length > width) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    lines.push(line);
    return lines.slice(0, 4).join("<br>");
  }
  function fitToWidth(target, figure) {
    var layout = figure.layout || {};
    var width = target.clientWidth;
    var polar = figure.data.length && figure.data[0].type === "scatterpolar";
    if (polar && width < 640) {
      layout.margin = { l: 70, r: 70, t: 40, b: 30 };
      figure.data.forEach(function (trace) {
        if (trace.theta) { trace.theta = trace.theta.map(function (t) { return rewrap(t, 11); }); }
      });
      layout.height = Math.max(380, Math.min(520, width + 60));
      if (layout.polar && layout.polar.angularaxis) {
        layout.polar.angularaxis.tickfont = { size: 9 };
      }
      if (layout.legend) { layout.legend.font = { size: 11 }; }
    } else if (!polar && width < 640) {
      layout.margin = Object.assign({}, layout.margin, { l: 44, r: 12 });
    }
    return layout;
  }
  function draw() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll("script.figure-data").forEach(function (node) {
      var target = document.getElementById(node.dataset.target);
      if (!target) { return; }
      var figure = JSON.parse(node.textContent);
      // The server's SVG drawing held the place until now.
      var preview = target.querySelector(".chart-preview");
      if (preview) { preview.remove(); }
      var config = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
      Plotly.newPlot(target, figure.data, fitToWidth(target, figure), config).then(function () {
        target.dataset.drawn = "true";
        target.dispatchEvent(new CustomEvent("chart-drawn"));
      });
    });
  }
  // plotly.js (data-plotly on this script's tag) is fetched and run only after the page has painted once:
  // running 1 MB of script first would hold back the paint that shows the server's drawing of the radar.
  var plotly = document.currentScript && document.currentScript.dataset.plotly;
  function load() {
    if (typeof Plotly !== "undefined" || !plotly) { draw(); return; }
    var script = document.createElement("script");
    script.src = plotly;
    script.onload = draw;
    document.head.appendChild(script);
  }
  function afterFirstPaint() {
    requestAnimationFrame(function () { setTimeout(load, 0); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", afterFirstPaint);
  } else {
    afterFirstPaint();
  }
})();
