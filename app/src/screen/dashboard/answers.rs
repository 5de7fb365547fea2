//! Where the dashboard's commands go and where their answers land: issuing through the desk,
//! handing each answer to the pane that asked, and desktop notifications for new alarms.

use super::{Dashboard, Message};
use crate::alert;
use crate::pane::{alarmes, atendimento, regulacao};
use crate::text as pt;
use atalaia_client::desk::{self, Issued, Routed, Show};
use atalaia_client::format;
use atalaia_client::outbox::Command;
use atalaia_core::auth::Permission;
use iced::Task;

impl Dashboard {
    /// Issues an operator's command through the desk (into the outbox, or straight to the
    /// server); the answer reaches the pane that asked through [`Dashboard::show`].
    pub(super) fn issue(
        &mut self,
        command: Command,
        from_alarm: Option<atalaia_core::ids::AlarmId>,
    ) -> Task<Message> {
        match self.desk.issue(command.clone(), from_alarm, self.now) {
            Issued::Send(id) => {
                let api = self.session.api.clone();
                let sent = command.clone();
                Task::perform(desk::send(api, id, sent), move |r| {
                    Message::Sent(id, Box::new(command.clone()), r)
                })
            }
            Issued::Shown(shown) => self.show(shown),
        }
    }

    /// Hands what the desk says to the panes it is for.
    pub(super) fn show(&mut self, shown: Vec<Show>) -> Task<Message> {
        let mut tasks = Vec::new();
        for s in shown {
            let message = match s {
                Show::Answer(routed) => self.routed(routed),
                Show::CallQueued(id) => Message::Atendimento(atendimento::Message::Queued(id)),
                Show::AlarmDone(a) => Message::Alarmes(alarmes::Message::Done(a.id, Ok(a))),
                Show::Waiting => match self.atendimento.submitting() {
                    Some(id) => Message::Atendimento(atendimento::Message::Queued(id)),
                    None => continue,
                },
            };
            tasks.push(self.update(message).0);
        }
        Task::batch(tasks)
    }

    /// The pane message for a command's answer.
    fn routed(&mut self, routed: Routed) -> Message {
        match routed {
            Routed::Registered(id, result) => {
                Message::Atendimento(atendimento::Message::Submitted(id, result))
            }
            Routed::Regulated(id, result) => Message::Regulacao(regulacao::Message::Regulated(id, result)),
            Routed::Closed(id, result) => Message::Regulacao(regulacao::Message::Closed(id, result)),
            Routed::Dispatched(id, result) => Message::Regulacao(regulacao::Message::Dispatched(id, result)),
            Routed::Alarm { alarm, result, reverted } => {
                if reverted {
                    self.mapa.invalidate();
                    self.refresh_alert();
                }
                Message::Alarmes(alarmes::Message::Done(alarm, result))
            }
            Routed::DeviceCommand(alarm, result) => {
                Message::Alarmes(alarmes::Message::CommandSent(alarm, result))
            }
            Routed::Person(id, result) => {
                Message::PersonSaved(id, result.map_err(|e| crate::text::api_error(&e)))
            }
            Routed::Device(id, result) => Message::Admin(crate::screen::admin::Message::Devices(
                crate::screen::admin::devices::Message::Saved(
                    id,
                    result.map_err(|e| crate::text::api_error(&e)),
                ),
            )),
            Routed::Zone(id, result) => {
                Message::ZoneSaved(id, result.map_err(|e| crate::text::api_error(&e)))
            }
        }
    }

    /// A desktop notification per new alarm that asks for one, when the console is in the background.
    pub(super) fn notify_desktop(&self, new: &[atalaia_core::ids::AlarmId]) {
        if self.window_focused || self.wall || !self.session.user.can(Permission::AlarmHandle) {
            return;
        }
        let model = self.desk.model();
        for a in new.iter().filter_map(|id| model.alarms.get(id)) {
            if alert::unattended(a) && alert::policy(a.kind, a.severity).desktop {
                alert::desktop::send(alert::desktop::Notice {
                    summary: pt::desktop_summary(atalaia_core::text::alarm_kind(a.kind)),
                    body: format!(
                        "{} — {} — {}",
                        atalaia_core::text::severity(a.severity),
                        alarmes::subject_name(model, &a.subject),
                        format::day_time(a.raised_at, self.tz)
                    ),
                    severity: a.severity,
                });
            }
        }
    }
}
