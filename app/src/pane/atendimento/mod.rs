//! Call taking by the TARM (RFS029, RFS030, RFS032, RFS115, RFS182, RFS184–186): the intake form
//! with inline validation (the same `NewOccurrence::validate` the server runs, what only the form
//! knows such as unreadable coordinates, and the server's own field errors), the call's place
//! (typed coordinates, a known address's point, shown on the map), several victims each with
//! identity and complaint, extra phones, the caller's earlier calls with their data reusable, a
//! call timer, the confirmation with the server-assigned number, and the latest calls.
//!
//! The draft and its rules are `atalaia_client::intake`; this pane is its widgets. The
//! occurrence id is generated here, once per call, so a retry after a network failure is the
//! same command and the server recognises it instead of creating a duplicate.

mod view;

use crate::pane::Ctx;
use crate::text as pt;
use atalaia_client::ApiError;
use atalaia_client::intake::{self, Draft, KnownAddress, PlaceSource, VictimDraft};
use atalaia_core::auth::Permission;
use atalaia_core::geom::LatLon;
use atalaia_core::ids::OccurrenceId;
use atalaia_core::samu::intake::IntakeRules;
use atalaia_core::samu::{CallType, Occurrence, Sex};
use atalaia_core::wire::{FieldError, NewOccurrence};
use chrono::{DateTime, Utc};
use iced::Task;
use iced::widget::Id;
use std::fmt;

/// The phone field, focused again after each registration so the next call starts at once.
pub const PHONE_ID: &str = "atendimento-telefone";
/// The complaint, the form's last field: Enter there registers the call.
pub const COMPLAINT_ID: &str = "atendimento-queixa";

/// The name field of victim `i` (focused when the victim is added).
fn victim_id(i: usize) -> Id {
    Id::from(format!("atendimento-vitima-{i}"))
}

/// Extra phone `i` (focused when it is added).
fn extra_phone_id(i: usize) -> Id {
    Id::from(format!("atendimento-telefone-{i}"))
}

/// A call type as the pick list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallTypeOption(pub CallType);

impl fmt::Display for CallTypeOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(atalaia_core::text::call_type(self.0))
    }
}

/// A victim's sex as the pick list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SexOption(pub Sex);

impl fmt::Display for SexOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(atalaia_core::text::sex(self.0))
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Registered(String),
    /// Kept in the console's outbox while the server is out of reach (issue 8).
    Queued,
    Failed(String),
}

#[derive(Debug)]
pub struct State {
    form: Draft,
    /// Id of the call being taken; kept across retries, renewed after a registration.
    draft_id: OccurrenceId,
    /// When the operator started this call (first keystroke), for the call timer.
    started_at: Option<DateTime<Utc>>,
    /// Client-side errors show only after the first attempt, then follow every keystroke.
    attempted: bool,
    server_errors: Vec<FieldError>,
    submitting: Option<OccurrenceId>,
    outcome: Option<Outcome>,
    /// A first F2 on a call with data asks for a second one before discarding it, until then.
    discard_until: Option<DateTime<Utc>>,
    /// The place last shown on the map (the map follows the draft's place).
    shown_place: Option<LatLon>,
    /// The centre's intake rules (DDD, SAMU-Regional, over-time), once the server gave them.
    rules: Option<IntakeRules>,
    /// The configured geocoder (RFS030), what it was last asked and what it answered for it.
    geocoder: Option<String>,
    geocoder_asked: Option<String>,
    geocoded: Option<(String, Vec<KnownAddress>)>,
    /// When the street was last typed in (the geocoder is asked once typing pauses).
    address_typed_at: Option<DateTime<Utc>>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            form: Draft::default(),
            draft_id: OccurrenceId::new(),
            started_at: None,
            attempted: false,
            server_errors: Vec::new(),
            submitting: None,
            outcome: None,
            discard_until: None,
            shown_place: None,
            rules: None,
            geocoder: None,
            geocoder_asked: None,
            geocoded: None,
            address_typed_at: None,
        }
    }
}

/// A change to one field of a victim.
#[derive(Debug, Clone)]
pub enum VictimField {
    Name(String),
    Sex(SexOption),
    Age(String),
    Cpf(String),
    Cns(String),
    Complaint(String),
}

