//! Text for people, in both UI languages at once.

use serde::{Deserialize, Serialize};

/// A message in Russian — the protocol's `message` (SPEC §4), which the prototype's page shows —
/// and in English, sent beside it as `message_en`. Wire types flatten it, so on the wire these
/// stay two top-level fields; peers that predate English send none (it reads as empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LocalizedText {
    /// What is happening, in Russian (the prototype's field) …
    #[serde(rename = "message")]
    pub ru: String,
    /// … and in English (empty from servers that predate it).
    #[serde(rename = "message_en", default)]
    pub en: String,
}

impl LocalizedText {
    pub fn new(ru: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            ru: ru.into(),
            en: en.into(),
        }
    }

    /// The same message followed by `: detail` (an error's own text, which is not translated).
    pub fn with_detail(&self, detail: &str) -> Self {
        Self::new(
            format!("{}: {detail}", self.ru),
            format!("{}: {detail}", self.en),
        )
    }

    /// The English text, or the Russian one when a peer sent no English (older servers).
    pub fn en_or_ru(&self) -> &str {
        if self.en.is_empty() {
            &self.ru
        } else {
            &self.en
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattened_it_is_the_two_protocol_fields() {
        #[derive(Serialize, Deserialize)]
        struct Msg {
            seq: u64,
            #[serde(flatten)]
            text: LocalizedText,
        }
        let m = Msg {
            seq: 1,
            text: LocalizedText::new("Готово", "Done"),
        };
        assert_eq!(
            serde_json::to_string(&m).expect("json"),
            r#"{"seq":1,"message":"Готово","message_en":"Done"}"#
        );
        let old: Msg = serde_json::from_str(r#"{"seq":1,"message":"Готово"}"#).expect("old");
        assert_eq!(old.text.en_or_ru(), "Готово");
        assert_eq!(m.text.with_detail("x").en, "Done: x");
    }
}
