//! What the PDF says, section by section: the summary numbers, the warnings, the table of
//! links, the incidents by impact and the playbooks — laid out in that order.

use loglens_shared::report::{AnalysisReport, Incident, Link, PlaybookRecommendation, Summary};
use loglens_shared::units::grouped;

use super::super::labels::{Lang, priority};
use super::TITLE;
use super::layout::{
    BODY_SIZE, CELL_PAD, INDENT, LEADING, Layout, MARGIN, Op, RIGHT, SMALL_SIZE, TABLE_SIZE,
    TITLE_SIZE, Tone,
};
use super::metrics::{Metrics, clean};

/// Warnings are a hint that something was skipped, not the subject of the report.
const MAX_WARNINGS: usize = 10;

/// The whole report as pages of drawing operations, footers included.
pub(super) fn layout_report(
    metrics: &Metrics,
    report: &AnalysisReport,
    lang: Lang,
) -> Vec<Vec<Op>> {
    let mut l = Layout::new(metrics);
    summary_section(&mut l, &report.summary, lang);
    warnings_section(&mut l, &report.summary.warnings, lang);
    links_section(&mut l, &report.links, lang);
    incidents_section(&mut l, &report.incidents, lang);
    playbooks_section(&mut l, &report.playbooks, lang);
    l.add_footers(&report.summary.name, lang.pick(TITLE), lang);
    l.pages
}

fn summary_section(l: &mut Layout, s: &Summary, lang: Lang) {
    l.line(
        MARGIN,
        TITLE_SIZE,
        Tone::Accent,
        lang.pick(TITLE).to_string(),
    );
    l.gap(4.0);
    let matching = lang.pick(if s.semantic {
        ("точное и семантическое", "exact and semantic")
    } else {
        ("только точное", "exact only")
    });
    let subtitle = match lang {
        Lang::Ru => format!(
            "Загрузка: {} · модель: {} · сопоставление: {}",
            s.name, s.model, matching
        ),
        Lang::En => format!(
            "Upload: {} · model: {} · matching: {}",
            s.name, s.model, matching
        ),
    };
    l.paragraph(MARGIN, BODY_SIZE, Tone::Muted, &subtitle);
    l.gap(8.0);
    let numbers = [
        (("Сценарии", "Scenarios"), s.scenarios as u64),
        (("Файлы", "Files"), s.files as u64),
        (("Строки", "Lines"), s.lines),
        (
            ("Связи аномалия → проблема", "Anomaly → problem links"),
            s.links as u64,
        ),
        (("Проблемы", "Problems"), s.problems as u64),
        (("Аномалии", "Anomalies"), s.anomalies as u64),
        (("Прогнозы", "Predictions"), s.predictions as u64),
        (
            ("Новые аномалии", "Novel anomalies"),
            s.novel_anomalies as u64,
        ),
        (
            ("Затронутые системы", "Affected systems"),
            s.affected_systems as u64,
        ),
    ]
    .map(|(label, n)| (lang.pick(label), digits(n, lang)));
    for pair in numbers.chunks(2) {
        let mut cells = Vec::new();
        for (column, (label, value)) in pair.iter().enumerate() {
            let x = MARGIN + column as f32 * 250.0;
            cells.push((x, format!("{label}:")));
            cells.push((x + 165.0, value.clone()));
        }
        l.row(cells, BODY_SIZE, Tone::Normal);
    }
}

/// `1234567` → `1 234 567`, the Russian way of grouping digits (`1,234,567` in English).
fn digits(n: u64, lang: Lang) -> String {
    grouped(n, lang.pick((" ", ",")))
}

fn warnings_section(l: &mut Layout, warnings: &[String], lang: Lang) {
    if warnings.is_empty() {
        return;
    }
    l.heading(lang.pick(("Предупреждения", "Warnings")));
    for warning in warnings.iter().take(MAX_WARNINGS) {
        l.item(MARGIN, "•", SMALL_SIZE, warning);
    }
    if warnings.len() > MAX_WARNINGS {
        let rest = format!(
            "{} {}",
            lang.pick(("… и ещё", "… and")),
            warnings.len() - MAX_WARNINGS
        ) + lang.pick(("", " more"));
        l.line(MARGIN + INDENT, SMALL_SIZE, Tone::Muted, rest);
    }
}

