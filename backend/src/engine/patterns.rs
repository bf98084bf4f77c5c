//! Log templates: messages grouped by the Drain algorithm (He et al., 2017; the `logdrain`
//! crate) into patterns such as `Failed password for <*> from <ip> port <*>`, so thousands of
//! distinct messages read as a few patterns. One default configuration for every format:
//! the variable parts that break Drain's token positions most often (addresses, ids, hex,
//! paths, numbers glued to units) are masked first.

use logdrain::{Mask, Miner};

/// Drain's similarity threshold: the share of a line's tokens that must equal a template's
/// for the line to join it.
pub const SIMILARITY: f64 = 0.5;
/// Depth of Drain's prefix tree (the first `DEPTH - 2` tokens route a line).
pub const DEPTH: usize = 4;
/// Templates kept per leaf of the tree before the least recently used is dropped.
pub const MAX_PER_LEAF: usize = 200;

/// A pattern's number, in the order patterns were first seen.
pub type PatternId = u64;

/// The report's name of a pattern: `P12`.
pub fn label(id: PatternId) -> String {
    format!("P{id}")
}

/// Masks applied before mining, in order: (regex, placeholder).
const MASKS: [(&str, &str); 8] = [
    (r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b", "<uuid>"),
    (r"(?:/?\b\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?\b", "<ip>"),
    (r"\bblk_-?\d+\b", "<blk>"),
    (r"\b0x[0-9a-fA-F]+\b", "<hex>"),
    (r"\b[0-9a-fA-F]*\d[0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\b|\b[0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\d[0-9a-fA-F]*\b", "<hex>"),
    (r"(?:[A-Za-z]:)?(?:[/\\][\w.\-$@~]+){2,}[/\\]?", "<path>"),
    (r"\b\d+(?:\.\d+)?(?:ms|s|KB|MB|GB|kB|B|%)?\b", "<num>"),
    (r"(?:<num>[:.,_-])+<num>", "<num>"),
];

/// Groups messages into patterns.
pub struct PatternMiner {
    miner: Miner,
}

impl std::fmt::Debug for PatternMiner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PatternMiner")
            .field("patterns", &self.miner.len())
            .finish()
    }
}

impl Default for PatternMiner {
    fn default() -> Self {
        Self::new()
    }
}

impl PatternMiner {
    pub fn new() -> Self {
        let masks = MASKS
            .iter()
            .map(|(re, placeholder)| Mask::new(re, placeholder).expect("static mask"));
        let miner = Miner::builder()
            .sim_threshold(SIMILARITY)
            .depth(DEPTH)
            .max_clusters_per_leaf(MAX_PER_LEAF)
            .masks(masks)
            .build()
            .expect("static miner options");
        Self { miner }
    }

    /// The pattern of a message (creating or widening one).
    pub fn add(&self, message: &str) -> PatternId {
        self.miner.add(message).cluster_id
    }

    /// A pattern's template, `<*>` where its messages differ (`None` once dropped).
    pub fn template(&self, id: PatternId) -> Option<String> {
        self.miner.cluster(id).map(|c| c.template().to_owned())
    }

    /// Patterns mined so far.
    pub fn len(&self) -> usize {
        self.miner.len()
    }

    pub fn is_empty(&self) -> bool {
        self.miner.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_variants_of_few_templates_collapse_to_those_templates() {
        let miner = PatternMiner::new();
        let mut ids = std::collections::BTreeSet::new();
        for i in 0..500u32 {
            ids.insert(miner.add(&format!(
                "Failed password for user{} from 10.0.{}.{} port {} ssh2",
                i % 7,
                i % 250,
                i % 200,
                40_000 + i
            )));
            ids.insert(miner.add(&format!(
                "PacketResponder {} for block blk_{}{} terminating",
                i % 3,
                if i % 2 == 0 { "-" } else { "" },
                9_000_000_000u64 + u64::from(i) * 7_919
            )));
            ids.insert(miner.add(&format!(
                "Disk /dev/sd{} at {}% capacity after {}ms",
                ["a", "b", "c"][i as usize % 3],
                i % 100,
                i * 3
            )));
        }
        assert_eq!(ids.len(), 3, "{:?}", ids.iter().map(|i| miner.template(*i)).collect::<Vec<_>>());
        let templates: Vec<String> = ids.iter().filter_map(|i| miner.template(*i)).collect();
        assert!(templates.iter().any(|t| t.contains("Failed password for") && t.contains("<ip>")), "{templates:?}");
        assert!(templates.iter().any(|t| t.contains("<blk>")), "{templates:?}");
    }

    #[test]
    fn different_messages_stay_apart() {
        let miner = PatternMiner::new();
        let a = miner.add("Connection refused by upstream server");
        let b = miner.add("Disk quota exceeded for volume home");
        assert_ne!(a, b);
        assert_eq!(miner.add("Connection refused by upstream server"), a);
    }
}
