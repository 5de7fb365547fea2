//! REST client for the backend. Errors carry the server's problem details so the console can show
//! the Portuguese message next to the field that caused it.

use atalaia_core::alarm::Alarm;
use atalaia_core::ids::AlarmId;
use atalaia_core::samu::Occurrence;
use atalaia_core::wire::{AlarmAction, LoginRequest, LoginResponse, NewOccurrence, Problem};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;
use thiserror::Error;

#[derive(Debug, Clone, Error)]
pub enum ApiError {
    /// The server could not be reached (network down, server stopped).
    #[error("sem conexão com o servidor: {0}")]
    Network(String),
    /// The server refused the request and said why.
    #[error("{}", .0.detail.clone().unwrap_or_else(|| .0.title.clone()))]
    Problem(Box<Problem>),
    /// The server answered something this client does not understand.
    #[error("resposta inesperada do servidor: {0}")]
    Decode(String),
    /// Something on this workstation failed (the outbox file), already worded for a person.
    #[error("{0}")]
    Local(String),
}

impl ApiError {
    /// The message to show a person.
    pub fn user_message(&self) -> String {
        match self {
            // The fields' own messages say what to fix; the title alone would not.
            ApiError::Problem(p) if !p.errors.is_empty() => {
                p.errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" ")
            }
            _ => self.to_string(),
        }
    }
}

#[derive(Clone)]
pub struct Api {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The bearer token stays out of logs.
        f.debug_struct("Api")
            .field("base", &self.base)
            .field("token", &self.token.as_ref().map(|_| "…"))
            .finish()
    }
}

/// A name (a group's, a rule's) as one segment of a request's path: spaces, slashes and
/// accents percent-encoded, so "Medida protetiva" or "Zona Sul/Norte" reach the server whole.
pub fn segment(s: &str) -> String {
    let mut url = reqwest::Url::parse("http://x/").expect("a fixed, valid URL");
    if let Ok(mut path) = url.path_segments_mut() {
        path.clear().push(s);
    }
    url.path().trim_start_matches('/').to_owned()
}

