//! Admission control: at most `running` solves (or validations) at once, at most `queue`
//! more waiting for a slot; beyond that a call is refused at once with RESOURCE_EXHAUSTED
//! rather than left to pile up memory and time out.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tonic::Status;

/// Slots for solves and the queue in front of them.
#[derive(Debug, Clone)]
pub struct Admission {
    slots: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    queue: usize,
}

impl Admission {
    /// `running` solves at once (at least 1), `queue` more waiting.
    pub fn new(running: usize, queue: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(running.max(1))),
            waiting: Arc::new(AtomicUsize::new(0)),
            queue,
        }
    }

    /// Waits for a slot, or refuses when the queue is full.
    pub async fn enter(&self) -> Result<OwnedSemaphorePermit, Status> {
        if let Ok(permit) = Arc::clone(&self.slots).try_acquire_owned() {
            return Ok(permit);
        }
        let before = self.waiting.fetch_add(1, Ordering::SeqCst);
        // Leaves the queue however the wait ends (a cancelled call drops this future).
        struct Leave<'a>(&'a AtomicUsize);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let _leave = Leave(&self.waiting);
        if before >= self.queue {
            return Err(Status::resource_exhausted(format!(
                "the planner is busy: {} solves waiting already; retry later",
                self.queue
            )));
        }
        Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .map_err(|_| Status::unavailable("the planner is shutting down"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refuses_beyond_the_queue() {
        let a = Admission::new(1, 1);
        let first = a.enter().await.expect("a free slot");
        let b = a.clone();
        let waiting = tokio::spawn(async move { b.enter().await.map(|_| ()) });
        // Let the second call reach the queue.
        while a.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        let refused = a.enter().await.expect_err("queue full");
        assert_eq!(refused.code(), tonic::Code::ResourceExhausted);
        drop(first);
        waiting
            .await
            .expect("joined")
            .expect("admitted once the slot is free");
        assert_eq!(a.waiting.load(Ordering::SeqCst), 0);
    }
}
