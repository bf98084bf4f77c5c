//! Reading an uploaded ZIP safely: the central directory is inspected first (names, sizes,
//! counts, encryption) and turned into a plan of cases; log entries are then streamed one by
//! one. Nothing is extracted to disk and no entry is held in memory whole, except the small
//! knowledge-base files.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, Read, Seek};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use loglens_shared::api::Problem;
use loglens_shared::report::Notice;

use crate::engine::scan::format::FileDate;
use zip::ZipArchive;

/// Limits that keep a hostile archive from exhausting the machine. All configurable.
#[derive(Debug, Clone, Copy)]
pub struct ArchiveLimits {
    /// Entries in the central directory.
    pub max_entries: usize,
    /// Uncompressed bytes of all entries read, declared or actual.
    pub max_total_bytes: u64,
    /// Uncompressed/compressed ratio above which an entry is a zip bomb.
    pub max_ratio: u64,
}

/// Entries smaller than this are exempt from the ratio check (tiny files compress oddly).
pub(crate) const RATIO_EXEMPT_BYTES: u64 = 1024 * 1024;

impl Default for ArchiveLimits {
    fn default() -> Self {
        Self {
            max_entries: 10_000,
            max_total_bytes: 16 * 1024 * 1024 * 1024,
            max_ratio: 200,
        }
    }
}

/// Extensions read as log files.
const LOG_EXTENSIONS: [&str; 2] = ["txt", "log"];
/// Whether a file is read as a log: `.log`, `.txt`, a rotation (`app.log.1`, `messages.2`) or a
/// name without an extension (`syslog`, `messages`, `error_log`). Its content then says
/// which format it is in (or that it is none, which the report says).
fn is_log_name(lower: &str, ext: &str) -> bool {
    LOG_EXTENSIONS.contains(&ext)
        || !lower.contains('.')
        || (!ext.is_empty() && ext.bytes().all(|b| b.is_ascii_digit()))
}

/// Extensions of nested archives, which are skipped with a warning.
const NESTED_ARCHIVES: [&str; 10] = [
    "zip", "gz", "tgz", "tar", "7z", "rar", "bz2", "xz", "zst", "jar",
];
/// Knowledge-base file names, in order of preference when a folder has several.
pub const KB_FILE_NAMES: [&str; 3] = [
    "anomalies_problems.csv",
    "anomalies_problems.xlsx",
    "anomalies_problems.xls",
];

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("cannot open the upload: {0}")]
    Io(#[from] io::Error),
    #[error("the upload is not a readable ZIP archive: {0}")]
    NotAZip(String),
    #[error("entry {entry:?} is corrupt: {reason}")]
    Corrupt { entry: String, reason: String },
    #[error(
        "entry {entry:?} has an unsafe path (absolute or leaving the archive); the archive was rejected"
    )]
    UnsafePath { entry: String },
    #[error("entry {entry:?} is encrypted; encrypted archives are not supported")]
    Encrypted { entry: String },
    #[error("the archive has {count} entries, more than the limit of {max}")]
    TooManyEntries { count: usize, max: usize },
    #[error("the archive unpacks to more than {max} bytes")]
    TooLarge { max: u64 },
    #[error("entry {entry:?} expands {ratio}× (limit {max}×): rejected as a zip bomb")]
    Bomb { entry: String, ratio: u64, max: u64 },
    #[error(
        "the archive holds no log files (*.log, *.txt, rotations such as app.log.1, or names without an extension such as syslog)"
    )]
    NoLogs,
    #[error("scenario id {id} is claimed by both {first:?} and {second:?}; rename one folder")]
    ScenarioCollision {
        id: u32,
        first: String,
        second: String,
    },
}

