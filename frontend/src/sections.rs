//! The dashboard's sections, their addresses (`#links`), and the view models of its long
//! tables: pages of rows and the patterns filter. Pure: tested natively.

use loglens_shared::Level;
use loglens_shared::report::PatternInfo;

/// A part of the dashboard, reachable from its sub-navigation; the address keeps it as the
/// fragment (`/dashboard/<id>#patterns`), so a link opens the dashboard there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Overview,
    Links,
    Incidents,
    Patterns,
    Predictions,
    Novel,
    Reports,
}

impl Section {
    pub const ALL: [Section; 7] = [
        Section::Overview,
        Section::Links,
        Section::Incidents,
        Section::Patterns,
        Section::Predictions,
        Section::Novel,
        Section::Reports,
    ];

    /// Its element id and fragment.
    pub fn id(self) -> &'static str {
        match self {
            Section::Overview => "overview",
            Section::Links => "links",
            Section::Incidents => "incidents",
            Section::Patterns => "patterns",
            Section::Predictions => "predictions",
            Section::Novel => "novel",
            Section::Reports => "reports",
        }
    }

    /// The section a fragment (`#links`, `links`) names.
    pub fn from_fragment(fragment: &str) -> Option<Section> {
        let f = fragment.trim_start_matches('#');
        Section::ALL.into_iter().find(|s| s.id() == f)
    }
}

/// The knowledge bases an analysis used, from its cases' `kb_source` (`built-in`, `uploaded`,
/// or a path inside the archive), as the dashboard's header says it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KbUse {
    pub builtin: bool,
    pub uploaded: bool,
    /// The archive's own knowledge bases, each once, in order.
    pub in_archive: Vec<String>,
}

pub fn kbs_used(sources: &[&str]) -> KbUse {
    let mut used = KbUse::default();
    for s in sources {
        match *s {
            "built-in" => used.builtin = true,
            // The engine names an uploaded one `uploaded: <file>`.
            u if u == "uploaded" || u.starts_with("uploaded: ") => used.uploaded = true,
            path if !used.in_archive.iter().any(|p| p == path) => {
                used.in_archive.push(path.to_owned());
            }
            _ => {}
        }
    }
    used
}

/// Rows shown per page in the dashboard's long tables.
pub const ROWS_PER_PAGE: usize = 25;

/// One page of `len` rows: which rows (`start..end`) and how many pages there are. A page
/// past the end shows the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageOf {
    pub page: usize,
    pub pages: usize,
    pub start: usize,
    pub end: usize,
}

pub fn page_of(len: usize, page: usize, per_page: usize) -> PageOf {
    let per_page = per_page.max(1);
    let pages = len.div_ceil(per_page).max(1);
    let page = page.min(pages - 1);
    let start = (page * per_page).min(len);
    PageOf {
        page,
        pages,
        start,
        end: (start + per_page).min(len),
    }
}

/// The patterns filter: a level (none: all) and words that must all occur in the template,
/// a file or a sample line (case-insensitive).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatternFilter {
    pub level: Option<Level>,
    pub words: String,
}

impl PatternFilter {
    pub fn keeps(&self, p: &PatternInfo) -> bool {
        if self.level.is_some_and(|l| l != p.level) {
            return false;
        }
        let words: Vec<String> = self
            .words
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        if words.is_empty() {
            return true;
        }
        let mut text = p.template.to_lowercase();
        for f in &p.files {
            text.push('\n');
            text.push_str(&f.to_lowercase());
        }
        for s in &p.samples {
            text.push('\n');
            text.push_str(&s.raw.to_lowercase());
        }
        words.iter().all(|w| text.contains(w.as_str()))
    }

    /// The indexes of the patterns it keeps, in their order (ERROR first, most frequent).
    pub fn apply(&self, patterns: &[PatternInfo]) -> Vec<usize> {
        patterns
            .iter()
            .enumerate()
            .filter(|(_, p)| self.keeps(p))
            .map(|(i, _)| i)
            .collect()
    }
}

/// Height of a pattern's histogram, in the units of its bars.
pub const HISTOGRAM_HEIGHT: u32 = 16;

