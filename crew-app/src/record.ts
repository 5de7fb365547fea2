// The care record (RFS014, RFS024, RFS125): vital signs within possible ranges, the Glasgow
// scale and the Revised Trauma Score computed as the crew types; the same rules the server keeps.

import type { Ctx } from "./ctx";
import { h, hhmm, num } from "./dom";
import type { Glasgow, Occurrence, Vitals } from "./model";

const VITALS: { key: keyof Vitals; label: string; lo: number; hi: number; unit: string; decimal?: boolean }[] = [
  { key: "rr", label: "Freq. respiratória", lo: 0, hi: 80, unit: "irpm" },
  { key: "hr", label: "Freq. cardíaca", lo: 0, hi: 300, unit: "bpm" },
  { key: "sbp", label: "PA sistólica", lo: 0, hi: 300, unit: "mmHg" },
  { key: "dbp", label: "PA diastólica", lo: 0, hi: 200, unit: "mmHg" },
  { key: "spo2", label: "SpO₂", lo: 0, hi: 100, unit: "%" },
  { key: "temp_c", label: "Temperatura", lo: 25, hi: 45, unit: "°C", decimal: true },
  { key: "glucose", label: "Glicemia", lo: 10, hi: 1500, unit: "mg/dL" },
];

const GLASGOW: { key: keyof Glasgow; label: string; options: string[] }[] = [
  { key: "eye", label: "Abertura ocular", options: ["1 Nenhuma", "2 À dor", "3 À voz", "4 Espontânea"] },
  { key: "verbal", label: "Resposta verbal", options: ["1 Nenhuma", "2 Sons", "3 Palavras", "4 Confusa", "5 Orientada"] },
  {
    key: "motor", label: "Resposta motora",
    options: ["1 Nenhuma", "2 Extensão", "3 Flexão anormal", "4 Retirada", "5 Localiza a dor", "6 Obedece"],
  },
];

/** Revised Trauma Score, as atalaia-core computes it. */
export function rts(gcs: number, sbp: number, rr: number): number {
  const g = gcs >= 13 ? 4 : gcs >= 9 ? 3 : gcs >= 6 ? 2 : gcs >= 4 ? 1 : 0;
  const b = sbp >= 90 ? 4 : sbp >= 76 ? 3 : sbp >= 50 ? 2 : sbp >= 1 ? 1 : 0;
  const r = rr >= 30 ? 3 : rr >= 10 ? 4 : rr >= 6 ? 2 : rr >= 1 ? 1 : 0;
  return Math.round((0.9368 * g + 0.7326 * b + 0.2908 * r) * 10000) / 10000;
}

export interface Checked {
  body?: { victim: number; vitals: Vitals; glasgow: Glasgow | null; notes: string };
  errors: Record<string, string>;
}

/** The form's fields as the server wants them, or what is wrong with them (in Portuguese). */
export function check(d: Record<string, string>): Checked {
  const errors: Record<string, string> = {};
  const vitals: Vitals = {};
  for (const v of VITALS) {
    const n = num(d[v.key] ?? "");
    if (n === undefined) continue;
    if (Number.isNaN(n) || (!v.decimal && !Number.isInteger(n))) errors[v.key] = "Informe um número.";
    else if (n < v.lo || n > v.hi) errors[v.key] = `Fora do intervalo possível (${v.lo} a ${v.hi}).`;
    else vitals[v.key] = n;
  }
  const parts = GLASGOW.map((g) => d[g.key] ?? "");
  let glasgow: Glasgow | null = null;
  if (parts.some((p) => p) && !parts.every((p) => p)) errors.glasgow = "Preencha os três itens da escala de Glasgow.";
  else if (parts.every((p) => p)) glasgow = { eye: Number(parts[0]), verbal: Number(parts[1]), motor: Number(parts[2]) };
  const victim = Number(d.victim ?? "");
  if (!victim) errors.victim = "Escolha a vítima.";
  const notes = (d.notes ?? "").trim();
  if (!Object.keys(vitals).length && !glasgow && !notes && !Object.keys(errors).length)
    errors.notes = "Registre ao menos um sinal vital, a escala de Glasgow ou uma anotação.";
  if (Object.keys(errors).length) return { errors };
  return { body: { victim, vitals, glasgow, notes }, errors };
}

