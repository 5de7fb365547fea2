// The assignment screen: what the crew was sent to (RFS017, RFS018, RFS136), the status buttons
// whose times the server stamps (RFS015), and the tabs for the care record, files, the term,
// the chat, alerts to the central (RFS001, RFS002), a victim's transfer (RFS053) and the report.

import { call, Offline } from "./api";
import { chatView } from "./chat";
import type { Ctx, Tab } from "./ctx";
import { h, hhmm, PRIORITY } from "./dom";
import { attachmentsView, consentView, victimSelect } from "./media";
import { allowed, type Assignment, CHAIN, observed, phaseTime, type Status, withPending } from "./model";
import { recordView } from "./record";

const TABS: { tab: Tab; label: string }[] = [
  { tab: "ocorrencia", label: "Ocorrência" },
  { tab: "registro", label: "Registro" },
  { tab: "anexos", label: "Anexos" },
  { tab: "termo", label: "Termo" },
  { tab: "mensagens", label: "Mensagens" },
];

export function assignmentView(ctx: Ctx, a: Assignment): HTMLElement {
  const occ = a.occurrence;
  const tab = ctx.s.tab;
  const body =
    tab === "registro" ? recordView(ctx, occ)
    : tab === "anexos" ? attachmentsView(ctx, occ)
    : tab === "termo" ? consentView(ctx, occ)
    : tab === "mensagens" ? chatView(ctx, occ)
    : detailsView(ctx, a);
  const unread = (ctx.s.messages[occ.id] ?? []).filter((m) => m.from_role !== "crew" && !m.read_at).length;
  return h(
    "main",
    { class: "assignment" },
    h("div", { style: "display:grid;gap:0.75rem;align-content:start" }, summaryCard(a), statusCard(ctx, a)),
    h(
      "div",
      { style: "display:grid;gap:0.75rem;align-content:start" },
      h(
        "nav",
        { class: "tabs" },
        ...TABS.map((t) =>
          h("button", {
            type: "button", class: t.tab === tab ? "on" : undefined, "data-tab": t.tab,
            onclick: () => { ctx.s.tab = t.tab; ctx.render(); },
          }, t.tab === "mensagens" && unread ? `${t.label} (${unread})` : t.label),
        ),
      ),
      body,
    ),
  );
}

function summaryCard(a: Assignment): HTMLElement {
  const o = a.occurrence;
  const p = o.priority ?? "none";
  const loc = o.location;
  return h(
    "section",
    { class: "card", id: "summary" },
    h(
      "div",
      { class: "row" },
      h("span", { class: `badge p-${p}` }, PRIORITY[p] ?? "Sem prioridade"),
      h("b", {}, `Ocorrência ${o.number}`),
      h("span", { class: "muted" }, `empenho ${hhmm(a.dispatch.committed_at)}`),
    ),
    h("div", { class: "address", id: "address" }, o.address || "Endereço não informado"),
    h("div", { class: "muted" }, [o.neighbourhood, o.municipality].filter(Boolean).join(" · ")),
    o.reference ? h("div", { class: "muted" }, `Referência: ${o.reference}`) : null,
    loc
      ? h(
          "div",
          { class: "row", style: "margin:0.5rem 0" },
          h("a", { href: `geo:${loc.lat},${loc.lon}?q=${loc.lat},${loc.lon}`, class: "filebutton" }, "Abrir no mapa"),
          h("a", {
            href: `https://www.google.com/maps/dir/?api=1&destination=${loc.lat},${loc.lon}`, target: "_blank",
            rel: "noopener", class: "filebutton",
          }, "Rota"),
        )
      : null,
    h(
      "dl",
      { class: "kv" },
      h("dt", {}, "Destino"), h("dd", { id: "destination" }, o.destination || "a definir pela regulação"),
      h("dt", {}, "Vítimas"), h("dd", {}, o.victims.map((v) => `${v.number}. ${v.name || "sem nome"}${v.age_years != null ? `, ${v.age_years} anos` : ""}`).join("; ") || "—"),
      o.orientation ? h("dt", {}, "Orientação") : null, o.orientation ? h("dd", {}, o.orientation) : null,
      o.conduct ? h("dt", {}, "Conduta") : null, o.conduct ? h("dd", { id: "conduct" }, o.conduct) : null,
    ),
  );
}

