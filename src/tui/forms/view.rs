//! A form drawn: a line per field, the one in focus marked; a server refusal stands beside
//! the field it names, with its rule, and the classification shows the matrix's guidance.
//! Who a person being registered may already be stands beside the form where the screen is
//! wide enough, else under the fields, taking the form's place while the keyboard is in
//! them; the person chosen as the same reads under the name (`= same as …`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::action::Action;
use crate::tui::context::Context;
use crate::tui::layout::{
    BLANKED, candidate_line, candidate_parts, fit, linear_list, linear_parts, linear_rows,
    match_reasons, overlay, role,
};
use crate::wire::{Candidate, FindPerson};

use super::state::{Answer, Field, Form, FormKind, Input, Sought};

/// The columns the candidates take beside the form.
const PANEL: u16 = 46;
/// The narrowest screen the candidates stand beside the form on.
const SIDE_BY_SIDE: u16 = 116;

/// What the form is, and its own keys besides moving and choosing.
fn purpose(kind: FormKind) -> (&'static str, &'static [&'static str]) {
    match kind {
        FormKind::Incident => (
            "new incident",
            &["ctrl-t intake instead", "ctrl-s registers", "esc cancels"],
        ),
        FormKind::Intake => (
            "new intake report",
            &["ctrl-t incident instead", "ctrl-s registers", "esc cancels"],
        ),
        FormKind::Classify => ("classify the report", &["ctrl-s records it", "esc cancels"]),
        FormKind::LearningAction => (
            "raise a learning action",
            &["ctrl-s raises it", "esc cancels"],
        ),
    }
}

/// What the form is, naming the incident a new intake report will be linked to (R-LINK-1).
fn title_of(form: &Form) -> (String, &'static [&'static str]) {
    let (what, keys) = purpose(form.kind);
    match &form.link {
        Some(incident) => (format!("{what}, to be linked to {incident}"), keys),
        None => (what.to_string(), keys),
    }
}

/// Whether the refusal naming `refused` stands beside `field`.
fn names(refused: Option<&str>, field: &Field) -> bool {
    refused.is_some_and(|f| f == field.name || (field.name == "client_name" && f == "clients"))
}

/// The field the last refusal names, if it is on the form.
fn refused_field(form: &Form) -> Option<&str> {
    let named = form.refusal.as_ref().and_then(|(_, _, f)| f.as_deref());
    form.fields
        .iter()
        .any(|f| names(named, f))
        .then_some(named)
        .flatten()
}

/// R-INT-MATRIX: the matrix's suggestion, and whether this decision needs a rationale.
fn guidance(form: &Form) -> Option<(String, bool)> {
    form.guidance().map(|(suggestion, needs_rationale)| {
        let suggests = if suggestion.protective_intervention {
            "protective intervention, urgent"
        } else {
            "no protective intervention report"
        };
        (format!("Matrix suggests: {suggests}"), needs_rationale)
    })
}

const RATIONALE_REQUIRED: &str = "A written rationale is required for this decision.";

/// The person whose name is `field`, if the form registers one by it.
fn named_by<'a>(form: &'a Form, field: &Field) -> Option<&'a Sought> {
    form.people.iter().find(|p| p.name_field == field.name)
}

/// `= same as INT-2026-000009.child0 (likely)`, for a person chosen as the same as another,
/// and `≠ not INT-2026-000012.child0 (possible)` for each decided not to be them.
fn same_as(person: &Sought) -> Vec<String> {
    person
        .chosen
        .iter()
        .map(|c| format!("= same as {} ({})", c.person, c.band))
        .chain(
            person
                .apart
                .iter()
                .map(|a| format!("≠ not {} ({})", a.person, a.band)),
        )
        .collect()
}

/// What the user decided of a candidate, for the linear mode: chosen, or not this person.
fn decided(person: &Sought, c: &Candidate) -> Option<&'static str> {
    if person
        .chosen
        .as_ref()
        .is_some_and(|ch| ch.person == c.person)
    {
        Some("chosen")
    } else if person.apart.iter().any(|a| a.person == c.person) {
        Some("not this person")
    } else {
        None
    }
}

/// `Jordan Smith, 2014-03-02`: whom matching was asked about; blanked behind the privacy
/// screen.
fn asked_as(find: &FindPerson, context: &Context) -> String {
    if context.privacy {
        return BLANKED.to_string();
    }
    match &find.date_of_birth {
        Some(born) => format!("{} {}, {born}", find.given_names, find.family_name),
        None => format!("{} {}", find.given_names, find.family_name),
    }
}

