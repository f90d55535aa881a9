/* The small map on a session page: one pin at the venue, from numeric data attributes. */
(function () {
  "use strict";
  var config = document.getElementById("venue-config");
  if (!config) { return; }
  var map = window[config.dataset.mapName];
  var point = [parseFloat(config.dataset.lat), parseFloat(config.dataset.lon)];
  L.circleMarker(point, { radius: 9, color: "#1f5fa8", weight: 3, fillOpacity: 0.6 }).addTo(map);
})();
