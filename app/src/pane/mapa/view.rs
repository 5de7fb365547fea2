//! The map pane's widgets: the tool bars above the map, the search results, and below it the
//! zone form, the track bar, the selection's actions or the legend.

use super::canvas::{MapProgram, PictureProgram};
use super::popup::picked_title;
use super::{Layer, Message, Picked, Region, Source, State, scene, search, track, viewport, zones};
use crate::pane::Ctx;
use crate::text as pt;
use crate::theme;
use atalaia_client::{LiveModel, format};
use atalaia_core::monitoring::{ZoneAction, ZoneKind};
use atalaia_core::samu::OccurrencePhase;
use iced::widget::canvas;
use iced::widget::{button, column, container, row, slider, space, text, text_input};
use iced::{Center, Color, Element, Fill, Theme};

impl State {
    /// Dispatch from the map: a call picked offers to choose its vehicle; a free vehicle picked
    /// while choosing offers to commit it (the fleet controller only).
    fn dispatch_actions<'a>(&'a self, model: &'a LiveModel, p: Picked) -> Option<Element<'a, Message>> {
        if !self.can_dispatch {
            return None;
        }
        let action = |label: String, m: Message| -> Element<'a, Message> {
            button(text(label).size(theme::SMALL)).padding([3, 9]).style(button::primary).on_press(m).into()
        };
        match (p, self.dispatch_for) {
            (Picked::Occurrence(o), _) => {
                let open = model.occurrences.get(&o).is_some_and(|o| o.phase != OccurrencePhase::Closed);
                open.then(|| action(pt::CHOOSE_VEHICLE.to_owned(), Message::DispatchFor(o)))
            }
            (Picked::Vehicle(v), Some(o)) => {
                let (vehicle, call) = (model.vehicles.get(&v)?, model.occurrences.get(&o)?);
                let free = vehicle.status == atalaia_core::samu::VehicleStatus::Available;
                (free && call.phase != OccurrencePhase::Closed)
                    .then(|| action(pt::dispatch_to(&vehicle.code, &call.number), Message::Dispatch(o, v)))
            }
            _ => None,
        }
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let (model, tz) = (ctx.model, ctx.tz);
        // No card around the map: its picture paints the background itself. In a short pane
        // (large text, RNF06) the map keeps the space: the bottom bar goes first, then the tools.
        iced::widget::responsive(move |size| {
            let map = self.canvas(model);
            let mut c = column![].spacing(6).padding(8);
            // A pane of the dashboard keeps most of its height for the map: the layer toggles and
            // the legend need a tall pane (the map alone, F11, has them).
            if size.height >= 200.0 {
                c = c.push(self.toolbar(size.height >= 440.0));
            }
            if !self.search.found.is_empty() || self.search.note.is_some() {
                c = c.push(self.results());
            }
            if self.picking {
                c = c.push(pick_hint());
            }
            if let Some(o) = self.dispatch_for.and_then(|o| model.occurrences.get(&o)) {
                c = c.push(hint(pt::choose_vehicle(&o.number), Message::CancelDispatch));
            }
            c = c.push(map);
            let busy = self.zones.editor.is_some()
                || self.dispatch_for.is_some()
                || self.track.playback.is_some()
                || self.picked.is_some()
                || self.zones.notice.is_some();
            if size.height >= 440.0 || busy && size.height >= 300.0 {
                c = c.push(self.bottom(model, tz));
            }
            c.into()
        })
        .into()
    }

    /// The wall display's map: no tools (nobody touches a wall), the legend under it.
    pub fn wall_view<'a>(&'a self, model: &'a LiveModel) -> Element<'a, Message> {
        column![self.canvas(model), legend()].spacing(6).padding(8).into()
    }

    /// The map alone, without its tool bars (tests, benchmarks).
    pub fn canvas<'a>(&'a self, model: &'a LiveModel) -> Element<'a, Message> {
        iced::widget::stack![
            canvas::Canvas::new(PictureProgram { state: self, model }).width(Fill).height(Fill),
            canvas::Canvas::new(MapProgram { state: self, model }).width(Fill).height(Fill),
        ]
        .width(Fill)
        .height(Fill)
        .into()
    }

    fn toolbar(&self, tall: bool) -> Element<'_, Message> {
        let small = |label: &'static str| text(label).size(theme::SMALL);
        let toggle = |label: &'static str, on: bool, m: Message| {
            button(small(label)).padding([3, 9]).style(theme::toggle(on)).on_press(m)
        };
        let mut first = row![].spacing(6).align_y(Center);
        for r in Region::ALL {
            first = first.push(toggle(
                r.label(),
                r == self.viewport.region(),
                Message::Viewport(viewport::Message::Region(r)),
            ));
        }
        first = first.push(space().width(8));
        first = first.push(
            button(small("−"))
                .padding([3, 10])
                .style(button::secondary)
                .on_press(Message::Viewport(viewport::Message::ZoomOut)),
        );
        first = first.push(
            button(small("+"))
                .padding([3, 10])
                .style(button::secondary)
                .on_press(Message::Viewport(viewport::Message::ZoomIn)),
        );
        first = first.push(
            button(small("Ajustar"))
                .padding([3, 9])
                .style(button::secondary)
                .on_press(Message::Viewport(viewport::Message::Fit)),
        );
        if self.street.is_some() || self.satellite.is_some() {
            first = first.push(space().width(8));
            for s in [Source::Base, Source::Street, Source::Satellite] {
                let available = match s {
                    Source::Base => true,
                    Source::Street => self.street.is_some(),
                    Source::Satellite => self.satellite.is_some(),
                };
                if available {
                    first = first.push(toggle(s.label(), self.source == s, Message::Source(s)));
                }
            }
        }
        first = first.push(space().width(8));
        first = first.push(
            text_input("Buscar endereço ou coordenada", &self.search.query)
                .on_input(|q| Message::Search(search::Message::Query(q)))
                .on_submit(Message::Search(search::Message::Search))
                .size(theme::SMALL)
                .padding([3, 8])
                .width(260),
        );
        let first = first.wrap();
        if !tall {
            return first.into();
        }
        let mut second = row![small("Camadas:").color(theme::MUTED)].spacing(6).align_y(Center);
        for l in Layer::ALL {
            second = second.push(toggle(l.label(), self.layers.contains(&l), Message::Layer(l)));
        }
        if self.zones.can_edit {
            second = second.push(space().width(8));
            second = second.push(small("Nova zona:").color(theme::MUTED));
            for tool in zones::Tool::ALL {
                let active = self.zones.editor.as_ref().is_some_and(|e| e.tool == tool && e.zone.is_none());
                second = second.push(toggle(tool.label(), active, Message::Zone(zones::Message::Draw(tool))));
            }
        }
        column![first, second.wrap()].spacing(6).into()
    }

    fn results(&self) -> Element<'_, Message> {
        let mut r = row![].spacing(6).align_y(Center);
        for (i, f) in self.search.found.iter().enumerate() {
            let label = format!("{} · {}", f.label.chars().take(60).collect::<String>(), f.source);
            r = r.push(
                button(text(label).size(theme::SMALL))
                    .padding([2, 8])
                    .style(button::secondary)
                    .on_press(Message::Search(search::Message::Go(i))),
            );
        }
        if let Some(note) = &self.search.note {
            r = r.push(text(note.clone()).size(theme::SMALL).color(theme::ORANGE));
        }
        r.wrap().into()
    }

    /// Below the map: the zone form, the track bar, the selection's actions, or the legend.
    fn bottom<'a>(&'a self, model: &'a LiveModel, tz: chrono_tz::Tz) -> Element<'a, Message> {
        if let Some(e) = &self.zones.editor {
            return self.zone_form(e);
        }
        if let Some(t) = &self.track.playback {
            return self.track_bar(t, tz);
        }
        let mut r = row![].spacing(8).align_y(Center);
        if let Some(p) = self.picked {
            r = r.push(text(picked_title(model, &self.pois, p)).size(theme::SMALL));
            let group = match p {
                Picked::Person(d) => model
                    .devices
                    .get(&d)
                    .and_then(|d| d.person_id)
                    .and_then(|p| model.persons.get(&p))
                    .and_then(|p| p.group.clone().or_else(|| p.region.clone())),
                _ => None,
            };
            if group.is_some() {
                r = r.push(
                    button(text("Trajetos do grupo 2 h").size(theme::SMALL))
                        .padding([3, 9])
                        .style(button::secondary)
                        .on_press(Message::Track(track::Message::GroupHours(2))),
                );
            }
            if matches!(p, Picked::Person(_) | Picked::Vehicle(_)) {
                r = r.push(
                    button(text("Trajeto 2 h").size(theme::SMALL))
                        .padding([3, 9])
                        .style(button::secondary)
                        .on_press(Message::Track(track::Message::Hours(2))),
                );
                r = r.push(
                    button(text("Trajeto 24 h").size(theme::SMALL))
                        .padding([3, 9])
                        .style(button::secondary)
                        .on_press(Message::Track(track::Message::Hours(24))),
                );
            }
            if matches!(p, Picked::Person(_) | Picked::Vehicle(_)) {
                r = r.push(
                    text_input("de dd/mm/aaaa hh:mm", &self.track.period.0)
                        .on_input(|s| Message::Track(track::Message::PeriodFrom(s)))
                        .on_submit(Message::Track(track::Message::Period(false)))
                        .size(theme::SMALL)
                        .padding([3, 6])
                        .width(150),
                );
                r = r.push(
                    text_input("até (agora)", &self.track.period.1)
                        .on_input(|s| Message::Track(track::Message::PeriodTo(s)))
                        .on_submit(Message::Track(track::Message::Period(false)))
                        .size(theme::SMALL)
                        .padding([3, 6])
                        .width(130),
                );
                r = r.push(
                    button(text("Trajeto do período").size(theme::SMALL))
                        .padding([3, 9])
                        .style(button::secondary)
                        .on_press(Message::Track(track::Message::Period(false))),
                );
                if group.is_some() {
                    r = r.push(
                        button(text("Grupo no período").size(theme::SMALL))
                            .padding([3, 9])
                            .style(button::secondary)
                            .on_press(Message::Track(track::Message::Period(true))),
                    );
                }
                if let Some(e) = &self.track.period_error {
                    r = r.push(text(e.clone()).size(theme::SMALL).color(theme::RED));
                }
            }
            r = r.extend(self.dispatch_actions(model, p));
            if let Picked::Zone(id) = p
                && self.zones.can_edit
                && let Some(zone) = model.zones.get(&id)
            {
                // III-2.13: a zone in force can be edited, suspended or lifted; a suspended one
                // resumed or lifted; a lifted one is only read.
                let action = |label: &'static str, m: zones::Message| {
                    button(text(label).size(theme::SMALL))
                        .padding([3, 9])
                        .style(button::secondary)
                        .on_press(Message::Zone(m))
                };
                if let Some(form) = self.zones.state_form.as_ref().filter(|f| f.zone == id) {
                    return self.zone_state_form(form);
                }
                if zone.lifted.is_none() {
                    r = r.push(action("Editar zona", zones::Message::Edit));
                    for &a in zone.allowed_actions() {
                        r = r.push(action(
                            atalaia_client::zones::action_label(a),
                            zones::Message::AskState(a),
                        ));
                    }
                }
            }
            r = r.push(
                button(text("Fechar").size(theme::SMALL))
                    .padding([3, 9])
                    .style(button::text)
                    .on_press(Message::ClosePopup),
            );
        } else {
            r = r.push(legend());
        }
        if let Some(n) = &self.zones.notice {
            r = r.push(text(n.clone()).size(theme::SMALL).color(theme::GREEN));
        }
        if let Some(e) = &self.pois_error {
            r = r.push(text(e.clone()).size(theme::SMALL).color(theme::ORANGE));
        }
        r.wrap().into()
    }

    /// The reason asked before suspending, resuming or lifting a zone; Enter confirms.
    fn zone_state_form<'a>(&'a self, f: &'a zones::StateForm) -> Element<'a, Message> {
        let what = atalaia_client::zones::reason_hint(f.action);
        let mut input =
            text_input(what, &f.reason).id(zones::REASON_ID).size(theme::SMALL).padding([3, 6]).width(420);
        let mut confirm =
            button(text(atalaia_client::zones::confirm_label(f.action)).size(theme::SMALL)).padding([3, 9]);
        if !f.sending {
            input = input
                .on_input(|r| Message::Zone(zones::Message::StateReason(r)))
                .on_submit(Message::Zone(zones::Message::SendState));
            confirm = confirm.on_press(Message::Zone(zones::Message::SendState));
        }
        let confirm =
            confirm.style(if f.action == ZoneAction::Lift { button::danger } else { button::primary });
        let mut r = row![
            input,
            confirm,
            button(text("Cancelar").size(theme::SMALL))
                .padding([3, 9])
                .style(button::text)
                .on_press(Message::Zone(zones::Message::CancelState)),
        ]
        .spacing(8)
        .align_y(Center);
        if let Some(e) = &f.error {
            r = r.push(text(e.clone()).size(theme::SMALL).color(theme::RED));
        }
        r.wrap().into()
    }

    fn zone_form<'a>(&'a self, e: &'a zones::Editor) -> Element<'a, Message> {
        let small = |s: String| text(s).size(theme::SMALL);
        let title = if e.zone.is_some() { "Editando zona" } else { "Nova zona" };
        let mut top =
            row![small(format!("{title} ({})", e.tool.label().to_lowercase()))].spacing(8).align_y(Center);
        if !e.closed {
            top = top.push(small(e.tool.hint(e.points.len()).to_owned()).color(theme::MUTED));
            if e.tool == zones::Tool::Polygon && e.points.len() >= 3 {
                top = top.push(
                    button(small("Concluir".into()))
                        .padding([3, 9])
                        .style(button::secondary)
                        .on_press(Message::Zone(zones::Message::Finish)),
                );
            }
        } else {
            top = top.push(
                small("Arraste os pontos para ajustar; clique com o botão direito remove um vértice.".into())
                    .color(theme::MUTED),
            );
        }
        let mut kinds = row![].spacing(4);
        for (k, label) in [
            (ZoneKind::Inclusion, "Inclusão"),
            (ZoneKind::Exclusion, "Exclusão"),
            (ZoneKind::Warning, "Advertência"),
        ] {
            kinds = kinds.push(
                button(small(label.into()))
                    .padding([3, 9])
                    .style(theme::toggle(e.kind == k))
                    .on_press(Message::Zone(zones::Message::Kind(k))),
            );
        }
        let mut form = row![
            text_input("Nome da zona", &e.name)
                .on_input(|s| Message::Zone(zones::Message::Name(s)))
                .size(theme::SMALL)
                .padding([3, 8])
                .width(200),
            kinds,
        ]
        .spacing(8)
        .align_y(Center);
        if e.kind == ZoneKind::Exclusion {
            form = form.push(
                text_input("Faixa de advertência (m)", &e.warning_m)
                    .on_input(|s| Message::Zone(zones::Message::Warning(s)))
                    .size(theme::SMALL)
                    .padding([3, 8])
                    .width(170),
            );
        }
        form = form.push(
            text_input("Horário (vazio: sempre) — ex.: seg-sex 20:00-06:00", &e.schedule)
                .on_input(|s| Message::Zone(zones::Message::Schedule(s)))
                .size(theme::SMALL)
                .padding([3, 8])
                .width(300),
        );
        form = form.push(
            text_input("Grupo", &e.group)
                .on_input(|s| Message::Zone(zones::Message::Group(s)))
                .size(theme::SMALL)
                .padding([3, 8])
                .width(150),
        );
        let save = if e.saving { "Salvando…" } else { "Salvar zona" };
        let mut save_button = button(small(save.into())).padding([3, 12]).style(button::primary);
        if !e.saving {
            save_button = save_button.on_press(Message::Zone(zones::Message::Save));
        }
        form = form.push(save_button);
        form = form.push(
            button(small("Cancelar".into()))
                .padding([3, 9])
                .style(button::text)
                .on_press(Message::Zone(zones::Message::Cancel)),
        );
        let mut c = column![top.wrap(), form.wrap()].spacing(6);
        for err in &e.errors {
            c = c.push(small(err.clone()).color(theme::RED));
        }
        c.into()
    }

    fn track_bar<'a>(&'a self, t: &'a track::Playback, tz: chrono_tz::Tz) -> Element<'a, Message> {
        let small = |s: String| text(s).size(theme::SMALL);
        let period = format!("{} – {}", format::datetime(t.from, tz), format::datetime(t.to, tz));
        let mut top = row![small(format!("Trajeto: {}", t.title)), small(period).color(theme::MUTED)]
            .spacing(10)
            .align_y(Center);
        if t.loading {
            top = top.push(small("Carregando…".into()).color(theme::MUTED));
        } else if let Some(err) = &t.error {
            top = top.push(small(err.clone()).color(theme::RED));
        } else {
            top = top.push(
                small({
                    let plural =
                        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
                    let fixes = t.fixes.len() + t.members.iter().map(|m| m.points.len()).sum::<usize>();
                    let mut parts = vec![
                        plural(fixes, "posição", "posições"),
                        plural(t.marks.len(), "evento", "eventos"),
                    ];
                    if !t.members.is_empty() {
                        parts.insert(0, plural(t.members.len(), "pessoa", "pessoas"));
                    }
                    parts.join(", ")
                })
                .color(theme::MUTED),
            );
        }
        top = top.push(
            button(small("Fechar trajeto".into()))
                .padding([3, 9])
                .style(button::text)
                .on_press(Message::Track(track::Message::Close)),
        );
        let play = if t.playing { "Pausar" } else { "Reproduzir" };
        let mut controls = row![
            button(small(play.into()))
                .padding([3, 12])
                .style(button::primary)
                .on_press(Message::Track(track::Message::PlayPause)),
        ]
        .spacing(6)
        .align_y(Center);
        for s in track::SPEEDS {
            controls = controls.push(
                button(small(format!("{s}×")))
                    .padding([3, 8])
                    .style(theme::toggle(t.speed == s))
                    .on_press(Message::Track(track::Message::Speed(s))),
            );
        }
        controls = controls.push(
            slider(0.0..=1000.0, t.progress(), |v| Message::Track(track::Message::Seek(v))).width(Fill),
        );
        controls = controls.push(small(format::datetime(t.now, tz)));
        controls = controls.push(
            button(small("Seguir".into()))
                .padding([3, 9])
                .style(theme::toggle(t.follow))
                .on_press(Message::Track(track::Message::Follow)),
        );
        column![top.wrap(), controls].spacing(6).into()
    }
}

