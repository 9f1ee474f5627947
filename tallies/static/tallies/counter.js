/*
 * The tally counter at the door (/sites/{id}/count/).
 *
 * Every tap gets a UUID and is written to localStorage, under its own key, before
 * anything else happens; only then is the count on screen raised. A background loop
 * sends the stored taps in batches and removes them once the server has answered for
 * them (stored, already stored, or refused). Without a connection it retries with
 * exponential backoff, and at once when the browser says it is online again.
 * One key per tap means two tabs, or a reload in the middle of a send, lose nothing:
 * the server stores each UUID once, however often it arrives.
 *
 * Configuration comes from the JSON block named by data-config (no inline script, so a
 * strict Content-Security-Policy can forbid them); texts from the JavaScript catalogue
 * (gettext, ngettext) and times from appIntl (static/js/intl.js), both loaded before
 * this script and kept by the browser, so the counter speaks its language offline too.
 *
 * The page registers the counter's service worker (/sw.js, tallies/views/worker.py): it
 * keeps a copy of this page and its files, so that the counter also opens with no
 * connection once it was loaded. A page opened from that copy carries the CSRF token of
 * the day it was loaded: the taps go out with the token from the csrftoken cookie, and
 * when the server refuses that (a 403), the page is fetched once more for a fresh one.
 */
