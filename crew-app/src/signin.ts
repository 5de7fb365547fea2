// The tablet's sign-in: the crew member's account, then the shift's vehicle and who is on board
// (RFS064) — a USA leaves with a driver, a nurse and a physician, a USB with a driver and a
// nursing professional; the server checks the same and answers in Portuguese.

import { json, Offline, Refused, setToken } from "./api";
import type { Ctx } from "./ctx";
import { h } from "./dom";
import type { Session } from "./model";

type Role = "driver" | "nursing_technician" | "nurse" | "physician";
interface Member { role: Role; name: string; registry?: string }
interface Choice { id: string; code: string; kind: string; base: string; municipality: string; crew: Member[] }

const ROLES: Record<Role, string> = {
  driver: "Condutor", nursing_technician: "Técnico de enfermagem", nurse: "Enfermeiro", physician: "Médico",
};
const NEEDED: Record<string, Role[]> = {
  usa: ["driver", "nurse", "physician"], usb: ["driver", "nursing_technician"], vir: ["driver", "physician"],
  motolancia: ["nursing_technician"],
};

interface Login {
  token: string; user: Session["user"]; must_change_password?: boolean; password_expired?: boolean;
  site_timezone?: string | null;
}

/** A password set by someone else, or too old, is changed here before the first shift (16.3.2.3). */
function passwordView(session: Session, current: string, expired: boolean | undefined, onSignedIn: (s: Session) => void): HTMLElement {
  const err = h("p", { class: "error", role: "alert" });
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = e.target as HTMLFormElement;
    const fresh = (f.elements.namedItem("new-password") as HTMLInputElement).value;
    const again = (f.elements.namedItem("new-password-again") as HTMLInputElement).value;
    if (fresh !== again) return void (err.textContent = "As duas senhas não conferem.");
    try {
      await json("POST", "/auth/password", { body: { current_password: current, new_password: fresh } });
      onSignedIn(session);
    } catch (x) {
      err.textContent = x instanceof Offline ? "Sem conexão com a central." : (x as Error).message;
    }
  };
  return h("form", { class: "card center", id: "password-form", onsubmit: submit },
    h("h2", {}, "Troque a senha"),
    h("p", { class: "muted" }, expired ? "Sua senha venceu: escolha uma nova para continuar." : "Primeiro acesso: escolha uma senha só sua para continuar."),
    h("label", { for: "new-password" }, "Nova senha"), h("input", { id: "new-password", name: "new-password", type: "password", autocomplete: "new-password" }),
    h("label", { for: "new-password-again" }, "Repita a nova senha"), h("input", { id: "new-password-again", name: "new-password-again", type: "password", autocomplete: "new-password" }),
    err,
    h("div", { class: "row", style: "margin-top:0.75rem" }, h("button", { class: "primary", type: "submit" }, "Trocar senha e continuar")));
}

export function loginView(onSignedIn: (s: Session) => void): HTMLElement {
  const err = h("p", { class: "error", role: "alert" });
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = e.target as HTMLFormElement;
    const username = (f.elements.namedItem("username") as HTMLInputElement).value.trim();
    const password = (f.elements.namedItem("password") as HTMLInputElement).value;
    if (!username || !password) return void (err.textContent = "Informe usuário e senha.");
    try {
      const r = await json<Login>("POST", "/auth/login", { body: { username, password } });
      if (r.user.role !== "crew") return void (err.textContent = "Este aplicativo é das equipes das viaturas; use o console da central.");
      const session: Session = { token: r.token, user: r.user, zone: r.site_timezone ?? undefined };
      if (r.must_change_password || r.password_expired) {
        setToken(r.token);
        return void f.replaceWith(passwordView(session, password, r.password_expired, onSignedIn));
      }
      onSignedIn(session);
    } catch (x) {
      err.textContent = x instanceof Offline ? "Sem conexão: entrar exige conexão com a central." : (x as Error).message;
    }
  };
  return h("main", {}, h("form", { class: "card center", onsubmit: submit },
    h("h2", {}, "Atalaia — Equipe SAMU 192"),
    h("label", { for: "username" }, "Usuário"), h("input", { id: "username", name: "username", autocomplete: "username", autocapitalize: "none" }),
    h("label", { for: "password" }, "Senha"), h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password" }),
    err,
    h("div", { class: "row", style: "margin-top:0.75rem" }, h("button", { class: "primary", type: "submit" }, "Entrar"))));
}

