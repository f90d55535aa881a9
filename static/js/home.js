/* The home page, enhanced: the list / map switch on small screens, the results region updated in
   place (pages, the list following the map on wide screens) with the address kept shareable and
   back / forward working. Without this script the page works as plain links and a form.
   Texts come from the template (#home-texts); the new region is parsed HTML the server escaped,
   moved node by node (never innerHTML). */
(function () {
  "use strict";
  var layout = document.getElementById("home-layout");
  var results = document.getElementById("results");
  var status = document.getElementById("results-status");
  var textsNode = document.getElementById("home-texts");
  if (!layout || !results || !window.fetch || !window.history.pushState) { return; }
  var texts = textsNode ? JSON.parse(textsNode.textContent) : {};
  var wide = window.matchMedia("(min-width: 64rem)");
  var pane = document.getElementById("map-pane");
  var form = document.getElementById("search-form");

  // ------------------------------------------------------------------ list / map switch
  var switcher = document.getElementById("view-switch");
  var switches = switcher ? Array.prototype.slice.call(switcher.querySelectorAll("button[data-view]")) : [];

  function applyView() {
    var view = layout.dataset.view;
    layout.classList.add("has-switch");
    switches.forEach(function (button) {
      button.setAttribute("aria-pressed", button.dataset.view === view ? "true" : "false");
    });
    // Off screen on a phone, the map keeps its size (Leaflet draws it right) but takes no focus.
    if (pane) { pane.inert = !wide.matches && view !== "map"; }
    results.inert = !wide.matches && view === "map";
  }

  function show(view) {
    layout.dataset.view = view;
    applyView();
    if (view === "map") {
      document.dispatchEvent(new CustomEvent("opengen:mapshown"));
      if (window.opengenMap && window.opengenMap.map) { window.opengenMap.map.invalidateSize(); }
    }
  }

  if (switcher) {
    switcher.hidden = false;
    switches.forEach(function (button) {
      button.addEventListener("click", function () { show(button.dataset.view); });
    });
    applyView();
    wide.addEventListener("change", applyView);
  }

  // Before a search, a wide screen shows every filter at once; after one, and on a phone, they
  // wait behind their summary so that the results come first.
  var more = document.querySelector(".more-filters");
  if (more && form) { more.open = wide.matches && !form.classList.contains("is-compact"); }

  // ------------------------------------------------------------------ results in place
  var shownUrl = window.location.href;
  var pending = null;

  function say(text) {
    if (!status) { return; }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function headingText() {
    var heading = document.getElementById("list-heading");
    return heading ? heading.textContent.replace(/\s+/g, " ").trim() : "";
  }

  // What the map shows depends on the search, not on the page of the list nor on its view.
  function searchKey(url) {
    var params = new URL(url, window.location.href).searchParams;
    params.delete("page");
    params.delete("bbox");
    params.sort();
    return params.toString();
  }

  function mapFollowsSearch() {
    return Boolean(window.opengenMap && window.opengenMap.followsSearch);
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("results");
    if (!fresh) { throw new Error("no results"); }
    var nodes = Array.prototype.map.call(fresh.childNodes, function (node) {
      return document.importNode(node, true);
    });
    results.replaceChildren.apply(results, nodes);
    document.dispatchEvent(new CustomEvent("opengen:resultschange"));
  }

  // how: "push" (a new entry), "replace" (the list following the map) or "pop" (back / forward).
  function load(url, how, focus) {
    if (pending) { pending.abort(); }
    var controller = window.AbortController ? new AbortController() : null;
    pending = controller;
    results.setAttribute("aria-busy", "true");
    var searchChanged = searchKey(url) !== searchKey(shownUrl);
    return fetch(url, { headers: { Accept: "text/html" }, signal: controller ? controller.signal : undefined })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        swap(html);
        if (how === "push") { window.history.pushState({ opengen: true }, "", url); }
        else if (how === "replace") { window.history.replaceState({ opengen: true }, "", url); }
        shownUrl = url;
        if (searchChanged) {
          document.dispatchEvent(new CustomEvent("opengen:searchchange", { detail: { url: url } }));
        }
        say(headingText());
        if (focus) {
          var heading = document.getElementById("list-heading");
          if (heading) { heading.focus({ preventScroll: true }); heading.scrollIntoView({ block: "start" }); }
        }
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") { return; }
        say(texts.failed || "");
        if (how !== "replace") { window.location.assign(url); }  // the plain way still works
      })
      .then(function () {
        if (pending === controller) { pending = null; results.removeAttribute("aria-busy"); }
      });
  }

  // Pages of the list and "back to the whole list" change only the list: in place.
  results.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a") : null;
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) { return; }
    var inPlace = link.closest(".pagination") || link.hasAttribute("data-whole-list");
    if (!inPlace || searchKey(link.href) !== searchKey(shownUrl) && !mapFollowsSearch()) { return; }
    event.preventDefault();
    load(link.href, "push", true);
  });

  // A new search moves the map too: in place only when the map's script follows the search.
  if (form) {
    form.addEventListener("submit", function (event) {
      if (!mapFollowsSearch() || event.defaultPrevented) { return; }
      event.preventDefault();
      var params = new URLSearchParams(new FormData(form));
      Array.from(params.keys()).forEach(function (key) { if (!params.get(key)) { params.delete(key); } });
      load(form.action.split("?")[0] + "?" + params.toString(), "push", true);
    });
  }

  window.history.replaceState({ opengen: true }, "", window.location.href);
  window.addEventListener("popstate", function (event) {
    if (!event.state || !event.state.opengen) { return; }
    var url = window.location.href;
    if (searchKey(url) !== searchKey(shownUrl) && !mapFollowsSearch()) {
      window.location.reload();
      return;
    }
    load(url, "pop", true);
  });

  // ------------------------------------------------------------------ the list follows the map
  // On a wide screen, after the visitor moves the map, the list shows the sessions in its view.
  var timer = null;
  document.addEventListener("opengen:viewchange", function (event) {
    if (!wide.matches || !event.detail || !event.detail.bbox) { return; }
    var bbox = Array.isArray(event.detail.bbox) ? event.detail.bbox.join(",") : String(event.detail.bbox);
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var url = new URL(shownUrl);
      url.searchParams.delete("page");
      url.searchParams.set("bbox", bbox);
      load(url.toString(), "replace", false);
    }, 250);
  });
})();
