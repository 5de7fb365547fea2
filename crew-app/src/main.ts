// Atalaia crew app: sign-in to the shift's vehicle, the assignment with its alert, and the work
// on scene; everything the crew does goes through the outbox, so it works without signal.

import * as alert from "./alert";
import { API, call, json, Offline, Refused, setToken } from "./api";
import { loginView, resetSeat, vehicleView } from "./signin";
import { assignmentView } from "./assignment";
import type { AppState, Ctx, NewAction } from "./ctx";
import { full, h, hhmm, setZone } from "./dom";
import { type Assignment, type Dispatch, type Message, observed, type Session } from "./model";
import { describe, dismiss, enqueue, flush, onSync, startSync, syncState } from "./outbox";
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

async function boot(): Promise<void> {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js").catch(() => {});
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
      if (changed) render();
      else renderTop();
    },
    () => scheduleRefresh(),
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
async function refresh(): Promise<void> {
  const session = s.session;
  if (!session?.vehicle) return;
  try {
    const list = await json<Assignment[]>("GET", `/vehicles/${session.vehicle.id}/assignments`);
    s.assignments = list.filter((a) => a.dispatch.active);
    for (const a of s.assignments) {
      const occ = a.occurrence.id;
      s.messages[occ] = await json<Message[]>("GET", `/occurrences/${occ}/messages`);
      s.dispatches[occ] = await json<Dispatch[]>("GET", `/dispatches?occurrence_id=${occ}`);
    }
    if (!s.canned.length) s.canned = await json<string[]>("GET", "/samu/canned-messages");
    s.fetchedAt = new Date().toISOString();
    await Promise.all([
      kvSet("assignments", s.assignments), kvSet("messages", s.messages), kvSet("dispatches", s.dispatches),
      kvSet("canned", s.canned), kvSet("fetchedAt", s.fetchedAt),
    ]);
    if (!s.current || !s.assignments.some((a) => a.dispatch.id === s.current)) s.current = s.assignments[0]?.dispatch.id;
    render();
  } catch (e) {
    if (e instanceof Refused && e.status === 401) return signedOut();
    if (!(e instanceof Offline)) ctx.say((e as Error).message, true);
    renderTop();
  }
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

async function confirm(a: Assignment): Promise<void> {
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
          h("button", { type: "button", class: "primary", id: "confirm-arrival", onclick: () => void confirm(fresh) }, "Confirmar recebimento"))
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
            h("button", { type: "button", onclick: () => void dismiss(a) }, "Dispensar")))))
    : null;
  const bar = h(
    "header",
    { class: "top", id: "top" },
    h("div", { class: "who" }, h("b", {}, v ? v.code : "Atalaia"), h("small", {}, `${s.session?.user.display_name ?? ""}${s.fetchedAt ? ` · atualizado ${when(s.fetchedAt)}` : ""}`)),
    h("span", { class: `sync ${sync.css}`, id: "sync", role: "status" }, sync.text),
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
  if (s.pending.length) return ctx.say("Há ações aguardando envio: saia depois que forem enviadas.", true);
  try { await call("POST", "/auth/logout", { body: {} }); } catch { /* leaving anyway */ }
  await clearAll();
  location.reload();
}

void boot();
