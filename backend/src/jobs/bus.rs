//! Live channels, one per job with watchers. Publishing happens only after the event is
//! persisted (see [`super::Jobs::emit`]), so a subscriber that misses a live message finds it
//! in the store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use loglens_shared::session::ServerMessage;
use tokio::sync::broadcast;

/// Messages buffered per job for slow subscribers before they lag (and get a snapshot).
pub const CHANNEL_CAPACITY: usize = 256;

#[derive(Default)]
pub struct Bus {
    channels: Mutex<HashMap<String, broadcast::Sender<Arc<ServerMessage>>>>,
}

impl Bus {
    fn channels(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, broadcast::Sender<Arc<ServerMessage>>>> {
        self.channels.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn subscribe(&self, id: &str) -> broadcast::Receiver<Arc<ServerMessage>> {
        self.channels()
            .entry(id.to_owned())
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0)
            .subscribe()
    }

    /// Drops the job's channel once nobody listens (called when a watcher leaves).
    pub fn release(&self, id: &str) {
        let mut channels = self.channels();
        if channels.get(id).is_some_and(|tx| tx.receiver_count() == 0) {
            channels.remove(id);
        }
    }

    pub fn publish(&self, id: &str, msg: ServerMessage) {
        let terminal = msg.is_terminal();
        let mut channels = self.channels();
        if let Some(tx) = channels.get(id) {
            let _ = tx.send(Arc::new(msg));
        }
        // After the terminal message nothing follows: dropping the sender lets receivers drain
        // what is buffered and then see the channel closed.
        if terminal {
            channels.remove(id);
        }
    }

    /// The jobs someone watches now.
    pub fn watched(&self) -> Vec<String> {
        self.channels()
            .iter()
            .filter(|(_, tx)| tx.receiver_count() > 0)
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Whether someone watches `id` now.
    pub fn is_watched(&self, id: &str) -> bool {
        self.channels()
            .get(id)
            .is_some_and(|tx| tx.receiver_count() > 0)
    }

    /// Watchers currently subscribed, over all jobs.
    pub fn watchers(&self) -> usize {
        self.channels()
            .values()
            .map(broadcast::Sender::receiver_count)
            .sum()
    }
}