(function () {
  "use strict";

  var root = document.getElementById("tally-counter");
  if (!root) {
    return;
  }
  var config = JSON.parse(document.getElementById(root.dataset.config).textContent);
  var prefix = "actiedagen.tally." + config.site + ".";
  var queuePrefix = prefix + "tap.";
  var refusedKey = prefix + "refused";
  var totalsKey = prefix + "totals";
  var deviceKey = "actiedagen.device";

  var BATCH_SIZE = 100;
  var SEND_DELAY = 300; // gather a burst of taps into one request
  var POLL_INTERVAL = 15000; // fetch the other phones' counts when idle
  var MAX_BACKOFF = 30000;
  var REQUEST_TIMEOUT = 20000;
  var REFUSED_KEEP = 50;

  // --- Storage -----------------------------------------------------------------------

  function memoryStorage() {
    var items = {};
    return {
      get length() {
        return Object.keys(items).length;
      },
      key: function (i) {
        return Object.keys(items)[i] || null;
      },
      getItem: function (k) {
        return Object.prototype.hasOwnProperty.call(items, k) ? items[k] : null;
      },
      setItem: function (k, v) {
        items[k] = String(v);
      },
      removeItem: function (k) {
        delete items[k];
      },
    };
  }

  var storage;
  var persistent = true;
  try {
    storage = window.localStorage;
    storage.setItem(prefix + "probe", "1");
    storage.removeItem(prefix + "probe");
  } catch (e) {
    storage = memoryStorage();
    persistent = false;
  }

  function newId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      try {
        return window.crypto.randomUUID();
      } catch (e) {
        /* not a secure context: fall through */
      }
    }
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i++) {
        bytes[i] = Math.floor(Math.random() * 256);
      }
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return (b + 0x100).toString(16).slice(1);
      })
      .join("");
    return (
      hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20)
    );
  }

  function deviceId() {
    var id = storage.getItem(deviceKey);
    if (!id) {
      id = newId();
      storage.setItem(deviceKey, id);
    }
    return id;
  }

  function pendingTaps() {
    var taps = [];
    var broken = [];
    for (var i = 0; i < storage.length; i++) {
      var key = storage.key(i);
      if (key && key.indexOf(queuePrefix) === 0) {
        try {
          taps.push(JSON.parse(storage.getItem(key)));
        } catch (e) {
          broken.push(key);
        }
      }
    }
    broken.forEach(function (key) {
      storage.removeItem(key);
    });
    taps.sort(function (a, b) {
      return a.recorded_at < b.recorded_at ? -1 : a.recorded_at > b.recorded_at ? 1 : 0;
    });
    return taps;
  }

  function readRefused() {
    try {
      return JSON.parse(storage.getItem(refusedKey) || "[]");
    } catch (e) {
      return [];
    }
  }

  function addRefused(items) {
    if (!items.length) {
      return;
    }
    var list = readRefused().concat(items).slice(-REFUSED_KEEP);
    try {
      storage.setItem(refusedKey, JSON.stringify(list));
    } catch (e) {
      /* the list is for information only */
    }
  }

  // --- State and screen --------------------------------------------------------------

  // The totals the server last gave, kept with the server's time (its Date header) so that
  // a copy of this page opened offline shows them rather than its own older ones.
  function keptTotals() {
    try {
      var kept = JSON.parse(storage.getItem(totalsKey) || "null");
      return kept && typeof kept.at === "number" ? kept : null;
    } catch (e) {
      return null;
    }
  }

  function keepTotals(totals, response) {
    var at = Date.parse(response.headers.get("Date") || "");
    if (isNaN(at)) {
      return;
    }
    try {
      storage.setItem(totalsKey, JSON.stringify({ totals: totals, at: Math.floor(at / 1000) }));
    } catch (e) {
      /* the page's own totals will do */
    }
  }

  var serverTotals = config.totals;
  var kept = keptTotals();
  if (kept && kept.at >= config.totals_at) {
    serverTotals = kept.totals;
  }
  var problem = persistent ? null : "no_storage";
  var lastContact = null;
  var sending = false;

  var pendingEl = root.querySelector("[data-pending]");
  var connectionEl = root.querySelector("[data-connection]");
  var offlineReadyEl = root.querySelector("[data-offline-ready]");
  var statusEl = root.querySelector("[data-status]");
  var refusedEl = root.querySelector("[data-refused]");
  var refusedList = root.querySelector("[data-refused-list]");
  // Left-to-right isolate, first-strong isolate, pop directional isolate.
  var LRI = "\u2066", FSI = "\u2068", PDI = "\u2069";

  // What the status line says about a problem (the value of `problem`).
  var PROBLEMS = {
    offline: gettext("No connection: taps are kept on this phone and sent later."),
    forbidden: gettext("The server refused the taps: log in again. They are kept on this phone."),
    cancelled: gettext("This site is cancelled; the taps cannot be sent."),
    not_approved: gettext(
      "This site is not approved yet: the taps are kept on this phone and sent once it is."
    ),
    error: gettext("The server could not take the taps; trying again."),
    no_storage: gettext(
      "This browser cannot store taps: do not reload the page until all are sent."
    ),
  };

  // The phone's own time, in 0-9 and the 24-hour clock whatever the language.
  var timeFormat = appIntl.dateTimeFormat({
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });

  function timeText(date) {
    return timeFormat.format(date);
  }

  // A category's name as the page shows it on its button.
  function categoryLabel(category) {
    var label = document.getElementById("counter-label-" + category);
    return label ? label.textContent : category;
  }

  function pendingText(pending, refused) {
    if (pending) {
      return interpolate(
        ngettext("%(count)s tap not yet sent", "%(count)s taps not yet sent", pending),
        { count: pending },
        true
      );
    }
    if (refused) {
      return interpolate(
        ngettext(
          "All taps sent, but %(count)s was refused: see below",
          "All taps sent, but %(count)s were refused: see below",
          refused
        ),
        { count: refused },
        true
      );
    }
    return gettext("All taps sent");
  }

  // The site's totals and this phone's unsent taps on top; null when the server does not
  // show this person the totals (a volunteer after the site's day).
  function shownTotals(taps) {
    if (!serverTotals) {
      return null;
    }
    var shown = {};
    Object.keys(serverTotals).forEach(function (category) {
      shown[category] = serverTotals[category];
    });
    taps.forEach(function (tap) {
      shown[tap.category] = (shown[tap.category] || 0) + tap.delta;
    });
    return shown;
  }

  function render() {
    var taps = pendingTaps();
    var shown = shownTotals(taps);
    root.querySelectorAll("[data-total-for]").forEach(function (el) {
      el.textContent = shown ? String(shown[el.dataset.totalFor] || 0) : "\u2013";
    });

    var n = taps.length;
    var refused = readRefused();
    if (connectionEl) {
      connectionEl.hidden = !(problem === "offline" || navigator.onLine === false);
    }
    pendingEl.textContent = pendingText(n, refused.length);
    pendingEl.classList.toggle("has-pending", n > 0 || refused.length > 0);
    pendingEl.dataset.count = String(n);

    var status = [];
    if (problem) {
      status.push(PROBLEMS[problem]);
    } else if (sending) {
      status.push(gettext("Sending…"));
    }
    if (lastContact) {
      status.push(
        interpolate(
          gettext("Last contact with the server: %(time)s"),
          { time: timeText(lastContact) },
          true
        )
      );
    }
    statusEl.textContent = status.join(" ");
    statusEl.classList.toggle("is-problem", Boolean(problem));

    refusedEl.hidden = refused.length === 0;
    refusedList.textContent = "";
    refused.forEach(function (item) {
      var li = document.createElement("li");
      var when = new Date(item.recorded_at);
      li.textContent = interpolate(
        // Translators: a tap the server refused, e.g. "Visitors +1, 14:02:10: too far from
        // the site's day".
        gettext("%(category)s %(change)s, %(time)s: %(reason)s"),
        // Isolated (Unicode isolates: this is text, not markup), so that on an Arabic
        // page "+1" stays "+1" and a time stays "14:02:10".
        {
          category: FSI + categoryLabel(item.category) + PDI,
          change: LRI + (item.delta > 0 ? "+" : "") + item.delta + PDI,
          time: LRI + (isNaN(when) ? item.recorded_at : timeText(when)) + PDI,
          reason: FSI + item.reason + PDI,
        },
        true
      );
      refusedList.appendChild(li);
    });
  }

  // --- Sending -------------------------------------------------------------------------

  var timer = null;
  var backoff = 0;

  function schedule(delay) {
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(run, delay);
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : root.dataset.csrf;
  }

  function request(method, body) {
    var controller = window.AbortController ? new AbortController() : null;
    var timeout = controller
      ? setTimeout(function () {
          controller.abort();
        }, REQUEST_TIMEOUT)
      : null;
    var options = {
      method: method,
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
      signal: controller ? controller.signal : undefined,
    };
    if (body) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = csrfToken();
      options.body = JSON.stringify(body);
    }
    return fetch(config.api, options).finally(function () {
      if (timeout) {
        clearTimeout(timeout);
      }
    });
  }

  // Whether the token was fetched anew since the server last took taps: once is enough;
  // a refusal after that is a real one (logged out, no longer allowed).
  var tokenRenewed = false;

  function renewToken() {
    // Loading the page again sets the csrftoken cookie when it is missing, and its copy
    // (through the worker) carries a fresh token.
    return fetch(window.location.pathname, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "text/html" },
    })
      .then(function (response) {
        return response.ok && !response.redirected ? response.text() : null;
      })
      .then(function (html) {
        if (!html) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(root.id);
        if (fresh && fresh.dataset.csrf) {
          root.dataset.csrf = fresh.dataset.csrf;
        }
      })
      .catch(function () {
        /* no connection: the next attempt sends with the token there is */
      });
  }

  function retryLater(reason) {
    problem = reason;
    backoff = backoff ? Math.min(backoff * 2, MAX_BACKOFF) : 1000;
    schedule(backoff / 2 + (Math.random() * backoff) / 2);
  }

  function settled(batch) {
    batch.forEach(function (tap) {
      storage.removeItem(queuePrefix + tap.id);
    });
  }

  function refusedFrom(batch, items) {
    var byId = {};
    batch.forEach(function (tap) {
      byId[tap.id] = tap;
    });
    return items
      .filter(function (item) {
        return byId[item.id];
      })
      .map(function (item) {
        var tap = byId[item.id];
        return {
          id: tap.id,
          category: tap.category,
          delta: tap.delta,
          recorded_at: tap.recorded_at,
          reason: item.reason,
        };
      });
  }

  function handleMalformed(batch, body) {
    // A 400 names the entries it could not read (entries[3].delta). Those can never be
    // stored, so they move to the refused list and the rest goes out again.
    var fields = (body && body.fields) || {};
    var bad = {};
    Object.keys(fields).forEach(function (name) {
      var m = /^entries\[(\d+)\]/.exec(name);
      if (m && batch[Number(m[1])]) {
        bad[Number(m[1])] = fields[name].join(" ");
      }
    });
    var indexes = Object.keys(bad);
    if (!indexes.length) {
      return false;
    }
    var refused = indexes.map(function (i) {
      var tap = batch[i];
      return { id: tap.id, category: tap.category, delta: tap.delta, recorded_at: tap.recorded_at, reason: bad[i] };
    });
    addRefused(refused);
    settled(refused);
    return true;
  }

  function send(batch) {
    sending = true;
    render();
    var body = { entries: batch, device_id: deviceId(), sent_at: new Date().toISOString() };
    return request("POST", body)
      .then(function (response) {
        if (response.ok) {
          return response.json().then(function (data) {
            addRefused(refusedFrom(batch, data.refused || []));
            settled(batch);
            serverTotals = data.totals || null;
            keepTotals(serverTotals, response);
            lastContact = new Date();
            problem = persistent ? null : "no_storage";
            backoff = 0;
            tokenRenewed = false;
            schedule(pendingTaps().length ? 0 : POLL_INTERVAL);
          });
        }
        if (response.status === 400) {
          return response
            .json()
            .catch(function () {
              return null;
            })
            .then(function (data) {
              if (handleMalformed(batch, data)) {
                schedule(0);
              } else {
                retryLater("error");
              }
            });
        }
        if ((response.status === 401 || response.status === 403) && !tokenRenewed) {
          tokenRenewed = true;
          return renewToken().then(function () {
            schedule(0);
          });
        }
        if (response.status === 401 || response.status === 403) {
          retryLater("forbidden");
        } else if (response.status === 409) {
          // The site is cancelled, or not approved (yet): the taps stay on the phone.
          return response
            .json()
            .catch(function () {
              return null;
            })
            .then(function (data) {
              retryLater(data && data.code === "site_not_approved" ? "not_approved" : "cancelled");
            });
        } else {
          retryLater("error");
        }
      })
      .catch(function () {
        retryLater("offline");
      })
      .finally(function () {
        sending = false;
        render();
      });
  }

  function refresh() {
    if (document.visibilityState === "hidden") {
      schedule(POLL_INTERVAL);
      return;
    }
    request("GET")
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json().then(function (data) {
          serverTotals = data.totals;
          keepTotals(serverTotals, response);
          lastContact = new Date();
          if (problem !== "no_storage") {
            problem = null;
          }
        });
      })
      .catch(function () {
        problem = navigator.onLine === false ? "offline" : problem;
      })
      .finally(function () {
        render();
        schedule(POLL_INTERVAL);
      });
  }

  function run() {
    timer = null;
    if (sending) {
      return;
    }
    var taps = pendingTaps();
    if (taps.length) {
      send(taps.slice(0, BATCH_SIZE));
    } else {
      refresh();
    }
  }

  // --- Taps ----------------------------------------------------------------------------

  function tap(category, delta) {
    var shown = shownTotals(pendingTaps());
    if (delta < 0 && shown && (shown[category] || 0) + delta < 0) {
      return; // nothing to undo
    }
    var entry = { id: newId(), category: category, delta: delta, recorded_at: new Date().toISOString() };
    try {
      storage.setItem(queuePrefix + entry.id, JSON.stringify(entry));
    } catch (e) {
      problem = "no_storage";
      render();
      return;
    }
    if (navigator.vibrate) {
      try {
        navigator.vibrate(15);
      } catch (e) {
        /* vibration is a nicety */
      }
    }
    render();
    if (!backoff) {
      schedule(SEND_DELAY);
    }
  }

  root.querySelectorAll("button[data-delta]").forEach(function (button) {
    button.addEventListener("click", function () {
      tap(button.dataset.category, Number(button.dataset.delta));
    });
    button.disabled = false;
  });
  root.querySelector("[data-refused-clear]").addEventListener("click", function () {
    storage.removeItem(refusedKey);
    render();
    // The button has just been hidden with its list: without this the focus would fall to
    // the top of the page. The line above the list says how the sending stands now.
    pendingEl.focus();
  });

  window.addEventListener("online", function () {
    backoff = 0;
    tokenRenewed = false;
    schedule(0);
  });
  window.addEventListener("offline", function () {
    problem = "offline";
    render();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      schedule(0);
    }
  });
  window.addEventListener("storage", function (event) {
    if (event.key === null || event.key.indexOf(prefix) === 0) {
      render();
    }
  });

  // --- Offline copy (the service worker) -------------------------------------------------

  function keepForOffline() {
    if (!("serviceWorker" in navigator) || !root.dataset.worker) {
      return; // the counter works on as before; it only cannot be reloaded offline
    }
    // This page passed the worker by when none controlled it yet (the first visit): the
    // worker then fetches its own copy.
    var controlled = Boolean(navigator.serviceWorker.controller);
    navigator.serviceWorker
      .register(root.dataset.worker, { scope: "/" })
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        if (!controlled && registration.active) {
          registration.active.postMessage({ type: "keep-counter-page", url: window.location.href });
        }
        if (offlineReadyEl) {
          offlineReadyEl.hidden = false;
        }
      })
      .catch(function () {
        /* no worker (private window, blocked): online as before */
      });
  }

  render();
  schedule(pendingTaps().length ? 0 : POLL_INTERVAL);
  keepForOffline();
})();
