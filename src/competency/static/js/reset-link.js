// A set-password link carries its token in the fragment (#...), which browsers never send: so it is in
// no access log, proxy log or Referer. This moves it into the form, which posts it in the body, and
// takes it off the address bar and the history.
(function () {
  "use strict";
  var field = document.getElementById("token");
  var token = window.location.hash.slice(1);
  if (!field || !token) { return; }
  field.value = token;
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  var missing = document.getElementById("token-missing");
  if (missing) { missing.hidden = true; }
})();
