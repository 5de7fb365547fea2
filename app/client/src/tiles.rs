//! Map tiles for the console (issue 7, 16.2.4): XYZ raster tiles fetched from a configured URL
//! and kept in an MBTiles file (SQLite, the MBTiles 1.3 schema) so they are there offline; an
//! operator-supplied `.mbtiles` file is read the same way. A missing tile falls back to the
//! nearest lower zoom that has one, never to a blank map.

use atalaia_core::mercator::TileId;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TileError {
    #[error("cache de mapas: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("servidor de mapas: {0}")]
    Network(String),
    #[error("servidor de mapas respondeu {0}")]
    Status(u16),
    #[error("{0}")]
    Invalid(String),
    #[error("sem servidor de mapas configurado")]
    Offline,
}

/// What an import brought in.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub tiles: u64,
    pub min_zoom: u8,
    pub max_zoom: u8,
    pub format: String,
}

/// An MBTiles file: tiles by zoom, column and TMS row, plus name/value metadata.
pub struct MbTiles {
    conn: Connection,
}

impl std::fmt::Debug for MbTiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MbTiles").finish_non_exhaustive()
    }
}

impl MbTiles {
    /// Opens (creating if needed) an MBTiles file. A file made elsewhere keeps its tables.
    pub fn open(path: &Path) -> Result<Self, TileError> {
        let conn = crate::sqlite::open(path, |conn| {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS metadata (name TEXT NOT NULL, value TEXT);
                 CREATE TABLE IF NOT EXISTS tiles (zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL,
                     tile_row INTEGER NOT NULL, tile_data BLOB NOT NULL);
                 CREATE UNIQUE INDEX IF NOT EXISTS tile_index ON tiles (zoom_level, tile_column, tile_row);",
            )
        })?;
        Ok(Self { conn })
    }

    pub fn get(&self, t: TileId) -> Result<Option<Vec<u8>>, TileError> {
        Ok(self
            .conn
            .query_row(
                "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
                params![t.z, t.x, t.tms_row()],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn put(&self, t: TileId, data: &[u8]) -> Result<(), TileError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?1, ?2, ?3, ?4)",
            params![t.z, t.x, t.tms_row(), data],
        )?;
        Ok(())
    }

    /// `t` itself or, failing that, the nearest lower zoom's tile covering it (to be drawn
    /// scaled up), with the tile it is.
    pub fn best(&self, t: TileId) -> Result<Option<(TileId, Vec<u8>)>, TileError> {
        let mut tile = t;
        loop {
            if let Some(data) = self.get(tile)? {
                return Ok(Some((tile, data)));
            }
            if tile.z == 0 {
                return Ok(None);
            }
            tile = tile.parent();
        }
    }

    /// Copies every tile of an operator-supplied MBTiles file into this one (a tile already
    /// here is replaced), after checking it is an MBTiles file of raster tiles the console can
    /// draw (PNG or JPEG). Nothing is copied when the check fails.
    pub fn import(&self, from: &Path) -> Result<Imported, TileError> {
        let invalid = |why: String| TileError::Invalid(format!("{}: {why}", from.display()));
        if !from.is_file() {
            return Err(invalid("arquivo não encontrado".into()));
        }
        let src = Connection::open_with_flags(from, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| invalid(format!("não é um banco SQLite ({e})")))?;
        let has = |name: &str| -> Result<bool, TileError> {
            Ok(src
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE name = ?1 AND type IN ('table', 'view')",
                    [name],
                    |r| r.get::<_, i64>(0),
                )
                .map_err(|e| invalid(format!("não é um banco SQLite ({e})")))?
                > 0)
        };
        if !has("tiles")? || !has("metadata")? {
            return Err(invalid("não é um arquivo MBTiles (faltam as tabelas tiles/metadata)".into()));
        }
        let format: Option<String> =
            src.query_row("SELECT value FROM metadata WHERE name = 'format'", [], |r| r.get(0)).optional()?;
        let format = format.unwrap_or_else(|| "png".into()).to_ascii_lowercase();
        if !matches!(format.as_str(), "png" | "jpg" | "jpeg") {
            return Err(invalid(format!(
                "formato \"{format}\" não suportado: o console desenha mosaicos raster PNG ou JPEG"
            )));
        }
        let (count, min, max): (i64, Option<i64>, Option<i64>) =
            src.query_row("SELECT count(*), min(zoom_level), max(zoom_level) FROM tiles", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        let (Some(min_zoom), Some(max_zoom)) = (min, max) else {
            return Err(invalid("o arquivo não tem nenhum mosaico".into()));
        };
        if min_zoom < 0 || max_zoom > i64::from(atalaia_core::mercator::MAX_ZOOM) {
            return Err(invalid(format!("nível de zoom {max_zoom} fora do intervalo 0–19")));
        }
        drop(src);
        self.conn.execute("ATTACH DATABASE ?1 AS src", [from.to_string_lossy()])?;
        let copied = (|| -> Result<(), TileError> {
            let tx = self.conn.unchecked_transaction()?;
            tx.execute(
                "INSERT OR REPLACE INTO main.tiles (zoom_level, tile_column, tile_row, tile_data)
                 SELECT zoom_level, tile_column, tile_row, tile_data FROM src.tiles",
                [],
            )?;
            for name in ["name", "attribution", "bounds", "format"] {
                let value: Option<String> = tx
                    .query_row("SELECT value FROM src.metadata WHERE name = ?1", [name], |r| r.get(0))
                    .optional()?;
                if let Some(value) = value {
                    tx.execute("DELETE FROM main.metadata WHERE name = ?1", [name])?;
                    tx.execute("INSERT INTO main.metadata (name, value) VALUES (?1, ?2)", [name, &value])?;
                }
            }
            tx.commit()?;
            Ok(())
        })();
        self.conn.execute("DETACH DATABASE src", [])?;
        copied?;
        Ok(Imported { tiles: count as u64, min_zoom: min_zoom as u8, max_zoom: max_zoom as u8, format })
    }

    pub fn metadata(&self, name: &str) -> Result<Option<String>, TileError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM metadata WHERE name = ?1", [name], |r| r.get(0))
            .optional()?)
    }

    pub fn set_metadata(&self, name: &str, value: &str) -> Result<(), TileError> {
        self.conn.execute("DELETE FROM metadata WHERE name = ?1", [name])?;
        self.conn.execute("INSERT INTO metadata (name, value) VALUES (?1, ?2)", [name, value])?;
        Ok(())
    }
}

