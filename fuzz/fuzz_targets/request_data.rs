//! The hand-written readers of request data: an upload's file name, a download's
//! Content-Disposition, the Host and Origin checks, the page's inline scripts for the CSP.
#![no_main]
use libfuzzer_sys::fuzz_target;
use loglens::http::files::content_disposition;
use loglens::http::shield::{AllowedHosts, host_name, inline_script_hashes};
use loglens::http::upload::base_name;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let name = base_name(&text);
    assert!(!name.contains('/') && !name.contains('\\'));
    let header = content_disposition(&name);
    // a header value: visible ASCII and spaces only, whatever the name held
    assert!(header.bytes().all(|b| b == b' ' || b.is_ascii_graphic()), "{header:?}");
    let _ = host_name(&text);
    let hosts = AllowedHosts::new("127.0.0.1:8080".parse().expect("addr"), &[text.to_string()], &[]);
    let _ = hosts.allows_host(&text);
    let _ = hosts.allows_origin(&text);
    let _ = inline_script_hashes(&text);
});
