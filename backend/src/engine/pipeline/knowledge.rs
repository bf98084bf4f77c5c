//! Stages 2 and 4: which knowledge base each case uses, then every distinct one read once,
//! with the playbooks.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use loglens_shared::report::{Notice, UPLOADED_KB_PREFIX};

use super::notes::{Fallback, Note};
use crate::engine::glossary::Glossary;
use crate::engine::input::archive::{ArchivePlan, EntryReader, KbEntry};
use crate::engine::input::kb::{KnowledgeBase, MAX_KB_BYTES};
use crate::engine::input::playbooks::Playbooks;
use crate::engine::{AnalysisRequest, EngineError};

/// Where a case's knowledge base comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KbSource {
    /// A file inside the archive (the case's own, or the nearest one above it).
    Archive(KbEntry),
    /// The one uploaded beside the archive, else the built-in one.
    Fallback,
}

/// Stage 2's answer: a source per case, in plan order.
#[derive(Debug, Clone, PartialEq)]
pub struct KbChoice {
    pub per_case: Vec<KbSource>,
    /// Cases with a knowledge base of their own.
    pub own: usize,
    /// What the other cases use, if there are any.
    pub fallback: Option<Fallback>,
}

/// The knowledge of an analysis: each case's knowledge base, the distinct ones (by content),
/// the playbooks, and what was skipped while reading them.
pub struct Knowledge {
    pub per_case: Vec<Arc<KnowledgeBase>>,
    pub distinct: Vec<Arc<KnowledgeBase>>,
    pub playbooks: Playbooks,
    /// Aliases for matching by meaning: the user's, then the shipped ones.
    pub glossary: Arc<Glossary>,
    pub notices: Vec<Notice>,
    /// Some case uses the fallback (the uploaded knowledge base, else the built-in one).
    pub used_fallback: bool,
}

impl Knowledge {
    /// Problem and anomaly texts of the distinct knowledge bases (what stage 5 embeds).
    pub fn texts(&self) -> usize {
        self.distinct
            .iter()
            .map(|k| k.problems.len() + k.anomalies.len())
            .sum()
    }
}

/// Stage 2: which knowledge base each case uses.
pub fn choose(plan: &ArchivePlan, req: &AnalysisRequest) -> (KbChoice, Note) {
    // An uploaded knowledge base made for every case puts the cases' own aside.
    let for_all = req.kb_for_all && req.kb.is_some();
    let own_kb = |c: &crate::engine::input::archive::CasePlan| c.kb.clone().filter(|_| !for_all);
    let per_case: Vec<KbSource> = plan
        .cases
        .iter()
        .map(|c| own_kb(c).map_or(KbSource::Fallback, KbSource::Archive))
        .collect();
    let own = plan.cases.iter().filter(|c| own_kb(c).is_some()).count();
    let cases = plan.cases.len();
    let fallback = (own < cases).then(|| match &req.kb {
        Some(f) => Fallback::Uploaded(f.name.clone()),
        None => Fallback::BuiltIn,
    });
    let note = Note::KnowledgeBasesFound {
        own,
        cases,
        fallback: fallback.clone(),
    };
    (
        KbChoice {
            per_case,
            own,
            fallback,
        },
        note,
    )
}

