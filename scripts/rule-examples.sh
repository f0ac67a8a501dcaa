#!/usr/bin/env bash
# Builds one small repository per rule (a Rust crate `payments` with postmortems under
# postmortems/2026/) and records what `incident-guard check` prints for it, as
# OUTDIR/RULE.txt. The examples in docs/rules.md are these outputs; tests/docs.rs runs
# this script and checks that every finding it records appears in the rule's section.
#
#   scripts/rule-examples.sh path/to/incident-guard OUTDIR
set -u
IG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
mkdir -p "$2"
OUT=$(cd "$2" && pwd)
WORK="$OUT/repos"
rm -rf "$WORK"; mkdir -p "$WORK"
# `verify` runs cargo, whose toolchain rustup finds from HOME: keep its homes.
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
# Fixed identity and dates, no user or system git config: the same output everywhere.
export NO_COLOR=1 GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME="$OUT"
export GIT_AUTHOR_DATE=2026-05-04T10:00:00Z GIT_COMMITTER_DATE=2026-05-04T10:00:00Z
export GIT_AUTHOR_NAME="Dana Kim" GIT_AUTHOR_EMAIL=dana@example.com GIT_COMMITTER_NAME="Dana Kim" GIT_COMMITTER_EMAIL=dana@example.com
unset GITHUB_EVENT_PATH GITHUB_ACTIONS GITHUB_STEP_SUMMARY
LINTS_OFF='[rules]
action-item-missing-owner = "off"
action-item-missing-due = "off"
vague-action-item = "off"
blame-language = "off"
missing-section = "off"
no-prevent-action = "off"
action-item-past-sla = "off"
'
NARRATIVE='
## Summary

Payment retries sent a new idempotency key each time, so slow captures were charged twice.

## Impact

1,509 orders were charged more than once between 10:05 and 11:08 UTC.

## Timeline

| time (UTC) | event |
|---|---|
| 10:05 | first duplicate capture |
| 10:52 | alert on refund volume |
| 11:08 | retries switched off |

## Contributing factors

The retry layer generated the idempotency key per attempt, not per checkout.

## Action items

See the front matter.
'
new() { # new NAME: a fresh repository directory with lints off
  D=$WORK/$1; mkdir -p "$D/postmortems/2026" "$D/src" "$D/tests"; cd "$D"
  printf '[package]\nname = "payments"\nversion = "0.1.0"\nedition = "2021"\n' > Cargo.toml
  printf '%s' "$LINTS_OFF" > incident-guard.toml
}
pm() { # pm ID TITLE SEVERITY [EXTRA]: a published postmortem
  f="postmortems/2026/$1.md"
  printf '+++\nid = "%s"\ntitle = "%s"\ndate = 2026-03-14\nseverity = "%s"\n%s+++\n%s' "$1" "$2" "$3" "${4:-}" "$NARRATIVE" > "$f"
}
git_init() { git init -q -b main; git config commit.gpgsign false; git add -A; git commit -q -m "$1"; git checkout -q -b "${2:-feature}"; }
commit() { git add -A; git commit -q -m "$1"; }
run() { # run RULE ARGS...: record the output
  "$IG" --color never check "$@" > "$OUT/$RULE.txt" 2>&1; echo "exit $?" >> "$OUT/$RULE.txt"
}
RETRY='// incident: INC-2026-014
#[test]
fn retry_reuses_idempotency_key() {
    let gateway = FlakyGateway::timing_out_first(2);
    let key = charge_with_retries(&gateway, Money::eur(1999)).unwrap();
    assert_eq!(gateway.keys_seen(), vec![key.clone(), key.clone(), key]);
}
'

RULE=missing-regression-test; new $RULE
pm INC-2026-015 "Checkout outage: connection pools exhausted after the database failover" SEV1
printf 'pub mod pool;\n' > src/lib.rs; printf 'pub struct Pool;\n' > src/pool.rs
run --no-git

