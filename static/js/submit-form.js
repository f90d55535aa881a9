/* Bring keyboard and screen-reader users to the list of errors when the form comes back. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
