//! Helpers shared by integration tests.

pub mod chat;
pub mod peers;