RULE=linked-test-removed; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
printf 'pub fn charge() {}\n' > src/lib.rs; printf '%s' "$RETRY" > tests/payment_retry.rs
printf '// incident: INC-2026-014\n#[test]\nfn capture_is_keyed_by_submission() {}\n' > tests/capture.rs
git_init "Payments: retries reuse the idempotency key"
printf '#[test]\nfn charges_once() {}\n' > tests/payment_retry.rs; commit "Simplify the payment tests"
run

RULE=linked-test-ignored; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
printf 'pub fn charge() {}\n' > src/lib.rs; printf '%s' "$RETRY" > tests/payment_retry.rs
git_init "Payments: retries reuse the idempotency key"
sed -i 's/^#\[test\]/#[test]\n#[ignore = "flaky on CI"]/' tests/payment_retry.rs; commit "Quarantine a flaky test"
run

RULE=action-item-without-commit; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2 '
[[action_items]]
id = "A1"
title = "Add regression test: retries reuse the idempotency key"
owner = "@payments-team"
due = 2026-04-15
status = "closed"
kind = "prevent"

[[action_items]]
id = "A2"
title = "Derive the idempotency key from the checkout submission"
owner = "@checkout-team"
due = 2026-04-30
status = "closed"
kind = "prevent"
'
printf 'pub fn charge() {}\n' > src/lib.rs; printf '%s' "$RETRY" > tests/payment_retry.rs
git init -q -b main; git config commit.gpgsign false; git add -A; git commit -q -m "Payments: retries reuse the idempotency key

Postmortem-Action: INC-2026-014#A1"
run

RULE=linked-test-not-compiled; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
printf 'pub fn charge() {}\n' > src/lib.rs; mkdir -p tests/slow; printf '%s' "$RETRY" > tests/slow/payment_retry.rs
run --no-git

nextest() { # nextest FILE TESTCASE-XML: a cargo-nextest JUnit report of the binary payments::payment_retry
  mkdir -p "$(dirname "$1")"
  printf '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="nextest-run" tests="1" failures="0" errors="0" uuid="6d2c7b2e-4f43-4b6a-9a53-2f0c1b0e9a11" time="0.071">\n    <testsuite name="payments::payment_retry" tests="1" skipped="0" errors="0" failures="0">\n%s\n    </testsuite>\n</testsuites>\n' "$2" > "$1"
}

RULE=linked-test-not-run; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
printf 'pub fn charge() {}\n' > src/lib.rs; printf '%s' "$RETRY" > tests/payment_retry.rs
printf '#[test]\nfn charges_once() {}\n' >> tests/payment_retry.rs
nextest target/nextest/ci/junit.xml '        <testcase name="charges_once" classname="payments::payment_retry" time="0.004"/>'
run --no-git --test-results target/nextest/ci/junit.xml

RULE=linked-test-failed; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
printf 'pub fn charge() {}\n' > src/lib.rs; printf '%s' "$RETRY" > tests/payment_retry.rs
nextest target/nextest/ci/junit.xml "        <testcase name=\"retry_reuses_idempotency_key\" classname=\"payments::payment_retry\" time=\"0.012\">
            <failure message=\"thread &apos;retry_reuses_idempotency_key&apos; panicked at tests/payment_retry.rs:6:5\" type=\"test failure with exit code 101\">thread &apos;retry_reuses_idempotency_key&apos; panicked at tests/payment_retry.rs:6:5:
