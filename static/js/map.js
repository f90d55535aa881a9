/* The home map: loads compact markers as JSON, clusters them, builds popups with textContent.
   School-written text never goes through innerHTML. */
(function () {
  "use strict";
  var config = document.getElementById("map-config");
  if (!config) { return; }
  var map = window[config.dataset.mapName];
  var families = JSON.parse(config.dataset.families);
  var kinds = JSON.parse(config.dataset.kinds);
  var status = document.getElementById("map-status");
  var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false,
                                       maxClusterRadius: 50 });
  map.addLayer(cluster);
  var icons = {};

  function icon(position) {
    if (!icons[position]) {
      var family = families[position];
      var colour = family ? family.colour : "#455a64";
      icons[position] = L.divIcon({
        className: "event-marker",
        html: '<span style="background:' + colour + '"></span>',
        iconSize: [18, 18], iconAnchor: [9, 9], popupAnchor: [0, -8]
      });
    }
    return icons[position];
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function whenText(event) {
    var options = { weekday: "long", day: "numeric", month: "long", hour: "2-digit",
                    minute: "2-digit", timeZone: event.timezone || "Europe/Paris" };
    return new Date(event.start).toLocaleString("fr-FR", options);
  }

  // Inside a partner's page (the embed) links open the full site in a new tab.
  function opensOutside(link) {
    if (config.dataset.linkTarget) {
      link.target = config.dataset.linkTarget;
      link.rel = "noopener";
    }
  }

  function popupContent(event) {
    var box = el("div", "popup");
    var title = el("h3", "popup-title");
    var link = el("a", null, event.title);
    link.href = config.dataset.pageUrl.replace(/0$/, String(event.id));
    opensOutside(link);
    title.appendChild(link);
    box.appendChild(title);
    if (event.status === "cancelled") { box.appendChild(el("p", "status-cancelled", "Annulée")); }
    box.appendChild(el("p", "popup-school", event.school));
    box.appendChild(el("p", "popup-when", whenText(event)));
    if (event.venue) { box.appendChild(el("p", "popup-town", event.venue.city)); }
    var more = el("a", "popup-more", "Voir la session");
    more.href = link.href;
    opensOutside(more);
    box.appendChild(more);
    return box;
  }

  function openPopup(marker, id) {
    marker.bindPopup(el("p", null, "Chargement…")).openPopup();
    fetch(config.dataset.eventUrl.replace(/0$/, String(id)), { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (event) { marker.setPopupContent(popupContent(event)); })
      .catch(function () {
        marker.setPopupContent(el("p", null, "Impossible de charger cette session. Réessayez."));
      });
  }

  function markerFor(row) {
    var family = families[row[3]];
    var label = (kinds[row[4]] || "Session") + (family ? " – " + family.label : "");
    var marker = L.marker([row[1], row[2]], { icon: icon(row[3]), title: label, alt: label,
                                              keyboard: true });
    marker.eventId = row[0];
    marker.on("click", function () { openPopup(marker, row[0]); });
    marker.on("add", function () {
      // Leaflet makes the pin focusable; Enter or Space must open it like a click.
      var element = marker.getElement();
      if (element) { element.dataset.eventId = String(row[0]); }
      if (element && !element.dataset.keys) {
        element.dataset.keys = "1";
        element.addEventListener("keydown", function (event) {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            openPopup(marker, row[0]);
          }
        });
      }
    });
    return marker;
  }

  function say(text) { if (status) { status.textContent = text; } }

  var ready = fetch(config.dataset.markersUrl, { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    })
    .then(function (data) {
      var markers = data.markers.map(markerFor);
      return new Promise(function (resolve) {
        cluster.addLayers(markers, function () {});
        (function wait() {
          // chunkedLoading adds markers over several frames; resolve once all are in.
          if (cluster.getLayers().length >= markers.length) { resolve(markers.length); }
          else { window.setTimeout(wait, 20); }
        })();
      });
    })
    .then(function (count) {
      say(count === 0 ? "Aucune session sur place à afficher sur la carte."
                      : count + (count > 1 ? " sessions sur place sur la carte." : " session sur place sur la carte."));
      document.body.dataset.markersLoaded = String(count);
      document.dispatchEvent(new CustomEvent("opengen:markers", { detail: { count: count } }));
      return count;
    })
    .catch(function () {
      say("La carte n’a pas pu charger les sessions. La liste ci-dessous reste disponible.");
      document.body.dataset.markersLoaded = "error";
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
    if (!config.dataset.fixedView) { map.fitBounds(area.getBounds()); }
    try {
      window.localStorage.setItem("opengen.place", JSON.stringify(
        { q: config.dataset.placeQ || null, lat: centre[0], lon: centre[1] }));
    } catch (error) { /* private browsing: nothing to remember */ }
  }

  window.opengenMap = { map: map, cluster: cluster, ready: ready, area: area };
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
      fail(failure.code === 1
        ? "Vous n’avez pas autorisé la localisation. Tapez plutôt votre code postal ou votre commune."
        : "Votre position n’a pas pu être trouvée. Tapez plutôt votre code postal ou votre commune.");
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 });
  });
})();
