//! The end of stage 6: the WARNING/ERROR messages of every case grouped into patterns
//! (`engine::patterns`), so that embedding, semantic matching and novel anomalies work per
//! pattern — their cost grows with patterns, not lines — and the report lists them.
//!
//! Messages are fed in plan order (case, file, first occurrence), so the same input gives
//! the same pattern ids. Each message is fed once per file, with its level as its first
//! word: a WARNING and an ERROR never share a pattern.

use std::collections::BTreeMap;

use super::read_logs::Scanned;
use crate::engine::patterns::{PatternId, PatternMiner};
use crate::engine::scan::FileScan;

/// The patterns of an analysis: the template of each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatternBook {
    pub templates: BTreeMap<PatternId, String>,
}

impl PatternBook {
    pub fn template(&self, id: PatternId) -> Option<&str> {
        self.templates.get(&id).map(String::as_str)
    }
}

/// Mines the patterns of every signal group and notes each group's pattern.
pub fn mine(scanned: &mut Scanned) -> PatternBook {
    let miner = PatternMiner::new();
    let mut first_text: BTreeMap<PatternId, String> = BTreeMap::new();
    for file in scanned.iter_mut().flatten() {
        let FileScan {
            groups, signals, ..
        } = &mut file.scan;
        // A group's message as written (its first kept line), else its normalised key.
        let mut example: Vec<Option<&str>> = vec![None; groups.len()];
        for s in signals.iter() {
            if let Some(slot) = example.get_mut(s.group as usize) {
                slot.get_or_insert(s.message.as_str());
            }
        }
        for (g, group) in groups.iter_mut().enumerate() {
            let text = example[g].unwrap_or(group.key.as_str());
            let id = miner.add(&format!("{} {text}", group.level.as_str()));
            group.pattern = Some(id);
            first_text.entry(id).or_insert_with(|| text.to_owned());
        }
    }
    let templates = first_text
        .into_iter()
        .map(|(id, text)| {
            // The level word leads every template; the report shows the rest. A pattern the
            // miner dropped (its tree leaf overflowed) keeps its first message.
            let template = miner
                .template(id)
                .and_then(|t| t.split_once(' ').map(|(_, rest)| rest.to_owned()))
                .unwrap_or(text);
            (id, template)
        })
        .collect();
    PatternBook { templates }
}
