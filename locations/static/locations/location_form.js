/* The location form's map: a draggable pin tied to the latitude and longitude fields.
   Without Leaflet (or without tiles) the form works as it is: the fields can be typed.
   Texts come from the JavaScript catalogue (gettext), loaded before this script. */
(function () {
  "use strict";
  var el = document.getElementById("location-map");
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  var manual = document.getElementById("id_position_is_manual");
  if (!el || !lat || !lon || typeof L === "undefined") { return; }

  function parse(input) {
    var value = parseFloat(String(input.value).replace(",", "."));
    return isFinite(value) ? value : null;
  }
  function write(latlng) {
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    if (manual) { manual.checked = true; }
  }

  el.hidden = false;
  var help = document.getElementById("map-help");
  if (help) { help.hidden = false; }
  var map = L.map(el, { scrollWheelZoom: false, zoomControl: false });
  appIntl.leafletControls(map);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "", maxZoom: 19 }).addTo(map);
  }
  var start = [parse(lat), parse(lon)];
  var placed = start[0] !== null && start[1] !== null;
  map.setView(placed ? start : [52.2, 5.3], placed ? 15 : 7);

  var marker = null;
  function place(latlng) {
    if (marker) {
      marker.setLatLng(latlng);
    } else {
      var pinLabel = gettext("Drag the pin to the exact spot");
      marker = L.marker(latlng, { draggable: true, title: pinLabel, alt: pinLabel }).addTo(map);
      marker.on("dragend", function () { write(marker.getLatLng()); });
    }
  }
  if (placed) { place(start); }
  map.on("click", function (event) { place(event.latlng); write(event.latlng); });

  [lat, lon].forEach(function (input) {
    input.addEventListener("change", function () {
      var typed = [parse(lat), parse(lon)];
      if (typed[0] === null || typed[1] === null) { return; }
      place(typed);
      map.panTo(typed);
      if (manual) { manual.checked = true; }
    });
  });

  if (el.dataset.lookedUpLat && el.dataset.lookedUpLon) {
    var found = [parseFloat(el.dataset.lookedUpLat), parseFloat(el.dataset.lookedUpLon)];
    L.circleMarker(found, { radius: 9, weight: 2 }).addTo(map).bindTooltip(gettext("Looked-up position"));
  }
  // Expose for the browser tests and for debugging.
  el.locationMap = { map: map, marker: function () { return marker; } };
})();