assertion \`left == right\` failed
  left: [\"k-1\", \"k-2\", \"k-3\"]
 right: [\"k-1\", \"k-1\", \"k-1\"]</failure>
        </testcase>"
run --no-git --test-results target/nextest/ci/junit.xml

RULE=linked-test-skipped-at-runtime; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
printf 'pub fn charge() {}\n' > src/lib.rs
printf '%s' "$RETRY" | sed 's/^#\[test\]/#[test]\n#[cfg_attr(not(feature = "live-gateway"), ignore = "needs the live gateway")]/' > tests/payment_retry.rs
printf '\n[features]\nlive-gateway = []\n' >> Cargo.toml
{ printf '     Running tests/payment_retry.rs (target/debug/deps/payment_retry-3c4d5e6f7a8b9c0d)\n'
  printf '{ "type": "suite", "event": "started", "test_count": 1 }\n'
  printf '{ "type": "test", "name": "retry_reuses_idempotency_key", "event": "ignored", "message": "needs the live gateway" }\n'
  printf '{ "type": "suite", "event": "ok", "passed": 0, "failed": 0, "ignored": 1, "measured": 0, "filtered_out": 0, "exec_time": 0.0001 }\n'
} > test-results.json
run --no-git --test-results test-results.json

RULE=config-weakened; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
printf 'pub fn charge() {}\n' > src/lib.rs; printf '%s' "$RETRY" > tests/payment_retry.rs
git_init "Payments: retries reuse the idempotency key"
{ printf 'exclude = ["tests/payment_retry.rs"]\n'; printf '%s' "$LINTS_OFF"; } > incident-guard.toml; commit "Skip the slow payment tests"
run

RULE=guard-change-accepted; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
printf 'pub fn charge() {}\n' > src/lib.rs; printf '%s' "$RETRY" > tests/payment_retry.rs
git_init "Payments: retries reuse the idempotency key"
{ printf 'languages = ["rust", "python"]\nguard_change_reason = "This repository has no Go, Java or JavaScript code; the other scanners only cost time."\n'; printf '%s' "$LINTS_OFF"; } > incident-guard.toml; commit "Scan only Rust and Python"
run

RULE=unknown-incident; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
printf 'pub fn charge() {}\n' > src/lib.rs; printf '%s' "$RETRY" > tests/payment_retry.rs
printf '// incident: INC-2026-41\n#[test]\nfn refund_is_idempotent() {}\n' > tests/refund.rs
run --no-git

RULE=invalid-marker; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
printf 'pub fn charge() {}\n' > src/lib.rs; printf '%s' "$RETRY" > tests/payment_retry.rs
printf '// incident: INC-2026-014 regression for the double charge\n#[test]\nfn refund_is_idempotent() {}\n' > tests/refund.rs
run --no-git

RULE=near-miss-marker; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
printf 'pub fn charge() {}\n' > src/lib.rs; printf '%s' "$RETRY" > tests/payment_retry.rs
printf '// Incident INC-2026-014\n#[test]\nfn refund_is_idempotent() {}\n' > tests/refund.rs
run --no-git

RULE=invalid-postmortem; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
sed -i 's/^date = 2026-03-14/date = "2026-03-14"/; s/^severity = /severty = /' postmortems/2026/INC-2026-014.md
printf 'pub fn charge() {}\n' > src/lib.rs; printf '%s' "$RETRY" > tests/payment_retry.rs
run --no-git

RULE=duplicate-incident-id; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
cp postmortems/2026/INC-2026-014.md postmortems/2026/INC-2026-014-copy.md
sed -i 's/^title = .*/title = "Refunds delayed by the settlement batch"/' postmortems/2026/INC-2026-014-copy.md
mv postmortems/2026/INC-2026-014-copy.md postmortems/2026/INC-2026-014-refunds.md
printf 'pub fn charge() {}\n' > src/lib.rs; printf '%s' "$RETRY" > tests/payment_retry.rs
run --no-git

RULE=unparsable-source; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
printf 'pub fn charge() {}\n' > src/lib.rs
printf '%s' "$RETRY" | sed 's/let key = /let key = charge_with_retries(/' > tests/payment_retry.rs
run --no-git

RULE=marker-on-non-test; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
printf 'pub fn charge() {}\n' > src/lib.rs; printf '%s' "$RETRY" > tests/payment_retry.rs
printf '// incident: INC-2026-014\nfn flaky_gateway() -> FlakyGateway {\n    FlakyGateway::timing_out_first(2)\n}\n' > tests/support.rs
run --no-git

RULE=linked-test-skipped-conditionally; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
printf 'pub fn charge() {}\n' > src/lib.rs
printf '%s' "$RETRY" | sed 's/^#\[test\]/#[test]\n#[cfg(feature = "live-gateway")]/' > tests/payment_retry.rs
printf '\n[features]\nlive-gateway = []\n' >> Cargo.toml
run --no-git

RULE=linked-test-moved; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
printf 'pub fn charge() {}\n' > src/lib.rs; printf '%s' "$RETRY" > tests/payment_retry.rs
git_init "Payments: retries reuse the idempotency key"
git mv tests/payment_retry.rs tests/retries.rs; sed -i 's/retry_reuses_idempotency_key/every_attempt_sends_the_same_idempotency_key/' tests/retries.rs; commit "Group the retry tests"
run

RULE=stale-retirement; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2 '
[[retired_tests]]
test = "tests/payment_retry.rs::retry_reuses_idempotency_key"
reason = "The legacy retry client is gone (PAY-812)."
'
printf 'pub fn charge() {}\n' > src/lib.rs; printf '%s' "$RETRY" > tests/payment_retry.rs
git_init "Payments: retries reuse the idempotency key"
printf '// more\n' >> src/lib.rs; commit "Tidy"
run

RULE=touches-incident-code; new $RULE
pm INC-2026-015 "Checkout outage: connection pools exhausted after the database failover" SEV1
printf 'pub mod pool;\n' > src/lib.rs; printf 'pub struct Pool;\n' > src/pool.rs
git init -q -b main; git config commit.gpgsign false; git add -A; git commit -q -m "Payments service"
printf 'pub struct Pool;\n\nimpl Pool {\n    pub fn replace_invalidated(&mut self) {}\n}\n' > src/pool.rs
printf '// incident: INC-2026-015\n#[test]\nfn pool_replaces_connections_after_failover() {}\n' > tests/pool_failover.rs
commit "Replace the connections a failover invalidates"
FIX=$(git rev-parse --short=10 HEAD)
pm INC-2026-015 "Checkout outage: connection pools exhausted after the database failover" SEV1 "fix_commits = [\"$FIX\"]
"
mkdir -p src/db; git mv src/pool.rs src/db/pool.rs; printf '#[path = "db/pool.rs"]\npub mod pool;\n' > src/lib.rs
commit "Postmortem INC-2026-015; the pool moves to src/db/"
git checkout -q -b feature
printf '\npub const MAX_IDLE: usize = 4;\n' >> src/db/pool.rs; commit "Keep fewer idle connections"
run

RULE=incident-code-not-found; new $RULE
pm INC-2026-015 "Checkout outage: connection pools exhausted after the database failover" SEV1 'paths = ["src/pool.rs", "src/db/**"]
fix_commits = ["3f9c2a7e"]
'
printf 'pub mod pool;\n' > src/lib.rs; printf 'pub struct Pool;\n' > src/pool.rs
printf '// incident: INC-2026-015\n#[test]\nfn pool_replaces_connections_after_failover() {}\n' > tests/pool_failover.rs
git_init "Payments service"
run

RULE=history-skipped; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
printf 'pub fn charge() {}\n' > src/lib.rs; printf '%s' "$RETRY" > tests/payment_retry.rs
run

RULE=overdue-action-item; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2 '
[[action_items]]
id = "A3"
title = "Alert when an order has more than one captured charge"
owner = "@payments-team"
due = 2026-04-30
status = "in-progress"
kind = "detect"
'
printf 'pub fn charge() {}\n' > src/lib.rs; printf '%s' "$RETRY" > tests/payment_retry.rs
run --no-git --today 2026-05-12

lint() { # lint RULE: a repository with that rule's lint on (others off)
  RULE=$1; new $RULE; grep -v "^$RULE = " incident-guard.toml > x && mv x incident-guard.toml
  printf 'pub fn charge() {}\n' > src/lib.rs; printf '%s' "$RETRY" > tests/payment_retry.rs
}
lint action-item-missing-owner
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2 '
[[action_items]]
id = "A2"
title = "Derive the idempotency key from the checkout submission"
owner = "TBD"
due = 2026-04-30
kind = "prevent"
'
run --no-git --today 2026-04-01

lint action-item-missing-due
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2 '
[[action_items]]
id = "A2"
title = "Derive the idempotency key from the checkout submission"
owner = "@checkout-team"
kind = "prevent"
'
run --no-git --today 2026-04-01

lint vague-action-item
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2 '
[[action_items]]
id = "A3"
title = "Improve monitoring"
owner = "@payments-team"
due = 2026-04-30
kind = "detect"
'
run --no-git --today 2026-04-01

lint blame-language
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
sed -i 's/^The retry layer generated.*/Root cause: human error. The reviewer should have known the key changed per attempt./' postmortems/2026/INC-2026-014.md
run --no-git

lint missing-section
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
sed -i 's/^## Timeline/## What happened/' postmortems/2026/INC-2026-014.md
run --no-git

lint no-prevent-action
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2 '
[[action_items]]
id = "A1"
title = "Refund every duplicate charge"
owner = "@payments-team"
due = 2026-03-16
status = "closed"
kind = "mitigate"
commits = []

[[action_items]]
id = "A2"
title = "Add the retry layer to the payments review checklist"
owner = "@platform-team"
due = 2026-04-30
kind = "process"
'
sed -i 's/status = "closed"/status = "wontfix"\nreason = "Done by hand by the support team on the day."/' postmortems/2026/INC-2026-014.md
run --no-git --today 2026-04-01

lint action-item-past-sla
pm INC-2026-015 "Checkout outage: connection pools exhausted after the database failover" SEV1 '
[[action_items]]
id = "A1"
title = "Validate idle connections before handing them out"
owner = "@platform-team"
due = 2026-06-30
status = "open"
kind = "prevent"
'
sed -i 's/INC-2026-014/INC-2026-015/' tests/payment_retry.rs
run --no-git --today 2026-04-20

RULE=history-unavailable; new $RULE
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2
printf 'pub fn charge() {}\n' > src/lib.rs; printf '%s' "$RETRY" > tests/payment_retry.rs
git_init "Payments: retries reuse the idempotency key"
run --base release-2026.04

# The verify rules: `verify --record` runs the tests for real (cargo, without and with the
# fix), and `check` reports from the proofs it recorded.
RULE=linked-test-does-not-catch; new $RULE
printf 'pub fn idempotency_key(checkout: u32, attempt: u32) -> String {\n    format!("{checkout}-{attempt}")\n}\n' > src/lib.rs
printf '# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n\n[[package]]\nname = "payments"\nversion = "0.1.0"\n' > Cargo.lock
git init -q -b main; git config commit.gpgsign false; git add -A; git commit -q -m "Payments: retries"
printf 'pub fn idempotency_key(checkout: u32, _attempt: u32) -> String {\n    format!("{checkout}")\n}\n' > src/lib.rs
printf '// incident: INC-2026-014\n#[test]\nfn retry_reuses_idempotency_key() {\n    assert_eq!(payments::idempotency_key(7, 1), payments::idempotency_key(7, 2));\n}\n\n// incident: INC-2026-014\n#[test]\nfn key_names_the_checkout() {\n    assert!(payments::idempotency_key(7, 1).starts_with(\x277\x27));\n}\n' > tests/payment_retry.rs
commit "Retries reuse the checkout's idempotency key"
FIX=$(git rev-parse --short=10 HEAD)
pm INC-2026-014 "Customers charged twice when payment retries used a new idempotency key" SEV2 "fix_commits = [\"$FIX\"]
"
commit "Postmortem INC-2026-014"
"$IG" verify --record > "$OUT/verify.txt" 2>&1
run

RULE=linked-test-unverified
printf '%slinked-test-unverified = "warning"\n' "$LINTS_OFF" > incident-guard.toml
sed -i 's/idempotency_key(7, 2)/idempotency_key(7, 3)/' tests/payment_retry.rs
run
