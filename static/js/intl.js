/*
 * Dates, times and numbers in the page's language, and Leaflet's own texts in it too.
 * Loaded after the JavaScript catalogue (/jsi18n/<lang>/, which defines gettext and
 * ngettext) and before the page's own script.
 *
 * One policy for every language, the same as the server's: the Gregorian calendar and
 * Western digits (0-9). Without the "-u-ca-gregory-nu-latn" extension Intl writes Persian
 * dates in the Solar Hijri calendar with Persian digits, and Arabic numbers with
 * Arabic-Indic digits, while the server's pages beside them show Gregorian dates in 0-9.
 */
(function () {
  "use strict";

  // Without the catalogue (it failed to load) the texts stay in English, their source,
  // and the page works on.
  if (typeof window.gettext !== "function") {
    window.gettext = function (msgid) { return msgid; };
    window.ngettext = function (singular, plural, count) { return count === 1 ? singular : plural; };
    window.pgettext = function (context, msgid) { return msgid; };
    window.npgettext = function (context, singular, plural, count) {
      return count === 1 ? singular : plural;
    };
    window.interpolate = function (fmt, values, named) {
      if (named) {
        return fmt.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
      }
      var list = values.slice();
      return fmt.replace(/%s/g, function () { return String(list.shift()); });
    };
  }

  var EXTENSION = "-u-ca-gregory-nu-latn";
  var language = document.documentElement.lang || "nl";
  // A language the browser has no data for (Chromium has none for Tigrinya) falls back
  // to British English: the day before the month and the 24-hour clock, as our
  // Tigrinya formats have them.
  var locales = [language + EXTENSION, "en-GB" + EXTENSION];

  window.appIntl = {
    language: language,
    locales: locales,
    dateTimeFormat: function (options) {
      return new Intl.DateTimeFormat(locales, options);
    },
    numberFormat: function (options) {
      return new Intl.NumberFormat(locales, options);
    },
    // The zoom buttons and the popups' close button of a Leaflet map made with
    // `zoomControl: false`; Leaflet has them in English only.
    leafletControls: function (map) {
      window.L.control.zoom({
        zoomInTitle: gettext("Zoom in"),
        zoomOutTitle: gettext("Zoom out"),
      }).addTo(map);
      map.on("popupopen", function (event) {
        var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
        if (close) {
          close.setAttribute("aria-label", gettext("Close popup"));
        }
      });
    },
    // Says so under a map whose background (the tiles) cannot be loaded, instead of
    // leaving a blank box; the markers still work. The notice is the page's own `notice`
    // element when it has one (the public map), else a new one after the map `element`.
    tilesNotice: function (layer, element, notice) {
      layer.once("tileerror", function () {
        if (!notice) {
          notice = document.createElement("p");
          notice.className = "map-notice";
          notice.setAttribute("role", "status");
          element.insertAdjacentElement("afterend", notice);
        }
        notice.hidden = false;
        notice.textContent = gettext(
          "The background map could not be loaded. The markers and the list still work."
        );
        element.classList.add("map--no-tiles");
      });
    },
  };
})();
