//! The call taker's draft (RFS029, RFS030, RFS115, RFS182, RFS186): what the TARM types for a call
//! — caller, phones, call type, address with its number and municipality, the place (typed
//! coordinates, a known address's point or one picked on the map), the victims — and the
//! `NewOccurrence` it becomes, with every client-side error in Portuguese keyed by the server's
//! field names. The form widgets live in the console; this is the logic they show.

use crate::model::LiveModel;
use atalaia_core::geom::LatLon;
use atalaia_core::ids::OccurrenceId;
use atalaia_core::samu::{CallType, Occurrence, Sex};
use atalaia_core::wire::{FieldError, NewOccurrence, NewVictim};
use chrono::{DateTime, Utc};

/// A victim as typed (the age is text until it is a number).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VictimDraft {
    pub name: String,
    pub sex: Option<Sex>,
    pub age: String,
    pub cpf: String,
    pub cns: String,
    pub complaint: String,
}

/// Where the call's place came from (the map shows it; RFS115).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PlaceSource {
    /// A known address's point (an earlier call at the same address).
    Known,
    /// Picked on the map.
    Map,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub phone: String,
    pub caller_name: String,
    pub call_type: CallType,
    pub address: String,
    /// The house number, kept apart so the TARM can ask for it (RFS030).
    pub number: String,
    pub municipality: String,
    /// Typed coordinates ("-19,9191 -43,9386" or "-19.9191, -43.9386"); empty when the place
    /// comes from elsewhere.
    pub coordinates: String,
    /// A place taken from a known address or the map.
    pub place: Option<(LatLon, PlaceSource)>,
    pub description: String,
    pub extra_phones: Vec<String>,
    pub victims: Vec<VictimDraft>,
}

impl Default for Draft {
    fn default() -> Self {
        Self {
            phone: String::new(),
            caller_name: String::new(),
            call_type: CallType::Atendimento,
            address: String::new(),
            number: String::new(),
            municipality: String::new(),
            coordinates: String::new(),
            place: None,
            description: String::new(),
            extra_phones: Vec::new(),
            victims: Vec::new(),
        }
    }
}

/// Reads coordinates as a TARM types them: latitude then longitude, decimal degrees, with a
/// point or a Brazilian decimal comma, separated by a space, a semicolon or (with decimal
/// points) a comma.
pub fn parse_coordinates(raw: &str) -> Result<LatLon, &'static str> {
    const HOW: &str = "Coordenadas: informe latitude e longitude em graus decimais, ex.: -19,9191 -43,9386.";
    let raw = raw.trim();
    let parts: Vec<&str> = if raw.contains(';') {
        raw.split(';').collect()
    } else if raw.split_whitespace().count() == 2 {
        raw.split_whitespace().map(|p| p.trim_end_matches(',')).collect()
    } else if raw.matches(',').count() == 1 && raw.split(',').all(|p| p.contains('.')) {
        raw.split(',').collect()
    } else {
        return Err(HOW);
    };
    let [lat, lon] = parts[..] else { return Err(HOW) };
    let number = |s: &str| s.trim().replace(',', ".").parse::<f64>().map_err(|_| HOW);
    let at = LatLon { lat: number(lat)?, lon: number(lon)? };
    if at.validate().is_err() {
        return Err("Coordenadas fora dos limites válidos (latitude −90 a 90, longitude −180 a 180).");
    }
    Ok(at)
}

impl Draft {
    /// The call's place: typed coordinates win over a suggested or picked point.
    pub fn location(&self) -> Result<Option<LatLon>, &'static str> {
        if self.coordinates.trim().is_empty() {
            return Ok(self.place.map(|(at, _)| at));
        }
        parse_coordinates(&self.coordinates).map(Some)
    }

    /// The address as the server stores it: street, then the number when given.
    pub fn full_address(&self) -> String {
        let (street, number) = (self.address.trim(), self.number.trim());
        if number.is_empty() { street.to_owned() } else { format!("{street}, {number}") }
    }

    /// The command this draft would send as call `id` (answered at `call_started_at`, RFS032),
    /// handed to the regulator as it is registered, and what is wrong with it (the server's own
    /// checks plus what only the form knows: unreadable coordinates or ages).
    pub fn to_new(
        &self,
        id: OccurrenceId,
        call_started_at: Option<DateTime<Utc>>,
    ) -> (NewOccurrence, Vec<FieldError>) {
        let mut errors = Vec::new();
        let location = self.location().unwrap_or_else(|e| {
            errors.push(FieldError::new("location", e));
            None
        });
        let kept: Vec<usize> =
            (0..self.extra_phones.len()).filter(|&i| !self.extra_phones[i].trim().is_empty()).collect();
        let victims = self
            .victims
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let age = v.age.trim();
                let age_years = if age.is_empty() {
                    None
                } else {
                    let parsed = age.parse::<u32>().ok();
                    if parsed.is_none() {
                        errors.push(FieldError::new(
                            &format!("victims[{i}].age_years"),
                            "Idade: informe anos inteiros (ex.: 42).",
                        ));
                    }
                    parsed
                };
                NewVictim {
                    name: v.name.trim().to_owned(),
                    sex: v.sex,
                    age_years,
                    cpf: v.cpf.trim().to_owned(),
                    cns: v.cns.trim().to_owned(),
                    complaint: v.complaint.trim().to_owned(),
                }
            })
            .collect();
        let new = NewOccurrence {
            id: Some(id),
            call_type: self.call_type,
            caller_name: self.caller_name.trim().to_owned(),
            caller_phone: self.phone.trim().to_owned(),
            address: self.full_address(),
            municipality: self.municipality.trim().to_owned(),
            location,
            description: self.description.trim().to_owned(),
            extra_phones: kept.iter().map(|&i| self.extra_phones[i].trim().to_owned()).collect(),
            victims,
            call_started_at,
            hand_off: true,
        };
        // Blank phones are not sent: an error about the n-th phone sent is about the form's row
        // `kept[n]`.
        errors.extend(new.validate().into_iter().map(|mut e| {
            if let Some(n) = e.field.strip_prefix("extra_phones[").and_then(|r| r.strip_suffix(']'))
                && let Some(row) = n.parse::<usize>().ok().and_then(|n| kept.get(n))
            {
                e.field = format!("extra_phones[{row}]");
            }
            e
        }));
        (new, errors)
    }

    /// Takes what an earlier call recorded (RFS182): caller, address, municipality and place; the
    /// complaint and the victims are this call's own.
    pub fn reuse(&mut self, earlier: &Occurrence) {
        self.caller_name = earlier.caller_name.clone();
        let (street, number) = split_number(&earlier.address);
        self.address = street;
        self.number = number;
        self.municipality = earlier.municipality.clone();
        self.coordinates.clear();
        self.place = earlier.location.map(|at| (at, PlaceSource::Known));
        for p in std::iter::once(&earlier.caller_phone).chain(&earlier.extra_phones) {
            if phone_digits(p) != phone_digits(&self.phone)
                && !self.extra_phones.iter().any(|x| phone_digits(x) == phone_digits(p))
            {
                self.extra_phones.push(p.clone());
            }
        }
    }
}

