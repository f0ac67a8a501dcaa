//! pytest's collection rules, read from its configuration.

use super::TestVerdict;
use crate::scan::TestCase;
use std::path::Path;

/// Verdicts for the linked Python tests.
pub fn judge(_root: &Path, _tests: &[&TestCase]) -> Vec<TestVerdict> {
    Vec::new()
}
