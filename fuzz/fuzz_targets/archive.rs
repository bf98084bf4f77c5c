//! An uploaded ZIP: the central-directory plan (names, sizes, counts, nested containers,
//! encodings) and then every planned entry streamed through the scanner with the limits on.
#![no_main]
use std::io::{Cursor, Read};

use libfuzzer_sys::fuzz_target;
use loglens::engine::input::archive::{self, ArchiveLimits, ByteBudget, EntryReader};
use loglens::engine::scan;

fuzz_target!(|data: &[u8]| {
    let limits = ArchiveLimits {
        max_entries: 1_000,
        max_total_bytes: 64 * 1024 * 1024,
        max_ratio: 200,
    };
    let Ok(plan) = archive::plan_reader(Cursor::new(data), "fuzz 7.zip", &limits) else {
        return;
    };
    let Ok(mut reader) = EntryReader::from_reader(Cursor::new(data)) else {
        return;
    };
    let budget = ByteBudget::default();
    for case in &plan.cases {
        if let Some(kb) = &case.kb {
            let _ = reader.read_small(kb, 1024 * 1024);
        }
        for entry in &case.logs {
            let _ = reader.with_entry(entry, &limits, &budget, |r: &mut dyn Read| {
                scan::scan(r, scan::CONTEXT_LINES, |_, _| true)
                    .map_err(|e| std::io::Error::other(e.to_string()))
            });
        }
    }
});
