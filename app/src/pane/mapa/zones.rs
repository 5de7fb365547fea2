//! Drawing and editing zones on the map (issue 7 item 5; seed 003 16.2.6, III-2.8–III-2.10):
//! circles (centre, then a point on the rim), rectangles (two corners) and polygons (a click per
//! vertex; closed by clicking the first vertex, Enter, or "Concluir"), with handles that can be
//! dragged once the shape is complete. The form names the zone, picks inclusion / exclusion /
//! warning, the warning buffer of an exclusion zone, and whose zone it is (a person or a group);
//! saving goes through the API (`POST /zones`, `PUT /zones/{id}` for an edited one) and the
//! server's validation comes back in Portuguese.

use super::HIT;
use atalaia_client::LiveModel;
use atalaia_core::geom::{LatLon, Shape};
use atalaia_core::ids::{PersonId, ZoneId};
use atalaia_core::mercator::View;
use atalaia_core::monitoring::{Zone, ZoneAction, ZoneKind};
use atalaia_core::wire::{NewZone, ZoneStateChange};
use iced::Point;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Circle,
    Rectangle,
    Polygon,
}

impl Tool {
    pub const ALL: [Tool; 3] = [Tool::Polygon, Tool::Rectangle, Tool::Circle];

    pub fn label(self) -> &'static str {
        match self {
            Tool::Circle => "Círculo",
            Tool::Rectangle => "Retângulo",
            Tool::Polygon => "Polígono",
        }
    }

    /// What the operator does next, shown over the map while drawing.
    pub fn hint(self, points: usize) -> &'static str {
        match (self, points) {
            (Tool::Circle, 0) => "Clique no centro do círculo",
            (Tool::Circle, _) => "Clique na borda do círculo",
            (Tool::Rectangle, 0) => "Clique num canto do retângulo",
            (Tool::Rectangle, _) => "Clique no canto oposto",
            (Tool::Polygon, n) if n < 3 => "Clique para marcar os vértices (Backspace desfaz, Esc cancela)",
            (Tool::Polygon, _) => "Clique no primeiro vértice ou Enter para fechar o polígono",
        }
    }
}

