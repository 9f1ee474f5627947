/*
 * An edition's public results (/results/<slug>/) and the embed partners frame: on the
 * edition's day, asks the results API (GET /api/v1/events/<slug>/results/) for the
 * figures every few seconds (the config's `refresh`) while the tab is visible, and puts
 * the numbers in place. The page is complete without this script (the server wrote the
 * figures); a refresh that fails leaves them as they were and says so, and the next one
 * tries again. Figures that change by themselves can be paused (WCAG 2.2.2). Numbers are
 * written by appIntl (static/js/intl.js), in 0-9 in every language, as the server does.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-results]");
  var configElement = root && document.getElementById(root.dataset.results);
  if (!configElement) {
    return;
  }
  var config = JSON.parse(configElement.textContent);
  if (!config.live || !config.url) {
    return; // before or after the day the figures do not change by the minute
  }
  var interval = Math.max(Number(config.refresh) || 30, 5) * 1000;
  var numberFormat = window.appIntl ? window.appIntl.numberFormat() : null;
  var stale = root.querySelector("[data-stale]");
  var updated = root.querySelector("[data-updated]");
  var timer = null;
  var polling = false;
  var paused = false;
  var reloading = false;
  var finished = false;

  function number(value) {
    return numberFormat ? numberFormat.format(value) : String(value);
  }

  function put(element, value) {
    if (element && typeof value === "number") {
      var text = number(value);
      if (element.textContent !== text) {
        element.textContent = text;
      }
    }
  }

  function show(d) {
    Object.keys(d.totals || {}).forEach(function (slug) {
      root.querySelectorAll('[data-total="' + CSS.escape(slug) + '"]').forEach(function (el) {
        put(el, d.totals[slug]);
      });
    });
    ["people_reached", "sites"].forEach(function (name) {
      root.querySelectorAll('[data-result="' + name + '"]').forEach(function (el) {
        put(el, d[name]);
      });
    });
    var missing = false;
    (d.provinces || []).forEach(function (province) {
      var row = root.querySelector('[data-province="' + CSS.escape(province.code) + '"]');
      if (!row) {
        missing = true;
        return;
      }
      put(row.querySelector("[data-province-sites]"), province.sites);
      Object.keys(province.totals).forEach(function (slug) {
        put(
          row.querySelector('[data-province-total="' + CSS.escape(slug) + '"]'),
          province.totals[slug]
        );
      });
    });
    if (updated) {
      updated.textContent = d.updated_at_display;
      updated.setAttribute("datetime", d.updated_at);
    }
    // A province whose first site was approved since the page was made: the page made
    // again has its row (the public page only; the embed lists no provinces).
    if (missing && root.querySelector("[data-province]") && !reloading) {
      reloading = true;
      window.location.reload();
    }
  }

  function later(delay) {
    clearTimeout(timer);
    timer = setTimeout(poll, delay);
  }

  function poll() {
    if (polling || paused || finished || document.visibilityState === "hidden") {
      return; // visibilitychange asks again when the tab is seen
    }
    polling = true;
    fetch(config.url, {
      credentials: "same-origin",
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
          return;
        }
        show(d);
        if (stale) {
          stale.hidden = true;
        }
        if (!d.live) {
          finished = true; // the day is over: the figures no longer change by the minute
        }
      })
      .catch(function () {
        if (stale) {
          stale.hidden = false;
        }
      })
      .finally(function () {
        polling = false;
        if (!paused && !finished) {
          later(interval);
        }
      });
  }

  var line = root.querySelector("[data-updated-line]");
  if (line) {
    var pause = document.createElement("button");
    pause.type = "button";
    pause.className = "button secondary results-pause";
    var labelPause = function () {
      pause.textContent = paused ? gettext("Resume updates") : gettext("Pause updates");
    };
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
    line.appendChild(document.createTextNode(" "));
    line.appendChild(pause);
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !paused && !finished) {
      later(0);
    } else {
      clearTimeout(timer);
    }
  });
  later(interval);
})();
