//! The validation workflow of a portrait edition (BRIEF rule 10):
//! brouillon → soumis → validé par la commission territoriale → adopté par
//! l'Assemblée départementale → publié, with one way back: a submitted portrait can
//! return to draft.
//!
//! Pure: given the current status, the wanted one and the user, says whether the step
//! is allowed and what it must record. Storage is in `db::portraits`.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::auth::StaffUser;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Brouillon,
    Soumis,
    Valide,
    Adopte,
    Publie,
}

impl Status {
    pub const ALL: [Self; 5] = [
        Self::Brouillon,
        Self::Soumis,
        Self::Valide,
        Self::Adopte,
        Self::Publie,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Brouillon => "brouillon",
            Self::Soumis => "soumis",
            Self::Valide => "valide",
            Self::Adopte => "adopte",
            Self::Publie => "publie",
        }
    }

    /// French label.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Brouillon => "brouillon",
            Self::Soumis => "soumis",
            Self::Valide => "validé par la commission territoriale",
            Self::Adopte => "adopté par l'Assemblée départementale",
            Self::Publie => "publié",
        }
    }

    /// The statuses reachable from this one.
    #[must_use]
    pub fn next(self) -> &'static [Self] {
        match self {
            Self::Brouillon => &[Self::Soumis],
            Self::Soumis => &[Self::Valide, Self::Brouillon],
            Self::Valide => &[Self::Adopte],
            Self::Adopte => &[Self::Publie],
            Self::Publie => &[],
        }
    }

    /// The body whose decision a step records, if any.
    #[must_use]
    pub fn deciding_body(self) -> Option<&'static str> {
        match self {
            Self::Valide => Some("Commission territoriale"),
            Self::Adopte => Some("Assemblée départementale"),
            _ => None,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = TransitionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| TransitionError::UnknownStatus(s.to_owned()))
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("statut inconnu « {0} » : brouillon, soumis, valide, adopte ou publie sont attendus")]
    UnknownStatus(String),
    #[error("{}", invalid_message(*.from, *.to))]
    Invalid { from: Status, to: Status },
    #[error("{0}")]
    Forbidden(String),
    #[error("la référence de la décision ({0}) est obligatoire pour cette étape")]
    MissingDecision(&'static str),
}

fn invalid_message(from: Status, to: Status) -> String {
    let next: Vec<String> = from
        .next()
        .iter()
        .map(|s| format!("« {} »", s.label()))
        .collect();
    let allowed = if next.is_empty() {
        "aucune étape ne suit la publication".to_owned()
    } else {
        format!("étape possible : {}", next.join(" ou "))
    };
    format!(
        "transition refusée : le portrait est « {} », il ne peut pas passer à « {} » ({allowed})",
        from.label(),
        to.label()
    )
}

/// What a step records, once allowed.
#[derive(Debug, PartialEq, Eq)]
pub struct Step {
    pub body: Option<String>,
    pub decision_ref: Option<String>,
}

/// Checks the step `from` → `to` by `user` on `territory`'s portrait. Recording a
/// decision (validated, adopted) needs its reference; the body defaults to the one
/// the step belongs to.
pub fn check(
    user: &StaffUser,
    territory: &str,
    from: Status,
    to: Status,
    body: Option<&str>,
    decision_ref: Option<&str>,
) -> Result<Step, TransitionError> {
    if !from.next().contains(&to) {
        return Err(TransitionError::Invalid { from, to });
    }
    let decision = matches!(to, Status::Valide | Status::Adopte | Status::Publie);
    if decision && !user.can_record_decisions() {
        return Err(TransitionError::Forbidden(format!(
            "seul un chargé de mission ou un administrateur peut passer un portrait à « {} »",
            to.label()
        )));
    }
    if !decision && !user.can_edit(territory) {
        return Err(TransitionError::Forbidden(format!(
            "vous ne pouvez pas modifier le portrait du territoire {territory}"
        )));
    }
    let clean = |s: Option<&str>| {
        s.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let decision_ref = clean(decision_ref);
    let mut body = clean(body);
    if let Some(default_body) = to.deciding_body() {
        if decision_ref.is_none() {
            return Err(TransitionError::MissingDecision(default_body));
        }
        body = body.or_else(|| Some(default_body.to_owned()));
    }
    Ok(Step { body, decision_ref })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn user(role: Role) -> StaffUser {
        StaffUser {
            id: 1,
            username: "u".into(),
            display_name: "U".into(),
            role,
            territories: vec!["ARR".into()],
            organisation: None,
            csrf: String::new(),
        }
    }

    #[test]
    fn the_happy_path_is_allowed_in_order() {
        let c = user(Role::ChargeDeMission);
        let r = user(Role::Referent);
        assert!(check(&r, "ARR", Status::Brouillon, Status::Soumis, None, None).is_ok());
        let step = check(
            &c,
            "ARR",
            Status::Soumis,
            Status::Valide,
            None,
            Some("CT-2023-04"),
        )
        .unwrap();
        assert_eq!(step.body.as_deref(), Some("Commission territoriale"));
        assert!(
            check(
                &c,
                "ARR",
                Status::Valide,
                Status::Adopte,
                None,
                Some("AD-12")
            )
            .is_ok()
        );
        assert!(check(&c, "ARR", Status::Adopte, Status::Publie, None, None).is_ok());
    }

    #[test]
    fn skipping_a_step_is_refused_with_the_possible_one() {
        let c = user(Role::Admin);
        let err = check(&c, "ARR", Status::Brouillon, Status::Publie, None, None).unwrap_err();
        assert_eq!(
            err,
            TransitionError::Invalid {
                from: Status::Brouillon,
                to: Status::Publie
            }
        );
        assert!(
            err.to_string().contains("étape possible : « soumis »"),
            "{err}"
        );
        assert!(check(&c, "ARR", Status::Publie, Status::Brouillon, None, None).is_err());
    }

    #[test]
    fn decisions_need_a_reference_and_a_decision_role() {
        let c = user(Role::ChargeDeMission);
        assert!(matches!(
            check(&c, "ARR", Status::Soumis, Status::Valide, None, Some("  ")),
            Err(TransitionError::MissingDecision(_))
        ));
        let r = user(Role::Referent);
        assert!(matches!(
            check(
                &r,
                "ARR",
                Status::Soumis,
                Status::Valide,
                None,
                Some("CT-1")
            ),
            Err(TransitionError::Forbidden(_))
        ));
        assert!(matches!(
            check(&r, "LEN", Status::Brouillon, Status::Soumis, None, None),
            Err(TransitionError::Forbidden(_))
        ));
    }
}
