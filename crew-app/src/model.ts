// The server's records as the tablet reads them (a subset of atalaia-core's wire types), and
// what the crew sees of its own pending actions laid over them.

import type { Action } from "./store";

export type Status =
  | "available" | "committed" | "en_route" | "on_scene" | "transporting" | "at_destination"
  | "stretcher_retained" | "returning" | "at_base" | "maintenance";

export interface Times {
  acknowledged?: string | null; en_route?: string | null; on_scene?: string | null; transporting?: string | null;
  at_destination?: string | null; stretcher_retained?: string | null; released?: string | null;
}

export interface Dispatch {
  id: string; occurrence_id: string; vehicle_id: string; vehicle_code: string; active: boolean;
  status: Status; times: Times; committed_at: string; stretcher?: { unit: string; reason: string } | null;
  /** The tablet's times of reports that reached the server late (no signal). */
  reported?: Times;
}

export interface Victim { number: number; name: string; sex?: string | null; age_years?: number | null }
export interface Vitals { rr?: number; hr?: number; sbp?: number; dbp?: number; temp_c?: number; spo2?: number; glucose?: number }
export interface Glasgow { eye: number; verbal: number; motor: number }
export interface CareRecord {
  victim: number; at: string; by_name: string; vitals: Vitals; glasgow?: Glasgow | null;
  glasgow_total?: number | null; trauma_score?: number | null; notes: string;
}
export interface Attachment { id: string; kind: string; name: string; size: number; victim?: number | null; at: string; by_name: string }
export interface Consent { victim: number; consented: boolean; term?: string | null; notes: string; at: string; by_name: string }

export interface Occurrence {
  id: string; number: string; call_type: string; caller_name: string; caller_phone: string; address: string;
  municipality: string; location?: { lat: number; lon: number } | null; description: string;
  priority?: "emergency" | "very_urgent" | "urgent" | "less_urgent" | "not_urgent" | null; victims: Victim[]; orientation: string; conduct: string;
  destination: string; records: CareRecord[]; attachments: Attachment[]; consents: Consent[];
  transfers?: { victim: number; from_vehicle: string; to_vehicle: string; reason: string; at: string }[];
  reference?: string; neighbourhood?: string;
}

export interface Assignment { dispatch: Dispatch; occurrence: Occurrence }

export interface Message {
  id: string; occurrence_id: string; from_name: string; from_role: string; text: string; canned: boolean;
  sent_at: string; delivered_at: string; read_at?: string | null;
}

export interface Session {
  token: string;
  user: { id: string; display_name: string; username: string; role: string };
  /** The site's time zone (IANA), as the server names it: every time is shown in it. */
  zone?: string;
  vehicle?: { id: string; code: string };
}

/** The chain the crew reports, in order (RFS015, RFS055). */
export const CHAIN: { status: Status; label: string; time: keyof Times }[] = [
  { status: "en_route", label: "A caminho", time: "en_route" },
  { status: "on_scene", label: "No local", time: "on_scene" },
  { status: "transporting", label: "Transportando", time: "transporting" },
  { status: "at_destination", label: "No destino", time: "at_destination" },
  { status: "stretcher_retained", label: "Maca retida", time: "stretcher_retained" },
  { status: "returning", label: "Liberado", time: "released" },
];

/** Mirrors atalaia-core's `fleet::transition_allowed` for the statuses a crew reports. */
export function allowed(from: Status, to: Status): boolean {
  const next: Partial<Record<Status, Status[]>> = {
    committed: ["en_route", "returning"],
    en_route: ["on_scene", "returning"],
    on_scene: ["transporting", "returning"],
    transporting: ["at_destination"],
    at_destination: ["stretcher_retained", "returning"],
    stretcher_retained: ["returning"],
  };
  return next[from]?.includes(to) ?? false;
}

/** The dispatch as the crew last reported it: the server's, with queued reports applied. */
export function withPending(d: Dispatch, pending: Action[]): { status: Status; acked: boolean; queued: Set<string> } {
  let status = d.status;
  let acked = !!d.times.acknowledged;
  const queued = new Set<string>();
  for (const a of pending) {
    const path = a.path.split("?")[0];
    if (path === `/dispatches/${d.id}/ack`) {
      acked = true;
      queued.add("ack");
    } else if (path === `/dispatches/${d.id}/status`) {
      const s = (a.body as { status: Status }).status;
      if (allowed(status, s)) status = s;
      queued.add(s);
    }
  }
  return { status, acked, queued };
}

/** A crew report's path with the moment the crew made it: if the signal is gone, the server
 *  keeps this time beside its own when the report finally arrives (RFS015). */
export function observed(path: string): string {
  return `${path}?observed_at=${encodeURIComponent(new Date().toISOString())}`;
}

/** The time a phase began as the crew lived it: the tablet's when it reported late, else the server's. */
export function phaseTime(d: Dispatch, slot: keyof Times): string | null | undefined {
  return d.reported?.[slot] ?? d.times[slot];
}
