//! The `doc/*` rules: documentation a payer audit needs.

use super::registry::Rule;
use super::{Ctx, Finding};

pub(super) const RULES: &[Rule] = &[];

pub(super) fn check(_ctx: &Ctx, _out: &mut Vec<Finding>) {}
