// A crew member's first access on the tablet: the password set by the administrator is changed
// there (16.3.2.3), then the shift's vehicle and crew; times in the site's time zone.
import { base, browser, declareCrew, device, done, shot } from "./lib.mjs";

const b = await browser();
const context = await device(b, "phone");
const page = await context.newPage();
const out = {};
try {
  await page.goto(`${base}/crew/`);
  await page.fill("#username", "novato");
  await page.fill("#password", "senha-inicial-1");
  await page.click("button[type=submit]");
  await page.locator("#password-form").waitFor();
  out.prompt = await page.locator("#password-form p.muted").innerText();
  await page.fill("#new-password", "senha-nova-123");
  await page.fill("#new-password-again", "senha-nova-12");
  await page.click("#password-form button[type=submit]");
  out.mismatch = await page.locator("#password-form p.error").innerText();
  await page.fill("#new-password-again", "senha-nova-123");
  await shot(page, "crew-first-access-phone");
  await page.click("#password-form button[type=submit]");
  await page.getByRole("button", { name: /^USB-09/ }).click();
  await declareCrew(page, ["Carlos Souza", "Bruna Dias"]);
  await page.getByText("Sem ocorrência atribuída").waitFor();
  await page.locator(".top .who small", { hasText: "atualizado" }).waitFor();
  out.updated = await page.locator(".top .who small").innerText();
} catch (e) {
  console.error("page said:", await page.locator("body").innerText().catch(() => ""));
  throw e;
} finally {
  await b.close();
}
done(out);
