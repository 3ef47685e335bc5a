//! The frugal backend writes fewer bytes and the same screen: whatever is drawn, frame after
//! frame, a terminal that reads its output shows exactly what was drawn (DESIGN §7).

use std::cell::RefCell;
use std::io::Write;
use std::num::NonZeroU16;
use std::rc::Rc;

use cims::tui::frugal::Frugal;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed, TestRunner};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

const WIDTH: u16 = 40;
const HEIGHT: u16 = 8;

/// A screen: lines of words, some styled, some wide characters among them.
fn screens() -> impl Strategy<Value = Vec<Vec<(String, u8)>>> {
    let word = prop_oneof![
        "[a-e ]{1,6}".prop_map(String::from),
        Just("界".to_string()),
        Just("▒▒▒".to_string()),
    ];
    prop::collection::vec(prop::collection::vec((word, 0u8..3), 0..8), HEIGHT as usize)
}

fn style(n: u8) -> Style {
    match n {
        0 => Style::default(),
        1 => Style::default().fg(Color::Red),
        _ => Style::default().add_modifier(Modifier::REVERSED),
    }
}

/// What the backend writes, kept to be read after each frame.
#[derive(Clone, Default)]
struct Tape(Rc<RefCell<Vec<u8>>>);

impl Write for Tape {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Draw each screen in turn; the text a terminal shows after each, and the bytes written.
fn shown(frames: &[Vec<Vec<(String, u8)>>], frugal: bool) -> (Vec<String>, usize) {
    let mut parser = vt100::Parser::new(
        NonZeroU16::new(HEIGHT).unwrap_or(NonZeroU16::MIN),
        NonZeroU16::new(WIDTH).unwrap_or(NonZeroU16::MIN),
        0,
    );
    let mut texts = Vec::new();
    let mut total = 0;
    let tape = Tape::default();
    let mut plain = Terminal::new(CrosstermBackend::new(tape.clone())).ok();
    let mut thrifty = Frugal::new(CrosstermBackend::new(tape.clone()))
        .ok()
        .and_then(|b| Terminal::new(b).ok());
    for frame in frames {
        let lines: Vec<Line> = frame
            .iter()
            .map(|words| {
                Line::from(
                    words
                        .iter()
                        .map(|(w, s)| Span::styled(w.clone(), style(*s)))
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        let widget = Paragraph::new(lines);
        let area = ratatui::layout::Rect::new(0, 0, WIDTH, HEIGHT);
        if frugal {
            let t = thrifty.as_mut().expect("a terminal");
            t.draw(|f| f.render_widget(widget, area)).expect("drawn");
        } else {
            let t = plain.as_mut().expect("a terminal");
            t.draw(|f| f.render_widget(widget, area)).expect("drawn");
        }
        let bytes = std::mem::take(&mut *tape.0.borrow_mut());
        total += bytes.len();
        parser.process(&bytes);
        texts.push(parser.screen().contents());
    }
    (texts, total)
}

#[test]
fn a_terminal_shows_the_same_screens_through_the_frugal_backend_for_fewer_bytes() {
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 200,
        rng_seed: RngSeed::Fixed(0x00f2_a6a1),
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner
        .run(&prop::collection::vec(screens(), 2..6), |frames| {
            let (plain, plain_bytes) = shown(&frames, false);
            let (frugal, frugal_bytes) = shown(&frames, true);
            prop_assert_eq!(&plain, &frugal);
            prop_assert!(frugal_bytes <= plain_bytes);
            Ok(())
        })
        .expect("the same screens");
}
