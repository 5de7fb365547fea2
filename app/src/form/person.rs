//! A monitored person's record, new or corrected (III-2.7): name, record number, regime, group,
//! responsible. Checked with the server's own rules before it is sent; the holder sends it and
//! hands the answer back as [`Message::Saved`].

use crate::theme;
use atalaia_core::ids::PersonId;
use atalaia_core::monitoring::{Person, Regime};
use atalaia_core::wire::NewPerson;
use iced::widget::{Id, button, column, pick_list, row, text, text_input};
use iced::{Element, Task};

/// The name field (the cursor goes there when the form opens).
pub const NAME_ID: &str = "cadastro-nome";

/// The regimes an administrator picks from, in the order the form lists them.
const REGIMES: [Regime; 5] =
    [Regime::HouseArrest, Regime::SemiOpen, Regime::Open, Regime::ProtectiveMeasure, Regime::Victim];

/// A regime in the form's list, named in Portuguese.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegimeChoice(pub Regime);

impl std::fmt::Display for RegimeChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(atalaia_core::text::regime(self.0))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub person: PersonId,
    /// A new registration (POST) rather than a correction (PUT).
    pub new: bool,
    pub name: String,
    pub record: String,
    pub regime: Regime,
    pub group: String,
    pub region: String,
    pub responsible: String,
    /// Identification and contact as typed (III-2.21, 16.2.16); the birth date as dd/mm/aaaa.
    pub cpf: String,
    pub rg: String,
    pub born: String,
    pub mother: String,
    pub address: String,
    pub phone: String,
    linked: Option<PersonId>,
    /// The record's revision the form was opened on (none: a new record).
    revision: Option<u32>,
    /// The name typed to find the aggressor a victim is protected from.
    linked_query: String,
    pub saving: bool,
    pub errors: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Name(String),
    Record(String),
    Regime(RegimeChoice),
    Group(String),
    Region(String),
    Responsible(String),
    Cpf(String),
    Rg(String),
    Born(String),
    Mother(String),
    Address(String),
    Phone(String),
    /// The name typed to find a victim's aggressor.
    LinkedQuery(String),
    /// The aggressor chosen (none: unlinked).
    Link(Option<PersonId>),
    Save,
    Cancel,
    /// The server's answer for this person.
    Saved(PersonId, Result<Box<Person>, String>),
}

/// What the holder must do.
#[derive(Debug, Clone)]
pub enum Event {
    /// Send this body (POST when `new`, PUT otherwise).
    Save { person: PersonId, body: Box<NewPerson>, new: bool },
    /// Cancelled, or saved and answered: the holder drops the form.
    Closed,
}

impl Form {
    /// Correcting `p`'s record.
    pub fn of(p: &Person) -> Self {
        Self {
            person: p.id,
            new: false,
            name: p.name.clone(),
            record: p.record.clone(),
            regime: p.regime,
            group: p.group.clone().unwrap_or_default(),
            region: p.region.clone().unwrap_or_default(),
            responsible: p.responsible.clone().unwrap_or_default(),
            cpf: p.personal.cpf.clone().unwrap_or_default(),
            rg: p.personal.rg.clone().unwrap_or_default(),
            born: p.personal.birth_date.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default(),
            mother: p.personal.mother_name.clone().unwrap_or_default(),
            address: p.personal.address.clone().unwrap_or_default(),
            phone: p.personal.phone.clone().unwrap_or_default(),
            linked: p.linked_person,
            revision: Some(p.revision),
            linked_query: String::new(),
            saving: false,
            errors: Vec::new(),
        }
    }

    /// Registering someone new (with the id the record will have, so a resend is one record).
    pub fn blank() -> Self {
        Self {
            person: PersonId::new(),
            new: true,
            name: String::new(),
            record: String::new(),
            regime: Regime::SemiOpen,
            group: String::new(),
            region: String::new(),
            responsible: String::new(),
            cpf: String::new(),
            rg: String::new(),
            born: String::new(),
            mother: String::new(),
            address: String::new(),
            phone: String::new(),
            linked: None,
            revision: None,
            linked_query: String::new(),
            saving: false,
            errors: Vec::new(),
        }
    }

