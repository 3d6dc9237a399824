#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod activity;
pub mod analyze;
pub mod arn;
pub mod catalog;
pub mod check;
pub mod error;
pub mod eval;
pub mod findings;
pub mod json;
pub mod manual;
pub mod pattern;
pub mod policy;
pub mod reach;
pub(crate) mod reason;
pub mod scalar;
#[cfg(feature = "proptest")]
pub mod strategy;
pub mod validate;

pub use error::{Error, ErrorKind, Location};
