//! Timestamps as each format writes them, read into [`LogTime`] (the text as written and its
//! wall-clock milliseconds). Formats that write no year (syslog RFC 3164, logcat, klog,
//! Proxifier) take it from the file's date — the archive entry's modification time — and a
//! month after the file's month means the line was written the year before (rollover).

use chrono::{DateTime, Datelike, NaiveDateTime};
use loglens_shared::report::LogTime;

/// How a format's timestamps read.
#[derive(Debug, Clone)]
pub enum Clock {
    /// ISO 8601 / RFC 3339: `YYYY-MM-DD[T ]HH:MM:SS[.f][zone]` ([`LogTime::parse`]).
    Iso,
    /// A chrono pattern (`%y/%m/%d %H:%M:%S`); `year: false` when it writes no year.
    Pattern { format: String, year: bool },
    /// Seconds since 1970 (milliseconds when the number is that long).
    Epoch,
    /// ISO 8601, else epoch seconds or milliseconds (JSON logs write either).
    IsoOrEpoch,
}

/// The file's date, for timestamps without a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileDate {
    pub year: i32,
    pub month: u32,
}

impl FileDate {
    /// From a modification time in milliseconds since 1970.
    pub fn from_ms(ms: i64) -> Option<FileDate> {
        let t = DateTime::from_timestamp_millis(ms)?;
        Some(FileDate {
            year: t.year(),
            month: t.month(),
        })
    }

    /// Today's date: for a file without a known modification time.
    pub fn today() -> FileDate {
        let now = chrono::Utc::now();
        FileDate {
            year: now.year(),
            month: now.month(),
        }
    }
}

impl Clock {
    /// Reads `raw` (already cut out of the line); `None` when it is no valid time.
    pub fn read(&self, raw: &str, date: FileDate) -> Option<LogTime> {
        let raw = raw.trim();
        let ms = match self {
            Clock::Iso => return LogTime::parse(raw),
            Clock::Pattern { format, year: true } => NaiveDateTime::parse_from_str(raw, format)
                .ok()?
                .and_utc()
                .timestamp_millis(),
            Clock::Pattern {
                format,
                year: false,
            } => {
                let with_year = |y: i32| {
                    NaiveDateTime::parse_from_str(&format!("{y} {raw}"), &format!("%Y {format}"))
                        .ok()
                };
                let t = with_year(date.year)?;
                let t = if t.month() > date.month {
                    with_year(date.year - 1)?
                } else {
                    t
                };
                t.and_utc().timestamp_millis()
            }
            Clock::Epoch => epoch_ms(raw)?,
            Clock::IsoOrEpoch => match LogTime::parse(raw) {
                Some(t) => return Some(t),
                None => epoch_ms(raw)?,
            },
        };
        Some(LogTime {
            raw: raw.to_owned(),
            ms,
        })
    }
}

/// Epoch seconds, milliseconds, microseconds or nanoseconds (told apart by their length),
/// with an optional fraction on seconds.
fn epoch_ms(raw: &str) -> Option<i64> {
    let (int, frac) = raw.split_once('.').unwrap_or((raw, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || int.len() > 19 {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = int.parse().ok()?;
    let ms = match int.len() {
        0..=11 => {
            let frac_ms: i64 = format!("{frac:0<3}").get(..3)?.parse().ok()?;
            n.checked_mul(1000)?.checked_add(frac_ms)?
        }
        12..=14 => n,
        15..=17 => n / 1_000,
        _ => n / 1_000_000,
    };
    Some(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEC_2005: FileDate = FileDate {
        year: 2005,
        month: 12,
    };

    fn ms(clock: &Clock, raw: &str, date: FileDate) -> Option<i64> {
        clock.read(raw, date).map(|t| t.ms)
    }

    fn iso_ms(raw: &str) -> i64 {
        LogTime::parse(raw).expect("iso").ms
    }

    fn pattern(format: &str, year: bool) -> Clock {
        Clock::Pattern {
            format: format.into(),
            year,
        }
    }

    #[test]
    fn patterns_read_their_formats() {
        let spark = pattern("%y/%m/%d %H:%M:%S", true);
        assert_eq!(
            ms(&spark, "17/06/09 20:10:40", DEC_2005),
            Some(iso_ms("2017-06-09T20:10:40"))
        );
        let hdfs = pattern("%y%m%d %H%M%S", true);
        assert_eq!(
            ms(&hdfs, "081109 203615", DEC_2005),
            Some(iso_ms("2008-11-09T20:36:15"))
        );
        let apache = pattern("%a %b %d %H:%M:%S%.f %Y", true);
        assert_eq!(
            ms(&apache, "Sun Dec 04 04:47:44 2005", DEC_2005),
            Some(iso_ms("2005-12-04T04:47:44"))
        );
        let health = pattern("%Y%m%d-%H:%M:%S:%3f", true);
        assert_eq!(
            ms(&health, "20171223-22:15:29:606", DEC_2005),
            Some(iso_ms("2017-12-23T22:15:29.606"))
        );
        assert_eq!(ms(&spark, "17/13/09 20:10:40", DEC_2005), None);
    }

    #[test]
    fn a_missing_year_comes_from_the_file_with_rollover() {
        let syslog = pattern("%b %e %H:%M:%S", false);
        assert_eq!(
            ms(&syslog, "Dec 10 06:55:46", DEC_2005),
            Some(iso_ms("2005-12-10T06:55:46"))
        );
        assert_eq!(
            ms(&syslog, "Jul  1 09:00:55", DEC_2005),
            Some(iso_ms("2005-07-01T09:00:55"))
        );
        // A file dated January holding December's lines: last year's.
        let jan = FileDate {
            year: 2006,
            month: 1,
        };
        assert_eq!(
            ms(&syslog, "Dec 31 23:59:59", jan),
            Some(iso_ms("2005-12-31T23:59:59"))
        );
        let logcat = pattern("%m-%d %H:%M:%S%.3f", false);
        assert_eq!(
            ms(&logcat, "03-17 16:13:38.811", DEC_2005),
            Some(iso_ms("2005-03-17T16:13:38.811"))
        );
    }

    #[test]
    fn epochs_by_their_length() {
        let base = iso_ms("2005-06-03T22:42:50");
        assert_eq!(ms(&Clock::Epoch, "1117838570", DEC_2005), Some(base));
        assert_eq!(
            ms(&Clock::Epoch, "1117838570.5", DEC_2005),
            Some(base + 500)
        );
        assert_eq!(
            ms(&Clock::Epoch, "1117838570123", DEC_2005),
            Some(base + 123)
        );
        assert_eq!(ms(&Clock::Epoch, "12ab", DEC_2005), None);
        assert_eq!(
            ms(&Clock::IsoOrEpoch, "2005-06-03T22:42:50Z", DEC_2005),
            Some(base)
        );
    }
}
