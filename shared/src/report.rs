//! The result of one analysis, as the dashboard and the JSON export see it.
//! The Excel and CSV reports are renderings of this same structure.

use serde::{Deserialize, Serialize};

pub use crate::time::LogTime;
pub use crate::vocab::{IncidentKey, Level, Method, ModelKind, Priority};

/// Everything one analysis found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AnalysisReport {
    pub summary: Summary,
    pub scenarios: Vec<ScenarioInfo>,
    /// Every anomaly → problem link found, exact and semantic: the product's answer.
    pub links: Vec<Link>,
    pub incidents: Vec<Incident>,
    pub predictions: Vec<Prediction>,
    pub novel_anomalies: Vec<NovelAnomaly>,
    pub playbooks: Vec<PlaybookRecommendation>,
    /// WARNING/ERROR messages grouped into templates, ERROR first, most frequent first.
    #[serde(default)]
    pub patterns: Vec<PatternInfo>,
    /// The glossary matching by meaning used, and which of its aliases rewrote a log line.
    #[serde(default)]
    pub glossary: GlossaryUse,
}

/// The aliases matching by meaning read (ИБП → UPS), and those this analysis's lines used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GlossaryUse {
    /// Where its aliases came from, the user's file first (`uploaded: terms.csv`, `built-in`);
    /// empty when matching was exact only.
    pub sources: Vec<String>,
    /// How many aliases it holds.
    pub entries: u64,
    /// The aliases that rewrote at least one WARNING/ERROR message matched by meaning.
    pub used: Vec<AliasUse>,
}

/// One alias of the glossary and the knowledge base's words it stands for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AliasUse {
    pub alias: String,
    pub canonical: String,
}

/// WARNING or ERROR messages that differ only in their variable parts (addresses, ids,
/// numbers), as one template: `Failed password for <*> from <ip> port <*>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PatternInfo {
    /// `P12`: stable for the same input (patterns are numbered in the order first seen).
    pub id: String,
    pub level: Level,
    /// The message with `<*>` (or a named placeholder: `<ip>`, `<num>`) where lines differ.
    pub template: String,
    /// Lines of this pattern, all files together.
    pub count: u64,
    pub first_seen: Option<LogTime>,
    pub last_seen: Option<LogTime>,
    pub scenario_ids: Vec<u32>,
    /// Files it occurs in (`<scenario folder>/<file>`), in plan order.
    pub files: Vec<String>,
    /// A few real lines of it.
    pub samples: Vec<PatternSample>,
    /// Its lines over the logs' real time: [`PATTERN_BUCKETS`] equal slices of the span from
    /// the earliest to the latest line of every pattern (the same for all, so they compare);
    /// empty when its lines carry no time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub histogram: Vec<u32>,
}

/// Slices of the logs' time in a pattern's histogram.
pub const PATTERN_BUCKETS: usize = 24;

/// A real line of a pattern.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PatternSample {
    pub scenario_id: u32,
    pub file: String,
    pub line: u64,
    pub raw: String,
    /// The real lines around it, in order, including the line itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<ContextLine>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Summary {
    /// Upload name without extension, as used in the results zip name.
    pub name: String,
    pub model: ModelKind,
    /// `false` when matching was restricted to the organizers' exact rule.
    pub semantic: bool,
    pub scenarios: usize,
    pub files: usize,
    pub lines: u64,
    pub bytes: u64,
    pub signal_lines: u64,
    pub unparsable_lines: u64,
    pub links: usize,
    pub problems: usize,
    pub anomalies: usize,
    pub predictions: usize,
    pub novel_anomalies: usize,
    /// WARNING/ERROR patterns (see [`PatternInfo`]).
    #[serde(default)]
    pub patterns: usize,
    /// Links matching by meaning would have made that an operator had marked not relevant
    /// for their knowledge base: left out.
    #[serde(default)]
    pub links_left_out: usize,
    /// Distinct log files (systems) in which a linked ERROR or WARNING occurred.
    pub affected_systems: usize,
    pub duration_ms: u64,
    /// Things the user should know that did not stop the analysis, in English: the
    /// [`Notice`]s as text, for API users and reports.
    pub warnings: Vec<String>,
    /// The same, typed, for the web app to say in its language. Any notice makes the run
    /// "completed with warnings".
    #[serde(default)]
    pub notices: Vec<Notice>,
}

