//! A background thread that paints pictures (the map's markers and lines) so the interface thread
//! never waits for them (issue 6, frame time). Jobs replace each other: only the newest scene is
//! painted, a scene that was overtaken before its turn is dropped. A finished picture waits in a
//! slot with the number of the job it answers, and wakes whoever listens (`ready`).
//!
//! With 4,000 people, 1,000 calls and their trails a picture takes ~4 ms to paint; on the
//! interface thread that was a quarter of the frame budget.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

/// A finished picture and the number of the job it was painted for.
#[derive(Debug, Clone)]
pub struct Painted<P> {
    pub job: u64,
    pub picture: P,
}

struct Shared<J, P> {
    pending: Mutex<Option<(u64, J)>>,
    wake: Condvar,
    done: Mutex<Option<Painted<P>>>,
    closed: AtomicBool,
    /// A job is being painted.
    working: AtomicBool,
    /// Signalled once per finished picture (a permit is kept if nobody is waiting yet).
    ready: Arc<tokio::sync::Notify>,
}

pub struct Painter<J, P> {
    shared: Arc<Shared<J, P>>,
    thread: Option<JoinHandle<()>>,
}

impl<J, P> std::fmt::Debug for Painter<J, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Painter").finish_non_exhaustive()
    }
}

impl<J: Send + 'static, P: Send + 'static> Painter<J, P> {
    /// Starts the painting thread; `paint` turns a job into a picture (`None`: nothing to show).
    pub fn new(name: &str, paint: fn(J) -> Option<P>) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            pending: Mutex::new(None),
            wake: Condvar::new(),
            done: Mutex::new(None),
            closed: AtomicBool::new(false),
            working: AtomicBool::new(false),
            ready: Arc::new(tokio::sync::Notify::new()),
        });
        let worker = Arc::clone(&shared);
        let thread = std::thread::Builder::new().name(name.to_owned()).spawn(move || {
            loop {
                let (job, scene) = {
                    let mut pending = worker.pending.lock().unwrap_or_else(PoisonError::into_inner);
                    loop {
                        if worker.closed.load(Ordering::Acquire) {
                            return;
                        }
                        if let Some(next) = pending.take() {
                            worker.working.store(true, Ordering::Release);
                            break next;
                        }
                        pending = worker.wake.wait(pending).unwrap_or_else(PoisonError::into_inner);
                    }
                };
                // A painting that panics must not take the thread (and the map) with it.
                let painted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| paint(scene)));
                let painted = painted.unwrap_or_else(|_| {
                    tracing::error!("painting job {job} panicked; waiting for the next one");
                    None
                });
                if let Some(picture) = painted {
                    *worker.done.lock().unwrap_or_else(PoisonError::into_inner) =
                        Some(Painted { job, picture });
                }
                worker.working.store(false, Ordering::Release);
                worker.ready.notify_one();
            }
        })?;
        Ok(Self { shared, thread: Some(thread) })
    }

    /// Asks for job number `job` to be painted, replacing any job not started yet.
    pub fn request(&self, job: u64, scene: J) {
        *self.shared.pending.lock().unwrap_or_else(PoisonError::into_inner) = Some((job, scene));
        self.shared.wake.notify_one();
    }

    /// Nothing waiting and nothing being painted: a new job would start at once. (While busy, a
    /// caller can spare itself building a job that a newer one would replace anyway.)
    pub fn idle(&self) -> bool {
        !self.shared.working.load(Ordering::Acquire)
            && self.shared.pending.lock().unwrap_or_else(PoisonError::into_inner).is_none()
    }

    /// The newest finished picture, if one arrived since the last call.
    pub fn take(&self) -> Option<Painted<P>> {
        self.shared.done.lock().unwrap_or_else(PoisonError::into_inner).take()
    }

    /// Woken whenever a picture is finished.
    pub fn ready(&self) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.shared.ready)
    }
}

impl<J, P> Drop for Painter<J, P> {
    fn drop(&mut self) {
        self.shared.closed.store(true, Ordering::Release);
        // Take the lock so the worker is either waiting (and gets the signal) or will see `closed`.
        drop(self.shared.pending.lock().unwrap_or_else(PoisonError::into_inner));
        self.shared.wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced::widget::image;
    use std::time::{Duration, Instant};

    fn solid(side: u32) -> Option<image::Handle> {
        // Slow enough that requests pile up behind it.
        std::thread::sleep(Duration::from_millis(20));
        Some(image::Handle::from_rgba(side, side, vec![255; (side * side * 4) as usize]))
    }

    fn wait_for(p: &Painter<u32, image::Handle>) -> Painted<image::Handle> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(done) = p.take() {
                return done;
            }
            assert!(Instant::now() < deadline, "no picture within 5 s");
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn side(p: &Painted<image::Handle>) -> u32 {
        match &p.picture {
            image::Handle::Rgba { width, .. } => *width,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_request_comes_back_painted_with_its_number() {
        let p = Painter::new("test-painter", solid).expect("thread");
        p.request(7, 3);
        let done = wait_for(&p);
        assert_eq!(done.job, 7);
        assert_eq!(side(&done), 3);
        assert!(p.take().is_none(), "taken once");
    }

    #[test]
    fn requests_overtaken_while_painting_are_dropped_and_the_newest_wins() {
        let p = Painter::new("test-painter", solid).expect("thread");
        p.request(1, 1);
        std::thread::sleep(Duration::from_millis(5)); // job 1 is being painted
        for (job, s) in [(2, 2), (3, 3), (4, 4)] {
            p.request(job, s);
        }
        // Job 1 finishes, then only the newest pending job (4) is painted.
        let mut seen = vec![wait_for(&p).job];
        while *seen.last().expect("one") != 4 {
            seen.push(wait_for(&p).job);
        }
        assert!(seen.len() <= 2, "intermediate jobs were painted: {seen:?}");
        assert!(!seen.contains(&2) && !seen.contains(&3), "{seen:?}");
    }

    #[test]
    fn ready_is_signalled_even_if_nobody_waited_yet() {
        let p = Painter::new("test-painter", solid).expect("thread");
        let ready = p.ready();
        p.request(1, 2);
        let _ = wait_for(&p);
        let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("runtime");
        rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(1), ready.notified()).await.expect("permit kept");
        });
    }

    #[test]
    fn dropping_the_painter_stops_its_thread() {
        let p = Painter::new("test-painter", solid).expect("thread");
        p.request(1, 2);
        let started = Instant::now();
        drop(p);
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
