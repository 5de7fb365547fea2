//! The rules an administrator keeps at the console (III-2.11, III-2.25, 16.2.7): the steps
//! operators follow per alarm kind and group, the restrictions of a group, and who is told by
//! e-mail or SMS. Each is a draft the form edits and turns into the server's body, checked by the
//! same rules the server applies, so a refusal is seen before anything is sent.

use atalaia_core::alarm::{AlarmKind, Procedure, Severity};
use atalaia_core::monitoring::GroupRules;
use atalaia_core::notify::{NewNotificationRule, NotificationRule, Trigger};
use atalaia_core::wire::{NewGroupRules, NewProcedure};

/// A group name as typed: trimmed; empty is none.
fn group_of(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|g| !g.is_empty())
}

/// Who a procedure is for, as the list says it.
pub fn procedure_label(p: &Procedure) -> String {
    format!(
        "{} — {}",
        atalaia_core::text::alarm_kind(p.kind),
        p.group.as_deref().map_or("todos os monitorados".to_owned(), |g| format!("grupo {g}"))
    )
}

/// The steps operators follow for one alarm kind and group (III-2.11).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProcedureDraft {
    pub kind: Option<AlarmKind>,
    pub group: String,
    pub steps: Vec<String>,
    /// The step being typed, added with Enter.
    pub adding: String,
}

impl ProcedureDraft {
    pub fn of(p: &Procedure) -> Self {
        Self {
            kind: Some(p.kind),
            group: p.group.clone().unwrap_or_default(),
            steps: p.steps.clone(),
            adding: String::new(),
        }
    }

    /// Adds the step being typed (blank is ignored); whether one was added.
    pub fn add_step(&mut self) -> bool {
        let step = self.adding.trim().to_owned();
        if step.is_empty() {
            return false;
        }
        self.steps.push(step);
        self.adding.clear();
        true
    }

    /// Moves a step one place up.
    pub fn raise(&mut self, i: usize) {
        if i > 0 && i < self.steps.len() {
            self.steps.swap(i - 1, i);
        }
    }

    pub fn remove(&mut self, i: usize) {
        if i < self.steps.len() {
            self.steps.remove(i);
        }
    }

    /// The alarm kind and the body of `PUT /procedures/{kind}`, or what is wrong. A step still
    /// in the typing box counts: what the administrator sees is what is saved.
    pub fn body(&self) -> Result<(AlarmKind, NewProcedure), String> {
        let kind = self.kind.ok_or("Escolha o tipo de alarme.")?;
        let mut steps = self.steps.clone();
        if !self.adding.trim().is_empty() {
            steps.push(self.adding.trim().to_owned());
        }
        let body = NewProcedure { group: group_of(&self.group), steps };
        if body.group.as_deref() == Some("*") {
            return Err("\"*\" não é um nome de grupo válido.".into());
        }
        crate::refusal(body.validate())?;
        Ok((kind, body))
    }
}

/// The restrictions of a group (III-2.25), in the units people think in: minutes without
/// contact, seconds to confirm a zone crossing; empty is the site's default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupDraft {
    pub group: String,
    pub disabled: Vec<AlarmKind>,
    pub signal_timeout_min: String,
    pub zone_dwell_s: String,
}

/// A whole number typed in a field, or what is wrong with it.
fn number(s: &str, what: &str) -> Result<Option<u32>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<u32>()
        .map(Some)
        .map_err(|_| format!("{what}: informe um número inteiro (ex.: 30) ou deixe vazio."))
}

impl GroupDraft {
    pub fn of(r: &GroupRules) -> Self {
        Self {
            group: r.group.clone(),
            disabled: r.disabled.clone(),
            signal_timeout_min: r.signal_timeout_s.map(|s| (s / 60).to_string()).unwrap_or_default(),
            zone_dwell_s: r.zone_dwell_s.map(|s| s.to_string()).unwrap_or_default(),
        }
    }

