//! The operator's pane arrangement, saved per user on the workstation (issue 6 item 6): each role
//! opens with a sensible default; what the operator rearranges (dragged panes, moved dividers) is
//! kept in `<data dir>/layouts/<user>.json` and comes back at the next login. A saved layout
//! that no longer fits the role (a pane the role cannot see, a pane missing) is ignored.

use crate::pane::Kind;
use atalaia_core::auth::{Permission, Role};
use iced::widget::pane_grid::{self, Axis, Configuration, Node};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A pane arrangement as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Saved {
    Pane(Kind),
    Split { vertical: bool, ratio: f32, a: Box<Saved>, b: Box<Saved> },
}

/// The arrangement on screen now.
pub fn capture(state: &pane_grid::State<Kind>) -> Option<Saved> {
    fn walk(node: &Node, state: &pane_grid::State<Kind>) -> Option<Saved> {
        Some(match node {
            Node::Pane(p) => Saved::Pane(*state.get(*p)?),
            Node::Split { axis, ratio, a, b, .. } => Saved::Split {
                vertical: *axis == Axis::Vertical,
                ratio: *ratio,
                a: Box::new(walk(a, state)?),
                b: Box::new(walk(b, state)?),
            },
        })
    }
    walk(state.layout(), state)
}

fn kinds(saved: &Saved, out: &mut Vec<Kind>) {
    match saved {
        Saved::Pane(k) => out.push(*k),
        Saved::Split { a, b, .. } => {
            kinds(a, out);
            kinds(b, out);
        }
    }
}

fn kinds_of(c: &Configuration<Kind>, out: &mut Vec<Kind>) {
    match c {
        Configuration::Pane(k) => out.push(*k),
        Configuration::Split { a, b, .. } => {
            kinds_of(a, out);
            kinds_of(b, out);
        }
    }
}

/// The saved arrangement as a grid configuration, if it holds exactly the panes of `default`
/// (the role's panes) and its ratios are sane.
pub fn restore(saved: &Saved, default: &Configuration<Kind>) -> Option<Configuration<Kind>> {
    let (mut have, mut want) = (Vec::new(), Vec::new());
    kinds(saved, &mut have);
    kinds_of(default, &mut want);
    have.sort_by_key(|k| *k as u8);
    want.sort_by_key(|k| *k as u8);
    if have != want {
        return None;
    }
    fn build(s: &Saved) -> Option<Configuration<Kind>> {
        Some(match s {
            Saved::Pane(k) => Configuration::Pane(*k),
            Saved::Split { vertical, ratio, a, b } => {
                if !(0.05..=0.95).contains(ratio) {
                    return None;
                }
                Configuration::Split {
                    axis: if *vertical { Axis::Vertical } else { Axis::Horizontal },
                    ratio: *ratio,
                    a: Box::new(build(a)?),
                    b: Box::new(build(b)?),
                }
            }
        })
    }
    build(saved)
}

/// Where a user's layout lives (the name kept to safe characters).
pub fn file(dir: &Path, username: &str) -> PathBuf {
    let safe: String = username
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' })
        .collect();
    dir.join("layouts").join(format!("{safe}.json"))
}

pub fn load(path: &Path) -> Option<Saved> {
    let text = std::fs::read_to_string(path).ok()?;
    match serde_json::from_str(&text) {
        Ok(saved) => Some(saved),
        Err(error) => {
            tracing::warn!(%error, path = %path.display(), "saved layout unreadable; using the role's default");
            None
        }
    }
}

/// Writes atomically (temporary file, then rename): a crash mid-write leaves the old layout.
pub fn save(path: &Path, saved: &Saved) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(saved).map_err(std::io::Error::other)?)?;
    std::fs::rename(tmp, path)
}

