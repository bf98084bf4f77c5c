//! A knowledge base CSV (UTF-8, BOM, CP1251, anything): parsed or refused, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use loglens::engine::input::kb::KnowledgeBase;

fuzz_target!(|data: &[u8]| {
    if let Ok(kb) = KnowledgeBase::parse(data, "anomalies_problems.csv", "fuzz") {
        assert!(!kb.links.is_empty());
        assert_eq!(kb.anomalies.len(), kb.anomaly_links.len());
    }
});
