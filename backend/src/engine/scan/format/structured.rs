//! Structured lines: JSON objects (application JSON logs, Docker's `json-file` driver) and
//! logfmt `key=value` pairs. Fields are found under the names the common libraries use;
//! dotted names reach into nested objects (`log.level` in Elastic's schema).

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::{LevelField, Raw};

/// Which JSON layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonFlavour {
    /// Application logs: a message, a time, usually a level.
    Lines,
    /// Docker's `json-file` driver: `{"log": "...\n", "stream": "stderr", "time": "..."}`.
    Docker,
}

const TIME_KEYS: [&str; 7] = [
    "@timestamp",
    "timestamp",
    "time",
    "ts",
    "t",
    "datetime",
    "date",
];
const LEVEL_KEYS: [&str; 7] = [
    "level",
    "severity",
    "lvl",
    "levelname",
    "log.level",
    "loglevel",
    "severity_text",
];
const MESSAGE_KEYS: [&str; 6] = ["message", "msg", "MESSAGE", "event", "text", "log"];
const SOURCE_KEYS: [&str; 7] = [
    "logger",
    "logger_name",
    "name",
    "source",
    "component",
    "module",
    "log.logger",
];

/// A field by name; a dotted name also reaches into nested objects.
fn lookup<'v>(obj: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    if let Some(v) = obj.get(key) {
        return Some(v);
    }
    let (head, rest) = key.split_once('.')?;
    lookup(obj.get(head)?.as_object()?, rest)
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn first(obj: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| lookup(obj, k).and_then(text))
}

/// The fields of a JSON line; `None` when it is no object with a time and a message.
pub fn json_fields(line: &[u8], flavour: JsonFlavour) -> Option<Raw<'static>> {
    if line.first() != Some(&b'{') {
        return None;
    }
    let Value::Object(obj) = serde_json::from_slice::<Value>(line).ok()? else {
        return None;
    };
    let owned = |s: String| Cow::Owned(s.into_bytes());
    match flavour {
        JsonFlavour::Docker => {
            let log = obj.get("log")?.as_str()?;
            let stream = obj.get("stream")?.as_str()?;
            let time = obj.get("time")?.as_str()?;
            Some(Raw {
                timestamp: owned(time.to_owned()),
                level: LevelField::Absent,
                source: owned(stream.to_owned()),
                message: owned(log.trim_end().to_owned()),
            })
        }
        JsonFlavour::Lines => {
            let time = first(&obj, &TIME_KEYS)?;
            let message = first(&obj, &MESSAGE_KEYS)?;
            let level = match first(&obj, &LEVEL_KEYS) {
                Some(l) => LevelField::Token(owned(l)),
                None => LevelField::Absent,
            };
            Some(Raw {
                timestamp: owned(time),
                level,
                source: owned(first(&obj, &SOURCE_KEYS).unwrap_or_default()),
                message: owned(message),
            })
        }
    }
}

/// `key=value` pairs of a logfmt line, values bare or double-quoted (with `\"` and `\\`).
fn logfmt_pairs(line: &[u8]) -> Option<Vec<(&[u8], Vec<u8>)>> {
    let mut pairs = Vec::new();
    let mut i = 0;
    while i < line.len() {
        while i < line.len() && line[i] == b' ' {
            i += 1;
        }
        if i == line.len() {
            break;
        }
        let key_start = i;
        while i < line.len() && line[i] != b'=' && line[i] != b' ' {
            i += 1;
        }
        let key = &line[key_start..i];
        if key.is_empty() || line.get(i) != Some(&b'=') {
            return None;
        }
        i += 1;
        let mut value = Vec::new();
        if line.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match line.get(i) {
                    None => return None,
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(b'\\') if i + 1 < line.len() => {
                        value.push(line[i + 1]);
                        i += 2;
                    }
                    Some(&b) => {
                        value.push(b);
                        i += 1;
                    }
                }
            }
        } else {
            while i < line.len() && line[i] != b' ' {
                value.push(line[i]);
                i += 1;
            }
        }
        pairs.push((key, value));
    }
    Some(pairs)
}

/// The fields of a logfmt line; `None` unless it has a time and a message.
pub fn logfmt_fields(line: &[u8]) -> Option<Raw<'static>> {
    let pairs = logfmt_pairs(line)?;
    let get = |keys: &[&str]| {
        keys.iter().find_map(|k| {
            pairs
                .iter()
                .find(|(key, _)| *key == k.as_bytes())
                .map(|(_, v)| v.clone())
        })
    };
    let timestamp = get(&TIME_KEYS)?;
    let message = get(&MESSAGE_KEYS)?;
    Some(Raw {
        timestamp: Cow::Owned(timestamp),
        level: get(&LEVEL_KEYS).map_or(LevelField::Absent, |l| LevelField::Token(Cow::Owned(l))),
        source: Cow::Owned(get(&SOURCE_KEYS).unwrap_or_default()),
        message: Cow::Owned(message),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(c: &[u8]) -> &str {
        std::str::from_utf8(c).expect("utf-8")
    }

    #[test]
    fn json_lines_with_nested_fields() {
        let r = json_fields(
            br#"{"@timestamp":"2024-05-01T10:00:00.123Z","log":{"level":"error","logger":"db"},"message":"pool exhausted","ctx":{"a":[1,2]}}"#,
            JsonFlavour::Lines,
        )
        .expect("reads");
        assert_eq!(s(&r.timestamp), "2024-05-01T10:00:00.123Z");
        assert_eq!(r.level, LevelField::Token(Cow::Borrowed(b"error")));
        assert_eq!(s(&r.source), "db");
        assert_eq!(s(&r.message), "pool exhausted");
        let epoch = json_fields(
            br#"{"ts":1714557600.5,"lvl":"warn","msg":"slow"}"#,
            JsonFlavour::Lines,
        )
        .expect("reads");
        assert_eq!(s(&epoch.timestamp), "1714557600.5");
        assert!(json_fields(br#"{"msg":"no time"}"#, JsonFlavour::Lines).is_none());
        assert!(json_fields(b"[1,2]", JsonFlavour::Lines).is_none());
        assert!(json_fields(b"{broken", JsonFlavour::Lines).is_none());
    }

    #[test]
    fn docker_json_file_lines() {
        let r = json_fields(
            br#"{"log":"Error: connection refused\n","stream":"stderr","time":"2019-04-30T01:28:59.392Z"}"#,
            JsonFlavour::Docker,
        )
        .expect("reads");
        assert_eq!(s(&r.message), "Error: connection refused");
        assert_eq!(s(&r.source), "stderr");
        assert_eq!(r.level, LevelField::Absent);
    }

    #[test]
    fn logfmt_pairs_with_quotes() {
        let r = logfmt_fields(
            br#"time=2024-05-01T10:00:00Z level=warn component=api msg="disk \"sda\" slow" took=3s"#,
        )
        .expect("reads");
        assert_eq!(s(&r.timestamp), "2024-05-01T10:00:00Z");
        assert_eq!(r.level, LevelField::Token(Cow::Borrowed(b"warn")));
        assert_eq!(s(&r.source), "api");
        assert_eq!(s(&r.message), "disk \"sda\" slow");
        assert!(logfmt_fields(b"just some words").is_none());
        assert!(logfmt_fields(br#"time=1 msg="unterminated"#).is_none());
    }
}
