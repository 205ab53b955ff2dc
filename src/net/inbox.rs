//! A client's inbox: the bounded queue of console lines (and the server's
//! goodbye) that `serve` hands to one client's task.
//!
//! It does what a bounded `tokio::sync::mpsc` channel does here — `try_send`
//! says at once whether the client is not reading (full) or gone (closed),
//! `recv` is cancel-safe, and what is still queued when the client's task
//! ends can be counted — but an idle inbox costs one small allocation: a
//! `VecDeque` allocates nothing until a line arrives. A tokio channel
//! allocates its first block of 32 slots and cache-line-padded state up
//! front: replacing it took the peak of a server with 10,000 clients from
//! 95–99 MB to 85–86 MB (`docs/PERFORMANCE.md`).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;
pub use tokio::sync::mpsc::error::TrySendError;

struct Shared<T> {
    state: Mutex<State<T>>,
    /// Wakes the receiver: a permit is kept if it is not waiting, so no
    /// wake-up is lost between its look at the queue and its wait.
    notify: Notify,
    senders: AtomicUsize,
}

struct State<T> {
    queue: VecDeque<T>,
    cap: usize,
    closed: bool,
}

impl<T> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The sending side; cloned for every sender.
pub struct Sender<T>(Arc<Shared<T>>);

/// The receiving side: one, in the client's task.
pub struct Receiver<T>(Arc<Shared<T>>);

/// An inbox holding at most `cap` items sent with [`Sender::try_send`].
pub fn channel<T>(cap: usize) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State { queue: VecDeque::new(), cap, closed: false }),
        notify: Notify::new(),
        senders: AtomicUsize::new(1),
    });
    (Sender(shared.clone()), Receiver(shared))
}

impl<T> Sender<T> {
    /// Queues `value` unless the inbox is full or its receiver has closed it.
    ///
    /// # Errors
    /// [`TrySendError::Full`] or [`TrySendError::Closed`], with the value.
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let mut state = self.0.lock();
        if state.closed {
            return Err(TrySendError::Closed(value));
        }
        if state.queue.len() >= state.cap {
            return Err(TrySendError::Full(value));
        }
        state.queue.push_back(value);
        drop(state);
        self.0.notify.notify_one();
        Ok(())
    }

    /// Queues `value` even over the bound (the server's one goodbye, which
    /// must reach a client whose inbox is full).
    ///
    /// # Errors
    /// The value back when the receiver has closed the inbox.
    pub fn send_anyway(&self, value: T) -> Result<(), T> {
        let mut state = self.0.lock();
        if state.closed {
            return Err(value);
        }
        state.queue.push_back(value);
        drop(state);
        self.0.notify.notify_one();
        Ok(())
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.0.senders.fetch_add(1, Ordering::Relaxed);
        Sender(self.0.clone())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if self.0.senders.fetch_sub(1, Ordering::AcqRel) == 1 {
            // The last sender: a waiting receiver must see the end.
            self.0.notify.notify_one();
        }
    }
}

impl<T> Receiver<T> {
    /// The next item; `None` once the inbox is empty and no sender is left.
    /// Cancel-safe: an item is taken only when this returns it.
    pub async fn recv(&mut self) -> Option<T> {
        loop {
            if let Some(value) = self.try_recv() {
                return Some(value);
            }
            if self.0.senders.load(Ordering::Acquire) == 0 {
                return None;
            }
            self.0.notify.notified().await;
        }
    }

    /// The next item if one is queued.
    pub fn try_recv(&mut self) -> Option<T> {
        self.0.lock().queue.pop_front()
    }

    /// Refuses every later send; what is queued stays for [`Receiver::try_recv`].
    pub fn close(&mut self) {
        self.0.lock().closed = true;
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.closed = true;
        state.queue.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::{TrySendError, channel};
    use std::time::Duration;

    #[tokio::test]
    async fn bounded_in_order_and_full_then_closed() {
        let (tx, mut rx) = channel(2);
        tx.try_send(1).unwrap();
        tx.try_send(2).unwrap();
        assert!(matches!(tx.try_send(3), Err(TrySendError::Full(3))));
        // The goodbye goes in over the bound.
        tx.send_anyway(4).unwrap();
        assert_eq!((rx.recv().await, rx.recv().await, rx.try_recv()), (Some(1), Some(2), Some(4)));
        assert_eq!(rx.try_recv(), None);
        tx.try_send(5).unwrap();
        rx.close();
        assert!(matches!(tx.try_send(6), Err(TrySendError::Closed(6))));
        assert_eq!(tx.send_anyway(7), Err(7));
        // What was queued before the close can still be counted.
        assert_eq!(rx.try_recv(), Some(5));
    }

    #[tokio::test]
    async fn a_waiting_receiver_is_woken_by_a_send_and_by_the_last_sender_leaving() {
        let (tx, mut rx) = channel(8);
        let tx2 = tx.clone();
        let waiter = tokio::spawn(async move {
            let first = rx.recv().await;
            let end = rx.recv().await;
            (first, end)
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        tx.try_send("line").unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(tx);
        drop(tx2);
        let got = tokio::time::timeout(Duration::from_secs(5), waiter).await.unwrap().unwrap();
        assert_eq!(got, (Some("line"), None));
    }

    #[tokio::test]
    async fn a_recv_dropped_while_waiting_loses_nothing() {
        let (tx, mut rx) = channel(8);
        // A select that drops the wait (as the server's does for a frame).
        tokio::select! {
            _ = rx.recv() => panic!("nothing was sent"),
            () = tokio::time::sleep(Duration::from_millis(10)) => {}
        }
        tx.try_send(9).unwrap();
        assert_eq!(tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.unwrap(), Some(9));
    }
}
