//! What the PDF says, section by section: the summary numbers, the warnings, the table of
//! links, the incidents by impact and the playbooks — laid out in that order.

use loglens_shared::report::{AnalysisReport, Incident, Link, PlaybookRecommendation, Summary};
use loglens_shared::units::grouped;

use super::TITLE;
use super::layout::{
    BODY_SIZE, CELL_PAD, INDENT, LEADING, Layout, MARGIN, Op, RIGHT, SMALL_SIZE, TABLE_SIZE,
    TITLE_SIZE, Tone,
};
use super::metrics::{Metrics, clean};

/// Warnings are a hint that something was skipped, not the subject of the report.
const MAX_WARNINGS: usize = 10;

/// The whole report as pages of drawing operations, footers included.
pub(super) fn layout_report(metrics: &Metrics, report: &AnalysisReport) -> Vec<Vec<Op>> {
    let mut l = Layout::new(metrics);
    summary_section(&mut l, &report.summary);
    warnings_section(&mut l, &report.summary.warnings);
    links_section(&mut l, &report.links);
    incidents_section(&mut l, &report.incidents);
    playbooks_section(&mut l, &report.playbooks);
    l.add_footers(&report.summary.name);
    l.pages
}

fn summary_section(l: &mut Layout, s: &Summary) {
    l.line(MARGIN, TITLE_SIZE, Tone::Accent, TITLE.to_string());
    l.gap(4.0);
    let matching = if s.semantic {
        "точное и семантическое"
    } else {
        "только точное"
    };
    let subtitle = format!(
        "Загрузка: {} · модель: {} · сопоставление: {}",
        s.name, s.model, matching
    );
    l.paragraph(MARGIN, BODY_SIZE, Tone::Muted, &subtitle);
    l.gap(8.0);
    let numbers = [
        ("Сценарии", digits(s.scenarios as u64)),
        ("Файлы", digits(s.files as u64)),
        ("Строки", digits(s.lines)),
        ("Связи аномалия → проблема", digits(s.links as u64)),
        ("Проблемы", digits(s.problems as u64)),
        ("Аномалии", digits(s.anomalies as u64)),
        ("Прогнозы", digits(s.predictions as u64)),
        ("Новые аномалии", digits(s.novel_anomalies as u64)),
        ("Затронутые системы", digits(s.affected_systems as u64)),
    ];
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

/// `1234567` → `1 234 567`, the Russian way of grouping digits.
fn digits(n: u64) -> String {
    grouped(n, " ")
}

fn warnings_section(l: &mut Layout, warnings: &[String]) {
    if warnings.is_empty() {
        return;
    }
    l.heading("Предупреждения");
    for warning in warnings.iter().take(MAX_WARNINGS) {
        l.item(MARGIN, "•", SMALL_SIZE, warning);
    }
    if warnings.len() > MAX_WARNINGS {
        let rest = format!("… и ещё {}", warnings.len() - MAX_WARNINGS);
        l.line(MARGIN + INDENT, SMALL_SIZE, Tone::Muted, rest);
    }
}

struct Column {
    title: &'static str,
    width: f32,
}

/// The last column takes whatever width is left.
const LINK_COLUMNS: [Column; 6] = [
    Column {
        title: "Сцен.",
        width: 30.0,
    },
    Column {
        title: "Аном.",
        width: 32.0,
    },
    Column {
        title: "Пробл.",
        width: 34.0,
    },
    Column {
        title: "Файл",
        width: 104.0,
    },
    Column {
        title: "Строка",
        width: 36.0,
    },
    Column {
        title: "Строка ERROR",
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

fn links_section(l: &mut Layout, links: &[Link]) {
    l.heading(&format!("Связи аномалия → проблема ({})", links.len()));
    if links.is_empty() {
        l.line(
            MARGIN,
            BODY_SIZE,
            Tone::Muted,
            "Связей не найдено.".to_string(),
        );
        return;
    }
    table_header(l);
    for link in links {
        if l.ensure_room(TABLE_SIZE * LEADING) {
            table_header(l);
        }
        let cells = link_cells(l.m, link);
        l.row(cells, TABLE_SIZE, Tone::Normal);
    }
}

/// Repeated on every page the table spans, so each page can be read on its own.
fn table_header(l: &mut Layout) {
    let height = TABLE_SIZE * LEADING;
    l.ensure_room(3.0 * height);
    l.push(Op::Band {
        top: l.y,
        height: height + 1.0,
    });
    let cells = LINK_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| (column_x(i), c.title.to_string()));
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

fn incidents_section(l: &mut Layout, incidents: &[Incident]) {
    l.heading("Инциденты по влиянию");
    if incidents.is_empty() {
        l.line(
            MARGIN,
            BODY_SIZE,
            Tone::Muted,
            "Инцидентов нет.".to_string(),
        );
        return;
    }
    for (rank, incident) in ranked_by_impact(incidents).into_iter().enumerate() {
        let head = format!(
            "[{}] Проблема {} (сценарий {}): {}",
            incident.priority.as_str(),
            incident.problem_id,
            incident.scenario_id,
            incident.problem
        );
        l.item(MARGIN, &format!("{}.", rank + 1), BODY_SIZE, &head);
        l.paragraph(
            MARGIN + INDENT,
            SMALL_SIZE,
            Tone::Muted,
            &incident_details(incident),
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

fn incident_details(incident: &Incident) -> String {
    let mut parts = vec![
        format!("влияние {}", incident.impact),
        format!("аномалии: {}", join_ids(&incident.anomaly_ids)),
        format!("файлов: {}", incident.files.len()),
    ];
    if let (Some(first), Some(last)) = (&incident.first_seen, &incident.last_seen) {
        parts.push(format!("период: {first} — {last}"));
    }
    parts.join(" · ")
}

fn playbooks_section(l: &mut Layout, playbooks: &[PlaybookRecommendation]) {
    l.heading("Рекомендации (плейбуки)");
    if playbooks.is_empty() {
        l.line(
            MARGIN,
            BODY_SIZE,
            Tone::Muted,
            "Рекомендаций нет.".to_string(),
        );
        return;
    }
    for playbook in playbooks {
        playbook_entry(l, playbook);
    }
}

fn playbook_entry(l: &mut Layout, p: &PlaybookRecommendation) {
    l.ensure_room(3.0 * BODY_SIZE * LEADING);
    let head = format!("Проблема {} — {}", p.problem_id, p.problem);
    l.paragraph(MARGIN, BODY_SIZE, Tone::Normal, &head);
    let meta = format!(
        "Приоритет: {} · сценарии: {}",
        p.priority.as_str(),
        join_ids(&p.scenario_ids)
    );
    l.paragraph(MARGIN + INDENT, SMALL_SIZE, Tone::Muted, &meta);
    if !p.summary.trim().is_empty() {
        l.paragraph(MARGIN + INDENT, SMALL_SIZE, Tone::Normal, &p.summary);
    }
    for (i, step) in p.steps.iter().enumerate() {
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
        assert_eq!(digits(1_234_567), "1 234 567");
    }
}
