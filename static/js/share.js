/* Share buttons (templates/_share.html): the phone's share sheet where there is one, else copy
   the link and say so; the texts come from the page. Without this script the link stays in a
   field to copy by hand. */
(function () {
  "use strict";

  function setUp(box) {
    var button = box.querySelector(".share-button");
    var field = box.querySelector(".share-link");
    var status = box.querySelector(".share-status");
    var data = {url: box.dataset.shareUrl, title: box.dataset.shareTitle, text: box.dataset.shareText};
    var canShare = typeof navigator.share === "function" &&
      (typeof navigator.canShare !== "function" || navigator.canShare(data));
    var canCopy = !!(navigator.clipboard && typeof navigator.clipboard.writeText === "function");
    if (!button || !field || !status || (!canShare && !canCopy)) {
      return; // the field with the link stays
    }

    function showField(message) {
      field.hidden = false;
      status.textContent = message;
      var input = field.querySelector("input");
      if (input) {
        input.focus();
        input.select();
      }
    }

    function copy() {
      if (!canCopy) {
        showField(box.dataset.copyFailed);
        return;
      }
      navigator.clipboard.writeText(data.url).then(function () {
        status.textContent = box.dataset.copied;
      }, function () {
        showField(box.dataset.copyFailed);
      });
    }

    button.textContent = canShare ? box.dataset.shareLabel : box.dataset.copyLabel;
    button.hidden = false;
    field.hidden = true;
    button.addEventListener("click", function () {
      status.textContent = "";
      if (!canShare) {
        copy();
        return;
      }
      navigator.share(data).catch(function (error) {
        if (!error || error.name !== "AbortError") {
          copy(); // the share sheet failed: the link is copied instead
        }
      });
    });
  }

  document.querySelectorAll(".share[data-share-url]").forEach(setUp);
})();
