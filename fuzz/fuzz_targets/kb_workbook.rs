//! A knowledge base workbook (XLSX, XLS): parsed or refused, never a panic or a huge allocation.
#![no_main]
use libfuzzer_sys::fuzz_target;
use loglens::engine::input::kb::KnowledgeBase;

static DEFAULT_HOOK: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    // libFuzzer's panic hook aborts at once, before `KnowledgeBase::parse` can catch the
    // panics of the workbook reader it guards against (they become "unreadable"); with the
    // default hook those unwind to it, and any panic that escapes still aborts the run.
    DEFAULT_HOOK.call_once(|| drop(std::panic::take_hook()));
    // The extension picks the reader; the bytes decide what it finds.
    for name in ["anomalies_problems.xlsx", "anomalies_problems.xls"] {
        if let Ok(kb) = KnowledgeBase::parse(data, name, "fuzz") {
            assert!(!kb.links.is_empty());
        }
    }
});
