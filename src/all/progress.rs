//! The progress line of `--all` on a terminal: how many logins are done and which one is slowest,
//! redrawn in place on stderr once the run has taken a second, and erased before the report.
//! Never drawn for machine formats or when stderr is not a terminal.

use std::{
    io::Write,
    sync::{Mutex, mpsc},
    time::{Duration, Instant},
};

/// No line for runs shorter than this: it would only flicker.
const SHOW_AFTER: Duration = Duration::from_secs(1);
const REDRAW_EVERY: Duration = Duration::from_millis(200);
/// Erase the line: carriage return, then ANSI "erase entire line".
const ERASE: &str = "\r\x1b[2K";

pub struct Progress {
    labels: Vec<String>,
    started: Instant,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    done: usize,
    /// Logins in flight: index and when it started.
    running: Vec<(usize, Instant)>,
}

impl Progress {
    pub fn new(labels: Vec<String>) -> Progress {
        Progress { labels, started: Instant::now(), state: Mutex::default() }
    }

    pub fn started(&self, index: usize) {
        self.lock().running.push((index, Instant::now()));
    }

    pub fn finished(&self, index: usize) {
        let mut state = self.lock();
        state.running.retain(|(i, _)| *i != index);
        state.done += 1;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The line to show at `now`, or nothing in the first second.
    pub fn line(&self, now: Instant) -> Option<String> {
        if now.saturating_duration_since(self.started) < SHOW_AFTER {
            return None;
        }
        let state = self.lock();
        let mut line = format!("sfjwt: {} of {} logins done", state.done, self.labels.len());
        if let Some((index, since)) = state.running.iter().min_by_key(|(_, since)| *since) {
            let waited = now.saturating_duration_since(*since).as_secs_f64();
            let label: String = self.labels[*index].chars().take(40).collect();
            let what = if state.running.len() == 1 { "waiting for" } else { "slowest:" };
            line.push_str(&format!(" · {what} {label} ({waited:.1} s)"));
        }
        Some(line)
    }

    /// Runs `work`, redrawing the line on `out` meanwhile when `enabled`, and erases it after.
    pub fn show_while<R>(&self, enabled: bool, out: &mut (dyn Write + Send), work: impl FnOnce() -> R) -> R {
        if !enabled {
            return work();
        }
        let (stop, stopped) = mpsc::channel::<()>();
        std::thread::scope(|scope| {
            scope.spawn(move || {
                let mut drawn = false;
                // Ends when `stop` is dropped: the work is done.
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(REDRAW_EVERY) {
                    if let Some(line) = self.line(Instant::now()) {
                        let _ = write!(out, "{ERASE}{line}");
                        let _ = out.flush();
                        drawn = true;
                    }
                }
                if drawn {
                    let _ = write!(out, "{ERASE}");
                    let _ = out.flush();
                }
            });
            let result = work();
            drop(stop);
            result
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts_and_names_the_slowest_after_a_second() {
        let progress = Progress::new(vec!["uat".into(), "ci-hub".into(), "prod".into()]);
        let start = progress.started;
        assert_eq!(progress.line(start + Duration::from_millis(900)), None);
        progress.started(0);
        progress.started(1);
        progress.finished(1);
        progress.started(2);
        let line = progress.line(Instant::now() + Duration::from_secs(2)).unwrap();
        assert!(line.starts_with("sfjwt: 1 of 3 logins done · slowest: uat ("), "{line}");
        progress.finished(0);
        let line = progress.line(Instant::now() + Duration::from_secs(2)).unwrap();
        assert!(line.contains("waiting for prod"), "{line}");
    }

    /// A writer the test can read after the drawing thread is done with it.
    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_slow_run_draws_and_erases_the_line_and_a_quick_or_disabled_one_draws_nothing() {
        let progress = Progress::new(vec!["uat".into()]);
        let screen = Shared::default();
        progress.show_while(true, &mut screen.clone(), || {
            progress.started(0);
            std::thread::sleep(Duration::from_millis(1400));
            progress.finished(0);
        });
        let drawn = String::from_utf8(screen.0.lock().unwrap().clone()).unwrap();
        assert!(drawn.contains("sfjwt: 0 of 1 logins done · waiting for uat"), "{drawn:?}");
        assert!(drawn.ends_with(ERASE), "the line is erased before the report: {drawn:?}");

        for enabled in [true, false] {
            let quick = Progress::new(vec!["uat".into()]);
            let screen = Shared::default();
            assert_eq!(quick.show_while(enabled, &mut screen.clone(), || 7), 7);
            assert!(screen.0.lock().unwrap().is_empty());
        }
    }
}
