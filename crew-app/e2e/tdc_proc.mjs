// TDC-PROC steps 6–12 done by the crew in the page, with the fleet controller and the secondary
// regulator acting through the API in between (crew_app.rs asserts what the server recorded).
import { api, base, browser, ctx, device, done, PNG_1X1, shot, smallTargets, syncSays } from "./lib.mjs";

const b = await browser();
const context = await device(b, process.env.CREW_DEVICE ?? "tablet");
const page = await context.newPage();
const out = {};
try {
  // The shift's sign-in: USA-01 without its physician is refused, in Portuguese (RFS064).
  await page.goto(`${base}/crew/`);
  await page.fill("#username", "equipe");
  await page.fill("#password", "password-123");
  await page.click("button[type=submit]");
  await page.getByRole("button", { name: /^USA-01/ }).click();
  await page.locator("#crew-form").waitFor();
  out.crewRoles = await page.locator("#crew-form select").evaluateAll((l) => l.map((x) => x.selectedOptions[0].textContent));
  await page.fill("#crew-name-0", "Paulo Mendes");
  await page.fill("#crew-name-1", "Rita Campos");
  await page.click("[aria-label='Remover 3']");
  await page.click("#crew-confirm");
  out.crewError = await page.locator("#crew-form p.field-error").innerText();
  await page.click("#crew-add");
  await page.selectOption("#crew-role-2", "physician");
  await page.fill("#crew-name-2", "Dra. Lúcia Prado");
  await shot(page, "crew-signin");
  await page.click("#crew-confirm");
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await page.getByText("Sem ocorrência atribuída").waitFor();
  await shot(page, "crew-idle");

  // 6. The dispatch arrives: a red bar with sound and vibration until receipt is confirmed.
  const d = await api(ctx.fleet, "POST", "/dispatches", { occurrence_id: ctx.occurrence, vehicle_id: ctx.vehicle });
  out.dispatch = d.id;
  await page.locator("#arrival").waitFor({ timeout: 15_000 });
  out.arrival = await page.locator("#arrival").innerText();
  out.address = await page.locator("#address").innerText();
  await shot(page, "crew-arrival");
  out.vibrated = await page.evaluate(() => window.__vibrations.length);

  // 7. Receipt, then on the way and on scene: each stamped by the server (RFS015).
  await page.click("#confirm-arrival");
  await page.locator("#status-ack small").filter({ hasText: /\d\d:\d\d/ }).waitFor();
  out.ringingAfterAck = await page.locator("#arrival").count();
  await page.click("#status-en_route");
  await page.locator("#status-en_route.done").waitFor();
  await page.click("#status-on_scene");
  await page.locator("#status-on_scene.done").waitFor();

  // 8. The care record: a value out of range is refused in the form, then the record is saved.
  await page.click("[data-tab=registro]");
  await page.selectOption("#rec-victim", "1");
  await page.fill("#rec-spo2", "130");
  await page.click("text=Salvar registro");
  out.spo2Error = await page.locator(".field-error").first().innerText();
  out.queuedAfterError = await page.evaluate(() => document.querySelector("#sync").textContent);
  for (const [id, v] of [["rr", "22"], ["hr", "112"], ["sbp", "100"], ["dbp", "60"], ["spo2", "95"]]) await page.fill(`#rec-${id}`, v);
  await page.selectOption("#rec-eye", "4");
  await page.selectOption("#rec-verbal", "5");
  await page.selectOption("#rec-motor", "6");
  out.scores = await page.locator("form p.muted").innerText();
  await page.fill("#rec-notes", "Deformidade em coxa direita, sangramento contido.");
  await shot(page, "crew-record");
  out.small = [...await smallTargets(page)];
  await page.click("text=Salvar registro");
  await page.locator("#records li:not(.pending)").first().waitFor();
  out.record = await page.locator("#records li").first().innerText();

  // A photo from the camera (RFS025).
  await page.click("[data-tab=anexos]");
  await page.setInputFiles("input[data-kind=photo]", { name: "cena.png", mimeType: "image/png", buffer: PNG_1X1 });
  await page.locator("#attachments li:not(.pending)").first().waitFor();

  // 9–10. A configured question to the regulator, its delivery and reading, and the answer.
  await page.click("[data-tab=mensagens]");
  await page.locator("button.canned", { hasText: "destino" }).first().click();
  await page.locator(".msg.mine small").filter({ hasText: "entregue" }).waitFor();
  const chat = await api(ctx.regulator, "GET", `/occurrences/${ctx.occurrence}/messages`);
  await api(ctx.regulator, "POST", `/messages/${chat[0].id}/read`, {});
  await api(ctx.regulator, "POST", `/occurrences/${ctx.occurrence}/messages`, { text: "Hospital João XXIII, ortopedia avisada." });
  await page.locator(".msg:not(.mine)").filter({ hasText: "João XXIII" }).waitFor({ timeout: 15_000 });
  await page.locator(".msg.mine small").filter({ hasText: "lida" }).waitFor({ timeout: 15_000 });
  out.receipt = await page.locator(".msg.mine small").first().innerText();
  await shot(page, "crew-chat");
  out.small.push(...await smallTargets(page));

  // 11. The conduct and destination unit from the secondary regulator reach the tablet.
  await api(ctx.regulator, "POST", `/occurrences/${ctx.occurrence}/regulation`,
    { stage: "secondary", conduct: "Imobilizar o membro, acesso venoso", destination: "Hospital João XXIII" });
  await page.locator("#destination").filter({ hasText: "João XXIII" }).waitFor({ timeout: 15_000 });

  // The consent term signed on the screen (RFS023).
  await page.click("[data-tab=termo]");
  await page.click("text=Aceita o atendimento");
  const box = await page.locator("canvas.signature").boundingBox();
  await page.mouse.move(box.x + 40, box.y + 150);
  await page.mouse.down();
  for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + 40 + i * 25, box.y + 150 - Math.sin(i / 2) * 60);
  await page.mouse.up();
  // A live update redraws the screen while the term is open: the signature stays.
  await api(ctx.regulator, "POST", `/occurrences/${ctx.occurrence}/messages`, { text: "Aguardando o termo." });
  await page.locator("[data-tab=mensagens]", { hasText: "(1)" }).waitFor({ timeout: 15_000 });
  await page.fill("#consent-notes", "Assinado pela própria vítima.");
  await shot(page, "crew-consent");
  await page.click("text=Registrar termo");
  await page.locator("#consents li").first().waitFor();

  // USA-02 joins and takes victim 2 over (RFS053).
  await api(ctx.fleet, "POST", "/dispatches", { occurrence_id: ctx.occurrence, vehicle_id: ctx.second });
  await page.click("[data-tab=ocorrencia]");
  await page.locator("#transfer-to option", { hasText: "USA-02" }).waitFor({ state: "attached", timeout: 15_000 });
  await page.selectOption("#transfer-victim", "2");
  await page.selectOption("#transfer-to", { label: "USA-02" });
  await page.fill("#transfer-reason", "Segunda vítima estável, segue na USA-02");
  await page.click("#transfer-submit");
  await page.locator("#note", { hasText: "Transferência" }).waitFor();

  // "Need support" to the central (RFS001).
  await page.fill("#alert-note", "Via interditada, precisamos de apoio do trânsito");
  await page.dblclick("#alert-support"); // a double tap with gloves is one alert
  await syncSays(page, /Sincronizado/);

  // The transport, arrival and a retained stretcher (RFS055, RFS061).
  await page.click("#status-transporting");
  await page.locator("#status-transporting.done").waitFor();
  await page.click("#status-at_destination");
  await page.locator("#status-at_destination.done").waitFor();
  await page.click("#status-stretcher_retained");
  await page.fill("#stretcher-reason", "Paciente aguardando leito na maca");
  await page.click("text=Registrar maca retida");
  await page.locator("#status-stretcher_retained.done").waitFor();
  await shot(page, "crew-assignment");
  out.small.push(...await smallTargets(page));

  // 12. The attendance report as PDF.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#report")]);
  out.pdf = process.env.CREW_PDF ?? "";
  if (out.pdf) await download.saveAs(out.pdf);
  out.sync = await page.locator("#sync").innerText();
} finally {
  await b.close();
}
done(out);
