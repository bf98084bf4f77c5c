//! `loglens parse`: how LogLens reads your logs. One entry per output line — its file (the
//! path inside the archive), first and last line, time, level (normalised and as written,
//! or inferred), source, message, format, and the pattern of every entry whatever its level
//! (the same miner as the analysis, so patterns can be checked against labelled data).
//! Plain columns for people, JSON lines (`--json`) for scripts; a per-file summary on stderr.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use chrono::DateTime;
use clap::Args;
use loglens_shared::report::LogTime;
use serde::Serialize;

use crate::engine::input::archive::{self, ArchiveLimits, ByteBudget, EntryReader};
use crate::engine::input::container::{self, AsZip, Container};
use crate::engine::patterns::PatternMiner;
use crate::engine::scan::MAX_LINE_BYTES;
use crate::engine::scan::Reading;
use crate::engine::scan::format::{Clock, FileDate, Format, Formats, user};
use crate::engine::scan::parse::{decode, is_continuation, trim_line};

#[derive(Debug, Clone, Args)]
pub struct ParseArgs {
    /// A log file, or an archive of them (ZIP, tar, tar.gz/tgz, gzip).
    pub input: PathBuf,
    /// Read every file as this format (see `--list-formats`) instead of detecting it.
    #[arg(long)]
    pub format: Option<String>,
    /// One JSON object per entry.
    #[arg(long)]
    pub json: bool,
    /// Your own formats (TOML; see README "Log formats").
    #[arg(long, env = "LOGLENS_FORMATS")]
    pub formats: Option<PathBuf>,
}

/// Why `loglens parse` stopped.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: io::Error },
    #[error("{path}: {source}")]
    Formats {
        path: String,
        source: user::UserFormatError,
    },
    #[error("no format is called {0:?}; known: {1}")]
    UnknownFormat(String, String),
    #[error(transparent)]
    Archive(#[from] archive::ArchiveError),
    #[error("writing the output: {0}")]
    Output(io::Error),
}

/// The user's formats file, read and checked.
pub fn load_formats(path: Option<&Path>) -> Result<Formats, InspectError> {
    match path {
        Some(path) => Ok(Formats::new(read_user_formats(path)?)),
        None => Ok(Formats::default()),
    }
}

/// The formats of one formats file, read and checked.
pub fn read_user_formats(path: &Path) -> Result<Vec<user::UserFormat>, InspectError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| InspectError::Read {
        path: shown.clone(),
        source,
    })?;
    user::parse(&text).map_err(|source| InspectError::Formats {
        path: shown,
        source,
    })
}

/// One entry, as printed.
#[derive(Debug, Serialize)]
pub struct EntryLine<'a> {
    pub file: &'a str,
    pub first_line: u64,
    pub last_line: u64,
    /// RFC 3339, with its zone when the log writes one.
    pub timestamp: Option<String>,
    /// INFO, WARNING or ERROR.
    pub level: &'static str,
    pub level_raw: Option<String>,
    pub inferred: bool,
    pub source: String,
    pub message: String,
    pub format: &'a str,
    pub pattern: String,
}

/// What reading one file found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileTally {
    pub lines: u64,
    pub entries: u64,
    pub continuation_lines: u64,
    pub unreadable: u64,
    pub first_unreadable: Option<(u64, String)>,
    /// Not a text file: skipped after its first bytes.
    pub binary: bool,
}

/// Runs `loglens parse`.
pub fn run(args: &ParseArgs) -> Result<(), InspectError> {
    let formats = load_formats(args.formats.as_deref())?;
    let forced = match &args.format {
        Some(name) => Some(formats.by_name(name).ok_or_else(|| {
            InspectError::UnknownFormat(
                name.clone(),
                formats
                    .all()
                    .map(|f| f.name.as_ref())
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        })?),
        None => None,
    };
    let miner = PatternMiner::new();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let shown = args.input.display().to_string();
    let read_err = |source| InspectError::Read {
        path: shown.clone(),
        source,
    };
    let kind = container::sniff(&args.input)?;
    let mut each = |name: &str, date: FileDate, reader: &mut dyn Read| -> io::Result<()> {
        let tally = read_entries(reader, name, &formats, forced, date, &miner, |e| {
            print_entry(&mut out, e, args.json)
        })?;
        if tally.binary {
            eprintln!("{name}: not a text file (binary or UTF-16), skipped");
            return Ok(());
        }
        eprintln!(
            "{name}: {} lines, {} entries, {} continuation lines, {} unreadable{}",
            tally.lines,
            tally.entries,
            tally.continuation_lines,
            tally.unreadable,
            tally
                .first_unreadable
                .as_ref()
                .map(|(n, t)| format!(" (first at line {n}: {t:?})"))
                .unwrap_or_default()
        );
        Ok(())
    };
    if kind != Container::Plain {
        let limits = ArchiveLimits::default();
        let name = args
            .input
            .file_name()
            .map_or_else(|| "logs.zip".into(), |n| n.to_string_lossy().into_owned());
        // A tar or gzip is read as a ZIP made of it, as the analysis does.
        let scratch =
            std::env::temp_dir().join(format!("loglens-parse-{}.zip", uuid::Uuid::new_v4()));
        let input = AsZip::new(&args.input, &name, &scratch, &limits)?;
        let plan = archive::plan(input.path(), &name, &limits)?;
        let mut reader = EntryReader::open(input.path())?;
        let budget = ByteBudget::default();
        for entry in plan.cases.iter().flat_map(|c| &c.logs) {
            let date = entry.modified.unwrap_or_else(FileDate::today);
            reader
                .with_entry(entry, &limits, &budget, |r| each(&entry.path, date, r))
                .map_err(InspectError::Archive)?;
        }
    } else {
        let mut file = File::open(&args.input).map_err(read_err)?;
        let date = file
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .and_then(|d| FileDate::from_ms(d.as_millis() as i64))
            .unwrap_or_else(FileDate::today);
        let name = args
            .input
            .file_name()
            .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
        each(&name, date, &mut file).map_err(|e| match e.kind() {
            io::ErrorKind::BrokenPipe => InspectError::Output(e),
            _ => read_err(e),
        })?;
    }
    out.flush().map_err(InspectError::Output)
}

fn print_entry(out: &mut impl Write, e: &EntryLine<'_>, json: bool) -> io::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, e)?;
        return out.write_all(b"\n");
    }
    let lines = if e.first_line == e.last_line {
        e.first_line.to_string()
    } else {
        format!("{}-{}", e.first_line, e.last_line)
    };
    let level = if e.inferred {
        format!("{}?", e.level)
    } else {
        e.level.to_owned()
    };
    writeln!(
        out,
        "{}:{lines}\t{}\t{level}\t{}\t{}\t{}",
        e.file,
        e.timestamp.as_deref().unwrap_or("-"),
        e.pattern,
        if e.source.is_empty() { "-" } else { &e.source },
        e.message
    )
}

