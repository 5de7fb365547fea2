// What the tablet keeps on the device (IndexedDB): the session, the last assignments, drafts and
// the outbox of actions not yet accepted by the server. Survives reloads and lost signal.

const DB = "atalaia-crew";
let opened: Promise<IDBDatabase> | null = null;

function db(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      const d = req.result;
      d.createObjectStore("kv");
      d.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
    };
    req.onsuccess = () => {
      // A newer app in another tab upgrades the database: this one lets go and reloads.
      req.result.onversionchange = () => {
        req.result.close();
        location.reload();
      };
      resolve(req.result);
    };
    req.onerror = () => {
      opened = null;
      reject(req.error);
    };
  });
  return opened;
}

function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function store(name: string, mode: IDBTransactionMode): Promise<IDBObjectStore> {
  return (await db()).transaction(name, mode).objectStore(name);
}

export async function kvGet<T>(key: string): Promise<T | undefined> {
  return (await done((await store("kv", "readonly")).get(key))) as T | undefined;
}

export async function kvSet(key: string, value: unknown): Promise<void> {
  await done((await store("kv", "readwrite")).put(value, key));
}

export async function kvDelete(key: string): Promise<void> {
  await done((await store("kv", "readwrite")).delete(key));
}

/** One action waiting for the server: its id is the request's Idempotency-Key. */
export interface Action {
  seq?: number;
  id: string;
  method: "POST" | "PUT";
  path: string;
  body?: unknown;
  blob?: Blob;
  contentType?: string;
  /** What the crew did, in Portuguese, for the pending list. */
  label: string;
  /** The occurrence it concerns, to show it pending in place. */
  occurrence?: string;
  createdAt: string;
  /** The server refused it (problem detail); kept until the crew dismisses it. */
  failed?: string;
}

export async function outboxAdd(action: Action): Promise<number> {
  return (await done((await store("outbox", "readwrite")).add(action))) as number;
}

/** Every queued action, oldest first. */
export async function outboxAll(): Promise<Action[]> {
  return (await done((await store("outbox", "readonly")).getAll())) as Action[];
}

export async function outboxPut(action: Action): Promise<void> {
  await done((await store("outbox", "readwrite")).put(action));
}

export async function outboxDelete(seq: number): Promise<void> {
  await done((await store("outbox", "readwrite")).delete(seq));
}

export async function clearAll(): Promise<void> {
  await done((await store("kv", "readwrite")).clear());
  await done((await store("outbox", "readwrite")).clear());
}
