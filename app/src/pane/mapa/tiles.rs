//! Raster tiles for the map (issue 7 item 2, 16.2.4): one [`Tiles`] per source (street,
//! satellite). Tiles come through `atalaia_client::tiles::TileSource` (MBTiles cache first, then
//! the configured URL), are fetched on the async runtime a few at a time, decoded off the
//! interface thread, and kept decoded (least recently used dropped first). A tile that is not
//! there yet is drawn from the nearest lower zoom already decoded, and the embedded base map is
//! always under both: the map is never blank.

use atalaia_client::tiles::{MbTiles, TileError, TileSource};
use atalaia_core::mercator::{TileId, View};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tiny_skia::Pixmap;

/// Decoded tiles kept: 256 × 256 × 4 bytes each, ~64 MB at most.
const KEEP: usize = 256;
/// Fetches at a time per source (tile servers ask for few; the cache answers in microseconds).
const PARALLEL: usize = 6;
/// A tile that could not be had is not asked for again before this.
const RETRY_AFTER: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Inner {
    decoded: HashMap<TileId, (Arc<Pixmap>, u64)>,
    pending: HashSet<TileId>,
    /// Tiles that could not be had, and until when they are not asked for again.
    failed: HashMap<TileId, Instant>,
    /// How many tiles the last view needed.
    wanted: usize,
    clock: u64,
    in_flight: usize,
    /// Wanted but waiting for a free fetch slot, newest view's tiles last.
    queue: Vec<TileId>,
}

impl Inner {
    fn touch(&mut self, t: TileId) -> Option<Arc<Pixmap>> {
        self.clock += 1;
        let clock = self.clock;
        self.decoded.get_mut(&t).map(|(p, used)| {
            *used = clock;
            Arc::clone(p)
        })
    }

    fn insert(&mut self, t: TileId, p: Pixmap) {
        self.clock += 1;
        self.decoded.insert(t, (Arc::new(p), self.clock));
        // Never fewer than twice what the last view needed (a wall display is wide).
        let keep = KEEP.max(2 * self.wanted);
        if self.decoded.len() > keep {
            let mut by_age: Vec<(u64, TileId)> = self.decoded.iter().map(|(t, (_, u))| (*u, *t)).collect();
            by_age.sort_unstable();
            for (_, t) in by_age.into_iter().take(self.decoded.len() - keep) {
                self.decoded.remove(&t);
            }
        }
    }
}

/// One tile source as the map uses it.
#[derive(Clone)]
pub struct Tiles {
    source: Arc<TileSource>,
    inner: Arc<Mutex<Inner>>,
    ready: Arc<tokio::sync::Notify>,
    runtime: Option<tokio::runtime::Handle>,
    /// Shown in the corner of the map (tile providers require it).
    pub attribution: String,
}

impl std::fmt::Debug for Tiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tiles").field("attribution", &self.attribution).finish_non_exhaustive()
    }
}

impl Tiles {
    /// A source fetching from `template` (XYZ URL) into the MBTiles cache at `cache`, or — with
    /// no template — serving only what `cache` holds (an imported operator pack).
    pub fn open(template: Option<&str>, cache: &Path, attribution: &str) -> Result<Self, TileError> {
        if let Some(dir) = cache.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let file = MbTiles::open(cache)?;
        let attribution = if attribution.is_empty() {
            file.metadata("attribution")?.unwrap_or_default()
        } else {
            attribution.to_owned()
        };
        let source = match template {
            Some(t) => TileSource::new(t, file)?,
            None => TileSource::offline(file),
        };
        Ok(Self {
            source: Arc::new(source),
            inner: Arc::default(),
            ready: Arc::new(tokio::sync::Notify::new()),
            runtime: tokio::runtime::Handle::try_current().ok(),
            attribution,
        })
    }

    /// Notified whenever a tile arrives.
    pub fn ready(&self) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.ready)
    }

    /// The decoded tiles to draw `view`, lower zooms first: for every tile of the view the tile
    /// itself or, until it arrives, its nearest decoded ancestor. Missing tiles are asked for.
    pub fn for_view(&self, view: &View) -> Vec<(TileId, Arc<Pixmap>)> {
        let (_, wanted) = view.tiles();
        let mut out: Vec<(TileId, Arc<Pixmap>)> = Vec::new();
        let mut missing = Vec::new();
        {
            let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            inner.wanted = wanted.len();
            for t in &wanted {
                if let Some(p) = inner.touch(*t) {
                    out.push((*t, p));
                    continue;
                }
                missing.push(*t);
                let mut a = *t;
                while a.z > 0 {
                    a = a.parent();
                    if let Some(p) = inner.touch(a) {
                        if !out.iter().any(|(o, _)| *o == a) {
                            out.push((a, p));
                        }
                        break;
                    }
                }
            }
        }
        out.sort_by_key(|(t, _)| t.z);
        if !missing.is_empty() {
            self.request(missing);
        }
        out
    }

    fn request(&self, tiles: Vec<TileId>) {
        let Some(runtime) = self.runtime.clone().or_else(|| tokio::runtime::Handle::try_current().ok())
        else {
            return;
        };
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        inner.failed.retain(|_, until| *until > now);
        // The newest view's tiles replace what an older view still waited for.
        inner.queue.clear();
        for t in tiles {
            if !inner.pending.contains(&t) && !inner.failed.contains_key(&t) {
                inner.queue.push(t);
            }
        }
        while inner.in_flight < PARALLEL {
            let Some(t) = inner.queue.pop() else { break };
            inner.pending.insert(t);
            inner.in_flight += 1;
            runtime.spawn(fetch(self.clone(), t));
        }
    }
}

/// Fetches (or falls back for) one tile, decodes it, then the next queued ones, one after the
/// other in this task.
async fn fetch(tiles: Tiles, first: TileId) {
    let mut next = Some(first);
    while let Some(t) = next {
        let got = tiles.source.tile_or_ancestor(t).await;
        let decoded = match got {
            Ok(Some((found, data))) => {
                tokio::task::spawn_blocking(move || decode(&data).map(|p| (found, p))).await.ok().flatten()
            }
            Ok(None) => None,
            Err(e) => {
                tracing::debug!(?t, "tile: {e}");
                None
            }
        };
        next = {
            let mut inner = tiles.inner.lock().unwrap_or_else(PoisonError::into_inner);
            inner.pending.remove(&t);
            let until = Instant::now() + RETRY_AFTER;
            match decoded {
                Some((found, pixmap)) => {
                    if found != t {
                        // Only a lower zoom was there: stop asking for this one for a while.
                        inner.failed.insert(t, until);
                    }
                    inner.insert(found, pixmap);
                }
                None => {
                    inner.failed.insert(t, until);
                }
            }
            let next = inner.queue.pop();
            match next {
                Some(n) => {
                    inner.pending.insert(n);
                }
                None => inner.in_flight -= 1,
            }
            next
        };
        tiles.ready.notify_one();
    }
}

/// PNG or JPEG bytes to premultiplied RGBA.
fn decode(data: &[u8]) -> Option<Pixmap> {
    let img = image::load_from_memory(data).map_err(|e| tracing::debug!("tile image: {e}")).ok()?.to_rgba8();
    let (w, h) = img.dimensions();
    let mut raw = img.into_raw();
    for px in raw.chunks_exact_mut(4) {
        let a = u16::from(px[3]);
        if a < 255 {
            for c in &mut px[..3] {
                *c = ((u16::from(*c) * a + 127) / 255) as u8;
            }
        }
    }
    Pixmap::from_vec(raw, tiny_skia::IntSize::from_wh(w, h)?)
}
