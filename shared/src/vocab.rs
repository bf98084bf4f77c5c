//! The product's words, typed once for both sides: which model, how urgent a problem is, how a
//! line was matched, which report files an analysis has, which exports it offers, and how an
//! incident is named in an address. The server writes them, the web app reads them; neither
//! spells them as strings of its own.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Which embedding model an analysis uses.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// all-MiniLM-L6-v2: fast, English.
    #[default]
    Light,
    /// Multilingual: Russian log lines against an English KB.
    Heavy,
}

impl ModelKind {
    pub const ALL: [ModelKind; 2] = [ModelKind::Light, ModelKind::Heavy];

    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Light => "light",
            ModelKind::Heavy => "heavy",
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of the known values; says which ones are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    pub given: String,
    pub expected: &'static str,
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not one of: {}", self.given, self.expected)
    }
}

impl std::error::Error for UnknownName {}

impl FromStr for ModelKind {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ModelKind::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownName {
                given: s.to_owned(),
                expected: "light, heavy",
            })
    }
}

/// How urgent a problem is. Ordered from the most urgent: sorting ascending puts critical first.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Critical,
    /// What a problem without a playbook gets.
    #[default]
    Major,
    Minor,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::Critical, Priority::Major, Priority::Minor];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Critical => "critical",
            Priority::Major => "major",
            Priority::Minor => "minor",
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Priority {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Priority::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownName {
                given: s.to_owned(),
                expected: "critical, major, minor",
            })
    }
}

/// Severity of a log line.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Info,
    #[default]
    Warning,
    Error,
}

impl Level {
    /// As the logs write it (`WARNING`).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
        }
    }
}

/// How a line was matched to the knowledge base.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The organizers' rule: the KB text is a substring of the message.
    #[default]
    Exact,
    /// By meaning: sentence embeddings and shared words.
    Semantic,
    /// By meaning, after the glossary rewrote an alias in the line (ИБП → UPS).
    Glossary,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Exact => "exact",
            Method::Semantic => "semantic",
            Method::Glossary => "glossary",
        }
    }

    /// Matched by meaning (with or without the glossary), not by the organizers' rule.
    pub fn by_meaning(self) -> bool {
        self != Method::Exact
    }

    /// The method of a link whose two sides matched by `a` and `b`: exact only if both were;
    /// the glossary if it helped either side.
    pub fn combine(a: Method, b: Method) -> Method {
        match (a, b) {
            (Method::Exact, Method::Exact) => Method::Exact,
            (Method::Glossary, _) | (_, Method::Glossary) => Method::Glossary,
            _ => Method::Semantic,
        }
    }
}

/// Every report file a finished analysis has, in the order they are offered. The results zip
/// holds them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReportFile {
    /// The official answer: the organizers' six columns.
    SubmitReport,
    Incidents,
    PredictiveAlerts,
    NovelAnomalies,
    /// WARNING/ERROR messages grouped into templates.
    Patterns,
    PlaybooksCsv,
    PlaybooksTxt,
    /// The whole [`AnalysisReport`](crate::report::AnalysisReport).
    ReportJson,
}

impl ReportFile {
    pub const ALL: [ReportFile; 8] = [
        ReportFile::SubmitReport,
        ReportFile::Incidents,
        ReportFile::PredictiveAlerts,
        ReportFile::NovelAnomalies,
        ReportFile::Patterns,
        ReportFile::PlaybooksCsv,
        ReportFile::PlaybooksTxt,
        ReportFile::ReportJson,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            ReportFile::SubmitReport => "submit_report.xlsx",
            ReportFile::Incidents => "incidents.xlsx",
            ReportFile::PredictiveAlerts => "predictive_alerts.xlsx",
            ReportFile::NovelAnomalies => "novel_anomalies.xlsx",
            ReportFile::Patterns => "patterns.xlsx",
            ReportFile::PlaybooksCsv => "playbooks_recommendations.csv",
            ReportFile::PlaybooksTxt => "playbooks_recommendations.txt",
            ReportFile::ReportJson => "report.json",
        }
    }

    pub fn from_file_name(name: &str) -> Option<ReportFile> {
        ReportFile::ALL.into_iter().find(|r| r.file_name() == name)
    }

    pub fn content_type(self) -> &'static str {
        content_type(self.file_name())
    }

    /// `submit_report.xlsx, incidents.xlsx, …` for messages that list them.
    pub fn names() -> String {
        let names: Vec<&str> = ReportFile::ALL.iter().map(|r| r.file_name()).collect();
        names.join(", ")
    }
}

