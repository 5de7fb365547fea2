//! The record's timeline: one line per thing that happened, newest first, its time on the left;
//! photos shown under their line, audio and video one click from the system's player; above it the
//! attendance report and the box that appends information, after closure too (RFS133).

use super::{Message, Photo, State};
use crate::pane::Ctx;
use crate::text as pt;
use crate::theme;
use atalaia_client::format;
use atalaia_client::record::{self, Entry, Phase};
use atalaia_core::samu::care::{AttachmentInfo, AttachmentKind};
use atalaia_core::samu::{Occurrence, OccurrencePhase};
use atalaia_core::text as ct;
use iced::widget::{button, column, container, image, row, space, text, text_input};
use iced::{Center, Element, Fill};

pub const REPORT: &str = "Relatório de atendimento (PDF)";
pub const OPEN_REPORT: &str = "Abrir relatório";
pub const SAVE_REPORT: &str = "Salvar relatório";
pub const FETCHING: &str = "Baixando arquivo…";
pub const ADDENDUM_EMPTY: &str = "Escreva o complemento antes de acrescentar.";
pub const ADDENDUM_DONE: &str = "Complemento acrescentado ao registro.";
const ADDENDUM_HINT: &str = "Complemento ao registro (acrescenta, nunca altera o que foi registrado)";
const ADDENDUM_HINT_CLOSED: &str = "Complemento após o encerramento (quem e quando ficam registrados)";
const APPEND: &str = "Acrescentar";
const LOADING_FOLDER: &str = "Lendo o registro da ocorrência…";
const OPEN: &str = "Abrir";
const SAVE: &str = "Salvar";
const LISTEN: &str = "Ouvir";
const WATCH: &str = "Assistir";
/// The addendum field (focus goes there from the keyboard).
pub const ADDENDUM_ID: &str = "ficha-complemento";

pub fn saved(path: &str, opened: bool) -> String {
    if opened { format!("Aberto no programa do sistema: {path}") } else { format!("Salvo em {path}") }
}

pub fn photo_unreadable(e: &str) -> String {
    format!("Foto ilegível: {e}")
}

fn phase(p: Phase) -> &'static str {
    match p {
        Phase::Committed => "empenhada",
        Phase::Acknowledged => "equipe confirmou o recebimento",
        Phase::EnRoute => "a caminho",
        Phase::OnScene => "chegou ao local",
        Phase::Transporting => "saiu do local com a vítima",
        Phase::AtDestination => "chegou à unidade de destino",
        Phase::StretcherRetained => "maca retida",
        Phase::Released => "liberada",
        Phase::AtBase => "na base",
    }
}

/// The words of one line, and the attachment it carries, if any.
fn words(entry: &Entry<'_>) -> (String, Option<AttachmentInfo>) {
    let line = match entry {
        Entry::Call(o) => {
            let who = match o.caller_name.trim() {
                "" => o.caller_phone.clone(),
                name => format!("{name}, {}", o.caller_phone),
            };
            format!("Chamada ({}) de {who} — {}", ct::call_type(o.call_type), o.description)
        }
        Entry::HandedOff => "Passada à regulação médica".to_owned(),
        Entry::Change(c) => pt::change_text(
            &c.by_name,
            c.stage.map(ct::regulator_stage),
            &pt::field_label(&c.field),
            c.from.as_deref().map(|v| pt::field_value(&c.field, v)).as_deref(),
            &pt::field_value(&c.field, &c.to),
            &c.reason,
        ),
        Entry::Phase(d, p) => {
            let mut s = format!("{}: {}", d.vehicle_code, phase(*p));
            if *p == Phase::Committed && d.additional {
                s.push_str(" (adicional: atende ao terminar a ocorrência atual)");
            }
            if let (Phase::StretcherRetained, Some(r)) = (p, &d.stretcher) {
                s.push_str(&format!(" em {} — {}", r.unit, r.reason));
            }
            if let (Phase::Released, Some(atalaia_core::samu::DispatchEnd::Replaced { .. })) = (p, &d.ended) {
                s.push_str(" (substituída)");
            }
            s
        }
        Entry::Care(r) => {
            let vitals = ct::vitals(r);
            let mut s = format!("Atendimento, vítima {} ({})", r.victim, r.by_name);
            if !vitals.is_empty() {
                s.push_str(&format!(": {vitals}"));
            }
            if !r.notes.is_empty() {
                s.push_str(&format!(" — {}", r.notes));
            }
            s
        }
        Entry::Attachment(a) => {
            let victim = a.victim.map(|v| format!(", vítima {v}")).unwrap_or_default();
            let line = format!(
                "{} de {}{victim}: {} ({} KB)",
                ct::attachment_kind(a.kind),
                a.by_name,
                a.name,
                a.size.div_ceil(1024)
            );
            return (line, Some((*a).clone()));
        }
        Entry::Message(m) => {
            let side = if m.from_crew() { "Equipe" } else { "Central" };
            format!("{side} — {}: {}", m.from_name, m.text)
        }
        Entry::CrewAlert(a) => {
            let kind = match a.kind {
                atalaia_core::samu::care::CrewAlertKind::NeedSupport => "pediu apoio",
                atalaia_core::samu::care::CrewAlertKind::MultipleVictims => "avisou de múltiplas vítimas",
            };
            format!("{} {kind}: {}", a.vehicle, a.note)
        }
        Entry::Transfer(t) => {
            format!("Vítima {} passou de {} para {}: {}", t.victim, t.from_vehicle, t.to_vehicle, t.reason)
        }
        Entry::Consent(c) => {
            let what = if c.consented { "consentiu com o atendimento" } else { "recusou o atendimento" };
            format!("Vítima {} {what} ({}) {}", c.victim, c.by_name, c.notes)
        }
        Entry::Closure(c) => format!("Ocorrência encerrada: {}", c.reason),
        Entry::Addendum(a) => format!("Complemento de {}: {}", a.by_name, a.text),
    };
    (line, None)
}

