//! The code tables: CPT/HCPCS codes with their family, site group, size tiers,
//! RVUs, global period and MUE; the NCCI procedure-to-procedure pairs; the
//! modifiers; and the ICD-10-CM FY2026 code set. Data in, lookups out.
//!
//! The built-in tables are the CSV files under `src/codes/data/` (their
//! sources are in `data/SOURCES.md`), compiled in with `include_str!` and
//! parsed once on first use. This module does no IO: CMS files a user
//! downloads are read by the caller and handed to [`parse_cms_rvu`],
//! [`parse_ncci_ptp`] and [`parse_mue`], and [`CodeTable::with_cms`] lays them
//! over the built-in table.
//!
//! Sizes are integers in micrometres (1 cm = 10000) so tier bounds compare
//! exactly; excimer laser areas are in square centimetres.

mod cms;
pub(crate) mod csv;
mod icd10;
mod table;

pub use cms::{CmsRvu, CmsRvuRow, parse_cms_rvu, parse_mue, parse_ncci_ptp};
pub use csv::LoadError;
pub use icd10::{icd10_derm, icd10_is_billable, icd10_title};
pub use table::{CodeRow, CodeTable, Family, Global, Modifier, NcciCode, NcciPair};
