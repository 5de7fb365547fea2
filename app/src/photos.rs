//! Photos of monitored people as the console shows them (III-2.21): fetched once per photo when a
//! card needs one, scaled down, and kept for the session (a new photo has a new id). The panes
//! read them through [`crate::pane::Ctx`].

use atalaia_client::Api;
use atalaia_client::photo::{Thumbnail, thumbnail};
use atalaia_core::ids::PersonId;
use atalaia_core::monitoring::PhotoRef;
use iced::widget::image::Handle;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The largest a card shows a photo, in pixels.
const MAX_W: u32 = 240;
const MAX_H: u32 = 300;

#[derive(Debug, Clone)]
pub enum Slot {
    Loading,
    Ready(Handle),
    Failed(String),
}

#[derive(Debug, Default)]
pub struct Photos {
    slots: HashMap<uuid::Uuid, Slot>,
}

static NONE: LazyLock<Photos> = LazyLock::new(Photos::default);

impl Photos {
    /// No photos (screens and tests that show none).
    pub fn none() -> &'static Photos {
        &NONE
    }

    pub fn get(&self, photo: &PhotoRef) -> Option<&Slot> {
        self.slots.get(&photo.id)
    }

    /// Marks the photos not asked for yet as loading and returns them, to fetch.
    pub fn wanted<'a>(
        &mut self,
        refs: impl IntoIterator<Item = (PersonId, &'a PhotoRef)>,
    ) -> Vec<(PersonId, uuid::Uuid)> {
        let mut out = Vec::new();
        for (person, photo) in refs {
            if let std::collections::hash_map::Entry::Vacant(slot) = self.slots.entry(photo.id) {
                slot.insert(Slot::Loading);
                out.push((person, photo.id));
            }
        }
        out
    }

    pub fn arrived(&mut self, photo: uuid::Uuid, result: Result<Thumbnail, String>) {
        let slot = match result {
            Ok(t) => Slot::Ready(Handle::from_rgba(t.width, t.height, t.rgba)),
            Err(why) => Slot::Failed(why),
        };
        self.slots.insert(photo, slot);
    }
}

/// Fetches one photo and scales it for a card.
pub async fn fetch(api: Api, person: PersonId, photo: uuid::Uuid) -> Result<Thumbnail, String> {
    let bytes = api
        .get_bytes(&format!("/persons/{person}/photo?id={photo}"))
        .await
        .map_err(|e| crate::text::api_error(&e))?;
    tokio::task::spawn_blocking(move || thumbnail(&bytes, MAX_W, MAX_H)).await.map_err(|e| e.to_string())?
}

/// The person's photo in a frame of `w` × `h`, or their initials with why there is no photo.
pub fn frame<'a, M: 'a>(
    ctx: &crate::pane::Ctx<'a>,
    person: &'a atalaia_core::monitoring::Person,
    w: f32,
    h: f32,
) -> iced::Element<'a, M> {
    use iced::widget::{column, container, image, text};
    let slot = person.photo.as_ref().and_then(|p| ctx.photos.get(p));
    if let Some(Slot::Ready(handle)) = slot {
        return container(image(handle.clone()).width(w).height(h).content_fit(iced::ContentFit::Contain))
            .center_x(w)
            .center_y(h)
            .style(crate::theme::card)
            .into();
    }
    let note = match (&person.photo, slot) {
        (None, _) => crate::text::NO_PHOTO,
        (Some(_), Some(Slot::Failed(_))) => "Foto indisponível",
        (Some(_), _) => "Carregando foto…",
    };
    let initials: String = person.name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect();
    container(
        column![text(initials).size(crate::theme::HEADING), text(note).size(10).color(crate::theme::MUTED)]
            .align_x(iced::Center),
    )
    .center_x(w)
    .center_y(h)
    .style(crate::theme::card)
    .into()
}