/// Something the operator should know about an analysis that completed: its answer may not be
/// what they expect (most of the input unread, nothing matched, a file not used, a model that
/// does not read the logs' language), or part of the input was skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// Most lines were not log lines LogLens can read (no timestamp and level it knows).
    MostlyUnreadable { unparsable: u64, lines: u64 },
    /// More than a few lines of one file could not be read (its format is not one LogLens
    /// reads): its numbers are incomplete. The first such line is quoted.
    UnreadableFile {
        file: String,
        unparsable: u64,
        lines: u64,
        first: ContextLine,
    },
    /// Lines were read, but not one is a WARNING or an ERROR.
    NoSignalLines { lines: u64 },
    /// WARNING/ERROR lines were read, but none matched the knowledge base.
    NothingMatched { signal_lines: u64 },
    /// The knowledge base uploaded beside the archive was not used: every case has its own.
    UploadedKbUnused { file: String },
    /// Most WARNING/ERROR lines are in Cyrillic and the English-only light model was used:
    /// matching by meaning misses them; the heavy (multilingual) model reads them.
    CyrillicWithLight { cyrillic: u64, signal_lines: u64 },
    /// Knowledge-base rows skipped (the first one named).
    KbRowsSkipped {
        source: String,
        count: u64,
        first_line: u64,
        first: crate::api::RowFault,
    },
    /// Archives inside the archive are not opened.
    NestedArchiveIgnored { entry: String },
    /// A file that is not text (an executable, an image, a core dump, UTF-16) was skipped.
    BinaryFileSkipped { file: String },
    /// Entry names that were not UTF-8 were read as CP866.
    NamesRecoded { count: u64 },
    /// A folder holds several knowledge bases; one was used.
    SeveralKnowledgeBases { folder: String, used: String },
    /// The memory kept for log lines ran out: these ERROR lines of known problems were
    /// counted but are not listed in the report.
    ErrorsUnlisted { lines: u64 },
    /// … and these WARNING/ERROR lines, of messages first seen after it ran out, were only
    /// counted.
    MessagesNotAnalysed { lines: u64 },
}

impl Notice {
    /// The notice in English (reports, API users, logs).
    pub fn english(&self) -> String {
        match self {
            Notice::MostlyUnreadable { unparsable, lines } => format!(
                "{unparsable} of {lines} lines could not be read as log lines (no timestamp and level LogLens knows)"
            ),
            Notice::UnreadableFile {
                file,
                unparsable,
                lines,
                first,
            } => format!(
                "{file}: {unparsable} of {lines} lines could not be read, the first at line {}: {:?}",
                first.line, first.text
            ),
            Notice::NoSignalLines { lines } => {
                format!("{lines} lines were read, but none is a WARNING or an ERROR")
            }
            Notice::NothingMatched { signal_lines } => format!(
                "{signal_lines} WARNING/ERROR lines were read, but none matched the knowledge base"
            ),
            Notice::UploadedKbUnused { file } => {
                format!("the uploaded knowledge base {file} was not used: every case has its own")
            }
            Notice::CyrillicWithLight {
                cyrillic,
                signal_lines,
            } => format!(
                "{cyrillic} of {signal_lines} WARNING/ERROR lines are in Cyrillic, which the light model does not read; run again with the heavy model"
            ),
            Notice::KbRowsSkipped {
                source,
                count,
                first_line,
                ..
            } => format!(
                "knowledge base {source}: {count} rows skipped, the first at line {first_line}"
            ),
            Notice::NestedArchiveIgnored { entry } => {
                format!("nested archive {entry:?} ignored: upload its contents instead")
            }
            Notice::BinaryFileSkipped { file } => {
                format!("{file} is not a text file (binary or UTF-16) and was skipped")
            }
            Notice::NamesRecoded { count } => {
                format!("{count} entry names were not UTF-8 and were read as CP866")
            }
            Notice::SeveralKnowledgeBases { folder, used } => {
                format!("several knowledge bases in {folder:?}; using {used:?}")
            }
            Notice::ErrorsUnlisted { lines } => format!(
                "{lines} ERROR lines of known problems were counted but not listed: the memory for log lines ran out"
            ),
            Notice::MessagesNotAnalysed { lines } => format!(
                "{lines} WARNING/ERROR lines of messages first seen after the memory for log lines ran out were only counted"
            ),
        }
    }
}