/// Whether the name or date of birth of the person shown was retyped after matching was
/// asked about them.
fn retyped(form: &Form) -> bool {
    form.people
        .get(form.shown)
        .is_some_and(|p| p.asked.is_some() && form.typed(form.shown) != p.asked)
}

/// The reasons matching gives for a candidate, field by field; blanked behind the privacy
/// screen, as they compare names and dates of birth.
fn reasons(c: &Candidate, context: &Context) -> Vec<String> {
    if context.privacy {
        vec![BLANKED.to_string()]
    } else {
        match_reasons(c)
    }
}

/// `text` in lines of `width` columns broken at spaces, each after `indent`.
fn indented(text: &str, indent: &str, width: usize) -> Vec<Line<'static>> {
    let room = width.saturating_sub(indent.chars().count()).max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > room {
            lines.push(Line::from(format!("{indent}{line}")));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(Line::from(format!("{indent}{line}")));
    lines
}

/// `▶` on the candidate the keyboard is on, `=` on the one chosen, `≠` on those decided
/// not to be the person.
fn marks(form: &Form, person: &Sought, at: usize, c: &Candidate) -> String {
    let on = if form.browsing == Some(at) {
        "▶"
    } else {
        " "
    };
    let mark = match decided(person, c) {
        Some("chosen") => "=",
        Some(_) => "≠",
        None => " ",
    };
    format!("{on}{mark}")
}

/// What is known of who the person may already be, when no one is listed: not yet asked,
/// being asked, no one, or why matching could not be asked.
fn standing(person: &Sought) -> Option<String> {
    let who = person.role;
    match &person.answer {
        Answer::Unasked => Some(format!(
            "Type the {who}'s given and family names and leave the field: who they may \
             already be shows here."
        )),
        Answer::Asking => Some("Asking matching…".to_string()),
        Answer::Failed(error) => Some(format!(
            "Matching could not be asked ({error}): leave the field to ask again."
        )),
        Answer::Found(found) if found.is_empty() => {
            Some("No one found in the records you may see.".to_string())
        }
        Answer::Found(_) => None,
    }
}

/// The keys of the candidates: how to move in, or, in them, what they do.
fn panel_keys(form: &Form, context: &Context) -> String {
    let key = context.keymap.keys_of(Action::Candidates);
    if form.browsing.is_some() {
        "enter same · d not same · x clears · esc".to_string()
    } else {
        format!("{key} to choose among them")
    }
}

/// The candidates beside the form, in `width` columns: who was asked about, then each
/// found in two lines, the reasons under the highlighted one; and the line to keep on
/// screen.
fn side_lines(
    form: &Form,
    person: &Sought,
    context: &Context,
    width: usize,
) -> (Vec<Line<'static>>, usize) {
    let mut lines = vec![Line::styled(
        fit(&format!("Who the {} may already be", person.role), width),
        context.theme.header,
    )];
    if let Some(find) = &person.asked {
        lines.push(Line::from(format!("Asked: {}", asked_as(find, context))));
    }
    if retyped(form) {
        lines.push(Line::from("Retyped since: leave the field to ask again."));
    }
    if let Some(text) = standing(person) {
        lines.push(Line::from(""));
        lines.push(Line::from(text));
        return (lines, 0);
    }
    lines.push(Line::from(panel_keys(form, context)));
    lines.push(Line::from(""));
    let highlighted = form.highlighted();
    let mut keep = 0;
    for (i, c) in person.found().iter().enumerate() {
        let first = format!(
            "{} {} {:.1} · in {} record(s)",
            marks(form, person, i, c),
            c.band,
            c.score,
            c.records
        );
        lines.push(if form.browsing == Some(i) {
            Line::styled(fit(&first, width), context.theme.selected)
        } else {
            Line::from(fit(&first, width))
        });
        lines.push(Line::from(fit(
            &format!("   {} {}", c.record, role(&c.role, c.position)),
            width,
        )));
        if i == highlighted {
            for reason in reasons(c, context) {
                lines.extend(indented(&reason, "     ", width));
            }
            keep = lines.len() - 1;
        }
    }
    (lines, keep)
}

