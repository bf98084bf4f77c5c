//! Stage 8's computation: from the matches of every case to the report — rows, incidents
//! ranked by impact, predictions, novel anomalies, the summary and the notices. Pure: nothing
//! is written here (the renderers do that), and playbook recommendations are added in stage 11.

use std::collections::{BTreeMap, BTreeSet};

use loglens_shared::report::{
    AliasUse, AnalysisReport, FileStats, GlossaryUse, Incident, Level, Notice, PATTERN_BUCKETS,
    PatternInfo, PatternSample, ScenarioInfo, Summary,
};

use super::classify::Classified;
use super::knowledge::{Knowledge, analysis_name};
use super::patterns::PatternBook;
use super::read_logs::Scanned;
use crate::engine::AnalysisRequest;
use crate::engine::findings::{self, notices};
use crate::engine::input::archive::ArchivePlan;
use crate::render::xlsx::report_order;

/// Everything the analysis found, with its notices; `playbooks` still empty.
pub fn report(
    req: &AnalysisRequest,
    plan: &ArchivePlan,
    knowledge: &Knowledge,
    scanned: &Scanned,
    patterns: &PatternBook,
    classified: &Classified,
) -> AnalysisReport {
    let mut report = AnalysisReport {
        patterns: pattern_infos(plan, scanned, patterns),
        glossary: glossary_use(req, knowledge, classified),
        ..AnalysisReport::default()
    };
    for (((case, files), kb), (hits, links)) in plan
        .cases
        .iter()
        .zip(scanned)
        .zip(&knowledge.per_case)
        .zip(&classified.cases)
    {
        report.scenarios.push(ScenarioInfo {
            id: case.id,
            folder: case.folder.clone(),
            kb_source: kb.source.clone(),
            kb_hash: kb.content_hash.clone(),
            files: files
                .iter()
                .map(|f| FileStats {
                    name: f.name.clone(),
                    format: f.scan.format.clone(),
                    bytes: f.scan.bytes,
                    lines: f.scan.lines,
                    entries: f.scan.entries,
                    signal_lines: f.scan.signal_lines,
                    unparsable_lines: f.scan.unparsable,
                    first_unparsable: f.scan.first_unparsable.clone(),
                    continuation_lines: f.scan.continuation_lines,
                    binary: f.scan.binary,
                })
                .collect(),
        });
        let f = findings::derive_case(case.id, kb, files, hits, links, &knowledge.playbooks);
        report.links.extend(f.links);
        report.incidents.extend(f.incidents);
        report.predictions.extend(f.predictions);
        report.novel_anomalies.extend(f.novel);
    }
    report
        .links
        .sort_by(|a, b| report_order(a).cmp(&report_order(b)));
    report.incidents.sort_by(Incident::by_impact);
    report.summary = summary(req, &report);
    report.summary.links_left_out = classified.left_out;
    let notices = notices_of(req, plan, knowledge, scanned, &report);
    report.summary.warnings = notices.iter().map(Notice::english).collect();
    report.summary.notices = notices;
    report
}

fn summary(req: &AnalysisRequest, report: &AnalysisReport) -> Summary {
    let files = report.scenarios.iter().flat_map(|s| &s.files);
    let affected: BTreeSet<(u32, &str)> = report
        .links
        .iter()
        .flat_map(|l| {
            [
                (l.scenario_id, l.error.file.as_str()),
                (l.scenario_id, l.warning.file.as_str()),
            ]
        })
        .collect();
    let anomalies: BTreeSet<(u32, u32)> = report
        .links
        .iter()
        .map(|l| (l.scenario_id, l.anomaly_id))
        .collect();
    Summary {
        name: analysis_name(&req.upload_name),
        model: req.model,
        semantic: req.semantic,
        scenarios: report.scenarios.len(),
        files: files.clone().count(),
        lines: files.clone().map(|f| f.lines).sum(),
        bytes: files.clone().map(|f| f.bytes).sum(),
        signal_lines: files.clone().map(|f| f.signal_lines).sum(),
        unparsable_lines: files.map(|f| f.unparsable_lines).sum(),
        links: report.links.len(),
        problems: report.incidents.len(),
        anomalies: anomalies.len(),
        predictions: report.predictions.len(),
        novel_anomalies: report.novel_anomalies.len(),
        patterns: report.patterns.len(),
        links_left_out: 0,
        affected_systems: affected.len(),
        duration_ms: 0,
        warnings: Vec::new(),
        notices: Vec::new(),
    }
}

/// Real lines a pattern shows in the report.
pub const PATTERN_SAMPLES: usize = 3;

