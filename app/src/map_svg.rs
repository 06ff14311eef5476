//! The worldview map, drawn: one SVG for the shared screen, the console,
//! the harvest and the exports, so every place shows the same map.
//!
//! Drawing happens in two parts. `Drawing::of` decides where everything
//! goes: each card near the group's combined place (or where the
//! facilitator pinned it), moved to the nearest free cell of a grid so no
//! two cards ever overlap, shrunk to a numbered dot when the map is full.
//! `Drawing::svg` writes that down as a standalone SVG document with its
//! styling in attributes, so a file exported from it, or a PNG rendered
//! from it without a browser, looks like the screen.

use crate::i18n::{I18n, Msg};
use hearth_core::gathering::{Card, GatheringView, StepView};
use hearth_core::ids::{CardId, StepId};
use hearth_core::map::{Arrangement, Axes, Axis, Placement, Point, ThemeId, UNITS};
use std::fmt::Write;

/// The drawing's size, in SVG units (a 16:9 projector).
pub const WIDTH: f64 = 1600.0;
pub const HEIGHT: f64 = 900.0;
/// The plotting area inside the axis labels.
const LEFT: f64 = 210.0;
const RIGHT: f64 = 1580.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = 790.0;
/// Up to this many cards, each shows its words; beyond, a numbered dot.
pub const FULL_CARDS: usize = 30;
/// Up to this many, the words are drawn large.
const FEW_CARDS: usize = 12;

/// How a card's words are set: its grid cell, its box's width, its type
/// and line height, and how many lines it shows. A map is read from the
/// back of a hall, so type is as large as the number of cards allows, and
/// never under the floor for that many (on a 1080p projector one unit is
/// about a pixel: 28 with a few cards, 22 with up to 30).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Setting {
    cell: (f64, f64),
    width: f64,
    /// The type's size, in SVG units.
    pub size: f64,
    line: f64,
    lines: usize,
}

impl Setting {
    /// How wide a line may be, in ems of this type: the box less its
    /// insets and a margin for the number in its corner.
    fn line_ems(&self) -> f64 {
        (self.width - 26.0) / self.size
    }

    /// The words broken into this setting's lines.
    fn wrap(&self, text: &str) -> Vec<String> {
        wrap_by(text, self.line_ems(), self.lines, ems)
    }

    /// A box's height for `lines` lines.
    fn height(&self, lines: usize) -> f64 {
        lines as f64 * self.line + 16.0
    }
}

/// A few cards: large words.
const LARGE: Setting = Setting {
    cell: (340.0, 185.0),
    width: 330.0,
    size: 28.0,
    line: 34.0,
    lines: 4,
};
/// Up to `FULL_CARDS`: words at the floor for that many.
const MEDIUM: Setting = Setting {
    cell: (266.0, 109.0),
    width: 256.0,
    size: 22.0,
    line: 27.0,
    lines: 3,
};
/// One card opened on the screen ("Open on screen"): all its words, large.
const OPENED: Setting = Setting {
    cell: (0.0, 0.0),
    width: 600.0,
    size: 32.0,
    line: 40.0,
    lines: 12,
};
/// A dot: its grid cell and radius.
const DOT_CELL: (f64, f64) = (38.0, 38.0);
const DOT_RADIUS: f64 = 16.0;
/// Colours for themes, in turn.
const THEME_COLOURS: [&str; 6] = [
    "#2f6f73", "#8a4f7d", "#9a6a1c", "#3d6b35", "#4b5d9b", "#a34a3c",
];
const INK: &str = "#2b2118";
const PAPER: &str = "#fffaf2";
const SPLIT_COLOUR: &str = "#b4470f";

/// A rectangle in SVG units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }

    fn centre(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    fn around(rects: impl Iterator<Item = Rect>, pad: f64) -> Option<Rect> {
        let mut bounds: Option<(f64, f64, f64, f64)> = None;
        for r in rects {
            let b = bounds.get_or_insert((r.x, r.y, r.x + r.w, r.y + r.h));
            *b = (
                b.0.min(r.x),
                b.1.min(r.y),
                b.2.max(r.x + r.w),
                b.3.max(r.y + r.h),
            );
        }
        bounds.map(|(x0, y0, x1, y1)| Rect {
            x: x0 - pad,
            y: y0 - pad,
            w: x1 - x0 + 2.0 * pad,
            h: y1 - y0 + 2.0 * pad,
        })
    }
}

/// One card as drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawnCard {
    pub id: CardId,
    /// Its number on the map (1 onwards, in the order cards were revealed).
    pub number: usize,
    /// The words shown (a content note's cards show only that).
    pub lines: Vec<String>,
    pub full_text: String,
    /// How its words are set.
    pub setting: Setting,
    /// The box (or the dot's square) it occupies.
    pub rect: Rect,
    pub dot: bool,
    /// The exact spot it belongs at, when it had to move to stay clear.
    pub anchor: Option<(f64, f64)>,
    pub split: bool,
    /// What a split card's title says about it, for a screen reader.
    pub split_note: Option<String>,
    pub pinned: bool,
    pub theme: Option<ThemeId>,
    /// The spread of people's placements, as an ellipse (cx, cy, rx, ry).
    pub spread: Option<(f64, f64, f64, f64)>,
    /// People's placements as unlabelled points (x, y, radius).
    pub cloud: Vec<(f64, f64, f64)>,
    pub focused: bool,
}

/// A theme as drawn: the box around its cards.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawnTheme {
    pub id: ThemeId,
    pub name: String,
    pub rect: Rect,
    pub colour: &'static str,
}

/// A link between two drawn themes.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawnLink {
    pub from: (f64, f64),
    pub to: (f64, f64),
    pub label: String,
}

/// Where a map's labels go along one axis.
#[derive(Clone, Debug, PartialEq)]
struct AxisLabel {
    at: f64,
    lines: Vec<String>,
    anchor: &'static str,
}

