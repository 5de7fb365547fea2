//! Device models and their IO profiles (seed 003 P10, 9.19, III-1.37): what an input a device
//! reports *means* depends on the device, not on the protocol. Teltonika's IO 10800 is a strap on
//! a bracelet built to Atalaia's profile but an EYE sensor's temperature on an FMB vehicle tracker;
//! a GT06 alarm code 0x13 is a tamper switch on a bracelet and nothing on a car. So protocol
//! decoders report raw [`Input`]s, and the device's model turns them into the states the
//! detectors consume ([`Signal`]) — and nothing is an integrity alarm (strap, body, installation,
//! tamper) unless the model says that input is one.
//!
//! Models are data: the server ships a set (one default per device kind) and installers add or
//! replace models in a TOML file.

use crate::detect::Signal;
use crate::monitoring::DeviceKind;
use serde::{Deserialize, Serialize};

/// One input as the device's protocol names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A Teltonika AVL IO element (id and unsigned value).
    TeltonikaIo { id: u16, value: u64 },
    /// A Teltonika record's priority (2 = panic).
    TeltonikaPriority(u8),
    /// A GT06 alarm code (the alarm byte of alarm, status and heartbeat packets).
    Gt06Alarm(u8),
    /// The alarm field of a GT06 terminal-information byte (bits 5–3: 0 normal, 1 shock, 2 power
    /// cut, 3 low battery, 4 SOS, 7 strap removed on bracelets). Sent with every status, so it
    /// is a state: the condition clears when the field changes.
    Gt06Status(u8),
    /// A named alarm (OsmAnd `alarm=…`, Traccar's vocabulary): an event.
    Alarm(String),
    /// A named state (OsmAnd `strap=open|closed` …): present or cleared.
    State { name: String, on: bool },
}

impl Input {
    /// How the input is named in a model file and in the device's counters.
    pub fn label(&self) -> String {
        match self {
            Input::TeltonikaIo { id, .. } => format!("teltonika_io {id}"),
            Input::TeltonikaPriority(p) => format!("teltonika_priority {p}"),
            Input::Gt06Alarm(c) => format!("gt06_alarm 0x{c:02X}"),
            Input::Gt06Status(v) => format!("gt06_status {v}"),
            Input::Alarm(a) => format!("osmand_alarm {a}"),
            Input::State { name, .. } => format!("osmand_state {name}"),
        }
    }
}

/// Where a rule reads its input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A Teltonika IO id: the condition is present while the value is not 0.
    TeltonikaIo(u16),
    /// A Teltonika record priority: present when the record has it.
    TeltonikaPriority(u8),
    /// A GT06 alarm code: an event when the device sends it.
    Gt06Alarm(u8),
    /// A value of the GT06 terminal-information alarm field: present while the field has it.
    Gt06Status(u8),
    /// An OsmAnd `alarm=` name: an event.
    OsmandAlarm(String),
    /// An OsmAnd state parameter (`strap`, `body`, `install`, `tamper`, `jamming`).
    OsmandState(String),
}

/// What an input means to the detectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Meaning {
    /// Integrity: the strap is open or cut (Rompimento da cinta).
    StrapOpen,
    /// Integrity: the device does not detect the body.
    BodyMissing,
    /// Integrity: the device is fitted wrongly.
    WrongInstallation,
    /// Integrity: the case was opened or tampered with.
    Tamper,
    /// GNSS or GSM jamming detected.
    Jamming,
    /// The device announces it is switching off.
    PowerOff,
    /// A panic / SOS button, or the device's general alarm input.
    Panic,
    /// Known and deliberately unused (an EYE sensor's temperature): neither a state nor counted.
    Ignore,
}

impl Meaning {
    /// Strap, body, installation and tamper: the alarms that say a monitored person is defeating
    /// the device.
    pub fn is_integrity(self) -> bool {
        matches!(
            self,
            Meaning::StrapOpen | Meaning::BodyMissing | Meaning::WrongInstallation | Meaning::Tamper
        )
    }

