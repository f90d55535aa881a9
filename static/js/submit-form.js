/* The submission form: the error summary (focused on a failed submit, its links focus their field)
   and the week's days (each day's count of checked hours; every day open on a wide screen).
   Texts come from the page (#grid-count-texts), never from here. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-target]");
      var target = link && document.getElementById(link.dataset.target);
      if (!target) { return; }
      event.preventDefault();
      var day = target.closest("details");
      if (day) { day.open = true; }
      // Show the label or legend with the field: a field alone at the top of the screen says little.
      var holder = target.closest(".form-field, fieldset") || target;
      holder.scrollIntoView({ block: "start" });
      target.focus({ preventScroll: true });
      if (history.replaceState) { history.replaceState(null, "", "#" + target.id); }
    });
  }

  var days = document.getElementById("week-days");
  var textsElement = document.getElementById("grid-count-texts");
  if (!days || !textsElement) { return; }
  var texts = JSON.parse(textsElement.textContent);

  if (window.matchMedia("(min-width: 48rem)").matches) {
    Array.prototype.forEach.call(days.querySelectorAll("details"), function (day) { day.open = true; });
  }

  days.addEventListener("change", function (event) {
    var day = event.target.closest("details");
    if (!day) { return; }
    var count = day.querySelectorAll("input[type=checkbox]:checked").length;
    var label = day.querySelector(".grid-day-count");
    label.dataset.count = String(count);
    label.textContent = texts[String(count)] || String(count);
  });
})();