/// "Rua A, 120" → ("Rua A", "120"); an address without a trailing number stays whole.
pub fn split_number(address: &str) -> (String, String) {
    match address.rsplit_once(',') {
        Some((street, n))
            if !n.trim().is_empty() && n.trim().chars().next().is_some_and(|c| c.is_ascii_digit()) =>
        {
            (street.trim().to_owned(), n.trim().to_owned())
        }
        _ => (address.trim().to_owned(), String::new()),
    }
}

/// Digits of a phone number without the country code, for matching a caller's earlier calls.
pub fn phone_digits(raw: &str) -> String {
    let d: String = raw.chars().filter(char::is_ascii_digit).collect();
    match d.strip_prefix("55") {
        Some(rest) if rest.len() >= 10 => rest.to_owned(),
        _ => d,
    }
}

/// Earlier calls from this number, newest first (RFS182, RFS186: the caller's history as soon
/// as the number is known).
pub fn earlier_calls<'a>(model: &'a LiveModel, phone: &str) -> Vec<&'a Occurrence> {
    let digits = phone_digits(phone);
    if digits.len() < 10 {
        return Vec::new();
    }
    let mut calls: Vec<&Occurrence> = model
        .occurrences
        .values()
        .filter(|o| {
            phone_digits(&o.caller_phone) == digits
                || o.extra_phones.iter().any(|p| phone_digits(p) == digits)
        })
        .collect();
    calls.sort_by_key(|o| std::cmp::Reverse(o.created_at));
    calls
}

/// A known address the TARM may take (RFS030): an earlier call's address, municipality and point.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownAddress {
    pub address: String,
    pub municipality: String,
    pub location: Option<LatLon>,
}

/// Up to three known addresses starting with what was typed (three letters at least), newest
/// first, one per address and municipality — the one with a point when any has it.
pub fn address_suggestions(model: &LiveModel, typed: &str) -> Vec<KnownAddress> {
    let typed = typed.trim().to_lowercase();
    if typed.chars().count() < 3 {
        return Vec::new();
    }
    let mut known: Vec<&Occurrence> = model.occurrences.values().collect();
    known.sort_by_key(|o| std::cmp::Reverse(o.created_at));
    let mut out: Vec<KnownAddress> = Vec::new();
    for o in known {
        let a = o.address.trim();
        if !a.to_lowercase().starts_with(&typed) || a.to_lowercase() == typed {
            continue;
        }
        let full = out.len() == 3;
        match out.iter_mut().find(|k| k.address == a && k.municipality == o.municipality) {
            Some(k) => k.location = k.location.or(o.location),
            None if !full => out.push(KnownAddress {
                address: a.to_owned(),
                municipality: o.municipality.clone(),
                location: o.location,
            }),
            None => {}
        }
    }
    out
}

/// What the configured geocoder asks for while the TARM types: the street as typed (four letters
/// at least) and, when given, the municipality; `None` when there is not enough to ask.
pub fn geocoder_query(address: &str, municipality: &str) -> Option<String> {
    let address = address.trim();
    if address.chars().count() < 4 {
        return None;
    }
    Some(match municipality.trim() {
        "" => address.to_owned(),
        m => format!("{address}, {m}"),
    })
}

/// The geocoder's places on a street, as addresses the TARM may take (RFS030): up to three, one
/// per street and municipality, with their point; the municipality typed when the geocoder names
/// none.
pub fn geocoded_addresses(places: &[crate::geocoder::Place], typed_municipality: &str) -> Vec<KnownAddress> {
    let mut out: Vec<KnownAddress> = Vec::new();
    for p in places {
        let Some(street) = &p.street else { continue };
        let municipality = p.municipality.clone().unwrap_or_else(|| typed_municipality.trim().to_owned());
        if out.len() < 3 && !out.iter().any(|k| &k.address == street && k.municipality == municipality) {
            out.push(KnownAddress { address: street.clone(), municipality, location: Some(p.at) });
        }
    }
    out
}

#[cfg(test)]
mod tests;
