//! What the embedded font says about text: how wide it is, so the layout can fit, cut and wrap
//! it to real widths; and log text cleaned of what a PDF line cannot show.

use super::FONT_TTF;
use crate::render::RenderError;

/// Glyph advances of the embedded font, so text can be truncated and wrapped to real widths.
pub(super) struct Metrics {
    face: ttf_parser::Face<'static>,
    units_per_em: f32,
}

impl Metrics {
    pub(super) fn load() -> Result<Self, RenderError> {
        let face =
            ttf_parser::Face::parse(FONT_TTF, 0).map_err(|e| RenderError::Font(e.to_string()))?;
        let units_per_em = f32::from(face.units_per_em());
        Ok(Self { face, units_per_em })
    }

    pub(super) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c)).sum::<f32>() * size / self.units_per_em
    }

    /// Characters the font lacks are drawn as its `.notdef` box, so measure them as that.
    fn advance(&self, c: char) -> f32 {
        let glyph = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
        f32::from(self.face.glyph_hor_advance(glyph).unwrap_or(0))
    }

    /// Cuts the end off, marking the cut with an ellipsis.
    pub(super) fn fit(&self, text: &str, size: f32, max: f32) -> String {
        if self.width(text, size) <= max {
            return text.to_string();
        }
        let budget = max - self.width("…", size);
        let mut out = String::new();
        let mut used = 0.0;
        for c in text.chars() {
            used += self.advance(c) * size / self.units_per_em;
            if used > budget {
                break;
            }
            out.push(c);
        }
        out.push('…');
        out
    }

    /// Cuts the start off instead: for paths, where the file name at the end matters most.
    pub(super) fn fit_tail(&self, text: &str, size: f32, max: f32) -> String {
        let reversed: String = text.chars().rev().collect();
        self.fit(&reversed, size, max).chars().rev().collect()
    }

    /// Greedy word wrap; words longer than a line are broken between characters.
    pub(super) fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let space = self.width(" ", size);
        let mut lines = Vec::new();
        let mut line = String::new();
        let mut line_w = 0.0;
        for word in text.split_whitespace() {
            let word_w = self.width(word, size);
            if !line.is_empty() && line_w + space + word_w <= max {
                line.push(' ');
                line.push_str(word);
                line_w += space + word_w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line = self.break_word(word, size, max, &mut lines);
            line_w = self.width(&line, size);
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// Emits full-width pieces of `word` into `lines` and returns the last, partial piece.
    fn break_word(&self, word: &str, size: f32, max: f32, lines: &mut Vec<String>) -> String {
        let mut piece = String::new();
        let mut piece_w = 0.0;
        for c in word.chars() {
            let c_w = self.advance(c) * size / self.units_per_em;
            if !piece.is_empty() && piece_w + c_w > max {
                lines.push(std::mem::take(&mut piece));
                piece_w = 0.0;
            }
            piece.push(c);
            piece_w += c_w;
        }
        piece
    }
}

/// Log lines carry tabs and terminal escapes; a PDF line has no use for either.
pub(super) fn clean(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_fitted_and_wrapped_to_width() {
        let m = Metrics::load().expect("font");
        let long = "Отказ подключения к базе данных ".repeat(10);
        let fitted = m.fit(&long, 8.0, 100.0);
        assert!(fitted.ends_with('…') && m.width(&fitted, 8.0) <= 100.0);
        assert!(
            m.fit_tail("очень/длинный/путь/к/файлу/app.log", 8.0, 60.0)
                .ends_with("app.log")
        );
        let lines = m.wrap(&format!("{long} {}", "ж".repeat(200)), 8.0, 150.0);
        assert!(lines.len() > 3 && lines.iter().all(|l| m.width(l, 8.0) <= 150.0));
    }
}
