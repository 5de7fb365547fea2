// Atalaia crew app: sign-in to the shift's vehicle, the assignment with its alert, and the work
// on scene; everything the crew does goes through the outbox, so it works without signal.

import * as alert from "./alert";
import { API, call, json, Offline, Refused, setToken } from "./api";
import { loginView, resetSeat, vehicleView } from "./signin";
import { assignmentView } from "./assignment";
import type { AppState, Ctx, NewAction } from "./ctx";
import { full, h, hhmm, setZone } from "./dom";
import { type Assignment, type Dispatch, type Message, type Occurrence, observed, type Session } from "./model";
import { describe, dismiss, enqueue, flush, onSync, resend, startSync, syncState } from "./outbox";
import { clearAll, kvGet, kvSet } from "./store";

const s: AppState = { assignments: [], messages: {}, dispatches: {}, canned: [], tab: "ocorrencia", drafts: {}, seen: [], pending: [], failed: [] };
const root = document.getElementById("app") as HTMLElement;
let draftTimer: number | undefined;
let noteTimer: number | undefined;
let refreshTimer: number | undefined;
let socket: WebSocket | undefined;

const ctx: Ctx = {
  s,
  async act(a: NewAction) {
    await enqueue(a);
  },
  render,
  draft(key) {
    return (s.drafts[key] ??= {});
  },
  keepDraft() {
    clearTimeout(draftTimer);
    draftTimer = window.setTimeout(() => void kvSet("drafts", s.drafts), 200);
  },
  say(text, error = false) {
    s.note = { text, error };
    renderNote();
    clearTimeout(noteTimer);
    noteTimer = window.setTimeout(() => {
      s.note = undefined;
      renderNote();
    }, error ? 12_000 : 6_000);
  },
};

/** A new version of the app took over (the service worker updated): offered, never forced. */
let newVersion = false;

function watchUpdates(): void {
  if (!("serviceWorker" in navigator)) return;
  const hadController = !!navigator.serviceWorker.controller;
  navigator.serviceWorker
    .register("sw.js")
    .then((reg) => {
      const check = () => void reg.update().catch(() => {});
      window.setInterval(check, 10 * 60_000);
      window.addEventListener("online", check);
    })
    .catch(() => {});
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (!hadController) return; // the first install, not an update
    newVersion = true;
    renderTop();
  });
}

async function boot(): Promise<void> {
  watchUpdates();
  alert.unlockOnTouch();
  s.session = await kvGet<Session>("session");
  s.drafts = (await kvGet<AppState["drafts"]>("drafts")) ?? {};
  s.seen = (await kvGet<string[]>("seen")) ?? [];
  s.assignments = (await kvGet<Assignment[]>("assignments")) ?? [];
  s.messages = (await kvGet<AppState["messages"]>("messages")) ?? {};
  s.dispatches = (await kvGet<AppState["dispatches"]>("dispatches")) ?? {};
  s.canned = (await kvGet<string[]>("canned")) ?? [];
  s.fetchedAt = await kvGet<string>("fetchedAt");
  onSync(
    (sync) => {
      const changed = sync.pending.length !== s.pending.length || sync.failed.length !== s.failed.length;
      s.pending = sync.pending;
      s.failed = sync.failed;
      // The session ended on the server: sign in again; what waits in the outbox is kept.
      if (sync.signedOut && s.session) return void signedOut();
      if (changed) render();
      else renderTop();
    },
    (action, answer) => {
      applyAnswer(action.occurrence, answer);
      scheduleRefresh();
    },
  );
  if (s.session) {
    setToken(s.session.token);
    setZone(s.session.zone);
  }
  startSync();
  render();
  if (s.session) {
    void refresh();
    live();
  }
  window.addEventListener("online", () => void refresh());
  window.setInterval(() => void refresh(), 30_000);
}

function scheduleRefresh(): void {
  clearTimeout(refreshTimer);
  refreshTimer = window.setTimeout(() => void refresh(), 250);
}

/** Reads the vehicle's assignments and their messages; keeps the last ones when offline. */
let refreshGen = 0;

/** Reads the vehicle's assignments and their messages; keeps the last ones when offline. Only
 *  the latest read lands: an older one that finishes last is dropped. */
async function refresh(): Promise<void> {
  const session = s.session;
  if (!session?.vehicle) return;
  const gen = ++refreshGen;
  try {
    const list = await json<Assignment[]>("GET", `/vehicles/${session.vehicle.id}/assignments`);
    const assignments = list.filter((a) => a.dispatch.active);
    const messages: AppState["messages"] = {};
    const dispatches: AppState["dispatches"] = {};
    for (const a of assignments) {
      const occ = a.occurrence.id;
      messages[occ] = await json<Message[]>("GET", `/occurrences/${occ}/messages`);
      dispatches[occ] = await json<Dispatch[]>("GET", `/dispatches?occurrence_id=${occ}`);
    }
    const canned = s.canned.length ? s.canned : await json<string[]>("GET", "/samu/canned-messages");
    if (gen !== refreshGen) return;
    Object.assign(s, { assignments, messages, dispatches, canned, fetchedAt: new Date().toISOString() });
    await keepData();
    if (!s.current || !s.assignments.some((a) => a.dispatch.id === s.current)) s.current = s.assignments[0]?.dispatch.id;
    render();
  } catch (e) {
    if (e instanceof Refused && e.status === 401) return signedOut();
    if (!(e instanceof Offline)) ctx.say((e as Error).message, true);
    renderTop();
  }
}