/// The candidates in full, a line each with the reasons under the highlighted one, in the
/// form's place while the keyboard is in them; and the line to keep on screen.
fn full_lines(
    form: &Form,
    person: &Sought,
    context: &Context,
    width: usize,
) -> (Vec<Line<'static>>, usize) {
    let mut lines = Vec::new();
    if let Some(find) = &person.asked {
        lines.push(Line::from(format!("Asked: {}", asked_as(find, context))));
        lines.push(Line::from(""));
    }
    let highlighted = form.highlighted();
    let mut keep = 0;
    for (i, c) in person.found().iter().enumerate() {
        let line = format!("{} {}", marks(form, person, i, c), candidate_line(c));
        lines.push(if i == highlighted {
            Line::styled(line, context.theme.selected)
        } else {
            Line::from(line)
        });
        if i == highlighted {
            for reason in reasons(c, context) {
                lines.extend(indented(&reason, "     ", width));
            }
            keep = lines.len() - 1;
        }
    }
    (lines, keep)
}

/// The candidates under the fields, a line each, in `rows` rows at most: nothing before
/// matching is asked.
fn under_lines(form: &Form, person: &Sought, context: &Context, rows: usize) -> Vec<Line<'static>> {
    if matches!(person.answer, Answer::Unasked) || rows < 3 {
        return Vec::new();
    }
    let head = |text: String| Line::styled(text, context.theme.header);
    let found = person.found();
    let mut lines = vec![Line::from("")];
    if let Some(text) = standing(person) {
        lines.push(head(format!(
            "Who the {} may already be: {text}",
            person.role
        )));
        return lines;
    }
    lines.push(head(format!(
        "Who the {} may already be: {} found · {}",
        person.role,
        found.len(),
        panel_keys(form, context)
    )));
    let room = rows - lines.len();
    let listed = if found.len() > room {
        room - 1
    } else {
        found.len()
    };
    lines.extend(found.iter().take(listed).enumerate().map(|(i, c)| {
        Line::from(format!(
            "{} {}",
            marks(form, person, i, c),
            candidate_line(c)
        ))
    }));
    if listed < found.len() {
        lines.push(Line::from(format!(
            "   … and {} more",
            found.len() - listed
        )));
    }
    lines
}

/// A box with a title in the focused style.
fn boxed(title: String, context: &Context) -> Block<'static> {
    Block::new()
        .borders(Borders::ALL)
        .border_style(context.theme.focus_border)
        .title(title)
}

/// `lines` in `area`, scrolled as far as keeping the line `keep` on screen needs.
fn scrolled(lines: Vec<Line<'static>>, keep: usize, frame: &mut Frame, area: Rect) {
    let scroll = (keep + 1).saturating_sub(usize::from(area.height));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
        area,
    );
}

/// The form, over everything else.
pub fn draw(form: &Form, context: &Context, frame: &mut Frame, area: Rect) {
    let mut lines = Vec::new();
    let refused = refused_field(form);
    let refusal = form.refusal.as_ref().map(|(rule, message, _)| match rule {
        Some(rule) => format!("{rule}: {message}"),
        None => message.clone(),
    });
    for (i, field) in form.fields.iter().enumerate() {
        let value = match &field.value {
            Input::Text(t) if i == form.focus => format!("{t}▏"),
            Input::Text(t) => t.clone(),
            Input::Choice(options, n) => options
                .get(*n)
                .map(|(_, label)| format!("◂ {label} ▸"))
                .unwrap_or_default(),
            Input::Flag(b) => if *b { "[x] yes" } else { "[ ] no" }.to_string(),
        };
        let need = if field.required { "*" } else { " " };
        let line = format!("{need}{:<34} {value}", field.label);
        lines.push(if i == form.focus {
            Line::styled(line, context.theme.selected)
        } else {
            Line::from(line)
        });
        for same in named_by(form, field).map(same_as).unwrap_or_default() {
            lines.push(Line::from(format!("   {same}")));
        }
        if names(refused, field)
            && let Some(text) = &refusal
        {
            lines.push(Line::styled(format!("   ✗ {text}"), context.theme.error));
        }
    }
    if let Some(text) = refusal.filter(|_| refused.is_none()) {
        lines.push(Line::from(""));
        lines.push(Line::styled(format!("✗ {text}"), context.theme.error));
    }
    if let Some((suggests, needs_rationale)) = guidance(form) {
        lines.push(Line::from(""));
        lines.push(Line::from(suggests));
        if needs_rationale {
            lines.push(Line::styled(RATIONALE_REQUIRED, context.theme.due_soon));
        }
    }
    let (what, keys) = title_of(form);
    let title = format!(" {what} · {} ", keys.join(" · "));
    let Some(person) = form.people.get(form.shown) else {
        let rect = overlay(area, 100, 22);
        frame.render_widget(Clear, rect);
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(boxed(title, context)),
            rect,
        );
        return;
    };
    if area.width >= SIDE_BY_SIDE {
        let rect = overlay(area, SIDE_BY_SIDE + 2, 22);
        let block = boxed(title, context);
        let inner = block.inner(rect);
        frame.render_widget(Clear, rect);
        frame.render_widget(block, rect);
        let [fields, panel] =
            Layout::horizontal([Constraint::Min(0), Constraint::Length(PANEL)]).areas(inner);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), fields);
        let divider = Block::new()
            .borders(Borders::LEFT)
            .border_style(context.theme.border);
        let within = divider.inner(panel);
        frame.render_widget(divider, panel);
        let (side, keep) = side_lines(form, person, context, usize::from(within.width));
        scrolled(side, keep, frame, within);
        return;
    }
    let rect = overlay(area, 100, 22);
    frame.render_widget(Clear, rect);
    if form.browsing.is_some() {
        let block = boxed(
            format!(
                " who the {} may already be · {} ",
                person.role,
                panel_keys(form, context)
            ),
            context,
        );
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let (full, keep) = full_lines(form, person, context, usize::from(inner.width));
        scrolled(full, keep, frame, inner);
        return;
    }
    let block = boxed(title, context);
    let inner = block.inner(rect);
    let rows = usize::from(inner.height).saturating_sub(linear_rows(&lines, inner.width));
    lines.extend(under_lines(form, person, context, rows));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}

