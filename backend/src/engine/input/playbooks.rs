//! Remediation playbooks: steps and a priority per KB problem. LogLens ships its own file
//! (`backend/data/playbooks.toml`, all 50 official problems); users may pass their own in the
//! same shape, as TOML or JSON.

use std::collections::HashMap;

use loglens_shared::Priority;
use loglens_shared::api::{PlaybookFault, Problem};
use serde::Deserialize;

use crate::engine::normalize::normalize;

/// The built-in playbooks.
pub const BUILTIN_TOML: &str = include_str!("../../../data/playbooks.toml");

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Playbook {
    pub problem_id: u32,
    pub problem: String,
    pub priority: Priority,
    pub summary: String,
    pub steps: Vec<String>,
    /// The same in Russian (optional; the built-in playbooks have it).
    #[serde(default)]
    pub summary_ru: Option<String>,
    #[serde(default)]
    pub steps_ru: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct PlaybookFile {
    playbook: Vec<Playbook>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlaybookError {
    #[error("playbooks {name}: {reason}")]
    Invalid {
        name: String,
        fault: PlaybookFault,
        /// 1-based line of a syntax error.
        line: Option<u64>,
        problem_id: Option<u32>,
        reason: String,
    },
}

impl PlaybookError {
    /// The error as an API problem about the uploaded file.
    pub fn problem(&self) -> Problem {
        let PlaybookError::Invalid {
            name,
            fault,
            line,
            problem_id,
            ..
        } = self;
        Problem::PlaybooksInvalid {
            file: name.clone(),
            fault: *fault,
            line: *line,
            problem_id: *problem_id,
        }
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> u64 {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
        + 1
}

/// Playbooks by problem id.
#[derive(Debug, Clone)]
pub struct Playbooks {
    pub source: String,
    by_id: HashMap<u32, Playbook>,
    /// The shipped file, written for the official knowledge base's problems.
    builtin: bool,
}

impl Playbooks {
    pub fn builtin() -> Self {
        // Shipped in the binary and checked by tests: a parse failure is a build defect.
        let mut p = Self::parse(BUILTIN_TOML.as_bytes(), "playbooks.toml", "built-in")
            .unwrap_or_else(|e| panic!("{e}"));
        p.builtin = true;
        p
    }

    /// Parses a TOML (or, by extension, JSON) playbook file.
    pub fn parse(bytes: &[u8], file_name: &str, source: &str) -> Result<Self, PlaybookError> {
        let invalid = |fault, line, problem_id, reason: String| PlaybookError::Invalid {
            name: file_name.to_owned(),
            fault,
            line,
            problem_id,
            reason,
        };
        let text = std::str::from_utf8(bytes).map_err(|e| {
            invalid(
                PlaybookFault::NotUtf8,
                None,
                None,
                format!("not UTF-8: {e}"),
            )
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let file: PlaybookFile = if file_name.to_lowercase().ends_with(".json") {
            serde_json::from_str(text).map_err(|e| {
                let line = (e.line() > 0).then_some(e.line() as u64);
                invalid(PlaybookFault::Syntax, line, None, e.to_string())
            })?
        } else {
            toml::from_str(text).map_err(|e| {
                let line = e.span().map(|s| line_of(text, s.start));
                invalid(PlaybookFault::Syntax, line, None, e.message().to_owned())
            })?
        };
        let mut by_id = HashMap::new();
        for p in file.playbook {
            let id = p.problem_id;
            if p.steps.is_empty() {
                return Err(invalid(
                    PlaybookFault::NoSteps,
                    None,
                    Some(id),
                    format!("playbook for problem {id} has no steps"),
                ));
            }
            if by_id.insert(id, p).is_some() {
                return Err(invalid(
                    PlaybookFault::Duplicate,
                    None,
                    Some(id),
                    format!("problem {id} has two playbooks"),
                ));
            }
        }
        Ok(Self {
            source: source.to_owned(),
            by_id,
            builtin: false,
        })
    }

    pub fn get(&self, problem_id: u32) -> Option<&Playbook> {
        self.by_id.get(&problem_id)
    }

    /// The playbook of problem `problem_id`, which the knowledge base calls `kb_text`. The
    /// user's playbooks go by id (written for their knowledge base); the shipped ones only
    /// where the problem is the official one of that id, so a knowledge base that numbers its
    /// own problems from 1 does not get the RAID playbook for its power outage.
    pub fn for_problem(&self, problem_id: u32, kb_text: &str) -> Option<&Playbook> {
        self.get(problem_id)
            .filter(|p| !self.builtin || normalize(&p.problem) == normalize(kb_text))
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::input::kb::KnowledgeBase;

    #[test]
    fn builtin_covers_every_official_problem_with_its_exact_text() {
        let kb = KnowledgeBase::builtin();
        let pb = Playbooks::builtin();
        assert_eq!(pb.len(), 50);
        for (id, text) in kb.problem_list() {
            let p = pb
                .get(id)
                .unwrap_or_else(|| panic!("no playbook for problem {id}"));
            assert_eq!(p.problem, text);
            assert!(
                p.steps.len() >= 3,
                "problem {id} has {} steps",
                p.steps.len()
            );
        }
    }

    #[test]
    fn shipped_playbooks_serve_only_the_official_problem_of_their_id() {
        let pb = Playbooks::builtin();
        let raid = "RAID controller firmware fault detected";
        assert!(pb.for_problem(1, raid).is_some());
        assert!(
            pb.for_problem(1, "raid controller  firmware fault detected.")
                .is_some()
        );
        assert!(
            pb.for_problem(1, "Power outage: the UPS shut down the servers")
                .is_none()
        );
        // The user's own go by id: they were written for the user's knowledge base.
        let mine = Playbooks::parse(
            b"[[playbook]]\nproblem_id = 1\nproblem = \"Power outage\"\npriority = \"major\"\nsummary = \"s\"\nsteps = [\"a\"]\n",
            "mine.toml",
            "uploaded: mine.toml",
        )
        .expect("parses");
        assert!(
            mine.for_problem(1, "Power outage: the UPS shut down the servers")
                .is_some()
        );
    }

    #[test]
    fn custom_files_in_toml_and_json_and_clear_errors() {
        let toml = r#"[[playbook]]
problem_id = 7
problem = "Disk failed"
priority = "minor"
summary = "s"
steps = ["replace the disk"]
"#;
        let pb = Playbooks::parse(toml.as_bytes(), "mine.toml", "uploaded").expect("toml");
        assert_eq!(pb.get(7).map(|p| p.priority), Some(Priority::Minor));
        let json = r#"{"playbook":[{"problem_id":1,"problem":"x","priority":"critical","summary":"s","steps":["a"]}]}"#;
        assert_eq!(
            Playbooks::parse(json.as_bytes(), "p.json", "u")
                .expect("json")
                .len(),
            1
        );
        let err = Playbooks::parse(b"[[playbook]]\nproblem_id = 1\n", "bad.toml", "u")
            .expect_err("invalid");
        assert!(err.to_string().contains("bad.toml"), "{err}");
        let syntax =
            Playbooks::parse(b"# mine\n\n[[playbook]\n", "broken.toml", "u").expect_err("invalid");
        assert_eq!(
            syntax.problem(),
            Problem::PlaybooksInvalid {
                file: "broken.toml".into(),
                fault: PlaybookFault::Syntax,
                line: Some(3),
                problem_id: None,
            }
        );
        let twice = format!("{toml}\n{toml}");
        assert!(matches!(
            Playbooks::parse(twice.as_bytes(), "twice.toml", "u").map_err(|e| e.problem()),
            Err(Problem::PlaybooksInvalid {
                fault: PlaybookFault::Duplicate,
                problem_id: Some(7),
                ..
            })
        ));
        let bad_priority = toml.replace("minor", "urgent");
        assert!(Playbooks::parse(bad_priority.as_bytes(), "p.toml", "u").is_err());
    }
}
