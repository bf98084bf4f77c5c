//! Time as the logs write it. The server parses each timestamp once ([`LogTime::parse`]); the
//! wire carries both the text as written and the milliseconds, so the web app orders, charts
//! and replays lines without reading log text itself.
//!
//! The milliseconds are the logs' wall-clock time read as UTC: a zone suffix (`Z`, `+03:00`) is
//! accepted and kept in `raw`, but not applied, so a line is charted at the time it says, the
//! way an operator reads it beside the file.

use std::cmp::Ordering;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// A log line's timestamp: the text as written and its wall-clock milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LogTime {
    /// As written in the log (`2025-10-06T11:41:12.5+03:00`).
    pub raw: String,
    /// Wall-clock milliseconds since 1970 (zone not applied).
    pub ms: i64,
}

impl LogTime {
    /// Reads `YYYY-MM-DD[T ]HH:MM:SS` with an optional fraction (`.` or `,`) and an optional
    /// zone (`Z`, `±HH:MM`, `±HHMM`, `±HH`); `None` for anything else.
    pub fn parse(raw: &str) -> Option<LogTime> {
        let text = raw.trim();
        let head = text.get(..19)?;
        let rest = &text[19..];
        let (frac, zone) = match rest.strip_prefix(['.', ',']) {
            Some(r) => {
                let digits = r.bytes().take_while(u8::is_ascii_digit).count();
                if digits == 0 {
                    return None;
                }
                (&r[..digits], &r[digits..])
            }
            None => ("", rest),
        };
        if !zone_suffix(zone) {
            return None;
        }
        let mut iso = head.replacen(' ', "T", 1);
        if !frac.is_empty() {
            iso.push('.');
            iso.push_str(&frac[..frac.len().min(9)]);
        }
        let t = NaiveDateTime::parse_from_str(&iso, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
        Some(LogTime {
            raw: text.to_owned(),
            ms: t.and_utc().timestamp_millis(),
        })
    }
}

fn zone_suffix(z: &str) -> bool {
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    match z.as_bytes().first() {
        None => true,
        Some(b'Z') => z.len() == 1,
        Some(b'+' | b'-') => {
            let z = &z[1..];
            match z.len() {
                2 | 4 => digits(z),
                5 => z.as_bytes()[2] == b':' && digits(&z[..2]) && digits(&z[3..]),
                _ => false,
            }
        }
        _ => false,
    }
}

/// As written in the log.
impl std::fmt::Display for LogTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Earlier first; equal instants by their text, so the order is total and stable.
impl Ord for LogTime {
    fn cmp(&self, other: &Self) -> Ordering {
        self.ms
            .cmp(&other.ms)
            .then_with(|| self.raw.cmp(&other.raw))
    }
}

impl PartialOrd for LogTime {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Reads `{"raw", "ms"}`, and the bare string that reports stored before `LogTime` existed
/// carry (parsed here, once, when such a report is loaded).
impl<'de> Deserialize<'de> for LogTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            Typed { raw: String, ms: i64 },
            Text(String),
        }
        match Wire::deserialize(d)? {
            Wire::Typed { raw, ms } => Ok(LogTime { raw, ms }),
            Wire::Text(raw) => LogTime::parse(&raw)
                .ok_or_else(|| serde::de::Error::custom(format!("{raw:?} is not a log timestamp"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(raw: &str) -> Option<i64> {
        LogTime::parse(raw).map(|t| t.ms)
    }

    #[test]
    fn every_accepted_shape_reads_as_its_wall_clock() {
        let base = ms("2025-10-06T11:41:12").expect("plain");
        assert_eq!(ms("2025-10-06 11:41:12"), Some(base));
        assert_eq!(ms("2025-10-06T11:41:12Z"), Some(base));
        assert_eq!(ms("2025-10-06T11:41:12+03:00"), Some(base));
        assert_eq!(ms("2025-10-06T11:41:12-0500"), Some(base));
        assert_eq!(ms("2025-10-06T11:41:12+03"), Some(base));
        assert_eq!(ms("2025-10-06T11:41:12.250"), Some(base + 250));
        assert_eq!(ms("2025-10-06 11:41:12,250Z"), Some(base + 250));
        assert_eq!(ms("2025-10-06T11:41:12.123456789+03:00"), Some(base + 123));
        for bad in [
            "",
            "2025-10-06",
            "2025-13-06T11:41:12",
            "2025-10-06T11:41:12.",
            "2025-10-06T11:41:12 ERROR",
            "2025-10-06T11:41:12+3:00",
            "2025-10-06T11:41:12Zx",
        ] {
            assert_eq!(ms(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn order_is_by_instant_whatever_the_separator() {
        let a = LogTime::parse("2025-10-06 11:41:13").expect("a");
        let b = LogTime::parse("2025-10-06T11:41:12.900").expect("b");
        // as strings ' ' < 'T' would put a first
        assert!(b < a);
    }

    #[test]
    fn wire_carries_both_and_old_reports_still_read() {
        let t = LogTime::parse("2025-10-06T11:41:12Z").expect("t");
        let v = serde_json::to_value(&t).expect("json");
        assert_eq!(v["raw"], "2025-10-06T11:41:12Z");
        assert_eq!(v["ms"], t.ms);
        assert_eq!(serde_json::from_value::<LogTime>(v).expect("typed"), t);
        let old: LogTime = serde_json::from_str("\"2025-10-06T11:41:12Z\"").expect("old");
        assert_eq!(old, t);
        assert!(serde_json::from_str::<LogTime>("\"yesterday\"").is_err());
    }
}