/// A field's value in words: the text or `empty`, the choice, `yes` or `no`.
fn said(input: &Input) -> String {
    match input {
        Input::Text(t) if t.is_empty() => "empty".to_string(),
        Input::Text(t) => t.clone(),
        Input::Choice(options, n) => options
            .get(*n)
            .map(|(_, label)| label.clone())
            .unwrap_or_default(),
        Input::Flag(b) => if *b { "yes" } else { "no" }.to_string(),
    }
}

/// `Editing: Impact (choice 2 of 3: Major)`, and a choice's options, the chosen one marked.
fn editing(field: &Field) -> Vec<Line<'static>> {
    let value = said(&field.value);
    match &field.value {
        Input::Text(_) => {
            let need = if field.required { "required " } else { "" };
            vec![Line::from(format!(
                "Editing: {} ({need}text: {value})",
                field.label
            ))]
        }
        Input::Flag(_) => vec![Line::from(format!(
            "Editing: {} (yes or no: {value})",
            field.label
        ))],
        Input::Choice(options, n) => {
            let choices: Vec<String> = options
                .iter()
                .enumerate()
                .map(|(i, (_, label))| {
                    if i == *n {
                        format!("{label} (chosen)")
                    } else {
                        label.clone()
                    }
                })
                .collect();
            vec![
                Line::from(format!(
                    "Editing: {} (choice {} of {}: {value})",
                    field.label,
                    n + 1,
                    options.len()
                )),
                Line::from(format!("Choices: {}.", choices.join("; "))),
            ]
        }
    }
}

/// How many of those found the linear form lists after its fields; the key to choose
/// lists them all.
const LISTED: usize = 3;

/// Who the person shown may already be, after the fields of the linear form: nothing
/// before matching is asked, else what it answered, a line for each of the likeliest.
fn linear_found(form: &Form, context: &Context, width: u16) -> Vec<Line<'static>> {
    let Some(person) = form.people.get(form.shown) else {
        return Vec::new();
    };
    if matches!(person.answer, Answer::Unasked) {
        return Vec::new();
    }
    let asked = person.asked.as_ref().map_or_else(String::new, |find| {
        format!(" ({})", asked_as(find, context))
    });
    let who = format!("Who the {}{asked} may already be", person.role);
    if let Some(text) = standing(person) {
        return vec![Line::from(format!("{who}: {text}"))];
    }
    let found = person.found();
    let mut lines = vec![Line::from(format!(
        "{who}: {} found, {} to choose among them{}:",
        found.len(),
        context.keymap.keys_of(Action::Candidates),
        if retyped(form) {
            " (retyped since: leave the field to ask again)"
        } else {
            ""
        }
    ))];
    for c in found.iter().take(LISTED) {
        let mut parts = candidate_parts(c);
        parts.extend(decided(person, c).map(String::from));
        lines.extend(linear_parts("  ".into(), &parts, "; ", width));
    }
    if found.len() > LISTED {
        lines.push(Line::from(format!("  and {} more.", found.len() - LISTED)));
    }
    lines
}

