//! Documents on a monitored person's record (8.11.1–8.11.4, III-2.7): the court decision that
//! orders the monitoring or lifts it, the term the person signs at installation, letters and
//! service orders — scanned or born digital, kept with the record, never replaced, each reading
//! audited. What a file is comes from its first bytes, never from its name.

use crate::ids::PersonId;
use crate::wire::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The largest document accepted: a long decision scanned page by page.
pub const MAX_DOCUMENT: usize = 20 * 1024 * 1024;
/// The longest title and file name.
pub const TITLE_MAX: usize = 200;

/// What a document is, for whoever looks for it later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// The decision that orders the monitoring, changes its terms or ends it (inclusion and
    /// exclusion, 8.11.1–8.11.3).
    CourtDecision,
    /// The term of commitment the person signs when the device is fitted.
    Commitment,
    /// An official letter sent or received.
    OfficialLetter,
    /// An installation, maintenance or removal service order.
    ServiceOrder,
    Other,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 5] = [
        DocumentKind::CourtDecision,
        DocumentKind::Commitment,
        DocumentKind::OfficialLetter,
        DocumentKind::ServiceOrder,
        DocumentKind::Other,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::CourtDecision => "Decisão judicial",
            DocumentKind::Commitment => "Termo de compromisso",
            DocumentKind::OfficialLetter => "Ofício",
            DocumentKind::ServiceOrder => "Ordem de serviço",
            DocumentKind::Other => "Outro documento",
        }
    }
}

impl std::fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// A stored document: everything but the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DocumentRef {
    pub id: uuid::Uuid,
    pub person: PersonId,
    pub kind: DocumentKind,
    pub title: String,
    /// The name the file had where it came from (shown, and used to save a copy).
    pub file_name: String,
    /// `application/pdf`, `image/jpeg` or `image/png`, read from the file itself.
    pub content_type: String,
    pub size: u64,
    /// SHA-256 of the file, hex: the same file sent twice for a person is one document.
    pub sha256: String,
    pub at: DateTime<Utc>,
    /// Who attached it (display name).
    pub by: String,
}

/// What describes a document being attached (the file is the request's body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NewDocument {
    pub kind: DocumentKind,
    #[param(pattern = r"\S", max_length = 200)]
    #[schema(pattern = r"\S", max_length = 200)]
    pub title: String,
    /// Without control characters.
    #[param(
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        max_length = 200
    )]
    #[schema(
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        max_length = 200
    )]
    pub file_name: String,
}

impl NewDocument {
    /// What is wrong with the description, in Portuguese; the server refuses with it and the
    /// console checks it before sending.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        let title = self.title.trim();
        if title.is_empty() {
            out.push(FieldError::new("title", "Dê um título ao documento (ex.: Decisão de 12/03/2026)."));
        } else if title.chars().count() > TITLE_MAX {
            out.push(FieldError::new("title", &format!("O título tem mais de {TITLE_MAX} caracteres.")));
        }
        let name = self.file_name.trim();
        if name.is_empty() || name.chars().count() > TITLE_MAX || name.chars().any(char::is_control) {
            out.push(FieldError::new("file_name", "O nome do arquivo é inválido."));
        }
        out
    }
}

/// The type of a document from its first bytes: PDF, JPEG or PNG; or why it is not accepted.
pub fn sniff(bytes: &[u8]) -> Result<&'static str, String> {
    if bytes.is_empty() {
        Err("O arquivo do documento está vazio.".into())
    } else if bytes.starts_with(b"%PDF-") {
        Ok("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Ok("image/png")
    } else {
        Err("O documento deve ser um PDF ou uma imagem JPEG ou PNG (documento digitalizado).".into())
    }
}

/// The extension a copy is saved with, from the type (never the name the uploader gave).
pub fn extension(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        _ => "bin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn d8_11_1_a_document_is_known_by_its_bytes_not_its_name() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Ok("application/pdf"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok("image/jpeg"));
        assert!(sniff(b"MZ\x90\x00 a program named decisao.pdf").is_err_and(|e| e.contains("PDF")));
        assert!(sniff(b"").is_err_and(|e| e.contains("vazio")));
        assert_eq!(extension("application/pdf"), "pdf");
        assert_eq!(extension("text/html"), "bin");
    }

    #[test]
    fn d8_11_1_a_document_needs_a_title_and_a_sane_file_name() {
        let doc = |title: &str, file_name: &str| NewDocument {
            kind: DocumentKind::CourtDecision,
            title: title.into(),
            file_name: file_name.into(),
        };
        assert!(doc("Decisão de inclusão", "decisao.pdf").problems().is_empty());
        let fields = |d: NewDocument| d.problems().into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(fields(doc("  ", "decisao.pdf")), ["title"]);
        assert_eq!(fields(doc(&"x".repeat(201), "a\nb.pdf")), ["title", "file_name"]);
    }
}
