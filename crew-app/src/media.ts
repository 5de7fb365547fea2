// Photos, audio and video from the tablet's camera and microphone (RFS025), and the consent or
// refusal term signed on the screen (RFS023). Files wait in the outbox like any other action:
// each is sent with its own id, so a resend after a lost link is stored once.

import type { Ctx } from "./ctx";
import { h, hhmm } from "./dom";
import type { Occurrence } from "./model";
import { newId } from "./outbox";

const KINDS = [
  { kind: "photo", label: "Foto", accept: "image/*" },
  { kind: "audio", label: "Áudio", accept: "audio/*" },
  { kind: "video", label: "Vídeo", accept: "video/*" },
] as const;

export function attachmentsView(ctx: Ctx, occ: Occurrence): HTMLElement {
  const d = ctx.draft(`media:${occ.id}`);
  d.victim ??= "1";
  const pick = (kind: string) => async (e: Event) => {
    const input = e.target as HTMLInputElement;
    for (const file of Array.from(input.files ?? [])) {
      const q = new URLSearchParams({ kind, name: file.name || `${kind}`, victim: d.victim, id: newId() });
      await ctx.act({
        id: q.get("id") ?? undefined, method: "POST", path: `/occurrences/${occ.id}/attachments?${q}`,
        blob: file, contentType: file.type || "application/octet-stream",
        label: `${KINDS.find((k) => k.kind === kind)?.label} ${file.name}`, occurrence: occ.id,
      });
    }
    input.value = "";
    ctx.say("Arquivo guardado no tablet; enviado assim que houver conexão.");
    ctx.render();
  };
  const pending = ctx.s.pending.filter((a) => a.path.startsWith(`/occurrences/${occ.id}/attachments`));
  return h(
    "section",
    { class: "card" },
    h("h2", {}, "Fotos, áudio e vídeo"),
    victimSelect(ctx, occ, d, "media-victim"),
    h(
      "div",
      { class: "row" },
      ...KINDS.map((k) =>
        h(
          "label",
          { class: "filebutton" },
          h("input", {
            type: "file", accept: k.accept, capture: k.kind === "photo" ? "environment" : "user",
            "data-kind": k.kind, "aria-label": k.label, onchange: pick(k.kind),
          }),
          h("span", {}, k.label),
        ),
      ),
    ),
    h(
      "ul",
      { class: "list", id: "attachments" },
      ...occ.attachments.map((a) => h("li", {}, `${hhmm(a.at)} · ${a.name} · ${Math.ceil(a.size / 1024)} KiB · ${a.by_name}`)),
      ...pending.map((a) => h("li", { class: "pending" }, `⏳ ${a.label} (aguardando envio)`)),
    ),
  );
}

export function victimSelect(ctx: Ctx, occ: Occurrence, d: Record<string, string>, id: string): HTMLElement {
  const victims = occ.victims.length ? occ.victims : [{ number: 1, name: "" }];
  return h(
    "div",
    {},
    h("label", { for: id }, "Vítima"),
    h(
      "select",
      { id, onchange: (e: Event) => { d.victim = (e.target as HTMLSelectElement).value; ctx.keepDraft(); } },
      ...victims.map((v) => h("option", { value: v.number, selected: d.victim === String(v.number) }, `${v.number} — ${v.name || "sem nome"}`)),
    ),
  );
}

export function consentView(ctx: Ctx, occ: Occurrence): HTMLElement {
  const d = ctx.draft(`consent:${occ.id}`);
  d.victim ??= "1";
  d.choice ??= "";
  const canvas = h("canvas", { class: "signature", width: 900, height: 260, "aria-label": "Assinatura" });
  let strokes = 0;
  const g = canvas.getContext("2d");
  if (g) {
    g.lineWidth = 4;
    g.lineCap = "round";
    g.strokeStyle = "#111";
    let drawing = false;
    const at = (e: PointerEvent) => {
      const r = canvas.getBoundingClientRect();
      return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
    };
    canvas.addEventListener("pointerdown", (e) => {
      drawing = true;
      strokes++;
      canvas.setPointerCapture(e.pointerId);
      const [x, y] = at(e);
      g.beginPath();
      g.moveTo(x, y);
    });
    canvas.addEventListener("pointermove", (e) => {
      if (!drawing) return;
      const [x, y] = at(e);
      g.lineTo(x, y);
      g.stroke();
    });
    canvas.addEventListener("pointerup", () => (drawing = false));
  }
  const choice = (value: string, label: string) =>
    h("button", {
      type: "button", class: d.choice === value ? "primary" : undefined, "aria-pressed": d.choice === value ? "true" : "false",
      onclick: () => { d.choice = value; ctx.keepDraft(); ctx.render(); },
    }, label);
  const submit = async () => {
    if (!d.choice) return ctx.say("Escolha: aceita ou recusa o atendimento.", true);
    if (!strokes) return ctx.say("Colha a assinatura da vítima ou do responsável na área branca.", true);
    const blob = await new Promise<Blob | null>((ok) => canvas.toBlob(ok, "image/png"));
    if (!blob) return ctx.say("Não foi possível ler a assinatura.", true);
    const term = newId();
    const victim = Number(d.victim);
    const consented = d.choice === "accept";
    const notes = (d.notes ?? "").trim();
    d.choice = "";
    d.notes = "";
    ctx.keepDraft();
    const q = new URLSearchParams({ kind: "photo", name: `termo-vitima-${victim}.png`, victim: String(victim), id: term });
    await ctx.act({
      id: term, method: "POST", path: `/occurrences/${occ.id}/attachments?${q}`, blob, contentType: "image/png",
      label: `Assinatura do termo da vítima ${victim}`, occurrence: occ.id,
    });
    await ctx.act({
      method: "POST", path: `/occurrences/${occ.id}/consents`, body: { victim, consented, term, notes },
      label: `${consented ? "Consentimento" : "Recusa"} da vítima ${victim}`, occurrence: occ.id,
    });
    ctx.say("Termo registrado no tablet; enviado assim que houver conexão.");
    ctx.render();
  };
  return h(
    "section",
    { class: "card" },
    h("h2", {}, "Termo de consentimento ou recusa"),
    victimSelect(ctx, occ, d, "consent-victim"),
    h("div", { class: "row", style: "margin:0.5rem 0" }, choice("accept", "Aceita o atendimento"), choice("refuse", "Recusa o atendimento")),
    h("label", { for: "consent-notes" }, "Observações"),
    h("input", { id: "consent-notes", value: d.notes ?? "", oninput: (e: Event) => { d.notes = (e.target as HTMLInputElement).value; ctx.keepDraft(); } }),
    h("label", {}, "Assinatura da vítima ou do responsável"),
    canvas,
    h(
      "div",
      { class: "row" },
      h("button", { type: "button", onclick: () => { g?.clearRect(0, 0, canvas.width, canvas.height); strokes = 0; } }, "Limpar"),
      h("button", { type: "button", class: "primary", onclick: () => void submit() }, "Registrar termo"),
    ),
    h(
      "ul",
      { class: "list", id: "consents" },
      ...occ.consents.map((c) => h("li", {}, `${hhmm(c.at)} · vítima ${c.victim} · ${c.consented ? "aceitou" : "recusou"} · ${c.by_name}`)),
    ),
  );
}
