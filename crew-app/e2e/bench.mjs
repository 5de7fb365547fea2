// Benchmarks of the crew app (docs/BENCHMARKS.md):
//  - first load over an emulated slow 3G link (Chrome DevTools' "Slow 3G": 2,000 ms round trip,
//    50 kB/s each way), a new tablet each time (empty cache, no service worker): from the
//    navigation to the sign-in form on screen;
//  - reload with no network at all, from the service worker and IndexedDB: from the navigation to
//    the assignment's address on screen.
// RUNS (env CREW_BENCH_RUNS, default 10) of each; prints every sample in ms.
import { browser, device, done, signIn } from "./lib.mjs";

const runs = Number(process.env.CREW_BENCH_RUNS ?? 10);
const b = await browser();
const firstLoad = [];
const offlineReload = [];
let bytes = 0;
try {
  for (let i = 0; i < runs; i++) {
    const context = await device(b, "tablet");
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false, latency: 2000, downloadThroughput: 50_000, uploadThroughput: 50_000,
    });
    let received = 0;
    cdp.on("Network.loadingFinished", (e) => (received += e.encodedDataLength));
    const start = Date.now();
    await page.goto(`${process.env.CREW_BASE ?? JSON.parse(process.env.CREW_E2E).base}/crew/`, { waitUntil: "commit" });
    await page.locator("#username").waitFor({ timeout: 120_000 });
    firstLoad.push(Date.now() - start);
    bytes = received;
    await context.close();
  }

  const context = await device(b, "tablet");
  const page = await context.newPage();
  await signIn(page, "equipe", "password-123", "USA-01");
  await page.locator("#address").waitFor();
  await context.setOffline(true);
  for (let i = 0; i < runs; i++) {
    const start = Date.now();
    await page.reload({ waitUntil: "commit" });
    await page.locator("#address").waitFor();
    offlineReload.push(Date.now() - start);
  }
  await context.close();
} finally {
  await b.close();
}
done({ firstLoad, offlineReload, bytes });