/// A whole map, laid out.
#[derive(Clone, Debug, PartialEq)]
pub struct Drawing {
    pub title: String,
    pub cards: Vec<DrawnCard>,
    pub themes: Vec<DrawnTheme>,
    pub links: Vec<DrawnLink>,
    /// Visible cards not drawn yet: fewer than three people placed them.
    pub unplaced: usize,
    across: Vec<AxisLabel>,
    across_bands: Vec<f64>,
    up: Vec<AxisLabel>,
    up_bands: Vec<f64>,
    zoomed: Option<String>,
    legend: Vec<String>,
    frame: Frame,
}

/// Turns map units into drawing units, for the whole map or a zoomed part.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Frame {
    x0: f64,
    y0: f64,
    span_x: f64,
    span_y: f64,
}

impl Frame {
    fn whole() -> Self {
        Frame {
            x0: 0.0,
            y0: 0.0,
            span_x: f64::from(UNITS),
            span_y: f64::from(UNITS),
        }
    }

    /// A frame around some points, with room to spare.
    fn around(points: &[Point]) -> Option<Self> {
        let xs = points.iter().map(|p| f64::from(p.x));
        let ys = points.iter().map(|p| f64::from(p.y));
        let (lo_x, hi_x) = xs.fold(None, |b: Option<(f64, f64)>, v| {
            Some(b.map_or((v, v), |(l, h)| (l.min(v), h.max(v))))
        })?;
        let (lo_y, hi_y) = ys.fold(None, |b: Option<(f64, f64)>, v| {
            Some(b.map_or((v, v), |(l, h)| (l.min(v), h.max(v))))
        })?;
        let pad = 80.0;
        let span = |lo: f64, hi: f64| (hi - lo + 2.0 * pad).max(240.0);
        let (span_x, span_y) = (span(lo_x, hi_x), span(lo_y, hi_y));
        Some(Frame {
            x0: (lo_x + hi_x) / 2.0 - span_x / 2.0,
            y0: (lo_y + hi_y) / 2.0 - span_y / 2.0,
            span_x,
            span_y,
        })
    }

    fn x(&self, units: f64) -> f64 {
        LEFT + (units - self.x0) / self.span_x * (RIGHT - LEFT)
    }

    fn y(&self, units: f64) -> f64 {
        BOTTOM - (units - self.y0) / self.span_y * (BOTTOM - TOP)
    }

    fn scale_x(&self) -> f64 {
        (RIGHT - LEFT) / self.span_x
    }

    fn scale_y(&self) -> f64 {
        (BOTTOM - TOP) / self.span_y
    }

    fn point(&self, p: Point) -> (f64, f64) {
        (self.x(f64::from(p.x)), self.y(f64::from(p.y)))
    }

    /// The map point under a drawing position, kept on the map.
    fn units(&self, x: f64, y: f64) -> Point {
        let ux = self.x0 + (x - LEFT) / (RIGHT - LEFT) * self.span_x;
        let uy = self.y0 + (BOTTOM - y) / (BOTTOM - TOP) * self.span_y;
        let clamp = |v: f64| v.round().clamp(0.0, f64::from(UNITS)) as u16;
        Point {
            x: clamp(ux),
            y: clamp(uy),
        }
    }
}

/// The free cells of a grid over the plotting area, handed out nearest
/// first: what keeps cards from ever overlapping.
struct Grid {
    cell: (f64, f64),
    cols: usize,
    rows: usize,
    taken: Vec<bool>,
}

impl Grid {
    fn new(cell: (f64, f64)) -> Self {
        let cols = ((RIGHT - LEFT) / cell.0).floor().max(1.0) as usize;
        let rows = ((BOTTOM - TOP) / cell.1).floor().max(1.0) as usize;
        Grid {
            cell,
            cols,
            rows,
            taken: vec![false; cols * rows],
        }
    }

    fn rect(&self, col: usize, row: usize) -> Rect {
        // The grid is centred in the plotting area.
        let spare_x = (RIGHT - LEFT) - self.cols as f64 * self.cell.0;
        let spare_y = (BOTTOM - TOP) - self.rows as f64 * self.cell.1;
        Rect {
            x: LEFT + spare_x / 2.0 + col as f64 * self.cell.0,
            y: TOP + spare_y / 2.0 + row as f64 * self.cell.1,
            w: self.cell.0,
            h: self.cell.1,
        }
    }

    /// Takes the free cell whose centre is nearest to (x, y).
    fn take_nearest(&mut self, x: f64, y: f64) -> Option<Rect> {
        let mut best: Option<(f64, usize)> = None;
        for row in 0..self.rows {
            for col in 0..self.cols {
                let i = row * self.cols + col;
                if self.taken[i] {
                    continue;
                }
                let (cx, cy) = self.rect(col, row).centre();
                let d = (cx - x).powi(2) + (cy - y).powi(2);
                if best.is_none_or(|(b, _)| d < b) {
                    best = Some((d, i));
                }
            }
        }
        let (_, i) = best?;
        self.taken[i] = true;
        Some(self.rect(i % self.cols, i / self.cols))
    }

    fn capacity(&self) -> usize {
        self.cols * self.rows
    }
}

impl Drawing {
    /// Lays out the map of one step as the room may see it: hidden cards
    /// are left out, and a content note's words are not drawn.
    pub fn of(view: &GatheringView, step: StepId, i18n: I18n) -> Option<Drawing> {
        let s = view.step(step)?;
        let axes = s.exercise.axes()?;
        let totals = view.totals_of(step);
        let cards: Vec<&Card> = view.visible_cards(step).collect();
        Some(Self::lay_out(s, axes, &cards, |c| totals.place(c), i18n))
    }

