// A small element builder and the Brazilian formats (dd/mm/aaaa, 24 h).

type Attrs = Record<string, string | number | boolean | EventListener | undefined | null>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), k === "onclick" ? once(v) : v);
    else if (k === "value" && "value" in el) (el as HTMLInputElement).value = String(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** A second tap on the same control within 700 ms is the same tap (gloves, a bumpy road). */
function once(listener: EventListener): EventListener {
  let last = 0;
  return (e: Event) => {
    const now = Date.now();
    if (now - last < 700) return;
    last = now;
    listener(e);
  };
}

let time = new Intl.DateTimeFormat("pt-BR", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
let dateTime = new Intl.DateTimeFormat("pt-BR", {
  day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
});

/** Times in the site's time zone (the server's `site_timezone`), not the device's. */
export function setZone(timeZone?: string): void {
  try {
    time = new Intl.DateTimeFormat("pt-BR", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone });
    dateTime = new Intl.DateTimeFormat("pt-BR", {
      day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone,
    });
  } catch {
    /* an unknown zone: the device's */
  }
}

export function hhmm(iso?: string | null): string {
  return iso ? time.format(new Date(iso)) : "";
}

export function full(iso?: string | null): string {
  return iso ? dateTime.format(new Date(iso)).replace(",", "") : "";
}

/** The Manchester-style colours the regulation uses. */
export const PRIORITY: Record<string, string> = {
  emergency: "Emergência",
  very_urgent: "Muito urgente",
  urgent: "Urgente",
  less_urgent: "Pouco urgente",
  not_urgent: "Não urgente",
};

export function num(v: string): number | undefined {
  const t = v.trim().replace(",", ".");
  if (!t) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : NaN;
}
