// Store-and-forward (RFS025, RFS047): every action the crew takes is written to the outbox
// first, then sent in order with its client id as the Idempotency-Key, so a resend after a lost
// answer is applied once. Without signal the actions wait; they go when the link comes back.

import { call, Offline, Refused } from "./api";
import type { NewAction } from "./ctx";
import { type Action, outboxAdd, outboxAll, outboxDelete, outboxPut } from "./store";

export type Link = "online" | "offline";

export interface SyncState {
  link: Link;
  pending: Action[];
  failed: Action[];
  /** The session ended on the server (401): sign in again; nothing queued is lost. */
  signedOut: boolean;
}

type Listener = (s: SyncState) => void;
type Applied = (a: Action, answer: unknown) => void;

let state: SyncState = { link: navigator.onLine ? "online" : "offline", pending: [], failed: [], signedOut: false };
let listener: Listener = () => {};
let applied: Applied = () => {};
let running = false;
let again = false;
let retry: number | undefined;
let backoff = 1000;

export function onSync(l: Listener, a: Applied): void {
  listener = l;
  applied = a;
}

export function syncState(): SyncState {
  return state;
}

export function newId(): string {
  return crypto.randomUUID();
}

export async function enqueue(a: NewAction): Promise<Action> {
  const action: Action = { ...a, id: a.id ?? newId(), createdAt: new Date().toISOString() };
  action.seq = await outboxAdd(action);
  await publish();
  void flush();
  return action;
}

/** A refused action sent again (the reason may have passed: a binding, a password change). */
export async function resend(a: Action): Promise<void> {
  delete a.failed;
  await outboxPut(a);
  await publish();
  void flush();
}

export async function dismiss(a: Action): Promise<void> {
  if (a.seq !== undefined) await outboxDelete(a.seq);
  await publish();
}

async function publish(): Promise<void> {
  const all = await outboxAll();
  state = { ...state, pending: all.filter((a) => !a.failed), failed: all.filter((a) => a.failed) };
  listener(state);
}

function setLink(link: Link): void {
  if (state.link !== link) {
    state = { ...state, link };
    listener(state);
  }
}

function later(ms: number): void {
  clearTimeout(retry);
  retry = window.setTimeout(() => void flush(), ms);
}

/** Send what waits, oldest first; stops at the first action that cannot reach the server. */
export async function flush(): Promise<void> {
  if (running) {
    again = true;
    return;
  }
  running = true;
  try {
    do {
      again = false;
      await sendAll();
    } while (again);
  } finally {
    running = false;
  }
}

async function sendAll(): Promise<void> {
  for (;;) {
    const next = (await outboxAll()).find((a) => !a.failed);
    if (!next) {
      await publish();
      return;
    }
    try {
      const res = await call(next.method, next.path, {
        body: next.body,
        blob: next.blob,
        contentType: next.contentType,
        idempotencyKey: next.id,
      });
      const answer = res.headers.get("content-type")?.includes("json") ? await res.json() : null;
      if (next.seq !== undefined) await outboxDelete(next.seq);
      backoff = 1000;
      setLink("online");
      state = { ...state, signedOut: false };
      applied(next, answer);
      await publish();
    } catch (e) {
      if (e instanceof Offline) {
        setLink("offline");
        later(backoff);
        backoff = Math.min(backoff * 2, 30_000);
        return;
      }
      if (e instanceof Refused) {
        setLink("online");
        if (e.status === 401) {
          state = { ...state, signedOut: true };
          listener(state);
          return;
        }
        // Still running (409 with Retry-After) or the server in trouble: the same action again.
        if (e.retryAfter > 0 || e.status >= 500 || e.status === 429) {
          later(Math.max(e.retryAfter * 1000, backoff));
          backoff = Math.min(backoff * 2, 30_000);
          return;
        }
        next.failed = e.message;
        await outboxPut(next);
        await publish();
        continue;
      }
      throw e;
    }
  }
}

export function startSync(): void {
  window.addEventListener("online", () => {
    backoff = 1000;
    void flush();
  });
  window.addEventListener("offline", () => setLink("offline"));
  window.setInterval(() => void flush(), 15_000);
  void publish().then(flush);
}

/** "3 ações aguardando conexão", as the top bar says it. */
export function describe(s: SyncState): { text: string; css: string } {
  const n = s.pending.length;
  const waiting = n === 1 ? "1 ação aguardando" : `${n} ações aguardando`;
  if (s.failed.length) {
    const f = s.failed.length === 1 ? "1 ação recusada" : `${s.failed.length} ações recusadas`;
    return { text: n ? `${f} · ${waiting}` : f, css: "failed" };
  }
  if (s.signedOut) return { text: `Entre novamente · ${waiting}`, css: "failed" };
  if (s.link === "offline") return { text: n ? `Sem conexão · ${waiting} conexão` : "Sem conexão", css: "offline" };
  if (n) return { text: `Enviando · ${waiting}`, css: "waiting" };
  return { text: "Sincronizado", css: "online" };
}
