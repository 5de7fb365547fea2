//! Commands the centre sends down to a device (16.2.15, III-2.20, III-2.27): a visual, vibration
//! and/or sound alert to the wearer, or a new reporting interval (15 s to 3 min). Commands are
//! queued until the device is connected, encoded in each protocol's command form, and tracked:
//! queued → sent → acknowledged by the device (or failed). Position fixes play no part, so a
//! device without a GNSS fix receives them just the same.

use crate::ids::{CommandId, DeviceId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CommandKind {
    Alert { visual: bool, vibration: bool, sound: bool },
    ReportInterval { seconds: u32 },
}

impl CommandKind {
    /// Portuguese validation message, if invalid.
    pub fn problem(&self) -> Option<&'static str> {
        match *self {
            CommandKind::Alert { visual: false, vibration: false, sound: false } => {
                Some("Escolha ao menos um alerta: visual, vibração ou som.")
            }
            CommandKind::ReportInterval { seconds } if !(15..=180).contains(&seconds) => {
                Some("O intervalo de envio deve ficar entre 15 s e 3 min.")
            }
            _ => None,
        }
    }

    /// The command text of Atalaia's bracelet profile (docs/DEVICES.md), carried by GT06 online
    /// commands, Teltonika Codec 12 and the OsmAnd reply alike.
    pub fn text(&self) -> String {
        match *self {
            CommandKind::Alert { visual, vibration, sound } => {
                format!("ALERT,{},{},{}#", u8::from(visual), u8::from(vibration), u8::from(sound))
            }
            CommandKind::ReportInterval { seconds } => format!("TIMER,{seconds}#"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CommandState {
    Queued,
    Sent {
        at: DateTime<Utc>,
    },
    Acknowledged {
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeviceCommand {
    pub id: CommandId,
    pub device_id: DeviceId,
    pub kind: CommandKind,
    /// Small number identifying the command on the wire (GT06 server flag, OsmAnd `ack`).
    pub tag: u32,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub state: CommandState,
    /// How many times it was written to the device (resent after a reconnection).
    pub attempts: u32,
}

impl DeviceCommand {
    pub fn is_pending(&self) -> bool {
        !matches!(self.state, CommandState::Acknowledged { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_and_validation() {
        let alert = CommandKind::Alert { visual: true, vibration: true, sound: false };
        assert_eq!(alert.text(), "ALERT,1,1,0#");
        assert_eq!(alert.problem(), None);
        assert!(CommandKind::Alert { visual: false, vibration: false, sound: false }.problem().is_some());
        assert_eq!(CommandKind::ReportInterval { seconds: 30 }.text(), "TIMER,30#");
        assert!(CommandKind::ReportInterval { seconds: 10 }.problem().is_some());
        assert!(CommandKind::ReportInterval { seconds: 181 }.problem().is_some());
        assert!(CommandKind::ReportInterval { seconds: 180 }.problem().is_none());
    }
}
