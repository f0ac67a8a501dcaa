"""Generates realistic-looking Rust source files for the benchmarks (shared by
scan_tree.sh and history.sh): plain functions plus a `#[cfg(test)] mod tests` whose one
test carries an `// incident: ID` marker when the file is given an incident."""

NOUNS = ["order", "cart", "payment", "invoice", "session", "token", "retry", "pool",
         "queue", "shard", "ledger", "refund", "coupon", "price", "stock", "shipment"]
VERBS = ["compute", "validate", "normalize", "merge", "split", "apply", "resolve",
         "encode", "decode", "schedule", "reconcile", "clamp"]


def function(rng, name):
    n = rng.randint(6, 14)
    body = [f"pub fn {name}(input: &[u64], limit: u64) -> u64 {{",
            "    let mut acc: u64 = 0;"]
    for k in range(n - 4):
        op = rng.choice(["wrapping_add", "wrapping_mul", "saturating_sub", "max", "min"])
        body.append(f"    acc = acc.{op}(input.get({k}).copied().unwrap_or({rng.randint(1, 99)}));")
    body += ["    if acc > limit { limit } else { acc }", "}", ""]
    return body

def rust_file(rng, idx, incident):
    lines = [f"//! Module {idx}: helpers for the {rng.choice(NOUNS)} service.", "",
             "use std::collections::HashMap;", ""]
    names = []
    target = rng.randint(100, 200)
    while len(lines) < target - 30:
        name = f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}_{len(names)}"
        names.append(name)
        lines += [f"/// {name.replace('_', ' ').capitalize()}."] + function(rng, name)
    lines += ["pub fn table() -> HashMap<&'static str, u64> {",
              "    let mut m = HashMap::new();"]
    for n in names[:3]:
        lines.append(f'    m.insert("{n}", {n}(&[1, 2, 3], 1000));')
    lines += ["    m", "}", "", "#[cfg(test)]", "mod tests {", "    use super::*;", ""]
    n_tests = rng.randint(3, 5)
    marked = rng.randrange(n_tests) if incident else -1
    for t in range(n_tests):
        fn = names[t % len(names)]
        if t == marked:
            lines.append(f"    // incident: {incident}")
        lines += ["    #[test]", f"    fn {fn}_stays_within_limit_{t}() {{",
                  f"        let v = {fn}(&[{rng.randint(1, 9)}, {rng.randint(1, 9)}], 500);",
                  "        assert!(v <= 500);", "    }", ""]
    lines += ["}"]
    return "\n".join(lines) + "\n"