/// A time as RFC 3339: the wall clock as written, with the zone when the log writes one
/// (`Z` for epoch times).
pub fn rfc3339(t: &LogTime, clock: &Clock) -> String {
    let wall = DateTime::from_timestamp_millis(t.ms)
        .map(|d| d.naive_utc().format("%Y-%m-%dT%H:%M:%S%.3f").to_string())
        .unwrap_or_default();
    let zone = match clock {
        Clock::Epoch => "Z".to_owned(),
        Clock::Pattern { .. } => String::new(),
        Clock::Iso | Clock::IsoOrEpoch => {
            let raw = t.raw.as_str();
            if raw.ends_with('Z') {
                "Z".to_owned()
            } else if raw.len() > 19 {
                // A trailing ±HH[:MM] after the time of day.
                let tail = &raw[19..];
                match tail.rfind(['+', '-']) {
                    Some(p) => {
                        let z = &tail[p..];
                        match z.len() {
                            3 => format!("{z}:00"),
                            5 => format!("{}:{}", &z[..3], &z[3..]),
                            _ => z.to_owned(),
                        }
                    }
                    None => String::new(),
                }
            } else if raw.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                "Z".to_owned()
            } else {
                String::new()
            }
        }
    };
    wall + &zone
}

/// An entry being read (its continuation lines may follow).
struct Pending {
    first: u64,
    last: u64,
    timestamp: Option<String>,
    level: &'static str,
    level_raw: Option<String>,
    inferred: bool,
    source: String,
    message: String,
    pattern: u64,
}

/// Reads one file's entries, calling `each` for every one (after its continuation lines).
pub fn read_entries(
    reader: &mut dyn Read,
    name: &str,
    formats: &Formats,
    forced: Option<&Format>,
    date: FileDate,
    miner: &PatternMiner,
    mut each: impl FnMut(&EntryLine<'_>) -> io::Result<()>,
) -> io::Result<FileTally> {
    let reading = Reading {
        formats,
        forced,
        path: name,
        date,
    };
    let Some((format, reader)) = reading.open(reader)? else {
        return Ok(FileTally {
            binary: true,
            ..FileTally::default()
        });
    };
    let format_name = format.map_or("none", |f| f.name.as_ref());
    let mut reader = BufReader::new(reader);
    let mut tally = FileTally::default();
    let mut pending: Option<Pending> = None;
    let flush = |p: Option<Pending>, each: &mut dyn FnMut(&EntryLine<'_>) -> io::Result<()>| match p
    {
        Some(p) => each(&EntryLine {
            file: name,
            first_line: p.first,
            last_line: p.last,
            timestamp: p.timestamp,
            level: p.level,
            level_raw: p.level_raw,
            inferred: p.inferred,
            source: p.source,
            message: p.message,
            format: format_name,
            pattern: format!("P{}", p.pattern),
        }),
        None => Ok(()),
    };
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        tally.lines += 1;
        let n = tally.lines;
        let line = trim_line(&buf);
        if line.is_empty() {
            continue;
        }
        let entry = (line.len() <= MAX_LINE_BYTES)
            .then(|| format.and_then(|f| f.entry(line, date).map(|e| (f, e))))
            .flatten();
        match entry {
            Some((f, e)) => {
                tally.entries += 1;
                let message = decode(&e.message);
                let pattern = miner.add(&message);
                let next = Pending {
                    first: n,
                    last: n,
                    timestamp: e.timestamp.as_ref().map(|t| rfc3339(t, &f.clock)),
                    level: e.level.map_or("INFO", |l| l.as_str()),
                    level_raw: (!e.level_raw.is_empty()).then(|| decode(&e.level_raw)),
                    inferred: e.inferred,
                    source: decode(&e.source),
                    message,
                    pattern,
                };
                flush(pending.replace(next), &mut each)?;
            }
            None if pending.is_some() && is_continuation(line) => {
                tally.continuation_lines += 1;
                if let Some(p) = pending.as_mut() {
                    p.last = n;
                }
            }
            None => {
                tally.unreadable += 1;
                if tally.first_unreadable.is_none() {
                    let text: String = decode(line).chars().take(200).collect();
                    tally.first_unreadable = Some((n, text));
                }
                flush(pending.take(), &mut each)?;
            }
        }
    }
    flush(pending.take(), &mut each)?;
    Ok(tally)
}
