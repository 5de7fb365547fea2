// The crew app's service worker: keeps the app shell so the tablet opens it without signal.
// The shell is served from the cache (named after the build), navigation falls back to the
// cached page, and the API is never cached here (the app keeps its own data in IndexedDB).

declare const BUILD_ID: string;
declare const self: ServiceWorkerGlobalScope;

const CACHE = `atalaia-crew-${BUILD_ID}`;
const SHELL = ["./", "app.js", "app.css", "manifest.webmanifest", "icon.svg"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("atalaia-crew-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  const scope = new URL(self.registration.scope);
  if (req.method !== "GET" || url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  if (req.mode === "navigate") {
    event.respondWith(caches.match("./", { cacheName: CACHE }).then((hit) => hit ?? fetch(req)));
    return;
  }
  event.respondWith(caches.match(req, { cacheName: CACHE }).then((hit) => hit ?? fetch(req)));
});

export {};
