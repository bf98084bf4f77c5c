//! Log templates: messages grouped by the Drain algorithm (He et al., 2017; the `logdrain`
//! crate) into patterns such as `Failed password for <*> from <ip> port <*>`, so thousands of
//! distinct messages read as a few patterns. One default configuration for every format:
//! numbers, hex ids and tokens made of them are variables before Drain sees the message.

use logdrain::{Mask, Miner};

/// Drain's similarity threshold: the share of a line's tokens that must equal a template's
/// (a `<*>` of the template matching any) for the line to join it. `logdrain` counts the
/// template's wildcards as equal, so the threshold is higher than the original Drain's: one
/// word in six differing (`… HTTPS` / `… SOCKS5`) is another template. Chosen on Loghub-2k
/// (16 systems, one configuration for all): 0.85 gives grouping accuracy 0.876; 0.7, 0.821;
/// 0.9, 0.78 (`scripts/eval_loghub.py`).
pub const SIMILARITY: f64 = 0.85;
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

/// The placeholder of a variable part.
pub const WILDCARD: &str = "<*>";

/// Masks applied before mining, for variable parts without a digit (a digit alone already
/// makes a token variable, see [`mask_variables`]).
const MASKS: [&str; 1] = [
    // Hex ids written in letters only (`deadbeefcafe…`) are rare; long ones are ids all the same.
    r"\b[a-fA-F]{16,}\b",
];

/// A token with a digit is a variable as a whole (`10.0.0.1:80`, `blk_-7724…`, `sda1`,
/// `user=42`, `0x7fed`): one `<*>`. Measured on Loghub-2k against keeping the letters around
/// masked digits (`sda<*>`): grouping accuracy 0.876 against 0.847 at the same threshold, since
/// ids written with a prefix (`blk_<*>` and `blk_-<*>`) no longer split a template. Words of any
/// script without a digit are kept: a Russian word is a word.
fn mask_variables(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for token in message.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        if token.bytes().any(|b| b.is_ascii_digit()) {
            out.push_str(WILDCARD);
        } else {
            out.push_str(token);
        }
    }
    out
}

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
            .map(|re| Mask::new(re, WILDCARD).expect("static mask"));
        let miner = Miner::builder()
            .sim_threshold(SIMILARITY)
            .depth(DEPTH)
            .max_clusters_per_leaf(MAX_PER_LEAF)
            .wildcard(WILDCARD)
            .masks(masks)
            .build()
            .expect("static miner options");
        Self { miner }
    }

    /// The pattern of a message (creating or widening one). Numbers, hex ids and tokens made
    /// of them (addresses, times) become `<*>` before the message reaches the tree, so they
    /// neither route nor split (see [`mask_variables`]).
    pub fn add(&self, message: &str) -> PatternId {
        self.miner.add(&mask_variables(message)).cluster_id
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
                "Disk at {}% capacity on /dev/sd{} after {}ms (0x{:x})",
                i % 100,
                ["a", "b", "c"][i as usize % 3],
                i * 3,
                i * 7_777
            )));
        }
        assert_eq!(
            ids.len(),
            3,
            "{:?}",
            ids.iter().map(|i| miner.template(*i)).collect::<Vec<_>>()
        );
        let templates: Vec<String> = ids.iter().filter_map(|i| miner.template(*i)).collect();
        assert!(
            templates
                .iter()
                .any(|t| t == "Failed password for <*> from <*> port <*> <*>"),
            "{templates:?}"
        );
        assert!(
            templates
                .iter()
                .any(|t| t == "PacketResponder <*> for block <*> terminating"),
            "{templates:?}"
        );
    }

    #[test]
    fn variables_are_masked_words_are_kept() {
        assert_eq!(
            mask_variables(
                "index:3 sda1 at 10.0.0.1:80 token a64f992 0x7fed blk_-772 ready=true proxy.example.com:5070 деградировал 5 - done"
            ),
            "<*> <*> at <*> token <*> <*> <*> ready=true <*> деградировал <*> - done"
        );
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