/// Tiles from an XYZ URL template (`https://…/{z}/{x}/{y}.png`), cached in MBTiles: a tile
/// fetched once is served from the file afterwards, with or without a network.
#[derive(Clone)]
pub struct TileSource {
    /// None: an offline source, only what the file holds (an imported operator pack).
    template: Option<String>,
    http: reqwest::Client,
    cache: Arc<Mutex<MbTiles>>,
}

impl TileSource {
    pub fn new(template: &str, cache: MbTiles) -> Result<Self, TileError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("Atalaia/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TileError::Network(e.to_string()))?;
        Ok(Self { template: Some(template.to_owned()), http, cache: Arc::new(Mutex::new(cache)) })
    }

    /// A source that never goes to the network: the tiles of `cache` only.
    pub fn offline(cache: MbTiles) -> Self {
        Self { template: None, http: reqwest::Client::new(), cache: Arc::new(Mutex::new(cache)) }
    }

    pub fn url(&self, t: TileId) -> Option<String> {
        Some(
            self.template
                .as_ref()?
                .replace("{z}", &t.z.to_string())
                .replace("{x}", &t.x.to_string())
                .replace("{y}", &t.y.to_string()),
        )
    }

    /// `t` if it can be had (cache, then network), otherwise the nearest lower zoom's tile in
    /// the cache that covers it, with the tile it is; `None` when not even zoom 0 is there.
    pub async fn tile_or_ancestor(&self, t: TileId) -> Result<Option<(TileId, Vec<u8>)>, TileError> {
        match self.tile(t).await {
            Ok(data) => Ok(Some((t, data))),
            Err(TileError::Store(e)) => Err(TileError::Store(e)),
            Err(_) if t.z == 0 => Ok(None),
            Err(_) => self.cache.lock().unwrap_or_else(PoisonError::into_inner).best(t.parent()),
        }
    }