/// Great-circle distance, metres (circle radius from a rim point).
pub fn distance_m(a: LatLon, b: LatLon) -> f64 {
    let (la, lb) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lb - la;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la.cos() * lb.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

/// A point `metres` east of `c` (the radius handle of a circle).
fn east_of(c: LatLon, metres: f64) -> LatLon {
    LatLon { lat: c.lat, lon: c.lon + (metres / (6_371_008.8 * c.lat.to_radians().cos())).to_degrees() }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Editor {
    pub tool: Tool,
    /// Polygon: the vertices. Rectangle: two opposite corners. Circle: centre and a rim point.
    pub points: Vec<LatLon>,
    /// The shape is complete (handles can be dragged, the form can be saved).
    pub closed: bool,
    /// The zone being changed, or none for a new one.
    pub zone: Option<ZoneId>,
    /// The id the zone is saved under: the edited zone's, or one made once for a new zone (a
    /// save retried after a lost answer is then the same zone, not a second one).
    pub id: ZoneId,
    /// When the zone is in force, as typed ("seg-sex 20:00-06:00"); empty: always.
    pub schedule: String,
    /// An edited zone's schedule's own time zone (its municipality's), kept.
    pub schedule_tz: Option<String>,
    pub name: String,
    pub kind: ZoneKind,
    /// Warning buffer of an exclusion zone, metres, as typed.
    pub warning_m: String,
    pub person: Option<PersonId>,
    pub group: String,
    pub saving: bool,
    pub errors: Vec<String>,
}

impl Editor {
    pub fn new(tool: Tool) -> Self {
        Self {
            tool,
            points: Vec::new(),
            closed: false,
            zone: None,
            id: ZoneId::new(),
            schedule: String::new(),
            schedule_tz: None,
            name: String::new(),
            kind: ZoneKind::Exclusion,
            warning_m: String::new(),
            person: None,
            group: String::new(),
            saving: false,
            errors: Vec::new(),
        }
    }

    /// Editing an existing zone: its shape with handles, its data in the form.
    pub fn edit(zone: &Zone) -> Self {
        let (tool, points) = match &zone.shape {
            Shape::Circle { center, radius_m } => (Tool::Circle, vec![*center, east_of(*center, *radius_m)]),
            Shape::Rectangle { south_west, north_east } => (Tool::Rectangle, vec![*south_west, *north_east]),
            Shape::Polygon { ring } => {
                let mut ring = ring.clone();
                if ring.len() > 3 && ring.first() == ring.last() {
                    ring.pop();
                }
                (Tool::Polygon, ring)
            }
        };
        Self {
            tool,
            points,
            closed: true,
            zone: Some(zone.id),
            id: zone.id,
            schedule: zone.schedule.as_ref().map(atalaia_client::schedule_text::format).unwrap_or_default(),
            schedule_tz: zone.schedule.as_ref().and_then(|s| s.timezone.clone()),
            name: zone.name.clone(),
            kind: zone.kind,
            warning_m: zone.warning_m.map(|m| format!("{m:.0}")).unwrap_or_default(),
            person: zone.person_id,
            group: zone.group.clone().unwrap_or_default(),
            saving: false,
            errors: Vec::new(),
        }
    }

    /// Another tool was picked while drawing: the new shape keeps what the form holds.
    pub fn keep_form(&mut self, old: Editor) {
        self.name = old.name;
        self.kind = old.kind;
        self.warning_m = old.warning_m;
        self.person = old.person;
        self.group = old.group;
        self.schedule = old.schedule;
        self.schedule_tz = old.schedule_tz;
        if old.zone.is_none() {
            self.id = old.id;
        }
    }

    /// A click on the map at `p` while drawing; `on_first` tells whether it hit the first vertex.
    pub fn click(&mut self, p: LatLon, on_first: bool) {
        if self.closed {
            return;
        }
        match self.tool {
            Tool::Polygon if on_first && self.points.len() >= 3 => self.closed = true,
            Tool::Polygon => self.points.push(p),
            Tool::Circle | Tool::Rectangle => {
                self.points.push(p);
                if self.points.len() == 2 {
                    self.closed = true;
                }
            }
        }
        self.errors.clear();
    }

    /// Enter: closes a polygon of at least three vertices.
    pub fn finish(&mut self) {
        if self.tool == Tool::Polygon && self.points.len() >= 3 {
            self.closed = true;
        }
    }

    /// Backspace: takes the last vertex back (reopening a closed polygon being drawn).
    pub fn undo(&mut self) {
        if self.zone.is_none() || !self.closed {
            self.points.pop();
            self.closed = false;
        }
    }

    /// The handles that can be dragged: every vertex, the two rectangle corners, a circle's centre
    /// and its radius point.
    pub fn handles(&self) -> &[LatLon] {
        if self.closed { &self.points } else { &[] }
    }

    /// Handle `i` dragged to `p`. Moving a circle's centre carries its rim point along.
    pub fn drag(&mut self, i: usize, p: LatLon) {
        if i >= self.points.len() {
            return;
        }
        if self.tool == Tool::Circle && i == 0 && self.points.len() == 2 {
            let r = distance_m(self.points[0], self.points[1]);
            self.points = vec![p, east_of(p, r)];
        } else {
            self.points[i] = p;
        }
        self.errors.clear();
    }

    /// Right-click on a polygon vertex: removes it (a polygon keeps at least three).
    pub fn remove(&mut self, i: usize) {
        if self.tool == Tool::Polygon && self.closed && self.points.len() > 3 && i < self.points.len() {
            self.points.remove(i);
        }
    }

    /// The shape drawn so far, with `cursor` as the next point while drawing (rubber band).
    pub fn shape(&self, cursor: Option<LatLon>) -> Option<Shape> {
        let mut pts = self.points.clone();
        if !self.closed
            && let Some(c) = cursor
        {
            pts.push(c);
        }
        match self.tool {
            Tool::Circle if pts.len() >= 2 => {
                Some(Shape::Circle { center: pts[0], radius_m: distance_m(pts[0], pts[1]).max(1.0) })
            }
            Tool::Rectangle if pts.len() >= 2 => {
                let (a, b) = (pts[0], pts[1]);
                Some(Shape::Rectangle {
                    south_west: LatLon { lat: a.lat.min(b.lat), lon: a.lon.min(b.lon) },
                    north_east: LatLon { lat: a.lat.max(b.lat), lon: a.lon.max(b.lon) },
                })
            }
            Tool::Polygon if pts.len() >= 2 => Some(Shape::Polygon { ring: pts }),
            _ => None,
        }
    }

    /// The request to save, or what is wrong with the form (in Portuguese). The server checks
    /// again; its answer is shown the same way.
    pub fn request(&self) -> Result<NewZone, Vec<String>> {
        let mut errors = Vec::new();
        let shape = match self.shape(None) {
            Some(s) if self.closed => Some(s),
            _ => {
                errors.push("Termine o desenho da zona.".to_owned());
                None
            }
        };
        // Only an exclusion zone has a warning buffer (the field is hidden for the others).
        let typed = if self.kind == ZoneKind::Exclusion { self.warning_m.trim() } else { "" };
        let warning_m = match typed {
            "" => None,
            text => match text.replace(',', ".").parse::<f64>() {
                Ok(m) => Some(m),
                Err(_) => {
                    errors.push("Faixa de advertência: informe os metros em números.".to_owned());
                    None
                }
            },
        };
        let group = Some(self.group.trim().to_owned()).filter(|g| !g.is_empty());
        let schedule = match atalaia_client::schedule_text::parse(&self.schedule, self.schedule_tz.clone()) {
            Ok(s) => s,
            Err(why) => {
                errors.push(why);
                None
            }
        };
        let new = shape.map(|shape| NewZone {
            id: Some(self.id),
            name: self.name.trim().to_owned(),
            kind: self.kind,
            shape,
            person_id: self.person,
            group,
            schedule,
            warning_m,
        });
        if let Some(n) = &new {
            errors.extend(n.validate().into_iter().map(|e| e.message));
        }
        match new {
            Some(n) if errors.is_empty() => Ok(n),
            _ => Err(errors),
        }
    }
}

/// The map's zone tools: the editor of the zone being drawn or changed, and what the last save
/// said.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// The operator may write zones: the drawing tools are offered.
    pub(super) can_edit: bool,
    pub(super) editor: Option<Editor>,
    /// Shown after a zone was saved.
    pub(super) notice: Option<String>,
    /// Suspending, resuming or lifting the picked zone: the reason being typed (III-2.13).
    pub(super) state_form: Option<StateForm>,
}

/// The reason asked before a zone is suspended, resumed or lifted.
#[derive(Debug, Clone, PartialEq)]
pub struct StateForm {
    pub zone: ZoneId,
    pub action: ZoneAction,
    pub reason: String,
    pub sending: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    /// A new zone drawn with this tool.
    Draw(Tool),
    /// The zone picked on the map opened in the editor.
    Edit,
    /// Handle `i` dragged to this point of the map (logical pixels).
    Handle(usize, Point),
    RemoveVertex(usize),
    /// The polygon being drawn closed (Enter, "Concluir").
    Finish,
    /// The last vertex taken back (Backspace).
    Undo,
    Cancel,
    Name(String),
    Kind(ZoneKind),
    Warning(String),
    Group(String),
    /// When the zone is in force, as typed.
    Schedule(String),
    Save,
    /// The server's answer for the zone with this id (the editor may have moved on to another).
    Saved(ZoneId, Result<Box<Zone>, String>),
    /// Suspend, resume or lift the picked zone: the reason is asked first.
    AskState(ZoneAction),
    StateReason(String),
    SendState,
    CancelState,
}

/// What the map does for its zone tools.
#[derive(Debug, Clone)]
pub(crate) enum Event {
    /// What the tools show on the map changed: it is drawn again.
    Changed,
    /// A new zone is being drawn: the map's selection is put away (and the map drawn again).
    Drawing,
    /// The zone with this id was saved from its editor: the map selects it (and draws again).
    Saved(ZoneId),
    /// The zone to send to the server (true: an existing zone changed).
    Save(Box<NewZone>, bool),
    /// Suspend, resume or lift this zone.
    ChangeState(ZoneId, ZoneStateChange),
    /// The reason's field opened: the cursor goes there.
    AskedReason,
}

/// The id of the reason's field (the cursor goes there when it opens).
pub const REASON_ID: &str = "zona-motivo";

impl State {
    /// `picked`: the zone selected on the map, if it is one; `view`: the map's view (where a
    /// dragged handle is).
    pub fn update(
        &mut self,
        message: Message,
        model: &LiveModel,
        picked: Option<ZoneId>,
        view: &View,
    ) -> Option<Event> {
        match message {
            Message::Draw(tool) => {
                if self.editor.as_ref().is_some_and(|e| e.saving) {
                    return None;
                }
                // Another tool keeps what was typed in the form (a new shape, same zone data).
                let mut editor = Editor::new(tool);
                if let Some(old) = self.editor.take() {
                    editor.keep_form(old);
                }
                self.editor = Some(editor);
                self.notice = None;
                return Some(Event::Drawing);
            }
            Message::Edit => {
                if let Some(id) = picked
                    && let Some(z) = model.zones.get(&id)
                {
                    self.editor = Some(Editor::edit(z));
                    self.notice = None;
                    return Some(Event::Changed);
                }
            }
            Message::Handle(i, at) => {
                let p = view.unproject(f64::from(at.x), f64::from(at.y));
                if let Some(e) = &mut self.editor {
                    e.drag(i, p);
                }
            }
            Message::RemoveVertex(i) => {
                if let Some(e) = &mut self.editor {
                    e.remove(i);
                }
            }
            Message::Finish => {
                if let Some(e) = &mut self.editor {
                    e.finish();
                }
            }
            Message::Undo => {
                if let Some(e) = &mut self.editor {
                    e.undo();
                }
            }
            Message::Cancel => {
                self.editor = None;
                return Some(Event::Changed);
            }
            Message::Name(s) => return self.edit(|e| e.name = s),
            Message::Kind(k) => return self.edit(|e| e.kind = k),
            Message::Warning(s) => return self.edit(|e| e.warning_m = s),
            Message::Group(s) => return self.edit(|e| e.group = s),
            Message::Schedule(s) => return self.edit(|e| e.schedule = s),
            Message::Save => {
                let e = self.editor.as_mut()?;
                if e.saving {
                    return None;
                }
                match e.request() {
                    Ok(new) => {
                        e.saving = true;
                        e.errors.clear();
                        return Some(Event::Save(Box::new(new), e.zone.is_some()));
                    }
                    Err(errors) => e.errors = errors,
                }
            }
            Message::AskState(action) => {
                let zone = picked?;
                self.state_form =
                    Some(StateForm { zone, action, reason: String::new(), sending: false, error: None });
                self.notice = None;
                return Some(Event::AskedReason);
            }
            Message::StateReason(r) => {
                if let Some(f) = self.state_form.as_mut().filter(|f| !f.sending) {
                    f.reason = r;
                    f.error = None;
                }
            }
            Message::CancelState => self.state_form = None,
            Message::SendState => {
                let f = self.state_form.as_mut()?;
                if f.sending {
                    return None;
                }
                let change = ZoneStateChange { action: f.action, reason: f.reason.trim().to_owned() };
                if let Some(e) = change.validate().first() {
                    // The cursor back in the field that needs it.
                    f.error = Some(e.message.clone());
                    return Some(Event::AskedReason);
                }
                f.sending = true;
                return Some(Event::ChangeState(f.zone, change));
            }
            Message::Saved(id, result)
                if self.state_form.as_ref().is_some_and(|f| f.zone == id && f.sending) =>
            {
                // The answer to a suspension, reactivation or lift.
                match result {
                    Ok(zone) => {
                        let done = match self.state_form.take().map(|f| f.action) {
                            Some(ZoneAction::Suspend) => "suspensa",
                            Some(ZoneAction::Resume) => "reativada",
                            _ => "revogada",
                        };
                        self.notice = Some(format!("Zona \"{}\" {done}.", zone.name));
                        return Some(Event::Changed);
                    }
                    Err(why) => {
                        if let Some(f) = &mut self.state_form {
                            f.sending = false;
                            f.error = Some(why);
                        }
                    }
                }
            }
            Message::Saved(id, result) => {
                // Only the editor of that zone closes or shows the refusal; an answer that arrives
                // late (sent from the outbox) leaves another zone being drawn alone.
                let editing = self.editor.as_mut().filter(|e| e.id == id);
                match (result, editing) {
                    (Ok(zone), Some(_)) => {
                        self.notice = Some(format!("Zona \"{}\" salva.", zone.name));
                        self.editor = None;
                        return Some(Event::Saved(zone.id));
                    }
                    (Ok(zone), None) => {
                        self.notice = Some(format!("Zona \"{}\" salva.", zone.name));
                        return Some(Event::Changed);
                    }
                    (Err(why), Some(e)) => {
                        e.saving = false;
                        e.errors = vec![why];
                    }
                    (Err(why), None) => self.notice = Some(why),
                }
            }
        }
        None
    }

    fn edit(&mut self, f: impl FnOnce(&mut Editor)) -> Option<Event> {
        let e = self.editor.as_mut()?;
        f(e);
        e.errors.clear();
        Some(Event::Changed)
    }

    /// A click on the map at `at` (the map's view `v`): a vertex of the shape being drawn, or the
    /// polygon closed on its first vertex. False when no zone is being edited (the click is the
    /// map's).
    pub(super) fn click(&mut self, v: &View, at: Point) -> bool {
        let Some(e) = &mut self.editor else { return false };
        if !e.closed {
            let p = v.unproject(f64::from(at.x), f64::from(at.y));
            let on_first = e.points.first().is_some_and(|f| {
                let (x, y) = v.project(*f);
                (x as f32 - at.x).hypot(y as f32 - at.y) <= HIT
            });
            e.click(p, on_first);
        }
        true
    }

    /// A double click on the map closes the polygon being drawn. False when no shape is being
    /// drawn (the map zooms in there).
    pub(super) fn double_click(&mut self) -> bool {
        match &mut self.editor {
            Some(e) if !e.closed => {
                e.finish();
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(lat: f64, lon: f64) -> LatLon {
        LatLon { lat, lon }
    }

    #[test]
    fn a_polygon_is_drawn_vertex_by_vertex_and_closed_on_its_first_vertex() {
        let mut e = Editor::new(Tool::Polygon);
        e.click(p(-8.76, -63.91), false);
        e.click(p(-8.76, -63.89), false);
        // Clicking the first vertex with only two does not close: it is a third vertex.
        e.click(p(-8.77, -63.89), false);
        assert!(!e.closed);
        assert_eq!(
            e.shape(Some(p(-8.775, -63.9))).map(|s| matches!(s, Shape::Polygon { ring } if ring.len() == 4)),
            Some(true)
        );
        e.undo();
        assert_eq!(e.points.len(), 2);
        e.click(p(-8.775, -63.9), false);
        e.click(p(-8.76, -63.91), true);
        assert!(e.closed);
        assert_eq!(e.handles().len(), 3);
        e.drag(1, p(-8.755, -63.885));
        assert_eq!(e.points[1], p(-8.755, -63.885));
        e.remove(0);
        assert_eq!(e.points.len(), 3, "a polygon keeps three vertices");
    }

    #[test]
    fn the_form_is_checked_before_saving_in_portuguese() {
        let mut e = Editor::new(Tool::Circle);
        assert!(e.request().expect_err("nothing drawn").contains(&"Termine o desenho da zona.".to_owned()));
        e.click(p(-19.92, -43.94), false);
        e.click(p(-19.92, -43.93), false);
        let Some(Shape::Circle { radius_m, .. }) = e.shape(None) else { panic!("circle") };
        assert!((radius_m - 1046.0).abs() < 5.0, "{radius_m}");
        let errors = e.request().expect_err("no name, no owner");
        assert!(errors.iter().any(|m| m.contains("Nome da zona")), "{errors:?}");
        assert!(errors.iter().any(|m| m.contains("pessoa monitorada ou o grupo")), "{errors:?}");
        e.name = "Escola Estadual".into();
        e.group = "Medida protetiva".into();
        e.warning_m = "abc".into();
        assert!(e.request().expect_err("bad metres").iter().any(|m| m.contains("em números")));
        e.warning_m = "250".into();
        let new = e.request().expect("valid");
        assert_eq!(
            (new.kind, new.warning_m, new.group.as_deref()),
            (ZoneKind::Exclusion, Some(250.0), Some("Medida protetiva"))
        );
        // Moving the centre keeps the radius.
        e.drag(0, p(-19.93, -43.95));
        let Some(Shape::Circle { radius_m: moved, center }) = e.shape(None) else { panic!("circle") };
        assert!((moved - radius_m).abs() < 1.0 && center == p(-19.93, -43.95));
    }

    #[test]
    fn an_existing_zone_opens_closed_with_its_data() {
        let zone = Zone {
            id: ZoneId::new(),
            name: "Casa da vítima".into(),
            kind: ZoneKind::Exclusion,
            shape: Shape::Rectangle { south_west: p(-8.77, -63.91), north_east: p(-8.76, -63.90) },
            person_id: None,
            group: Some("Grupo A".into()),
            active: true,
            schedule: None,
            warning_m: Some(300.0),
            created_at: chrono::Utc::now(),
            lifted: None,
        };
        let e = Editor::edit(&zone);
        assert!(e.closed && e.tool == Tool::Rectangle && e.zone == Some(zone.id));
        assert_eq!(e.warning_m, "300");
        let new = e.request().expect("valid");
        assert_eq!(new.id, Some(zone.id));
        assert_eq!(new.shape, zone.shape);
    }
}