function statusCard(ctx: Ctx, a: Assignment): HTMLElement {
  const d = a.dispatch;
  const { status, acked, queued } = withPending(d, ctx.s.pending);
  const report = async (to: Status, extra: Record<string, string> = {}) => {
    await ctx.act({
      method: "POST", path: observed(`/dispatches/${d.id}/status`), body: { status: to, ...extra },
      label: `Status ${CHAIN.find((c) => c.status === to)?.label}`, occurrence: a.occurrence.id,
    });
    ctx.render();
  };
  const ack = h("button", {
    type: "button", id: "status-ack",
    class: d.times.acknowledged ? "done" : queued.has("ack") ? "queued" : "primary", disabled: acked,
    onclick: async () => {
      await ctx.act({ method: "POST", path: observed(`/dispatches/${d.id}/ack`), body: {}, label: "Recebimento", occurrence: a.occurrence.id });
      ctx.render();
    },
  }, "Recebido", h("small", {}, d.times.acknowledged ? hhmm(phaseTime(d, "acknowledged")) : queued.has("ack") ? "⏳ aguardando" : ""));
  const sd = ctx.draft(`stretcher:${d.id}`);
  const buttons = CHAIN.map((c) => {
    const stamped = d.times[c.time];
    const cls = stamped ? "done" : queued.has(c.status) ? "queued" : allowed(status, c.status) ? "primary" : undefined;
    return h("button", {
      type: "button", id: `status-${c.status}`, class: cls, disabled: !allowed(status, c.status),
      onclick: () => {
        if (c.status === "stretcher_retained") {
          sd.open = "1";
          sd.unit ??= a.occurrence.destination;
          ctx.keepDraft();
          ctx.render();
          return;
        }
        void report(c.status);
      },
    }, c.label, h("small", {}, stamped ? hhmm(phaseTime(d, c.time)) : queued.has(c.status) ? "⏳ aguardando" : ""));
  });
  const stretcher = sd.open
    ? h(
        "form",
        {
          onsubmit: (e: Event) => {
            e.preventDefault();
            if (!(sd.unit ?? "").trim() || !(sd.reason ?? "").trim()) return ctx.say("Informe a unidade e o motivo da retenção.", true);
            sd.open = "";
            ctx.keepDraft();
            void report("stretcher_retained", { unit: sd.unit.trim(), reason: sd.reason.trim() });
          },
        },
        h("label", { for: "stretcher-unit" }, "Unidade que reteve a maca"),
        h("input", { id: "stretcher-unit", value: sd.unit ?? "", oninput: (e: Event) => { sd.unit = (e.target as HTMLInputElement).value; ctx.keepDraft(); } }),
        h("label", { for: "stretcher-reason" }, "Motivo"),
        h("input", { id: "stretcher-reason", value: sd.reason ?? "", oninput: (e: Event) => { sd.reason = (e.target as HTMLInputElement).value; ctx.keepDraft(); } }),
        h("div", { class: "row", style: "margin-top:0.5rem" }, h("button", { class: "primary", type: "submit" }, "Registrar maca retida")),
      )
    : null;
  return h(
    "section",
    { class: "card" },
    h("h2", {}, `Status da viatura ${d.vehicle_code}`),
    h("div", { class: "statuses" }, ack, ...buttons),
    stretcher,
    h("p", { class: "muted", style: "font-size:0.8rem;margin:0.5rem 0 0" }, "Horários da central; o que foi informado sem sinal mostra a hora em que a equipe informou."),
  );
}

