//! The regulator's form (RFS123, RFS124, RFS126–RFS128, RFS132, RFS136; TDC-PROC 3, 9, 11) as a
//! component: every field of the regulation, starting from what the occurrence has; the draft and
//! its rules are `atalaia_client::regulation`.

use super::{REASON_ID, toggle};
use crate::text as pt;
use crate::theme;
use atalaia_client::regulation::{EXTERNAL_SERVICES, Refusal, RegulationDraft, default_stage};
use atalaia_core::samu::{DemandType, Occurrence, Priority, RegulatorStage, RequestType, VehicleKind};
use atalaia_core::wire::RegulationUpdate;
use iced::widget::{button, checkbox, column, row, text, text_input};
use iced::{Center, Element, Fill};

#[derive(Debug, Clone)]
pub enum Message {
    Stage(RegulatorStage),
    Demand(DemandType),
    Request(RequestType),
    Description(String),
    Priority(Priority),
    Ambulance(bool),
    Resource(VehicleKind),
    Orientation(String),
    Support(String),
    Conduct(String),
    Destination(String),
    Transport(String),
    Reason(String),
    RiskAlert(bool),
    Submit,
}

/// What the pane does for the form.
#[derive(Debug)]
pub(crate) enum Event {
    /// Send this regulation.
    Regulate(Box<RegulationUpdate>),
    /// Not sent: say why (and, for a missing reason, put the cursor there).
    Refused(Refusal),
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Form {
    pub(crate) draft: RegulationDraft,
    /// The form as the occurrence stood when it was opened: only what differs from it is sent.
    base: RegulationDraft,
}

impl Form {
    pub(crate) fn of(o: &Occurrence) -> Self {
        let draft = RegulationDraft::of(o);
        Self { base: draft.clone(), draft }
    }

    pub(crate) fn update(&mut self, message: Message, o: &Occurrence) -> Option<Event> {
        let d = &mut self.draft;
        match message {
            Message::Stage(s) => d.stage = Some(s),
            Message::Demand(v) => d.demand_type = Some(v),
            Message::Request(v) => d.request_type = Some(v),
            Message::Description(v) => d.description = v,
            Message::Priority(p) => d.priority = Some(p),
            Message::Ambulance(v) => {
                d.ambulance_needed = Some(v);
                if !v {
                    // No ambulance, no vehicle type.
                    d.resource = None;
                }
            }
            Message::Resource(k) => {
                d.resource = Some(k);
                d.ambulance_needed = Some(true);
            }
            Message::Orientation(v) => d.orientation = v,
            Message::Support(s) => d.toggle_support(&s),
            Message::Conduct(v) => d.conduct = v,
            Message::Destination(v) => d.destination = v,
            Message::Transport(v) => d.patient_transport = v,
            Message::Reason(v) => d.reason = v,
            Message::RiskAlert(v) => d.risk_alert = v,
            Message::Submit => {
                return Some(match d.to_update(&self.base, o) {
                    Ok(up) => Event::Regulate(Box::new(up)),
                    Err(why) => Event::Refused(why),
                });
            }
        }
        None
    }

