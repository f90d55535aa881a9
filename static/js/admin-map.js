/* The moderation queue's map: one pin per pending submission, labels set with textContent. */
(function () {
  "use strict";
  var config = document.getElementById("queue-config");
  if (!config) { return; }
  var map = window[config.dataset.mapName];
  var pins = JSON.parse(config.dataset.pins);
  var bounds = [];
  pins.forEach(function (pin) {
    var marker = L.circleMarker([pin.lat, pin.lon], { radius: 8, color: "#b3261e", weight: 3, fillOpacity: 0.6 });
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = pin.url;
    link.textContent = pin.label;
    box.appendChild(link);
    marker.bindPopup(box).addTo(map);
    bounds.push([pin.lat, pin.lon]);
  });
  if (bounds.length) { map.fitBounds(bounds, { maxZoom: 12, padding: [20, 20] }); }
})();