struct Column {
    title: (&'static str, &'static str),
    width: f32,
}

/// The last column takes whatever width is left.
const LINK_COLUMNS: [Column; 6] = [
    Column {
        title: ("Сцен.", "Sc."),
        width: 30.0,
    },
    Column {
        title: ("Аном.", "Anom."),
        width: 32.0,
    },
    Column {
        title: ("Пробл.", "Prob."),
        width: 34.0,
    },
    Column {
        title: ("Файл", "File"),
        width: 104.0,
    },
    Column {
        title: ("Строка", "Line"),
        width: 36.0,
    },
    Column {
        title: ("Строка ERROR", "ERROR line"),
        width: 0.0,
    },
];

fn column_x(index: usize) -> f32 {
    MARGIN + LINK_COLUMNS[..index].iter().map(|c| c.width).sum::<f32>()
}

fn column_width(index: usize) -> f32 {
    match LINK_COLUMNS[index].width {
        w if w > 0.0 => w,
        _ => RIGHT - column_x(index),
    }
}

fn links_section(l: &mut Layout, links: &[Link], lang: Lang) {
    l.heading(&format!(
        "{} ({})",
        lang.pick(("Связи аномалия → проблема", "Anomaly → problem links")),
        links.len()
    ));
    if links.is_empty() {
        l.line(
            MARGIN,
            BODY_SIZE,
            Tone::Muted,
            lang.pick(("Связей не найдено.", "No links found."))
                .to_string(),
        );
        return;
    }
    table_header(l, lang);
    for link in links {
        if l.ensure_room(TABLE_SIZE * LEADING) {
            table_header(l, lang);
        }
        let cells = link_cells(l.m, link);
        l.row(cells, TABLE_SIZE, Tone::Normal);
    }
}

/// Repeated on every page the table spans, so each page can be read on its own.
fn table_header(l: &mut Layout, lang: Lang) {
    let height = TABLE_SIZE * LEADING;
    l.ensure_room(3.0 * height);
    l.push(Op::Band {
        top: l.y,
        height: height + 1.0,
    });
    let cells = LINK_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| (column_x(i), lang.pick(c.title).to_string()));
    l.row(cells.collect(), TABLE_SIZE, Tone::Muted);
    l.gap(1.0);
}

fn link_cells(m: &Metrics, link: &Link) -> Vec<(f32, String)> {
    let texts = [
        link.scenario_id.to_string(),
        link.anomaly_id.to_string(),
        link.problem_id.to_string(),
        clean(&link.error.file),
        link.error.line.to_string(),
        clean(&link.error.raw),
    ];
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let max = column_width(i) - CELL_PAD;
            let fitted = if i == 3 {
                m.fit_tail(&text, TABLE_SIZE, max)
            } else {
                m.fit(&text, TABLE_SIZE, max)
            };
            (column_x(i), fitted)
        })
        .collect()
}

fn incidents_section(l: &mut Layout, incidents: &[Incident], lang: Lang) {
    l.heading(lang.pick(("Инциденты по влиянию", "Incidents by impact")));
    if incidents.is_empty() {
        l.line(
            MARGIN,
            BODY_SIZE,
            Tone::Muted,
            lang.pick(("Инцидентов нет.", "No incidents.")).to_string(),
        );
        return;
    }
    for (rank, incident) in ranked_by_impact(incidents).into_iter().enumerate() {
        let head = match lang {
            Lang::Ru => format!(
                "[{}] Проблема {} (сценарий {}): {}",
                priority(lang, incident.priority),
                incident.problem_id,
                incident.scenario_id,
                incident.problem
            ),
            Lang::En => format!(
                "[{}] Problem {} (scenario {}): {}",
                priority(lang, incident.priority),
                incident.problem_id,
                incident.scenario_id,
                incident.problem
            ),
        };
        l.item(MARGIN, &format!("{}.", rank + 1), BODY_SIZE, &head);
        l.paragraph(
            MARGIN + INDENT,
            SMALL_SIZE,
            Tone::Muted,
            &incident_details(incident, lang),
        );
        l.gap(3.0);
    }
}

