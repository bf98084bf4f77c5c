//! What the operator should know about an analysis that completed: the conditions under which
//! a green "success" would mislead (most of the input unread, nothing matched, an uploaded file
//! not used, Russian logs read by the English-only model). Any of them makes the run
//! "completed with warnings".

use loglens_shared::report::{AnalysisReport, Notice};

use crate::engine::embed::models::ModelKind;

/// Share of unparsable lines above which the input counts as mostly unread.
pub const MOSTLY_UNREADABLE: f64 = 0.5;
/// Share of one file's lines that may go unread before the report names the file.
pub const UNREADABLE_FILE: f64 = 0.05;
/// Share of Cyrillic WARNING/ERROR lines above which the light model is the wrong choice.
pub const MOSTLY_CYRILLIC: f64 = 0.5;

/// What the analysis saw, beyond the report itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Inputs<'a> {
    pub model: Option<ModelKind>,
    /// The knowledge base uploaded beside the archive, if any, and whether a case used it.
    pub uploaded_kb: Option<(&'a str, bool)>,
    /// WARNING/ERROR lines whose message is mostly Cyrillic.
    pub cyrillic_signal_lines: u64,
}

/// The notices about the outcome, in the order the dashboard shows them.
pub fn outcome(report: &AnalysisReport, inputs: Inputs<'_>) -> Vec<Notice> {
    let s = &report.summary;
    let mut out = Vec::new();
    let unreadable = s.lines > 0 && s.unparsable_lines as f64 > MOSTLY_UNREADABLE * s.lines as f64;
    if unreadable {
        out.push(Notice::MostlyUnreadable {
            unparsable: s.unparsable_lines,
            lines: s.lines,
        });
    } else if s.signal_lines == 0 {
        out.push(Notice::NoSignalLines { lines: s.lines });
    }
    for scenario in &report.scenarios {
        for f in &scenario.files {
            let file = || {
                if scenario.folder.is_empty() {
                    f.name.clone()
                } else {
                    format!("{}/{}", scenario.folder, f.name)
                }
            };
            if f.binary {
                out.push(Notice::BinaryFileSkipped { file: file() });
            }
            let Some(first) = &f.first_unparsable else {
                continue;
            };
            if f.unparsable_lines as f64 > UNREADABLE_FILE * f.lines as f64 {
                let file = file();
                out.push(Notice::UnreadableFile {
                    file,
                    unparsable: f.unparsable_lines,
                    lines: f.lines,
                    first: first.clone(),
                });
            }
        }
    }
    let matched =
        !(report.links.is_empty() && report.incidents.is_empty() && report.predictions.is_empty());
    if s.signal_lines > 0 && !matched {
        out.push(Notice::NothingMatched {
            signal_lines: s.signal_lines,
        });
    }
    if let Some((file, false)) = inputs.uploaded_kb {
        out.push(Notice::UploadedKbUnused {
            file: file.to_owned(),
        });
    }
    if inputs.model == Some(ModelKind::Light)
        && s.signal_lines > 0
        && inputs.cyrillic_signal_lines as f64 > MOSTLY_CYRILLIC * s.signal_lines as f64
    {
        out.push(Notice::CyrillicWithLight {
            cyrillic: inputs.cyrillic_signal_lines,
            signal_lines: s.signal_lines,
        });
    }
    out
}

/// Whether a message is written mostly in Cyrillic: more Cyrillic letters than Latin ones
/// (file names, hosts and abbreviations such as `eth0` or `RAID` stay Latin in Russian text).
pub fn is_cyrillic(text: &str) -> bool {
    let (mut cyrillic, mut latin) = (0usize, 0usize);
    for c in text.chars() {
        if ('\u{400}'..='\u{4ff}').contains(&c) {
            cyrillic += 1;
        } else if c.is_ascii_alphabetic() {
            latin += 1;
        }
    }
    cyrillic > latin
}

#[cfg(test)]
mod tests {
    use super::*;
    use loglens_shared::report::Summary;

    fn report(lines: u64, unparsable: u64, signal: u64) -> AnalysisReport {
        AnalysisReport {
            summary: Summary {
                lines,
                unparsable_lines: unparsable,
                signal_lines: signal,
                ..Summary::default()
            },
            ..AnalysisReport::default()
        }
    }

    #[test]
    fn lines_without_timestamps_are_mostly_unreadable() {
        let r = report(300, 300, 0);
        assert_eq!(
            outcome(&r, Inputs::default()),
            vec![Notice::MostlyUnreadable {
                unparsable: 300,
                lines: 300
            }]
        );
    }

    #[test]
    fn read_but_unmatched_and_unused_and_cyrillic_are_each_said() {
        let r = report(1000, 10, 40);
        let notices = outcome(
            &r,
            Inputs {
                model: Some(ModelKind::Light),
                uploaded_kb: Some(("my.csv", false)),
                cyrillic_signal_lines: 30,
            },
        );
        assert_eq!(
            notices,
            vec![
                Notice::NothingMatched { signal_lines: 40 },
                Notice::UploadedKbUnused {
                    file: "my.csv".into()
                },
                Notice::CyrillicWithLight {
                    cyrillic: 30,
                    signal_lines: 40
                },
            ]
        );
        let heavy = Inputs {
            model: Some(ModelKind::Heavy),
            uploaded_kb: Some(("my.csv", true)),
            cyrillic_signal_lines: 30,
        };
        assert_eq!(
            outcome(&r, heavy),
            vec![Notice::NothingMatched { signal_lines: 40 }]
        );
    }

    #[test]
    fn a_clean_run_has_no_notice() {
        let mut r = report(1000, 0, 4);
        r.links.push(Default::default());
        assert!(outcome(&r, Inputs::default()).is_empty());
    }

    #[test]
    fn cyrillic_means_more_cyrillic_than_latin_letters() {
        assert!(is_cyrillic("Температура CPU0 превысила порог"));
        assert!(!is_cyrillic("CPU0: Temperature critical"));
        assert!(!is_cyrillic("eth0: link down (интерфейс)"));
        assert!(!is_cyrillic("1234 ::"));
    }
}
