/* The sessions map: asks the server for the clusters of the tiles in view (never every session),
   draws them, and builds popups with textContent: school-written text never goes through innerHTML.
   Every French text comes from the page (data-texts on #map-config), so that it can be translated. */
(function () {
  "use strict";
  var config = document.getElementById("map-config");
  if (!config) { return; }
  var map = window[config.dataset.mapName];
  var families = JSON.parse(config.dataset.families);
  var kinds = JSON.parse(config.dataset.kinds);
  var texts = JSON.parse(config.dataset.texts);
  var filterArgs = config.dataset.filterArgs || "";
  var status = document.getElementById("map-status");
  var layer = L.featureGroup().addTo(map);
  var container = map.getContainer();
  var MAP_ZOOM_STEP = 2, MAX_TILE_ZOOM = 20, KEPT_TILES = 300;
  var kept = new Map();  // tile URL -> its answer, the oldest dropped first
  var pending = null;    // the AbortController of the view being fetched
  var first = true;
  var wide = window.matchMedia ? window.matchMedia("(min-width: 64em)") : { matches: false };

  function text(name, n) {
    var value = texts[name] || "";
    return n === undefined ? value : value.replace("{n}", String(n));
  }
  function plural(name, n) { return text(n > 1 ? name + "_many" : name + "_one", n); }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined && content !== null) { node.textContent = content; }
    return node;
  }

  function say(message) { if (status) { status.textContent = message; } }

  function withArgs(url, extra) {
    var query = [filterArgs, extra || ""].filter(Boolean).join("&");
    return query ? url + (url.indexOf("?") < 0 ? "?" : "&") + query : url;
  }

  // Inside a partner's page (the embed) links open the full site in a new tab.
  function opensOutside(link) {
    if (config.dataset.linkTarget) {
      link.target = config.dataset.linkTarget;
      link.rel = "noopener";
    }
  }

  /* ---- Tiles: the slippy-map grid of the server's clusters ---- */

  function tileZoom() { return Math.max(0, Math.min(MAX_TILE_ZOOM, map.getZoom() - MAP_ZOOM_STEP)); }

  function tileRange(z) {
    var n = Math.pow(2, z), bounds = map.getBounds();
    function column(lon) { return Math.max(0, Math.min(n - 1, Math.floor((lon + 180) / 360 * n))); }
    function row(lat) {
      var r = Math.max(-85.0511, Math.min(85.0511, lat)) * Math.PI / 180;
      return Math.max(0, Math.min(n - 1, Math.floor((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * n)));
    }
    var tiles = [];
    for (var x = column(bounds.getWest()); x <= column(bounds.getEast()); x++) {
      for (var y = row(bounds.getNorth()); y <= row(bounds.getSouth()); y++) { tiles.push([z, x, y]); }
    }
    return tiles;
  }

  function tileUrl(tile) {
    return withArgs(config.dataset.clustersUrl.replace(/0\/0\/0$/, tile.join("/")));
  }

  function fetchJson(url, signal) {
    return fetch(url, { headers: { Accept: "application/json" }, signal: signal })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      });
  }

  // The first view's tiles may come with the page (a round trip less on a slow network).
  var firstTiles = config.dataset.firstTiles ? JSON.parse(config.dataset.firstTiles) : {};

  function fetchTile(tile, signal) {
    var url = tileUrl(tile);
    var carried = firstTiles[tile.join("/")];
    if (carried) {
      delete firstTiles[tile.join("/")];
      kept.set(url, carried);
    }
    if (kept.has(url)) { return Promise.resolve(kept.get(url)); }
    return fetchJson(url, signal).then(function (data) {
      kept.set(url, data);
      if (kept.size > KEPT_TILES) { kept.delete(kept.keys().next().value); }
      return data;
    });
  }

  /* ---- Markers: a lone session, several sessions at one address, a cluster ---- */

  function divIcon(className, size, colour, label) {
    var inner = el("span", null, label);
    if (colour) { inner.style.background = colour; }
    return L.divIcon({ className: className, html: inner, iconSize: [size, size],
                       iconAnchor: [size / 2, size / 2], popupAnchor: [0, -10] });
  }

  function unfocusable(marker) {
    marker.on("add", function () {
      var element = marker.getElement();
      if (element) { element.setAttribute("tabindex", "-1"); }
    });
  }

  function loneMarker(row) {
    var family = families[row.family];
    var label = (kinds[row.kind] || text("session")) + (family ? " – " + family.label : "");
    var marker = L.marker([row.lat, row.lon], { icon: divIcon("event-marker", 44, family ? family.colour : "#455a64"),
                                                 title: label, keyboard: false });
    marker.eventId = row.id;
    marker.activate = function () { openDetail(marker, row.id); };
    marker.on("click", marker.activate);
    marker.on("mouseover", function () { markListItem(row.id, true); });
    marker.on("mouseout", function () { markListItem(row.id, false); });
    marker.on("add", function () {
      var element = marker.getElement();
      if (!element) { return; }
      element.dataset.eventId = String(row.id);
      element.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          event.stopPropagation();
          marker.activate();
        }
      });
      element.addEventListener("focus", function () { markListItem(row.id, true); });
      element.addEventListener("blur", function () { markListItem(row.id, false); });
    });
    unfocusable(marker);
    return marker;
  }

  function clusterSize(count) { return count < 10 ? 36 : count < 100 ? 44 : count < 1000 ? 52 : 60; }

  function groupMarker(row, bounds) {
    var place = row.south === row.north && row.west === row.east;
    var className = "marker-cluster" + (place ? " marker-place" : "") +
                    (row.count < 10 ? " marker-cluster-small" : row.count < 100 ? " marker-cluster-medium" : " marker-cluster-large");
    var marker = L.marker([row.lat, row.lon], {
      icon: divIcon(className, Math.max(44, clusterSize(row.count)), null, String(row.count)),
      title: place ? plural("place", row.count) : plural("cluster", row.count), keyboard: false });
    marker.sessionCount = row.count;
    marker.activate = place ? function () { openPlace(marker, row); } : function () { zoomInto(bounds); };
    marker.on("click", marker.activate);
    unfocusable(marker);
    return marker;
  }

  function zoomInto(bounds) {
    var target = Math.max(map.getZoom() + 1, map.getBoundsZoom(bounds.pad(0.2)));
    map.setView(bounds.getCenter(), Math.min(target, map.getMaxZoom()));
  }

  function rowsOf(data) {
    return data.clusters.map(function (values) {
      var row = {};
      data.fields.forEach(function (field, i) { row[field] = values[i]; });
      return row;
    });
  }

  function draw(answers) {
    layer.clearLayers();
    var view = map.getBounds(), inView = 0;
    answers.forEach(function (data) {
      rowsOf(data).forEach(function (row) {
        var bounds = L.latLngBounds([row.south, row.west], [row.north, row.east]);
        layer.addLayer(row.count === 1 ? loneMarker(row) : groupMarker(row, bounds));
        if (view.contains([row.lat, row.lon])) { inView += row.count; }
      });
    });
    return inView;
  }

  /* ---- Popups: inside the map on a phone, the time as the list reads it, the distance ---- */

  function popupOptions() {
    var size = map.getSize(), zoom = container.querySelector(".leaflet-control-zoom");
    var below = zoom ? zoom.offsetHeight + 20 : 12;  // the zoom buttons sit bottom right: keep clear of them
    return { maxWidth: Math.max(160, Math.min(320, size.x - 72)), minWidth: Math.min(200, size.x - 72),
             maxHeight: Math.max(120, size.y - below - 60), autoPan: true, keepInView: true,
             autoPanPaddingTopLeft: L.point(12, 12), autoPanPaddingBottomRight: L.point(12, below),
             className: "session-popup" };
  }

  function nearArgs() {
    return config.dataset.areaLat ? "lat=" + config.dataset.areaLat + "&lon=" + config.dataset.areaLon : "";
  }

  function sessionBlock(event, heading) {
    var box = el("div", "popup");
    var title = el(heading, "popup-title");
    var link = el("a", null, event.title);
    link.href = config.dataset.pageUrl.replace(/0$/, String(event.id));
    opensOutside(link);
    title.appendChild(link);
    box.appendChild(title);
    if (event.status === "cancelled") { box.appendChild(el("p", "status-cancelled", text("cancelled"))); }
    box.appendChild(el("p", "popup-when", event.when));
    box.appendChild(el("p", "popup-school", event.school));
    if (event.venue) {
      var where = event.venue.city;
      if (event.distance_km !== undefined) { where += " · " + text("distance").replace("{km}", event.distance_km.toLocaleString("fr-FR", { maximumFractionDigits: 1 })); }
      box.appendChild(el("p", "popup-town", where));
    }
    return box;
  }

  // One popup on the map, not bound to a marker: redrawing the markers after its autoPan keeps it open.
  var popup = null;
  function showPopup(marker, content) {
    popup = L.popup(popupOptions()).setLatLng(marker.getLatLng()).setContent(content);
    popup.options.offset = L.point(0, -10);
    map.openPopup(popup);
    return popup;
  }

  function failed() { return el("p", null, text("popup_error")); }

  function openDetail(marker, id) {
    var shown = showPopup(marker, el("p", null, text("loading")));
    var near = nearArgs();
    fetchJson(config.dataset.eventUrl.replace(/0$/, String(id)) + (near ? "?" + near : ""))
      .then(function (event) {
        var box = sessionBlock(event, "h3");
        var more = el("a", "popup-more", text("more"));
        more.href = config.dataset.pageUrl.replace(/0$/, String(event.id));
        opensOutside(more);
        box.appendChild(more);
        shown.setContent(box);
        focusPopup();
      })
      .catch(function () { shown.setContent(failed()); });
  }

  function openPlace(marker, row) {
    var shown = showPopup(marker, el("p", null, text("loading")));
    var bbox = [row.west, row.south, row.east, row.north].join(",");
    fetchJson(withArgs(config.dataset.markerUrl, "bbox=" + bbox))  // the page's place gives the distances
      .then(function (data) {
        var box = el("div", "popup popup-place");
        box.appendChild(el("h3", "popup-title", plural("place", data.count)));
        var list = el("ul", "popup-list");
        data.events.forEach(function (event) {
          var item = el("li");
          item.appendChild(sessionBlock(event, "h4"));
          list.appendChild(item);
        });
        box.appendChild(list);
        if (data.count > data.events.length) {
          var rest = el("a", "popup-more", plural("rest", data.count - data.events.length));
          rest.href = withArgs(config.dataset.listUrl, "bbox=" + bbox);
          opensOutside(rest);
          box.appendChild(rest);
        }
        shown.setContent(box);
        focusPopup();
      })
      .catch(function () { shown.setContent(failed()); });
  }

  var keyboardOpened = false;
  function focusPopup() {
    if (!keyboardOpened) { return; }
    keyboardOpened = false;
    var link = container.querySelector(".leaflet-popup-content a");
    if (link) { link.focus(); }
  }

  /* ---- Views: fetch the tiles in view (debounced, stale requests aborted), tell the list ---- */

  function viewBox() {
    var b = map.getBounds();
    function clamp(v, limit) { return Math.max(-limit, Math.min(limit, v)).toFixed(5); }
    return [clamp(b.getWest(), 180), clamp(b.getSouth(), 90), clamp(b.getEast(), 180), clamp(b.getNorth(), 90)].join(",");
  }

  var shownView = null;
  function load() {
    var key = map.getBounds().toBBoxString() + "/" + map.getZoom();
    if (key === shownView) { return Promise.resolve(null); }  // e.g. the moveend of the first fitBounds
    shownView = key;
    if (pending) { pending.abort(); }
    var controller = window.AbortController ? new AbortController() : null;
    pending = controller;
    var signal = controller ? controller.signal : undefined;
    return Promise.all(tileRange(tileZoom()).map(function (tile) { return fetchTile(tile, signal); }))
      .then(function (answers) {
        if (pending !== controller) { return null; }  // a newer view is on its way
        pending = null;
        var count = draw(answers);
        document.body.dataset.mapViews = String(parseInt(document.body.dataset.mapViews || "0", 10) + 1);
        say(count === 0 ? text("none") : plural("zone", count));
        if (first) {
          first = false;
          document.body.dataset.markersLoaded = String(count);
          if (window.performance && performance.mark) { performance.mark("opengen:markers-loaded"); }
          document.dispatchEvent(new CustomEvent("opengen:markers", { detail: { count: count } }));
        } else if (wide.matches) {
          document.dispatchEvent(new CustomEvent("opengen:viewchange",
            { detail: { bbox: viewBox(), zoom: map.getZoom(), count: count } }));
        }
        return count;
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") { return null; }
        shownView = null;
        say(text("error"));
        if (first) { first = false; document.body.dataset.markersLoaded = "error"; }
        return null;
      });
  }

  var timer = null;
  map.on("moveend", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(load, 150);
  });
  document.addEventListener("opengen:mapshown", function () { map.invalidateSize(); load(); });

  /* ---- Keyboard: the map is one tab stop; arrows pan, +/- zoom, Enter opens what is at the centre ---- */

  if (map.zoomControl) {  // bottom right, never over a popup opening upwards (setPosition rebuilds it)
    map.zoomControl.setPosition("bottomright");
    var zoomIn = container.querySelector(".leaflet-control-zoom-in"), zoomOut = container.querySelector(".leaflet-control-zoom-out");
    [[zoomIn, text("zoom_in")], [zoomOut, text("zoom_out")]].forEach(function (pair) {
      if (pair[0]) { pair[0].title = pair[1]; pair[0].setAttribute("aria-label", pair[1]); }
    });
  }
  Array.prototype.forEach.call(container.querySelectorAll(".leaflet-control a"), function (link) {
    link.setAttribute("tabindex", "-1");  // the focused map zooms with + and -; its links stay one click away
  });
  container.setAttribute("role", "region");
  container.setAttribute("aria-label", text("map_label"));
  if (document.getElementById("map-keys")) { container.setAttribute("aria-describedby", "map-keys"); }

  function nearestToCentre() {
    var centre = map.getSize().divideBy(2), best = null, bestDistance = Infinity;
    layer.eachLayer(function (marker) {
      var distance = map.latLngToContainerPoint(marker.getLatLng()).distanceTo(centre);
      if (distance < bestDistance) { best = marker; bestDistance = distance; }
    });
    return best ? { marker: best, distance: bestDistance } : null;
  }

  container.addEventListener("keydown", function (event) {
    if (event.target !== container || event.key !== "Enter") { return; }
    var found = nearestToCentre();
    if (!found) { return; }
    event.preventDefault();
    if (found.distance <= 24) {
      keyboardOpened = true;
      found.marker.activate();
    } else {  // bring the nearest marker to the centre: the next Enter opens it
      map.panTo(found.marker.getLatLng());
    }
  });
  container.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && container.querySelector(".leaflet-popup")) {
      map.closePopup();
      container.focus();
    }
  });

  /* ---- List and map together: a list item rings its pin, a pin marks its list item ---- */

  var ring = null;
  function markListItem(id, on) {
    Array.prototype.forEach.call(document.querySelectorAll('article.event-item[data-event-id="' + Number(id) + '"]'),
      function (item) { item.classList.toggle("is-highlighted", on); });
  }
  function ringAt(item) {
    var lat = parseFloat(item.dataset.lat), lon = parseFloat(item.dataset.lon);
    if (isNaN(lat) || isNaN(lon)) { return; }
    if (ring) { ring.setLatLng([lat, lon]); } else {
      ring = L.circleMarker([lat, lon], { radius: 20, weight: 4, color: "#ffbf47", fill: false,
                                          interactive: false, className: "map-highlight" });
    }
    ring.addTo(map);
  }
  function itemOf(event) {
    return event.target && event.target.closest ? event.target.closest("article.event-item[data-lat]") : null;
  }
  ["mouseover", "focusin"].forEach(function (type) {
    document.addEventListener(type, function (event) { var item = itemOf(event); if (item) { ringAt(item); } });
  });
  ["mouseout", "focusout"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var item = itemOf(event);
      if (item && ring && !(event.relatedTarget && item.contains(event.relatedTarget))) { ring.remove(); }
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll(".map-jumps button"), function (button) {
    button.addEventListener("click", function () {
      map.setView([parseFloat(button.dataset.lat), parseFloat(button.dataset.lon)],
                  parseInt(button.dataset.zoom, 10));
    });
  });

  // A search around a place: outline the circle and fit the map to it; remember the place.
  var area = null;
  if (config.dataset.areaLat) {
    var centre = [parseFloat(config.dataset.areaLat), parseFloat(config.dataset.areaLon)];
    area = L.circle(centre, { radius: parseFloat(config.dataset.areaRadiusKm) * 1000, color: "#0b4f8a",
                              weight: 2, fill: false, interactive: false }).addTo(map);
    // A centre set in the embed's address wins over the circle's bounds.
    if (!config.dataset.fixedView) { map.fitBounds(area.getBounds(), { animate: false }); }
    try {
      window.localStorage.setItem("opengen.place", JSON.stringify(
        { q: config.dataset.placeQ || null, lat: centre[0], lon: centre[1] }));
    } catch (error) { /* private browsing: nothing to remember */ }
  }

  // A shared address of the list following the map: the map opens on the same view.
  if (!area && config.dataset.viewBbox) {
    var box = config.dataset.viewBbox.split(",").map(parseFloat);
    if (box.length === 4 && box.every(isFinite)) { map.fitBounds([[box[1], box[0]], [box[3], box[2]]], { animate: false }); }
  }

  var ready = load();
  window.opengenMap = { map: map, cluster: layer, ready: ready, area: area, reload: load };
})();

