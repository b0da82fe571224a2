//! The rules a staff account follows, wherever it is created or changed (today the
//! command line): user name, password length, a role's territories. Pure: the caller
//! hashes the password and stores the account.

use super::Role;

/// Shortest password accepted for a staff account.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Longest user name, in bytes.
pub const MAX_USERNAME_BYTES: usize = 100;

/// Why an account was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AccountError {
    #[error("the user name must have 1 to {MAX_USERNAME_BYTES} characters")]
    Username,
    #[error("the password must have at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    #[error("unknown territory {code:?} (codes: {known})")]
    UnknownTerritory { code: String, known: String },
    #[error("a referent needs at least one --territory")]
    ReferentWithoutTerritory,
    #[error("a partenaire needs at least one --territory")]
    PartnerWithoutTerritory,
    #[error(
        "a partenaire needs its --organisation (1 to {MAX_ORGANISATION_CHARS} characters), \
         credited for its proposals"
    )]
    PartnerWithoutOrganisation,
    #[error("--organisation is for partenaire accounts only")]
    OrganisationWithoutPartner,
}

/// Longest organisation name of a partner account, in characters.
pub const MAX_ORGANISATION_CHARS: usize = 200;

/// The user name as stored: trimmed, 1 to [`MAX_USERNAME_BYTES`] bytes.
pub fn username(raw: &str) -> Result<String, AccountError> {
    let name = raw.trim();
    if name.is_empty() || name.len() > MAX_USERNAME_BYTES {
        return Err(AccountError::Username);
    }
    Ok(name.to_owned())
}

/// A new password must have at least [`MIN_PASSWORD_CHARS`] characters.
pub fn check_password(password: &str) -> Result<(), AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::PasswordTooShort);
    }
    Ok(())
}

/// A role's territories: each one known (`is_territory`), and at least one for a
/// referent. `known` lists the valid codes for the message.
pub fn check_scope(
    role: Role,
    territories: &[String],
    is_territory: impl Fn(&str) -> bool,
    known: impl Fn() -> String,
) -> Result<(), AccountError> {
    if let Some(code) = territories.iter().find(|t| !is_territory(t)) {
        return Err(AccountError::UnknownTerritory {
            code: code.clone(),
            known: known(),
        });
    }
    if role == Role::Referent && territories.is_empty() {
        return Err(AccountError::ReferentWithoutTerritory);
    }
    if role == Role::Partenaire && territories.is_empty() {
        return Err(AccountError::PartnerWithoutTerritory);
    }
    Ok(())
}

/// A partner's organisation, trimmed: required for a partner, refused for the other
/// roles (their work is the Département's).
pub fn organisation(role: Role, raw: Option<&str>) -> Result<Option<String>, AccountError> {
    let name = raw.map(str::trim).filter(|n| !n.is_empty());
    match (role, name) {
        (Role::Partenaire, Some(n))
            if n.chars().count() <= MAX_ORGANISATION_CHARS && !n.chars().any(char::is_control) =>
        {
            Ok(Some(n.to_owned()))
        }
        (Role::Partenaire, _) => Err(AccountError::PartnerWithoutOrganisation),
        (_, Some(_)) => Err(AccountError::OrganisationWithoutPartner),
        (_, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_are_trimmed_and_bounded() {
        assert_eq!(username("  marie ").as_deref(), Ok("marie"));
        assert_eq!(username("   "), Err(AccountError::Username));
        assert_eq!(username(&"x".repeat(101)), Err(AccountError::Username));
        assert!(username(&"x".repeat(100)).is_ok());
    }

    #[test]
    fn passwords_count_characters_not_bytes() {
        assert_eq!(
            check_password("éééééééé"),
            Err(AccountError::PasswordTooShort)
        );
        assert!(check_password("éééééééééé").is_ok());
    }

    #[test]
    fn referents_need_a_known_territory() {
        let known = |t: &str| t == "ARR";
        let list = || "ARR".to_owned();
        assert_eq!(
            check_scope(Role::Referent, &[], known, list),
            Err(AccountError::ReferentWithoutTerritory)
        );
        assert!(matches!(
            check_scope(Role::Referent, &["XXX".into()], known, list),
            Err(AccountError::UnknownTerritory { .. })
        ));
        assert!(check_scope(Role::Referent, &["ARR".into()], known, list).is_ok());
        assert!(check_scope(Role::Lecteur, &[], known, list).is_ok());
        assert_eq!(
            check_scope(Role::Partenaire, &[], known, list),
            Err(AccountError::PartnerWithoutTerritory)
        );
    }

    #[test]
    fn partners_and_only_partners_have_an_organisation() {
        assert_eq!(
            organisation(Role::Partenaire, Some("  APES ")),
            Ok(Some("APES".into()))
        );
        assert_eq!(
            organisation(Role::Partenaire, Some(" ")),
            Err(AccountError::PartnerWithoutOrganisation)
        );
        assert_eq!(
            organisation(Role::Partenaire, None),
            Err(AccountError::PartnerWithoutOrganisation)
        );
        assert_eq!(
            organisation(Role::Referent, Some("CRESS")),
            Err(AccountError::OrganisationWithoutPartner)
        );
        assert_eq!(organisation(Role::Lecteur, None), Ok(None));
    }
}