    fn lay_out(
        step: &StepView,
        axes: Axes<'_>,
        cards: &[&Card],
        place: impl Fn(&CardId) -> Placement,
        i18n: I18n,
    ) -> Drawing {
        let arrangement = &step.arrangement;
        let numbered: Vec<(usize, &Card, Placement)> = cards
            .iter()
            .enumerate()
            .map(|(i, c)| (i + 1, *c, place(&c.id)))
            .collect();
        let target = |card: &Card, placement: &Placement| {
            arrangement
                .pins
                .get(&card.id)
                .copied()
                .or_else(|| placement.at())
        };
        let zoom = arrangement.zoom.and_then(|z| {
            let members: Vec<Point> = numbered
                .iter()
                .filter(|(_, c, _)| arrangement.members.get(&c.id) == Some(&z))
                .filter_map(|(_, c, p)| target(c, p))
                .collect();
            Some((z, Frame::around(&members)?))
        });
        let frame = zoom.map_or_else(Frame::whole, |(_, f)| f);
        let shown: Vec<&(usize, &Card, Placement)> = numbered
            .iter()
            .filter(|(_, c, p)| {
                target(c, p).is_some()
                    && zoom.is_none_or(|(z, _)| arrangement.members.get(&c.id) == Some(&z))
            })
            .collect();
        let unplaced = numbered
            .iter()
            .filter(|(_, c, p)| target(c, p).is_none())
            .count();
        let full = shown.len() <= FULL_CARDS;
        let setting = if shown.len() <= FEW_CARDS {
            LARGE
        } else {
            MEDIUM
        };
        let mut grid = Grid::new(if full { setting.cell } else { DOT_CELL });
        let mut drawn = Vec::with_capacity(shown.len().min(grid.capacity()));
        for (number, card, placement) in shown {
            let Some(at) = target(card, placement) else {
                continue;
            };
            let (x, y) = frame.point(at);
            let Some(cell) = grid.take_nearest(x, y) else {
                break;
            };
            let (cx, cy) = cell.centre();
            let full_text = if card.blurred {
                i18n.t(Msg::ScreenContentNote).to_owned()
            } else {
                card.text.clone()
            };
            let lines = setting.wrap(&full_text);
            let rect = if full {
                let h = setting.height(lines.len());
                Rect {
                    x: cx - setting.width / 2.0,
                    y: cy - h / 2.0,
                    w: setting.width,
                    h,
                }
            } else {
                Rect {
                    x: cx - DOT_RADIUS,
                    y: cy - DOT_RADIUS,
                    w: 2.0 * DOT_RADIUS,
                    h: 2.0 * DOT_RADIUS,
                }
            };
            let away = |(x, y): (f64, f64)| {
                (cx - x).abs() > grid.cell.0 / 2.0 || (cy - y).abs() > grid.cell.1 / 2.0
            };
            // A card sits at its target; when it is drawn away from where
            // the group put it (dragged by the facilitator, or pushed aside
            // to stay clear), a line leads back to the group's place.
            let pinned = arrangement.pins.contains_key(&card.id);
            let anchor = if pinned {
                placement.at().map(|p| frame.point(p))
            } else {
                Some((x, y))
            }
            .filter(|&at| away(at));
            let (spread, cloud) = match placement {
                Placement::Placed { cloud, .. } => {
                    let people: f64 = cloud.iter().map(|c| f64::from(c.people)).sum();
                    let mean = |f: &dyn Fn(&hearth_core::map::CloudPoint) -> f64| {
                        cloud
                            .iter()
                            .map(|c| f(c) * f64::from(c.people))
                            .sum::<f64>()
                            / people
                    };
                    let (mx, my) = (mean(&|c| f64::from(c.x)), mean(&|c| f64::from(c.y)));
                    let (vx, vy) = (
                        mean(&|c| (f64::from(c.x) - mx).powi(2)),
                        mean(&|c| (f64::from(c.y) - my).powi(2)),
                    );
                    let ellipse = (
                        frame.x(mx),
                        frame.y(my),
                        (vx.sqrt() * frame.scale_x()).max(10.0),
                        (vy.sqrt() * frame.scale_y()).max(10.0),
                    );
                    let points = if full {
                        cloud
                            .iter()
                            .map(|c| {
                                let (px, py) = frame.point(Point { x: c.x, y: c.y });
                                (px, py, 4.0 + 3.0 * f64::from(c.people).sqrt())
                            })
                            .collect()
                    } else {
                        Vec::new()
                    };
                    (Some(ellipse), points)
                }
                Placement::Few => (None, Vec::new()),
            };
            drawn.push(DrawnCard {
                id: card.id.clone(),
                number: *number,
                lines,
                full_text,
                setting,
                rect,
                dot: !full,
                anchor,
                split: placement.split(),
                split_note: placement.split().then(|| i18n.t(Msg::MapSplit).to_owned()),
                pinned,
                theme: arrangement.members.get(&card.id).copied(),
                spread,
                cloud,
                focused: arrangement.focus.as_ref() == Some(&card.id),
            });
        }
        let themes = draw_themes(arrangement, &drawn);
        let links = arrangement
            .links
            .iter()
            .filter_map(|l| {
                let from = themes.iter().find(|t| t.id == l.from)?;
                let to = themes.iter().find(|t| t.id == l.to)?;
                Some(DrawnLink {
                    from: from.rect.centre(),
                    to: to.rect.centre(),
                    label: l.label.to_string(),
                })
            })
            .collect();
        let (across, across_bands) = axis_labels(axes.across, |u| frame.x(u), true);
        let (up, up_bands) = axis_labels(axes.up, |u| frame.y(u), false);
        let mut legend = Vec::new();
        if drawn.iter().any(|c| c.split) {
            legend.push(i18n.t(Msg::MapSplitLegend).to_owned());
        }
        if unplaced > 0 {
            legend.push(i18n.plural(Msg::MapNotPlaced, unplaced));
        }
        Drawing {
            title: i18n.fill(Msg::MapTitle, &[("prompt", step.prompt.as_str())]),
            cards: drawn,
            themes,
            links,
            unplaced,
            across,
            across_bands,
            up,
            up_bands,
            zoomed: zoom
                .and_then(|(z, _)| arrangement.theme(z))
                .map(|t| t.name.to_string()),
            legend,
            frame,
        }
    }