/// One scenario (case) of the archive.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ScenarioInfo {
    pub id: u32,
    /// Folder inside the zip (`""` for the root).
    pub folder: String,
    /// Where its knowledge base came from: a path inside the zip, `uploaded`, or `built-in`.
    pub kb_source: String,
    /// Its knowledge base's content hash: what "not relevant" marks are kept by.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kb_hash: String,
    pub files: Vec<FileStats>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FileStats {
    pub name: String,
    /// The format the file was read as (`syslog-rfc3164`, `log4j`, ...); `None` when no
    /// format read a line of its beginning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    pub bytes: u64,
    pub lines: u64,
    /// Log entries: lines of the format (with their continuation lines).
    #[serde(default)]
    pub entries: u64,
    pub signal_lines: u64,
    pub unparsable_lines: u64,
    /// Lines that continue an entry (stack traces, wrapped text): read, but not entries.
    #[serde(default)]
    pub continuation_lines: u64,
    /// The first line that could not be read, as written (cut when long).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_unparsable: Option<ContextLine>,
    /// The file is not text (a NUL byte in its first 8,000 bytes): skipped, not read.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub binary: bool,
}

/// A real line of a real file, with its neighbours.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LogRef {
    pub file: String,
    /// 1-based physical line number.
    pub line: u64,
    /// The entry's last line, when continuation lines (a stack trace) follow it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_line: Option<u64>,
    /// The line's timestamp as written and in milliseconds, if it parsed.
    pub timestamp: Option<LogTime>,
    pub level: Level,
    /// The level as the line writes it, when that is not the normalised name (`WARN`, `FATAL`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_raw: Option<String>,
    /// The file's format writes no level: this one was inferred from the message's words
    /// (never used by the organizers' exact rule).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub level_inferred: bool,
    pub message: String,
    /// The whole line as it stands in the file.
    pub raw: String,
    /// The ±N real lines around it, in order, including the line itself.
    pub context: Vec<ContextLine>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContextLine {
    pub line: u64,
    pub text: String,
}

/// One row of the official report: anomaly `anomaly_id` led to problem `problem_id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Link {
    pub scenario_id: u32,
    pub anomaly_id: u32,
    pub problem_id: u32,
    /// The ERROR line of the problem.
    pub error: LogRef,
    /// The WARNING line of the anomaly (its first occurrence).
    pub warning: LogRef,
    /// `semantic` if either side was matched by similarity.
    pub method: Method,
    /// Similarity of the weaker side (1.0 for exact).
    pub score: f32,
    /// The KB texts the lines were matched to.
    pub anomaly_text: String,
    pub problem_text: String,
    /// Why the WARNING was taken for this anomaly, when by similarity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning_match: Option<MatchEvidence>,
    /// Why the ERROR was taken for this problem, when by similarity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_match: Option<MatchEvidence>,
}

/// How a line matched a KB text by similarity: its score, and the closest other KB text (the
/// runner-up) with its score — a small margin is a close call.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MatchEvidence {
    pub score: f32,
    /// The closest other KB text, if the KB has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_up: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_up_score: Option<f32>,
}

impl MatchEvidence {
    /// How far the match is ahead of the runner-up.
    pub fn margin(&self) -> Option<f32> {
        self.runner_up_score.map(|r| self.score - r)
    }
}

impl Link {
    pub fn key(&self) -> LinkKey {
        LinkKey {
            scenario_id: self.scenario_id,
            anomaly_id: self.anomaly_id,
            problem_id: self.problem_id,
        }
    }

    /// The incident this link belongs to.
    pub fn incident(&self) -> IncidentKey {
        IncidentKey {
            scenario_id: self.scenario_id,
            problem_id: self.problem_id,
        }
    }
}

/// A problem that occurred in a scenario, ranked by impact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Incident {
    pub scenario_id: u32,
    pub problem_id: u32,
    pub problem: String,
    pub priority: Priority,
    /// The ERROR lines of the problem (root-cause lines), by time: all of them, or an even
    /// sample including the first and the last when there are more than the engine keeps.
    pub errors: Vec<LogRef>,
    /// How many ERROR lines the problem has in all (≥ `errors.len()`; 0 in reports written
    /// before it was counted).
    #[serde(default)]
    pub error_count: u64,
    /// Distinct linked anomaly ids.
    pub anomaly_ids: Vec<u32>,
    /// Distinct files with a linked ERROR or WARNING.
    pub files: Vec<String>,
    /// linked anomalies × distinct files.
    pub impact: u64,
    pub first_seen: Option<LogTime>,
    pub last_seen: Option<LogTime>,
    pub method: Method,
}

