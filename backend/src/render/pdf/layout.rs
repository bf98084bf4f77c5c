//! Where things go on the page, before anything is drawn: A4 geometry and type sizes, the
//! drawing operations ([`Op`]) a page is made of, and the [`Layout`] cursor that fills pages
//! and decides where they break.

use super::super::labels::Lang;
use super::metrics::{Metrics, clean};

// A4 in points; y grows downwards in krilla, as in the layout below.
pub(super) const PAGE_W: f32 = 595.28;
pub(super) const PAGE_H: f32 = 841.89;
pub(super) const MARGIN: f32 = 42.0;
pub(super) const RIGHT: f32 = PAGE_W - MARGIN;
/// Content stops here; the footer lives below.
pub(super) const BOTTOM: f32 = PAGE_H - MARGIN - 14.0;
pub(super) const FOOTER_BASELINE: f32 = PAGE_H - MARGIN + 4.0;
pub(super) const INDENT: f32 = 16.0;
pub(super) const LEADING: f32 = 1.35;

pub(super) const TITLE_SIZE: f32 = 18.0;
pub(super) const HEADING_SIZE: f32 = 12.5;
pub(super) const BODY_SIZE: f32 = 9.5;
pub(super) const SMALL_SIZE: f32 = 8.5;
pub(super) const TABLE_SIZE: f32 = 7.5;
pub(super) const CELL_PAD: f32 = 4.0;

/// How prominent a piece of text is; the drawing picks the colour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Tone {
    Normal,
    Muted,
    Accent,
}

/// One drawing operation; coordinates in points from the top-left corner of the page.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        tone: Tone,
        text: String,
    },
    Rule {
        y: f32,
    },
    Band {
        top: f32,
        height: f32,
    },
}

/// A cursor over a growing list of pages: everything that adds content asks it for room first,
/// which is where page breaks happen.
pub(super) struct Layout<'m> {
    pub(super) m: &'m Metrics,
    pub(super) pages: Vec<Vec<Op>>,
    pub(super) y: f32,
}

impl<'m> Layout<'m> {
    pub(super) fn new(m: &'m Metrics) -> Self {
        Self {
            m,
            pages: vec![Vec::new()],
            y: MARGIN,
        }
    }

    pub(super) fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Starts a new page if `height` does not fit; tells the caller so it can repeat headers.
    pub(super) fn ensure_room(&mut self, height: f32) -> bool {
        if self.y + height <= BOTTOM {
            return false;
        }
        self.pages.push(Vec::new());
        self.y = MARGIN;
        true
    }

    pub(super) fn gap(&mut self, height: f32) {
        self.y += height;
    }

    /// Several pieces of text on one baseline (table cells, list markers).
    pub(super) fn row(&mut self, cells: Vec<(f32, String)>, size: f32, tone: Tone) {
        self.ensure_room(size * LEADING);
        let baseline = self.y + size;
        // Empty cells (an unnamed upload, a blank priority) would only add empty text objects.
        for (x, text) in cells.into_iter().filter(|(_, text)| !text.is_empty()) {
            self.push(Op::Text {
                x,
                baseline,
                size,
                tone,
                text,
            });
        }
        self.y += size * LEADING;
    }

    pub(super) fn line(&mut self, x: f32, size: f32, tone: Tone, text: String) {
        self.row(vec![(x, text)], size, tone);
    }

    pub(super) fn paragraph(&mut self, x: f32, size: f32, tone: Tone, text: &str) {
        for line in self.m.wrap(&clean(text), size, RIGHT - x) {
            self.line(x, size, tone, line);
        }
    }

    /// A numbered or bulleted entry with a hanging indent.
    pub(super) fn item(&mut self, x: f32, marker: &str, size: f32, text: &str) {
        let lines = self.m.wrap(&clean(text), size, RIGHT - x - INDENT);
        for (i, line) in lines.into_iter().enumerate() {
            let mut cells = vec![(x + INDENT, line)];
            if i == 0 {
                cells.push((x, marker.to_string()));
            }
            self.row(cells, size, Tone::Normal);
        }
    }

    /// Keeps a heading together with the start of its section.
    pub(super) fn heading(&mut self, text: &str) {
        self.gap(10.0);
        self.ensure_room(HEADING_SIZE * LEADING + 4.0 * BODY_SIZE * LEADING);
        self.line(MARGIN, HEADING_SIZE, Tone::Accent, text.to_string());
        self.push(Op::Rule { y: self.y });
        self.gap(4.0);
    }

    /// Page numbers need the final page count, so footers are added last.
    pub(super) fn add_footers(&mut self, name: &str, title: &str, lang: Lang) {
        let total = self.pages.len();
        let label = match name.trim() {
            "" => title.to_string(),
            name => format!("{title} · {name}"),
        };
        let left = self.m.fit(&clean(&label), TABLE_SIZE, 360.0);
        for (i, page) in self.pages.iter_mut().enumerate() {
            let number = match lang {
                Lang::Ru => format!("стр. {} из {}", i + 1, total),
                Lang::En => format!("page {} of {}", i + 1, total),
            };
            let number_x = RIGHT - self.m.width(&number, TABLE_SIZE);
            for (x, text) in [(MARGIN, left.clone()), (number_x, number)] {
                let baseline = FOOTER_BASELINE;
                page.push(Op::Text {
                    x,
                    baseline,
                    size: TABLE_SIZE,
                    tone: Tone::Muted,
                    text,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::pdf::sections::layout_report;
    use crate::render::sample;

    #[test]
    fn layout_breaks_pages_and_keeps_rows_inside_the_page() {
        let metrics = Metrics::load().expect("font");
        let pages = layout_report(&metrics, &sample::report(200), Lang::Ru);
        assert!(
            pages.len() >= 4,
            "200 rows of 10pt need several pages, got {}",
            pages.len()
        );
        let lone = layout_report(&metrics, &sample::report(1), Lang::Ru);
        assert_eq!(lone.len(), 1);
        for op in pages.iter().flatten() {
            if let Op::Text {
                x,
                baseline,
                size,
                text,
                ..
            } = op
            {
                assert!(*baseline <= PAGE_H - MARGIN + 5.0, "{text} below the page");
                assert!(
                    x + metrics.width(text, *size) <= RIGHT + 0.5,
                    "{text} overflows"
                );
            }
        }
    }
}
