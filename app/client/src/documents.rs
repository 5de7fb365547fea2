//! Documents on a monitored person's record at the console (8.11.1–8.11.4), without a UI
//! toolkit: the attaching form's draft checked before anything is sent, the file read and known
//! by its bytes, a document's line on the record, and the name its copy is saved under.

use atalaia_core::monitoring::documents::{self, DocumentKind, DocumentRef, MAX_DOCUMENT, NewDocument};
use chrono_tz::Tz;
use std::path::{Path, PathBuf};

/// The attaching form as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    pub kind: Option<DocumentKind>,
    pub title: String,
    /// The file typed or dropped on the window.
    pub path: String,
}

impl Draft {
    /// The description to send and the file to read, or what is missing, in Portuguese.
    pub fn check(&self) -> Result<(NewDocument, PathBuf), String> {
        let kind = self.kind.ok_or("Escolha o tipo do documento.")?;
        let path = self.path.trim();
        if path.is_empty() {
            return Err("Informe o arquivo do documento (ou arraste-o para a janela).".into());
        }
        let path = PathBuf::from(path);
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let doc = NewDocument { kind, title: self.title.trim().to_owned(), file_name };
        match doc.problems().first() {
            Some(p) => Err(p.message.clone()),
            None => Ok((doc, path)),
        }
    }
}

/// Reads a document's file: its bytes, refused here (in Portuguese) when the server would refuse
/// them — too large, or not a PDF, JPEG or PNG.
pub fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("Não foi possível abrir {}: {e}.", path.display()))?
        .len();
    if size > MAX_DOCUMENT as u64 {
        return Err(format!(
            "O arquivo tem {} MiB; o limite é {} MiB.",
            size.div_ceil(1 << 20),
            MAX_DOCUMENT >> 20
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("Não foi possível ler {}: {e}.", path.display()))?;
    documents::sniff(&bytes)?;
    Ok(bytes)
}

/// Whether a file dropped on the window is a document rather than a photo (a PDF by its name:
/// a dropped image is taken as the person's photo, as before).
pub fn is_document(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
}

/// `12/03/2026 14:05:00 — Decisão judicial — Decisão de inclusão (decisao.pdf, 120 KiB) por Rafael Costa`
pub fn line(d: &DocumentRef, tz: Tz) -> String {
    format!(
        "{} — {} — {} ({}, {} KiB) por {}",
        crate::format::datetime(d.at, tz),
        d.kind.label(),
        d.title,
        d.file_name,
        d.size.div_ceil(1024),
        d.by
    )
}

/// The name a copy is saved under: the title, a piece of the id (two documents with one title
/// do not overwrite each other), and the extension of what the file is.
pub fn copy_name(d: &DocumentRef) -> String {
    let id = d.id.simple().to_string();
    let short = &id[id.len() - 8..];
    crate::record::safe_name(&format!("{}-{short}.{}", d.title, documents::extension(&d.content_type)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn doc() -> DocumentRef {
        DocumentRef {
            id: uuid::Uuid::parse_str("0193f0aa-0000-7000-8000-00000000abcd").unwrap(),
            person: atalaia_core::ids::PersonId::new(),
            kind: DocumentKind::CourtDecision,
            title: "Decisão de inclusão".into(),
            file_name: "decisao.pdf".into(),
            content_type: "application/pdf".into(),
            size: 120 * 1024,
            sha256: String::new(),
            at: chrono::Utc.with_ymd_and_hms(2026, 3, 12, 17, 5, 0).unwrap(),
            by: "Rafael Costa".into(),
        }
    }

    #[test]
    fn d8_11_1_the_form_says_what_is_missing_before_anything_is_sent() {
        let mut d = Draft::default();
        assert!(d.check().unwrap_err().contains("tipo"));
        d.kind = Some(DocumentKind::CourtDecision);
        assert!(d.check().unwrap_err().contains("arquivo"));
        d.path = "/tmp/decisao.pdf".into();
        assert!(d.check().unwrap_err().contains("título"));
        d.title = "  Decisão de inclusão ".into();
        let (new, path) = d.check().unwrap();
        assert_eq!((new.title.as_str(), new.file_name.as_str()), ("Decisão de inclusão", "decisao.pdf"));
        assert_eq!(path, PathBuf::from("/tmp/decisao.pdf"));
    }

    #[test]
    fn d8_11_1_a_file_that_is_no_document_is_refused_before_it_is_sent() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("decisao.pdf");
        std::fs::write(&fake, b"MZ a program").unwrap();
        assert!(read_file(&fake).unwrap_err().contains("PDF"));
        let real = dir.path().join("ok.pdf");
        std::fs::write(&real, b"%PDF-1.4\n%%EOF").unwrap();
        assert_eq!(read_file(&real).unwrap(), b"%PDF-1.4\n%%EOF");
        assert!(read_file(&dir.path().join("none.pdf")).unwrap_err().contains("Não foi possível abrir"));
        assert!(is_document(&real) && !is_document(Path::new("foto.JPG")));
    }

    #[test]
    fn d8_11_1_a_documents_line_and_the_name_of_its_copy() {
        let d = doc();
        assert_eq!(
            line(&d, chrono_tz::America::Sao_Paulo),
            "12/03/2026 14:05:00 — Decisão judicial — Decisão de inclusão (decisao.pdf, 120 KiB) por Rafael Costa"
        );
        assert_eq!(copy_name(&d), "Decisão_de_inclusão-0000abcd.pdf");
    }
}
