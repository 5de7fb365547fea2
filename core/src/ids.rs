//! Newtype identifiers over UUIDv7, generated where a thing is created (also offline on a client),
//! so ids sort by creation time and never collide between seats.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type!(
    /// A SAMU occurrence (every call on 192 becomes one).
    OccurrenceId,
    /// An ambulance or other fleet vehicle.
    VehicleId,
    /// One vehicle committed to one occurrence ("empenho").
    DispatchId,
    /// A message between an ambulance crew and the regulation (RFS044–RFS048).
    MessageId,
    /// A photo, audio, video or document attached to an occurrence (RFS025).
    AttachmentId,
    /// A monitored person (MP) or a protected victim.
    PersonId,
    /// A tracking device (ankle bracelet, victim unit, vehicle tracker).
    DeviceId,
    /// A person × device link over time.
    AssignmentId,
    /// A geographic zone.
    ZoneId,
    /// One stored position fix.
    PositionId,
    /// An alarm of either domain.
    AlarmId,
    /// A console or API user.
    UserId,
    /// A command sent down to a device.
    CommandId,
    /// An e-mail or SMS in the outbox.
    NotificationId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_time_ordered() {
        let a = AlarmId::new();
        let b = AlarmId::new();
        assert_eq!(a.0.get_version_num(), 7);
        assert!(a < b, "v7 ids sort by creation");
    }

    #[test]
    fn ids_round_trip_as_plain_strings() {
        let id = PersonId::new();
        let json = serde_json::to_string(&id).expect("serialise");
        assert_eq!(json, format!("\"{id}\""));
        let back: PersonId = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, id);
        assert_eq!(id.to_string().parse::<PersonId>().expect("parse"), id);
        assert!("not-a-uuid".parse::<PersonId>().is_err());
    }
}