    /// The map point under a position in the drawing (where a dragged card
    /// was let go), kept on the map.
    pub fn point_at(&self, x: f64, y: f64) -> Point {
        self.frame.units(x, y)
    }

    /// The drawing as a standalone SVG document.
    pub fn svg(&self) -> String {
        let mut out = String::with_capacity(4096 + self.cards.len() * 600);
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="group" aria-labelledby="map-title" font-family="DejaVu Sans, Verdana, sans-serif" class="map-svg"><title id="map-title">{}</title>"#,
            esc(&self.title)
        );
        let _ = write!(
            out,
            r##"<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="{PAPER}"/><rect class="map-plot" x="{LEFT}" y="{TOP}" width="{}" height="{}" fill="#ffffff" stroke="#d8cbb8"/>"##,
            RIGHT - LEFT,
            BOTTOM - TOP
        );
        self.write_axes(&mut out);
        for t in &self.themes {
            let _ = write!(
                out,
                r#"<g class="map-theme" data-theme="{}"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="14" fill="{c}" fill-opacity="0.12" stroke="{c}" stroke-width="2"/><text x="{:.1}" y="{:.1}" font-size="18" font-weight="bold" fill="{c}" stroke="{PAPER}" stroke-width="4" paint-order="stroke">{}</text></g>"#,
                t.id.0,
                t.rect.x,
                t.rect.y,
                t.rect.w,
                t.rect.h,
                t.rect.x + 6.0,
                t.rect.y - 6.0,
                esc(&t.name),
                c = t.colour,
            );
        }
        for l in &self.links {
            let (mx, my) = ((l.from.0 + l.to.0) / 2.0, (l.from.1 + l.to.1) / 2.0);
            let _ = write!(
                out,
                r#"<g class="map-link"><line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{INK}" stroke-width="2.5" stroke-dasharray="10 6"/><text x="{mx:.1}" y="{my:.1}" text-anchor="middle" font-size="17" font-style="italic" fill="{INK}" stroke="{PAPER}" stroke-width="5" paint-order="stroke">{}</text></g>"#,
                l.from.0,
                l.from.1,
                l.to.0,
                l.to.1,
                esc(&l.label)
            );
        }
        // The spread under everything else, so the cards stay readable.
        for c in &self.cards {
            if let Some((cx, cy, rx, ry)) = c.spread {
                let colour = if c.split { SPLIT_COLOUR } else { "#2f6f73" };
                let _ = write!(
                    out,
                    r#"<ellipse class="map-spread" cx="{cx:.1}" cy="{cy:.1}" rx="{rx:.1}" ry="{ry:.1}" fill="{colour}" fill-opacity="0.08" stroke="{colour}" stroke-opacity="0.35"/>"#
                );
            }
            for (x, y, r) in &c.cloud {
                let _ = write!(
                    out,
                    r##"<circle class="map-cloud" cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="#2f6f73" fill-opacity="0.22"/>"##
                );
            }
            if let Some((ax, ay)) = c.anchor {
                let (cx, cy) = c.rect.centre();
                let _ = write!(
                    out,
                    r##"<line x1="{ax:.1}" y1="{ay:.1}" x2="{cx:.1}" y2="{cy:.1}" stroke="#8c7b66" stroke-width="1"/><circle cx="{ax:.1}" cy="{ay:.1}" r="3" fill="#8c7b66"/>"##
                );
            }
        }
        // Focused cards last, so they open on top.
        let (rest, focused): (Vec<&DrawnCard>, Vec<&DrawnCard>) =
            self.cards.iter().partition(|c| !c.focused);
        for c in rest.into_iter().chain(focused) {
            write_card(&mut out, c);
        }
        if let Some(name) = &self.zoomed {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="22" font-weight="bold" fill="{INK}">{}</text>"#,
                RIGHT - 10.0,
                TOP + 28.0,
                esc(name)
            );
        }
        for (i, line) in self.legend.iter().enumerate() {
            let _ = write!(
                out,
                r#"<text class="map-legend" x="{LEFT}" y="{:.1}" font-size="15" fill="{INK}">{}</text>"#,
                HEIGHT - 30.0 + i as f64 * 20.0 - (self.legend.len() as f64 - 1.0) * 20.0,
                esc(line)
            );
        }
        out.push_str("</svg>");
        out
    }

    /// The drawing as a file to pass on (the SVG and PNG exports): the
    /// title, which holds the prompt, written above the map, so a map
    /// away from Hearth still says what it asked.
    pub fn file_svg(&self) -> String {
        const TYPE: f64 = 30.0;
        const LINE: f64 = 38.0;
        let lines = wrap_by(&self.title, (WIDTH - 60.0) / TYPE, 5, ems);
        let band = 24.0 + LINE * lines.len() as f64;
        let height = HEIGHT + band;
        let mut out = String::with_capacity(8192 + self.cards.len() * 600);
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" font-family="DejaVu Sans, Verdana, sans-serif"><rect x="0" y="0" width="{WIDTH}" height="{height}" fill="{PAPER}"/>"#
        );
        for (i, line) in lines.iter().enumerate() {
            let _ = write!(
                out,
                r#"<text class="map-heading" x="30" y="{:.1}" font-size="{TYPE}" font-weight="bold" fill="{INK}">{}</text>"#,
                16.0 + LINE * (i as f64 + 1.0) - 8.0,
                esc(line)
            );
        }
        let _ = write!(
            out,
            r#"<g transform="translate(0 {band})">{}</g></svg>"#,
            self.svg()
        );
        out
    }

    fn write_axes(&self, out: &mut String) {
        for x in &self.across_bands {
            let _ = write!(
                out,
                r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{BOTTOM}" stroke="#e6dccd" stroke-dasharray="4 6"/>"##
            );
        }
        for y in &self.up_bands {
            let _ = write!(
                out,
                r##"<line x1="{LEFT}" y1="{y:.1}" x2="{RIGHT}" y2="{y:.1}" stroke="#e6dccd" stroke-dasharray="4 6"/>"##
            );
        }
        for l in &self.across {
            for (i, line) in l.lines.iter().enumerate() {
                let _ = write!(
                    out,
                    r#"<text class="map-axis" x="{:.1}" y="{:.1}" text-anchor="{}" font-size="16" fill="{INK}">{}</text>"#,
                    l.at,
                    BOTTOM + 24.0 + i as f64 * 19.0,
                    l.anchor,
                    esc(line)
                );
            }
        }
        for l in &self.up {
            let first = l.at - (l.lines.len() as f64 - 1.0) * 9.5 + 5.0;
            for (i, line) in l.lines.iter().enumerate() {
                let _ = write!(
                    out,
                    r#"<text class="map-axis" x="{:.1}" y="{:.1}" text-anchor="end" font-size="16" fill="{INK}">{}</text>"#,
                    LEFT - 12.0,
                    first + i as f64 * 19.0,
                    esc(line)
                );
            }
        }
    }
}