#[derive(Debug, Clone)]
pub enum Message {
    Phone(String),
    CallerName(String),
    CallType(CallTypeOption),
    Address(String),
    Number(String),
    Municipality(String),
    Coordinates(String),
    Description(String),
    /// Forget the place taken from a known address or the map.
    ClearPlace,
    /// Mark the call's place with a click on the map.
    PickOnMap,
    /// A point for this call, picked on the map.
    Place(LatLon, PlaceSource),
    ExtraPhone(usize, String),
    /// F4 or the button: one more number to reach the caller (RFS186).
    AddPhone,
    RemovePhone(usize),
    /// F3 or the button: one more victim (RFS029).
    AddVictim,
    RemoveVictim(usize),
    Victim(usize, VictimField),
    /// Button or Ctrl+Enter.
    Submit,
    /// The server's answer (boxed: a problem with field errors is large).
    Submitted(OccurrenceId, Box<Result<Occurrence, ApiError>>),
    /// The call is in the outbox, waiting for the server.
    Queued(OccurrenceId),
    /// Abandon this call and start a new one.
    Clear,
    /// Enter in a field that is not the last: on to the next one.
    Next,
    /// Enter in a victim's last field: back to the call's complaint.
    ToComplaint,
    /// Take a suggested address (a place already known to the centre, RFS030), with its point.
    Suggestion(KnownAddress),
    /// Take what an earlier call from this number recorded (RFS182).
    Reuse(OccurrenceId),
    /// The centre's intake rules arrived.
    Rules(IntakeRules),
    /// The geocoder's answer to this query (RFS030).
    Geocoded(String, Result<Vec<atalaia_client::geocoder::Place>, String>),
}

/// What the dashboard must do for this pane.
#[derive(Debug, Clone)]
pub enum Event {
    Register(NewOccurrence),
    /// The call's place changed: the map shows it (or stops showing it).
    Place(Option<LatLon>),
    /// The next click on the map marks the call's place.
    PickOnMap,
    /// Ask the geocoder at this address for places matching this query (RFS030).
    Geocode {
        geocoder: String,
        query: String,
    },
}

