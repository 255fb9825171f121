// The trace types the pages draw (web/charts.py, web/team_charts.py): scatter (history, trend) comes with the
// core; scatterpolar (radars) and heatmap (team heatmap) are registered. Add a type here when a chart needs it.
var Plotly = require("plotly.js/lib/core");

Plotly.register([require("plotly.js/lib/scatterpolar"), require("plotly.js/lib/heatmap")]);

module.exports = Plotly;
