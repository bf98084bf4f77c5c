//! Uploads that are not a ZIP — a tar, a tar.gz/tgz, one gzip-compressed file, one plain log
//! — made into a ZIP before anything plans or reads them, so every later stage knows one kind
//! of archive. Told apart by content (magic bytes), not by name.
//!
//! The repacking streams, and applies the archive defences on the way, as the ZIP reader
//! does on its own entries: safe paths only, at most `max_entries` files, at most
//! `max_total_bytes` unpacked, and no stream unpacking beyond `max_ratio` times its packed
//! size (the whole tar.gz, and each gzip-compressed member such as `app.log.2.gz`, which is
//! unpacked as `app.log.2`). Only regular files are taken: links and devices are skipped.

use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use super::archive::{ArchiveError, ArchiveLimits, RATIO_EXEMPT_BYTES, is_safe_path};

/// What an upload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Zip,
    Tar,
    TarGz,
    /// One gzip-compressed file.
    Gzip,
    /// One log file as it is.
    Plain,
}

/// Bytes looked at to tell the kind (a tar header is 512).
const SNIFF_BYTES: usize = 512;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

fn is_tar(head: &[u8]) -> bool {
    head.get(257..262) == Some(b"ustar")
}

/// Tells what the file at `path` is; an error when it is none of the kinds (a binary file).
pub fn sniff(path: &Path) -> Result<Container, ArchiveError> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    File::open(path)?
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)?;
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Ok(Container::Zip);
    }
    if head.starts_with(&GZIP_MAGIC) {
        let mut inner = Vec::with_capacity(SNIFF_BYTES);
        // A damaged gzip head is reported when it is read in full.
        let _ = MultiGzDecoder::new(BufReader::new(File::open(path)?))
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut inner);
        return Ok(if is_tar(&inner) {
            Container::TarGz
        } else {
            Container::Gzip
        });
    }
    if is_tar(&head) {
        return Ok(Container::Tar);
    }
    if head.is_empty() || head.contains(&0) {
        return Err(ArchiveError::NotAZip(
            "not a ZIP, tar, tar.gz or gzip archive, nor a text log".to_owned(),
        ));
    }
    Ok(Container::Plain)
}

/// Makes the upload at `src` a ZIP at `dest` unless it is one (then nothing is written).
/// `upload_name` names the one file of a gzip or plain upload. Returns what `src` was.
pub fn to_zip(
    src: &Path,
    upload_name: &str,
    dest: &Path,
    limits: &ArchiveLimits,
) -> Result<Container, ArchiveError> {
    let kind = sniff(src)?;
    if kind == Container::Zip {
        return Ok(kind);
    }
    // A name that says ZIP on content that is none is a broken download, not a log.
    if upload_name.to_lowercase().ends_with(".zip") {
        return Err(ArchiveError::NotAZip(
            "named .zip, but its content is no ZIP archive".to_owned(),
        ));
    }
    let packed = std::fs::metadata(src)?.len();
    let input = BufReader::new(File::open(src)?);
    let mut zip = ZipWriter::new(File::create(dest)?);
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true);
    let state = Limits {
        limits,
        total: Cell::new(0),
        verdict: RefCell::new(None),
    };
    let base = upload_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(upload_name);
    let result = match kind {
        Container::Zip => Ok(()),
        Container::Tar => copy_tar(tar::Archive::new(input), &mut zip, opts, &state),
        Container::TarGz => {
            let whole = state.guard(MultiGzDecoder::new(input), base, packed);
            copy_tar(tar::Archive::new(whole), &mut zip, opts, &state)
        }
        Container::Gzip => {
            let name = strip_gz(base);
            let reader = state.guard(MultiGzDecoder::new(input), base, packed);
            copy_one(reader, &name, &mut zip, opts, &state)
        }
        Container::Plain => {
            let reader = state.guard(input, base, packed);
            copy_one(reader, base, &mut zip, opts, &state)
        }
    };
    if let Some(verdict) = state.verdict.take() {
        return Err(verdict);
    }
    result?;
    zip.finish()
        .map_err(|e| ArchiveError::Io(io::Error::other(e)))?;
    Ok(kind)
}

fn strip_gz(name: &str) -> String {
    let lower = name.to_lowercase();
    if lower.ends_with(".gz") && name.len() > 3 {
        name[..name.len() - 3].to_owned()
    } else {
        format!("{name}.unpacked")
    }
}

/// The limits of one repacking and the first one a stream broke.
struct Limits<'a> {
    limits: &'a ArchiveLimits,
    total: Cell<u64>,
    verdict: RefCell<Option<ArchiveError>>,
}

