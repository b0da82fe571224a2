//! Accounts: roles and what each may do, password hashing, session tokens.
//!
//! This module knows nothing about HTTP (cookies and headers are read in
//! `api::session`) and holds no SQL (that is in `db::accounts`). The public needs no
//! account. Every role but `partenaire` is a member of the Département's staff; a
//! partner (the CRESS, the APES, another ESS network) only proposes text for its
//! territories, which their referent or a chargé de mission accepts or declines: the
//! HTTP layer reads a partner's session as the public's everywhere else.
//!
//! | role | reads drafts, history, reports | edits portraits, orientations, actions | records decisions, imports files |
//! |---|---|---|---|
//! | `lecteur` | yes | no | no |
//! | `referent` | yes | its assigned territories only | no (it submits) |
//! | `charge_de_mission` | yes | every territory and the département | yes |
//! | `admin` | yes | every territory and the département | yes |
//! | `partenaire` | no (its own proposals only) | no: proposes, for its territories | no |

pub mod accounts;
pub mod password;
pub mod session;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// An account's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    ChargeDeMission,
    Referent,
    Lecteur,
    /// A partner organisation (CRESS, APES, other networks): proposes, never writes.
    Partenaire,
}

impl Role {
    pub const ALL: [Self; 5] = [
        Self::Admin,
        Self::ChargeDeMission,
        Self::Referent,
        Self::Lecteur,
        Self::Partenaire,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::ChargeDeMission => "charge_de_mission",
            Self::Referent => "referent",
            Self::Lecteur => "lecteur",
            Self::Partenaire => "partenaire",
        }
    }

    /// French label for the interface.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Admin => "Administrateur",
            Self::ChargeDeMission => "Chargé de mission",
            Self::Referent => "Référent territorial",
            Self::Lecteur => "Lecteur",
            Self::Partenaire => "Partenaire",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown role {0:?}: expected admin, charge_de_mission, referent, lecteur or partenaire")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// A signed-in account (staff, or a partner), as a request sees them.
#[derive(Debug, Clone, Serialize)]
pub struct StaffUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Territories a referent may edit, or a partner propose for; empty for the other
    /// roles.
    pub territories: Vec<String>,
    /// A partner's organisation, credited for its accepted proposals.
    pub organisation: Option<String>,
    /// The session's anti-CSRF token, required on every mutation.
    #[serde(skip)]
    pub csrf: String,
}

impl StaffUser {
    /// May this user change the portrait, orientations and actions of `territory`
    /// (a territory code, or the département's code)?
    #[must_use]
    pub fn can_edit(&self, territory: &str) -> bool {
        match self.role {
            Role::Admin | Role::ChargeDeMission => true,
            Role::Referent => self.territories.iter().any(|t| t == territory),
            Role::Lecteur | Role::Partenaire => false,
        }
    }

    /// Is this a partner's account (not the Département's staff)?
    #[must_use]
    pub fn is_partner(&self) -> bool {
        self.role == Role::Partenaire
    }

    /// May this user propose text for `territory`'s portrait and plan? Partners, for
    /// their territories (staff write directly).
    #[must_use]
    pub fn can_propose(&self, territory: &str) -> bool {
        self.is_partner() && self.territories.iter().any(|t| t == territory)
    }

    /// The name a partner's proposals are credited to: its organisation, else its
    /// display name.
    #[must_use]
    pub fn credited_as(&self) -> &str {
        self.organisation
            .as_deref()
            .filter(|o| !o.trim().is_empty())
            .unwrap_or(&self.display_name)
    }

    /// May this user record the decisions of the commission territoriale and of the
    /// Assemblée départementale, and publish?
    #[must_use]
    pub fn can_record_decisions(&self) -> bool {
        matches!(self.role, Role::Admin | Role::ChargeDeMission)
    }

    /// May this user import the small files (subsidies, observatory) from the browser?
    /// The same staff as the decisions: the Département's ESS team.
    #[must_use]
    pub fn can_import(&self) -> bool {
        matches!(self.role, Role::Admin | Role::ChargeDeMission)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, territories: &[&str]) -> StaffUser {
        StaffUser {
            id: 1,
            username: "u".into(),
            display_name: "U".into(),
            role,
            territories: territories.iter().map(|t| (*t).to_owned()).collect(),
            organisation: None,
            csrf: String::new(),
        }
    }

    #[test]
    fn referent_edits_only_its_territories() {
        let r = user(Role::Referent, &["ARR"]);
        assert!(r.can_edit("ARR"));
        assert!(!r.can_edit("LEN"));
        assert!(!r.can_edit("62"));
        assert!(!r.can_record_decisions());
        assert!(!r.can_import());
    }

    #[test]
    fn lecteur_edits_nothing_and_charge_de_mission_everything() {
        assert!(!user(Role::Lecteur, &["ARR"]).can_edit("ARR"));
        let c = user(Role::ChargeDeMission, &[]);
        assert!(c.can_edit("LEN") && c.can_edit("62") && c.can_record_decisions());
        assert!(c.can_import() && !user(Role::Lecteur, &[]).can_import());
    }

    #[test]
    fn a_partner_proposes_for_its_territories_and_writes_nothing() {
        let mut p = user(Role::Partenaire, &["ARR"]);
        assert!(p.can_propose("ARR") && !p.can_propose("LEN"));
        assert!(!p.can_edit("ARR") && !p.can_record_decisions() && !p.can_import());
        assert!(!user(Role::Referent, &["ARR"]).can_propose("ARR"));
        assert_eq!(p.credited_as(), "U");
        p.organisation = Some("CRESS Hauts-de-France".into());
        assert_eq!(p.credited_as(), "CRESS Hauts-de-France");
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().ok(), Some(r));
        }
        assert!("chef".parse::<Role>().is_err());
    }
}