impl ArchiveError {
    /// The error as an API problem about the uploaded archive `file`.
    pub fn problem(&self, file: &str) -> Problem {
        let file = file.to_owned();
        match self {
            ArchiveError::Io(_) | ArchiveError::NotAZip(_) => Problem::ArchiveUnreadable { file },
            ArchiveError::Corrupt { entry, .. } => Problem::ArchiveCorrupt {
                file,
                entry: entry.clone(),
            },
            ArchiveError::UnsafePath { entry } => Problem::ArchiveUnsafePath {
                file,
                entry: entry.clone(),
            },
            ArchiveError::Encrypted { entry } => Problem::ArchiveEncrypted {
                file,
                entry: entry.clone(),
            },
            ArchiveError::TooManyEntries { count, max } => Problem::ArchiveTooManyEntries {
                file,
                count: *count as u64,
                max: *max as u64,
            },
            ArchiveError::TooLarge { max } => Problem::ArchiveTooLarge { file, max: *max },
            ArchiveError::Bomb { entry, ratio, max } => Problem::ArchiveBomb {
                file,
                entry: entry.clone(),
                ratio: *ratio,
                max: *max,
            },
            ArchiveError::NoLogs => Problem::ArchiveNoLogs { file },
            ArchiveError::ScenarioCollision { id, first, second } => Problem::ScenarioCollision {
                file,
                id: *id,
                first: first.clone(),
                second: second.clone(),
            },
        }
    }
}

/// A log file inside the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub index: usize,
    /// Full path inside the archive.
    pub path: String,
    /// File name alone (`app_server1_log.txt`), as reports show it.
    pub name: String,
    pub size: u64,
    pub compressed: u64,
    /// The entry is a gzip-compressed log (`app.log.2.gz`), unpacked while it is read; the
    /// ratio limit holds for the two layers together.
    pub gzip: bool,
    /// When the archive says the file was last written (a year for formats that omit it).
    pub modified: Option<FileDate>,
}

/// A knowledge-base file inside the archive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KbEntry {
    pub index: usize,
    pub path: String,
    pub size: u64,
}

/// One case: a folder of log files and the knowledge base it uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasePlan {
    pub id: u32,
    /// Folder inside the archive (`""` for the root).
    pub folder: String,
    /// Its own knowledge base or the nearest one above it; `None` = use the uploaded or built-in one.
    pub kb: Option<KbEntry>,
    pub logs: Vec<LogEntry>,
}

/// What the archive holds, decided from its central directory alone.
#[derive(Debug, Clone, Default)]
pub struct ArchivePlan {
    pub cases: Vec<CasePlan>,
    /// What was skipped or guessed while planning.
    pub notices: Vec<Notice>,
    /// Sum of the declared uncompressed sizes of the log entries.
    pub log_bytes: u64,
}

/// Reads the central directory of the ZIP at `path` and plans the cases. `upload_name` (the
/// user's file name) supplies the first scenario id of the case folders that have no digits.
pub fn plan(
    path: &Path,
    upload_name: &str,
    limits: &ArchiveLimits,
) -> Result<ArchivePlan, ArchiveError> {
    plan_archive(open(path)?, upload_name, limits)
}

/// [`plan`] of a ZIP held by any reader (the fuzzer's bytes, a test's buffer).
pub fn plan_reader<R: Read + Seek>(
    reader: R,
    upload_name: &str,
    limits: &ArchiveLimits,
) -> Result<ArchivePlan, ArchiveError> {
    let zip = ZipArchive::new(reader).map_err(|e| ArchiveError::NotAZip(e.to_string()))?;
    plan_archive(zip, upload_name, limits)
}

