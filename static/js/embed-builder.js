/* « Intégrer la carte »: copy the snippet, and keep the snippet and the preview in step with the
   form as it is changed (the server checks the values when the form is sent). */
(function () {
  "use strict";
  var form = document.querySelector("form.embed-form");
  var snippet = document.getElementById("embed-snippet");
  var preview = document.getElementById("embed-preview");
  var copy = document.getElementById("copy-snippet");
  var status = document.getElementById("copy-status");
  if (!form || !snippet) { return; }

  function attr(text) {
    return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function settings() {
    var params = new URLSearchParams(new FormData(form));
    var height = parseInt(params.get("height"), 10);
    params.delete("height");
    if (params.get("lang") === "fr") { params.delete("lang"); }
    Array.from(params.keys()).forEach(function (key) { if (!params.get(key)) { params.delete(key); } });
    var query = params.toString();
    return { url: snippet.dataset.embedBase + (query ? "?" + query : ""),
             height: height >= 250 && height <= 2000 ? height : 600 };
  }

  var timer = null;
  function refresh() {
    var now = settings();
    snippet.value = snippet.value
      .replace(/src="[^"]*"/, 'src="' + attr(now.url) + '"')
      .replace(/height="\d+"/, 'height="' + now.height + '"');
    if (preview && preview.src !== now.url) {
      preview.src = now.url;
      preview.height = String(now.height);
    }
  }

  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 500);
  });
  form.addEventListener("change", function () {
    window.clearTimeout(timer);
    refresh();
  });

  if (copy) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      function done() { status.textContent = status.dataset.copied; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(snippet.value).then(done, function () {
          snippet.select();
          status.textContent = status.dataset.failed;
        });
      } else {
        snippet.select();
        try { document.execCommand("copy"); done(); }
        catch (error) { status.textContent = status.dataset.selected; }
      }
    });
  }
})();
