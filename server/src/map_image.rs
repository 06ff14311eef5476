//! The worldview map as a PNG, rendered on the server from the same SVG the
//! screen shows, so a facilitator can paste it into a report without a
//! browser. The font travels inside the binary: a self-hosted machine may
//! have no fonts at all, and the map's words must still be there.

use resvg::{tiny_skia, usvg};
use std::sync::{Arc, OnceLock};

/// Why a map could not become a PNG.
#[derive(Debug, thiserror::Error)]
pub enum MapImageError {
    #[error("the map's SVG could not be read: {0}")]
    Svg(#[from] usvg::Error),
    #[error("the map has no size")]
    Empty,
    #[error("the PNG could not be written: {0}")]
    Png(String),
}

/// The fonts the map is drawn in, loaded once.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            for face in [
                dejavu::sans::regular(),
                dejavu::sans::bold(),
                dejavu::sans::oblique(),
                dejavu::sans::bold_oblique(),
            ] {
                db.load_font_data(face.to_vec());
            }
            db.set_sans_serif_family("DejaVu Sans");
            Arc::new(db)
        })
        .clone()
}

/// Renders an SVG document to PNG bytes at its own size.
pub fn png(svg: &str) -> Result<Vec<u8>, MapImageError> {
    let options = usvg::Options {
        font_family: "DejaVu Sans".into(),
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options)?;
    let size = tree.size().to_int_size();
    let mut pixmap =
        tiny_skia::Pixmap::new(size.width(), size.height()).ok_or(MapImageError::Empty)?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap
        .encode_png()
        .map_err(|e| MapImageError::Png(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_with_words_becomes_a_png_of_its_size() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100"><rect width="200" height="100" fill="#ffffff"/><text x="10" y="50" font-size="30" fill="#000000">Hope</text></svg>"##;
        let bytes = png(svg).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        // Width and height from the IHDR chunk.
        assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), 200);
        assert_eq!(u32::from_be_bytes(bytes[20..24].try_into().unwrap()), 100);
        // The same picture without its word differs: the text was drawn.
        let blank = png(&svg.replace(">Hope<", "><")).unwrap();
        assert_ne!(bytes, blank);
    }

    /// How wide a line of text in the map's font is when drawn at `size`,
    /// in SVG units.
    fn drawn_width(line: &str, size: u32) -> f32 {
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="100"><text x="0" y="50" font-size="{size}" font-family="DejaVu Sans, Verdana, sans-serif">{}</text></svg>"#,
            line.replace('&', "&amp;").replace('<', "&lt;")
        );
        let options = usvg::Options {
            font_family: "DejaVu Sans".into(),
            fontdb: fonts(),
            ..usvg::Options::default()
        };
        let tree = usvg::Tree::from_str(&svg, &options).unwrap();
        tree.root().abs_bounding_box().width()
    }

    #[test]
    fn a_map_cards_words_stay_inside_its_box() {
        use app::i18n::I18n;
        use app::map_svg::Drawing;
        use hearth_core::gathering::{Card, Event, GatheringView, StepSpec};
        use hearth_core::ids::{CardId, StepId};
        use hearth_core::locale::Locale;
        use hearth_core::map::{MapChange, Point};
        // What people write, capitals and wide letters included.
        let texts = [
            "WE MUST MANAGE ALONE, WHATEVER HAPPENS TO ANY OF US",
            "My grandmother always warned: nobody wants to hear your worries",
            "Something I noticed about how we listen to each other when it gets hard",
            "Mmmm, woman, we were wowed by the MMWW window",
        ];
        let mut view = GatheringView::new(
            "t".into(),
            vec![StepSpec {
                prompt: hearth_core::words::Prompt::parse("Where?").unwrap(),
                exercise: app::library::default_map(Locale::En),
            }],
        );
        let cards: Vec<Card> = texts
            .iter()
            .zip(1..)
            .map(|(text, i)| Card {
                id: CardId::from_random(i),
                step: StepId(1),
                text: (*text).to_owned(),
                place: Default::default(),
                hidden: false,
                blurred: false,
            })
            .collect();
        view.apply(&Event::CardsRevealed {
            cards: cards.clone(),
        });
        for (i, card) in cards.iter().enumerate() {
            view.apply(&Event::MapArranged {
                step: StepId(1),
                change: MapChange::Pin {
                    card: card.id.clone(),
                    at: Some(Point {
                        x: 200 * i as u16,
                        y: 500,
                    }),
                },
            });
        }
        let drawing = Drawing::of(&view, StepId(1), I18n(Locale::En)).unwrap();
        assert_eq!(drawing.cards.len(), texts.len());
        for card in &drawing.cards {
            for line in &card.lines {
                let width = f64::from(drawn_width(line, card.setting.size as u32));
                assert!(
                    9.0 + width <= card.rect.w - 4.0,
                    "{line:?} is {width:.0} wide in a box of {:.0}",
                    card.rect.w
                );
            }
        }
    }

    #[test]
    fn a_map_file_carries_its_whole_prompt_above_the_map() {
        use app::i18n::I18n;
        use app::map_svg::Drawing;
        use hearth_core::gathering::{GatheringView, StepSpec};
        use hearth_core::ids::StepId;
        use hearth_core::locale::Locale;
        let prompt = "Where did you first learn that asking for help makes you a burden, \
                      and who taught you otherwise, WHATEVER HAPPENED?";
        let view = GatheringView::new(
            "t".into(),
            vec![StepSpec {
                prompt: hearth_core::words::Prompt::parse(prompt).unwrap(),
                exercise: app::library::default_map(Locale::En),
            }],
        );
        let file = Drawing::of(&view, StepId(1), I18n(Locale::En))
            .unwrap()
            .file_svg();
        let doc = roxmltree::Document::parse(&file).unwrap();
        let lines: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("map-heading"))
            .filter_map(|n| n.text())
            .collect();
        assert!(lines.len() >= 2, "{lines:?}");
        assert_eq!(
            lines.join(" "),
            format!(
                "Worldview map: {}",
                prompt.split_whitespace().collect::<Vec<_>>().join(" ")
            )
        );
        for line in &lines {
            let width = drawn_width(line, 30);
            assert!(30.0 + width <= 1600.0 - 20.0, "{line:?} is {width:.0} wide");
        }
        let bytes = png(&file).unwrap();
        assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), 1600);
        assert!(u32::from_be_bytes(bytes[20..24].try_into().unwrap()) > 900);
    }

    #[test]
    fn broken_svg_is_a_named_error() {
        assert!(matches!(png("<svg"), Err(MapImageError::Svg(_))));
    }
}
