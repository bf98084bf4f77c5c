//! The results zip: every report file of an analysis at the zip's root, named
//! `<upload name>_Results_<Light|Heavy>.zip` as the organizers ask.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use loglens_shared::{ModelKind, ReportFile};

use super::{RenderError, io_err};

/// Name of the results zip: `<upload name>_Results_<Light|Heavy>.zip`.
pub fn results_zip_name(upload_stem: &str, model: ModelKind) -> String {
    // The model's name, capitalised: `light` → `Light`.
    let (first, rest) = model.as_str().split_at(1);
    let model = format!("{}{rest}", first.to_uppercase());
    let stem = if upload_stem.trim().is_empty() {
        "logs"
    } else {
        upload_stem
    };
    format!("{stem}_Results_{model}.zip")
}

/// Now as a ZIP time stamp (local time, as archivers show it); the format's default is
/// 1980-01-01, which makes every report look decades old.
fn zip_time_now() -> zip::DateTime {
    use chrono::{Datelike, Timelike};
    let now = chrono::Local::now();
    zip::DateTime::from_date_and_time(
        u16::try_from(now.year()).unwrap_or(1980),
        now.month() as u8,
        now.day() as u8,
        now.hour() as u8,
        now.minute() as u8,
        now.second() as u8,
    )
    .unwrap_or_default()
}

/// Packs the report files of `dir` (at the zip's root) into `dir/<zip_name>`.
pub fn write_results_zip(dir: &Path, zip_name: &str) -> Result<PathBuf, RenderError> {
    let path = dir.join(zip_name);
    let file = File::create(&path).map_err(io_err(&path))?;
    let mut zip = zip::ZipWriter::new(BufWriter::new(file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip_time_now());
    let other = |e: zip::result::ZipError| RenderError::Other {
        path: path.clone(),
        reason: e.to_string(),
    };
    for name in ReportFile::ALL.map(ReportFile::file_name) {
        let src = dir.join(name);
        if !src.is_file() {
            continue;
        }
        zip.start_file(name, options).map_err(other)?;
        let mut f = File::open(&src).map_err(io_err(&src))?;
        io::copy(&mut f, &mut zip).map_err(io_err(&path))?;
    }
    zip.finish()
        .map_err(other)?
        .flush()
        .map_err(io_err(&path))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_name_follows_the_convention() {
        assert_eq!(
            results_zip_name("vc", ModelKind::Light),
            "vc_Results_Light.zip"
        );
        assert_eq!(
            results_zip_name("Журналы", ModelKind::Heavy),
            "Журналы_Results_Heavy.zip"
        );
        assert_eq!(
            results_zip_name(" ", ModelKind::Light),
            "logs_Results_Light.zip"
        );
    }

    #[test]
    fn the_zip_packs_the_report_files_at_its_root() {
        let dir = tempfile::tempdir().expect("tmp");
        let report = crate::render::sample::report(2);
        for file in ReportFile::ALL {
            crate::render::write(&report, file, dir.path()).expect("written");
        }
        std::fs::write(dir.path().join("other.txt"), "not a report").expect("write");
        let path = write_results_zip(dir.path(), "r.zip").expect("zip");
        let mut zip = zip::ZipArchive::new(File::open(&path).expect("open")).expect("a zip");
        let names: Vec<String> = (0..zip.len())
            .map(|i| {
                zip.by_index(i)
                    .expect("entry")
                    .name()
                    .expect("name")
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ReportFile::ALL.map(|f| f.file_name().to_owned()));
    }
}
