//! Commands to a device (16.2.15, III-2.20, III-2.27, 27.10.3), as the alarm card and the
//! devices tab offer them: the alerts to the wearer — a discreet one that only lights the
//! bracelet, vibration, sound — for who handles alarms, and the reporting interval for who
//! manages devices; each with its delivery state.

use crate::pane::Ctx;
use crate::text as pt;
use atalaia_client::format;
use atalaia_core::auth::Permission;
use atalaia_core::command::{CommandKind, CommandState, DeviceCommand};
use atalaia_core::ids::DeviceId;

/// The alerts, mildest first: the discreet one is seen only by the wearer (nobody near them
/// hears it — a victim's aggressor, a colleague at work).
pub const ALERTS: [(&str, CommandKind); 3] = [
    (pt::CMD_DISCREET, CommandKind::Alert { visual: true, vibration: false, sound: false }),
    (pt::CMD_VIBRATE, CommandKind::Alert { visual: false, vibration: true, sound: false }),
    (pt::CMD_SOUND, CommandKind::Alert { visual: true, vibration: true, sound: true }),
];

/// The reporting intervals offered (III-2.20: 15 s to 3 min).
pub const INTERVALS: [u32; 3] = [15, 60, 180];

/// What this user may send: alerts with the right to handle alarms, intervals with the right to
/// manage devices — never a button the server would refuse.
pub fn offered(ctx: &Ctx<'_>) -> Vec<(String, CommandKind)> {
    let mut out = Vec::new();
    if ctx.user.can(Permission::AlarmHandle) {
        out.extend(ALERTS.iter().map(|(l, k)| ((*l).to_owned(), *k)));
    }
    if ctx.user.can(Permission::DeviceWrite) {
        out.extend(
            INTERVALS.iter().map(|s| (pt::cmd_interval(*s), CommandKind::ReportInterval { seconds: *s })),
        );
    }
    out
}

pub fn label(kind: &CommandKind) -> String {
    match kind {
        CommandKind::Alert { sound: true, .. } => pt::CMD_SOUND.into(),
        CommandKind::Alert { vibration: true, .. } => pt::CMD_VIBRATE.into(),
        CommandKind::Alert { .. } => pt::CMD_DISCREET.into(),
        CommandKind::ReportInterval { seconds } => pt::cmd_interval(*seconds),
    }
}

pub fn state(state: &CommandState, ctx: &Ctx<'_>) -> String {
    match state {
        CommandState::Queued => pt::COMMAND_QUEUED.to_owned(),
        CommandState::Sent { at } => pt::command_sent(&format::time(*at, ctx.tz)),
        CommandState::Acknowledged { at, .. } => pt::command_acknowledged(&format::time(*at, ctx.tz)),
    }
}

/// The newest `n` commands to `device`, each as a line: what, when, its state.
pub fn recent(ctx: &Ctx<'_>, device: DeviceId, n: usize) -> Vec<String> {
    let mut commands: Vec<&DeviceCommand> =
        ctx.model.commands.values().filter(|c| c.device_id == device).collect();
    commands.sort_by_key(|c| std::cmp::Reverse(c.created_at));
    commands
        .into_iter()
        .take(n)
        .map(|c| {
            pt::command_line(&label(&c.kind), &format::time(c.created_at, ctx.tz), &state(&c.state, ctx))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use atalaia_core::auth::Role;
    use atalaia_core::ids::UserId;

    #[test]
    fn iii_2_27_the_console_offers_a_discreet_alert_and_only_what_the_role_may_send() {
        let model = atalaia_client::LiveModel::default();
        let offered_to = |role: Role| {
            let user = atalaia_core::wire::UserInfo {
                id: UserId::new(),
                username: "x".into(),
                display_name: "X".into(),
                role,
                profile: None,
                permissions: None,
                active: true,
                unit: None,
            };
            let ctx = Ctx {
                model: &model,
                now: chrono::Utc::now(),
                tz: format::DEFAULT_TZ,
                user: &user,
                photos: crate::photos::Photos::none(),
            };
            offered(&ctx).into_iter().map(|(l, _)| l).collect::<Vec<_>>()
        };
        assert_eq!(offered_to(Role::MonitoringOperator), ["Alerta discreto", "Vibrar", "Alerta sonoro"]);
        assert_eq!(
            offered_to(Role::MonitoringAdmin),
            [
                "Alerta discreto",
                "Vibrar",
                "Alerta sonoro",
                "Envio a cada 15 s",
                "Envio a cada 1 min",
                "Envio a cada 3 min"
            ]
        );
        assert!(offered_to(Role::Tarm).is_empty());
        let discreet = ALERTS[0].1;
        assert_eq!(discreet.text(), "ALERT,1,0,0#", "only the light");
    }
}
