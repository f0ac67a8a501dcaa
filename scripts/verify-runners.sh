#!/usr/bin/env bash
# Runs the tests that need a test runner this machine may lack: pytest, in a
# virtualenv created here (nothing global is touched), and the go tool where it is
# installed. `cargo test` leaves them ignored; CI runs this script after the suite.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="$(mktemp -d)/venv"
trap 'rm -rf "$(dirname "$venv")"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check pytest
# `verify`'s default Python command is `python -m pytest`: the virtualenv's python.
PATH="$venv/bin:$PATH" cargo test --locked --quiet --test verify -- --ignored --exact python_tests_run_with_pytest
# pytest's own collection and skips, case by case, against what `check` says (tests/pytest_truth.rs).
PATH="$venv/bin:$PATH" cargo test --locked --quiet --test pytest_truth -- --ignored --exact pytest_does_what_the_cases_say
# The causes of wrong verdicts on real Python fixes (IG-2026-014): each makes its own
# virtualenv, lent pytest by this one.
PATH="$venv/bin:$PATH" cargo test --locked --quiet --test verify_truth -- --ignored

# The JavaScript runners' own selection of files against what `check` says
# (tests/js_truth.rs): mocha, Jest and Vitest from npm, in a directory created here.
command -v node > /dev/null && command -v npm > /dev/null || {
  echo "verify-runners: node and npm are needed for tests/js_truth.rs (apt-get install nodejs npm)" >&2
  exit 1
}
runners="$(mktemp -d)"
trap 'rm -rf "$(dirname "$venv")" "$runners"' EXIT
(cd "$runners" && npm init -y > /dev/null && npm install --silent --no-audit --no-fund mocha@10 jest@29 vitest@3 > /dev/null)
IG_JS_RUNNERS="$runners" cargo test --locked --quiet --test js_truth -- --ignored --exact verdicts_agree_with_the_real_runners

if command -v go > /dev/null; then
  cargo test --locked --quiet --test verify -- --ignored --exact go_tests_run_with_go_test
else
  echo "verify-runners: no go tool on this machine; go_tests_run_with_go_test not run"
fi
