// Keeps what was typed in a questionnaire page in localStorage until the server confirms it saved it,
// so that an expired session or form token loses nothing: the page restores the choices on return.
(function () {
  "use strict";
  var store;
  try { store = window.localStorage; } catch (e) { return; }
  if (!store) { return; }

  var saved = document.body.dataset.savedKeep;
  if (saved) { store.removeItem(saved); }

  document.querySelectorAll("form[data-keep]").forEach(function (form) {
    var key = form.dataset.keep;

    function snapshot() {
      var values = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.name === "csrf_token" || el.type === "submit") { return; }
        if (el.type === "radio") { if (el.checked) { values[el.name] = el.value; } }
        else { values[el.name] = el.value; }
      });
      store.setItem(key, JSON.stringify({ values: values, at: Date.now() }));
    }

    var raw = store.getItem(key);
    if (raw) {
      var kept;
      try { kept = JSON.parse(raw); } catch (e) { kept = null; }
      if (kept && kept.values) {
        var restored = 0;
        Object.keys(kept.values).forEach(function (name) {
          var value = kept.values[name];
          Array.prototype.forEach.call(form.elements, function (el) {
            if (el.name !== name) { return; }
            if (el.type === "radio") {
              if (el.value === value && !el.checked) { el.checked = true; restored++; }
            } else if (el.value !== value) { el.value = value; restored++; }
          });
        });
        if (restored) {
          var note = document.createElement("p");
          note.className = "flash flash-info";
          note.setAttribute("role", "status");
          note.textContent = "We restored " + restored + " unsaved answer(s) you had typed on this page. Press Save to keep them.";
          form.parentNode.insertBefore(note, form);
        }
      }
    }
    form.addEventListener("change", snapshot);
    form.addEventListener("input", snapshot);
    form.addEventListener("submit", snapshot);
  });
})();
