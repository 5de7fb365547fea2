//! The map pane's state: where each role starts, what it may draw.
use super::*;
use atalaia_core::auth::Role;

#[test]
fn monitoring_roles_open_on_porto_velho_samu_roles_on_belo_horizonte() {
    assert_eq!(State::for_role(Role::MonitoringOperator).region(), Region::PortoVelho);
    assert_eq!(State::for_role(Role::MonitoringAdmin).region(), Region::PortoVelho);
    assert_eq!(State::for_role(Role::FleetController).region(), Region::BeloHorizonte);
    assert_eq!(State::for_role(Role::Supervisor).region(), Region::BeloHorizonte);
    assert!(State::for_role(Role::MonitoringAdmin).zones.can_edit);
    assert!(!State::for_role(Role::MonitoringOperator).zones.can_edit);
}

#[test]
fn scale_bar_lengths_are_round() {
    for (max, want) in [(120.0, 100.0), (260.0, 200.0), (999.0, 500.0), (4300.0, 2000.0), (0.0, 0.0)] {
        assert_eq!(nice_length(max), want, "{max}");
    }
}

#[test]
fn regions_fit_the_map_and_zoom_keeps_the_cursor_place() {
    let mut s = State::for_role(Role::Supervisor);
    s.viewport.resize(Size::new(800.0, 600.0));
    let model = LiveModel::default();
    let user = atalaia_core::wire::UserInfo {
        id: atalaia_core::ids::UserId::new(),
        username: "sup".into(),
        display_name: "Sup".into(),
        role: Role::Supervisor,
        profile: None,
        permissions: None,
        active: true,
        unit: None,
    };
    let ctx = Ctx {
        model: &model,
        now: Utc::now(),
        tz: format::DEFAULT_TZ,
        user: &user,
        photos: crate::photos::Photos::none(),
    };
    let _ = s.update(Message::Viewport(viewport::Message::Region(Region::PortoVelho)), &ctx);
    let v = s.view_now();
    for corner in [Region::PortoVelho.bounds().0, Region::PortoVelho.bounds().1] {
        let (x, y) = v.project(corner);
        assert!((0.0..=800.0).contains(&x) && (0.0..=600.0).contains(&y), "({x}, {y})");
    }
    let at = Point::new(200.0, 150.0);
    let before = v.unproject(200.0, 150.0);
    let _ = s.update(Message::Viewport(viewport::Message::Zoom { by: 1.5, at }), &ctx);
    let (x, y) = s.view_now().project(before);
    assert!((x - 200.0).abs() < 1e-6 && (y - 150.0).abs() < 1e-6);
    assert!((s.zoom() - v.zoom - 1.5).abs() < 1e-9);
    let _ = s.update(Message::Viewport(viewport::Message::Pan(30.0, -20.0)), &ctx);
    let (x2, y2) = s.view_now().project(before);
    assert!((x2 - 230.0).abs() < 1e-6 && (y2 - 130.0).abs() < 1e-6);
}