/// A sensible first arrangement per role: call takers and regulators get the SAMU panes wider;
/// monitoring-only roles get just the map and the alarms, since they can neither take calls nor
/// see the regulation queue (the layout is the operator's to change afterwards).
pub fn default_layout(role: Role) -> Configuration<Kind> {
    let split = |axis, ratio, a, b| Configuration::Split {
        axis,
        ratio,
        a: Box::new(Configuration::Pane(a)),
        b: Box::new(Configuration::Pane(b)),
    };
    if !role.can(Permission::OccurrenceRead) {
        return split(Axis::Vertical, 0.55, Kind::Mapa, Kind::Alarmes);
    }
    // Fleet controllers neither take nor regulate calls: the queue (a call opens there with its
    // nearest vehicles) all down the left, the map and the vehicle alerts on the right.
    if role.can(Permission::OccurrenceDispatch) && !role.can(Permission::OccurrenceCreate) {
        return Configuration::Split {
            axis: Axis::Vertical,
            ratio: 0.5,
            a: Box::new(Configuration::Pane(Kind::Regulacao)),
            b: Box::new(split(Axis::Horizontal, 0.65, Kind::Mapa, Kind::Alarmes)),
        };
    }
    let samu_side = match role {
        Role::Tarm | Role::Regulator | Role::FleetController | Role::Crew => 0.55,
        _ => 0.5,
    };
    // Call takers need the whole form in view; regulators work in the queue (an occurrence opens
    // there with its form); others mostly watch it.
    let intake = match role {
        Role::Regulator => 0.28,
        _ if role.can(Permission::OccurrenceCreate) => 0.62,
        _ => 0.4,
    };
    Configuration::Split {
        axis: Axis::Vertical,
        ratio: samu_side,
        a: Box::new(split(Axis::Horizontal, intake, Kind::Atendimento, Kind::Regulacao)),
        b: Box::new(split(Axis::Horizontal, 0.6, Kind::Mapa, Kind::Alarmes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rearranged_layout_is_saved_and_comes_back() {
        let default = default_layout(Role::Supervisor);
        let mut state = pane_grid::State::with_configuration(default.clone());
        // The operator moves the alarms to the far left and widens them.
        let panes: Vec<(pane_grid::Pane, Kind)> = state.iter().map(|(p, k)| (*p, *k)).collect();
        let alarms = panes.iter().find(|(_, k)| *k == Kind::Alarmes).map(|(p, _)| *p).expect("alarms");
        let atendimento = panes.iter().find(|(_, k)| *k == Kind::Atendimento).map(|(p, _)| *p).expect("call");
        state.swap(alarms, atendimento);
        let saved = capture(&state).expect("captured");

        let dir = tempfile::tempdir().expect("dir");
        let path = file(dir.path(), "ana.souza");
        save(&path, &saved).expect("saved");
        let loaded = load(&path).expect("loaded");
        assert_eq!(loaded, saved);
        let again = pane_grid::State::with_configuration(restore(&loaded, &default).expect("fits the role"));
        assert_eq!(capture(&again), Some(saved));
        let first = again.iter().map(|(_, k)| *k).next();
        assert!(first.is_some());
    }

    #[test]
    fn a_layout_that_does_not_fit_the_role_is_ignored() {
        // Saved by a supervisor (four panes), read for a monitoring operator (map and alarms).
        let four =
            capture(&pane_grid::State::with_configuration(default_layout(Role::Supervisor))).expect("four");
        assert!(restore(&four, &default_layout(Role::MonitoringOperator)).is_none());
        let broken = Saved::Split {
            vertical: true,
            ratio: 1.7,
            a: Box::new(Saved::Pane(Kind::Mapa)),
            b: Box::new(Saved::Pane(Kind::Alarmes)),
        };
        assert!(restore(&broken, &default_layout(Role::MonitoringOperator)).is_none(), "ratio out of range");
        let dir = tempfile::tempdir().expect("dir");
        std::fs::create_dir_all(dir.path().join("layouts")).expect("dir");
        std::fs::write(file(dir.path(), "op"), b"{not json").expect("write");
        assert!(load(&file(dir.path(), "op")).is_none(), "a damaged file falls back to the default");
        assert_eq!(file(dir.path(), "../etc/passwd"), dir.path().join("layouts").join(".._etc_passwd.json"));
    }

    fn panes(c: &Configuration<Kind>, out: &mut Vec<Kind>) {
        match c {
            Configuration::Pane(k) => out.push(*k),
            Configuration::Split { a, b, .. } => {
                panes(a, out);
                panes(b, out);
            }
        }
    }

    #[test]
    fn monitoring_operators_get_map_and_alarms_fleet_controllers_no_call_form_samu_roles_all_four() {
        let mut v = Vec::new();
        panes(&default_layout(Role::MonitoringOperator), &mut v);
        assert_eq!(v, vec![Kind::Mapa, Kind::Alarmes]);
        let mut v = Vec::new();
        panes(&default_layout(Role::FleetController), &mut v);
        assert_eq!(v, vec![Kind::Regulacao, Kind::Mapa, Kind::Alarmes], "a form it cannot use is not shown");
        for role in [Role::Tarm, Role::Supervisor, Role::Regulator] {
            let mut v = Vec::new();
            panes(&default_layout(role), &mut v);
            assert_eq!(v, vec![Kind::Atendimento, Kind::Regulacao, Kind::Mapa, Kind::Alarmes], "{role:?}");
        }
    }
}
