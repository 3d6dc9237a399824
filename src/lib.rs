#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod catalog;
pub mod error;
pub mod json;
pub mod pattern;

pub use error::{Error, ErrorKind, Location};
