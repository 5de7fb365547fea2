//! Photos of monitored people at the console (III-2.21), without a UI toolkit: a file chosen or
//! dropped by the administrator read and named by its type, and a photo from the server scaled
//! down to what a card shows.

use std::path::Path;

/// The server's limit; larger files are refused here before anything is sent.
pub const MAX_BYTES: u64 = 12 * 1024 * 1024;

/// Reads a photo file: its type (from its first bytes, not its name) and its bytes; or why it
/// cannot be sent, in Portuguese.
pub fn read_file(path: &Path) -> Result<(&'static str, Vec<u8>), String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("Não foi possível abrir {}: {e}.", path.display()))?
        .len();
    if size > MAX_BYTES {
        return Err(format!(
            "O arquivo tem {} MiB; o limite é {} MiB.",
            size.div_ceil(1 << 20),
            MAX_BYTES >> 20
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("Não foi possível ler {}: {e}.", path.display()))?;
    let kind = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        "image/png"
    } else {
        return Err("O arquivo não é uma foto JPEG ou PNG.".into());
    };
    Ok((kind, bytes))
}

/// A photo decoded and scaled to fit `max_w` × `max_h` (never enlarged): RGBA pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

pub fn thumbnail(bytes: &[u8], max_w: u32, max_h: u32) -> Result<Thumbnail, String> {
    let img = image::load_from_memory(bytes).map_err(|_| "A foto recebida não pôde ser lida.".to_owned())?;
    let img = if img.width() > max_w || img.height() > max_h {
        img.resize(max_w, max_h, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    let rgba = img.to_rgba8();
    Ok(Thumbnail { width: rgba.width(), height: rgba.height(), rgba: rgba.into_raw() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, _| image::Rgb([(x % 256) as u8, 0, 0]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).expect("encode");
        out.into_inner()
    }

    #[test]
    fn iii_2_21_a_photo_file_is_named_by_its_bytes_and_scaled_to_the_card() {
        let dir = tempfile::tempdir().expect("dir");
        let photo = dir.path().join("foto.txt");
        std::fs::write(&photo, png(900, 1200)).expect("write");
        let (kind, bytes) = read_file(&photo).expect("a PNG named .txt is still a PNG");
        assert_eq!(kind, "image/png");
        let t = thumbnail(&bytes, 240, 240).expect("decoded");
        assert_eq!((t.width, t.height, t.rgba.len()), (180, 240, 180 * 240 * 4), "aspect kept");
        let small = thumbnail(&png(100, 80), 240, 240).expect("decoded");
        assert_eq!((small.width, small.height), (100, 80), "never enlarged");

        let text = dir.path().join("foto.jpg");
        std::fs::write(&text, b"not a photo").expect("write");
        assert_eq!(read_file(&text), Err("O arquivo não é uma foto JPEG ou PNG.".into()));
        assert!(
            read_file(&dir.path().join("none.jpg"))
                .expect_err("missing")
                .starts_with("Não foi possível abrir")
        );
        assert_eq!(
            thumbnail(b"\x89PNG\r\n\x1a\nbroken", 10, 10),
            Err("A foto recebida não pôde ser lida.".into())
        );
    }
}
