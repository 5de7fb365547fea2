//! The device models this server knows (`atalaia_core::devices`): the ones shipped in
//! `models.toml`, plus the installer's file (`device_models` setting), whose models are added or
//! replace a shipped one with the same id.

use atalaia_core::devices::DeviceModel;
use atalaia_core::monitoring::{Device, DeviceKind};
use serde::Deserialize;
use std::path::Path;

const SHIPPED: &str = include_str!("models.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    model: Vec<DeviceModel>,
}

#[derive(Debug, Clone)]
pub struct ModelRegistry {
    models: Vec<DeviceModel>,
}

impl ModelRegistry {
    /// The shipped models, with `extra` (a TOML file of `[[model]]` tables) laid over them.
    pub fn load(extra: Option<&Path>) -> Result<Self, String> {
        let mut models = parse(SHIPPED, "modelos embutidos")?;
        if let Some(path) = extra {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            for m in parse(&text, &path.display().to_string())? {
                match models.iter_mut().find(|known| known.id == m.id) {
                    Some(known) => *known = m,
                    None => models.push(m),
                }
            }
        }
        for kind in [DeviceKind::AnkleBracelet, DeviceKind::VictimUnit, DeviceKind::VehicleTracker] {
            let defaults = models.iter().filter(|m| m.default_for.contains(&kind)).count();
            if defaults != 1 {
                return Err(format!("{defaults} modelos são o padrão de {kind:?}; deve haver exatamente um"));
            }
        }
        Ok(Self { models })
    }

    /// Only the shipped models (tests, the embedded console server).
    pub fn shipped() -> Self {
        // The shipped file is checked by the tests below; a failure here is a build defect.
        Self::load(None).unwrap_or_else(|e| panic!("shipped device models: {e}"))
    }

    pub fn all(&self) -> &[DeviceModel] {
        &self.models
    }

    pub fn get(&self, id: &str) -> Option<&DeviceModel> {
        self.models.iter().find(|m| m.id == id)
    }

    /// The model a device's inputs are read with: the one it names, else its kind's default.
    pub fn for_device(&self, d: &Device) -> Option<&DeviceModel> {
        match &d.model {
            Some(id) => self.get(id),
            None => self.models.iter().find(|m| m.default_for.contains(&d.kind)),
        }
    }
}

fn parse(text: &str, origin: &str) -> Result<Vec<DeviceModel>, String> {
    let file: File = toml::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
    let problems: Vec<String> = file.model.iter().flat_map(DeviceModel::validate).collect();
    if !problems.is_empty() {
        return Err(format!("{origin}: {}", problems.join("; ")));
    }
    for (i, m) in file.model.iter().enumerate() {
        if file.model[..i].iter().any(|o| o.id == m.id) {
            return Err(format!("{origin}: o modelo {} aparece duas vezes", m.id));
        }
    }
    Ok(file.model)
}

#[cfg(test)]
mod tests {
    use super::*;
    use atalaia_core::detect::Signal;
    use atalaia_core::devices::{Input, Meaning, Source};

    #[test]
    fn shipped_models_parse_with_one_default_per_kind() {
        let r = ModelRegistry::shipped();
        assert!(r.all().len() >= 4);
        let fmb = r.get("rastreador-veicular").expect("vehicle model");
        assert!(
            fmb.inputs.iter().all(|rule| !rule.meaning.is_integrity()),
            "no integrity input on a vehicle"
        );
        let bracelet = r.get("tornozeleira-atalaia").expect("bracelet model");
        assert!(
            bracelet
                .inputs
                .iter()
                .any(|rule| rule.source == Source::TeltonikaIo(10_800) && rule.meaning == Meaning::StrapOpen)
        );
        // The FMB's EYE temperature of 23.5 °C (2350) on IO 10800 is no strap.
        let temperature = [Input::TeltonikaIo { id: 10_800, value: 2_350 }];
        assert!(fmb.read(&temperature).signals.is_empty());
        assert_eq!(bracelet.read(&temperature).signals, vec![Signal::StrapOpen(true)]);
    }

    #[test]
    fn an_installer_file_adds_and_replaces_models_and_bad_files_are_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("models.toml");
        std::fs::write(
            &file,
            r#"
[[model]]
id = "tornozeleira-atalaia"
name = "Tornozeleira do fornecedor X"
default_for = ["ankle_bracelet"]
inputs = [{ teltonika_io = 20019, meaning = "strap_open" }]

[[model]]
id = "tat240"
name = "Teltonika TAT240"
inputs = [{ teltonika_io = 20019, meaning = "tamper" }]
"#,
        )
        .expect("write");
        let r = ModelRegistry::load(Some(&file)).expect("load");
        assert_eq!(r.get("tornozeleira-atalaia").expect("replaced").name, "Tornozeleira do fornecedor X");
        assert!(r.get("tat240").is_some());
        std::fs::write(
            &file,
            "[[model]]\nid = \"x\"\nname = \"X\"\ninputs = [{ teltonika_io = 1, meaning = \"explode\" }]\n",
        )
        .expect("write");
        assert!(ModelRegistry::load(Some(&file)).is_err());
        std::fs::write(&file, "[[model]]\nid = \"x\"\nname = \"X\"\ndefault_for = [\"ankle_bracelet\"]\n")
            .expect("write");
        let two_defaults = ModelRegistry::load(Some(&file)).expect_err("two bracelet defaults");
        assert!(two_defaults.contains("padrão"), "{two_defaults}");
    }
}