fn legend<'a>() -> Element<'a, Message> {
    // Swatches are drawn, not glyphs: the embedded font has no geometric-shape symbols.
    let item = |c: Color, round: bool, label: &'a str| {
        let swatch = container(space()).width(10).height(10).style(move |_: &Theme| container::Style {
            background: Some(c.into()),
            border: iced::Border::default().rounded(if round { 5 } else { 1 }),
            ..container::Style::default()
        });
        row![swatch, text(label).size(theme::SMALL).color(theme::MUTED)].spacing(4).align_y(Center).into()
    };
    let cross = row![
        text("+").size(theme::TEXT).color(theme::RED),
        text(pt::LEGEND_OCCURRENCE).size(theme::SMALL).color(theme::MUTED)
    ]
    .spacing(4)
    .align_y(Center)
    .into();
    row([
        item(theme::GREEN, true, pt::LEGEND_FREE),
        item(theme::ORANGE, true, pt::LEGEND_BUSY),
        item(theme::RED, true, pt::LEGEND_SCENE),
        item(theme::BLUE, false, pt::LEGEND_PERSON),
        item(theme::RED, false, pt::LEGEND_PERSON_ALARM),
        cross,
        item(Color { a: 0.5, ..theme::GREEN }, false, "Inclusão"),
        item(Color { a: 0.5, ..theme::RED }, false, "Exclusão"),
        item(scene::BUFFER, false, "Advertência"),
    ])
    .spacing(14)
    .wrap()
    .into()
}

/// Over the map while it waits for the click that marks the call's place.
fn pick_hint<'a>() -> Element<'a, Message> {
    hint(pt::PICK_CALL_PLACE.to_owned(), Message::CancelPick)
}

/// A line over the map saying what the next click does, with its way out.
fn hint<'a>(said: String, cancel: Message) -> Element<'a, Message> {
    container(
        row![
            text(said).size(theme::TEXT).width(Fill),
            button(text(pt::CANCEL).size(theme::SMALL))
                .padding([2, 8])
                .style(button::secondary)
                .on_press(cancel),
        ]
        .spacing(8)
        .align_y(Center),
    )
    .padding([4, 10])
    .width(Fill)
    .style(theme::banner(theme::BLUE))
    .into()
}