    fn cached(&self, t: TileId) -> Result<Option<Vec<u8>>, TileError> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner).get(t)
    }

    /// The tile: from the cache when it is there, otherwise fetched and stored.
    pub async fn tile(&self, t: TileId) -> Result<Vec<u8>, TileError> {
        if let Some(data) = self.cached(t)? {
            return Ok(data);
        }
        let url = self.url(t).ok_or(TileError::Offline)?;
        let resp = self.http.get(url).send().await.map_err(|e| TileError::Network(e.to_string()))?;
        if !resp.status().is_success() {
            return Err(TileError::Status(resp.status().as_u16()));
        }
        let data = resp.bytes().await.map_err(|e| TileError::Network(e.to_string()))?.to_vec();
        // An error page answered with 200 (a captive portal, a proxy) is not a tile: it must not
        // be kept and served from the cache for ever.
        if !(data.starts_with(b"\x89PNG") || data.starts_with(&[0xff, 0xd8, 0xff])) {
            return Err(TileError::Invalid(
                "o servidor de mapas não respondeu com uma imagem PNG ou JPEG".into(),
            ));
        }
        self.cache.lock().unwrap_or_else(PoisonError::into_inner).put(t, &data)?;
        Ok(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A fresh directory (removed with the guard) and an MBTiles path in it.
    fn temp_file() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("cache.mbtiles");
        (dir, path)
    }

    #[test]
    fn tiles_and_metadata_round_trip_in_tms_rows() {
        let (_dir, path) = temp_file();
        let t = TileId { z: 12, x: 1548, y: 2279 };
        {
            let m = MbTiles::open(&path).expect("open");
            m.put(t, b"png bytes").expect("put");
            m.set_metadata("name", "Belo Horizonte").expect("meta");
            m.set_metadata("name", "BH").expect("meta replaced");
        }
        // Reopened: still there; stored as TMS (row counted from the south), as MBTiles readers expect.
        let m = MbTiles::open(&path).expect("reopen");
        assert_eq!(m.get(t).expect("get").as_deref(), Some(&b"png bytes"[..]));
        assert_eq!(m.metadata("name").expect("meta").as_deref(), Some("BH"));
        let row: u32 = m
            .conn
            .query_row("SELECT tile_row FROM tiles WHERE zoom_level = 12 AND tile_column = 1548", [], |r| {
                r.get(0)
            })
            .expect("raw row");
        assert_eq!(row, 4095 - 2279);
        assert_eq!(m.get(TileId { z: 12, x: 1548, y: 2280 }).expect("get"), None);
    }

    #[test]
    fn a_missing_tile_falls_back_to_the_nearest_lower_zoom() {
        let (_dir, path) = temp_file();
        let m = MbTiles::open(&path).expect("open");
        let t = TileId { z: 12, x: 1548, y: 2279 };
        assert_eq!(m.best(t).expect("best"), None, "an empty cache has nothing");
        let z9 = t.parent().parent().parent();
        m.put(z9, b"z9").expect("put");
        m.put(TileId { z: 0, x: 0, y: 0 }, b"world").expect("put");
        assert_eq!(m.best(t).expect("best"), Some((z9, b"z9".to_vec())));
        m.put(t, b"z12").expect("put");
        assert_eq!(m.best(t).expect("best"), Some((t, b"z12".to_vec())));
    }

    /// A one-tile HTTP server on 127.0.0.1 that counts requests and can be stopped.
    async fn tile_server() -> (String, tokio::task::JoinHandle<()>, Arc<std::sync::atomic::AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        let task = tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut buf = [0u8; 2048];
                let _ = s.read(&mut buf).await;
                let body = b"\x89PNG tile";
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(head.as_bytes()).await;
                let _ = s.write_all(body).await;
            }
        });
        (format!("http://{addr}/{{z}}/{{x}}/{{y}}.png"), task, hits)
    }

    #[tokio::test]
    async fn a_tile_fetched_once_is_served_from_the_cache_with_the_network_gone() {
        let (template, server, hits) = tile_server().await;
        let (_dir, path) = temp_file();
        let source = TileSource::new(&template, MbTiles::open(&path).expect("open")).expect("source");
        let t = TileId { z: 15, x: 12391, y: 18236 };
        assert_eq!(source.url(t), Some(template.replace("{z}/{x}/{y}", "15/12391/18236")));
        assert_eq!(source.tile(t).await.expect("fetched"), b"\x89PNG tile");
        assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
        // The server goes away: the port refuses connections.
        server.abort();
        let _ = server.await;
        assert_eq!(source.tile(t).await.expect("from the cache"), b"\x89PNG tile");
        // A tile never fetched cannot come from anywhere: a clear error, no panic.
        let other = TileId { z: 15, x: 12392, y: 18236 };
        assert!(matches!(source.tile(other).await, Err(TileError::Network(_))));
        // ... but its parent's area is: the map shows the lower zoom scaled up, never a blank.
        assert_eq!(
            source.tile_or_ancestor(t.children()[2]).await.expect("ancestor"),
            Some((t, b"\x89PNG tile".to_vec()))
        );
    }

    #[tokio::test]
    async fn an_offline_source_serves_its_file_and_never_the_network() {
        let (_dir, path) = temp_file();
        let m = MbTiles::open(&path).expect("open");
        let t = TileId { z: 3, x: 2, y: 4 };
        m.put(t, b"z3").expect("put");
        let source = TileSource::offline(m);
        assert_eq!(source.url(t), None);
        assert_eq!(source.tile(t).await.expect("cached"), b"z3");
        assert!(matches!(source.tile(t.children()[0]).await, Err(TileError::Offline)));
        assert_eq!(
            source.tile_or_ancestor(t.children()[0]).await.expect("fallback"),
            Some((t, b"z3".to_vec()))
        );
        assert_eq!(source.tile_or_ancestor(TileId { z: 3, x: 0, y: 0 }).await.expect("none"), None);
    }

    #[test]
    fn an_operator_pack_is_imported_and_a_bad_file_is_refused_whole() {
        let dir = tempfile::tempdir().expect("dir");
        let pack = dir.path().join("pack.mbtiles");
        {
            let p = MbTiles::open(&pack).expect("pack");
            p.set_metadata("format", "png").expect("meta");
            p.set_metadata("name", "RMBH ruas").expect("meta");
            for t in [TileId { z: 10, x: 387, y: 569 }, TileId { z: 11, x: 774, y: 1139 }] {
                p.put(t, format!("tile {t:?}").as_bytes()).expect("put");
            }
        }
        let cache = MbTiles::open(&dir.path().join("cache.mbtiles")).expect("cache");
        let old = TileId { z: 11, x: 774, y: 1139 };
        cache.put(old, b"stale").expect("put");
        let report = cache.import(&pack).expect("imported");
        assert_eq!(report, Imported { tiles: 2, min_zoom: 10, max_zoom: 11, format: "png".into() });
        assert_eq!(cache.get(old).expect("get").as_deref(), Some(format!("tile {old:?}").as_bytes()));
        assert_eq!(cache.metadata("name").expect("meta").as_deref(), Some("RMBH ruas"));

        // Vector tiles, a text file, a missing file: refused with the reason, nothing copied.
        let vector = dir.path().join("vector.mbtiles");
        {
            let v = MbTiles::open(&vector).expect("vector");
            v.set_metadata("format", "pbf").expect("meta");
            v.put(TileId { z: 1, x: 0, y: 0 }, b"pbf").expect("put");
        }
        let err = cache.import(&vector).expect_err("pbf refused").to_string();
        assert!(err.contains("\"pbf\" não suportado"), "{err}");
        assert_eq!(cache.get(TileId { z: 1, x: 0, y: 0 }).expect("get"), None);
        let text = dir.path().join("notes.mbtiles");
        std::fs::write(&text, "not a database at all, just some text that is long enough").expect("write");
        assert!(cache.import(&text).is_err());
        let err = cache.import(&dir.path().join("missing.mbtiles")).expect_err("missing").to_string();
        assert!(err.contains("arquivo não encontrado"), "{err}");
        // The cache still works after the failed imports.
        assert_eq!(cache.best(TileId { z: 12, x: 1548, y: 2279 }).expect("best").map(|(t, _)| t), Some(old));
    }
}