    pub fn toggle(&mut self, kind: AlarmKind) {
        match self.disabled.iter().position(|k| *k == kind) {
            Some(i) => {
                self.disabled.remove(i);
            }
            None => self.disabled.push(kind),
        }
    }

    /// The group and the body of `PUT /group-rules/{group}`, or what is wrong.
    pub fn body(&self) -> Result<(String, NewGroupRules), String> {
        let minutes = number(&self.signal_timeout_min, "Perda de comunicação após")?;
        let body = NewGroupRules {
            disabled: self.disabled.clone(),
            signal_timeout_s: minutes.map(|m| m.saturating_mul(60)),
            zone_dwell_s: number(&self.zone_dwell_s, "Confirmação de zona")?,
        };
        let group = self.group.trim().to_owned();
        crate::refusal(body.validate(&group))?;
        Ok((group, body))
    }
}

/// Who is told, by which channel, about which alarms (16.2.7). Recipients are typed separated
/// by commas, semicolons or lines.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationDraft {
    pub name: String,
    pub enabled: bool,
    pub trigger: Trigger,
    /// None chosen: every electronic-monitoring kind.
    pub kinds: Vec<AlarmKind>,
    pub min_severity: Severity,
    pub group: String,
    pub email: String,
    pub sms: String,
}

impl Default for NotificationDraft {
    fn default() -> Self {
        Self {
            name: String::new(),
            enabled: true,
            trigger: Trigger::Raised,
            kinds: Vec::new(),
            min_severity: Severity::High,
            group: String::new(),
            email: String::new(),
            sms: String::new(),
        }
    }
}

/// The addresses or numbers in a recipients field.
pub fn recipients(s: &str) -> Vec<String> {
    s.split([',', ';', '\n']).map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned).collect()
}

impl NotificationDraft {
    pub fn of(r: &NotificationRule) -> Self {
        Self {
            name: r.name.clone(),
            enabled: r.enabled,
            trigger: r.trigger,
            kinds: r.kinds.clone(),
            min_severity: r.min_severity,
            group: r.group.clone().unwrap_or_default(),
            email: r.email.join(", "),
            sms: r.sms.join(", "),
        }
    }

    pub fn toggle(&mut self, kind: AlarmKind) {
        match self.kinds.iter().position(|k| *k == kind) {
            Some(i) => {
                self.kinds.remove(i);
            }
            None => self.kinds.push(kind),
        }
    }

    /// The rule's name and the body of `PUT /notification-rules/{name}`, or what is wrong.
    pub fn body(&self) -> Result<(String, NewNotificationRule), String> {
        let name = self.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 80 {
            return Err("Dê à regra um nome de até 80 caracteres.".into());
        }
        let body = NewNotificationRule {
            enabled: self.enabled,
            trigger: self.trigger,
            kinds: self.kinds.clone(),
            min_severity: self.min_severity,
            group: group_of(&self.group),
            email: recipients(&self.email),
            sms: recipients(&self.sms),
        };
        crate::refusal(body.validate())?;
        Ok((name, body))
    }
}