impl State {
    pub fn update(&mut self, message: Message, ctx: &Ctx<'_>) -> (Task<Message>, Option<Event>) {
        let task = match message {
            Message::Phone(v) => self.set(ctx, "caller_phone", |f| f.phone = v),
            Message::CallerName(v) => self.set(ctx, "caller_name", |f| f.caller_name = v),
            Message::CallType(v) => self.set(ctx, "call_type", |f| f.call_type = v.0),
            Message::Address(v) => {
                self.address_typed_at = Some(ctx.now);
                self.set(ctx, "address", |f| f.address = v)
            }
            Message::Geocoded(query, answer) => {
                match answer {
                    Ok(places) => {
                        let found = intake::geocoded_addresses(&places, &self.form.municipality);
                        self.geocoded = Some((query, found));
                    }
                    Err(e) => tracing::info!(error = %e, "geocoder not used for the call's address"),
                }
                Task::none()
            }
            Message::Number(v) => self.set(ctx, "address", |f| f.number = v),
            Message::Municipality(v) => {
                // Part of the geocoder's query: it waits for this typing to pause too.
                self.address_typed_at = Some(ctx.now);
                self.set(ctx, "municipality", |f| f.municipality = v)
            }
            Message::Coordinates(v) => self.set(ctx, "location", |f| f.coordinates = v),
            Message::Description(v) => self.set(ctx, "description", |f| f.description = v),
            Message::ClearPlace => self.set(ctx, "location", |f| {
                f.place = None;
                f.coordinates.clear();
            }),
            Message::Place(at, source) => self.set(ctx, "location", |f| {
                f.place = Some((at, source));
                f.coordinates.clear();
            }),
            Message::ExtraPhone(i, v) => self.set(ctx, &format!("extra_phones[{i}]"), |f| {
                if let Some(p) = f.extra_phones.get_mut(i) {
                    *p = v;
                }
            }),
            Message::AddPhone => {
                let i = self.form.extra_phones.len();
                self.edit(ctx, "extra_phones", |f| f.extra_phones.push(String::new()));
                iced::widget::operation::focus(extra_phone_id(i))
            }
            Message::RemovePhone(i) => {
                self.edit(ctx, "extra_phones", |f| {
                    if i < f.extra_phones.len() {
                        f.extra_phones.remove(i);
                    }
                });
                // Errors are keyed by position: they are recomputed, not shifted.
                self.server_errors.retain(|e| !e.field.starts_with("extra_phones"));
                Task::none()
            }
            Message::AddVictim => {
                let i = self.form.victims.len();
                self.edit(ctx, "victims", |f| f.victims.push(VictimDraft::default()));
                iced::widget::operation::focus(victim_id(i))
            }
            Message::RemoveVictim(i) => {
                self.edit(ctx, "victims", |f| {
                    if i < f.victims.len() {
                        f.victims.remove(i);
                    }
                });
                self.server_errors.retain(|e| !e.field.starts_with("victims"));
                Task::none()
            }
            Message::Victim(i, change) => self.edit_victim(ctx, i, change),
            Message::Submit => return (Task::none(), self.submit(ctx)),
            Message::PickOnMap => {
                let can = ctx.user.can(Permission::OccurrenceCreate);
                return (Task::none(), can.then_some(Event::PickOnMap));
            }
            Message::Submitted(id, result) => self.submitted(id, *result),
            Message::Queued(id) => {
                // Safe on disk and sent when the link returns: the next call can be taken now.
                if self.submitting == Some(id) { self.reset(Some(Outcome::Queued)) } else { Task::none() }
            }
            Message::Clear => {
                // Never while the call is being sent (its answer would be lost), and a call with
                // data needs a second F2 within 5 s: one stray key must not wipe it.
                if self.is_submitting() {
                    return (Task::none(), None);
                }
                if !self.is_pristine() && self.discard_until.is_none_or(|t| ctx.now > t) {
                    self.discard_until = Some(ctx.now + chrono::Duration::seconds(5));
                    self.outcome = Some(Outcome::Failed(pt::DISCARD_AGAIN.to_owned()));
                    return (Task::none(), None);
                }
                self.reset(None)
            }
            Message::Next => iced::widget::operation::focus_next(),
            Message::ToComplaint => iced::widget::operation::focus(Id::new(COMPLAINT_ID)),
            Message::Suggestion(known) => {
                self.edit(ctx, "address", |f| {
                    let (street, number) = atalaia_client::intake::split_number(&known.address);
                    f.address = street;
                    f.number = number;
                    f.municipality = known.municipality;
                    // A point marked on the map or typed stays; one from another known address
                    // goes with that address.
                    let from_known = f.place.is_none_or(|(_, source)| source == PlaceSource::Known);
                    if f.coordinates.trim().is_empty() && from_known {
                        f.place = known.location.map(|at| (at, PlaceSource::Known));
                    }
                });
                self.server_errors.retain(|e| e.field != "municipality" && e.field != "location");
                // The address is taken: the geocoder is not asked about it again.
                self.geocoder_asked = intake::geocoder_query(&self.form.address, &self.form.municipality);
                iced::widget::operation::focus(Id::new(COMPLAINT_ID))
            }
            Message::Reuse(id) => {
                if let Some(earlier) = ctx.model.occurrences.get(&id) {
                    self.edit(ctx, "address", |f| f.reuse(earlier));
                    self.server_errors.clear();
                }
                iced::widget::operation::focus(Id::new(COMPLAINT_ID))
            }
            Message::Rules(rules) => {
                self.rules = Some(rules);
                Task::none()
            }
        };
        (task, self.place_changed())
    }

    /// A new call: the form empty, the cursor on the phone; the rules and what the map shows
    /// (until the next event says otherwise) stay.
    fn reset(&mut self, outcome: Option<Outcome>) -> Task<Message> {
        let kept =
            State { outcome, shown_place: self.shown_place, rules: self.rules.take(), ..State::default() };
        *self = kept;
        iced::widget::operation::focus(Id::new(PHONE_ID))
    }

    /// Whether the intake rules are still to be fetched.
    /// The geocoder the TARM's address suggestions ask (RFS030), if one is configured.
    pub fn set_geocoder(&mut self, geocoder: Option<String>) {
        self.geocoder = geocoder.filter(|g| !g.trim().is_empty());
    }

    /// On the dashboard's clock: the geocoder is asked about the street once typing has paused
    /// for a second, once per query.
    pub fn due(&mut self, ctx: &Ctx<'_>) -> Option<Event> {
        let geocoder = self.geocoder.clone()?;
        let typed = self.address_typed_at?;
        if ctx.now - typed < chrono::Duration::seconds(1) {
            return None;
        }
        let query = intake::geocoder_query(&self.form.address, &self.form.municipality)?;
        if self.geocoder_asked.as_deref() == Some(query.as_str()) {
            return None;
        }
        self.geocoder_asked = Some(query.clone());
        Some(Event::Geocode { geocoder, query })
    }

