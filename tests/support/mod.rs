//! What the test modules share: the binary runner, the fakes, temporary sf CLI homes, test keys,
//! file modes and the JUnit checker.

pub mod fake_rest;
pub mod fake_salesforce;
pub mod files;
pub mod junit;
pub mod server;
pub mod sf_home;
pub mod test;
pub mod test_key;

pub use test::{CLIENT_ID, NOW, Output, Test, USERNAME, fixture, fixture_path, formats, read_fixture};
