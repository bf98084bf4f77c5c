//! One line classified, and a whole file scanned (splitting, context, counters), from any bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use loglens::engine::{scan::parse, scan};

fuzz_target!(|data: &[u8]| {
    let _ = parse::classify(data);
    if let Ok(found) = scan::scan(data, scan::CONTEXT_LINES, |_, _| true) {
        assert!(found.lines >= found.signals.len() as u64);
        assert!(found.unparsable <= found.lines);
    }
});
