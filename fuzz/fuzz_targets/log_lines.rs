//! One line read by every format of the catalogue, a file's format detected, and a whole file
//! scanned (splitting, context, counters), from any bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use loglens::engine::scan::format::{FileDate, Formats};
use loglens::engine::{scan, scan::parse};

const DATE: FileDate = FileDate {
    year: 2024,
    month: 5,
};

fuzz_target!(|data: &[u8]| {
    let _ = parse::classify(data);
    let formats = Formats::default();
    for format in formats.all() {
        let _ = format.classify(data, DATE);
        let _ = format.entry(data, DATE);
    }
    let _ = formats.detect("fuzz.log", data, DATE);
    if let Ok(found) = scan::scan(data, scan::CONTEXT_LINES, |_, _| true) {
        assert!(found.lines >= found.signals.len() as u64);
        assert!(found.unparsable <= found.lines);
        assert!(found.entries + found.unparsable + found.continuation_lines <= found.lines);
    }
});