    fn signal(self, on: bool) -> Option<Signal> {
        match self {
            Meaning::StrapOpen => Some(Signal::StrapOpen(on)),
            Meaning::BodyMissing => Some(Signal::BodyMissing(on)),
            Meaning::WrongInstallation => Some(Signal::WrongInstallation(on)),
            Meaning::Tamper => Some(Signal::Tamper(on)),
            Meaning::Jamming => Some(Signal::Jamming(on)),
            Meaning::PowerOff => on.then_some(Signal::PowerOff),
            Meaning::Panic => on.then_some(Signal::Panic),
            Meaning::Ignore => None,
        }
    }
}

/// One line of a profile: this input means that.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rule {
    #[serde(flatten)]
    pub source: Source,
    pub meaning: Meaning,
}

impl Rule {
    /// What `input` says under this rule: `None` when the rule is about another input,
    /// `Some(None)` when it is this input and it means nothing to the detectors.
    fn read(&self, input: &Input) -> Option<Option<Signal>> {
        let on = match (&self.source, input) {
            (Source::TeltonikaIo(id), Input::TeltonikaIo { id: got, value }) if id == got => *value != 0,
            (Source::TeltonikaPriority(p), Input::TeltonikaPriority(got)) if p == got => true,
            (Source::Gt06Alarm(code), Input::Gt06Alarm(got)) if code == got => true,
            // The status field is a state: any value says whether this one is present.
            (Source::Gt06Status(v), Input::Gt06Status(got)) => v == got,
            (Source::OsmandAlarm(name), Input::Alarm(got)) if name == got => true,
            (Source::OsmandState(name), Input::State { name: got, on }) if name == got => *on,
            _ => return None,
        };
        Some(self.meaning.signal(on))
    }
}

/// A device model: its name and IO profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeviceModel {
    /// Stable identifier, referred to by devices (`tornozeleira-atalaia`).
    pub id: String,
    /// Name for people (Portuguese).
    pub name: String,
    /// Device kinds this model is the default for, when a device names no model.
    #[serde(default)]
    pub default_for: Vec<DeviceKind>,
    #[serde(default)]
    pub inputs: Vec<Rule>,
}

/// What a report's inputs mean under a model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    pub signals: Vec<Signal>,
    /// Inputs the model does not interpret that say something happened (alarm codes and named
    /// alarms): counted per device, so an unmapped alarm is visible rather than lost.
    pub unused: Vec<String>,
}

impl DeviceModel {
    /// Turn a report's inputs into device states. Teltonika IO elements and GT06 status fields
    /// the model does not name are ordinary telemetry; alarm codes and named alarms it does not
    /// name are listed as unused.
    pub fn read(&self, inputs: &[Input]) -> Reading {
        let mut reading = Reading::default();
        for input in inputs {
            let mut understood = false;
            for rule in &self.inputs {
                if let Some(signal) = rule.read(input) {
                    understood = true;
                    reading.signals.extend(signal);
                }
            }
            if !understood
                && matches!(input, Input::Gt06Alarm(c) if *c != 0) | matches!(input, Input::Alarm(_))
            {
                reading.unused.push(input.label());
            }
        }
        reading
    }

