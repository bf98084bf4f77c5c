//! A playbook file as TOML and as JSON: parsed or refused with a typed error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use loglens::engine::input::playbooks::Playbooks;

fuzz_target!(|data: &[u8]| {
    for name in ["playbooks.toml", "playbooks.json"] {
        if let Err(e) = Playbooks::parse(data, name, "fuzz") {
            let _ = e.problem();
        }
    }
});
