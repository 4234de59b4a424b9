//! Bounded parallel work on std threads: a shared queue of items, a few scoped workers, results in
//! the items' order. sfjwt's parallel work waits on the network (token requests), so threads are
//! cheap here and an async runtime would buy nothing.

use std::{
    sync::atomic::{AtomicUsize, Ordering},
    thread,
};

/// Calls `work(index, item)` for every item on at most `limit` threads and returns the results in
/// item order, whatever order they finished in. Workers take the next item from a shared counter,
/// so a slow item holds up one worker, not a batch. One item (or a limit of one) runs on the
/// calling thread. A panic in `work` is passed on to the caller once the other workers are done.
pub fn map_bounded<T, R, F>(items: &[T], limit: usize, work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(usize, &T) -> R + Sync,
{
    let workers = limit.max(1).min(items.len());
    if workers <= 1 {
        return items.iter().enumerate().map(|(i, item)| work(i, item)).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break mine };
                        mine.push((i, work(i, item)));
                    }
                })
            })
            .collect();
        let mut all = Vec::with_capacity(items.len());
        let mut panic = None;
        for handle in handles {
            match handle.join() {
                Ok(mine) => all.extend(mine),
                Err(payload) => panic = Some(payload),
            }
        }
        if let Some(payload) = panic {
            std::panic::resume_unwind(payload);
        }
        all
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    use std::{
        sync::atomic::AtomicUsize,
        time::{Duration, Instant},
    };

    use super::*;

    #[test]
    fn results_keep_the_item_order_and_at_most_limit_run_at_once() {
        let running = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let items: Vec<u64> = (0..12).collect();
        let started = Instant::now();
        let out = map_bounded(&items, 4, |i, item| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            // Later items finish first: the order must still be the items'.
            std::thread::sleep(Duration::from_millis(60 - 4 * item));
            running.fetch_sub(1, Ordering::SeqCst);
            (i, item * 10)
        });
        assert_eq!(out, items.iter().map(|&n| (n as usize, n * 10)).collect::<Vec<_>>());
        assert_eq!(most.load(Ordering::SeqCst), 4);
        // 12 items of at most 60 ms on 4 workers: three rounds, not twelve.
        assert!(started.elapsed() < Duration::from_millis(400), "{:?}", started.elapsed());
    }

    #[test]
    fn one_item_or_a_limit_of_one_runs_on_the_caller() {
        let caller = std::thread::current().id();
        assert_eq!(map_bounded(&[1], 8, |_, _| std::thread::current().id()), [caller]);
        assert_eq!(map_bounded(&[1, 2], 1, |_, _| std::thread::current().id()), [caller, caller]);
        assert!(map_bounded(&[] as &[u8], 4, |_, _| ()).is_empty());
    }

    #[test]
    fn a_panicking_item_reaches_the_caller() {
        let result = std::panic::catch_unwind(|| map_bounded(&[1, 2, 3], 3, |_, &n| assert_ne!(n, 2)));
        assert!(result.is_err());
    }
}
