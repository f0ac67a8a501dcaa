//! The two kinds of pattern pytest's settings hold. `python_files`, `python_classes`,
//! `python_functions` and `norecursedirs` use Python's `fnmatch` (`*` matches anything,
//! `/` included); `testpaths` entries are expanded by `glob` (`*` stays inside one path
//! component, `**` spans any number of them, and neither matches a name starting with
//! `.` unless the pattern does).

/// Python's `fnmatch.fnmatchcase`: `*`, `?`, `[seq]`, `[!seq]`; an unclosed `[` is literal.
pub fn fnmatch(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative matching with one backtrack point for the last `*`: linear in practice,
    // never exponential.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' => {
                    if let Some((matched, next)) = class(&p, pi, n[ni]) {
                        if matched {
                            pi = next;
                            ni += 1;
                            continue;
                        }
                    } else if n[ni] == '[' {
                        pi += 1;
                        ni += 1;
                        continue;
                    }
                }
                c if c == n[ni] => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, sn)) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A `[…]` class at `p[at]`: whether `c` is in it and the index after it, or `None` when
/// the `[` is not closed (then it is a literal `[`).
fn class(p: &[char], at: usize, c: char) -> Option<(bool, usize)> {
    let mut i = at + 1;
    let negated = p.get(i) == Some(&'!');
    if negated {
        i += 1;
    }
    // A `]` right after `[` or `[!` is a member, not the end.
    let first = i;
    let mut found = false;
    while i < p.len() && (p[i] != ']' || i == first) {
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|&e| e != ']') {
            found |= p[i] <= c && c <= p[i + 2];
            i += 3;
        } else {
            found |= p[i] == c;
            i += 1;
        }
    }
    (i < p.len()).then_some((found != negated, i + 1))
}

/// pytest's `fnmatch_ex`: a pattern without `/` matches the last component of `path`,
/// one with `/` matches the whole path (as `*/pattern`).
pub fn fnmatch_path(pattern: &str, path: &str) -> bool {
    if pattern.contains('/') {
        fnmatch(&format!("*/{pattern}"), &format!("/{path}"))
    } else {
        fnmatch(pattern, path.rsplit('/').next().unwrap_or(path))
    }
}

/// pytest's rule for `python_classes` and `python_functions`: a prefix, or a glob when
/// the option has glob characters.
pub fn prefix_or_glob(option: &str, name: &str) -> bool {
    name.starts_with(option) || (option.contains(['*', '?', '[']) && fnmatch(option, name))
}

pub fn has_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

/// Whether the path components `path` match the `glob` components `pattern` exactly.
pub fn glob_components(pattern: &[&str], path: &[&str]) -> bool {
    // Positions in `pattern` reachable after each prefix of `path`; `**` may take none.
    let mut states = vec![false; pattern.len() + 1];
    states[0] = true;
    let close = |states: &mut Vec<bool>| {
        for i in 0..pattern.len() {
            if states[i] && pattern[i] == "**" {
                states[i + 1] = true;
            }
        }
    };
    close(&mut states);
    for part in path {
        let mut next = vec![false; pattern.len() + 1];
        for i in 0..pattern.len() {
            if !states[i] {
                continue;
            }
            let hidden = part.starts_with('.') && !pattern[i].starts_with('.');
            if pattern[i] == "**" {
                if !hidden {
                    next[i] = true;
                    next[i + 1] = true;
                }
            } else if !hidden && fnmatch(pattern[i], part) {
                next[i + 1] = true;
            }
        }
        close(&mut next);
        states = next;
    }
    states[pattern.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnmatch_like_python() {
        assert!(fnmatch("test_*.py", "test_pool.py"));
        assert!(!fnmatch("test_*.py", "tests_pool.py"));
        assert!(fnmatch("*_test.py", "pool_test.py"));
        assert!(fnmatch("*", "a/b"));
        assert!(fnmatch("a?c", "abc") && !fnmatch("a?c", "ac"));
        assert!(fnmatch("[ab]x", "bx") && !fnmatch("[!ab]x", "bx") && fnmatch("[!ab]x", "cx"));
        assert!(fnmatch("[a-c]", "b") && !fnmatch("[a-c]", "d"));
        assert!(fnmatch("{arch}", "{arch}"));
        assert!(fnmatch("[x", "[x"));
        assert!(fnmatch("*.egg", "pkg.egg") && fnmatch(".*", ".git") && !fnmatch(".*", "git"));
        assert!(!fnmatch(&"*a".repeat(30), &"a".repeat(29)));
    }

    #[test]
    fn fnmatch_ex_and_prefixes() {
        assert!(fnmatch_path("build", "src/build"));
        assert!(!fnmatch_path("build", "build/src"));
        assert!(fnmatch_path("tests/legacy", "tests/legacy"));
        assert!(fnmatch_path("legacy/*", "a/legacy/old"));
        assert!(prefix_or_glob("Test", "TestPool"));
        assert!(!prefix_or_glob("Test", "PoolTest"));
        assert!(prefix_or_glob("*Suite", "PoolSuite"));
        assert!(prefix_or_glob("check", "check_x") && !prefix_or_glob("check_*", "test_x"));
    }

    #[test]
    fn glob_components_like_python_glob() {
        let g = |p: &str, path: &str| {
            glob_components(&p.split('/').collect::<Vec<_>>(), &path.split('/').collect::<Vec<_>>())
        };
        assert!(g("tests/*", "tests/unit"));
        assert!(!g("tests/*", "tests/unit/deep"));
        assert!(g("tests/**", "tests/unit/deep") && g("tests/**", "tests"));
        assert!(g("**/unit", "a/b/unit") && g("**/unit", "unit"));
        assert!(!g("*", ".hidden") && g(".*", ".hidden"));
        assert!(g("pkg*/tests", "pkg_a/tests"));
    }
}