fn plan_archive<R: Read + Seek>(
    mut zip: ZipArchive<R>,
    upload_name: &str,
    limits: &ArchiveLimits,
) -> Result<ArchivePlan, ArchiveError> {
    if zip.len() > limits.max_entries {
        return Err(ArchiveError::TooManyEntries {
            count: zip.len(),
            max: limits.max_entries,
        });
    }
    let mut notices = Vec::new();
    let mut kbs: HashMap<String, Vec<KbEntry>> = HashMap::new();
    let mut logs: BTreeMap<String, Vec<LogEntry>> = BTreeMap::new();
    let mut total: u64 = 0;
    let mut recoded_names = 0usize;
    for index in 0..zip.len() {
        let entry = zip.by_index_raw(index).map_err(|e| ArchiveError::Corrupt {
            entry: format!("#{index}"),
            reason: e.to_string(),
        })?;
        let (name, recoded) = entry_name(entry.name_raw());
        recoded_names += usize::from(recoded);
        if !is_safe_path(&name) {
            return Err(ArchiveError::UnsafePath { entry: name });
        }
        if entry.is_dir() {
            continue;
        }
        if entry.encrypted() {
            return Err(ArchiveError::Encrypted { entry: name });
        }
        let (size, compressed) = (entry.size(), entry.compressed_size());
        total = total.saturating_add(size);
        if total > limits.max_total_bytes {
            return Err(ArchiveError::TooLarge {
                max: limits.max_total_bytes,
            });
        }
        check_ratio(&name, size, compressed, limits)?;
        let (folder, file) = split_path(&name);
        if file.starts_with("._") || file == ".DS_Store" || name.starts_with("__MACOSX/") {
            continue;
        }
        let lower = file.to_lowercase();
        let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
        // `app.log.2.gz`: a gzip-compressed log, read through a decoder (named without `.gz`).
        let gz_log = lower
            .strip_suffix(".gz")
            .filter(|inner| !inner.ends_with(".tar"))
            .filter(|inner| is_log_name(inner, inner.rsplit_once('.').map_or("", |(_, e)| e)));
        if KB_FILE_NAMES.contains(&lower.as_str()) {
            kbs.entry(folder.to_owned()).or_default().push(KbEntry {
                index,
                path: name.clone(),
                size,
            });
        } else if is_log_name(&lower, ext) || gz_log.is_some() {
            let log = LogEntry {
                index,
                path: name.clone(),
                name: match gz_log {
                    Some(_) => file[..file.len() - 3].to_owned(),
                    None => file.to_owned(),
                },
                size,
                compressed,
                gzip: gz_log.is_some(),
                modified: entry.last_modified().and_then(|t| {
                    (t.year() >= 1990).then(|| FileDate {
                        year: i32::from(t.year()),
                        month: u32::from(t.month()),
                    })
                }),
            };
            logs.entry(folder.to_owned()).or_default().push(log);
        } else if NESTED_ARCHIVES.contains(&ext) {
            notices.push(Notice::NestedArchiveIgnored { entry: name });
        }
    }
    if recoded_names > 0 {
        notices.push(Notice::NamesRecoded {
            count: recoded_names as u64,
        });
    }
    if logs.is_empty() {
        return Err(ArchiveError::NoLogs);
    }
    // Folders that name their scenario keep it (two naming the same one are an error: the
    // user meant two different scenarios); folders without digits then take the free ids in
    // path order, from the upload's own number (or 1) on — never an error.
    let mut ids: HashMap<u32, String> = HashMap::new();
    let mut unnamed = Vec::new();
    for folder in logs.keys() {
        match own_number(folder) {
            Some(id) => {
                if let Some(first) = ids.insert(id, folder.clone()) {
                    return Err(ArchiveError::ScenarioCollision {
                        id,
                        first: display_folder(&first),
                        second: display_folder(folder),
                    });
                }
            }
            None => unnamed.push(folder.clone()),
        }
    }
    let mut next = integers(upload_name).next().unwrap_or(1);
    for folder in unnamed {
        while ids.contains_key(&next) {
            next = next.saturating_add(1);
        }
        ids.insert(next, folder);
    }
    let by_folder: HashMap<&str, u32> = ids.iter().map(|(id, f)| (f.as_str(), *id)).collect();
    let mut cases = Vec::new();
    let mut log_bytes = 0;
    for (folder, mut entries) in logs {
        entries.sort_by(|a, b| a.name.cmp(&b.name).then(a.path.cmp(&b.path)));
        let kb = nearest_kb(&kbs, &folder, &mut notices);
        let id = by_folder.get(folder.as_str()).copied().unwrap_or(1);
        log_bytes += entries.iter().map(|e| e.size).sum::<u64>();
        cases.push(CasePlan {
            id,
            folder,
            kb,
            logs: entries,
        });
    }
    cases.sort_by_key(|c| c.id);
    Ok(ArchivePlan {
        cases,
        notices,
        log_bytes,
    })
}