async function keepData(): Promise<void> {
  await Promise.all([
    kvSet("assignments", s.assignments), kvSet("messages", s.messages), kvSet("dispatches", s.dispatches),
    kvSet("canned", s.canned), kvSet("fetchedAt", s.fetchedAt),
  ]);
}

/** The server's answer to a sent action, put on screen at once (the refresh that follows may
 *  take a while on a slow link): a dispatch, an occurrence, a message or an attachment. */
function applyAnswer(occurrence: string | undefined, answer: unknown): void {
  if (!answer || typeof answer !== "object") return;
  const a = answer as Record<string, unknown>;
  if ("vehicle_id" in a && "times" in a) {
    const d = answer as Dispatch;
    for (const x of s.assignments) if (x.dispatch.id === d.id) x.dispatch = d;
  } else if ("records" in a && "number" in a) {
    const o = answer as Occurrence;
    for (const x of s.assignments) if (x.occurrence.id === o.id) x.occurrence = o;
  } else if ("occurrence_id" in a && "text" in a && "delivered_at" in a) {
    const m = answer as Message;
    const list = (s.messages[m.occurrence_id] ??= []);
    const i = list.findIndex((x) => x.id === m.id);
    if (i >= 0) list[i] = m;
    else list.push(m);
  } else if ("sha256" in a && "kind" in a) {
    const att = answer as Occurrence["attachments"][number];
    for (const x of s.assignments) {
      if (x.occurrence.id === occurrence && !x.occurrence.attachments.some((y) => y.id === att.id)) {
        x.occurrence.attachments.push(att);
      }
    }
  }
  void keepData();
  render();
}