    /// Puts the cursor in the name field.
    pub fn focus<M: Send + 'static>() -> Task<M> {
        iced::widget::operation::focus(Id::new(NAME_ID))
    }

    /// The body to send, or what is wrong with it (the server's own rules, in Portuguese).
    pub fn body(&self) -> Result<NewPerson, Vec<String>> {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let birth_date = match self.born.trim() {
            "" => None,
            typed => match chrono::NaiveDate::parse_from_str(typed, "%d/%m/%Y") {
                Ok(d) => Some(d),
                Err(_) => return Err(vec!["Nascimento: use dd/mm/aaaa (por exemplo 07/03/1988).".into()]),
            },
        };
        let personal = atalaia_core::monitoring::PersonalData {
            cpf: some(&self.cpf),
            rg: some(&self.rg),
            birth_date,
            mother_name: some(&self.mother),
            address: some(&self.address),
            phone: some(&self.phone),
        };
        let body = NewPerson {
            id: Some(self.person),
            name: self.name.trim().to_owned(),
            record: self.record.trim().to_owned(),
            regime: self.regime,
            group: some(&self.group),
            region: some(&self.region),
            responsible: some(&self.responsible),
            linked_person: self.linked,
            personal: Some(personal),
            revision: self.revision,
        };
        let errors: Vec<String> = body.validate().into_iter().map(|e| e.message).collect();
        if errors.is_empty() { Ok(body) } else { Err(errors) }
    }

    pub fn update(&mut self, m: Message) -> Option<Event> {
        if self.saving && !matches!(m, Message::Saved(..)) {
            return None;
        }
        self.errors.clear();
        match m {
            Message::Name(v) => self.name = v,
            Message::Record(v) => self.record = v,
            Message::Regime(r) => self.regime = r.0,
            Message::Group(v) => self.group = v,
            Message::Region(v) => self.region = v,
            Message::Responsible(v) => self.responsible = v,
            Message::Cpf(v) => self.cpf = v,
            Message::Rg(v) => self.rg = v,
            Message::Born(v) => self.born = v,
            Message::Mother(v) => self.mother = v,
            Message::Address(v) => self.address = v,
            Message::Phone(v) => self.phone = v,
            Message::LinkedQuery(v) => self.linked_query = v,
            Message::Link(p) => {
                self.linked = p;
                self.linked_query.clear();
            }
            Message::Cancel => return Some(Event::Closed),
            Message::Save => match self.body() {
                Ok(body) => {
                    self.saving = true;
                    return Some(Event::Save { person: self.person, body: Box::new(body), new: self.new });
                }
                Err(errors) => self.errors = errors,
            },
            Message::Saved(id, _) if id != self.person => {}
            Message::Saved(_, Ok(_)) => return Some(Event::Closed),
            Message::Saved(_, Err(why)) => {
                self.saving = false;
                self.errors = vec![why];
            }
        }
        None
    }

    /// The form; `model` names and finds the aggressor a victim is linked to (27.16.1).
    pub fn view<'a>(&'a self, model: &'a atalaia_client::LiveModel) -> Element<'a, Message> {
        let field = |label: &'static str, hint: &'static str, value: &'a str, m: fn(String) -> Message| {
            let mut input = text_input(hint, value).size(theme::SMALL).padding([3, 6]);
            if !self.saving {
                input = input.on_input(m).on_submit(Message::Save);
            }
            column![text(label).size(theme::SMALL).color(theme::MUTED), input].spacing(2)
        };
        let name = {
            let mut input =
                text_input("Nome completo", &self.name).id(NAME_ID).size(theme::SMALL).padding([3, 6]);
            if !self.saving {
                input = input.on_input(Message::Name).on_submit(Message::Save);
            }
            column![text("Nome").size(theme::SMALL).color(theme::MUTED), input].spacing(2)
        };
        let regimes: Vec<RegimeChoice> = REGIMES.iter().copied().map(RegimeChoice).collect();
        let regime = column![
            text("Regime").size(theme::SMALL).color(theme::MUTED),
            pick_list(regimes, Some(RegimeChoice(self.regime)), Message::Regime)
                .text_size(theme::SMALL)
                .padding([3, 6]),
        ]
        .spacing(2);
        let label = match (self.saving, self.new) {
            (true, _) => "Salvando…",
            (false, true) => "Cadastrar",
            (false, false) => "Salvar cadastro",
        };
        let mut save = button(text(label).size(theme::SMALL)).padding([3, 9]).style(button::primary);
        if !self.saving {
            save = save.on_press(Message::Save);
        }
        let title = if self.new { "Novo cadastro" } else { "Corrigir cadastro" };
        let mut form = column![
            text(title).size(theme::TEXT),
            name,
            row![field("Processo / prontuário", "Número do processo", &self.record, Message::Record), regime]
                .spacing(8),
            row![
                field(
                    "Grupo (tipo de pena ou medida)",
                    "Ex.: Violência doméstica",
                    &self.group,
                    Message::Group
                ),
                field("Região", "Ex.: Zona Leste", &self.region, Message::Region)
            ]
            .spacing(8),
            field("Responsável", "Informe o responsável", &self.responsible, Message::Responsible),
            row![
                field("CPF", "000.000.000-00", &self.cpf, Message::Cpf),
                field("RG", "Número e órgão", &self.rg, Message::Rg),
                field("Nascimento", "dd/mm/aaaa", &self.born, Message::Born),
            ]
            .spacing(8),
            row![
                field("Nome da mãe", "Como no documento", &self.mother, Message::Mother),
                field("Telefone", "(69) 99999-0000", &self.phone, Message::Phone),
            ]
            .spacing(8),
            field("Endereço", "Rua, número, bairro, município", &self.address, Message::Address),
            row![
                save,
                button(text("Cancelar").size(theme::SMALL))
                    .padding([3, 9])
                    .style(button::text)
                    .on_press(Message::Cancel),
            ]
            .spacing(8),
        ]
        .spacing(6);
        if self.regime == Regime::Victim {
            form = form.push(self.link_view(model));
        }
        for err in &self.errors {
            form = form.push(text(err.as_str()).size(theme::SMALL).color(theme::RED));
        }
        form.into()
    }
}

