//! A monitored person's files: photos for the dashboard's cards (III-2.21), fetched when a card
//! shows a person whose photo this seat has not got yet and sent from the administration screen;
//! and the documents on the person's record (8.11.1), listed, attached and opened from there.

use super::{Dashboard, Message};
use atalaia_core::ids::PersonId;
use iced::Task;

impl Dashboard {
    /// Fetches the photos the cards on screen need and nobody asked for yet: the person of the
    /// selected alarm and the person on the administration screen.
    pub(super) fn fetch_photos(&mut self) -> Task<Message> {
        let model = self.desk.model();
        let alarm_person = self
            .alarmes
            .selected()
            .and_then(|a| model.alarms.get(&a))
            .and_then(|a| crate::pane::alarmes::person_of(model, &a.subject));
        let admin_person = self.admin.as_ref().and_then(|a| a.shown_person());
        let refs = [alarm_person, admin_person]
            .into_iter()
            .flatten()
            .filter_map(|id| model.persons.get(&id))
            .filter_map(|p| p.photo.as_ref().map(|ph| (p.id, ph)));
        let wanted = self.photos.wanted(refs);
        Task::batch(wanted.into_iter().map(|(person, photo)| {
            let api = self.session.api.clone();
            Task::perform(crate::photos::fetch(api, person, photo), move |r| Message::Photo(photo, r))
        }))
    }

    /// Reads the photo file and sends it; the administration screen gets the outcome.
    pub(super) fn send_photo(&mut self, person: PersonId, path: std::path::PathBuf) -> Task<Message> {
        let api = self.session.api.clone();
        let sent = async move {
            let (kind, bytes) = tokio::task::spawn_blocking(move || atalaia_client::photo::read_file(&path))
                .await
                .map_err(|e| e.to_string())??;
            api.put_photo(person, kind, bytes).await.map(|_| ()).map_err(|e| crate::text::api_error(&e))
        };
        Task::perform(sent, move |r| {
            use crate::screen::admin::{Message as A, people::Message as P};
            Message::Admin(A::People(P::PhotoSent(person, r)))
        })
    }

    /// Carries out a request of the documents on the people tab; the answer goes back there.
    pub(super) fn documents_request(
        &self,
        request: crate::screen::admin::person_documents::Request,
    ) -> Task<Message> {
        use crate::screen::admin::person_documents::{Message as D, Request};
        use crate::screen::admin::{Message as A, people::Message as P};
        let to_tab = |m: D| Message::Admin(A::People(P::Documents(m)));
        let api = self.session.api.clone();
        let said = |e: atalaia_client::ApiError| crate::text::api_error(&e);
        match request {
            Request::Load(person) => Task::perform(
                async move { api.get(&format!("/persons/{person}/documents")).await.map_err(said) },
                move |r| to_tab(D::Loaded(person, r)),
            ),
            Request::Attach(person, doc, path) => Task::perform(
                async move {
                    let bytes =
                        tokio::task::spawn_blocking(move || atalaia_client::documents::read_file(&path))
                            .await
                            .map_err(|e| e.to_string())??;
                    api.add_document(person, &doc, bytes).await.map_err(said)
                },
                move |r| to_tab(D::Attached(person, r)),
            ),
            Request::Open(person, doc) => {
                let files = self.files.clone();
                Task::perform(
                    async move {
                        let path = format!("/persons/{person}/documents/{}", doc.id);
                        let bytes = api.get_bytes(&path).await.map_err(said)?;
                        let (saved, _) = super::record::keep(
                            files,
                            atalaia_client::documents::copy_name(&doc),
                            bytes,
                            true,
                        )
                        .await?;
                        Ok(format!("Documento aberto (cópia em {}).", saved.display()))
                    },
                    move |r| to_tab(D::Opened(r)),
                )
            }
        }
    }
}
