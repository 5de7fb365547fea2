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
    const files = Array.from(input.files ?? []);
    input.value = "";
    for (const file of files) {
      if (file.size > MAX_BYTES) {
        ctx.say(`${file.name}: arquivo acima de 64 MiB; grave um trecho menor.`, true);
        continue;
      }
      const type = mediaType(file, kind);
      if (!type) {
        ctx.say(`${file.name}: não é ${KINDS.find((k) => k.kind === kind)?.label.toLowerCase()}.`, true);
        continue;
      }
      const q = new URLSearchParams({ kind, name: file.name || `${kind}`, victim: d.victim, id: newId() });
      try {
        await ctx.act({
          id: q.get("id") ?? undefined, method: "POST", path: `/occurrences/${occ.id}/attachments?${q}`,
          blob: file, contentType: type, label: `${KINDS.find((k) => k.kind === kind)?.label} ${file.name}`, occurrence: occ.id,
        });
        ctx.say("Arquivo guardado no tablet; enviado assim que houver conexão.");
      } catch {
        ctx.say(`${file.name}: sem espaço no tablet para guardar o arquivo.`, true);
      }
    }
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

/** The server's limit for one file (atalaia-backend `MAX_ATTACHMENT`). */
const MAX_BYTES = 64 * 1024 * 1024;

const BY_EXTENSION: Record<string, string> = {
  jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp", heic: "image/heic",
  m4a: "audio/mp4", aac: "audio/aac", ogg: "audio/ogg", opus: "audio/ogg", wav: "audio/wav", mp3: "audio/mpeg",
  amr: "audio/amr", mp4: "video/mp4", webm: "video/webm", mov: "video/quicktime", "3gp": "video/3gpp",
};

/** The file's media type, from the device or from its name (some recorders give none); `null`
 *  when it is not of the kind asked for (the server would refuse it after the whole upload). */
export function mediaType(file: File, kind: string): string | null {
  const ext = file.name.split(".").pop()?.toLowerCase() ?? "";
  let type = file.type || BY_EXTENSION[ext] || "";
  if (kind === "audio" && type === "video/3gpp") type = "audio/3gpp";
  const prefix = kind === "photo" ? "image/" : `${kind}/`;
  return type.startsWith(prefix) ? type : null;
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
  const pad = signaturePad(occ.id);
  const canvas = pad.canvas;
  const choice = (value: string, label: string) =>
    h("button", {
      type: "button", class: d.choice === value ? "primary" : undefined, "aria-pressed": d.choice === value ? "true" : "false",
      onclick: () => { d.choice = value; ctx.keepDraft(); ctx.render(); },
    }, label);
  const submit = async () => {
    if (!d.choice) return ctx.say("Escolha: aceita ou recusa o atendimento.", true);
    if (!pad.strokes) return ctx.say("Colha a assinatura da vítima ou do responsável na área branca.", true);
    const blob = await new Promise<Blob | null>((ok) => canvas.toBlob(ok, "image/png"));
    if (!blob) return ctx.say("Não foi possível ler a assinatura.", true);
    const term = newId();
    const victim = Number(d.victim);
    const consented = d.choice === "accept";
    const notes = (d.notes ?? "").trim();
    const q = new URLSearchParams({ kind: "photo", name: `termo-vitima-${victim}.png`, victim: String(victim), id: term });
    try {
      await ctx.act({
        id: term, method: "POST", path: `/occurrences/${occ.id}/attachments?${q}`, blob, contentType: "image/png",
        label: `Assinatura do termo da vítima ${victim}`, occurrence: occ.id,
      });
      await ctx.act({
        method: "POST", path: `/occurrences/${occ.id}/consents`, body: { victim, consented, term, notes },
        label: `${consented ? "Consentimento" : "Recusa"} da vítima ${victim}`, occurrence: occ.id,
      });
    } catch {
      return ctx.say("Sem espaço no tablet para guardar o termo; nada foi apagado.", true);
    }
    d.choice = "";
    d.notes = "";
    ctx.keepDraft();
    pad.clear();
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
      h("button", { type: "button", onclick: () => pad.clear() }, "Limpar"),
      h("button", { type: "button", class: "primary", onclick: () => void submit() }, "Registrar termo"),
    ),
    h(
      "ul",
      { class: "list", id: "consents" },
      ...occ.consents.map((c) => h("li", {}, `${hhmm(c.at)} · vítima ${c.victim} · ${c.consented ? "aceitou" : "recusou"} · ${c.by_name}`)),
    ),
  );
}

interface Pad { canvas: HTMLCanvasElement; strokes: number; clear(): void }
const pads = new Map<string, Pad>();

/** One signature pad per occurrence, kept across redraws (a live update must not wipe a
 *  signature half drawn). */
function signaturePad(occurrence: string): Pad {
  const found = pads.get(occurrence);
  if (found) return found;
  const canvas = h("canvas", { class: "signature", width: 900, height: 260, "aria-label": "Assinatura" });
  const g = canvas.getContext("2d");
  const pad: Pad = {
    canvas,
    strokes: 0,
    clear() {
      g?.clearRect(0, 0, canvas.width, canvas.height);
      pad.strokes = 0;
    },
  };
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
      pad.strokes++;
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
  pads.set(occurrence, pad);
  return pad;
}