/// One card: a box with its words, or a numbered dot that opens on focus.
fn write_card(out: &mut String, c: &DrawnCard) {
    let r = c.rect;
    let split = if c.split { r#" data-split="true""# } else { "" };
    let stroke = if c.split { SPLIT_COLOUR } else { INK };
    let dash = if c.split {
        r#" stroke-dasharray="7 4""#
    } else {
        ""
    };
    let _ = write!(
        out,
        r#"<g class="map-card{}{}" data-card="{}" data-number="{}"{split} tabindex="0" role="img"><title>{}{}</title>"#,
        if c.dot { " map-dot" } else { "" },
        if c.focused { " map-focused" } else { "" },
        esc(c.id.as_str()),
        c.number,
        esc(&c.full_text),
        c.split_note
            .as_deref()
            .map(|note| format!(" ({})", esc(note)))
            .unwrap_or_default(),
    );
    if c.dot {
        let (cx, cy) = r.centre();
        let _ = write!(
            out,
            r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="{DOT_RADIUS}" fill="{PAPER}" stroke="{stroke}" stroke-width="{}"{dash}/><text x="{cx:.1}" y="{:.1}" text-anchor="middle" font-size="14" font-weight="bold" fill="{INK}">{}</text>"#,
            if c.split { 3 } else { 2 },
            cy + 5.0,
            c.number
        );
        // The card's words, shown when someone points at the dot or
        // reaches it with the keyboard; hidden otherwise, in files as on
        // the screen.
        let s = &c.setting;
        let h = s.height(c.lines.len());
        let x = (cx - s.width / 2.0).clamp(4.0, WIDTH - s.width - 4.0);
        let y = (cy + DOT_RADIUS + 4.0).min(HEIGHT - h - 4.0);
        out.push_str(r#"<g class="map-open" display="none">"#);
        let open = Rect {
            x,
            y,
            w: s.width,
            h,
        };
        write_box(out, open, s, &c.lines, c, stroke, dash);
        out.push_str("</g>");
    } else {
        write_box(out, r, &c.setting, &c.lines, c, stroke, dash);
    }
    if c.focused {
        write_opened(out, c, stroke, dash);
    }
    out.push_str("</g>");
}

/// A card the facilitator opened on the screen: all its words, large,
/// beside where it sits (below it, or above when there is no room).
fn write_opened(out: &mut String, c: &DrawnCard, stroke: &str, dash: &str) {
    let s = &OPENED;
    let lines = s.wrap(&c.full_text);
    let h = s.height(lines.len());
    let (cx, _) = c.rect.centre();
    let x = (cx - s.width / 2.0).clamp(4.0, WIDTH - s.width - 4.0);
    let below = c.rect.y + c.rect.h + 8.0;
    let above = c.rect.y - 8.0 - h;
    let y = if below + h <= HEIGHT - 4.0 {
        below
    } else {
        above.max(4.0)
    };
    out.push_str(r#"<g class="map-opened">"#);
    let r = Rect {
        x,
        y,
        w: s.width,
        h,
    };
    write_box(out, r, s, &lines, c, stroke, dash);
    out.push_str("</g>");
}

/// A card's box: its border, its number in the corner, its words.
fn write_box(
    out: &mut String,
    r: Rect,
    s: &Setting,
    lines: &[String],
    c: &DrawnCard,
    stroke: &str,
    dash: &str,
) {
    let _ = write!(
        out,
        r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="8" fill="{PAPER}" stroke="{stroke}" stroke-width="{}"{dash}/>"#,
        r.x,
        r.y,
        r.w,
        r.h,
        if c.split { 3.0 } else { 1.5 },
    );
    let _ = write!(
        out,
        r#"<text x="{:.1}" y="{:.1}" font-size="12" fill="{INK}" fill-opacity="0.7">{}</text>"#,
        r.x + r.w - 8.0 - 7.0 * c.number.to_string().len() as f64,
        r.y + 14.0,
        c.number
    );
    for (i, line) in lines.iter().enumerate() {
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" font-size="{}" fill="{INK}">{}</text>"#,
            r.x + 9.0,
            r.y + 8.0 + s.line * (i as f64 + 0.8),
            s.size,
            esc(line)
        );
    }
}

/// The box around each theme's drawn cards.
fn draw_themes(arrangement: &Arrangement, cards: &[DrawnCard]) -> Vec<DrawnTheme> {
    arrangement
        .themes
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let rect = Rect::around(
                cards
                    .iter()
                    .filter(|c| c.theme == Some(t.id))
                    .map(|c| c.rect),
                10.0,
            )?;
            Some(DrawnTheme {
                id: t.id,
                name: t.name.to_string(),
                rect,
                colour: THEME_COLOURS[i % THEME_COLOURS.len()],
            })
        })
        .collect()
}

