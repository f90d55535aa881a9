/* A draggable pin for the venue: its position goes into the form's hidden pin inputs.
   Keyboard users move it with the nudge buttons; messages come from data attributes. */
(function () {
  "use strict";
  var config = document.getElementById("pin-config");
  if (!config) { return; }
  var map = window[config.dataset.mapName];
  var latInput = document.getElementById(config.dataset.latInput);
  var lonInput = document.getElementById(config.dataset.lonInput);
  var status = document.getElementById("pin-status");
  var start = [parseFloat(latInput.value || config.dataset.lat), parseFloat(lonInput.value || config.dataset.lon)];
  var marker = L.marker(start, { draggable: true, keyboard: true, autoPan: true,
                                 title: config.dataset.title, alt: config.dataset.title }).addTo(map);
  var STEP_M = 10;

  function place(latlng, message) {
    latInput.value = latlng.lat.toFixed(6);
    lonInput.value = latlng.lng.toFixed(6);
    if (status) { status.textContent = message; }
    document.body.dataset.pinLat = latInput.value;
    document.body.dataset.pinLon = lonInput.value;
  }

  marker.on("dragend", function () { place(marker.getLatLng(), config.dataset.moved); });
  map.on("click", function (event) {
    marker.setLatLng(event.latlng);
    place(event.latlng, config.dataset.clicked);
  });

  var moves = { north: [1, 0], south: [-1, 0], east: [0, 1], west: [0, -1] };
  Array.prototype.forEach.call(document.querySelectorAll("[data-nudge]"), function (button) {
    button.addEventListener("click", function () {
      var move = moves[button.dataset.nudge];
      var here = marker.getLatLng();
      var dLat = move[0] * STEP_M / 111320;
      var dLon = move[1] * STEP_M / (111320 * Math.cos(here.lat * Math.PI / 180));
      var there = L.latLng(here.lat + dLat, here.lng + dLon);
      marker.setLatLng(there);
      map.panTo(there);
      place(there, config.dataset.moved);
    });
  });

  window.opengenPin = { map: map, marker: marker };
})();