    /// The geocoder's addresses for what is typed now (an answer to an older query is not shown).
    pub fn geocoded(&self) -> &[KnownAddress] {
        let current = intake::geocoder_query(&self.form.address, &self.form.municipality);
        match &self.geocoded {
            Some((query, found)) if current.as_deref() == Some(query.as_str()) => found,
            _ => &[],
        }
    }

    pub fn needs_rules(&self) -> bool {
        self.rules.is_none()
    }

    /// The map follows the call's place: an event when it changed since last shown.
    fn place_changed(&mut self) -> Option<Event> {
        let now = self.form.location().ok().flatten();
        if now == self.shown_place {
            return None;
        }
        self.shown_place = now;
        Some(Event::Place(now))
    }

    fn edit(&mut self, ctx: &Ctx<'_>, field: &str, change: impl FnOnce(&mut Draft)) {
        if self.started_at.is_none() {
            self.started_at = Some(ctx.now);
        }
        change(&mut self.form);
        self.server_errors.retain(|e| e.field != field);
    }

    /// [`State::edit`] as a message's whole effect.
    fn set(&mut self, ctx: &Ctx<'_>, field: &str, change: impl FnOnce(&mut Draft)) -> Task<Message> {
        self.edit(ctx, field, change);
        Task::none()
    }

    fn edit_victim(&mut self, ctx: &Ctx<'_>, i: usize, change: VictimField) -> Task<Message> {
        let field = match &change {
            VictimField::Name(_) => "name",
            VictimField::Sex(_) => "sex",
            VictimField::Age(_) => "age_years",
            VictimField::Cpf(_) => "cpf",
            VictimField::Cns(_) => "cns",
            VictimField::Complaint(_) => "complaint",
        };
        self.set(ctx, &format!("victims[{i}].{field}"), |f| {
            let Some(v) = f.victims.get_mut(i) else { return };
            match change {
                VictimField::Name(s) => v.name = s,
                VictimField::Sex(s) => v.sex = Some(s.0),
                VictimField::Age(s) => v.age = s,
                VictimField::Cpf(s) => v.cpf = s,
                VictimField::Cns(s) => v.cns = s,
                VictimField::Complaint(s) => v.complaint = s,
            }
        })
    }

    /// The command this form would send now, and what is wrong with it.
    pub fn draft(&self) -> (NewOccurrence, Vec<FieldError>) {
        self.form.to_new(self.draft_id, self.started_at)
    }

    fn submit(&mut self, ctx: &Ctx<'_>) -> Option<Event> {
        if self.submitting.is_some() || !ctx.user.can(Permission::OccurrenceCreate) {
            return None;
        }
        self.attempted = true;
        let (new, errors) = self.draft();
        if !errors.is_empty() {
            self.outcome = Some(Outcome::Failed(pt::FIX_ERRORS.to_owned()));
            return None;
        }
        self.submitting = new.id;
        self.outcome = None;
        Some(Event::Register(new))
    }

    fn submitted(&mut self, id: OccurrenceId, result: Result<Occurrence, ApiError>) -> Task<Message> {
        if self.submitting != Some(id) {
            return Task::none();
        }
        self.submitting = None;
        match result {
            Ok(occurrence) => {
                tracing::info!(number = %occurrence.number, "occurrence registered");
                self.reset(Some(Outcome::Registered(occurrence.number)))
            }
            Err(error) => {
                tracing::warn!(%error, "occurrence registration failed");
                if let ApiError::Problem(problem) = &error {
                    self.server_errors = problem.errors.clone();
                }
                self.outcome = Some(Outcome::Failed(pt::register_failed(&pt::api_error(&error))));
                Task::none()
            }
        }
    }

    /// Coordinates were typed for this call (they win over a point marked on the map).
    pub fn typed_coordinates(&self) -> bool {
        !self.form.coordinates.trim().is_empty()
    }

    /// Nothing typed yet for this call.
    pub fn is_pristine(&self) -> bool {
        self.started_at.is_none()
    }

    /// The call being sent, if any.
    pub fn submitting(&self) -> Option<OccurrenceId> {
        self.submitting
    }

    pub fn is_submitting(&self) -> bool {
        self.submitting.is_some()
    }

    /// The message to show under `field`: the client's rule first, then the server's.
    fn error(&self, client: &[FieldError], field: &str) -> Option<String> {
        client.iter().chain(self.server_errors.iter()).find(|e| e.field == field).map(|e| e.message.clone())
    }
}

#[cfg(test)]
mod tests;
