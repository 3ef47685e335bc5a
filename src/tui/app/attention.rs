//! Alerts: each watches a view's count, or the count of its records in their at-risk band,
//! and calls for attention when it grows. Counts are what the server tells this user, so an
//! alert never says more than the tab bar could; its words name the view and how many,
//! nothing about a client.

use crate::tui::config::{AlertConfig, AlertWhen, ViewTab};
use crate::tui::msg::{Change, Effect};
use crate::tui::notify::{How, Osc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub title: String,
    /// What is counted, in the queue's filter language.
    pub query: String,
    pub when: AlertWhen,
    pub how: How,
}

#[derive(Debug, Clone)]
pub struct Attention {
    pub alerts: Vec<Alert>,
    pub osc: Osc,
    /// How a new handover to the user calls for attention.
    pub handover: How,
    /// How a reminder whose time has come calls for attention.
    pub reminder: How,
    /// Handovers waiting for the user when last read; none before the first answer.
    handovers_waiting: Option<usize>,
    /// The counts last seen, one per alert; none before the first answer.
    last: Vec<Option<i64>>,
    loading: bool,
    /// Something changed while the counts were being loaded: load them again.
    stale: bool,
}

impl Default for Attention {
    /// No alerts: nothing calls for attention.
    fn default() -> Attention {
        Attention {
            alerts: Vec::new(),
            osc: Osc::default(),
            handover: How::Off,
            reminder: How::Off,
            handovers_waiting: None,
            last: Vec::new(),
            loading: false,
            stale: false,
        }
    }
}

impl Attention {
    /// The configured alerts over `views`; an alert whose view is not there is left out
    /// (the config is checked when it is read).
    pub fn new(alerts: &[AlertConfig], views: &[ViewTab], osc: Osc, handover: How) -> Attention {
        let alerts = alerts
            .iter()
            .filter(|a| a.how != How::Off)
            .filter_map(|a| {
                let view = views.iter().find(|v| v.title == a.view)?;
                let query = match a.when {
                    AlertWhen::New => view.query.clone(),
                    AlertWhen::AtRisk => format!("{} due:at_risk", view.query).trim().to_string(),
                };
                Some(Alert {
                    title: view.title.clone(),
                    query,
                    when: a.when,
                    how: a.how,
                })
            })
            .collect();
        Attention {
            alerts,
            osc,
            handover,
            ..Attention::default()
        }
    }
}

impl Attention {
    /// Reminders whose time comes call for attention so.
    pub fn with_reminder(self, reminder: How) -> Attention {
        Attention { reminder, ..self }
    }
}

/// Count what the alerts watch, unless a count is already on its way.
pub fn load(attention: &mut Attention) -> Option<Effect> {
    if attention.alerts.is_empty() {
        return None;
    }
    if attention.loading {
        attention.stale = true;
        return None;
    }
    attention.loading = true;
    attention.stale = false;
    Some(Effect::LoadAlertCounts {
        queries: attention.alerts.iter().map(|a| a.query.clone()).collect(),
    })
}

/// A new record (its first version) may have joined a watched view.
pub fn on_change(attention: &mut Attention, change: &Change) -> Option<Effect> {
    let watches_new = attention.alerts.iter().any(|a| a.when == AlertWhen::New);
    (watches_new && change.version == 1)
        .then(|| load(attention))
        .flatten()
}

/// Every minute: deadlines enter their at-risk band as time passes, without any change,
/// and handovers arrive without a change to any record.
pub fn on_tick(attention: &mut Attention) -> Vec<Effect> {
    let watches_time = attention.alerts.iter().any(|a| a.when == AlertWhen::AtRisk);
    let mut effects: Vec<Effect> = (watches_time || attention.stale)
        .then(|| load(attention))
        .flatten()
        .into_iter()
        .collect();
    if attention.handover != How::Off {
        effects.push(Effect::LoadHandovers);
    }
    effects
}

/// The handovers were read: more waiting for the user than before calls for attention.
pub fn on_handovers(attention: &mut Attention, waiting: usize) -> Option<Effect> {
    let before = attention.handovers_waiting.replace(waiting);
    let more = waiting.saturating_sub(before?);
    (more > 0 && attention.handover != How::Off).then(|| Effect::Attention {
        how: attention.handover,
        osc: attention.osc,
        text: format!("{more} new handover(s) for you"),
    })
}

/// Reminders came due: each calls for attention once, by how many, never by what.
pub fn on_reminders(attention: &Attention, newly_due: usize) -> Option<Effect> {
    (newly_due > 0 && attention.reminder != How::Off).then(|| Effect::Attention {
        how: attention.reminder,
        osc: attention.osc,
        text: format!("{newly_due} reminder(s) due"),
    })
}

/// The counts arrived: every alert whose count grew calls for attention.
pub fn on_counts(attention: &mut Attention, counts: Vec<Option<i64>>) -> Vec<Effect> {
    attention.loading = false;
    let mut effects = Vec::new();
    for (n, alert) in attention.alerts.iter().enumerate() {
        let before = attention.last.get(n).copied().flatten();
        let now = counts.get(n).copied().flatten();
        if let (Some(before), Some(now)) = (before, now)
            && now > before
        {
            let more = now - before;
            let text = match alert.when {
                AlertWhen::New => format!("{more} new in {}", alert.title),
                AlertWhen::AtRisk => format!("{more} more at risk in {}", alert.title),
            };
            effects.push(Effect::Attention {
                how: alert.how,
                osc: attention.osc,
                text,
            });
        }
    }
    // A count that could not be read keeps the one before, so nothing is announced twice.
    attention.last = counts
        .into_iter()
        .zip(
            attention
                .last
                .iter()
                .copied()
                .chain(std::iter::repeat(None)),
        )
        .map(|(now, before)| now.or(before))
        .collect();
    if attention.stale {
        effects.extend(load(attention));
    }
    effects
}