impl Incident {
    pub fn key(&self) -> IncidentKey {
        IncidentKey {
            scenario_id: self.scenario_id,
            problem_id: self.problem_id,
        }
    }

    /// The report's incident order: highest impact first, then by scenario and problem.
    pub fn by_impact(a: &Incident, b: &Incident) -> std::cmp::Ordering {
        b.impact.cmp(&a.impact).then_with(|| a.key().cmp(&b.key()))
    }
}

impl AnalysisReport {
    /// The incident `key`, if the analysis has it.
    pub fn incident(&self, key: IncidentKey) -> Option<&Incident> {
        self.incidents.iter().find(|i| i.key() == key)
    }

    /// The links that make up incident `key` (its problem in its scenario), in report order.
    pub fn links_of(&self, key: IncidentKey) -> impl Iterator<Item = &Link> {
        self.links.iter().filter(move |l| l.incident() == key)
    }

    /// The playbook recommended for `problem_id`, if any.
    pub fn playbook(&self, problem_id: u32) -> Option<&PlaybookRecommendation> {
        self.playbooks.iter().find(|p| p.problem_id == problem_id)
    }

    /// A short name of the knowledge base(s) the cases used, kept with a finished job for the
    /// history: [`BUILTIN_KB`], or a file's name (an uploaded one's, or the last part of a
    /// path inside the archive); different ones in the order the cases first used them, joined
    /// by [`KB_NAMES_SEPARATOR`], at most [`KB_NAMES_SHOWN`] of them and then `+N` for the rest.
    /// `None` when the report has no case.
    pub fn knowledge_base_name(&self) -> Option<String> {
        let mut names: Vec<&str> = Vec::new();
        for case in &self.scenarios {
            let source = case.kb_source.as_str();
            let name = match source.strip_prefix(UPLOADED_KB_PREFIX) {
                Some(file) => file,
                None if source == BUILTIN_KB => BUILTIN_KB,
                None => source.rsplit(['/', '\\']).next().unwrap_or(source),
            };
            if !names.contains(&name) {
                names.push(name);
            }
        }
        if names.is_empty() {
            return None;
        }
        let more = names.len().saturating_sub(KB_NAMES_SHOWN);
        let mut parts: Vec<String> = names
            .iter()
            .take(KB_NAMES_SHOWN)
            .map(|n| (*n).to_owned())
            .collect();
        if more > 0 {
            parts.push(format!("+{more}"));
        }
        Some(parts.join(KB_NAMES_SEPARATOR))
    }
}

/// `ScenarioInfo::kb_source` of a case that used the built-in knowledge base (also its name
/// in [`AnalysisReport::knowledge_base_name`], which a client may say in its language).
pub const BUILTIN_KB: &str = "built-in";
/// How `ScenarioInfo::kb_source` starts for the knowledge base uploaded beside the archive.
pub const UPLOADED_KB_PREFIX: &str = "uploaded: ";
/// Between the names of [`AnalysisReport::knowledge_base_name`].
pub const KB_NAMES_SEPARATOR: &str = ", ";
/// How many knowledge bases [`AnalysisReport::knowledge_base_name`] names.
pub const KB_NAMES_SHOWN: usize = 3;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PredictionKind {
    /// The problem occurred; this linked anomaly has not appeared yet: expect it next.
    #[default]
    ExpectedAnomaly,
    /// A known anomaly appeared but its problem has not (yet): the problem may follow.
    ProblemMayFollow,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Prediction {
    pub kind: PredictionKind,
    pub scenario_id: u32,
    pub problem_id: u32,
    pub problem: String,
    pub anomaly_id: u32,
    pub anomaly: String,
    /// Time of the line that triggered the prediction (the ERROR, or the WARNING).
    pub trigger_time: Option<LogTime>,
    pub trigger: LogRef,
    /// 1.0 for exact; the similarity for a semantically matched trigger.
    pub score: f32,
}

/// WARNINGs that match nothing in the knowledge base, grouped by normalised text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NovelAnomaly {
    pub scenario_id: u32,
    /// Its pattern (`P12`, see [`PatternInfo`]): a novel anomaly is one per pattern.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    pub normalized: String,
    pub count: u64,
    pub first: LogRef,
    /// A problem whose ERROR came shortly before (probable new anomaly of that problem).
    pub related_problem_id: Option<u32>,
    /// The closest KB anomaly and its similarity, for the operator's judgment.
    pub nearest_anomaly: Option<String>,
    pub nearest_score: Option<f32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PlaybookRecommendation {
    pub problem_id: u32,
    pub problem: String,
    pub priority: Priority,
    pub summary: String,
    pub steps: Vec<String>,
    pub scenario_ids: Vec<u32>,
    /// The same in Russian, when the playbook has it (the built-in ones do): the Russian
    /// interface and reports show it instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary_ru: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps_ru: Vec<String>,
}

impl PlaybookRecommendation {
    /// Summary and steps in Russian (`ru`) when the playbook has them, else in English.
    pub fn text(&self, ru: bool) -> (&str, &[String]) {
        match (&self.summary_ru, ru) {
            (Some(s), true) if !self.steps_ru.is_empty() => (s, &self.steps_ru),
            _ => (&self.summary, &self.steps),
        }
    }
}

/// A report row's identity: which anomaly led to which problem in which scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LinkKey {
    pub scenario_id: u32,
    pub anomaly_id: u32,
    pub problem_id: u32,
}

