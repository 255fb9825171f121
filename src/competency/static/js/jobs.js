// Keeps every job progress bar on the page up to date from the job's JSON endpoint (no inline script:
// the CSP forbids it). Polls once a second while the job works, stops when it is done or failed.
(function () {
  "use strict";
  var INTERVAL = 1000;

  function text(data) {
    if (data.state === "done") {
      var s = "Ready: " + data.done + " report" + (data.done === 1 ? "" : "s");
      if (data.failed) s += ", " + data.failed + " could not be made (see README.txt)";
      return s + ".";
    }
    if (data.state === "failed") return "Failed: " + (data.error || "unknown error");
    if (data.state === "zipping") return "Writing the ZIP…";
    return data.label + " reports";
  }

  function update(box, data) {
    var bar = box.querySelector("progress");
    bar.max = Math.max(data.total, 1);
    bar.value = data.total ? data.processed : (data.state === "done" ? 1 : 0);
    box.setAttribute("data-state", data.state);
    box.querySelector("[data-job-text]").textContent = text(data);
    var download = box.querySelector(".job-download");
    if (data.state === "done" && data.download_url) {
      var link = download.querySelector("[data-job-download]");
      link.href = data.download_url;
      link.textContent = "Download " + (data.filename || "the ZIP");
      download.hidden = false;
    }
  }

  function watch(box) {
    var url = box.getAttribute("data-job-status");
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (data) {
          update(box, data);
          if (data.state !== "done" && data.state !== "failed") setTimeout(poll, INTERVAL);
        })
        .catch(function () { setTimeout(poll, INTERVAL * 5); });
    }
    var state = box.getAttribute("data-state");
    if (state !== "done" && state !== "failed") setTimeout(poll, INTERVAL);
  }

  document.querySelectorAll("[data-job-status]").forEach(watch);
})();
