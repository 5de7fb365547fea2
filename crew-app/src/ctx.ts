// The app's state and what every view may do with it.

import type { Assignment, Dispatch, Message, Session } from "./model";
import type { Action } from "./store";

export type Tab = "ocorrencia" | "registro" | "anexos" | "termo" | "mensagens";

export interface AppState {
  session?: Session;
  assignments: Assignment[];
  /** The dispatch on screen (several when the vehicle holds more than one). */
  current?: string;
  messages: Record<string, Message[]>;
  /** Every vehicle's dispatch on the crew's occurrences (for a transfer, RFS053). */
  dispatches: Record<string, Dispatch[]>;
  canned: string[];
  tab: Tab;
  /** Form contents kept on the device until sent (a reload or a lost signal keeps them). */
  drafts: Record<string, Record<string, string>>;
  /** Dispatches whose arrival the crew has seen (the alert rang for them). */
  seen: string[];
  pending: Action[];
  failed: Action[];
  note?: { text: string; error: boolean };
  fetchedAt?: string;
}

/** An action as a view asks for it: the outbox gives it its id (unless the view chose one, to
 *  refer to it) and its time. */
export type NewAction = Omit<Action, "seq" | "id" | "createdAt" | "failed"> & { id?: string };

export interface Ctx {
  s: AppState;
  act(a: NewAction): Promise<void>;
  render(): void;
  draft(key: string): Record<string, string>;
  keepDraft(): void;
  say(text: string, error?: boolean): void;
}