/// Every group name the central knows — people's, zones', rules' and procedures' — sorted as
/// people read them, each once.
pub fn known_groups<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut all: Vec<(String, String)> = names
        .into_iter()
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(|g| (atalaia_core::text::fold(g), g.to_owned()))
        .collect();
    all.sort();
    all.dedup_by(|a, b| a.0 == b.0);
    all.into_iter().map(|(_, g)| g).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn iii_2_11_a_procedure_is_typed_step_by_step_reordered_and_checked_before_it_is_sent() {
        let mut d = ProcedureDraft::default();
        assert_eq!(d.body().unwrap_err(), "Escolha o tipo de alarme.");
        d.kind = Some(AlarmKind::StrapCut);
        d.adding = "   ".into();
        assert!(!d.add_step(), "a blank step is not a step");
        assert!(d.body().unwrap_err().contains("de 1 a 30 passos"));
        for s in ["Ligar para o monitorado", " Acionar a PM "] {
            d.adding = s.into();
            assert!(d.add_step());
        }
        d.raise(1);
        assert_eq!(d.steps, ["Acionar a PM", "Ligar para o monitorado"]);
        d.adding = "Registrar no histórico".into();
        let (kind, body) = d.body().unwrap();
        assert_eq!(kind, AlarmKind::StrapCut);
        assert_eq!(body.steps.len(), 3, "the step still being typed is saved too");
        assert_eq!(body.group, None, "no group: for everyone");
        d.group = " Medida protetiva ".into();
        assert_eq!(d.body().unwrap().1.group.as_deref(), Some("Medida protetiva"));
        d.remove(0);
        d.remove(7);
        assert_eq!(d.steps, ["Ligar para o monitorado"]);
        d.adding = "x".repeat(501);
        assert!(d.body().unwrap_err().contains("até 500 caracteres"));
    }

    #[test]
    fn iii_2_25_group_restrictions_are_typed_in_minutes_and_checked_as_the_server_does() {
        let mut d = GroupDraft { group: "Semiaberto".into(), ..GroupDraft::default() };
        d.toggle(AlarmKind::Encounter);
        d.signal_timeout_min = "30".into();
        let (group, body) = d.body().unwrap();
        assert_eq!(group, "Semiaberto");
        assert_eq!(body.signal_timeout_s, Some(1800));
        assert_eq!(body.zone_dwell_s, None, "empty: the site's default");
        d.zone_dwell_s = "dez".into();
        assert!(d.body().unwrap_err().starts_with("Confirmação de zona: informe um número inteiro"));
        d.zone_dwell_s = "700".into();
        assert!(d.body().unwrap_err().contains("entre 0 e 10 minutos"));
        d.zone_dwell_s.clear();
        d.toggle(AlarmKind::StrapCut);
        assert!(
            d.body().unwrap_err().contains("não pode ser desativado por grupo"),
            "as the server refuses it"
        );
        d.toggle(AlarmKind::StrapCut);
        d.toggle(AlarmKind::Encounter);
        assert!(d.disabled.is_empty());
        let back = GroupDraft::of(&GroupRules {
            group: "Semiaberto".into(),
            disabled: vec![AlarmKind::GnssLost],
            signal_timeout_s: Some(1800),
            zone_dwell_s: Some(45),
            updated_at: chrono::Utc::now(),
        });
        assert_eq!((back.signal_timeout_min.as_str(), back.zone_dwell_s.as_str()), ("30", "45"));
    }

    #[test]
    fn req_16_2_7_a_notification_rule_takes_recipients_as_typed_and_names_a_wrong_one() {
        let mut d = NotificationDraft { name: "Plantão SEJUS".into(), ..NotificationDraft::default() };
        assert!(d.body().unwrap_err().contains("ao menos um e-mail ou telefone"));
        d.email = "plantao@sejus.ro.gov.br; chefia@sejus.ro.gov.br,\n".into();
        d.sms = "+55 69 99999-0000".into();
        d.toggle(AlarmKind::StrapCut);
        let (name, body) = d.body().unwrap();
        assert_eq!(name, "Plantão SEJUS");
        assert_eq!(body.email, ["plantao@sejus.ro.gov.br", "chefia@sejus.ro.gov.br"]);
        assert_eq!(body.kinds, [AlarmKind::StrapCut]);
        d.email = "plantao.sejus".into();
        assert_eq!(d.body().unwrap_err(), "E-mail inválido: plantao.sejus");
        d.name = " ".into();
        assert!(d.body().unwrap_err().contains("nome"));
    }

    #[test]
    fn groups_are_listed_once_whatever_their_case_or_spaces() {
        let g = known_groups(["Semiaberto", " semiaberto", "", "Medida protetiva", "Ávila"]);
        assert_eq!(g, ["Ávila", "Medida protetiva", "Semiaberto"]);
    }
}