/* The search form: "around me" reloads the page with the browser's position as lat/lon. */
(function () {
  "use strict";
  var form = document.querySelector("form.filters");
  var button = document.getElementById("around-me");
  if (!form || !button || !("geolocation" in navigator)) { return; }
  var field = document.getElementById("locate-field");
  var error = document.getElementById("locate-error");
  var place = document.getElementById("filter-q");
  var config = document.getElementById("map-config");
  var texts = config && config.dataset.texts ? JSON.parse(config.dataset.texts) : {};
  field.hidden = false;

  function fail(text) {
    error.textContent = text;
    error.hidden = false;
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }

  // A typed place replaces a position kept from "around me".
  form.addEventListener("submit", function () {
    if (place && place.value.trim()) {
      Array.prototype.forEach.call(form.querySelectorAll('input[type="hidden"][name="lat"], input[type="hidden"][name="lon"]'),
                                   function (input) { input.disabled = true; });
    }
  });

  button.addEventListener("click", function () {
    error.hidden = true;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    navigator.geolocation.getCurrentPosition(function (position) {
      var params = new URLSearchParams(new FormData(form));
      params.delete("q");
      params.delete("page");
      params.set("lat", position.coords.latitude.toFixed(4));
      params.set("lon", position.coords.longitude.toFixed(4));
      Array.from(params.keys()).forEach(function (key) { if (!params.get(key)) { params.delete(key); } });
      window.location.assign(form.getAttribute("action") + "?" + params.toString());
    }, function (failure) {
      fail(texts[failure.code === 1 ? "locate_denied" : "locate_failed"] || "");
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 });
  });
})();
