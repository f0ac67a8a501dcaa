//! Which files cargo compiles.

use super::TestVerdict;
use crate::scan::TestCase;
use std::path::Path;

/// Verdicts for the linked Rust tests.
pub fn judge(_root: &Path, _tests: &[&TestCase]) -> Vec<TestVerdict> {
    Vec::new()
}
