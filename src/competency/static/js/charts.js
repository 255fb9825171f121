// Draws every plotly figure embedded as <script type="application/json" class="figure-data">.
(function () {
  "use strict";
  function draw() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll("script.figure-data").forEach(function (node) {
      var target = document.getElementById(node.dataset.target);
      if (!target) { return; }
      var figure = JSON.parse(node.textContent);
      var config = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
      Plotly.newPlot(target, figure.data, figure.layout, config).then(function () {
        target.dataset.drawn = "true";
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