impl Form {
    /// A victim's aggressor (27.16.1): the one linked, and a search to choose or change them.
    fn link_view<'a>(&'a self, model: &'a atalaia_client::LiveModel) -> Element<'a, Message> {
        let linked =
            self.linked.map(|id| model.persons.get(&id).map_or("pessoa não carregada", |p| p.name.as_str()));
        let mut col = column![
            text("Agressor vinculado (alarme de aproximação)").size(theme::SMALL).color(theme::MUTED)
        ]
        .spacing(4);
        if let Some(name) = linked {
            col = col.push(
                row![
                    text(name).size(theme::SMALL),
                    button(text("Desvincular").size(theme::SMALL))
                        .padding([2, 8])
                        .style(button::text)
                        .on_press_maybe((!self.saving).then_some(Message::Link(None))),
                ]
                .spacing(8)
                .align_y(iced::Center),
            );
        }
        let mut search =
            text_input("Nome do agressor", &self.linked_query).size(theme::SMALL).padding([3, 6]);
        if !self.saving {
            search = search.on_input(Message::LinkedQuery);
        }
        col = col.push(search);
        let aggressor =
            |p: &atalaia_core::monitoring::Person| p.id != self.person && p.regime != Regime::Victim;
        col.push(super::person_choices(model, &self.linked_query, aggressor, |p| Message::Link(Some(p))))
            .into()
    }
}
