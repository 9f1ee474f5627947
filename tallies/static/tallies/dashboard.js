/*
 * The live dashboard (/dashboard/{slug}/): draws the map of sites sized by their count
 * and refreshes figures, chart, tables and map from the JSON endpoint while the page is
 * visible, unless the person pauses it. The page is complete without this script; it only
 * keeps it current. Numbers are written by appIntl (static/js/intl.js): in 0-9 in every
 * language, as the server's.
 */
(function () {
  "use strict";

  var root = document.getElementById("dashboard");
  if (!root) {
    return;
  }
  var INTERVAL = 30000;
  var data = JSON.parse(document.getElementById(root.dataset.initial).textContent);
  var map = null;
  var markers = null;

  var numberFormat = window.appIntl.numberFormat();

  function number(n) {
    return numberFormat.format(Number(n));
  }

  function initMap() {
    var el = document.getElementById("dashboard-map");
    if (!el || !window.L) {
      return;
    }
    map = window.L.map(el, { scrollWheelZoom: false, zoomControl: false }).setView([52.2, 5.4], 7);
    window.appIntl.leafletControls(map);
    var tiles = window.L.tileLayer(el.dataset.tiles, {
      attribution: el.dataset.attribution,
      maxZoom: 18,
    });
    window.appIntl.tilesNotice(tiles, el);
    tiles.addTo(map);
    markers = window.L.layerGroup().addTo(map);
  }

  function drawMap(d) {
    if (!markers) {
      return;
    }
    markers.clearLayers();
    var peak = 1;
    d.sites.forEach(function (site) {
      peak = Math.max(peak, site.headline);
    });
    var points = [];
    d.sites.forEach(function (site) {
      if (site.lat === null || site.lon === null) {
        return;
      }
      var radius = 4 + 26 * Math.sqrt(Math.max(site.headline, 0) / peak);
      var label = document.createElement("span");
      label.textContent = "\u2068" + site.name + "\u2069: " + number(site.headline);
      window.L.circleMarker([site.lat, site.lon], {
        radius: radius,
        color: "#004a77",
        weight: 1,
        fillColor: "#005f99",
        fillOpacity: 0.45,
      })
        .bindTooltip(label)
        .addTo(markers);
      points.push([site.lat, site.lon]);
    });
    return points;
  }

  function cell(tag, text, className) {
    var el = document.createElement(tag);
    el.textContent = text;
    if (className) {
      el.className = className;
    }
    return el;
  }

  // A name typed in by people (a site, a town, a branch), isolated from the text around
  // it as the server's rows have it: "'t Hoekje (noord)!" keeps its order on Arabic pages.
  function nameCell(tag, text) {
    var el = document.createElement(tag);
    el.appendChild(cell("bdi", text));
    return el;
  }

  function update(d) {
    d.comparison.forEach(function (row, i) {
      var value = root.querySelector('[data-figure="' + i + '"]');
      if (value) {
        value.textContent = number(row.current);
      }
      var change = root.querySelector('[data-change="' + i + '"]');
      if (change && row.change_signed !== null) {
        change.textContent = row.change_signed;
      }
    });
    var tbody = root.querySelector("[data-sites]");
    if (tbody && d.sites.length) {
      var rows = document.createDocumentFragment();
      d.sites.forEach(function (site) {
        var tr = document.createElement("tr");
        var th = nameCell("th", site.name);
        th.scope = "row";
        tr.appendChild(th);
        tr.appendChild(nameCell("td", site.town));
        tr.appendChild(nameCell("td", site.branch));
        d.categories.forEach(function (category) {
          var td = cell("td", number(site.totals[category.value] || 0), "num");
          td.setAttribute("data-label", category.label.charAt(0).toUpperCase() + category.label.slice(1));
          tr.appendChild(td);
        });
        rows.appendChild(tr);
      });
      tbody.textContent = "";
      tbody.appendChild(rows);
    }
    var chart = root.querySelector("[data-chart]");
    if (chart) {
      chart.innerHTML = d.chart_svg; // drawn and escaped by the server
    }
    var hourTable = root.querySelector("[data-hour-table]");
    if (hourTable && d.hour_table) {
      hourTable.innerHTML = d.hour_table; // made and escaped by the server
    }
    var updated = root.querySelector("[data-updated]");
    updated.textContent = d.updated_at_display;
    updated.setAttribute("datetime", d.updated_at);
    drawMap(d);
  }

  var timer = null;
  var polling = false;
  // Figures that change by themselves every 30 seconds can be stopped (WCAG 2.2.2): a
  // screen reader's user or a slow reader keeps the page as it is until they resume.
  var paused = false;
  var pause = document.createElement("button");
  pause.type = "button";
  pause.className = "button secondary dashboard-pause";
  pause.setAttribute("data-pause", "");

  function labelPause() {
    pause.textContent = paused ? gettext("Resume updates") : gettext("Pause updates");
  }

  function later(delay) {
    clearTimeout(timer);
    timer = setTimeout(poll, delay);
  }

  function poll() {
    if (polling || paused) {
      return;
    }
    if (document.visibilityState === "hidden") {
      later(INTERVAL);
      return;
    }
    polling = true;
    fetch(root.dataset.url, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (d) {
        if (paused) {
          return; // asked before the pause: the page stays as the person paused it
        }
        data = d;
        update(d);
        root.querySelector("[data-stale]").hidden = true;
      })
      .catch(function () {
        root.querySelector("[data-stale]").hidden = false;
      })
      .finally(function () {
        polling = false;
        if (!paused) {
          later(INTERVAL);
        }
      });
  }

  initMap();
  var points = drawMap(data);
  if (map && points && points.length) {
    map.fitBounds(points, { padding: [40, 40], maxZoom: 11 });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !paused) {
      later(0);
    }
  });
  labelPause();
  pause.addEventListener("click", function () {
    paused = !paused;
    labelPause();
    if (paused) {
      clearTimeout(timer);
    } else {
      later(0);
    }
  });
  var updatedLine = root.querySelector("[data-updated-line]").parentNode;
  updatedLine.appendChild(document.createTextNode(" "));
  updatedLine.appendChild(pause);
  later(INTERVAL);
})();
