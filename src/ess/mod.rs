//! The ESS domain: reference tables (families, NAF, size bands), the categories figures
//! are broken down by, and the perimeter rule that decides which legal units are part
//! of the social and solidarity economy.
//!
//! Pure: tables are compiled into the binary, nothing here does I/O.

pub mod category;
pub mod identifiers;
pub mod palette;
pub mod perimeter;
pub mod reference;
pub mod size;

pub use perimeter::{Classification, Exclusion, Family, PERIMETER_RULE_VERSION, classify};
