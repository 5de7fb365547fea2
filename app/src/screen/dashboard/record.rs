//! What the open occurrence's record asks of the server and the desktop: its folder, photos to
//! show, messages and read receipts for the crew, addenda, and files saved where the operator
//! finds them and opened with the system's viewer or player.

use super::{Dashboard, Message};
use crate::pane::{ficha, regulacao};
use atalaia_client::record;
use atalaia_core::ids::OccurrenceId;
use iced::Task;
use std::path::PathBuf;

fn to_pane(id: OccurrenceId, m: ficha::Message) -> Message {
    Message::Regulacao(regulacao::Message::Ficha(id, m))
}

/// Saves `bytes` in the console's documents folder and, if asked, opens the file.
pub(super) async fn keep(
    files: record::Files,
    name: String,
    bytes: Vec<u8>,
    open: bool,
) -> Result<(PathBuf, bool), String> {
    let path = tokio::task::spawn_blocking({
        let files = files.clone();
        move || files.save(&name, &bytes)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("Não foi possível salvar o arquivo: {e}"))?;
    if open {
        files.open(&path).map_err(|e| format!("Salvo em {}, mas não abriu: {e}", path.display()))?;
    }
    Ok((path, open))
}

impl Dashboard {
    pub(super) fn ficha(&self, event: ficha::Event) -> Task<Message> {
        let api = self.session.api.clone();
        let files = self.files.clone();
        match event {
            ficha::Event::Load(id) => Task::perform(async move { record::load(&api, id).await }, move |r| {
                to_pane(id, ficha::Message::Loaded(r))
            }),
            ficha::Event::Photos(id, list) => Task::batch(list.into_iter().map(|info| {
                let api = api.clone();
                let photo = info.id;
                Task::perform(
                    async move {
                        let bytes = record::attachment(&api, &info).await.map_err(|e| e.user_message())?;
                        // Decoding a camera's photo takes a while: off the UI's threads.
                        tokio::task::spawn_blocking(move || ficha::thumbnail(&bytes))
                            .await
                            .map_err(|e| e.to_string())?
                    },
                    move |r| to_pane(id, ficha::Message::Photo(photo, r)),
                )
            })),
            ficha::Event::Send(id, new) => Task::perform(
                async move { api.post(&format!("/occurrences/{id}/messages"), &new).await },
                move |r| to_pane(id, ficha::Message::Sent(r)),
            ),
            ficha::Event::Read(id, list) => Task::batch(list.into_iter().map(|m| {
                let api = api.clone();
                Task::perform(
                    async move { api.post(&format!("/messages/{m}/read"), &serde_json::json!({})).await },
                    move |r| to_pane(id, ficha::Message::Marked(r)),
                )
            })),
            ficha::Event::Append(id, text) => Task::perform(
                async move {
                    let body = atalaia_core::wire::NewAddendum { text };
                    api.post(&format!("/occurrences/{id}/addenda"), &body).await.map(Box::new)
                },
                move |r| to_pane(id, ficha::Message::Appended(r)),
            ),
            ficha::Event::Transfer(id, new) => Task::perform(
                async move { api.post(&format!("/occurrences/{id}/transfers"), &new).await.map(Box::new) },
                move |r| to_pane(id, ficha::Message::Transferred(r)),
            ),
            ficha::Event::Report { id, number, open } => Task::perform(
                async move {
                    let bytes = record::report(&api, id).await.map_err(|e| e.user_message())?;
                    keep(files, record::report_name(&number), bytes, open).await
                },
                move |r| to_pane(id, ficha::Message::Saved(ficha::REPORT_KEY.to_owned(), r)),
            ),
            ficha::Event::File { id, number, info, open } => {
                let what = info.id.to_string();
                Task::perform(
                    async move {
                        let bytes = record::attachment(&api, &info).await.map_err(|e| e.user_message())?;
                        keep(files, record::attachment_name(&number, &info), bytes, open).await
                    },
                    move |r| to_pane(id, ficha::Message::Saved(what, r)),
                )
            }
            // Handled by the regulation pane (shown as the server answered).
            ficha::Event::Updated(_) => Task::none(),
        }
    }
}