fn display_folder(folder: &str) -> String {
    if folder.is_empty() {
        "<archive root>".into()
    } else {
        folder.to_owned()
    }
}

fn open(path: &Path) -> Result<ZipArchive<File>, ArchiveError> {
    let file = File::open(path)?;
    ZipArchive::new(file).map_err(|e| ArchiveError::NotAZip(e.to_string()))
}

fn check_ratio(
    name: &str,
    size: u64,
    compressed: u64,
    limits: &ArchiveLimits,
) -> Result<(), ArchiveError> {
    if size < RATIO_EXEMPT_BYTES {
        return Ok(());
    }
    let ratio = size / compressed.max(1);
    if ratio > limits.max_ratio {
        return Err(ArchiveError::Bomb {
            entry: name.to_owned(),
            ratio,
            max: limits.max_ratio,
        });
    }
    Ok(())
}

/// UTF-8 names as they are; other bytes decoded as CP866 (Russian Windows archivers).
fn entry_name(raw: &[u8]) -> (String, bool) {
    match std::str::from_utf8(raw) {
        Ok(s) => (s.replace('\\', "/"), false),
        Err(_) => (
            encoding_rs::IBM866
                .decode_without_bom_handling(raw)
                .0
                .replace('\\', "/"),
            true,
        ),
    }
}

/// No absolute paths, drive letters, NUL bytes or `..` components (zip-slip).
pub(crate) fn is_safe_path(name: &str) -> bool {
    if name.starts_with('/') || name.contains('\0') {
        return false;
    }
    let bytes = name.as_bytes();
    if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        return false;
    }
    !name.split('/').any(|part| part == "..")
}

fn split_path(name: &str) -> (&str, &str) {
    name.rsplit_once('/').unwrap_or(("", name))
}

fn nearest_kb(
    kbs: &HashMap<String, Vec<KbEntry>>,
    folder: &str,
    notices: &mut Vec<Notice>,
) -> Option<KbEntry> {
    let mut dir = folder;
    loop {
        if let Some(found) = kbs.get(dir) {
            let mut found = found.clone();
            found.sort_by_key(|k| {
                let file = split_path(&k.path).1.to_lowercase();
                KB_FILE_NAMES
                    .iter()
                    .position(|n| *n == file)
                    .unwrap_or(usize::MAX)
            });
            if found.len() > 1 {
                let notice = Notice::SeveralKnowledgeBases {
                    folder: display_folder(dir),
                    used: found[0].path.clone(),
                };
                if !notices.contains(&notice) {
                    notices.push(notice);
                }
            }
            return found.into_iter().next();
        }
        if dir.is_empty() {
            return None;
        }
        dir = split_path(dir).0;
    }
}

fn integers(s: &str) -> impl Iterator<Item = u32> + '_ {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|t| !t.is_empty())
        .filter_map(|t| t.parse().ok())
}

/// The scenario a case folder names: the last integer in its own name (`TestCase 7` → 7).
fn own_number(folder: &str) -> Option<u32> {
    integers(split_path(folder).1).last()
}

