//! A message's lines counted over time, in a bounded number of slots: minutes at first, each
//! slot four times wider whenever there would be more than [`MAX_SLOTS`]. Every line counts
//! (the kept lines are only a few per message), so a pattern's histogram shows when it
//! really happened.

use std::collections::BTreeMap;

/// Slots a message may hold (a slot is a time and a count).
pub const MAX_SLOTS: usize = 32;
/// The narrowest slot.
const FIRST_WIDTH_MS: i64 = 60_000;
/// How much wider a slot gets when there are too many.
const WIDEN: i64 = 4;
/// Memory of one slot, as counted against the scan's budget.
pub const SLOT_WEIGHT: u64 = 48;

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TimeCounts {
    width_ms: i64,
    /// Slot index (time / width) → lines.
    slots: BTreeMap<i64, u64>,
}

impl TimeCounts {
    /// Counts a line at `ms`. A line that needs a new slot asks `room` first (the scan's
    /// memory budget); refused, it is not counted here.
    pub fn add(&mut self, ms: i64, room: impl FnOnce() -> bool) {
        if self.width_ms == 0 {
            self.width_ms = FIRST_WIDTH_MS;
        }
        let key = ms.div_euclid(self.width_ms);
        if let Some(n) = self.slots.get_mut(&key) {
            *n += 1;
            return;
        }
        if self.slots.len() < MAX_SLOTS && !room() {
            return;
        }
        self.slots.insert(key, 1);
        while self.slots.len() > MAX_SLOTS {
            self.widen();
        }
    }

    fn widen(&mut self) {
        let old = self.width_ms;
        self.width_ms = old * WIDEN;
        let mut slots = BTreeMap::new();
        for (key, n) in std::mem::take(&mut self.slots) {
            *slots
                .entry((key * old).div_euclid(self.width_ms))
                .or_insert(0) += n;
        }
        self.slots = slots;
    }

    /// Each slot's middle (ms) and its lines.
    pub fn slots(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        self.slots
            .iter()
            .map(|(key, n)| (key * self.width_ms + self.width_ms / 2, *n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_counts_in_bounded_slots() {
        let mut t = TimeCounts::default();
        for minute in 0..1000i64 {
            t.add(minute * 60_000 + 5, || true);
        }
        assert!(t.slots().count() <= MAX_SLOTS);
        assert_eq!(t.slots().map(|(_, n)| n).sum::<u64>(), 1000);
        // Slots stay in time order, inside the span.
        let middles: Vec<i64> = t.slots().map(|(ms, _)| ms).collect();
        assert!(middles.windows(2).all(|w| w[0] < w[1]));
        assert!(middles[0] >= 0 && *middles.last().unwrap() < 1000 * 60_000 + 60_000 * 64);
    }

    #[test]
    fn a_refused_slot_is_not_counted_but_a_known_one_is() {
        let mut t = TimeCounts::default();
        t.add(0, || true);
        t.add(10, || false);
        t.add(3_600_000, || false);
        assert_eq!(t.slots().collect::<Vec<_>>(), vec![(30_000, 2)]);
    }
}
