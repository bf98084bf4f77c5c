//! The user's own formats, for what the catalogue lacks: a named regex with named groups
//! (`timestamp` and `message`; `level`, `source` optional), or a format string in the
//! field's usual notation (`<timestamp> <level> [<thread>] <source>: <message>`), with the
//! way its time reads, optionally bound to files by a glob. Read from a TOML file:
//!
//! ```toml
//! [[format]]
//! name = "billing"
//! format = "<timestamp> | <level> | <source> | <message>"
//! time = "%d.%m.%Y %H:%M:%S"     # a chrono pattern, "iso" (default) or "epoch"
//! files = "**/billing*.log"      # these files are read with it; others are detected
//! ```

use std::borrow::Cow;

use globset::{Glob, GlobMatcher};
use serde::Deserialize;

use super::{Clock, Format, Layout};

/// Formats one file may define.
pub const MAX_USER_FORMATS: usize = 64;
/// Longest regex or format string accepted.
pub const MAX_PATTERN_CHARS: usize = 2_000;
/// Compiled size limit of one regex (the `regex` crate's own guard against blow-up).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A user format and the files it is bound to.
#[derive(Debug, Clone)]
pub struct UserFormat {
    pub format: Format,
    files: Option<GlobMatcher>,
}

impl UserFormat {
    /// Whether the file at `path` (inside its archive) is bound to this format.
    pub fn binds(&self, path: &str) -> bool {
        self.files.as_ref().is_some_and(|g| g.is_match(path))
    }
}

/// Why a formats file was refused: which format, what is wrong.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UserFormatError {
    #[error("not a formats file{}: {message}", line.map_or_else(String::new, |l| format!(" (line {l})")))]
    Toml { line: Option<u64>, message: String },
    #[error("more than {MAX_USER_FORMATS} formats")]
    TooMany,
    #[error("format {index} ({name:?}): {what}")]
    Format {
        index: usize,
        name: String,
        what: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    format: Vec<Spec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    name: String,
    regex: Option<String>,
    format: Option<String>,
    time: Option<String>,
    files: Option<String>,
}

/// An example formats file, offered as a template to start one's own from.
pub const FORMATS_TEMPLATE: &str = include_str!("../../../../data/formats.toml");

/// Largest formats file read (config or upload).
pub const MAX_FORMATS_BYTES: u64 = 256 * 1024;

impl UserFormatError {
    /// What went wrong with the formats file `file`, as the API's problem.
    pub fn problem(&self, file: &str) -> loglens_shared::api::Problem {
        let (line, format) = match self {
            UserFormatError::Toml { line, .. } => (*line, None),
            UserFormatError::TooMany => (None, None),
            UserFormatError::Format { name, .. } => (None, Some(name.clone())),
        };
        loglens_shared::api::Problem::FormatsInvalid {
            file: file.to_owned(),
            line,
            format,
            reason: match self {
                UserFormatError::Toml { message, .. } => message.trim().to_owned(),
                UserFormatError::TooMany => format!("more than {MAX_USER_FORMATS} formats"),
                UserFormatError::Format { what, .. } => what.clone(),
            },
        }
    }
}

/// Reads a formats file (TOML).
pub fn parse(text: &str) -> Result<Vec<UserFormat>, UserFormatError> {
    let file: File = toml::from_str(text).map_err(|e| UserFormatError::Toml {
        line: e.span().map(|s| {
            text.as_bytes()[..s.start.min(text.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64
                + 1
        }),
        message: e.message().to_owned(),
    })?;
    if file.format.len() > MAX_USER_FORMATS {
        return Err(UserFormatError::TooMany);
    }
    file.format
        .into_iter()
        .enumerate()
        .map(|(i, spec)| {
            let fail = |what: String| UserFormatError::Format {
                index: i + 1,
                name: spec.name.clone(),
                what,
            };
            build(&spec).map_err(fail)
        })
        .collect()
}

fn build(spec: &Spec) -> Result<UserFormat, String> {
    let name = spec.name.trim();
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err("a name is 1 to 64 letters, digits, '-', '_' or '.'".into());
    }
    let regex = match (&spec.regex, &spec.format) {
        (Some(r), None) => r.clone(),
        (None, Some(f)) => format_to_regex(f)?,
        _ => return Err("give either `regex` or `format`".into()),
    };
    if regex.chars().count() > MAX_PATTERN_CHARS {
        return Err(format!(
            "the pattern is longer than {MAX_PATTERN_CHARS} characters"
        ));
    }
    let re = regex::bytes::RegexBuilder::new(&regex)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| format!("the regex does not compile: {e}"))?;
    let groups: Vec<&str> = re.capture_names().flatten().collect();
    for needed in ["timestamp", "message"] {
        if !groups.contains(&needed) {
            return Err(format!("the pattern has no `{needed}` group"));
        }
    }
    let clock = match spec.time.as_deref().map(str::trim) {
        None | Some("iso") => Clock::Iso,
        Some("epoch") => Clock::Epoch,
        Some(p) => {
            if !p.contains('%') {
                return Err(format!(
                    "time {p:?} is no chrono pattern, \"iso\" or \"epoch\""
                ));
            }
            Clock::Pattern {
                format: p.to_owned(),
                year: p.contains("%Y") || p.contains("%y") || p.contains("%G"),
            }
        }
    };
    let files = spec
        .files
        .as_deref()
        .map(|g| {
            Glob::new(g)
                .map(|g| g.compile_matcher())
                .map_err(|e| format!("files {g:?} is no glob: {e}"))
        })
        .transpose()?;
    Ok(UserFormat {
        format: Format {
            name: Cow::Owned(name.to_owned()),
            title: Cow::Owned(format!("{name} (your format)")),
            layout: Layout::Pattern {
                re,
                message_is_rest: false,
            },
            clock,
            fallback: false,
        },
        files,
    })
}