/** The live feed: a dispatch, a message or an occurrence change makes the tablet read again. */
function live(): void {
  if (socket || !s.session) return;
  const url = new URL(`${API}/live`, location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("token", s.session.token);
  const ws = new WebSocket(url);
  socket = ws;
  ws.onmessage = (e) => {
    try {
      const m = JSON.parse(String(e.data));
      const kind = m.type === "event" ? m.body?.type : "snapshot";
      if (["snapshot", "dispatch", "message", "occurrence"].includes(kind)) scheduleRefresh();
    } catch {
      /* not ours to read */
    }
  };
  ws.onclose = () => {
    socket = undefined;
    if (s.session) window.setTimeout(live, 3000);
  };
}

async function signedOut(): Promise<void> {
  s.session = undefined;
  setToken("");
  await kvSet("session", undefined);
  socket?.close();
  render();
}

function newArrivals(): Assignment[] {
  return s.assignments.filter((a) => !a.dispatch.times.acknowledged && !s.seen.includes(a.dispatch.id)
    && !s.pending.some((p) => p.path.split("?")[0] === `/dispatches/${a.dispatch.id}/ack`));
}

async function confirmArrival(a: Assignment): Promise<void> {
  s.seen.push(a.dispatch.id);
  await kvSet("seen", s.seen);
  s.current = a.dispatch.id;
  s.tab = "ocorrencia";
  await enqueue({ method: "POST", path: observed(`/dispatches/${a.dispatch.id}/ack`), body: {}, label: "Recebimento", occurrence: a.occurrence.id });
  render();
}

// ——— rendering ———

function render(): void {
  const focused = document.activeElement as HTMLInputElement | null;
  const id = focused?.id;
  const caret = focused && "selectionStart" in focused ? [focused.selectionStart, focused.selectionEnd] : null;
  root.replaceChildren(...screen());
  if (id) {
    const again = document.getElementById(id) as HTMLInputElement | null;
    again?.focus();
    if (again && caret && caret[0] !== null && "setSelectionRange" in again) {
      try { again.setSelectionRange(caret[0], caret[1]); } catch { /* not a text field */ }
    }
  }
  const fresh = newArrivals();
  if (fresh.length) alert.ring();
  else alert.silence();
}

function screen(): Node[] {
  if (!s.session) return [loginView((x) => void signedIn(x))];
  if (!s.session.vehicle) return [top(), note(), vehicleView(ctx, (v) => void seated(v))];
  const current = s.assignments.find((a) => a.dispatch.id === s.current) ?? s.assignments[0];
  const fresh = newArrivals()[0];
  return [
    top(),
    s.assignments.length > 1
      ? h("nav", { class: "tabs", style: "padding:0.5rem 0.75rem 0" }, ...s.assignments.map((a) =>
          h("button", { type: "button", class: a === current ? "on" : undefined, onclick: () => { s.current = a.dispatch.id; render(); } },
            `${a.occurrence.number} · ${a.occurrence.address.slice(0, 24)}`)))
      : null,
    note(),
    current ? assignmentView(ctx, current) : idleView(),
    fresh
      ? h("div", { class: "alertbar", role: "alert", id: "arrival" },
          h("span", {}, `Nova ocorrência: ${fresh.occurrence.address}`),
          h("button", { type: "button", class: "primary", id: "confirm-arrival", onclick: () => void confirmArrival(fresh) }, "Confirmar recebimento"))
      : null,
  ].filter((n): n is HTMLElement => !!n);
}

function top(): HTMLElement {
  const sync = describe(syncState());
  const v = s.session?.vehicle;
  const failed = s.failed.length
    ? h("div", { class: "card", style: "margin:0.75rem" },
        h("b", {}, "Ações recusadas pela central"),
        h("ul", { class: "list" }, ...s.failed.map((a) =>
          h("li", { class: "row" }, h("span", { style: "flex:1" }, `${a.label}: ${a.failed}`),
            h("button", { type: "button", onclick: () => void resend(a) }, "Tentar de novo"),
            h("button", { type: "button", onclick: () => {
              if (confirm(`Descartar "${a.label}"? A central não a receberá.`)) void dismiss(a);
            } }, "Descartar")))))
    : null;
  const bar = h(
    "header",
    { class: "top", id: "top" },
    h("div", { class: "who" }, h("b", {}, v ? v.code : "Atalaia"), h("small", {}, `${s.session?.user.display_name ?? ""}${s.fetchedAt ? ` · atualizado ${when(s.fetchedAt)}` : ""}`)),
    h("span", { class: `sync ${sync.css}`, id: "sync", role: "status" }, sync.text),
    newVersion ? h("button", { type: "button", class: "primary", onclick: () => location.reload() }, "Nova versão — atualizar") : null,
    v ? h("button", { type: "button", onclick: () => void changeVehicle() }, "Trocar viatura") : null,
    h("button", { type: "button", onclick: () => void signOut() }, "Sair"),
  );
  return failed ? h("div", {}, bar, failed) : bar;
}

/** Today's times by the hour; older ones with the date. */
function when(iso: string): string {
  return new Date(iso).toDateString() === new Date().toDateString() ? hhmm(iso) : full(iso);
}

function renderTop(): void {
  const old = document.getElementById("top");
  if (old) old.replaceWith(top().querySelector("#top") ?? top());
}

function note(): HTMLElement {
  return h("p", { id: "note", class: s.note?.error ? "error" : "toast", style: s.note ? "margin:0.5rem 0.75rem 0" : "margin:0", role: "status" }, s.note?.text ?? "");
}

function renderNote(): void {
  document.getElementById("note")?.replaceWith(note());
}

function idleView(): HTMLElement {
  return h("main", {}, h("section", { class: "card center" }, h("h2", {}, "Sem ocorrência atribuída"),
    h("p", { class: "muted" }, "Aguardando acionamento da central. Um aviso sonoro toca quando chegar uma ocorrência.")));
}

/** Signed in: the tablet keeps the session and asks which vehicle it is on. */
async function signedIn(session: Session): Promise<void> {
  s.session = session;
  setToken(session.token);
  setZone(session.zone);
  await kvSet("session", s.session);
  resetSeat();
  render();
  live();
  void flush();
}

/** Seated in the shift's vehicle with its crew: the assignments follow. */
async function seated(v: { id: string; code: string }): Promise<void> {
  s.session!.vehicle = v;
  await kvSet("session", s.session);
  s.assignments = [];
  render();
  void refresh();
}

async function changeVehicle(): Promise<void> {
  if (s.pending.length) return ctx.say("Há ações aguardando envio: troque de viatura depois que forem enviadas.", true);
  s.session!.vehicle = undefined;
  await kvSet("session", s.session);
  resetSeat();
  render();
}

async function signOut(): Promise<void> {
  if (s.pending.length || s.failed.length) {
    return ctx.say("Há ações aguardando envio ou recusadas: resolva-as antes de sair.", true);
  }
  if (syncState().link === "offline" || !navigator.onLine) {
    return ctx.say("Sem conexão: saindo agora, a ocorrência some deste tablet até voltar o sinal.", true);
  }
  if (!confirm("Sair deste tablet? A ocorrência e os rascunhos deixam o aparelho.")) return;
  try { await call("POST", "/auth/logout", { body: {} }); } catch { /* leaving anyway */ }
  await clearAll();
  location.reload();
}

boot().catch((e) => {
  root.replaceChildren(h("main", {}, h("section", { class: "card center" },
    h("h2", {}, "Não foi possível abrir o aplicativo"),
    h("p", {}, `O armazenamento do tablet não respondeu (${(e as Error).message}). Feche e abra o navegador; se continuar, libere espaço no aparelho.`))));
});
