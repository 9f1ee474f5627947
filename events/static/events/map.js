/*
 * The map of sites (/map/ and /map/embed/).
 *
 * The page arrives with the list of sites already in it; this script draws a marker for
 * every site in that list, and when a filter changes it asks GET /api/v1/sites/ for the
 * same filters and redraws the list and the markers from the answer. Settings come from
 * the JSON block #map-config (no inline script: a strict CSP can forbid them); texts from
 * the JavaScript catalogue (gettext, ngettext), dates and numbers from appIntl
 * (static/js/intl.js), both loaded before this script.
 * Without tiles (no network to the tile server) the markers and the list still work.
 */
(function () {
  "use strict";

  var configElement = document.getElementById("map-config");
  var mapElement = document.getElementById("map");
  if (!configElement || !mapElement || typeof window.L === "undefined" || !window.appIntl) {
    return; // The server-rendered list stays usable on its own.
  }
  var config = JSON.parse(configElement.textContent);
  var form = document.getElementById("map-filters");
  var list = document.getElementById("map-sites");
  var statusElement = document.getElementById("map-status");
  var errorElement = document.getElementById("map-error");
  var noticeElement = document.getElementById("map-notice");
  var placeInput = form.elements.place;
  var nearInput = form.elements.near;
  var language = appIntl.language;
  var zone = "Europe/Amsterdam";

  // A 24-hour clock in every language, as on the server-rendered pages (not 04:00 PM).
  var dateFormat = appIntl.dateTimeFormat({
    // The house style of a day with its time: "zaterdag 25 september 2027, 11:00".
    weekday: "long", day: "numeric", month: "long", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone
  });
  var timeFormat = appIntl.dateTimeFormat({
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone
  });
  var numberFormat = appIntl.numberFormat({ maximumFractionDigits: 1 });

  // --- Texts -------------------------------------------------------------------------

  // A count in the plural form the language has for it (Arabic has six).
  function foundText(count) {
    if (!count) {
      return gettext("No sites found. Try other filters.");
    }
    return interpolate(
      ngettext("%(count)s site found.", "%(count)s sites found.", count), { count: count }, true
    );
  }

  function spotsText(count) {
    if (!count) {
      return gettext("No open spots");
    }
    return interpolate(
      ngettext("%(count)s open spot", "%(count)s open spots", count), { count: count }, true
    );
  }

  function setStatus(text) {
    statusElement.textContent = text;
  }

  function showError(message, parameter) {
    errorElement.textContent = message;
    errorElement.hidden = false;
    var field = parameter && form.elements[parameter === "near" ? "place" : parameter];
    if (field && field.setAttribute) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", "map-error");
    }
  }

  function clearError() {
    errorElement.hidden = true;
    errorElement.textContent = "";
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (field) {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
    });
  }

  // --- The map ---------------------------------------------------------------------

  var map = L.map(mapElement, {
    center: config.center,
    zoom: config.zoom,
    zoomControl: false,
    // In a partner's page the wheel scrolls their page, not our map.
    scrollWheelZoom: !config.embed
  });
  appIntl.leafletControls(map);
  var tiles = L.tileLayer(config.tiles.url, {
    attribution: config.tiles.attribution,
    maxZoom: config.tiles.maxZoom,
    // Tile servers such as OpenStreetMap's ask to know which site shows their tiles.
    referrerPolicy: "strict-origin-when-cross-origin"
  });
  appIntl.tilesNotice(tiles, mapElement, noticeElement);
  tiles.addTo(map);

  var markerLayer = null;
  var searchArea = null;
  var popupMarker = null;
  var openPopup = null;
  map.on("popupopen", function (event) { openPopup = event.popup; });
  map.on("popupclose", function (event) {
    if (openPopup === event.popup) { openPopup = null; }
  });

  // Escape closes a popup wherever the focus is in the map (Leaflet does so only while the
  // map itself has the focus) and gives the focus back to the marker that opened it.
  mapElement.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !openPopup) { return; }
    var marker = popupMarker;
    map.closePopup();
    event.preventDefault();
    if (marker && marker.getElement()) { marker.getElement().focus(); }
  });

  function markerIcon(kind, siteId) {
    var dot = document.createElement("span");
    dot.className = "map-marker__dot";
    dot.setAttribute("data-site-id", siteId);
    return L.divIcon({
      className: "map-marker map-marker--" + kind,
      html: dot,
      iconSize: [28, 28],
      iconAnchor: [14, 28],
      popupAnchor: [0, -26]
    });
  }

  // A cluster is named by what it holds ("12 sites"), not by a bare number; the number
  // stays what is seen. Sizes as markercluster's own icon.
  function clusterIcon(cluster) {
    var count = cluster.getChildCount();
    var box = document.createElement("div");
    var shown = document.createElement("span");
    shown.textContent = numberFormat.format(count);
    shown.setAttribute("aria-hidden", "true");
    box.appendChild(shown);
    var name = document.createElement("span");
    name.className = "visually-hidden";
    name.textContent = interpolate(
      ngettext("%(count)s site", "%(count)s sites", count), { count: numberFormat.format(count) }, true
    );
    box.appendChild(name);
    return L.divIcon({
      html: box,
      className: "marker-cluster marker-cluster-" + (count < 10 ? "small" : count < 100 ? "medium" : "large"),
      iconSize: L.point(40, 40)
    });
  }

  function popupContent(item) {
    var box = document.createElement("div");
    box.className = "map-popup";
    Array.prototype.forEach.call(item.children, function (child) {
      if (!child.classList.contains("map-site__show")) {
        box.appendChild(child.cloneNode(true));
      }
    });
    return box;
  }

  function addShowButton(item, marker) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "map-site__show map-button map-button--secondary";
    button.textContent = gettext("Show on map");
    button.addEventListener("click", function () {
      mapElement.scrollIntoView({ block: "nearest" });
      if (markerLayer.zoomToShowLayer) {
        markerLayer.zoomToShowLayer(marker, function () { marker.openPopup(); });
      } else {
        map.setView(marker.getLatLng(), Math.max(map.getZoom(), 12));
        marker.openPopup();
      }
    });
    item.appendChild(button);
  }

  function drawSearchArea(near) {
    if (searchArea) {
      map.removeLayer(searchArea);
      searchArea = null;
    }
    if (near) {
      searchArea = L.circle([near.coordinates[1], near.coordinates[0]], {
        radius: near.radius_km * 1000,
        className: "map-search-area",
        interactive: false
      }).addTo(map);
    }
  }

  function drawMarkers() {
    if (markerLayer) {
      map.removeLayer(markerLayer);
    }
    var items = list.querySelectorAll("li[data-lat]");
    markerLayer = items.length > config.clusterFrom
      ? L.markerClusterGroup({
        showCoverageOnHover: false, maxClusterRadius: 50, iconCreateFunction: clusterIcon
      })
      : L.featureGroup();
    Array.prototype.forEach.call(items, function (item) {
      var name = item.querySelector(".map-site__name").textContent.trim();
      var marker = L.marker([parseFloat(item.dataset.lat), parseFloat(item.dataset.lon)], {
        icon: markerIcon(item.dataset.kind, item.dataset.siteId),
        title: name,
        alt: name,
        keyboard: true,
        riseOnHover: true
      });
      // Keep the popup clear of the zoom buttons in the top-left corner on a phone.
      marker.bindPopup(function () { return popupContent(item); }, {
        maxWidth: 280,
        autoPanPaddingTopLeft: L.point(56, 24),
        autoPanPaddingBottomRight: L.point(16, 16)
      });
      marker.on("popupopen", function () { popupMarker = marker; });
      markerLayer.addLayer(marker);
      addShowButton(item, marker);
    });
    markerLayer.addTo(map);
    var bounds = items.length ? markerLayer.getBounds() : null;
    if (searchArea) {
      bounds = bounds ? bounds.extend(searchArea.getBounds()) : searchArea.getBounds();
    }
    if (bounds && bounds.isValid()) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 12 });
    } else {
      map.setView(config.center, config.zoom);
    }
  }

  // --- The list --------------------------------------------------------------------

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function link(href, text) {
    var anchor = element("a", null, text);
    anchor.href = href;
    return anchor;
  }

  function timeElement(value, format) {
    var node = element("time", null, format.format(new Date(value)));
    node.dateTime = value;
    return node;
  }

  function siteItem(feature) {
    var p = feature.properties;
    var item = element("li", "map-site map-site--" + p.kind);
    item.dataset.siteId = String(p.id);
    item.dataset.kind = p.kind;
    if (feature.geometry) {
      item.dataset.lon = String(feature.geometry.coordinates[0]);
      item.dataset.lat = String(feature.geometry.coordinates[1]);
    }
    var heading = element("h3", "map-site__name");
    heading.appendChild(link(p.url, p.name));
    item.appendChild(heading);
    item.appendChild(element("p", "map-site__place", p.event_name + " · " + (p.address || p.town)));
    var when = element("p", "map-site__time");
    when.appendChild(timeElement(p.opens_at, dateFormat));
    when.appendChild(document.createTextNode("–"));
    when.appendChild(timeElement(p.closes_at, timeFormat));
    item.appendChild(when);
    // A site whose day is over offers no shifts and nothing to put in a calendar.
    var past = new Date(p.closes_at) <= new Date();
    item.appendChild(element("p", "map-site__spots", past
      ? gettext("This site's action day has taken place.") : spotsText(p.open_spots)));
    if (p.distance_km !== undefined && p.distance_km !== null) {
      item.appendChild(element("p", "map-site__distance", interpolate(
        gettext("%(km)s km away"), { km: numberFormat.format(p.distance_km) }, true
      )));
    }
    if (p.approximate) {
      item.appendChild(element("p", "map-site__note", gettext("Location shown approximately")));
    } else if (p.town_position) {
      item.appendChild(
        element("p", "map-site__note", gettext("On the map at the centre of the town"))
      );
    }
    if (!feature.geometry) {
      item.appendChild(element("p", "map-site__note", gettext("Not on the map yet")));
    }
    if (past) {
      return item;
    }
    var links = element("p", "map-site__links");
    links.appendChild(link(p.url, gettext("Choose a shift")));
    links.appendChild(document.createTextNode(" · "));
    // The feed speaks Dutch unless asked otherwise, as the site and event pages ask.
    links.appendChild(link(
      p.calendar_url + (language === "nl" ? "" : "?lang=" + language), gettext("Add to calendar")
    ));
    item.appendChild(links);
    return item;
  }

  function render(collection) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    collection.features.forEach(function (feature) { list.appendChild(siteItem(feature)); });
    drawSearchArea(collection.near);
    drawMarkers();
    setStatus(foundText(collection.numberMatched));
  }

  // --- Filters ---------------------------------------------------------------------

  function filterParams() {
    // What the page's own address keeps: the filters as the form names them.
    var params = new URLSearchParams();
    ["event", "kind"].forEach(function (name) {
      if (form.elements[name].value) { params.set(name, form.elements[name].value); }
    });
    if (form.elements.open_spots.checked) { params.set("open_spots", "true"); }
    var place = placeInput.value.trim();
    if (place) {
      params.set("place", place);
    } else if (nearInput.value) {
      params.set("near", nearInput.value);
    }
    if (params.has("place") || params.has("near")) {
      params.set("radius_km", form.elements.radius_km.value);
    }
    return params;
  }

  function apiParams() {
    var params = filterParams();
    if (!params.has("event")) {
      params.set("date_from", config.today); // Without an edition: the coming ones.
    }
    return params;
  }

  var pending = null;

  function failedText() {
    return gettext("The sites could not be loaded. Check your connection and try again.");
  }

  function update() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    var params = apiParams();
    clearError();
    setStatus(gettext("Looking for sites…"));
    fetch(config.api + "?" + params.toString(), {
      headers: { Accept: "application/geo+json" },
      credentials: "same-origin",
      signal: pending.signal
    }).then(function (response) {
      return response.json().then(function (body) {
        return { ok: response.ok, body: body };
      });
    }).then(function (answer) {
      if (!answer.ok) {
        // The list and markers are still those of the search before: say so.
        setStatus(
          list.children.length ? gettext("The list and the map still show the previous search.") : ""
        );
        var body = answer.body || {};
        var messages = body.parameter && body.fields && body.fields[body.parameter];
        showError((messages && messages[0]) || body.detail || failedText(), body.parameter);
        return;
      }
      render(answer.body);
      var query = filterParams().toString();
      window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
    }).catch(function (error) {
      if (error.name !== "AbortError") { setStatus(failedText()); }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    update();
  });
  form.addEventListener("change", function (event) {
    if (event.target === placeInput) { return; } // Searched on submit (Enter).
    if (event.target === form.elements.radius_km && !placeInput.value && !nearInput.value) {
      return;
    }
    update();
  });
  placeInput.addEventListener("input", function () {
    if (nearInput.value) {
      nearInput.value = ""; // A typed place replaces "near me".
      placeInput.placeholder = placeInput.dataset.placeholder || placeInput.placeholder;
    }
  });

  var nearMe = document.getElementById("map-near-me");
  if (nearMe && navigator.geolocation) {
    nearMe.hidden = false;
    nearMe.addEventListener("click", function () {
      clearError();
      setStatus(gettext("Finding your location…"));
      navigator.geolocation.getCurrentPosition(function (position) {
        // Three decimals (about 100 m) are enough to find sites nearby.
        nearInput.value = position.coords.latitude.toFixed(3) + "," +
          position.coords.longitude.toFixed(3);
        placeInput.value = "";
        placeInput.dataset.placeholder = placeInput.placeholder;
        placeInput.placeholder = gettext("your location");
        update();
      }, function () {
        setStatus("");
        showError(gettext("Your location is not available. Type a town or postcode instead."), "place");
      }, { maximumAge: 600000, timeout: 20000 });
    });
  }
  if (nearInput.value && !placeInput.value) {
    placeInput.dataset.placeholder = placeInput.placeholder;
    placeInput.placeholder = gettext("your location");
  }

  // --- Start: markers for the sites the page came with -----------------------------

  // The same time format as the lists this script draws.
  Array.prototype.forEach.call(list.querySelectorAll(".map-site__time"), function (when) {
    var times = when.querySelectorAll("time");
    if (times.length === 2) {
      times[0].textContent = dateFormat.format(new Date(times[0].dateTime));
      times[1].textContent = timeFormat.format(new Date(times[1].dateTime));
    }
  });
  drawSearchArea(config.near);
  drawMarkers();
}());