/// The scenario id of a lone case: the folder's own number; else the first integer in the
/// upload's file name; else 1. (Several folders without numbers take the next free ids.)
pub fn scenario_id(folder: &str, upload_name: &str) -> u32 {
    own_number(folder)
        .or_else(|| integers(upload_name).next())
        .unwrap_or(1)
}

/// Opens log entries for streaming. One reader per thread: the archive file is opened once
/// per reader and entries are decompressed on demand.
pub struct EntryReader<R = File> {
    zip: ZipArchive<R>,
}

/// Uncompressed bytes read so far across all readers of one analysis, checked against the limit.
#[derive(Debug, Default)]
pub struct ByteBudget {
    used: AtomicU64,
}

impl EntryReader {
    pub fn open(path: &Path) -> Result<Self, ArchiveError> {
        Ok(Self { zip: open(path)? })
    }
}

impl<R: Read + Seek> EntryReader<R> {
    /// Entries of a ZIP held by any reader.
    pub fn from_reader(reader: R) -> Result<Self, ArchiveError> {
        let zip = ZipArchive::new(reader).map_err(|e| ArchiveError::NotAZip(e.to_string()))?;
        Ok(Self { zip })
    }

    /// Streams entry `index` through `f`. The reader enforces the total byte budget and the
    /// bomb ratio on the bytes actually produced, whatever the headers claim.
    pub fn with_entry<T>(
        &mut self,
        entry: &LogEntry,
        limits: &ArchiveLimits,
        budget: &ByteBudget,
        f: impl FnOnce(&mut dyn Read) -> io::Result<T>,
    ) -> Result<T, ArchiveError> {
        let file = entry_at(&mut self.zip, entry.index, &entry.path)?;
        let inner: Box<dyn Read + '_> = if entry.gzip {
            Box::new(flate2::read::MultiGzDecoder::new(file))
        } else {
            Box::new(file)
        };
        let mut guarded = Guarded {
            inner,
            entry,
            limits,
            budget,
            produced: 0,
            verdict: None,
        };
        let out = f(&mut guarded);
        if let Some(err) = guarded.verdict.take() {
            return Err(err);
        }
        out.map_err(|e| corrupt(&entry.path, e))
    }

    /// Reads a small entry (a knowledge base) whole, up to `max` bytes.
    pub fn read_small(&mut self, entry: &KbEntry, max: u64) -> Result<Vec<u8>, ArchiveError> {
        let file = entry_at(&mut self.zip, entry.index, &entry.path)?;
        let mut buf = Vec::with_capacity(entry.size.min(max) as usize);
        file.take(max + 1)
            .read_to_end(&mut buf)
            .map_err(|e| corrupt(&entry.path, e))?;
        if buf.len() as u64 > max {
            return Err(corrupt(&entry.path, format!("larger than {max} bytes")));
        }
        Ok(buf)
    }
}

fn corrupt(path: &str, reason: impl std::fmt::Display) -> ArchiveError {
    ArchiveError::Corrupt {
        entry: path.to_owned(),
        reason: reason.to_string(),
    }
}

/// Entry `index` ready to decompress, or a `Corrupt` error naming it.
fn entry_at<'a, R: Read + Seek>(
    zip: &'a mut ZipArchive<R>,
    index: usize,
    path: &str,
) -> Result<zip::read::ZipFile<'a, R>, ArchiveError> {
    zip.by_index(index).map_err(|e| corrupt(path, e))
}

struct Guarded<'a, R> {
    inner: R,
    entry: &'a LogEntry,
    limits: &'a ArchiveLimits,
    budget: &'a ByteBudget,
    produced: u64,
    verdict: Option<ArchiveError>,
}