/// `<timestamp> <level> [<thread>] <source>: <message>` as a regex: each `<name>` a named
/// group (the last one takes the rest of the line), literal text as written, a run of
/// blanks any run of blanks.
pub fn format_to_regex(format: &str) -> Result<String, String> {
    let mut out = String::from("^");
    let mut rest = format.trim();
    let mut seen: Vec<String> = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('<')
            && let Some(end) = after.find('>')
            && !after[..end].is_empty()
            && after[..end]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            let name = &after[..end];
            if seen.iter().any(|s| s == name) {
                return Err(format!("<{name}> appears twice"));
            }
            seen.push(name.to_owned());
            rest = &after[end + 1..];
            out.push_str(&format!(
                "(?P<{name}>{})",
                if rest.trim().is_empty() { ".*" } else { ".*?" }
            ));
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        if c.is_whitespace() {
            out.push_str(r"\s+");
            rest = rest.trim_start();
        } else {
            out.push_str(&regex::escape(&c.to_string()));
            rest = &rest[c.len_utf8()..];
        }
    }
    out.push('$');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scan::format::{FileDate, Formats, LineKind};
    use loglens_shared::report::Level;

    const DATE: FileDate = FileDate {
        year: 2024,
        month: 5,
    };

    #[test]
    fn a_format_string_reads_its_lines_and_binds_its_files() {
        let formats = parse(
            r#"
[[format]]
name = "billing"
format = "<timestamp> | <level> | <source> | <message>"
time = "%d.%m.%Y %H:%M:%S"
files = "**/billing*.log"
"#,
        )
        .expect("parses");
        let formats = Formats::new(formats);
        let f = formats
            .detect("case 1/billing-2.log", b"whatever", DATE)
            .expect("bound by its glob");
        assert_eq!(f.name, "billing");
        match f.classify(
            b"01.05.2024 10:00:00 | ERROR | payments | card declined",
            DATE,
        ) {
            LineKind::Signal(s) => {
                assert_eq!(s.level, Level::Error);
                assert_eq!(&*s.source, b"payments");
                assert_eq!(&*s.message, b"card declined");
                assert_eq!(s.timestamp.raw, "01.05.2024 10:00:00");
            }
            other => panic!("{other:?}"),
        }
        // Not bound: detected by content like any other.
        let f = formats
            .detect("other.log", b"01.05.2024 10:00:00 | INFO | a | b\n", DATE)
            .expect("detected");
        assert_eq!(f.name, "billing");
    }

    #[test]
    fn the_template_reads_the_lines_it_describes() {
        let formats = Formats::new(parse(FORMATS_TEMPLATE).expect("the template parses"));
        let f = formats
            .detect(
                "gw.log",
                b"[2024-05-01 10:00:00] WARN  edge-1 - upstream slow\n",
                DATE,
            )
            .expect("detected");
        assert_eq!(f.name, "gateway");
    }

    #[test]
    fn toml_mistakes_name_their_line() {
        let e = parse("[[format]]\nname = \"x\"\nformat = oops\n").expect_err("refused");
        assert!(
            matches!(e, UserFormatError::Toml { line: Some(3), .. }),
            "{e:?}"
        );
        assert!(e.to_string().contains("(line 3)"), "{e}");
    }

    #[test]
    fn bad_formats_say_which_and_what() {
        let err = |text: &str| parse(text).expect_err("refused").to_string();
        assert!(
            err("[[format]]\nname = \"x\"\nregex = \"(\"")
                .contains("format 1 (\"x\"): the regex does not compile")
        );
        assert!(
            err("[[format]]\nname = \"x\"\nregex = \"(?P<timestamp>\\\\S+)\"")
                .contains("no `message` group")
        );
        assert!(
            err("[[format]]\nname = \"x\"\nformat = \"<a> <a>\"").contains("<a> appears twice")
        );
        assert!(err("[[format]]\nname = \"x\"").contains("either `regex` or `format`"));
        assert!(
            err("[[format]]\nname = \"x\"\nformat = \"<timestamp> <message>\"\ntime = \"dd.mm\"")
                .contains("no chrono pattern")
        );
        assert!(
            err("[[format]]\nname = \"x\"\nformat = \"<timestamp> <message>\"\nfiles = \"a[\"")
                .contains("no glob")
        );
        assert!(err("nonsense = [").starts_with("not a formats file"));
    }
}