/// Stage 4: every knowledge base the cases use, each read and parsed once; the playbooks.
pub fn load(req: &AnalysisRequest, choice: &KbChoice) -> Result<(Knowledge, Note), EngineError> {
    let mut reader: Option<EntryReader> = None;
    let mut read: HashMap<&KbSource, Arc<KnowledgeBase>> = HashMap::new();
    let mut per_case = Vec::with_capacity(choice.per_case.len());
    for source in &choice.per_case {
        let kb = match read.get(source) {
            Some(kb) => Arc::clone(kb),
            None => {
                let kb = Arc::new(match source {
                    KbSource::Archive(entry) => {
                        let reader = match &mut reader {
                            Some(r) => r,
                            None => reader.insert(EntryReader::open(&req.archive)?),
                        };
                        read_archive_kb(reader, entry)?
                    }
                    KbSource::Fallback => fallback_kb(req)?,
                });
                read.insert(source, Arc::clone(&kb));
                kb
            }
        };
        per_case.push(kb);
    }
    // In plan order, so notices and embedding progress do not depend on hashing.
    let mut distinct: Vec<Arc<KnowledgeBase>> = Vec::new();
    let mut notices = Vec::new();
    let mut noted: Vec<&str> = Vec::new();
    for kb in &per_case {
        if !noted.contains(&kb.source.as_str()) {
            noted.push(&kb.source);
            notices.extend(kb.row_notice());
        }
        if !distinct.iter().any(|d| d.content_hash == kb.content_hash) {
            distinct.push(Arc::clone(kb));
        }
    }
    let playbooks = match &req.playbooks {
        Some(f) => Playbooks::parse(&f.bytes, &f.name, &format!("uploaded: {}", f.name))?,
        None => Playbooks::builtin(),
    };
    let glossary = if req.glossaries.is_empty() {
        Glossary::builtin()
    } else {
        let files: Vec<(&[u8], &str)> = req
            .glossaries
            .iter()
            .map(|f| (f.bytes.as_slice(), f.name.as_str()))
            .collect();
        Arc::new(Glossary::with_user_files(&files)?)
    };
    let note = Note::KnowledgeBasesRead {
        bases: distinct.len(),
        links: distinct.iter().map(|k| k.links.len()).sum(),
        playbooks: playbooks.len(),
    };
    Ok((
        Knowledge {
            per_case,
            distinct,
            playbooks,
            glossary,
            notices,
            used_fallback: choice.per_case.contains(&KbSource::Fallback),
        },
        note,
    ))
}

fn read_archive_kb(
    reader: &mut EntryReader,
    entry: &KbEntry,
) -> Result<KnowledgeBase, EngineError> {
    let bytes = reader.read_small(entry, MAX_KB_BYTES)?;
    Ok(KnowledgeBase::parse(&bytes, &entry.path, &entry.path)?)
}

fn fallback_kb(req: &AnalysisRequest) -> Result<KnowledgeBase, EngineError> {
    Ok(match &req.kb {
        Some(f) => KnowledgeBase::parse(
            &f.bytes,
            &f.name,
            &format!("{UPLOADED_KB_PREFIX}{}", f.name),
        )?,
        None => KnowledgeBase::builtin(),
    })
}

/// The upload's name without its extension: names the analysis and its results.
pub fn analysis_name(upload_name: &str) -> String {
    Path::new(upload_name)
        .file_stem()
        .map_or_else(|| "logs".to_owned(), |s| s.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::UploadedFile;
    use crate::engine::input::archive::CasePlan;
    use loglens_shared::ModelKind;

    fn request(kb: Option<UploadedFile>) -> AnalysisRequest {
        AnalysisRequest {
            archive: "/nonexistent.zip".into(),
            upload_name: "x.zip".into(),
            model: ModelKind::Light,
            semantic: false,
            thresholds: None,
            kb,
            playbooks: None,
            glossaries: Vec::new(),
            out_dir: "/nonexistent".into(),
            not_relevant: Vec::new(),
            kb_for_all: false,
        }
    }

    fn case(id: u32) -> CasePlan {
        CasePlan {
            id,
            folder: format!("Case {id}"),
            kb: None,
            logs: Vec::new(),
        }
    }

    #[test]
    fn cases_without_their_own_share_one_fallback_read_once() {
        let plan = ArchivePlan {
            cases: vec![case(1), case(2)],
            ..ArchivePlan::default()
        };
        let upload = UploadedFile {
            name: "mine.csv".into(),
            bytes: b"a;b;c;d\n1;disk slow;2;disk failed\n".to_vec(),
        };
        let req = request(Some(upload));
        let (choice, note) = choose(&plan, &req);
        assert_eq!(choice.own, 0);
        assert_eq!(choice.fallback, Some(Fallback::Uploaded("mine.csv".into())));
        assert!(note.text().en.contains("the uploaded one (mine.csv)"));
        // no archive is opened: neither case has a knowledge base inside it
        let (knowledge, note) = load(&req, &choice).expect("load");
        assert!(Arc::ptr_eq(&knowledge.per_case[0], &knowledge.per_case[1]));
        assert_eq!(knowledge.distinct.len(), 1);
        assert_eq!(
            note,
            Note::KnowledgeBasesRead {
                bases: 1,
                links: 1,
                playbooks: Playbooks::builtin().len()
            }
        );
    }

    #[test]
    fn names_drop_the_extension() {
        assert_eq!(analysis_name("vc.zip"), "vc");
        assert_eq!(analysis_name(""), "logs");
    }
}
