// Without signal (network emulated off): 20 actions, a photo among them, wait in the outbox;
// the app reloaded offline still opens with the assignment; with the network back each action
// is sent once, in order (crew_app.rs counts what the server recorded). At phone size.
import { browser, device, done, PNG_1X1, shot, signIn, smallTargets, syncSays } from "./lib.mjs";

const b = await browser();
const context = await device(b, process.env.CREW_DEVICE ?? "phone");
const page = await context.newPage();
const out = {};
try {
  await signIn(page, "equipe", "password-123", "USA-01");
  await page.locator("#arrival").waitFor();
  await syncSays(page, /Sincronizado/);

  await context.setOffline(true);
  await syncSays(page, /Sem conexão/);
  await page.click("#confirm-arrival");
  await page.click("#status-en_route");
  await page.click("#status-on_scene");
  const queued = page.locator("#status-on_scene small").filter({ hasText: "aguardando" });
  await queued.waitFor();
  out.queuedStatus = await queued.innerText();

  await page.click("[data-tab=registro]");
  await page.selectOption("#rec-victim", "1");
  await page.fill("#rec-hr", "98");
  await page.fill("#rec-notes", "Registro 1");
  await page.click("text=Salvar registro");

  await page.click("[data-tab=anexos]");
  await page.setInputFiles("input[data-kind=photo]", { name: "offline.png", mimeType: "image/png", buffer: PNG_1X1 });

  await page.click("[data-tab=mensagens]");
  for (let i = 1; i <= 13; i++) {
    await page.fill("#chat-text", `Mensagem ${String(i).padStart(2, "0")}`);
    await page.press("#chat-text", "Enter");
  }

  await page.click("[data-tab=registro]");
  await page.fill("#rec-spo2", "97");
  await page.fill("#rec-notes", "Registro 2");
  await page.click("text=Salvar registro");

  await page.click("[data-tab=ocorrencia]");
  await page.click("#alert-victims");
  out.waiting = await syncSays(page, /20 ações aguardando conexão/);
  await shot(page, "crew-offline-phone");
  out.small = await smallTargets(page);

  // Reloaded without signal: the service worker serves the app, IndexedDB the assignment.
  await page.reload();
  await page.locator("#address").waitFor({ timeout: 15_000 });
  out.addressOffline = await page.locator("#address").innerText();
  out.waitingAfterReload = await syncSays(page, /20 ações aguardando conexão/);

  await context.setOffline(false);
  out.synced = await syncSays(page, /Sincronizado/, 60_000);
  await page.locator("#status-on_scene.done").waitFor({ timeout: 15_000 });
  await shot(page, "crew-synced-phone");
} finally {
  await b.close();
}
done(out);
