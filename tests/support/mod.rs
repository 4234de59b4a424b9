//! Helpers shared by the integration tests: `mod support;` in a test file.

pub mod cli;
pub mod fake_salesforce;
pub mod test_key;
