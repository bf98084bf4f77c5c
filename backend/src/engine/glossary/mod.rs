//! Aliases an operator writes for what the knowledge base names otherwise (ИБП for UPS, БД for
//! database, «взаимоблокировка» for deadlock), rewritten to the KB's words before matching by
//! meaning. Both sides go through it — log messages and KB texts — so an alias and its
//! canonical form embed alike and share words for the lexical score. The organizers' exact rule
//! never sees it.
//!
//! A glossary is a CSV file with the header `alias,canonical`, one alias per row. Texts are
//! compared normalised ([`normalize`]: lower case, punctuation dropped, `ё` read as `е`). An
//! alias word ending in `*` is a stem and matches any word that starts with it (Russian
//! endings: `температур*` matches «температура», «температуры»); a stem is at least
//! [`MIN_STEM_CHARS`] letters. Where aliases overlap, the longest (in words) wins, then the
//! first listed; the user's file comes before the shipped default, so it can override it.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, LazyLock};

use sha2::{Digest, Sha256};

use crate::engine::normalize::normalize;

/// The default glossary shipped with LogLens (Russian and English operator vocabulary).
pub const DEFAULT_CSV: &str = include_str!("default.csv");
/// Largest glossary file accepted.
pub const MAX_GLOSSARY_BYTES: u64 = 1024 * 1024;
/// Most aliases one glossary may hold.
pub const MAX_GLOSSARY_ENTRIES: usize = 20_000;
/// Shortest stem (`abc*`) allowed: shorter ones would rewrite unrelated words.
pub const MIN_STEM_CHARS: usize = 3;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GlossaryError {
    #[error("glossary {file}: larger than {MAX_GLOSSARY_BYTES} bytes")]
    TooLarge { file: String },
    #[error("glossary {file}: more than {MAX_GLOSSARY_ENTRIES} aliases")]
    TooManyEntries { file: String },
    #[error("glossary {file}: not UTF-8 text")]
    NotText { file: String },
    #[error("glossary {file}, line {line}: {reason}")]
    Row {
        file: String,
        line: u64,
        reason: String,
    },
    #[error("glossary {file}: no alias (expected the header `alias,canonical` and rows)")]
    Empty { file: String },
}

