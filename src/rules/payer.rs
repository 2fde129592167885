//! The `payer/*` rules: payer notes keyed off the encounter's payer.

use super::registry::Rule;
use super::{Ctx, Finding};

pub(super) const RULES: &[Rule] = &[];

pub(super) fn check(_ctx: &Ctx, _out: &mut Vec<Finding>) {}