let choices: Choice[] | undefined;
let picked: Choice | undefined;
let members: Member[] = [];
let errors: Record<string, string> = {};

/** Forget the last choice: the next sign-in to a vehicle starts from a fresh list. */
export function resetSeat(): void {
  picked = undefined;
  choices = undefined;
  errors = {};
}

export function vehicleView(ctx: Ctx, onSeated: (v: { id: string; code: string }) => void): HTMLElement {
  if (picked) return crewView(ctx, picked, onSeated);
  const box = h("div", { class: "choice" }, h("p", { class: "muted" }, "Carregando viaturas…"));
  const pick = (v: Choice) => {
    picked = v;
    const needed = NEEDED[v.kind] ?? ["driver"];
    members = v.crew.length ? v.crew.map((m) => ({ ...m })) : needed.map((role) => ({ role, name: "" }));
    errors = {};
    ctx.render();
  };
  const fill = (list: Choice[]) =>
    box.replaceChildren(...list.map((v) => h("button", { type: "button", onclick: () => pick(v) }, v.code,
      h("small", {}, [v.kind.toUpperCase(), v.base, v.municipality].filter(Boolean).join(" · ")))));
  // The list is read once per visit to this screen, not on every redraw.
  if (choices) fill(choices);
  else json<Choice[]>("GET", "/crew/vehicles").then((l) => { choices = l; fill(l); }).catch((x) =>
    box.replaceChildren(h("p", { class: "error" }, x instanceof Offline ? "Sem conexão com a central." : (x as Error).message)));
  return h("main", {}, h("section", { class: "card center" }, h("h2", {}, "Viatura deste plantão"), box));
}

function crewView(ctx: Ctx, v: Choice, onSeated: (v: { id: string; code: string }) => void): HTMLElement {
  const confirm = async () => {
    errors = {};
    members.forEach((m, i) => { if (!m.name.trim()) errors[`crew[${i}].name`] = "Informe o nome do profissional."; });
    if (Object.keys(errors).length) return ctx.render();
    try {
      await json("PUT", "/crew/vehicle", { body: { vehicle_id: v.id, crew: members } });
      picked = undefined;
      onSeated({ id: v.id, code: v.code });
    } catch (x) {
      if (x instanceof Refused && x.errors.length) for (const e of x.errors) errors[e.field] = e.message;
      else ctx.say(x instanceof Offline ? "Sem conexão: a entrada na viatura exige conexão." : (x as Error).message, true);
      ctx.render();
    }
  };
  const rows = members.map((m, i) => {
    const err = errors[`crew[${i}].name`];
    return h("div", { class: "member" },
      h("select", { "aria-label": `Função ${i + 1}`, id: `crew-role-${i}`, onchange: (e: Event) => { m.role = (e.target as HTMLSelectElement).value as Role; delete errors.crew; ctx.render(); } },
        ...Object.entries(ROLES).map(([r, label]) => h("option", { value: r, selected: m.role === r }, label))),
      h("input", { id: `crew-name-${i}`, placeholder: "Nome", value: m.name, class: err ? "invalid" : undefined,
        oninput: (e: Event) => { m.name = (e.target as HTMLInputElement).value; } }),
      h("button", { type: "button", "aria-label": `Remover ${i + 1}`, onclick: () => { members.splice(i, 1); delete errors.crew; ctx.render(); } }, "✕"),
      err ? h("div", { class: "field-error", role: "alert", style: "grid-column:1/-1" }, err) : null);
  });
  return h("main", {}, h("section", { class: "card center", id: "crew-form" },
    h("h2", {}, `Equipe da ${v.code}`),
    h("p", { class: "muted" }, `${v.kind.toUpperCase()}: sai com ${list((NEEDED[v.kind] ?? []).map((r) => ROLES[r].toLowerCase()))}.`),
    ...rows,
    errors.crew ? h("p", { class: "field-error", role: "alert" }, errors.crew) : null,
    h("div", { class: "row", style: "margin-top:0.75rem" },
      h("button", { type: "button", id: "crew-add", onclick: () => { members.push({ role: "nursing_technician", name: "" }); delete errors.crew; ctx.render(); } }, "Adicionar profissional"),
      h("button", { type: "button", onclick: () => { picked = undefined; ctx.render(); } }, "Outra viatura"),
      h("button", { type: "button", class: "primary", id: "crew-confirm", onclick: () => void confirm() }, "Confirmar equipe"))));
}

/** "a, b e c". */
function list(items: string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} e ${items[items.length - 1]}`;
}
