//! Long-form documentation: how perimeter reads AWS's rules, and the choices it makes where the
//! AWS documentation is silent or contradicts itself. Each choice has a test case that shows it.

#[doc = include_str!("manual/evaluation.md")]
pub mod evaluation {}

#[doc = include_str!("manual/catalog.md")]
pub mod catalog {}

#[doc = include_str!("manual/activity.md")]
pub mod activity {}

#[doc = include_str!("manual/validation.md")]
pub mod validation {}

#[doc = include_str!("manual/reasoning.md")]
pub mod reasoning {}

#[doc = include_str!("manual/findings.md")]
pub mod findings {}

#[doc = include_str!("manual/analysis.md")]
pub mod analysis {}

#[doc = include_str!("manual/reach.md")]
pub mod reach {}

#[doc = include_str!("manual/checks.md")]
pub mod checks {}