function detailsView(ctx: Ctx, a: Assignment): HTMLElement {
  const o = a.occurrence;
  const ad = ctx.draft(`alert:${a.dispatch.id}`);
  const alert = async (kind: "need_support" | "multiple_victims", label: string) => {
    const note = (ad.note ?? "").trim();
    ad.note = "";
    ctx.keepDraft();
    await ctx.act({ method: "POST", path: `/dispatches/${a.dispatch.id}/alerts`, body: { kind, note }, label, occurrence: o.id });
    ctx.say(`${label}: enviado à central.`);
    ctx.render();
  };
  const others = (ctx.s.dispatches[o.id] ?? []).filter((x) => x.active && x.id !== a.dispatch.id);
  const td = ctx.draft(`transfer:${o.id}`);
  td.victim ??= "1";
  const transfer = async () => {
    if (!td.to) return ctx.say("Escolha a viatura que recebe a vítima.", true);
    const reason = (td.reason ?? "").trim();
    td.reason = "";
    ctx.keepDraft();
    await ctx.act({
      method: "POST", path: `/occurrences/${o.id}/transfers`,
      body: { victim: Number(td.victim), from_dispatch: a.dispatch.id, to_dispatch: td.to, reason },
      label: `Transferência da vítima ${td.victim}`, occurrence: o.id,
    });
    ctx.say(`Transferência da vítima ${td.victim} registrada.`);
    ctx.render();
  };
  return h(
    "section",
    { class: "card" },
    h("h2", {}, "Ocorrência"),
    h(
      "dl",
      { class: "kv" },
      h("dt", {}, "Descrição"), h("dd", {}, o.description || "—"),
      h("dt", {}, "Solicitante"), h("dd", {}, [o.caller_name, o.caller_phone].filter(Boolean).join(" · ") || "—"),
    ),
    h("h2", { style: "margin-top:1rem" }, "Avisar a central"),
    h("input", { id: "alert-note", placeholder: "Observação (opcional)", value: ad.note ?? "", oninput: (e: Event) => { ad.note = (e.target as HTMLInputElement).value; ctx.keepDraft(); } }),
    h(
      "div",
      { class: "row", style: "margin-top:0.5rem" },
      h("button", { type: "button", class: "danger", id: "alert-support", onclick: () => void alert("need_support", "Pedido de apoio") }, "Preciso de apoio"),
      h("button", { type: "button", class: "danger", id: "alert-victims", onclick: () => void alert("multiple_victims", "Múltiplas vítimas") }, "Múltiplas vítimas"),
    ),
    others.length
      ? h(
          "div",
          {},
          h("h2", { style: "margin-top:1rem" }, "Transferir vítima para outra viatura"),
          victimSelect(ctx, o, td, "transfer-victim"),
          h("label", { for: "transfer-to" }, "Viatura que recebe"),
          h(
            "select",
            { id: "transfer-to", onchange: (e: Event) => { td.to = (e.target as HTMLSelectElement).value; ctx.keepDraft(); } },
            h("option", { value: "" }, "Escolha…"),
            ...others.map((x) => h("option", { value: x.id, selected: td.to === x.id }, x.vehicle_code)),
          ),
          h("label", { for: "transfer-reason" }, "Motivo"),
          h("input", { id: "transfer-reason", value: td.reason ?? "", oninput: (e: Event) => { td.reason = (e.target as HTMLInputElement).value; ctx.keepDraft(); } }),
          h("div", { class: "row", style: "margin-top:0.5rem" }, h("button", { type: "button", id: "transfer-submit", onclick: () => void transfer() }, "Transferir")),
        )
      : null,
    o.transfers?.length
      ? h("ul", { class: "list", id: "transfers" }, ...o.transfers.map((t) =>
          h("li", {}, `${hhmm(t.at)} · vítima ${t.victim}: ${t.from_vehicle} → ${t.to_vehicle}${t.reason ? ` (${t.reason})` : ""}`)))
      : null,
    h("h2", { style: "margin-top:1rem" }, "Relatório de atendimento"),
    h("button", { type: "button", id: "report", onclick: () => void openReport(ctx, o.id) }, "Abrir relatório (PDF)"),
  );
}

async function openReport(ctx: Ctx, occurrence: string): Promise<void> {
  try {
    const res = await call("GET", `/occurrences/${occurrence}/report.pdf`);
    const url = URL.createObjectURL(await res.blob());
    const link = h("a", { href: url, download: `relatorio-${occurrence}.pdf`, target: "_blank" });
    document.body.append(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
    ctx.say("Relatório aberto.");
  } catch (e) {
    ctx.say(e instanceof Offline ? "O relatório precisa de conexão com a central." : (e as Error).message, true);
  }
}
