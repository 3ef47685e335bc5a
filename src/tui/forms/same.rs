//! Who the people a new record registers may already be (R-PERSON-1, R-PERSON-2). Matching
//! is asked about a person once their name is two words or more and the user leaves one of
//! their fields, never per keystroke; an answer for what has been retyped since is dropped.
//! The user may choose one of those proposed as the same person, and decide others are not:
//! nothing is merged or kept apart until the record exists.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::matching::{find_person, is_date};
use crate::tui::msg::{Effect, SameAs};
use crate::tui::reply::{Level, Reply};
use crate::wire::{Candidate, FindPerson};

use super::state::{Answer, Chosen, Form};

impl Form {
    /// The person whose name or date of birth is the field at `index`.
    pub(super) fn person_at(&self, index: usize) -> Option<usize> {
        let name = self.fields.get(index)?.name;
        self.people
            .iter()
            .position(|p| p.name_field == name || p.born_field == Some(name))
    }

    /// Person `i` as typed now; none until their name is two words or more. A date of
    /// birth not yet in a form matching reads is left out.
    pub fn typed(&self, i: usize) -> Option<FindPerson> {
        let person = self.people.get(i)?;
        let born = person.born_field.map(|f| self.get(f));
        find_person(
            &self.get(person.name_field),
            born.as_deref().filter(|d| is_date(d)),
        )
    }

    /// Ask matching about person `i` as typed, unless that is what was asked last. A name
    /// cut below two words forgets what was found for the name before.
    fn ask(&mut self, i: usize) -> Option<Effect> {
        let typed = self.typed(i);
        let person = self.people.get_mut(i)?;
        let Some(find) = typed else {
            person.asked = None;
            person.answer = Answer::Unasked;
            return None;
        };
        if person.asked.as_ref() == Some(&find) {
            return None;
        }
        person.asked = Some(find.clone());
        person.answer = Answer::Asking;
        Some(Effect::MatchRegistering {
            person: person.mention(),
            find: Box::new(find),
        })
    }

    /// Ask about everyone already named: a form opened with a person copied into it.
    pub fn ask_all(&mut self) -> Vec<Effect> {
        (0..self.people.len()).filter_map(|i| self.ask(i)).collect()
    }

    /// The person whose field has the focus, if matching has been asked about them.
    fn asked_here(&self) -> Option<usize> {
        self.person_at(self.focus)
            .filter(|&i| !matches!(self.people.get(i).map(|p| &p.answer), Some(Answer::Unasked)))
    }

    /// The focus moved off the field `from`: matching is asked about its person, if it is
    /// one's. The candidates shown are for the person the focus is on now, if matching was
    /// asked about them, else for the one left.
    pub(super) fn left(&mut self, from: usize) -> Vec<Reply> {
        if from == self.focus {
            return Vec::new();
        }
        let left = self.person_at(from);
        let asked = left.and_then(|i| self.ask(i));
        if let Some(i) = self.asked_here().or(left) {
            self.shown = i;
        }
        asked.map(Reply::Effect).into_iter().collect()
    }

    /// Matching answered about the person registered as `mention`, sought as `find`: kept
    /// only if that is how they are typed now. After a failure, leaving the field asks
    /// again.
    pub(super) fn answered(
        &mut self,
        mention: &str,
        find: FindPerson,
        found: Result<Vec<Candidate>, String>,
    ) {
        let Some(i) = self.people.iter().position(|p| p.mention() == mention) else {
            return;
        };
        if self.typed(i).as_ref() != Some(&find) {
            return;
        }
        let Some(person) = self.people.get_mut(i) else {
            return;
        };
        match found {
            Ok(found) => {
                person.asked = Some(find);
                person.answer = Answer::Found(found);
            }
            Err(error) => {
                person.asked = None;
                person.answer = Answer::Failed(error);
            }
        }
        if i == self.shown {
            let last = person.found().len().saturating_sub(1);
            self.browsing = self.browsing.map(|b| b.min(last));
        }
    }

    /// The candidate highlighted among those shown: the one the keyboard is on, else the
    /// one chosen, else the likeliest.
    pub fn highlighted(&self) -> usize {
        let Some(person) = self.people.get(self.shown) else {
            return 0;
        };
        self.browsing.unwrap_or_else(|| {
            person
                .chosen
                .as_ref()
                .and_then(|c| person.found().iter().position(|f| f.person == c.person))
                .unwrap_or(0)
        })
    }

    /// The key that moves into the candidates: for the person whose field has the focus
    /// (asked about first, if retyped), else the one shown.
    pub(super) fn browse(&mut self) -> Vec<Reply> {
        let mut replies = Vec::new();
        if let Some(i) = self.person_at(self.focus) {
            replies.extend(self.ask(i).map(Reply::Effect));
        }
        if let Some(i) = self.asked_here() {
            self.shown = i;
        }
        let Some(person) = self.people.get(self.shown) else {
            replies.push(Reply::Message(
                Level::Info,
                "this form registers no one matching could propose".into(),
            ));
            return replies;
        };
        let who = person.role;
        let said = match &person.answer {
            Answer::Found(found) if !found.is_empty() => {
                self.browsing = Some(self.highlighted());
                return replies;
            }
            Answer::Found(_) => (
                Level::Info,
                format!("no one in the records you may see may be the {who}"),
            ),
            Answer::Asking => (
                Level::Info,
                format!("asking matching who the {who} may already be: a moment"),
            ),
            Answer::Unasked => (
                Level::Info,
                format!(
                    "type the {who}'s given and family names, then leave the field: matching is asked then"
                ),
            ),
            Answer::Failed(error) => (
                Level::Error,
                format!("matching could not be asked ({error}): leave the field to ask again"),
            ),
        };
        replies.push(Reply::Message(said.0, said.1));
        replies
    }

