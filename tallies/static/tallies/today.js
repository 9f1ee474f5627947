/*
 * The control room (/manage/editions/{slug}/today/): asks the same address for fresh data
 * (?format=json) every few seconds (data-refresh) while the tab is visible, and puts the
 * server's cards in place; a refresh that fails leaves the page as it was and says so,
 * and the next one tries again. The page is complete without this script; it only keeps
 * it current. Figures that change by themselves can be paused (WCAG 2.2.2).
 */
(function () {
  "use strict";

  var root = document.getElementById("control-room");
  if (!root || !root.dataset.url) {
    return;
  }
  var interval = Math.max(Number(root.dataset.refresh) || 20, 1) * 1000;
  var cards = root.querySelector("[data-cards]");
  var stale = root.querySelector("[data-stale]");
  var updated = root.querySelector("[data-updated]");
  var summary = root.querySelector("[data-summary]");
  var timer = null;
  var polling = false;
  var paused = false;

  function later(delay) {
    clearTimeout(timer);
    timer = setTimeout(poll, delay);
  }

  function show(d) {
    if (cards && typeof d.cards_html === "string") {
      cards.innerHTML = d.cards_html; // made and escaped by the server
    }
    if (updated) {
      updated.textContent = d.updated_at_display;
      updated.setAttribute("datetime", d.updated_at);
    }
    if (summary) {
      summary.textContent =
        interpolate(ngettext("%s site", "%s sites", d.sites_count), [d.sites_count]) +
        ", " +
        interpolate(ngettext("%s with an alert", "%s with an alert", d.alerts_count), [d.alerts_count]);
    }
  }

  function poll() {
    if (polling || paused) {
      return;
    }
    if (document.visibilityState === "hidden") {
      return; // visibilitychange asks again when the tab is seen
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
          return;
        }
        if (d.is_today === false) {
          // The day is over (midnight passed): the page says so once reloaded.
          window.location.reload();
          return;
        }
        show(d);
        if (stale) {
          stale.hidden = true;
        }
      })
      .catch(function () {
        if (stale) {
          stale.hidden = false;
        }
      })
      .finally(function () {
        polling = false;
        if (!paused) {
          later(interval);
        }
      });
  }

  var pause = document.createElement("button");
  pause.type = "button";
  pause.className = "button secondary cr-pause";
  pause.setAttribute("data-pause", "");

  function labelPause() {
    pause.textContent = paused ? gettext("Resume updates") : gettext("Pause updates");
  }

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
  var line = root.querySelector("[data-updated-line]");
  if (line) {
    line.parentNode.appendChild(document.createTextNode(" "));
    line.parentNode.appendChild(pause);
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !paused) {
      later(0);
    } else {
      clearTimeout(timer);
    }
  });
  later(interval);
})();
