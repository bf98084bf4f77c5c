//! The only part of the PDF that talks to krilla: the laid-out pages drawn into a document with
//! the embedded font, text in its tone's colour, rules under headings and bands behind table
//! headers.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

use super::FONT_TTF;
use super::layout::{MARGIN, Op, PAGE_H, PAGE_W, RIGHT, Tone};
use crate::render::RenderError;

/// Draws the laid-out pages into a PDF document: its bytes.
pub(super) fn render(pages: &[Vec<Op>], title: &str, lang: &str) -> Result<Vec<u8>, RenderError> {
    let font = Font::new(FONT_TTF.into(), 0)
        .ok_or_else(|| RenderError::Font("the PDF writer cannot read it".to_string()))?;
    let settings =
        PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(RenderError::Layout("invalid page size"))?;
    let mut document = Document::new();
    // No creation date: the same report gives the same bytes.
    document.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .language(lang.to_string())
            .creator("LogLens".to_string()),
    );
    for ops in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, &font, op);
        }
        surface.finish();
        page.finish();
    }
    Ok(document.finish()?)
}

fn draw(surface: &mut Surface, font: &Font, op: &Op) {
    match op {
        Op::Text {
            x,
            baseline,
            size,
            tone,
            text,
        } => {
            surface.set_fill(Some(fill(color(*tone))));
            let at = Point::from_xy(*x, *baseline);
            surface.draw_text(at, font.clone(), *size, text, false, TextDirection::Auto);
        }
        Op::Rule { y } => draw_rule(surface, *y),
        Op::Band { top, height } => draw_band(surface, *top, *height),
    }
}

/// Near-black text, grey for what is secondary, blue for titles and rules.
fn color(tone: Tone) -> rgb::Color {
    match tone {
        Tone::Normal => rgb::Color::new(20, 20, 20),
        Tone::Muted => rgb::Color::new(100, 100, 100),
        Tone::Accent => rgb::Color::new(24, 64, 128),
    }
}

fn fill(color: rgb::Color) -> Fill {
    Fill {
        paint: color.into(),
        ..Fill::default()
    }
}

fn draw_rule(surface: &mut Surface, y: f32) {
    let mut path = PathBuilder::new();
    path.move_to(MARGIN, y);
    path.line_to(RIGHT, y);
    if let Some(path) = path.finish() {
        let paint = color(Tone::Accent).into();
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint,
            width: 0.6,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

fn draw_band(surface: &mut Surface, top: f32, height: f32) {
    let Some(rect) = Rect::from_xywh(MARGIN - 2.0, top, RIGHT - MARGIN + 4.0, height) else {
        return;
    };
    let mut path = PathBuilder::new();
    path.push_rect(rect);
    if let Some(path) = path.finish() {
        surface.set_fill(Some(fill(rgb::Color::new(234, 238, 245))));
        surface.draw_path(&path);
    }
}
