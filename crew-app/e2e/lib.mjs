// Shared by the browser tests and benchmarks: Debian's Chromium driven by playwright-core, and the
// server's API for what the other roles do. The Rust test that starts the server passes it in
// CREW_E2E (JSON: base URL, tokens, ids) and reads back what this prints as the last line.
import { chromium } from "playwright-core";

export const ctx = JSON.parse(process.env.CREW_E2E ?? "{}");
export const base = ctx.base;

export async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
    ],
  });
}

/** A tablet (1280×800) or a phone (412×915), touch enabled; vibrations recorded for the test. */
export async function device(b, kind = "tablet") {
  const size = kind === "phone" ? { width: 412, height: 915 } : { width: 1280, height: 800 };
  const context = await b.newContext({
    viewport: size, hasTouch: true, isMobile: kind === "phone", locale: "pt-BR",
    timezoneId: "America/Sao_Paulo", acceptDownloads: true,
  });
  await context.addInitScript(() => {
    window.__vibrations = [];
    navigator.vibrate = (p) => (window.__vibrations.push(p), true);
  });
  return context;
}

export async function api(token, method, path, body) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export async function signIn(page, username, password, vehicle) {
  await page.goto(`${base}/crew/`);
  await page.fill("#username", username);
  await page.fill("#password", password);
  await page.click("button[type=submit]");
  await page.getByRole("button", { name: new RegExp(`^${vehicle}`) }).click();
  await declareCrew(page);
  // The service worker holds the app before the test takes the network away.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
}

/** Who is on board: the rows the form offers for the vehicle's kind, named. */
export const CREW = ["Paulo Mendes", "Rita Campos", "Dra. Lúcia Prado"];
export async function declareCrew(page, names = CREW) {
  await page.locator("#crew-form").waitFor();
  const rows = await page.locator("#crew-form .member input").count();
  for (let i = 0; i < rows; i++) await page.fill(`#crew-name-${i}`, names[i] ?? `Profissional ${i + 1}`);
  await page.click("#crew-confirm");
  await page.locator("#crew-form").waitFor({ state: "detached" });
}

/** Visible controls smaller than 48 × 48 px (gloves in a moving vehicle), as "tag#id: w×h". */
export async function smallTargets(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("button, input, select, textarea, a, label.filebutton")]
      .filter((el) => !(el.type === "file"))
      .map((el) => [el, el.getBoundingClientRect()])
      .filter(([el, r]) => r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden")
      .filter(([, r]) => r.width < 48 || r.height < 48)
      .map(([el, r]) => `${el.tagName.toLowerCase()}#${el.id}: ${Math.round(r.width)}×${Math.round(r.height)} ${el.textContent.trim().slice(0, 20)}`));
}

export async function shot(page, name) {
  if (process.env.CREW_SHOTS) await page.screenshot({ path: `${process.env.CREW_SHOTS}/${name}.png` });
}

/** The sync pill's text once it says `text` (a regular expression). */
export async function syncSays(page, text, timeout = 20_000) {
  try {
    await page.locator("#sync").filter({ hasText: text }).waitFor({ timeout });
  } catch (e) {
    const now = await page.locator("#sync").innerText().catch(() => "(no sync pill)");
    throw new Error(`the sync state never said ${text}; it says "${now}"; the page says: ${await page.locator("#note").innerText().catch(() => "")}`, { cause: e });
  }
  return page.locator("#sync").innerText();
}

export function done(result) {
  console.log(JSON.stringify(result));
}

export const PNG_1X1 = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);
