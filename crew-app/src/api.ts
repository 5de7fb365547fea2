// The server's REST API (/api/v1) as the tablet calls it: bearer token, JSON in and out, and
// problem+json refusals turned into Portuguese messages for the crew.

export const API = new URL("../api/v1", location.href).pathname;

/** The request never reached the server (no signal, server down). */
export class Offline extends Error {}

export interface FieldError { field: string; message: string }

/** The server answered with an error (problem+json). */
export class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: FieldError[] = [],
    readonly retryAfter = 0,
  ) {
    super(message);
  }
}

let token = "";
export function setToken(t: string): void {
  token = t;
}
export function getToken(): string {
  return token;
}

export interface Send {
  body?: unknown;
  blob?: Blob;
  contentType?: string;
  idempotencyKey?: string;
}

export async function call(method: string, path: string, send: Send = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (send.idempotencyKey) headers["idempotency-key"] = send.idempotencyKey;
  let body: BodyInit | undefined;
  if (send.blob) {
    body = send.blob;
    headers["content-type"] = send.contentType ?? send.blob.type ?? "application/octet-stream";
  } else if (send.body !== undefined) {
    body = JSON.stringify(send.body);
    headers["content-type"] = "application/json";
  }
  // A link that stalls is a link that is gone: give up after 30 s, plus the time a file needs
  // at 20 kB/s, and let the outbox try again.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 30_000 + (send.blob ? send.blob.size / 20 : 0));
  let res: Response;
  try {
    res = await fetch(API + path, { method, headers, body, cache: "no-store", signal: abort.signal });
  } catch {
    throw new Offline("Sem conexão com a central.");
  } finally {
    clearTimeout(timer);
  }
  if (!res.ok) throw await refusal(res);
  return res;
}

export async function json<T>(method: string, path: string, send: Send = {}): Promise<T> {
  const res = await call(method, path, send);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

async function refusal(res: Response): Promise<Refused> {
  let detail = `A central recusou (${res.status}).`;
  let errors: FieldError[] = [];
  try {
    const p = await res.json();
    detail = p.detail || p.title || detail;
    errors = Array.isArray(p.errors) ? p.errors : [];
    if (errors.length) detail = errors.map((e) => e.message).join(" ");
  } catch {
    /* not problem+json: keep the status line */
  }
  if (res.status >= 500) detail = "A central está com problema; a ação será reenviada.";
  return new Refused(res.status, detail, errors, Number(res.headers.get("retry-after") ?? 0));
}