    pub(crate) fn view<'a>(&'a self, o: &'a Occurrence, sending: bool) -> Element<'a, Message> {
        let f = &self.draft;
        let label = |s: &'a str| text(s).size(theme::SMALL).color(theme::MUTED).width(110);
        let line = |name: &'a str, content: Element<'a, Message>| -> Element<'a, Message> {
            row![label(name), content].spacing(8).align_y(Center).into()
        };
        let stage = f.stage.unwrap_or(default_stage(o));
        let stages =
            [(RegulatorStage::Primary, pt::STAGE_PRIMARY), (RegulatorStage::Secondary, pt::STAGE_SECONDARY)]
                .into_iter()
                .map(|(s, l)| toggle(l, stage == s, Message::Stage(s)));
        let demands = DEMANDS.into_iter().map(|v| {
            toggle(atalaia_core::text::demand_type(v), f.demand_type == Some(v), Message::Demand(v))
        });
        let requests = [RequestType::PreHospital, RequestType::InterHospital].into_iter().map(|v| {
            toggle(atalaia_core::text::request_type(v), f.request_type == Some(v), Message::Request(v))
        });
        let priorities = PRIORITIES.into_iter().map(|p| {
            button(text(pt::priority_short(p)).size(theme::SMALL))
                .padding([4, 10])
                .style(super::priority_button(p, f.priority == Some(p)))
                .on_press(Message::Priority(p))
                .into()
        });
        let ambulance = [(true, pt::YES), (false, pt::NO)]
            .into_iter()
            .map(|(v, l)| toggle(l, f.ambulance_needed == Some(v), Message::Ambulance(v)));
        let resources =
            [VehicleKind::Usa, VehicleKind::Usb, VehicleKind::Vir, VehicleKind::Motolancia].into_iter().map(
                |k| toggle(atalaia_core::text::vehicle_kind(k), f.resource == Some(k), Message::Resource(k)),
            );
        let support = EXTERNAL_SERVICES
            .into_iter()
            .map(|s| toggle(s, f.external_support.iter().any(|x| x == s), Message::Support(s.to_owned())));
        let input = |hint: &'a str, value: &'a str, on: fn(String) -> Message| {
            text_input(hint, value).on_input(on).on_submit(Message::Submit).size(theme::TEXT).width(Fill)
        };
        let submit = button(text(if sending { pt::SENDING } else { pt::REGULATE }).size(theme::TEXT))
            .padding([6, 14])
            .on_press_maybe((!sending).then_some(Message::Submit));
        // The button and what most often changes first: Enter in any field also registers, and
        // the reason sits right under the priority and the resource it explains.
        let pair = |a: Element<'a, Message>, b: Element<'a, Message>| -> Element<'a, Message> {
            row![a, b].spacing(16).align_y(Center).wrap().into()
        };
        column![
            row![text(pt::REGULATION).size(theme::TITLE), iced::widget::space::horizontal(), submit]
                .align_y(Center),
            pair(
                line(pt::STAGE, row(stages).spacing(4).into()),
                line(pt::REQUEST, row(requests).spacing(4).into())
            ),
            line(pt::DEMAND, row(demands).spacing(4).wrap().into()),
            line(pt::PRIORITY, row(priorities).spacing(4).wrap().into()),
            pair(
                line(pt::AMBULANCE, row(ambulance).spacing(4).into()),
                line(pt::RESOURCE, row(resources).spacing(4).into())
            ),
            line(
                pt::REASON,
                input(pt::REASON_HINT, &f.reason, Message::Reason)
                    .id(iced::widget::Id::new(REASON_ID))
                    .into()
            ),
            line(pt::CLINICAL, input(pt::CLINICAL_HINT, &f.description, Message::Description).into()),
            line(pt::ORIENTATION, input(pt::ORIENTATION_HINT, &f.orientation, Message::Orientation).into()),
            line(pt::CONDUCT, input(pt::CONDUCT_HINT, &f.conduct, Message::Conduct).into()),
            line(pt::DESTINATION, input(pt::DESTINATION_HINT, &f.destination, Message::Destination).into()),
            line(pt::TRANSPORT, input(pt::TRANSPORT_HINT, &f.patient_transport, Message::Transport).into()),
            line(pt::SUPPORT, row(support).spacing(4).wrap().into()),
            checkbox(f.risk_alert)
                .label(pt::RISK_ALERT)
                .on_toggle(Message::RiskAlert)
                .size(16)
                .text_size(theme::SMALL),
        ]
        .spacing(6)
        .into()
    }
}

const DEMANDS: [DemandType; 5] = [
    DemandType::Clinical,
    DemandType::Trauma,
    DemandType::Psychiatric,
    DemandType::Obstetric,
    DemandType::Other,
];

const PRIORITIES: [Priority; 5] =
    [Priority::Emergency, Priority::VeryUrgent, Priority::Urgent, Priority::LessUrgent, Priority::NotUrgent];