/// An axis's labels and the lines between its categories, in drawing
/// units (`place` turns map units into them).
fn axis_labels(
    axis: &Axis,
    place: impl Fn(f64) -> f64,
    across: bool,
) -> (Vec<AxisLabel>, Vec<f64>) {
    let inside = |v: f64| {
        if across {
            (LEFT..=RIGHT).contains(&v)
        } else {
            (TOP..=BOTTOM).contains(&v)
        }
    };
    let (width, lines) = if across { (18, 2) } else { (20, 3) };
    let labels = axis
        .marks()
        .into_iter()
        .filter_map(|(at, label)| {
            let at = place(f64::from(at));
            let anchor = match axis {
                Axis::Scale { .. } if across && at <= place(1.0) => "start",
                Axis::Scale { .. } if across => "end",
                _ => "middle",
            };
            inside(at).then(|| AxisLabel {
                at,
                lines: wrap(label.as_str(), width, lines),
                anchor,
            })
        })
        .collect();
    let bands = match axis {
        Axis::Categories { labels } => (1..labels.len())
            .map(|i| place(f64::from(UNITS) * i as f64 / labels.len() as f64))
            .filter(|v| inside(*v))
            .collect(),
        Axis::Scale { .. } => Vec::new(),
    };
    (labels, bands)
}

/// Words broken into at most `max_lines` lines of about `width`
/// characters, the last ending in "…" when something was left out.
pub fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    wrap_by(text, width as f64, max_lines, |s| s.chars().count() as f64)
}

/// About how wide `text` is set in DejaVu Sans (the map's font on the
/// screen and in the PNG), in ems: generous, so a line measured to fit
/// fits. Letters are counted by their kind, not looked up one by one.
fn ems(text: &str) -> f64 {
    text.chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | 'I' | '|' | '!' | '.' | ',' | ':' | ';' | '\'' | ' ' => 0.33,
            'f' | 't' | 'r' | '(' | ')' | '-' => 0.45,
            'm' | 'w' | 'M' | 'W' | '@' | '%' => 1.0,
            'A'..='Z' => 0.8,
            '0'..='9' | 'a'..='z' => 0.64,
            _ => 0.8,
        })
        .sum()
}

/// Words broken into at most `max_lines` lines no wider than `width` as
/// `measure` counts it; a word wider than a line is split, and a text
/// that does not fit ends its last line with "…".
fn wrap_by(text: &str, width: f64, max_lines: usize, measure: impl Fn(&str) -> f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut cut = false;
    'words: for word in text.split_whitespace() {
        let mut word = word.to_owned();
        loop {
            if current.is_empty() && measure(&word) <= width {
                current = word;
                break;
            }
            if !current.is_empty() && measure(&format!("{current} {word}")) <= width {
                current.push(' ');
                current.push_str(&word);
                break;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            } else {
                // A word wider than a line is split where it must be.
                let mut head = String::new();
                for c in word.chars() {
                    head.push(c);
                    if measure(&head) > width {
                        head.pop();
                        break;
                    }
                }
                if head.is_empty() {
                    head = word.chars().take(1).collect();
                }
                word = word.chars().skip(head.chars().count()).collect();
                lines.push(head);
            }
            if lines.len() == max_lines {
                cut = true;
                break 'words;
            }
        }
    }
    if !current.is_empty() {
        if lines.len() < max_lines {
            lines.push(current);
        } else {
            cut = true;
        }
    }
    if cut {
        if let Some(last) = lines.last_mut() {
            while !last.is_empty() && measure(&format!("{last}…")) > width {
                last.pop();
            }
            last.push('…');
        }
    }
    lines
}