impl<'a> Limits<'a> {
    fn guard<R: Read>(&'a self, inner: R, name: &str, packed: u64) -> Guard<'a, R> {
        Guard {
            inner,
            name: name.to_owned(),
            packed,
            produced: 0,
            limits: self,
        }
    }
}

/// A stream counted against the total and its own ratio.
struct Guard<'a, R> {
    inner: R,
    name: String,
    packed: u64,
    produced: u64,
    limits: &'a Limits<'a>,
}

impl<R: Read> Read for Guard<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.produced += n as u64;
        let total = self.limits.total.get() + n as u64;
        self.limits.total.set(total);
        let l = self.limits.limits;
        let verdict = if total > l.max_total_bytes {
            Some(ArchiveError::TooLarge {
                max: l.max_total_bytes,
            })
        } else if self.produced >= RATIO_EXEMPT_BYTES
            && self.produced / self.packed.max(1) > l.max_ratio
        {
            Some(ArchiveError::Bomb {
                entry: self.name.clone(),
                ratio: self.produced / self.packed.max(1),
                max: l.max_ratio,
            })
        } else {
            None
        };
        if let Some(v) = verdict {
            let message = v.to_string();
            self.limits.verdict.borrow_mut().get_or_insert(v);
            return Err(io::Error::other(message));
        }
        Ok(n)
    }
}

fn zip_err(e: zip::result::ZipError) -> ArchiveError {
    ArchiveError::Io(io::Error::other(e))
}

fn copy_one(
    mut reader: impl Read,
    name: &str,
    zip: &mut ZipWriter<File>,
    opts: SimpleFileOptions,
    state: &Limits<'_>,
) -> Result<(), ArchiveError> {
    zip.start_file(name, opts).map_err(zip_err)?;
    io::copy(&mut reader, zip).map_err(|e| read_error(name, e, state))?;
    Ok(())
}

/// A read error as the limit it broke, else as a corrupt entry.
fn read_error(name: &str, e: io::Error, state: &Limits<'_>) -> ArchiveError {
    state
        .verdict
        .take()
        .unwrap_or_else(|| ArchiveError::Corrupt {
            entry: name.to_owned(),
            reason: e.to_string(),
        })
}

fn copy_tar<R: Read>(
    mut archive: tar::Archive<R>,
    zip: &mut ZipWriter<File>,
    opts: SimpleFileOptions,
    state: &Limits<'_>,
) -> Result<(), ArchiveError> {
    let corrupt = |entry: &str, e: io::Error| read_error(entry, e, state);
    let mut files = 0usize;
    for (n, entry) in archive
        .entries()
        .map_err(|e| corrupt("the tar", e))?
        .enumerate()
    {
        let mut entry = entry.map_err(|e| corrupt(&format!("#{n}"), e))?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).replace('\\', "/");
        let name = name.trim_start_matches("./").to_owned();
        if name.is_empty() {
            continue;
        }
        if !is_safe_path(&name) {
            return Err(ArchiveError::UnsafePath { entry: name });
        }
        // Regular files only: a link could point outside the upload, a device at anything.
        if !matches!(
            entry.header().entry_type(),
            tar::EntryType::Regular | tar::EntryType::Continuous
        ) {
            continue;
        }
        files += 1;
        if files > state.limits.max_entries {
            return Err(ArchiveError::TooManyEntries {
                count: files,
                max: state.limits.max_entries,
            });
        }
        let packed = entry.size();
        let mut magic = [0u8; 2];
        let lower = name.to_lowercase();
        // `app.log.2.gz`: unpacked as `app.log.2` (a gzip member that is a tar is left as is).
        if lower.ends_with(".gz") && !lower.ends_with(".tar.gz") {
            entry
                .read_exact(&mut magic)
                .map_err(|e| corrupt(&name, e))?;
            let chained = io::Cursor::new(magic).chain(&mut entry);
            if magic == GZIP_MAGIC {
                let unpacked = state.guard(MultiGzDecoder::new(chained), &name, packed);
                copy_one(unpacked, &strip_gz(&name), zip, opts, state)?;
            } else {
                let plain = state.guard(chained, &name, packed);
                copy_one(plain, &name, zip, opts, state)?;
            }
            continue;
        }
        let plain = state.guard(&mut entry, &name, packed.max(1));
        copy_one(plain, &name, zip, opts, state)?;
    }
    Ok(())
}

/// A ZIP of the upload at `src` for the engine: `src` itself when it is one, else the
/// repacked file at `scratch` (removed when the returned guard drops).
pub struct AsZip {
    path: std::path::PathBuf,
    owned: bool,
}

