//! A knowledge base workbook (XLSX, XLS): parsed or refused, never a panic or a huge allocation.
#![no_main]
use libfuzzer_sys::fuzz_target;
use loglens::engine::input::kb::KnowledgeBase;

fuzz_target!(|data: &[u8]| {
    // The extension picks the reader; the bytes decide what it finds.
    for name in ["anomalies_problems.xlsx", "anomalies_problems.xls"] {
        if let Ok(kb) = KnowledgeBase::parse(data, name, "fuzz") {
            assert!(!kb.links.is_empty());
        }
    }
});