/// The whole analysis in one document, besides the report files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    Pdf,
    Xml,
    Json,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] = [ExportFormat::Pdf, ExportFormat::Xml, ExportFormat::Json];

    /// The path segment and the file extension.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Pdf => "pdf",
            ExportFormat::Xml => "xml",
            ExportFormat::Json => "json",
        }
    }

    pub fn parse(s: &str) -> Option<ExportFormat> {
        ExportFormat::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn content_type(self) -> &'static str {
        content_type(self.as_str())
    }

    /// `json, xml, pdf` for messages that list them.
    pub fn names() -> String {
        let names: Vec<&str> = ExportFormat::ALL.iter().map(|f| f.as_str()).collect();
        names.join(", ")
    }
}

/// The media type of a file LogLens serves, by its extension.
pub fn content_type(file_name: &str) -> &'static str {
    match file_name.rsplit('.').next().unwrap_or("") {
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "json" => "application/json",
        "zip" => "application/zip",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "toml" => "application/toml",
        _ => "application/octet-stream",
    }
}

/// Which incident: a problem in a scenario. Written `3-12` in addresses (`?incident=3-12`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IncidentKey {
    pub scenario_id: u32,
    pub problem_id: u32,
}

impl IncidentKey {
    pub const fn new(scenario_id: u32, problem_id: u32) -> Self {
        Self {
            scenario_id,
            problem_id,
        }
    }
}

impl fmt::Display for IncidentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.scenario_id, self.problem_id)
    }
}

impl FromStr for IncidentKey {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || UnknownName {
            given: s.to_owned(),
            expected: "<scenario>-<problem>",
        };
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        Ok(IncidentKey {
            scenario_id: a.parse().map_err(|_| bad())?,
            problem_id: b.parse().map_err(|_| bad())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_their_wire_spelling() {
        assert_eq!(
            serde_json::to_string(&ModelKind::Heavy).unwrap(),
            "\"heavy\""
        );
        assert_eq!(
            serde_json::to_string(&Priority::Critical).unwrap(),
            "\"critical\""
        );
        assert_eq!(
            serde_json::to_string(&Level::Warning).unwrap(),
            "\"warning\""
        );
        assert_eq!(
            serde_json::to_string(&Method::Semantic).unwrap(),
            "\"semantic\""
        );
        assert_eq!("Heavy".parse::<ModelKind>(), Ok(ModelKind::Heavy));
        assert!(
            "medium"
                .parse::<ModelKind>()
                .unwrap_err()
                .to_string()
                .contains("light, heavy")
        );
    }

    #[test]
    fn priorities_sort_most_urgent_first() {
        let mut p = vec![Priority::Minor, Priority::Critical, Priority::Major];
        p.sort();
        assert_eq!(p, Priority::ALL);
    }

    #[test]
    fn report_files_and_exports_know_their_names_and_types() {
        assert_eq!(ReportFile::ALL.len(), 8);
        for r in ReportFile::ALL {
            assert_eq!(ReportFile::from_file_name(r.file_name()), Some(r));
            assert_ne!(r.content_type(), "application/octet-stream", "{r:?}");
        }
        assert_eq!(ReportFile::from_file_name("../etc/passwd"), None);
        assert_eq!(ExportFormat::parse("pdf"), Some(ExportFormat::Pdf));
        assert_eq!(ExportFormat::Xml.content_type(), "application/xml");
        assert_eq!(ExportFormat::names(), "pdf, xml, json");
    }

    #[test]
    fn incident_keys_round_trip_through_addresses() {
        let k = IncidentKey {
            scenario_id: 3,
            problem_id: 12,
        };
        assert_eq!(k.to_string(), "3-12");
        assert_eq!("3-12".parse::<IncidentKey>(), Ok(k));
        assert!("3".parse::<IncidentKey>().is_err());
        assert!("a-1".parse::<IncidentKey>().is_err());
    }
}
