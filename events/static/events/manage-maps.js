// Small Leaflet maps on the /manage/ pages. No inline script: each map is a
// <div class="mini-map"> whose data attributes say what to show:
//   data-lat, data-lon, data-label          one marker (a site's position)
//   data-markers="<css selector>"            a marker for every element matching the
//                                            selector that has data-lat/data-lon/data-label
//                                            (and data-href to link the popup, data-note
//                                            for a line under its name)
//   data-tiles, data-attribution             the tile server
// Leaflet's buttons speak the page's language (appIntl, static/js/intl.js).
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }

  function point(el) {
    var lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
    return isFinite(lat) && isFinite(lon) ? [lat, lon] : null;
  }

  function popup(el) {
    var box = document.createElement("div");
    var text = el.dataset.label || "";
    if (el.dataset.href) {
      var link = document.createElement("a");
      link.href = el.dataset.href;
      link.textContent = text;
      box.appendChild(link);
    } else {
      box.textContent = text;
    }
    // A position known only to the town (or postcode): sites in one town share a point.
    if (el.dataset.note) {
      var note = document.createElement("div");
      note.className = "meta";
      note.textContent = el.dataset.note;
      box.appendChild(note);
    }
    return box;
  }

  document.querySelectorAll(".mini-map").forEach(function (el) {
    var sources = el.dataset.markers ? document.querySelectorAll(el.dataset.markers) : [el];
    var markers = [];
    var map = L.map(el, { scrollWheelZoom: false, zoomControl: false });
    appIntl.leafletControls(map);
    var tiles = L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: el.dataset.attribution || "" });
    appIntl.tilesNotice(tiles, el);
    tiles.addTo(map);
    Array.prototype.forEach.call(sources, function (source) {
      var at = point(source);
      if (at) { markers.push(L.marker(at).bindPopup(popup(source)).addTo(map)); }
    });
    if (markers.length === 1) {
      map.setView(markers[0].getLatLng(), 13);
    } else if (markers.length > 1) {
      map.fitBounds(L.featureGroup(markers).getBounds().pad(0.2));
    } else {
      map.setView([52.2, 5.3], 7);  // the Netherlands
    }
    el.dataset.ready = String(markers.length);
  });
})();