impl GlossaryError {
    /// What went wrong with the glossary, as the API's problem (the file and line named).
    pub fn problem(&self) -> loglens_shared::api::Problem {
        let (file, line, reason) = match self {
            GlossaryError::TooLarge { file } => (
                file,
                None,
                format!("larger than {MAX_GLOSSARY_BYTES} bytes"),
            ),
            GlossaryError::TooManyEntries { file } => (
                file,
                None,
                format!("more than {MAX_GLOSSARY_ENTRIES} aliases"),
            ),
            GlossaryError::NotText { file } => (file, None, "not UTF-8 text".to_owned()),
            GlossaryError::Row { file, line, reason } => (file, Some(*line), reason.clone()),
            GlossaryError::Empty { file } => (
                file,
                None,
                "no alias (expected the header `alias,canonical` and rows)".to_owned(),
            ),
        };
        loglens_shared::api::Problem::GlossaryInvalid {
            file: file.clone(),
            line,
            reason,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Word {
    Exact(String),
    Stem(String),
}

impl Word {
    fn matches(&self, token: &str) -> bool {
        match self {
            Word::Exact(w) => w == token,
            Word::Stem(s) => token.starts_with(s.as_str()),
        }
    }
}

#[derive(Debug, Clone)]
struct Entry {
    alias: Vec<Word>,
    /// As written in the file (shown in the report).
    alias_text: String,
    canonical: String,
}

/// One alias that rewrote at least one text of an analysis.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct UsedAlias {
    pub alias: String,
    pub canonical: String,
}

/// A glossary: the user's entries (if any) before the shipped default ones.
#[derive(Debug, Clone)]
pub struct Glossary {
    entries: Vec<Entry>,
    /// Entry indexes by their first word (exact words) or stem.
    exact: HashMap<String, Vec<usize>>,
    stems: HashMap<String, Vec<usize>>,
    /// Where the entries came from, in order (`built-in`, `uploaded: terms.csv`).
    pub sources: Vec<String>,
    /// Hex SHA-256 of the entries: KB vectors are cached per glossary.
    pub content_hash: String,
}

static DEFAULT: LazyLock<Arc<Glossary>> = LazyLock::new(|| {
    // The file is part of the binary and covered by tests; failure here is a build defect.
    let entries =
        parse_entries(DEFAULT_CSV.as_bytes(), "default.csv").unwrap_or_else(|e| panic!("{e}"));
    Arc::new(Glossary::build(entries, vec!["built-in".into()]))
});

impl Glossary {
    /// The shipped default glossary.
    pub fn builtin() -> Arc<Glossary> {
        Arc::clone(&DEFAULT)
    }

    /// The user's files (CSV bytes, name), read in this order, in front of the shipped
    /// default: where two define the same alias, the earlier wins (the longest alias still
    /// wins over a shorter one, whichever file it is in).
    pub fn with_user_files(files: &[(&[u8], &str)]) -> Result<Glossary, GlossaryError> {
        let mut entries = Vec::new();
        let mut sources = Vec::new();
        for (bytes, name) in files {
            entries.extend(parse_entries(bytes, name)?);
            sources.push(format!("uploaded: {name}"));
        }
        entries.extend(DEFAULT.entries.iter().cloned());
        sources.push("built-in".into());
        Ok(Glossary::build(entries, sources))
    }

    /// Checks a user file without keeping it (the server's start refuses a bad one with this).
    pub fn check_user_file(bytes: &[u8], name: &str) -> Result<usize, GlossaryError> {
        parse_entries(bytes, name).map(|e| e.len())
    }

    fn build(entries: Vec<Entry>, sources: Vec<String>) -> Glossary {
        let mut exact: HashMap<String, Vec<usize>> = HashMap::new();
        let mut stems: HashMap<String, Vec<usize>> = HashMap::new();
        let mut hasher = Sha256::new();
        hasher.update(b"loglens-glossary-v1");
        for (i, e) in entries.iter().enumerate() {
            match &e.alias[0] {
                Word::Exact(w) => exact.entry(w.clone()).or_default().push(i),
                Word::Stem(s) => stems.entry(s.clone()).or_default().push(i),
            }
            for part in [e.alias_text.as_str(), e.canonical.as_str()] {
                hasher.update((part.len() as u64).to_le_bytes());
                hasher.update(part.as_bytes());
            }
        }
        Glossary {
            entries,
            exact,
            stems,
            sources,
            content_hash: hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `text` (already [`normalize`]d) with every alias rewritten to its canonical words.
    pub fn apply(&self, text: &str) -> String {
        self.rewrite(text, &mut |_| {})
    }

    /// Like [`Glossary::apply`], adding the aliases that fired to `used`.
    pub fn apply_noting(&self, text: &str, used: &mut BTreeSet<UsedAlias>) -> String {
        self.rewrite(text, &mut |e: &Entry| {
            used.insert(UsedAlias {
                alias: e.alias_text.clone(),
                canonical: e.canonical.clone(),
            });
        })
    }

    fn rewrite(&self, text: &str, on_use: &mut dyn FnMut(&Entry)) -> String {
        if self.entries.is_empty() {
            return text.to_owned();
        }
        let tokens: Vec<String> = text.split_whitespace().map(fold).collect();
        let mut out: Vec<&str> = Vec::with_capacity(tokens.len());
        let mut i = 0;
        while i < tokens.len() {
            match self.longest_at(&tokens[i..]) {
                Some(e) => {
                    on_use(e);
                    out.extend(e.canonical.split(' '));
                    i += e.alias.len();
                }
                None => {
                    out.push(&tokens[i]);
                    i += 1;
                }
            }
        }
        out.join(" ")
    }

    /// The entry matching the most words at the start of `tokens` (the first listed on ties).
    fn longest_at(&self, tokens: &[String]) -> Option<&Entry> {
        let first = &tokens[0];
        let mut candidates: Vec<usize> = self.exact.get(first).cloned().unwrap_or_default();
        // Every prefix of the first word that is long enough may be a stem.
        for (end, _) in first.char_indices().skip(MIN_STEM_CHARS) {
            if let Some(ids) = self.stems.get(&first[..end]) {
                candidates.extend(ids);
            }
        }
        if let Some(ids) = self.stems.get(first.as_str()) {
            candidates.extend(ids);
        }
        candidates.sort_unstable();
        candidates
            .into_iter()
            .map(|i| &self.entries[i])
            .filter(|e| {
                e.alias.len() <= tokens.len()
                    && e.alias.iter().zip(tokens).all(|(w, t)| w.matches(t))
            })
            .fold(None, |best: Option<&Entry>, e| match best {
                Some(b) if b.alias.len() >= e.alias.len() => Some(b),
                _ => Some(e),
            })
    }
}

/// `ё` and `е` are one letter for matching (writers use both).
fn fold(word: &str) -> String {
    word.replace('ё', "е")
}

fn parse_entries(bytes: &[u8], file: &str) -> Result<Vec<Entry>, GlossaryError> {
    if bytes.len() as u64 > MAX_GLOSSARY_BYTES {
        return Err(GlossaryError::TooLarge { file: file.into() });
    }
    let text =
        std::str::from_utf8(bytes).map_err(|_| GlossaryError::NotText { file: file.into() })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let row_error = |line: u64, reason: String| GlossaryError::Row {
        file: file.into(),
        line,
        reason,
    };
    let headers = reader
        .headers()
        .map_err(|e| row_error(1, e.to_string()))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect::<Vec<_>>();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(a), Some(c)) = (col("alias"), col("canonical")) else {
        return Err(row_error(
            1,
            format!("the header must name the columns `alias` and `canonical`, found {headers:?}"),
        ));
    };
    let mut entries = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            row_error(line, e.to_string())
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let (alias_text, canonical_text) = (field(a), field(c));
        if alias_text.is_empty() && canonical_text.is_empty() {
            continue;
        }
        let alias = alias_words(alias_text).map_err(|reason| row_error(line, reason))?;
        let canonical = fold(&normalize(canonical_text));
        if canonical.is_empty() {
            return Err(row_error(
                line,
                format!("the alias {alias_text:?} has no canonical text"),
            ));
        }
        if entries.len() == MAX_GLOSSARY_ENTRIES {
            return Err(GlossaryError::TooManyEntries { file: file.into() });
        }
        entries.push(Entry {
            alias,
            alias_text: alias_text.to_owned(),
            canonical,
        });
    }
    if entries.is_empty() {
        return Err(GlossaryError::Empty { file: file.into() });
    }
    Ok(entries)
}

/// The words of an alias; a trailing `*` makes the last part of a word a stem.
fn alias_words(alias: &str) -> Result<Vec<Word>, String> {
    let mut words = Vec::new();
    for raw in alias.split_whitespace() {
        let (body, stem) = match raw.strip_suffix('*') {
            Some(b) => (b, true),
            None => (raw, false),
        };
        if body.contains('*') {
            return Err(format!(
                "{alias:?}: `*` may only end a word (it marks a stem)"
            ));
        }
        // Normalising may split a word (`sql-запрос` → `sql запрос`): the stem is its last part.
        let parts: Vec<String> = normalize(body)
            .split(' ')
            .filter(|p| !p.is_empty())
            .map(fold)
            .collect();
        let n = parts.len();
        for (i, p) in parts.into_iter().enumerate() {
            if stem && i + 1 == n {
                if p.chars().count() < MIN_STEM_CHARS {
                    return Err(format!(
                        "{alias:?}: the stem {p:?} is shorter than {MIN_STEM_CHARS} letters"
                    ));
                }
                words.push(Word::Stem(p));
            } else {
                words.push(Word::Exact(p));
            }
        }
    }
    if words.is_empty() {
        return Err(format!("{alias:?} has no word to match"));
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(csv: &str) -> Glossary {
        Glossary::build(
            parse_entries(csv.as_bytes(), "t.csv").expect("parses"),
            vec![],
        )
    }

    #[test]
    fn rewrites_words_stems_and_phrases_longest_first() {
        let g = g(
            "alias,canonical\nибп,ups\nтемператур*,temperature\nсетев* интерфейс*,network interface\nсетев*,network\n",
        );
        assert_eq!(g.apply("сбой ибп"), "сбой ups");
        assert_eq!(
            g.apply("температуры cpu0 высокая"),
            "temperature cpu0 высокая"
        );
        assert_eq!(
            g.apply("сетевой интерфейс eth0 упал"),
            "network interface eth0 упал"
        );
        assert_eq!(g.apply("сетевая карта"), "network карта");
        // A stem needs the word to start with it; an exact alias needs the whole word.
        assert_eq!(g.apply("ибпшка темп"), "ибпшка темп");
    }

    #[test]
    fn yo_and_ye_are_one_letter_and_case_does_not_matter() {
        let g = g("alias,canonical\nучётн* данн*,credential\n");
        assert_eq!(
            g.apply(&normalize("Учетные данные отклонены")),
            "credential отклонены"
        );
    }

    #[test]
    fn the_user_file_overrides_the_default_on_equal_length() {
        let user =
            Glossary::with_user_files(&[("alias,canonical\nбд,db\n".as_bytes(), "mine.csv")])
                .expect("user glossary");
        assert_eq!(user.apply("бд недоступна"), "db unreachable");
        assert_eq!(
            Glossary::builtin().apply("бд недоступна"),
            "database unreachable"
        );
        assert_eq!(user.sources, vec!["uploaded: mine.csv", "built-in"]);
        assert_ne!(user.content_hash, Glossary::builtin().content_hash);
    }

    #[test]
    fn default_glossary_covers_the_operator_abbreviations() {
        let g = Glossary::builtin();
        for (ru, en) in [
            ("ибп", "ups"),
            ("бд", "database"),
            ("озу", "memory"),
            ("цп", "cpu"),
            ("сетевой интерфейс", "network interface"),
            ("взаимоблокировка", "deadlock"),
            ("database", "database"),
        ] {
            assert_eq!(g.apply(ru), en, "{ru}");
        }
    }

    #[test]
    fn notes_the_aliases_used() {
        let g = Glossary::builtin();
        let mut used = BTreeSet::new();
        g.apply_noting("ибп на батарее", &mut used);
        let aliases: Vec<&str> = used.iter().map(|u| u.alias.as_str()).collect();
        assert_eq!(aliases, vec!["батаре*", "ибп"]);
    }

    #[test]
    fn bad_files_say_which_line_and_what() {
        let err = |csv: &str| parse_entries(csv.as_bytes(), "g.csv").expect_err("rejected");
        assert!(matches!(
            err("a,b\nx,y\n"),
            GlossaryError::Row { line: 1, .. }
        ));
        assert_eq!(
            err("alias,canonical\nибп,ups\nт*,x\n").to_string(),
            "glossary g.csv, line 3: \"т*\": the stem \"т\" is shorter than 3 letters"
        );
        assert!(matches!(
            err("alias,canonical\nabc,\n"),
            GlossaryError::Row { line: 2, .. }
        ));
        assert!(matches!(
            err("alias,canonical\na*b,x\n"),
            GlossaryError::Row { line: 2, .. }
        ));
        assert!(matches!(
            err("alias,canonical\n"),
            GlossaryError::Empty { .. }
        ));
        assert!(matches!(
            parse_entries(&[0xff, 0xfe], "g.csv"),
            Err(GlossaryError::NotText { .. })
        ));
        let big = vec![b'a'; MAX_GLOSSARY_BYTES as usize + 1];
        assert!(matches!(
            parse_entries(&big, "g.csv"),
            Err(GlossaryError::TooLarge { .. })
        ));
    }
}