fn small_button(label: &str, on_press: Message) -> Element<'_, Message> {
    button(text(label).size(theme::SMALL)).padding([3, 10]).style(button::secondary).on_press(on_press).into()
}

impl State {
    pub fn view_record<'a>(&'a self, o: &'a Occurrence, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let report = row![
            text(REPORT).size(theme::TITLE),
            space::horizontal(),
            small_button(OPEN_REPORT, Message::Report { open: true }),
            small_button(SAVE_REPORT, Message::Report { open: false }),
        ]
        .spacing(8)
        .align_y(Center);
        let mut body = column![report].spacing(8);
        body = body.push(crate::pane::slot(self.notice.as_ref().map(|n| banner(n))));
        if super::may_append(ctx) {
            let hint = if o.phase == OccurrencePhase::Closed { ADDENDUM_HINT_CLOSED } else { ADDENDUM_HINT };
            body = body.push(super::send_row(
                text_input(hint, &self.addendum)
                    .id(iced::widget::Id::new(ADDENDUM_ID))
                    .on_input(Message::Addendum),
                APPEND,
                Message::Append,
                self.adding,
            ));
        }
        body = body.push(self.view_transfer(o, ctx));
        let folder = match &self.folder {
            Some(Ok(f)) => Some(f),
            Some(Err(e)) => {
                body = body.push(text(e.as_str()).size(theme::TEXT).color(theme::RED));
                None
            }
            None => {
                body = body.push(text(LOADING_FOLDER).size(theme::TEXT).color(theme::MUTED));
                None
            }
        };
        let (loaded_d, loaded_m) =
            folder.map_or((&[][..], &[][..]), |f| (&f.dispatches[..], &f.messages[..]));
        let dispatches = record::dispatches(ctx.model, o.id, loaded_d);
        let live = ctx.model.messages.get(&o.id).map_or(&[][..], Vec::as_slice);
        let messages = record::conversation(loaded_m, live);
        // Newest first: what the crew just sent is what the regulator opened the record for.
        let lines = record::timeline(o, &dispatches, &messages).into_iter().rev().map(|(at, entry)| {
            let (line, file) = words(&entry);
            let when = text(format::day_time(at, ctx.tz)).size(theme::SMALL).color(theme::MUTED).width(110);
            let mut item =
                column![row![when, text(line).size(theme::TEXT).width(Fill)].spacing(8)].spacing(4);
            if let Some(info) = file {
                item = item.push(self.view_file(info));
            }
            item.into()
        });
        body = body.push(column(lines.collect::<Vec<Element<'a, Message>>>()).spacing(6));
        body.into()
    }

    /// An attachment under its line: a photo shown, the others one click from the system's
    /// player or viewer; any of them saved.
    fn view_file(&self, info: AttachmentInfo) -> Element<'_, Message> {
        let indent = space().width(118);
        let open_label = match info.kind {
            AttachmentKind::Audio => LISTEN,
            AttachmentKind::Video => WATCH,
            AttachmentKind::Photo | AttachmentKind::Document => OPEN,
        };
        // A file of a kind no viewer shows is only saved, never handed to the system to open.
        let open =
            record::openable(&info).then(|| small_button(open_label, Message::File(info.clone(), true)));
        let buttons =
            row![].push(open).push(small_button(SAVE, Message::File(info.clone(), false))).spacing(6);
        let content: Element<'_, Message> = match (info.kind, self.photos.get(&info.id)) {
            (AttachmentKind::Photo, Some(Photo::Shown(handle))) => {
                column![image(handle.clone()).width(iced::Shrink), buttons].spacing(4).into()
            }
            (AttachmentKind::Photo, Some(Photo::Failed(e))) => {
                column![text(e.as_str()).size(theme::SMALL).color(theme::RED), buttons].spacing(4).into()
            }
            (AttachmentKind::Photo, _) => {
                column![text(pt::LOADING).size(theme::SMALL).color(theme::MUTED), buttons].spacing(4).into()
            }
            _ => buttons.into(),
        };
        row![indent, content].into()
    }
}

/// The answer to the last request about the record.
pub(super) fn banner(n: &Result<String, String>) -> Element<'_, Message> {
    let (msg, c) = match n {
        Ok(m) => (m.as_str(), theme::GREEN),
        Err(m) => (m.as_str(), theme::RED),
    };
    container(text(msg).size(theme::TEXT)).padding([6, 10]).width(Fill).style(theme::banner(c)).into()
}
