//! Login throttling: too many failed logins for one username, or from one client address,
//! within a sliding window are answered 429 with `Retry-After` until the oldest failure in
//! the window ages out.
//!
//! The count is kept in memory, per server process: replicas count separately and a restart
//! forgets, which bounds guessing without a shared store. Each attempt counts as a failure
//! from the moment it starts (and is taken back if it succeeds), so a burst of parallel
//! guesses cannot overtake the count. Unknown usernames are counted exactly like known ones,
//! so a 429 says nothing about whether an account exists.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many failures, within what window, before logins are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    /// Failed logins allowed for one username within the window.
    pub per_username: usize,
    /// Failed logins allowed from one client address within the window, whatever the
    /// usernames. Higher than per username: many practitioners reach the server from the same
    /// jump host, and one person's typing must not lock out the rest.
    pub per_address: usize,
    pub window: Duration,
}

impl Default for LoginLimits {
    /// 5 failures per username and 30 per client address in any 15 minutes.
    fn default() -> LoginLimits {
        LoginLimits {
            per_username: 5,
            per_address: 30,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Usernames are counted by their first characters, case-folded: a megabyte-long name costs
/// no more memory than a short one, and `Alice` and `alice` share a count.
const USERNAME_KEY_CHARS: usize = 64;

/// Past this many tracked names or addresses, entries with no failure left in the window are
/// dropped.
const PRUNE_ABOVE: usize = 10_000;

/// The failures seen, by username and by client address.
#[derive(Debug)]
pub struct LoginThrottle {
    limits: LoginLimits,
    state: Mutex<Failures>,
}

#[derive(Debug, Default)]
struct Failures {
    by_username: HashMap<String, VecDeque<Instant>>,
    by_address: HashMap<IpAddr, VecDeque<Instant>>,
}

/// An attempt that has been let through and counted as a failure until it succeeds.
#[derive(Debug)]
pub struct Attempt {
    username: String,
    address: IpAddr,
    at: Instant,
}

fn username_key(username: &str) -> String {
    username
        .chars()
        .take(USERNAME_KEY_CHARS)
        .collect::<String>()
        .to_lowercase()
}

/// Forget failures older than the window; how long until one more is allowed when `limit`
/// are left.
fn wait_for(
    times: Option<&mut VecDeque<Instant>>,
    limit: usize,
    window: Duration,
    now: Instant,
) -> Option<Duration> {
    let times = times?;
    while times
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) >= window)
    {
        times.pop_front();
    }
    if times.len() < limit {
        return None;
    }
    let oldest = *times.front()?;
    Some(window.saturating_sub(now.saturating_duration_since(oldest)))
}

fn prune<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, VecDeque<Instant>>,
    window: Duration,
    now: Instant,
) {
    if map.len() > PRUNE_ABOVE {
        map.retain(|_, times| {
            times
                .back()
                .is_some_and(|t| now.saturating_duration_since(*t) < window)
        });
    }
}

impl LoginThrottle {
    pub fn new(limits: LoginLimits) -> LoginThrottle {
        LoginThrottle {
            limits,
            state: Mutex::new(Failures::default()),
        }
    }

    /// Let an attempt through, counting it as a failure, or say how long to wait.
    pub fn begin(
        &self,
        username: &str,
        address: IpAddr,
        now: Instant,
    ) -> Result<Attempt, Duration> {
        let key = username_key(username);
        let window = self.limits.window;
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let by_name = wait_for(
            state.by_username.get_mut(&key),
            self.limits.per_username,
            window,
            now,
        );
        let by_address = wait_for(
            state.by_address.get_mut(&address),
            self.limits.per_address,
            window,
            now,
        );
        if let Some(wait) = by_name.max(by_address) {
            return Err(wait);
        }
        prune(&mut state.by_username, window, now);
        prune(&mut state.by_address, window, now);
        state
            .by_username
            .entry(key.clone())
            .or_default()
            .push_back(now);
        state.by_address.entry(address).or_default().push_back(now);
        Ok(Attempt {
            username: key,
            address,
            at: now,
        })
    }

    /// The attempt logged in: the username's failures are forgotten, and the attempt no
    /// longer counts against the address.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.by_username.remove(&attempt.username);
        if let Some(times) = state.by_address.get_mut(&attempt.address)
            && let Some(i) = times.iter().position(|t| *t == attempt.at)
        {
            times.remove(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: &str = "alice";

    fn home() -> IpAddr {
        IpAddr::from([192, 0, 2, 1])
    }

    fn small() -> LoginThrottle {
        LoginThrottle::new(LoginLimits {
            per_username: 2,
            per_address: 3,
            window: Duration::from_secs(60),
        })
    }

    #[test]
    fn failures_age_out_of_the_sliding_window() {
        let throttle = small();
        let start = Instant::now();
        assert!(throttle.begin(ALICE, home(), start).is_ok());
        let second = start + Duration::from_secs(20);
        assert!(throttle.begin(ALICE, home(), second).is_ok());
        let wait = throttle
            .begin(ALICE, home(), start + Duration::from_secs(30))
            .expect_err("a third failure within the window is refused");
        assert_eq!(wait, Duration::from_secs(30));
        assert!(
            throttle
                .begin(ALICE, home(), start + Duration::from_secs(60))
                .is_ok(),
            "the oldest failure has aged out"
        );
    }

    #[test]
    fn usernames_are_counted_case_folded() {
        let throttle = small();
        let now = Instant::now();
        assert!(throttle.begin("Alice", home(), now).is_ok());
        assert!(throttle.begin("ALICE", home(), now).is_ok());
        assert!(
            throttle
                .begin(ALICE, IpAddr::from([192, 0, 2, 2]), now)
                .is_err()
        );
    }

    #[test]
    fn an_address_spraying_usernames_is_refused_for_every_username() {
        let throttle = small();
        let now = Instant::now();
        for name in ["a", "b", "c"] {
            assert!(throttle.begin(name, home(), now).is_ok());
        }
        assert!(throttle.begin("d", home(), now).is_err());
        assert!(
            throttle
                .begin("d", IpAddr::from([192, 0, 2, 2]), now)
                .is_ok()
        );
    }

    #[test]
    fn a_success_forgets_the_usernames_failures() {
        let throttle = small();
        let now = Instant::now();
        assert!(throttle.begin(ALICE, home(), now).is_ok());
        let attempt = throttle.begin(ALICE, home(), now).expect("second attempt");
        throttle.succeeded(attempt);
        assert!(throttle.begin(ALICE, home(), now).is_ok());
        assert!(throttle.begin(ALICE, home(), now).is_ok());
        assert!(throttle.begin(ALICE, home(), now).is_err());
    }
}