/// Text made safe for XML.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Characters XML cannot hold at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_core::exercise::Exercise;
    use hearth_core::gathering::{Event, StepSpec};
    use hearth_core::locale::Locale;
    use hearth_core::map::{MapChange, Spot};
    use hearth_core::marks::{Counts, Target};
    use hearth_core::words::{Label, Prompt};
    use std::collections::HashSet;

    fn label(s: &str) -> Label {
        Label::parse(s).unwrap()
    }

    /// A map gathering with `n` cards, each placed by `people` people
    /// around a spot that depends on the card.
    fn gathering(n: u64, people: u16) -> GatheringView {
        let exercise = crate::library::default_map(Locale::En);
        let mut view = GatheringView::new(
            "t".into(),
            vec![StepSpec {
                prompt: Prompt::parse("Where did you learn it?").unwrap(),
                exercise: exercise.clone(),
            }],
        );
        let cards: Vec<Card> = (1..=n)
            .map(|i| Card {
                id: CardId::from_random(i),
                step: StepId(1),
                text: format!("Story number {i} & <what> we were told about asking for help"),
                place: Default::default(),
                hidden: false,
                blurred: false,
            })
            .collect();
        view.apply(&Event::CardsRevealed {
            cards: cards.clone(),
        });
        let mut counts = Counts::default();
        for (i, c) in cards.iter().enumerate() {
            for p in 0..people {
                // Half the cards are torn between fear and hope.
                let y = if i % 2 == 0 {
                    60 + (p % 3) as u8 * 5
                } else if p % 2 == 0 {
                    0
                } else {
                    100
                };
                let spot = Spot {
                    x: (i % 6) as u8,
                    y,
                };
                counts.change(&Target::Place(c.id.clone()), None, Some(spot.pack()));
            }
        }
        view.totals.insert(StepId(1), counts.publish(&exercise));
        view
    }

    /// Whether a drawing keeps every card clear of every other.
    fn no_overlaps(cards: &[DrawnCard]) -> bool {
        let mut seen = HashSet::new();
        cards.iter().enumerate().all(|(i, a)| {
            seen.insert(&a.id) && cards[i + 1..].iter().all(|b| !a.rect.overlaps(&b.rect))
        })
    }

    fn i18n() -> I18n {
        I18n(Locale::En)
    }

    #[test]
    fn every_placed_card_is_drawn_at_its_place_and_disagreement_is_marked() {
        let view = gathering(6, 4);
        let d = Drawing::of(&view, StepId(1), i18n()).unwrap();
        assert_eq!(d.cards.len(), 6);
        assert!(d.cards.iter().all(|c| !c.dot), "six cards show their words");
        assert_eq!(d.cards.iter().filter(|c| c.split).count(), 3);
        assert!(d.cards.iter().all(|c| c.spread.is_some()));
        // Card 1 (family, near hope) sits left and high; card 2 (school,
        // torn) sits in the middle of the height.
        let c1 = d.cards[0].rect.centre();
        assert!(c1.0 < 500.0 && c1.1 < 400.0, "{c1:?}");
        let svg = d.svg();
        assert_eq!(svg.matches(r#"data-split="true""#).count(), 3);
        assert!(svg.contains("&amp; &lt;what&gt;"), "words are escaped");
    }

    #[test]
    fn type_is_as_large_as_the_number_of_cards_allows_and_never_under_its_floor() {
        for (n, floor) in [(1, 28.0), (5, 28.0), (12, 28.0), (13, 22.0), (30, 22.0)] {
            let view = gathering(n, 3);
            let d = Drawing::of(&view, StepId(1), i18n()).unwrap();
            assert_eq!(d.cards.len(), n as usize, "every card of {n} is drawn");
            assert!(d.cards.iter().all(|c| !c.dot), "{n} cards show their words");
            assert!(no_overlaps(&d.cards), "{n} cards never overlap");
            for c in &d.cards {
                assert!(c.setting.size >= floor, "{n} cards: {}", c.setting.size);
                assert!(!c.lines.is_empty());
                assert!(
                    c.rect.x >= LEFT && c.rect.x + c.rect.w <= RIGHT,
                    "{n} cards: {:?}",
                    c.rect
                );
                assert!(
                    c.rect.y >= TOP && c.rect.y + c.rect.h <= BOTTOM,
                    "{n} cards: {:?}",
                    c.rect
                );
            }
        }
    }

    #[test]
    fn zooming_onto_a_theme_of_a_full_map_makes_its_cards_readable() {
        let mut view = gathering(40, 3);
        let whole = Drawing::of(&view, StepId(1), i18n()).unwrap();
        assert!(whole.cards.iter().all(|c| c.dot), "forty cards are dots");
        let ids: Vec<CardId> = view.cards.iter().map(|c| c.id.clone()).take(3).collect();
        view.apply(&Event::MapArranged {
            step: StepId(1),
            change: MapChange::Name {
                theme: ThemeId(1),
                name: label("Home"),
            },
        });
        for id in &ids {
            view.apply(&Event::MapArranged {
                step: StepId(1),
                change: MapChange::Gather {
                    card: id.clone(),
                    theme: Some(ThemeId(1)),
                },
            });
        }
        view.apply(&Event::MapArranged {
            step: StepId(1),
            change: MapChange::Zoom {
                theme: Some(ThemeId(1)),
            },
        });
        let zoomed = Drawing::of(&view, StepId(1), i18n()).unwrap();
        assert_eq!(zoomed.cards.len(), 3);
        assert!(zoomed.cards.iter().all(|c| !c.dot && c.setting == LARGE));
    }

    #[test]
    fn a_card_opened_on_the_screen_shows_all_its_words_large() {
        let mut view = gathering(40, 3);
        let long = "A long story, told the way it was told to me, with every word kept. ".repeat(4);
        let id = CardId::from_random(40);
        view.cards
            .iter_mut()
            .filter(|c| c.id == id)
            .for_each(|c| c.text = long.trim().to_owned());
        view.apply(&Event::MapArranged {
            step: StepId(1),
            change: MapChange::Focus {
                card: Some(id.clone()),
            },
        });
        let d = Drawing::of(&view, StepId(1), i18n()).unwrap();
        let svg = d.svg();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let opened = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("map-opened"))
            .expect("the opened card");
        let words: Vec<&str> = opened
            .descendants()
            .filter(|n| n.has_tag_name("text") && n.attribute("font-size") == Some("32"))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(
            words.join(" "),
            long.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        let rect = opened
            .descendants()
            .find(|n| n.has_tag_name("rect"))
            .unwrap();
        let num = |a: &str| rect.attribute(a).unwrap().parse::<f64>().unwrap();
        assert!(num("x") >= 0.0 && num("x") + num("width") <= WIDTH);
        assert!(num("y") >= 0.0 && num("y") + num("height") <= HEIGHT);
        // Nothing else is opened.
        assert_eq!(svg.matches("map-opened").count(), 1);
    }

    #[test]
    fn two_hundred_cards_never_overlap_and_become_numbered_dots() {
        let view = gathering(200, 3);
        let d = Drawing::of(&view, StepId(1), i18n()).unwrap();
        assert_eq!(d.cards.len(), 200);
        assert!(d.cards.iter().all(|c| c.dot));
        assert!(no_overlaps(&d.cards));
        for c in &d.cards {
            assert!(
                c.rect.x >= LEFT && c.rect.x + c.rect.w <= RIGHT,
                "{:?}",
                c.rect
            );
            assert!(
                c.rect.y >= TOP && c.rect.y + c.rect.h <= BOTTOM,
                "{:?}",
                c.rect
            );
        }
        let numbers: HashSet<usize> = d.cards.iter().map(|c| c.number).collect();
        assert_eq!(numbers.len(), 200);
        assert!(d.svg().contains(r#"data-number="200""#));
    }

    #[test]
    fn cards_placed_by_too_few_wait_off_the_map() {
        let view = gathering(4, 2);
        let d = Drawing::of(&view, StepId(1), i18n()).unwrap();
        assert!(d.cards.is_empty());
        assert_eq!(d.unplaced, 4);
        assert!(d.svg().contains("4 cards not placed by 3 people yet"));
    }

    #[test]
    fn themes_links_pins_and_zoom_are_drawn() {
        let mut view = gathering(8, 3);
        let ids: Vec<CardId> = view.cards.iter().map(|c| c.id.clone()).collect();
        let arrange = |view: &mut GatheringView, change: MapChange| {
            view.apply(&Event::MapArranged {
                step: StepId(1),
                change,
            })
        };
        for (theme, name) in [(1, "Home"), (2, "Services")] {
            arrange(
                &mut view,
                MapChange::Name {
                    theme: ThemeId(theme),
                    name: label(name),
                },
            );
        }
        for (i, id) in ids.iter().enumerate().take(4) {
            arrange(
                &mut view,
                MapChange::Gather {
                    card: id.clone(),
                    theme: Some(ThemeId(1 + (i % 2) as u16)),
                },
            );
        }
        arrange(
            &mut view,
            MapChange::Link {
                from: ThemeId(1),
                to: ThemeId(2),
                label: Some(label("taught by")),
            },
        );
        arrange(
            &mut view,
            MapChange::Pin {
                card: ids[7].clone(),
                at: Some(Point { x: 1000, y: 1000 }),
            },
        );
        let d = Drawing::of(&view, StepId(1), i18n()).unwrap();
        assert_eq!(d.themes.len(), 2);
        assert_eq!(d.links.len(), 1);
        let pinned = d.cards.iter().find(|c| c.id == ids[7]).unwrap();
        assert!(pinned.pinned);
        let (x, y) = pinned.rect.centre();
        assert!(x > 1300.0 && y < 200.0, "top right: {x},{y}");
        // Dragged away, it keeps a line back to where the group put it.
        let group = view.totals_of(StepId(1)).place(&ids[7]).at().unwrap();
        assert_eq!(
            pinned.anchor,
            Some(Frame::whole().point(group)),
            "the line leads to the group's place"
        );
        assert!(d.svg().contains(&format!(r#"x2="{:.1}" y2="{:.1}""#, x, y)));
        // A drop on the drawing reads back as the map point under it.
        let (mx, my) = ((LEFT + RIGHT) / 2.0, (TOP + BOTTOM) / 2.0);
        assert_eq!(d.point_at(mx, my), Point { x: 500, y: 500 });
        assert_eq!(
            d.point_at(RIGHT + 50.0, TOP - 50.0),
            Point { x: 1000, y: 1000 }
        );
        let svg = d.svg();
        for text in ["Home", "Services", "taught by"] {
            assert!(svg.contains(text), "{text}");
        }
        // Zoomed onto a theme, only its cards are drawn.
        arrange(
            &mut view,
            MapChange::Zoom {
                theme: Some(ThemeId(1)),
            },
        );
        let zoomed = Drawing::of(&view, StepId(1), i18n()).unwrap();
        assert_eq!(zoomed.cards.len(), 2);
        assert!(zoomed.cards.iter().all(|c| c.theme == Some(ThemeId(1))));
    }

    #[test]
    fn hidden_cards_and_content_notes_keep_their_words_off_the_map() {
        let mut view = gathering(3, 3);
        let ids: Vec<CardId> = view.cards.iter().map(|c| c.id.clone()).collect();
        view.apply(&Event::CardHidden {
            card: ids[0].clone(),
        });
        view.apply(&Event::CardBlurred {
            card: ids[1].clone(),
            blurred: true,
        });
        let d = Drawing::of(&view, StepId(1), i18n()).unwrap();
        assert_eq!(d.cards.len(), 2);
        let svg = d.svg();
        assert!(!svg.contains("Story number 1 "));
        assert!(!svg.contains("Story number 2 "));
        assert!(svg.contains("Content note"));
        assert!(svg.contains("Story number 3 "));
    }

    #[test]
    fn the_svg_is_well_formed_xml() {
        let mut view = gathering(40, 3);
        view.apply(&Event::MapArranged {
            step: StepId(1),
            change: MapChange::Focus {
                card: Some(view.cards[0].id.clone()),
            },
        });
        let svg = Drawing::of(&view, StepId(1), i18n()).unwrap().svg();
        let doc = roxmltree::Document::parse(&svg).expect("well-formed");
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let cards = doc
            .descendants()
            .filter(|n| n.attribute("data-card").is_some())
            .count();
        assert_eq!(cards, 40);
    }

    #[test]
    fn a_map_as_a_file_carries_its_prompt_above_the_map() {
        let view = gathering(3, 5);
        let d = Drawing::of(&view, StepId(1), i18n()).unwrap();
        let file = d.file_svg();
        let doc = roxmltree::Document::parse(&file).expect("well-formed");
        let heading: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("map-heading"))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(heading.join(" "), "Worldview map: Where did you learn it?");
        assert!(file.contains(&d.svg()), "the whole map, below the heading");
        assert!(
            !d.svg().contains("map-heading"),
            "the screen shows its prompt itself"
        );
    }

    #[test]
    fn not_a_map_is_not_drawn() {
        let view = GatheringView::new(
            "t".into(),
            vec![StepSpec {
                prompt: Prompt::parse("Hi").unwrap(),
                exercise: Exercise::Reframe,
            }],
        );
        assert!(Drawing::of(&view, StepId(1), i18n()).is_none());
    }

    #[test]
    fn words_wrap_and_long_ones_end_with_an_ellipsis() {
        assert_eq!(wrap("a bc def", 4, 3), vec!["a bc", "def"]);
        let long = wrap(&"word ".repeat(40), 10, 2);
        assert_eq!(long.len(), 2);
        assert!(long[1].ends_with('…'));
        assert_eq!(wrap("abcdefghij", 4, 5), vec!["abcd", "efgh", "ij"]);
        assert!(wrap("", 4, 2).is_empty());
    }
}