/// Two analyses side by side (`GET /api/sessions/compare?ids=a,b`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub summary_a: Summary,
    pub summary_b: Summary,
    pub only_a: Vec<LinkKey>,
    pub only_b: Vec<LinkKey>,
    pub both: Vec<LinkKey>,
    /// Incidents of each run (the summaries count links, not incidents).
    #[serde(default)]
    pub incidents_a: usize,
    #[serde(default)]
    pub incidents_b: usize,
    /// The knowledge base's words for every link of either run, so a client names them.
    #[serde(default)]
    pub names: Vec<LinkName>,
}

/// What a link's ids stand for: the anomaly's and the problem's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LinkName {
    pub key: LinkKey,
    pub anomaly: String,
    pub problem: String,
}

impl Comparison {
    /// Compares the links of two reports by (scenario, anomaly, problem).
    pub fn of(a: (&str, &AnalysisReport), b: (&str, &AnalysisReport)) -> Self {
        use std::collections::BTreeSet;
        let keys =
            |r: &AnalysisReport| -> BTreeSet<LinkKey> { r.links.iter().map(Link::key).collect() };
        let (ka, kb) = (keys(a.1), keys(b.1));
        let mut names: Vec<LinkName> = Vec::new();
        for l in a.1.links.iter().chain(&b.1.links) {
            if !names.iter().any(|n| n.key == l.key()) {
                names.push(LinkName {
                    key: l.key(),
                    anomaly: l.anomaly_text.clone(),
                    problem: l.problem_text.clone(),
                });
            }
        }
        names.sort_by_key(|n| n.key);
        Self {
            a: a.0.to_owned(),
            b: b.0.to_owned(),
            summary_a: a.1.summary.clone(),
            summary_b: b.1.summary.clone(),
            only_a: ka.difference(&kb).copied().collect(),
            only_b: kb.difference(&ka).copied().collect(),
            both: ka.intersection(&kb).copied().collect(),
            incidents_a: a.1.incidents.len(),
            incidents_b: b.1.incidents.len(),
            names,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cases(sources: &[&str]) -> AnalysisReport {
        AnalysisReport {
            scenarios: sources
                .iter()
                .enumerate()
                .map(|(i, s)| ScenarioInfo {
                    id: i as u32 + 1,
                    kb_source: (*s).to_owned(),
                    ..ScenarioInfo::default()
                })
                .collect(),
            ..AnalysisReport::default()
        }
    }

    #[test]
    fn the_knowledge_base_is_named_shortly() {
        assert_eq!(cases(&[]).knowledge_base_name(), None);
        assert_eq!(
            cases(&["built-in", "built-in"])
                .knowledge_base_name()
                .as_deref(),
            Some("built-in")
        );
        assert_eq!(
            cases(&["uploaded: my_kb.xlsx", "built-in"])
                .knowledge_base_name()
                .as_deref(),
            Some("my_kb.xlsx, built-in")
        );
        // Files inside the archive by their name: one per case, the same name, is one.
        assert_eq!(
            cases(&["tc1/anomalies_problems.csv", "tc2/anomalies_problems.csv"])
                .knowledge_base_name()
                .as_deref(),
            Some("anomalies_problems.csv")
        );
        assert_eq!(
            cases(&[
                "a/1.csv",
                "b\\2.csv",
                "3.csv",
                "built-in",
                "uploaded: 5.csv"
            ])
            .knowledge_base_name()
            .as_deref(),
            Some("1.csv, 2.csv, 3.csv, +2")
        );
    }
}