/// The candidates in the linear mode while the keyboard is in them: what they are and
/// their keys, then each found, the reasons under the one the keyboard is on.
fn linear_browsing(
    form: &Form,
    person: &Sought,
    at: usize,
    context: &Context,
    rows: usize,
    width: u16,
) -> Vec<Line<'static>> {
    let (what, _) = title_of(form);
    let asked = person.asked.as_ref().map_or_else(String::new, |find| {
        format!(" ({})", asked_as(find, context))
    });
    let found = person.found();
    let head = vec![
        Line::from(format!(
            "Choosing who the {}{asked} already is, in the form: {what}.",
            person.role
        )),
        Line::from(
            "Keys: j/k choose, enter chooses the highlighted one as the same person (on the \
             one chosen, clears it), d decides they are not (again, undecides), x clears the \
             choice, esc back to the fields.",
        ),
        Line::from(format!("Found {}:", found.len())),
    ];
    let items = found
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut parts = candidate_parts(c);
            parts.extend(decided(person, c).map(String::from));
            let mark = if i == at { "> " } else { "  " };
            let mut lines = linear_parts(mark.into(), &parts, "; ", width);
            if i == at {
                lines.extend(
                    reasons(c, context)
                        .into_iter()
                        .map(|r| Line::from(format!("    {r}"))),
                );
            }
            lines
        })
        .collect();
    linear_list(head, items, at, rows, width)
}

/// The form for the linear mode: the field being edited first and the keys, then every
/// field as `Label: value` with a refusal in a line under the field it names, cut to what
/// fits in `rows` rows of `width` columns around the one being edited; then who the person
/// being registered may already be. While the keyboard is in those, they take the fields'
/// place.
pub fn linear_lines(form: &Form, context: &Context, rows: usize, width: u16) -> Vec<Line<'static>> {
    if let (Some(at), Some(person)) = (form.browsing, form.people.get(form.shown)) {
        return linear_browsing(form, person, at, context, rows, width);
    }
    let (what, keys) = title_of(form);
    let mut keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    if !form.people.is_empty() {
        keys.push(format!(
            "{} who they may already be",
            context.keymap.keys_of(Action::Candidates)
        ));
    }
    let mut head: Vec<Line> = form.fields.get(form.focus).map(editing).unwrap_or_default();
    head.push(Line::from(format!(
        "Keys: tab, enter or down next field, up previous, left, right or space change a \
         choice, {}.",
        keys.join(", ")
    )));
    head.push(Line::from(format!(
        "Form: {what}, field {} of {}:",
        form.focus + 1,
        form.fields.len()
    )));
    let refused = refused_field(form);
    let refusal = form.refusal.as_ref().map(|(rule, message, _)| match rule {
        Some(rule) => format!("Refused ({rule}): {message}"),
        None => format!("Refused: {message}"),
    });
    let fields = form
        .fields
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let need = if field.required { " (required)" } else { "" };
            let mut lines = vec![Line::from(format!(
                "{} {}{need}: {}",
                if i == form.focus { ">" } else { " " },
                field.label,
                said(&field.value)
            ))];
            if let Some(person) = named_by(form, field) {
                lines.extend(person.chosen.iter().map(|chosen| {
                    Line::from(format!(
                        "  Same person as {} ({}), merged once registered.",
                        chosen.person, chosen.band
                    ))
                }));
                lines.extend(person.apart.iter().map(|apart| {
                    Line::from(format!(
                        "  Not the same person as {} ({}), kept apart once registered.",
                        apart.person, apart.band
                    ))
                }));
            }
            if names(refused, field)
                && let Some(text) = &refusal
            {
                lines.push(Line::from(text.clone()));
            }
            lines
        })
        .collect();
    let mut tail = Vec::new();
    if let Some(text) = refusal.filter(|_| refused.is_none()) {
        tail.push(Line::from(text));
    }
    if let Some((suggests, needs_rationale)) = guidance(form) {
        tail.push(Line::from(format!("{suggests}.")));
        if needs_rationale {
            tail.push(Line::from(RATIONALE_REQUIRED));
        }
    }
    tail.extend(linear_found(form, context, width));
    let rows = rows.saturating_sub(linear_rows(&tail, width));
    let mut lines = linear_list(head, fields, form.focus, rows, width);
    lines.extend(tail);
    lines
}