    /// A key while in the candidates; none for a key the form itself takes (ctrl-s
    /// registers from here too). `back` is whether it is the key that moved in.
    pub(super) fn browse_key(&mut self, key: KeyEvent, back: bool) -> Option<Vec<Reply>> {
        let at = self.browsing?;
        let last = self
            .people
            .get(self.shown)
            .map_or(0, |p| p.found().len().saturating_sub(1));
        match key.code {
            _ if back => self.browsing = None,
            KeyCode::Esc | KeyCode::Tab | KeyCode::BackTab => self.browsing = None,
            KeyCode::Down | KeyCode::Char('j') => self.browsing = Some((at + 1).min(last)),
            KeyCode::Up | KeyCode::Char('k') => self.browsing = Some(at.saturating_sub(1)),
            KeyCode::Home | KeyCode::Char('g') => self.browsing = Some(0),
            KeyCode::End | KeyCode::Char('G') => self.browsing = Some(last),
            KeyCode::Enter => return Some(self.choose(at)),
            KeyCode::Char('d') => return Some(self.set_apart(at)),
            KeyCode::Char('x') | KeyCode::Delete | KeyCode::Backspace => {
                return Some(self.clear());
            }
            _ if key.modifiers.contains(KeyModifiers::CONTROL) => return None,
            _ => {}
        }
        Some(Vec::new())
    }

    /// `enter` on a candidate: the person shown is the same as them, or, chosen already,
    /// no longer; back to the fields either way.
    fn choose(&mut self, at: usize) -> Vec<Reply> {
        self.browsing = None;
        let Some(person) = self.people.get_mut(self.shown) else {
            return Vec::new();
        };
        let Some(candidate) = person.found().get(at) else {
            return Vec::new();
        };
        let again = person
            .chosen
            .as_ref()
            .is_some_and(|c| c.person == candidate.person);
        if again {
            return self.clear();
        }
        let chosen = Chosen {
            person: candidate.person.clone(),
            band: candidate.band.clone(),
            score: candidate.score,
        };
        person.apart.retain(|a| a.person != chosen.person);
        let said = format!(
            "the {} is {} ({}): merged once registered",
            person.role, chosen.person, chosen.band
        );
        person.chosen = Some(chosen);
        vec![Reply::Message(Level::Info, said)]
    }

    /// `d` on a candidate: the person shown is not them (kept apart once the record is
    /// registered), or, decided so already, no longer; a choice of them as the same is
    /// cleared. The keyboard stays in the candidates.
    fn set_apart(&mut self, at: usize) -> Vec<Reply> {
        let Some(person) = self.people.get_mut(self.shown) else {
            return Vec::new();
        };
        let Some(candidate) = person.found().get(at) else {
            return Vec::new();
        };
        let apart = Chosen {
            person: candidate.person.clone(),
            band: candidate.band.clone(),
            score: candidate.score,
        };
        if person.apart.iter().any(|a| a.person == apart.person) {
            person.apart.retain(|a| a.person != apart.person);
            let said = format!(
                "the {} is no longer decided not to be {}",
                person.role, apart.person
            );
            return vec![Reply::Message(Level::Info, said)];
        }
        if person
            .chosen
            .as_ref()
            .is_some_and(|c| c.person == apart.person)
        {
            person.chosen = None;
        }
        let said = format!(
            "the {} is not {}: kept apart once registered",
            person.role, apart.person
        );
        person.apart.push(apart);
        vec![Reply::Message(Level::Info, said)]
    }

    /// The person shown is chosen as no one: registered as a new person.
    fn clear(&mut self) -> Vec<Reply> {
        let Some(person) = self.people.get_mut(self.shown) else {
            return Vec::new();
        };
        match person.chosen.take() {
            Some(was) => vec![Reply::Message(
                Level::Info,
                format!(
                    "the {} is no longer chosen as {}: nothing will be merged",
                    person.role, was.person
                ),
            )],
            None => Vec::new(),
        }
    }

    /// The people chosen as the same as others, and those decided not to be others, each
    /// with the reason the decision will give.
    pub(super) fn same(&self) -> Vec<SameAs> {
        let mut decided = Vec::new();
        for p in &self.people {
            decided.extend(p.chosen.iter().map(|chosen| SameAs {
                mention: p.mention(),
                with: chosen.person.clone(),
                reason: format!(
                    "Chosen as the same person when registering: {}, score {:.1}",
                    chosen.band, chosen.score
                ),
                same: true,
            }));
            decided.extend(p.apart.iter().map(|apart| SameAs {
                mention: p.mention(),
                with: apart.person.clone(),
                reason: format!(
                    "Decided not the same person when registering: {}, score {:.1}",
                    apart.band, apart.score
                ),
                same: false,
            }));
        }
        decided
    }
}
