//! A new version of a knowledge base: its rows and the anomalies an operator promoted from an
//! analysis (a pattern or a novel anomaly, as an anomaly of a problem it has or of a new one),
//! written as the four-column CSV the organizers' knowledge base is.

use std::collections::BTreeMap;

use loglens_shared::api::KbAddition;

use super::kb::{KbLink, KnowledgeBase};

/// Longest anomaly or problem text an addition may have.
pub const MAX_TEXT_CHARS: usize = 2_000;
/// Additions at once.
pub const MAX_ADDITIONS: usize = 200;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum KbEditError {
    #[error("nothing to add")]
    Empty,
    #[error("at most {MAX_ADDITIONS} additions at once")]
    TooMany,
    #[error("addition {n}: the anomaly text is empty or longer than {MAX_TEXT_CHARS} characters")]
    AnomalyText { n: usize },
    #[error(
        "addition {n}: name either an existing problem (problem_id) or a new one (problem), not both"
    )]
    ProblemChoice { n: usize },
    #[error("addition {n}: the knowledge base has no problem {id}")]
    UnknownProblem { n: usize, id: u32 },
    #[error(
        "addition {n}: the new problem's text is empty or longer than {MAX_TEXT_CHARS} characters"
    )]
    ProblemText { n: usize },
    #[error("addition {n}: the knowledge base links this anomaly to this problem already")]
    Duplicate { n: usize },
}

/// `kb`'s rows and `additions` after them: an anomaly text it has keeps its id, a new one takes
/// the next free id; a new problem (by its text) the next free problem id.
pub fn with_additions(
    kb: &KnowledgeBase,
    additions: &[KbAddition],
) -> Result<Vec<KbLink>, KbEditError> {
    if additions.is_empty() {
        return Err(KbEditError::Empty);
    }
    if additions.len() > MAX_ADDITIONS {
        return Err(KbEditError::TooMany);
    }
    let mut links = kb.links.clone();
    let mut anomaly_ids: BTreeMap<String, u32> = links
        .iter()
        .map(|l| (l.anomaly.clone(), l.anomaly_id))
        .collect();
    let mut problems: BTreeMap<u32, String> = kb.problems.clone();
    let mut next_anomaly = links
        .iter()
        .map(|l| l.anomaly_id)
        .max()
        .map_or(1, |m| m + 1);
    let mut next_problem = problems.keys().max().map_or(1, |m| m + 1);
    for (i, add) in additions.iter().enumerate() {
        let n = i + 1;
        let anomaly = add.anomaly.trim();
        if anomaly.is_empty() || anomaly.chars().count() > MAX_TEXT_CHARS {
            return Err(KbEditError::AnomalyText { n });
        }
        let new_problem = add.problem.as_deref().map(str::trim);
        let problem_id = match (add.problem_id, new_problem) {
            (Some(id), None) => {
                if !problems.contains_key(&id) {
                    return Err(KbEditError::UnknownProblem { n, id });
                }
                id
            }
            (None, Some(text)) => {
                if text.is_empty() || text.chars().count() > MAX_TEXT_CHARS {
                    return Err(KbEditError::ProblemText { n });
                }
                // A text it has already is that problem.
                match problems.iter().find(|(_, t)| t.as_str() == text) {
                    Some((id, _)) => *id,
                    None => {
                        let id = next_problem;
                        next_problem += 1;
                        problems.insert(id, text.to_owned());
                        id
                    }
                }
            }
            _ => return Err(KbEditError::ProblemChoice { n }),
        };
        let anomaly_id = *anomaly_ids.entry(anomaly.to_owned()).or_insert_with(|| {
            let id = next_anomaly;
            next_anomaly += 1;
            id
        });
        if links
            .iter()
            .any(|l| l.anomaly_id == anomaly_id && l.problem_id == problem_id)
        {
            return Err(KbEditError::Duplicate { n });
        }
        links.push(KbLink {
            anomaly_id,
            anomaly: anomaly.to_owned(),
            problem_id,
            problem: problems[&problem_id].clone(),
        });
    }
    Ok(links)
}

/// The rows as the organizers' knowledge base is written: `;`-separated, with its header.
pub fn to_csv(links: &[KbLink]) -> Vec<u8> {
    let mut out = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let rows = std::iter::once([
        "ID аномалии".to_owned(),
        "Аномалия".to_owned(),
        "ID проблемы".to_owned(),
        "Проблема".to_owned(),
    ])
    .chain(links.iter().map(|l| {
        [
            l.anomaly_id.to_string(),
            l.anomaly.clone(),
            l.problem_id.to_string(),
            l.problem.clone(),
        ]
    }));
    for row in rows {
        // Writing to memory cannot fail.
        let _ = out.write_record(&row);
    }
    out.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kb() -> KnowledgeBase {
        KnowledgeBase::parse(
            "ID аномалии;Аномалия;ID проблемы;Проблема\n1;Disk slow;7;Disk failed\n2;Fan noisy;8;Overheating\n"
                .as_bytes(),
            "kb.csv",
            "kb.csv",
        )
        .unwrap()
    }

    fn add(anomaly: &str, problem_id: Option<u32>, problem: Option<&str>) -> KbAddition {
        KbAddition {
            anomaly: anomaly.into(),
            problem_id,
            problem: problem.map(Into::into),
        }
    }

    #[test]
    fn additions_take_the_next_ids_and_the_csv_reads_back() {
        let links = with_additions(
            &kb(),
            &[
                add("segfault at <*>", Some(7), None),
                add("Disk slow", None, Some("Controller reset")),
                add("  PSU hum ", None, Some("Controller reset")),
            ],
        )
        .unwrap();
        let tail: Vec<(u32, &str, u32, &str)> = links[2..]
            .iter()
            .map(|l| {
                (
                    l.anomaly_id,
                    l.anomaly.as_str(),
                    l.problem_id,
                    l.problem.as_str(),
                )
            })
            .collect();
        assert_eq!(
            tail,
            [
                (3, "segfault at <*>", 7, "Disk failed"),
                (1, "Disk slow", 9, "Controller reset"),
                (4, "PSU hum", 9, "Controller reset"),
            ]
        );
        let again = KnowledgeBase::parse(&to_csv(&links), "v2.csv", "v2.csv").unwrap();
        assert_eq!(again.links, links);
    }

    #[test]
    fn mistakes_are_named_by_their_number() {
        let k = kb();
        assert_eq!(with_additions(&k, &[]), Err(KbEditError::Empty));
        assert_eq!(
            with_additions(&k, &[add(" ", Some(7), None)]),
            Err(KbEditError::AnomalyText { n: 1 })
        );
        assert_eq!(
            with_additions(&k, &[add("x", Some(7), None), add("y", Some(99), None)]),
            Err(KbEditError::UnknownProblem { n: 2, id: 99 })
        );
        assert_eq!(
            with_additions(&k, &[add("x", Some(7), Some("new"))]),
            Err(KbEditError::ProblemChoice { n: 1 })
        );
        assert_eq!(
            with_additions(&k, &[add("Disk slow", Some(7), None)]),
            Err(KbEditError::Duplicate { n: 1 })
        );
    }
}