impl Api {
    /// `base` is the server root, e.g. `http://127.0.0.1:8080`.
    pub fn new(base: &str) -> Result<Self, ApiError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| ApiError::Network(e.to_string()))?;
        Ok(Self { base: base.trim_end_matches('/').to_owned(), http, token: None })
    }

    pub fn with_token(mut self, token: String) -> Self {
        self.token = Some(token);
        self
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}{}", self.base, atalaia_core::wire::API_PREFIX, path)
    }

    async fn send<T: DeserializeOwned>(&self, req: reqwest::RequestBuilder) -> Result<T, ApiError> {
        let req = match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        let resp = req.send().await.map_err(|e| ApiError::Network(e.to_string()))?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| ApiError::Network(e.to_string()))?;
        if status.is_success() {
            serde_json::from_slice(&bytes).map_err(|e| ApiError::Decode(e.to_string()))
        } else {
            match serde_json::from_slice::<Problem>(&bytes) {
                Ok(p) => Err(ApiError::Problem(Box::new(p))),
                Err(_) => Err(ApiError::Decode(format!("HTTP {status}"))),
            }
        }
    }

    /// Sends one outbox command named by its id (`Idempotency-Key`): the server applies it once
    /// and answers a resend with the first answer. Returns the answer and whether it was such a
    /// replay.
    pub async fn command(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &serde_json::Value,
        key: uuid::Uuid,
    ) -> Result<(serde_json::Value, bool), ApiError> {
        let mut req =
            self.http.request(method, self.url(path)).header("Idempotency-Key", key.to_string()).json(body);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.map_err(|e| ApiError::Network(e.to_string()))?;
        let status = resp.status();
        let replayed = resp.headers().get("idempotency-replayed").is_some_and(|v| v.as_bytes() == b"true");
        let bytes = resp.bytes().await.map_err(|e| ApiError::Network(e.to_string()))?;
        if status.is_success() {
            // Applied; an answer that is not JSON does not undo that.
            Ok((serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null), replayed))
        } else {
            match serde_json::from_slice::<Problem>(&bytes) {
                Ok(p) => Err(ApiError::Problem(Box::new(p))),
                Err(_) if status.is_server_error() => Err(ApiError::Network(format!("HTTP {status}"))),
                Err(_) => Err(ApiError::Decode(format!("HTTP {status}"))),
            }
        }
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        self.send(self.http.get(self.url(path))).await
    }

    pub async fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T, ApiError> {
        self.send(self.http.post(self.url(path)).json(body)).await
    }

    pub async fn put<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T, ApiError> {
        self.send(self.http.put(self.url(path)).json(body)).await
    }

    /// Searches the audit trail (RFS173, RFS174), newest first.
    pub async fn audit(
        &self,
        q: &atalaia_core::wire::AuditQuery,
    ) -> Result<Vec<atalaia_core::wire::AuditEntry>, ApiError> {
        self.get(&crate::admin::audit_path(q)).await
    }

    /// Changes the user's own password (III-2.23); the server ends the user's other sessions.
    pub async fn change_password(&self, current: &str, new: &str) -> Result<(), ApiError> {
        let body = atalaia_core::wire::PasswordChange {
            current_password: current.to_owned(),
            new_password: new.to_owned(),
        };
        self.post_no_answer("/auth/password", &body).await
    }

    /// The users (user administration), with their profiles and permissions.
    pub async fn users(&self) -> Result<Vec<atalaia_core::wire::UserInfo>, ApiError> {
        self.get("/users").await
    }

    /// Every profile, seeded and defined (RFS169).
    pub async fn profiles(&self) -> Result<Vec<atalaia_core::auth::Profile>, ApiError> {
        self.get("/profiles").await
    }

    /// Gives `user` the profile `profile` (RFS170).
    pub async fn give_profile(
        &self,
        user: atalaia_core::ids::UserId,
        profile: &str,
    ) -> Result<atalaia_core::wire::UserInfo, ApiError> {
        self.put(
            &format!("/users/{user}/profile"),
            &atalaia_core::wire::UserProfile { profile: profile.to_owned() },
        )
        .await
    }

    /// Lifts every login block on `user`'s account, with the reason (16.3.2).
    pub async fn unlock(&self, user: atalaia_core::ids::UserId, reason: &str) -> Result<(), ApiError> {
        let body = atalaia_core::wire::Reason { reason: reason.to_owned() };
        self.post_no_answer(&format!("/users/{user}/unlock"), &body).await
    }

    /// POST whose success has no body (204).
    async fn post_no_answer<B: Serialize>(&self, path: &str, body: &B) -> Result<(), ApiError> {
        let mut req = self.http.post(self.url(path)).json(body);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.map_err(|e| ApiError::Network(e.to_string()))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        let bytes = resp.bytes().await.map_err(|e| ApiError::Network(e.to_string()))?;
        match serde_json::from_slice::<Problem>(&bytes) {
            Ok(p) => Err(ApiError::Problem(Box::new(p))),
            Err(_) => Err(ApiError::Decode(format!("HTTP {status}"))),
        }
    }

    /// Sends a photo of a monitored person (III-2.21): `content_type` `image/jpeg` or `image/png`.
    pub async fn put_photo(
        &self,
        person: atalaia_core::ids::PersonId,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<atalaia_core::monitoring::Person, ApiError> {
        let req = self
            .http
            .put(self.url(&format!("/persons/{person}/photo")))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(bytes);
        self.send(req).await
    }

    /// Attaches a document to a monitored person's record (8.11.1): the file's bytes, described
    /// by `doc`; the server reads its type from the bytes.
    pub async fn add_document(
        &self,
        person: atalaia_core::ids::PersonId,
        doc: &atalaia_core::monitoring::documents::NewDocument,
        bytes: Vec<u8>,
    ) -> Result<atalaia_core::monitoring::documents::DocumentRef, ApiError> {
        let req = self
            .http
            .post(self.url(&format!("/persons/{person}/documents")))
            .query(doc)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .timeout(Duration::from_secs(120))
            .body(bytes);
        self.send(req).await
    }

    /// A file as it is stored (an attachment, the attendance report): its bytes, untouched.
    pub async fn get_bytes(&self, path: &str) -> Result<Vec<u8>, ApiError> {
        let mut req = self.http.get(self.url(path));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.map_err(|e| ApiError::Network(e.to_string()))?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| ApiError::Network(e.to_string()))?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        match serde_json::from_slice::<Problem>(&bytes) {
            Ok(p) => Err(ApiError::Problem(Box::new(p))),
            Err(_) => Err(ApiError::Decode(format!("HTTP {status}"))),
        }
    }

    /// Creates a zone, or replaces the zone with `new.id` when `existing` (16.2.6).
    pub async fn save_zone(
        &self,
        new: &atalaia_core::wire::NewZone,
        existing: bool,
    ) -> Result<atalaia_core::monitoring::Zone, ApiError> {
        match (existing, new.id) {
            (true, Some(id)) => self.put(&format!("/zones/{id}"), new).await,
            _ => self.post("/zones", new).await,
        }
    }

    /// Fixes of a person or a device in the period, in time order (at most 10,000).
    pub async fn positions(
        &self,
        person: Option<atalaia_core::ids::PersonId>,
        device: Option<atalaia_core::ids::DeviceId>,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<atalaia_core::monitoring::Position>, ApiError> {
        let mut query = vec![
            ("from", from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            ("to", to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            ("limit", "10000".to_owned()),
        ];
        if let Some(p) = person {
            query.push(("person_id", p.to_string()));
        }
        if let Some(d) = device {
            query.push(("device_id", d.to_string()));
        }
        self.send(self.http.get(self.url("/positions")).query(&query)).await
    }

    /// Every member's track of a monitoring group in the period (16.2.26).
    pub async fn group_tracks(
        &self,
        group: &str,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<atalaia_core::investigate::PersonTrack>, ApiError> {
        let query = [
            ("group", group.to_owned()),
            ("from", from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            ("to", to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        ];
        self.send(self.http.get(self.url("/investigations/tracks")).query(&query)).await
    }

    pub async fn login(&self, username: &str, password: &str) -> Result<LoginResponse, ApiError> {
        let body = LoginRequest { username: username.to_owned(), password: password.to_owned() };
        self.post("/auth/login", &body).await
    }

    /// End the session on the server (the token stops working at once).
    pub async fn logout(&self) -> Result<(), ApiError> {
        let mut req = self.http.post(self.url("/auth/logout"));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.map_err(|e| ApiError::Network(e.to_string()))?;
        match resp.status().as_u16() {
            204 | 401 => Ok(()),
            s => Err(ApiError::Decode(format!("HTTP {s}"))),
        }
    }

    pub async fn create_occurrence(&self, new: &NewOccurrence) -> Result<Occurrence, ApiError> {
        self.post("/occurrences", new).await
    }

    pub async fn alarm_action(&self, id: AlarmId, action: &AlarmAction) -> Result<Alarm, ApiError> {
        self.post(&format!("/alarms/{id}/actions"), action).await
    }

    /// Record or redefine the regulation of an occurrence (RFS124, RFS126); the answer carries the
    /// occurrence with its change history.
    pub async fn regulate(
        &self,
        id: atalaia_core::ids::OccurrenceId,
        update: &atalaia_core::wire::RegulationUpdate,
    ) -> Result<Occurrence, ApiError> {
        self.post(&format!("/occurrences/{id}/regulation"), update).await
    }

    /// The free vehicles nearest to an occurrence, of the type the regulator chose, with ETA.
    /// The centre's intake rules (RFS003, RFS007, RFS033), for the call form.
    pub async fn intake_rules(&self) -> Result<atalaia_core::samu::intake::IntakeRules, ApiError> {
        self.get("/intake-rules").await
    }

    pub async fn recommendation(
        &self,
        id: atalaia_core::ids::OccurrenceId,
    ) -> Result<Vec<atalaia_core::samu::fleet::Candidate>, ApiError> {
        self.get(&format!("/occurrences/{id}/recommendation")).await
    }

    /// Send a vehicle to an occurrence (the fleet controller's one step).
    pub async fn dispatch(
        &self,
        new: &atalaia_core::wire::NewDispatch,
    ) -> Result<atalaia_core::samu::Dispatch, ApiError> {
        self.post("/dispatches", new).await
    }

    /// Queue a command to a device (delivery state follows on the live feed).
    pub async fn send_command(
        &self,
        device: atalaia_core::ids::DeviceId,
        kind: atalaia_core::command::CommandKind,
    ) -> Result<atalaia_core::command::DeviceCommand, ApiError> {
        let body = atalaia_core::wire::NewCommand { id: Some(atalaia_core::ids::CommandId::new()), kind };
        self.post(&format!("/devices/{device}/commands"), &body).await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_name_is_one_path_segment_whatever_it_holds() {
        assert_eq!(super::segment("Medida protetiva"), "Medida%20protetiva");
        assert_eq!(super::segment("Zona Sul/Norte"), "Zona%20Sul%2FNorte");
        assert_eq!(super::segment("Região Ávila?"), "Regi%C3%A3o%20%C3%81vila%3F");
    }
}