/// Highest impact first; ties keep a stable, readable order (the report's incident order).
fn ranked_by_impact(incidents: &[Incident]) -> Vec<&Incident> {
    let mut ranked: Vec<&Incident> = incidents.iter().collect();
    ranked.sort_by(|a, b| Incident::by_impact(a, b));
    ranked
}

fn incident_details(incident: &Incident, lang: Lang) -> String {
    let mut parts = vec![
        format!("{} {}", lang.pick(("влияние", "impact")), incident.impact),
        format!(
            "{}: {}",
            lang.pick(("аномалии", "anomalies")),
            join_ids(&incident.anomaly_ids)
        ),
        format!(
            "{}: {}",
            lang.pick(("файлов", "files")),
            incident.files.len()
        ),
    ];
    if let (Some(first), Some(last)) = (&incident.first_seen, &incident.last_seen) {
        parts.push(format!(
            "{}: {first} — {last}",
            lang.pick(("период", "period"))
        ));
    }
    parts.join(" · ")
}

fn playbooks_section(l: &mut Layout, playbooks: &[PlaybookRecommendation], lang: Lang) {
    l.heading(lang.pick(("Рекомендации (плейбуки)", "Recommendations (playbooks)")));
    if playbooks.is_empty() {
        l.line(
            MARGIN,
            BODY_SIZE,
            Tone::Muted,
            lang.pick(("Рекомендаций нет.", "No recommendations."))
                .to_string(),
        );
        return;
    }
    for playbook in playbooks {
        playbook_entry(l, playbook, lang);
    }
}

fn playbook_entry(l: &mut Layout, p: &PlaybookRecommendation, lang: Lang) {
    l.ensure_room(3.0 * BODY_SIZE * LEADING);
    let head = format!(
        "{} {} — {}",
        lang.pick(("Проблема", "Problem")),
        p.problem_id,
        p.problem
    );
    l.paragraph(MARGIN, BODY_SIZE, Tone::Normal, &head);
    let meta = format!(
        "{}: {} · {}: {}",
        lang.pick(("Приоритет", "Priority")),
        priority(lang, p.priority),
        lang.pick(("сценарии", "scenarios")),
        join_ids(&p.scenario_ids)
    );
    l.paragraph(MARGIN + INDENT, SMALL_SIZE, Tone::Muted, &meta);
    // The playbook's own Russian in the Russian report, when it has it.
    let (summary, steps) = p.text(lang == Lang::Ru);
    if !summary.trim().is_empty() {
        l.paragraph(MARGIN + INDENT, SMALL_SIZE, Tone::Normal, summary);
    }
    for (i, step) in steps.iter().enumerate() {
        l.item(MARGIN + INDENT, &format!("{}.", i + 1), SMALL_SIZE, step);
    }
    l.gap(5.0);
}

fn join_ids(ids: &[u32]) -> String {
    if ids.is_empty() {
        return "—".to_string();
    }
    ids.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample::incident;

    #[test]
    fn incidents_rank_by_impact() {
        let incidents: Vec<Incident> = [2, 9, 5].into_iter().map(incident).collect();
        let ranked: Vec<u64> = ranked_by_impact(&incidents)
            .iter()
            .map(|i| i.impact)
            .collect();
        assert_eq!(ranked, vec![27, 15, 6]);
    }

    #[test]
    fn numbers_are_grouped_the_russian_way() {
        assert_eq!(digits(1_234_567, Lang::Ru), "1 234 567");
        assert_eq!(digits(1_234_567, Lang::En), "1,234,567");
    }
}
