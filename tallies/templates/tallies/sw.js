{% autoescape off %}/*
 * The counter's service worker (tallies/views/worker.py renders this file at /sw.js).
 *
 * Only two kinds of request are answered here; every other request passes by untouched,
 * so other pages and the API behave exactly as without a worker and are never cached:
 *
 * - the counter page /sites/{id}/count/: from the network first (a copy is kept per
 *   address, only of a full 200 answer); with no connection, or no answer within a few
 *   seconds, the last copy. So the counter opens offline once it was loaded before, also
 *   after the tab was closed. The copy holds the site's name and figures, nothing else
 *   personal (the page shows no messages, tallies/counter.html), and is dropped when
 *   someone logs in or out on this phone. The taps themselves live in localStorage
 *   (counter.js), not here.
 * - the counter's static files and script texts (CONFIG.staticFiles, CONFIG.catalogues):
 *   stored when the worker installs. Names with a content hash (production) are served
 *   from the cache first: what they name never changes. The script texts (and, in
 *   development, names without a hash) from the network first, the copy offline.
 *
 * Workbox (static/vendor/workbox) does the routing and the two strategies.
 */
importScripts({{ imports }});

const CONFIG = {{ config }};

const PAGES = "counter-pages";
const STATIC = "counter-static-" + CONFIG.version;
const counterPath = new RegExp(CONFIG.counterPath);
const staticPaths = new Set(CONFIG.staticFiles.concat(CONFIG.catalogues));

// Keep only complete answers: never a redirect (to the log-in page), an error page or a
// refusal, which would then stand in for the counter when the connection is gone.
const completeOnly = {
  cacheWillUpdate: async ({ response }) =>
    response && response.status === 200 && response.type === "basic" && !response.redirected
      ? response
      : null,
};

function isCounterPage(url) {
  return url.origin === self.location.origin && counterPath.test(url.pathname);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(STATIC)
      .then((cache) => cache.addAll(Array.from(staticPaths)))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.indexOf("counter-static-") === 0 && name !== STATIC)
            .map((name) => caches.delete(name))
        )
      )
  );
});
// The page that registered the worker is controlled at once, without a reload.
workbox.core.clientsClaim();

// A log-in or log-out form: whoever uses the phone next does not get the copies.
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (
    event.request.method !== "GET" &&
    url.origin === self.location.origin &&
    CONFIG.forgetPagesOn.indexOf(url.pathname) !== -1
  ) {
    event.waitUntil(caches.delete(PAGES));
  }
});

// The page asks for its own copy when it was loaded before the worker controlled it (the
// first visit): that answer passed the worker by.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "keep-counter-page" || typeof data.url !== "string") {
    return;
  }
  const url = new URL(data.url, self.location.origin);
  if (!isCounterPage(url)) {
    return;
  }
  url.hash = "";
  event.waitUntil(
    fetch(url.href, { credentials: "same-origin", cache: "no-store" })
      .then((response) => completeOnly.cacheWillUpdate({ response }))
      .then((response) =>
        response ? caches.open(PAGES).then((cache) => cache.put(url.href, response)) : null
      )
      .catch(() => null)
  );
});

workbox.routing.registerRoute(
  ({ url }) => isCounterPage(url),
  new workbox.strategies.NetworkFirst({
    cacheName: PAGES,
    networkTimeoutSeconds: 5,
    plugins: [completeOnly],
    // The page varies by language cookie and session; it is kept per address all the same.
    matchOptions: { ignoreVary: true, ignoreSearch: false },
  })
);

const sameOrigin = (url) => url.origin === self.location.origin;
const hashedFiles = new Set(CONFIG.hashedNames ? CONFIG.staticFiles : []);

workbox.routing.registerRoute(
  ({ url }) => sameOrigin(url) && hashedFiles.has(url.pathname),
  new workbox.strategies.CacheFirst({ cacheName: STATIC, plugins: [completeOnly] })
);

// Script texts (their address names the language, not the release) and, in development,
// static files without a hash in their names.
workbox.routing.registerRoute(
  ({ url }) => sameOrigin(url) && staticPaths.has(url.pathname) && !hashedFiles.has(url.pathname),
  new workbox.strategies.NetworkFirst({
    cacheName: STATIC,
    networkTimeoutSeconds: 5,
    plugins: [completeOnly],
  })
);
{% endautoescape %}
