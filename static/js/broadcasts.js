/* Broadcast pages: keep the "live now" badge right while the page stays open, and point the
   "sessions near you" links at the place the visitor searched before. No innerHTML. */
(function () {
  "use strict";

  // The place the search feature remembers: {"q": "Lyon", "lat": 45.76, "lon": 4.84}.
  function rememberedPlace() {
    try {
      var place = JSON.parse(window.localStorage.getItem("opengen.place") || "null");
      if (!place || typeof place !== "object") { return null; }
      var found = {};
      if (typeof place.q === "string" && place.q.trim() && place.q.length <= 200) { found.q = place.q.trim(); }
      if (typeof place.lat === "number" && typeof place.lon === "number" && isFinite(place.lat) &&
          isFinite(place.lon) && Math.abs(place.lat) <= 90 && Math.abs(place.lon) <= 180) {
        found.lat = String(place.lat);
        found.lon = String(place.lon);
      }
      return Object.keys(found).length ? found : null;
    } catch (error) {
      return null;  // storage blocked or a malformed value: the links keep the family only
    }
  }

  function addPlaceToLinks() {
    var place = rememberedPlace();
    if (!place) { return; }
    document.querySelectorAll("a.near-link").forEach(function (link) {
      var url = new URL(link.getAttribute("href"), window.location.href);
      Object.keys(place).forEach(function (key) { url.searchParams.set(key, place[key]); });
      link.setAttribute("href", url.pathname + url.search);
    });
  }

  function statusAt(card, now) {
    var start = Date.parse(card.dataset.start), end = Date.parse(card.dataset.end);
    if (now < start) { return "upcoming"; }
    return now < end ? "live" : "ended";
  }

  function keepLiveBadgesRight() {
    var clock = document.getElementById("broadcast-clock");
    if (!clock) { return; }
    // Start from the server's "now" (which tests may freeze) and let the browser count the time since.
    var offset = Date.parse(clock.dataset.now) - Date.now();
    var labels = JSON.parse(clock.dataset.labels);
    function refresh() {
      var now = Date.now() + offset;
      document.querySelectorAll("article.broadcast[data-start]").forEach(function (card) {
        var state = statusAt(card, now);
        if (state === card.dataset.status) { return; }
        card.dataset.status = state;
        card.classList.toggle("is-live", state === "live");
        var holder = card.querySelector(".broadcast-status");
        if (!holder) { return; }
        var badge = document.createElement(state === "live" ? "strong" : "span");
        badge.className = state === "live" ? "live-badge" : state + "-label";
        badge.textContent = labels[state];
        holder.replaceChildren(badge);
      });
    }
    window.setInterval(refresh, 20000);
  }

  addPlaceToLinks();
  keepLiveBadgesRight();
})();