export function recordView(ctx: Ctx, occ: Occurrence): HTMLElement {
  const d = ctx.draft(`record:${occ.id}`);
  if (!d.victim && occ.victims.length === 1) d.victim = "1";
  const errors = ctx.draft(`record-errors:${occ.id}`);
  const input = (key: string) => (e: Event) => {
    d[key] = (e.target as HTMLInputElement).value;
    ctx.keepDraft();
    summary.replaceChildren(scores(d));
    const group = GLASGOW.some((g) => g.key === key) ? "glasgow" : key;
    if (errors[group] || (errors.notes && key !== "notes")) {
      delete errors[group];
      delete errors.notes;
      ctx.render();
    }
  };
  const err = (key: string) => (errors[key] ? h("div", { class: "field-error", role: "alert" }, errors[key]) : null);
  const summary = h("p", { class: "muted" }, scores(d));

  const victims = occ.victims.length ? occ.victims : [{ number: 1, name: "" }];
  const form = h(
    "form",
    { onsubmit: (e: Event) => { e.preventDefault(); void save(ctx, occ, d); } },
    h("label", { for: "rec-victim" }, "Vítima"),
    h(
      "select",
      { id: "rec-victim", class: errors.victim ? "invalid" : undefined, onchange: input("victim") },
      h("option", { value: "" }, "Escolha…"),
      ...victims.map((v) =>
        h("option", { value: v.number, selected: d.victim === String(v.number) }, `${v.number} — ${v.name || "sem nome"}`),
      ),
    ),
    err("victim"),
    h(
      "div",
      { class: "grid3" },
      ...VITALS.map((v) =>
        h(
          "div",
          {},
          h("label", { for: `rec-${v.key}` }, `${v.label} (${v.unit})`),
          h("input", {
            id: `rec-${v.key}`, inputmode: v.decimal ? "decimal" : "numeric", value: d[v.key] ?? "",
            class: errors[v.key] ? "invalid" : undefined, oninput: input(v.key),
          }),
          err(v.key),
        ),
      ),
    ),
    h(
      "div",
      { class: "grid3" },
      ...GLASGOW.map((g) =>
        h(
          "div",
          {},
          h("label", { for: `rec-${g.key}` }, g.label),
          h(
            "select",
            { id: `rec-${g.key}`, class: errors.glasgow ? "invalid" : undefined, onchange: input(g.key) },
            h("option", { value: "" }, "—"),
            ...g.options.map((o) => h("option", { value: o[0], selected: d[g.key] === o[0] }, o)),
          ),
        ),
      ),
    ),
    err("glasgow"),
    summary,
    h("label", { for: "rec-notes" }, "Achados, procedimentos, medicações e materiais"),
    h("textarea", { id: "rec-notes", class: errors.notes ? "invalid" : undefined, oninput: input("notes") }, d.notes ?? ""),
    err("notes"),
    h("div", { class: "row" }, h("button", { class: "primary", type: "submit" }, "Salvar registro")),
  );

  const pending = ctx.s.pending.filter((a) => a.path === `/occurrences/${occ.id}/records`);
  return h(
    "section",
    { class: "card" },
    h("h2", {}, "Registro do atendimento"),
    form,
    h("h2", {}, "Registros"),
    h(
      "ul",
      { class: "list", id: "records" },
      ...occ.records.map((r) =>
        h("li", {}, `${hhmm(r.at)} · vítima ${r.victim} · ${line(r.vitals, r.glasgow_total, r.trauma_score)} ${r.notes}`),
      ),
      ...pending.map((a) => {
        const b = a.body as { victim: number; vitals: Vitals; notes: string };
        return h("li", { class: "pending" }, `⏳ vítima ${b.victim} · ${line(b.vitals)} ${b.notes} (aguardando envio)`);
      }),
    ),
  );
}

function scores(d: Record<string, string>): string {
  const parts = GLASGOW.map((g) => Number(d[g.key] || 0));
  if (!parts.every((p) => p)) return "Glasgow: —";
  const gcs = parts[0] + parts[1] + parts[2];
  const sbp = num(d.sbp ?? "");
  const rr = num(d.rr ?? "");
  const t = sbp !== undefined && rr !== undefined && !Number.isNaN(sbp) && !Number.isNaN(rr) ? ` · RTS ${rts(gcs, sbp, rr).toFixed(2)}` : "";
  return `Glasgow ${gcs}${t}`;
}

function line(v: Vitals, gcs?: number | null, score?: number | null): string {
  const out: string[] = [];
  if (v.rr !== undefined && v.rr !== null) out.push(`FR ${v.rr}`);
  if (v.hr !== undefined && v.hr !== null) out.push(`FC ${v.hr}`);
  if (v.sbp != null) out.push(`PA ${v.sbp}${v.dbp != null ? `/${v.dbp}` : ""}`);
  if (v.spo2 != null) out.push(`SpO₂ ${v.spo2}%`);
  if (gcs != null) out.push(`Glasgow ${gcs}`);
  if (score != null) out.push(`RTS ${score.toFixed(2)}`);
  return out.join(" · ");
}

async function save(ctx: Ctx, occ: Occurrence, d: Record<string, string>): Promise<void> {
  const result = check(d);
  const errs = ctx.draft(`record-errors:${occ.id}`);
  for (const k of Object.keys(errs)) delete errs[k];
  Object.assign(errs, result.errors);
  if (!result.body) {
    ctx.say("Corrija os campos marcados.", true);
    ctx.render();
    return;
  }
  // The form is emptied before the outbox write, so nothing typed meanwhile is lost; it comes
  // back if the tablet could not keep the record.
  const kept = { ...d };
  for (const k of Object.keys(d)) if (k !== "victim") delete d[k];
  ctx.keepDraft();
  try {
    await ctx.act({
      method: "POST", path: `/occurrences/${occ.id}/records`, body: result.body,
      label: `Registro da vítima ${result.body.victim}`, occurrence: occ.id,
    });
  } catch {
    Object.assign(d, kept);
    ctx.keepDraft();
    ctx.say("O tablet não conseguiu guardar o registro (sem espaço?); o formulário foi mantido.", true);
    ctx.render();
    return;
  }
  ctx.say("Registro salvo no tablet; enviado assim que houver conexão.");
  ctx.render();
}