/// The bars of a pattern's histogram: each slice's height out of [`HISTOGRAM_HEIGHT`], the
/// busiest full height, any slice with a line at least one unit (so it shows).
pub fn histogram_bars(histogram: &[u32]) -> Vec<u32> {
    let peak = histogram.iter().copied().max().unwrap_or(0);
    histogram
        .iter()
        .map(|&n| match n {
            0 => 0,
            _ => (u64::from(n) * u64::from(HISTOGRAM_HEIGHT))
                .div_ceil(u64::from(peak.max(1)))
                .max(1) as u32,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use loglens_shared::report::PatternSample;

    fn pattern(level: Level, template: &str, file: &str, raw: &str) -> PatternInfo {
        PatternInfo {
            id: "P1".into(),
            level,
            template: template.into(),
            count: 3,
            files: vec![file.into()],
            samples: vec![PatternSample {
                scenario_id: 1,
                file: file.into(),
                line: 7,
                raw: raw.into(),
                context: Vec::new(),
            }],
            ..PatternInfo::default()
        }
    }

    #[test]
    fn a_histogram_shows_its_busiest_slice_full_and_every_line() {
        assert_eq!(histogram_bars(&[]), Vec::<u32>::new());
        assert_eq!(histogram_bars(&[0, 0]), vec![0, 0]);
        let bars = histogram_bars(&[0, 1000, 1, 500]);
        assert_eq!(bars, vec![0, HISTOGRAM_HEIGHT, 1, HISTOGRAM_HEIGHT / 2]);
    }

    #[test]
    fn the_header_names_each_knowledge_base_once() {
        assert_eq!(
            kbs_used(&["built-in", "built-in"]),
            KbUse {
                builtin: true,
                ..KbUse::default()
            }
        );
        assert_eq!(
            kbs_used(&[
                "tc1/kb.csv",
                "uploaded: site-kb.csv",
                "tc1/kb.csv",
                "tc2/kb.csv"
            ]),
            KbUse {
                builtin: false,
                uploaded: true,
                in_archive: vec!["tc1/kb.csv".into(), "tc2/kb.csv".into()],
            }
        );
    }

    #[test]
    fn sections_round_trip_through_fragments() {
        for s in Section::ALL {
            assert_eq!(Section::from_fragment(&format!("#{}", s.id())), Some(s));
        }
        assert_eq!(Section::from_fragment("links"), Some(Section::Links));
        assert_eq!(Section::from_fragment("#nowhere"), None);
        assert_eq!(Section::from_fragment(""), None);
    }

    #[test]
    fn pages_cover_every_row_once() {
        assert_eq!(
            page_of(0, 0, 25),
            PageOf {
                page: 0,
                pages: 1,
                start: 0,
                end: 0
            }
        );
        let mut seen = Vec::new();
        let p = page_of(3001, 0, 25);
        assert_eq!(p.pages, 121);
        for page in 0..p.pages {
            let p = page_of(3001, page, 25);
            seen.extend(p.start..p.end);
        }
        assert_eq!(seen, (0..3001).collect::<Vec<_>>());
        // Past the end: the last page (a filter shrank the list).
        assert_eq!(page_of(30, 9, 25).page, 1);
        assert_eq!((page_of(30, 9, 25).start, page_of(30, 9, 25).end), (25, 30));
    }

    #[test]
    fn the_patterns_filter_takes_a_level_and_all_its_words() {
        let ps = vec![
            pattern(
                Level::Error,
                "Disk <*> failed",
                "tc1/storage.log",
                "ERROR disk sda failed",
            ),
            pattern(
                Level::Warning,
                "Fan speed <num> low",
                "tc1/hw.log",
                "WARNING fan speed 900 low",
            ),
        ];
        let all = PatternFilter::default();
        assert_eq!(all.apply(&ps), vec![0, 1]);
        let errors = PatternFilter {
            level: Some(Level::Error),
            ..Default::default()
        };
        assert_eq!(errors.apply(&ps), vec![0]);
        // Words: all of them, in the template, a file or a sample line, any case.
        let words = |w: &str| PatternFilter {
            level: None,
            words: w.into(),
        };
        assert_eq!(words("FAN low").apply(&ps), vec![1]);
        assert_eq!(words("storage.log").apply(&ps), vec![0]);
        assert_eq!(words("sda").apply(&ps), vec![0]);
        assert_eq!(words("fan disk").apply(&ps), Vec::<usize>::new());
    }
}
