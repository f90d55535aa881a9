/* « Copier le lien »: the clipboard when the browser allows it, else the link selected for the
   visitor to copy. Shown only with JavaScript; texts come from the button's data attributes. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
    var field = document.getElementById(button.dataset.copy);
    var status = document.getElementById("copy-status");
    if (!field) { return; }
    button.hidden = false;

    function say(text) { if (status) { status.textContent = text; } }
    function selectIt() {
      field.focus();
      field.select();
      field.setSelectionRange(0, field.value.length);
      say(button.dataset.selected);
    }

    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () {
          say(button.dataset.copied);
        }, selectIt);
      } else {
        selectIt();
      }
    });
  });
})();
