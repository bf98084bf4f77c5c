//! Message normalisation before embedding and lexical comparison: lower-case, variable parts
//! (IPs, hex values, paths, numbers) masked, punctuation dropped, blanks collapsed. Two lines
//! that differ only in an address or a counter normalise to the same text and are embedded once.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

static IP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b").expect("valid regex"));
static HEX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b0x[0-9a-f]+\b|\b[0-9a-f]{8,}\b").expect("valid regex"));
static PATH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:/[\w.\-]+){2,}/?").expect("valid regex"));
static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d+(?:[.,]\d+)?\b").expect("valid regex"));

/// Normalises a log message or KB text (see the module docs).
pub fn normalize(text: &str) -> String {
    let lower = text.to_lowercase();
    let s = IP.replace_all(&lower, " ip ");
    let s = HEX.replace_all(&s, " hex ");
    let s = PATH.replace_all(&s, " path ");
    let s = NUMBER.replace_all(&s, " num ");
    let cleaned: String = s
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

// Words that carry no meaning of their own in log messages.
const STOPWORDS: [&str; 16] = [
    "the", "a", "an", "is", "are", "was", "were", "be", "of", "on", "in", "at", "to", "for", "by",
    "with",
];

/// Dice coefficient of the content-word sets of two normalised texts (0..=1).
pub fn lexical_similarity(a: &str, b: &str) -> f32 {
    let words = |s: &str| -> HashSet<String> {
        s.split_whitespace()
            .filter(|w| !STOPWORDS.contains(w))
            .map(str::to_owned)
            .collect()
    };
    let (wa, wb) = (words(a), words(b));
    if wa.is_empty() || wb.is_empty() {
        return 0.0;
    }
    let shared = wa.intersection(&wb).count();
    (2 * shared) as f32 / (wa.len() + wb.len()) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_variable_parts() {
        assert_eq!(
            normalize("Connection from 10.0.0.12:5432 refused!"),
            "connection from ip refused"
        );
        assert_eq!(
            normalize("segfault at 0x0 ip 0x7f1234567890"),
            "segfault at hex ip hex"
        );
        assert_eq!(
            normalize("Cannot open /var/lib/mysql/ibdata1: Permission denied"),
            "cannot open path permission denied"
        );
        assert_eq!(
            normalize("Disk usage 93.5% on volume 2"),
            "disk usage num on volume num"
        );
        assert_eq!(normalize("eth0: link down"), "eth0 link down");
        assert_eq!(
            normalize("CPU0: Temperature critical"),
            "cpu0 temperature critical"
        );
        assert_eq!(
            normalize("Диск /dev/sda: ОШИБКА чтения"),
            "диск path ошибка чтения"
        );
    }

    #[test]
    fn lexical_similarity_ignores_stopwords_and_order() {
        let a = normalize("the RAID array is degraded");
        let b = normalize("RAID array degraded");
        assert!((lexical_similarity(&a, &b) - 1.0).abs() < 1e-6);
        assert_eq!(lexical_similarity("disk failed", "network down"), 0.0);
        assert!(lexical_similarity("disk read failed", "disk write failed") > 0.6);
        assert_eq!(lexical_similarity("", "x"), 0.0);
    }
}
