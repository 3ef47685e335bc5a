//! Who is acting: user, organisation, roles and the protective-intervener flag.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// Kinds of organisation (DOMAIN §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Department,
    Cso,
    CommunityService,
    Regulator,
    Police,
}

/// Roles a user may hold; a user may hold several (DOMAIN §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Practitioner,
    Supervisor,
    TeamManager,
    PracticeLeader,
    PrincipalPractitioner,
    Daom,
    IncidentDelegate,
    InvestigationManager,
    Investigator,
    Reviewer,
    IntegrityUnit,
    Viewer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 13] = [
        Role::Practitioner,
        Role::Supervisor,
        Role::TeamManager,
        Role::PracticeLeader,
        Role::PrincipalPractitioner,
        Role::Daom,
        Role::IncidentDelegate,
        Role::InvestigationManager,
        Role::Investigator,
        Role::Reviewer,
        Role::IntegrityUnit,
        Role::Viewer,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Practitioner => "practitioner",
            Role::Supervisor => "supervisor",
            Role::TeamManager => "team_manager",
            Role::PracticeLeader => "practice_leader",
            Role::PrincipalPractitioner => "principal_practitioner",
            Role::Daom => "daom",
            Role::IncidentDelegate => "incident_delegate",
            Role::InvestigationManager => "investigation_manager",
            Role::Investigator => "investigator",
            Role::Reviewer => "reviewer",
            Role::IntegrityUnit => "integrity_unit",
            Role::Viewer => "viewer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The person acting, as the server authenticated them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user: String,
    pub org: String,
    pub org_kind: OrgKind,
    pub roles: BTreeSet<Role>,
    /// Protective intervener under the CYFA: a per-user flag, not a role (DOMAIN §2).
    pub protective_intervener: bool,
}

impl Actor {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Holds at least one of `roles` (a slice, an array or a policy's role set).
    pub fn has_any<'a>(&self, roles: impl IntoIterator<Item = &'a Role>) -> bool {
        roles.into_iter().any(|r| self.roles.contains(r))
    }
}