impl AsZip {
    pub fn new(
        src: &Path,
        upload_name: &str,
        scratch: &Path,
        limits: &ArchiveLimits,
    ) -> Result<Self, ArchiveError> {
        match to_zip(src, upload_name, scratch, limits) {
            Ok(Container::Zip) => Ok(Self {
                path: src.to_path_buf(),
                owned: false,
            }),
            Ok(_) => Ok(Self {
                path: scratch.to_path_buf(),
                owned: true,
            }),
            Err(e) => {
                let _ = std::fs::remove_file(scratch);
                Err(e)
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for AsZip {
    fn drop(&mut self) {
        if self.owned {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    const LOG: &[u8] = b"2025-10-06T11:41:12 ERROR network: Virtual network misconfiguration\n";

    fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, bytes) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(bytes.len() as u64);
            h.set_mode(0o644);
            // The name as raw bytes: the builder itself refuses `..`, a hostile archive does not.
            h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
            h.set_cksum();
            b.append(&h, *bytes).expect("append");
        }
        b.into_inner().expect("tar")
    }

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(bytes).expect("gz");
        e.finish().expect("gz")
    }

    fn names(zip: &Path) -> Vec<(String, Vec<u8>)> {
        let mut z = zip::ZipArchive::new(File::open(zip).expect("zip")).expect("zip");
        (0..z.len())
            .map(|i| {
                let mut f = z.by_index(i).expect("entry");
                let mut b = Vec::new();
                f.read_to_end(&mut b).expect("read");
                (f.name().expect("name").into_owned(), b)
            })
            .collect()
    }

    fn repack(
        bytes: &[u8],
        name: &str,
    ) -> (
        Result<Container, ArchiveError>,
        std::path::PathBuf,
        tempfile::TempDir,
    ) {
        let dir = tempfile::tempdir().expect("tmp");
        let src = dir.path().join("upload");
        std::fs::write(&src, bytes).expect("write");
        let dest = dir.path().join("out.zip");
        let r = to_zip(&src, name, &dest, &ArchiveLimits::default());
        (r, dest, dir)
    }

    #[test]
    fn every_kind_becomes_a_zip_of_its_files() {
        let gz_member = gz(LOG);
        let tar = tar_of(&[
            ("case 1/app.log", LOG),
            ("case 1/app.log.2.gz", &gz_member),
            ("./case 2/syslog", LOG),
        ]);
        let (r, dest, _d) = repack(&tar, "logs.tar");
        assert_eq!(r.expect("tar"), Container::Tar);
        let got = names(&dest);
        assert_eq!(
            got.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            ["case 1/app.log", "case 1/app.log.2", "case 2/syslog"]
        );
        assert!(got.iter().all(|(_, b)| b == LOG), "gzip members unpacked");
        let (r, dest, _d) = repack(&gz(&tar), "logs.tgz");
        assert_eq!(r.expect("tgz"), Container::TarGz);
        assert_eq!(names(&dest).len(), 3);
        let (r, dest, _d) = repack(&gz(LOG), "app.log.gz");
        assert_eq!(r.expect("gz"), Container::Gzip);
        assert_eq!(names(&dest), [("app.log".to_owned(), LOG.to_vec())]);
        let (r, dest, _d) = repack(LOG, "server 7.log");
        assert_eq!(r.expect("plain"), Container::Plain);
        assert_eq!(names(&dest), [("server 7.log".to_owned(), LOG.to_vec())]);
    }

    #[test]
    fn the_archive_defences_hold_for_every_kind() {
        let (r, _, _d) = repack(&tar_of(&[("../evil.log", LOG)]), "x.tar");
        assert!(matches!(r, Err(ArchiveError::UnsafePath { .. })), "{r:?}");
        let bomb = gz(&vec![b'a'; 64 * 1024 * 1024]);
        let (r, _, _d) = repack(&bomb, "bomb.log.gz");
        assert!(matches!(r, Err(ArchiveError::Bomb { .. })), "{r:?}");
        let member_bomb = tar_of(&[("a/app.log.gz", &bomb)]);
        let (r, _, _d) = repack(&member_bomb, "x.tar");
        assert!(matches!(r, Err(ArchiveError::Bomb { .. })), "{r:?}");
        let many: Vec<(String, &[u8])> = (0..5).map(|i| (format!("f{i}.log"), LOG)).collect();
        let many: Vec<(&str, &[u8])> = many.iter().map(|(n, b)| (n.as_str(), *b)).collect();
        let dir = tempfile::tempdir().expect("tmp");
        let src = dir.path().join("many.tar");
        std::fs::write(&src, tar_of(&many)).expect("write");
        let limits = ArchiveLimits {
            max_entries: 3,
            ..ArchiveLimits::default()
        };
        let r = to_zip(&src, "many.tar", &dir.path().join("o.zip"), &limits);
        assert!(
            matches!(r, Err(ArchiveError::TooManyEntries { .. })),
            "{r:?}"
        );
        let (r, _, _d) = repack(b"\x00\x01binary", "x.bin");
        assert!(matches!(r, Err(ArchiveError::NotAZip(_))), "{r:?}");
        let (r, _, _d) = repack(&gz(LOG)[..10], "cut.gz");
        assert!(matches!(r, Err(ArchiveError::Corrupt { .. })), "{r:?}");
    }
}
