//! Users' names (III-2.14): who claimed an alarm, who wrote a note. Asked for when the dashboard
//! starts or reconnects, and again — at most once a minute — when an alarm names someone the
//! console does not know yet (a user created after the list was read).

use super::{Dashboard, Message};
use iced::Task;

/// Least time between two requests for names prompted by an unknown user.
const AGAIN_AFTER: chrono::Duration = chrono::Duration::seconds(60);

impl Dashboard {
    pub(super) fn fetch_names(&mut self) -> Task<Message> {
        self.names_asked = Some(self.now);
        let api = self.session.api.clone();
        Task::perform(
            async move { api.get::<Vec<atalaia_core::wire::UserName>>("/users/names").await },
            |r| match r {
                Ok(names) => Some(Message::Names(names)),
                Err(error) => {
                    tracing::warn!(%error, "users' names not read; others show as \"outro operador\"");
                    None
                }
            },
        )
        .and_then(Task::done)
    }

    /// Whether an alarm names someone unknown and the list was not asked for a minute.
    pub(super) fn names_wanted(&self) -> bool {
        let due = self.names_asked.is_none_or(|t| self.now - t >= AGAIN_AFTER);
        due && self.desk.model().unnamed_user(self.session.user.id)
    }
}
