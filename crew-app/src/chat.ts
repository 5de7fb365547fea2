// Chat with the regulation (RFS044–RFS048): configured questions in one touch, free text,
// the server's delivery stamp and the regulator's reading shown on each message the crew sent;
// the regulator's messages are marked read when they appear on screen.

import type { Ctx } from "./ctx";
import { h, hhmm } from "./dom";
import type { Occurrence } from "./model";
import { newId } from "./outbox";

const marked = new Set<string>();

export function chatView(ctx: Ctx, occ: Occurrence): HTMLElement {
  const d = ctx.draft(`chat:${occ.id}`);
  const list = ctx.s.messages[occ.id] ?? [];
  const send = async (text: string, canned: boolean) => {
    const t = text.trim();
    if (!t) return ctx.say("Escreva a mensagem.", true);
    const id = newId();
    // Cleared before the outbox write: what the crew types meanwhile is the next message.
    if (!canned) {
      d.text = "";
      ctx.keepDraft();
    }
    try {
      await ctx.act({
        id, method: "POST", path: `/occurrences/${occ.id}/messages`, body: { id, text: t, canned },
        label: `Mensagem: ${t.slice(0, 40)}`, occurrence: occ.id,
      });
    } catch {
      if (!canned && !d.text) d.text = t;
      ctx.say("O tablet não conseguiu guardar a mensagem; tente de novo.", true);
    }
    ctx.render();
  };
  for (const m of list) {
    if (m.from_role !== "crew" && !m.read_at && !marked.has(m.id)) {
      marked.add(m.id);
      void ctx.act({ method: "POST", path: `/messages/${m.id}/read`, body: {}, label: "Leitura de mensagem", occurrence: occ.id });
    }
  }
  const pending = ctx.s.pending.filter((a) => a.path === `/occurrences/${occ.id}/messages`);
  return h(
    "section",
    { class: "card" },
    h("h2", {}, "Mensagens com a regulação"),
    h(
      "div",
      { id: "messages" },
      ...list.map((m) =>
        h(
          "div",
          { class: m.from_role === "crew" ? "msg mine" : "msg" },
          m.text,
          h("small", {}, m.from_role === "crew"
            ? `${m.from_name} · entregue ${hhmm(m.delivered_at)}${m.read_at ? ` · lida ${hhmm(m.read_at)}` : ""}`
            : `${m.from_name} · ${hhmm(m.sent_at)}`),
        ),
      ),
      ...pending.map((a) =>
        h("div", { class: "msg mine pending" }, (a.body as { text: string }).text, h("small", {}, "⏳ aguardando conexão")),
      ),
    ),
    h("label", {}, "Perguntas prontas"),
    h("div", { class: "row" }, ...ctx.s.canned.map((c) => h("button", { type: "button", class: "canned", onclick: () => void send(c, true) }, c))),
    h(
      "form",
      { class: "row", style: "margin-top:0.5rem", onsubmit: (e: Event) => { e.preventDefault(); void send(d.text ?? "", false); } },
      h("input", {
        id: "chat-text", style: "flex:1", placeholder: "Mensagem para a regulação", value: d.text ?? "",
        oninput: (e: Event) => { d.text = (e.target as HTMLInputElement).value; ctx.keepDraft(); },
      }),
      h("button", { class: "primary", type: "submit" }, "Enviar"),
    ),
  );
}