impl<R: Read> Read for Guarded<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.produced += n as u64;
        let total = self.budget.used.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        let stop = if total > self.limits.max_total_bytes {
            Some(ArchiveError::TooLarge {
                max: self.limits.max_total_bytes,
            })
        } else if self.produced >= RATIO_EXEMPT_BYTES
            && self.produced / self.entry.compressed.max(1) > self.limits.max_ratio
        {
            Some(ArchiveError::Bomb {
                entry: self.entry.path.clone(),
                ratio: self.produced / self.entry.compressed.max(1),
                max: self.limits.max_ratio,
            })
        } else {
            None
        };
        if let Some(err) = stop {
            let msg = err.to_string();
            self.verdict = Some(err);
            return Err(io::Error::other(msg));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_ids_follow_the_spec() {
        assert_eq!(scenario_id("Test Cases/TestCase 7", "x.zip"), 7);
        assert_eq!(scenario_id("Validation Cases/ValidationCase 3", "x.zip"), 3);
        assert_eq!(scenario_id("run 2 case 12", "x.zip"), 12);
        assert_eq!(scenario_id("logs", "case_42_v2.zip"), 42);
        assert_eq!(scenario_id("", "TestCase 5.zip"), 5);
        assert_eq!(scenario_id("", "logs.zip"), 1);
        // digits in a parent folder do not count: the case folder's own name does
        assert_eq!(scenario_id("Case 9/logs", "upload.zip"), 1);
    }

    fn zip_of(names: &[&str]) -> std::io::Cursor<Vec<u8>> {
        use std::io::Write;
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut buf);
        for name in names {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .expect("entry");
            zip.write_all(b"2025-10-06T00:00:01 INFO os: ok\n")
                .expect("write");
        }
        zip.finish().expect("zip");
        buf.set_position(0);
        buf
    }

    fn ids(names: &[&str], upload: &str) -> Result<Vec<(u32, String)>, ArchiveError> {
        let plan = plan_reader(zip_of(names), upload, &ArchiveLimits::default())?;
        Ok(plan.cases.into_iter().map(|c| (c.id, c.folder)).collect())
    }

    #[test]
    fn folders_without_digits_take_the_free_ids_in_path_order() {
        let got = ids(
            &[
                "Loghub/Zookeeper/zk.log",
                "Loghub/Android/a.log",
                "Loghub/Apache/b.log",
                "Loghub/Case 2/c.log",
            ],
            "loghub.zip",
        )
        .expect("planned");
        assert_eq!(
            got,
            [
                (1, "Loghub/Android".to_owned()),
                (2, "Loghub/Case 2".to_owned()),
                (3, "Loghub/Apache".to_owned()),
                (4, "Loghub/Zookeeper".to_owned()),
            ]
        );
        // the upload's number starts them, as it did for a lone folder
        let got = ids(&["x/a.log", "y/b.log"], "run_40.zip").expect("planned");
        assert_eq!(got, [(40, "x".to_owned()), (41, "y".to_owned())]);
        // two folders that name the same scenario are still the user's to resolve
        assert!(matches!(
            ids(&["A/Case 1/a.log", "B/Run 1/b.log"], "x.zip"),
            Err(ArchiveError::ScenarioCollision { id: 1, .. })
        ));
    }

    #[test]
    fn unsafe_paths_are_recognised() {
        for bad in [
            "../etc/passwd",
            "a/../../b",
            "/abs/file.txt",
            "C:/x.txt",
            "a/..",
            "nul\0.txt",
        ] {
            assert!(!is_safe_path(bad), "{bad}");
        }
        for good in [
            "a/b.txt",
            "Test Cases/TestCase 1/app.log",
            "a..b/c.txt",
            "..hidden.txt",
        ] {
            assert!(is_safe_path(good), "{good}");
        }
    }

    #[test]
    fn cp866_names_are_decoded() {
        let (raw, _, _) = encoding_rs::IBM866.encode("Кейс 3/журнал.txt");
        let (name, recoded) = entry_name(&raw);
        assert_eq!(name, "Кейс 3/журнал.txt");
        assert!(recoded);
        assert_eq!(entry_name(b"a\\b.txt"), ("a/b.txt".to_owned(), false));
    }
}
