//! An upload of any kind — tar, tar.gz, gzip, plain text, or a ZIP — told apart, repacked into
//! a ZIP with the archive defences on the way, and that ZIP planned.
#![no_main]
use libfuzzer_sys::fuzz_target;
use loglens::engine::input::archive::{self, ArchiveLimits};
use loglens::engine::input::container;

fuzz_target!(|data: &[u8]| {
    let limits = ArchiveLimits {
        max_entries: 1_000,
        max_total_bytes: 64 * 1024 * 1024,
        max_ratio: 200,
    };
    let dir = std::env::temp_dir();
    let src = dir.join(format!("loglens-fuzz-{}.upload", std::process::id()));
    let dest = dir.join(format!("loglens-fuzz-{}.zip", std::process::id()));
    if std::fs::write(&src, data).is_err() {
        return;
    }
    if container::to_zip(&src, "fuzz 3.tar.gz", &dest, &limits).is_ok() {
        let _ = archive::plan(&dest, "fuzz 3.tar.gz", &limits);
    }
    let _ = std::fs::remove_file(&dest);
});
