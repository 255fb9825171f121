// The team dashboard's controls: the member picker beside the radar (a checkbox per member adds or removes
// that member's trace; the team mean, band and target stay), and the trend chart's measure select.
(function () {
  "use strict";
  function whenDrawn(chart, then) {
    if (chart.dataset.drawn === "true") { then(); } else { chart.addEventListener("chart-drawn", then, { once: true }); }
  }

  function picker(box) {
    var chart = document.getElementById(box.dataset.chart);
    var source = document.getElementById("radar-members-data");
    if (!chart || !source) { return; }
    var members = {};
    JSON.parse(source.textContent).forEach(function (m) { members[String(m.id)] = m; });
    var theta = null;
    function traceIndex(id) {
      for (var i = 0; i < chart.data.length; i++) { if (chart.data[i].meta === id) { return i; } }
      return -1;
    }
    function show(id, on) {
      var index = traceIndex(id);
      if (!on) { if (index >= 0) { Plotly.deleteTraces(chart, index); } return; }
      if (index >= 0) { return; }
      var m = members[id];
      // The team's own traces hold the area titles in order; member traces use the same ones.
      theta = theta || chart.data[chart.data.length - 1].theta;
      Plotly.addTraces(chart, {
        type: "scatterpolar", name: m.name, meta: id, r: m.r, theta: theta, mode: "lines+markers",
        connectgaps: false, line: { color: m.colour, dash: "dot", width: 2 }, marker: { size: 5 },
        hovertemplate: "%{theta}: %{r}<extra></extra>"
      });
    }
    whenDrawn(chart, function () {
      box.addEventListener("change", function (event) {
        if (event.target.type === "checkbox") { show(event.target.value, event.target.checked); }
      });
      box.querySelectorAll("input:checked").forEach(function (input) { show(input.value, true); });
    });
    var clear = box.querySelector("[data-picker-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        box.querySelectorAll("input:checked").forEach(function (input) {
          input.checked = false;
          show(input.value, false);
        });
      });
    }
  }

  function trend(select) {
    var chart = document.getElementById(select.dataset.chart);
    if (!chart) { return; }
    function apply() {
      var chosen = Number(select.value);
      var option = select.options[select.selectedIndex];
      var range = option.dataset.range.split(",").map(Number);
      var visible = chart.data.map(function (_, i) { return i === chosen; });
      Plotly.update(chart, { visible: visible }, {
        "yaxis.range": range, "yaxis.title.text": chosen === 0 ? "mean readiness %" : "mean score"
      });
    }
    whenDrawn(chart, function () {
      select.addEventListener("change", apply);
      if (select.value !== "0") { apply(); }
    });
  }

  function start() {
    document.querySelectorAll("fieldset.member-picker").forEach(picker);
    document.querySelectorAll("select[data-chart]").forEach(trend);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