    /// Check a model read from a file; the problems in Portuguese.
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 64
            && self.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !id_ok {
            problems.push(format!(
                "modelo {:?}: o identificador deve ter de 1 a 64 letras minúsculas, dígitos ou hífens",
                self.id
            ));
        }
        if self.name.trim().is_empty() {
            problems.push(format!("modelo {}: falta o nome", self.id));
        }
        for (i, a) in self.inputs.iter().enumerate() {
            if self.inputs[..i].iter().any(|b| b.source == a.source && b.meaning != a.meaning) {
                problems.push(format!("modelo {}: a entrada {:?} tem dois significados", self.id, a.source));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(inputs: Vec<Rule>) -> DeviceModel {
        DeviceModel { id: "m".into(), name: "M".into(), default_for: vec![], inputs }
    }

    fn rule(source: Source, meaning: Meaning) -> Rule {
        Rule { source, meaning }
    }

    #[test]
    fn a_model_without_integrity_inputs_never_raises_integrity_from_io() {
        // An FMB vehicle tracker with EYE temperature sensors: 10800–10803 are temperatures.
        let fmb = model(vec![
            rule(Source::TeltonikaIo(10_800), Meaning::Ignore),
            rule(Source::TeltonikaIo(236), Meaning::Panic),
            rule(Source::TeltonikaIo(249), Meaning::Jamming),
        ]);
        let inputs: Vec<Input> = (10_800..=10_803)
            .map(|id| Input::TeltonikaIo { id, value: 2_350 })
            .chain([Input::Gt06Alarm(0x13), Input::Gt06Status(7), Input::Alarm("tampering".into())])
            .collect();
        let r = fmb.read(&inputs);
        assert!(
            r.signals.iter().all(|s| !matches!(
                s,
                Signal::StrapOpen(_)
                    | Signal::BodyMissing(_)
                    | Signal::WrongInstallation(_)
                    | Signal::Tamper(_)
            )),
            "{r:?}"
        );
        assert_eq!(
            r.unused,
            vec!["gt06_alarm 0x13", "osmand_alarm tampering"],
            "unmapped alarms are counted"
        );
    }

    #[test]
    fn a_bracelet_model_reads_its_integrity_inputs_as_states() {
        let bracelet = model(vec![
            rule(Source::TeltonikaIo(10_800), Meaning::StrapOpen),
            rule(Source::Gt06Status(7), Meaning::StrapOpen),
            rule(Source::Gt06Alarm(0x13), Meaning::Tamper),
            rule(Source::OsmandState("body".into()), Meaning::BodyMissing),
        ]);
        let on = bracelet.read(&[Input::TeltonikaIo { id: 10_800, value: 1 }]);
        assert_eq!(on.signals, vec![Signal::StrapOpen(true)]);
        let off = bracelet.read(&[Input::TeltonikaIo { id: 10_800, value: 0 }]);
        assert_eq!(off.signals, vec![Signal::StrapOpen(false)]);
        assert_eq!(bracelet.read(&[Input::Gt06Status(7)]).signals, vec![Signal::StrapOpen(true)]);
        assert_eq!(
            bracelet.read(&[Input::Gt06Status(0)]).signals,
            vec![Signal::StrapOpen(false)],
            "field cleared"
        );
        assert_eq!(bracelet.read(&[Input::Gt06Alarm(0x13)]).signals, vec![Signal::Tamper(true)]);
        let body = bracelet.read(&[Input::State { name: "body".into(), on: false }]);
        assert_eq!(body.signals, vec![Signal::BodyMissing(false)]);
        assert!(bracelet.read(&[Input::Gt06Alarm(0)]).unused.is_empty(), "0 is 'no alarm'");
    }

    #[test]
    fn events_only_when_present_and_bad_models_are_refused() {
        let unit = model(vec![
            rule(Source::TeltonikaPriority(2), Meaning::Panic),
            rule(Source::TeltonikaIo(236), Meaning::Panic),
        ]);
        assert_eq!(unit.read(&[Input::TeltonikaIo { id: 236, value: 0 }]).signals, vec![]);
        assert_eq!(unit.read(&[Input::TeltonikaPriority(2)]).signals, vec![Signal::Panic]);
        assert_eq!(unit.read(&[Input::TeltonikaPriority(1)]).signals, vec![]);
        let bad = DeviceModel {
            id: "Bad Id".into(),
            name: " ".into(),
            default_for: vec![],
            inputs: vec![
                rule(Source::TeltonikaIo(1), Meaning::Panic),
                rule(Source::TeltonikaIo(1), Meaning::Tamper),
            ],
        };
        assert_eq!(bad.validate().len(), 3, "{:?}", bad.validate());
        assert!(Meaning::Tamper.is_integrity() && !Meaning::Jamming.is_integrity());
    }
}