/// The report's patterns: every WARNING/ERROR pattern with its lines counted over all files,
/// first and last seen, its scenarios and files, and a few real lines; ERROR first, then
/// the most frequent.
fn pattern_infos(plan: &ArchivePlan, scanned: &Scanned, book: &PatternBook) -> Vec<PatternInfo> {
    let mut by_id: BTreeMap<u64, PatternInfo> = BTreeMap::new();
    // Every line of each pattern over time, as its groups counted them (for its histogram).
    let mut times: BTreeMap<u64, Vec<(i64, u64)>> = BTreeMap::new();
    for (case, files) in plan.cases.iter().zip(scanned) {
        for file in files {
            let path = if case.folder.is_empty() {
                file.name.clone()
            } else {
                format!("{}/{}", case.folder, file.name)
            };
            for group in &file.scan.groups {
                let Some(id) = group.pattern else { continue };
                let info = by_id.entry(id).or_insert_with(|| PatternInfo {
                    id: crate::engine::patterns::label(id),
                    level: group.level,
                    template: book.template(id).unwrap_or(&group.key).to_owned(),
                    ..PatternInfo::default()
                });
                info.count += group.count;
                times.entry(id).or_default().extend(group.times.slots());
                if !info.scenario_ids.contains(&case.id) {
                    info.scenario_ids.push(case.id);
                }
                if !info.files.contains(&path) {
                    info.files.push(path.clone());
                }
            }
            for s in &file.scan.signals {
                let Some(id) = file
                    .scan
                    .groups
                    .get(s.group as usize)
                    .and_then(|g| g.pattern)
                else {
                    continue;
                };
                let Some(info) = by_id.get_mut(&id) else {
                    continue;
                };
                if info.first_seen.as_ref().is_none_or(|t| s.timestamp < *t) {
                    info.first_seen = Some(s.timestamp.clone());
                }
                if info.last_seen.as_ref().is_none_or(|t| s.timestamp > *t) {
                    info.last_seen = Some(s.timestamp.clone());
                }
                if info.samples.len() < PATTERN_SAMPLES {
                    info.samples.push(PatternSample {
                        scenario_id: case.id,
                        file: path.clone(),
                        line: s.line,
                        raw: s.raw.clone(),
                        context: s.context.clone(),
                    });
                }
            }
        }
    }
    // One span for every pattern, so their histograms compare: from the earliest line to the
    // latest (exact: every message keeps both).
    let span = by_id
        .values()
        .filter_map(|p| Some((p.first_seen.as_ref()?.ms, p.last_seen.as_ref()?.ms)))
        .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)));
    if let Some((from, to)) = span {
        for (id, ms) in &times {
            if let Some(info) = by_id.get_mut(id) {
                info.histogram = histogram(ms, from, to);
            }
        }
    }
    let mut out: Vec<PatternInfo> = by_id.into_values().collect();
    let rank = |l: Level| match l {
        Level::Error => 0,
        Level::Warning => 1,
        Level::Info => 2,
    };
    out.sort_by(|a, b| {
        rank(a.level)
            .cmp(&rank(b.level))
            .then(b.count.cmp(&a.count))
            .then(a.id.len().cmp(&b.id.len()))
            .then(a.id.cmp(&b.id))
    });
    out
}

/// Lines at times (`(ms, lines)`) counted in [`PATTERN_BUCKETS`] equal slices of `from..=to`
/// (one slice when the span is a single moment; a time outside it goes to the nearest end).
fn histogram(times: &[(i64, u64)], from: i64, to: i64) -> Vec<u32> {
    let mut buckets = vec![0u32; PATTERN_BUCKETS];
    let width = (to - from).max(0) as f64;
    for &(ms, lines) in times {
        let at = if width == 0.0 {
            0
        } else {
            ((((ms - from) as f64 / width) * PATTERN_BUCKETS as f64).max(0.0)) as usize
        };
        let slot = &mut buckets[at.min(PATTERN_BUCKETS - 1)];
        *slot = slot.saturating_add(u32::try_from(lines).unwrap_or(u32::MAX));
    }
    buckets
}

/// What was skipped while planning and reading, then what the outcome says about the input.
fn notices_of(
    req: &AnalysisRequest,
    plan: &ArchivePlan,
    knowledge: &Knowledge,
    scanned: &Scanned,
    report: &AnalysisReport,
) -> Vec<Notice> {
    let mut out = plan.notices.clone();
    out.extend(knowledge.notices.iter().cloned());
    let files = scanned.iter().flatten();
    let unlisted: u64 = files.clone().map(|f| f.scan.unlisted_errors).sum();
    let uncounted: u64 = files.clone().map(|f| f.scan.uncounted_messages).sum();
    if unlisted > 0 {
        out.push(Notice::ErrorsUnlisted { lines: unlisted });
    }
    if uncounted > 0 {
        out.push(Notice::MessagesNotAnalysed { lines: uncounted });
    }
    let cyrillic_signal_lines = files
        .flat_map(|f| &f.scan.groups)
        .filter(|g| notices::is_cyrillic(&g.key))
        .map(|g| g.count)
        .sum();
    out.extend(notices::outcome(
        report,
        notices::Inputs {
            model: req.semantic.then_some(req.model),
            uploaded_kb: req
                .kb
                .as_ref()
                .map(|f| (f.name.as_str(), knowledge.used_fallback)),
            cyrillic_signal_lines,
        },
    ));
    out
}

/// The glossary's part in matching by meaning (nothing when matching was exact only).
fn glossary_use(
    req: &AnalysisRequest,
    knowledge: &Knowledge,
    classified: &Classified,
) -> GlossaryUse {
    if !req.semantic {
        return GlossaryUse::default();
    }
    GlossaryUse {
        sources: knowledge.glossary.sources.clone(),
        entries: knowledge.glossary.len() as u64,
        used: classified
            .aliases_used
            .iter()
            .map(|u| AliasUse {
                alias: u.alias.clone(),
                canonical: u.canonical.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_slices_the_span_evenly() {
        let h = histogram(&[(0, 1), (1, 1), (50, 1), (99, 1), (100, 1)], 0, 100);
        assert_eq!(h.len(), PATTERN_BUCKETS);
        assert_eq!(h[0], 2);
        assert_eq!(h[PATTERN_BUCKETS / 2], 1);
        // The end of the span is in the last slice.
        assert_eq!(h[PATTERN_BUCKETS - 1], 2);
        assert_eq!(h.iter().sum::<u32>(), 5);
        // One moment: one slice.
        assert_eq!(histogram(&[(7, 2)], 7, 7)[0], 2);
        // A slot's middle past the span's end is in the last slice.
        assert_eq!(
            histogram(&[(130, 3), (-5, 1)], 0, 100)[PATTERN_BUCKETS - 1],
            3
        );
        assert_eq!(histogram(&[(-5, 1)], 0, 100)[0], 1);
    }
}
