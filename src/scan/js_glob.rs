//! The globs JavaScript test runners write their file patterns in (micromatch, minimatch,
//! picomatch, tinyglobby): `*`, `**`, `?`, `[…]`, `{a,b}` and the extended forms
//! `?(…)`, `+(…)`, `*(…)`, `@(…)` that Jest's and Vitest's defaults use
//! (`**/*.{test,spec}.?(c|m)[jt]s?(x)`). globset has no extended forms, so a glob is
//! turned into a regular expression here. A glob this reader does not know (`!(…)`,
//! `{1..3}`) gives `None`: the caller says it cannot tell, never guesses.

use regex::Regex;

/// A compiled glob, matched against a whole `/`-separated path.
#[derive(Clone, Debug)]
pub struct Glob {
    pub text: String,
    re: Regex,
}

impl Glob {
    pub fn new(text: &str) -> Option<Glob> {
        let body = translate(text)?;
        let re = Regex::new(&format!("^(?:{body})$")).ok()?;
        Some(Glob { text: text.to_owned(), re })
    }

    pub fn is_match(&self, path: &str) -> bool {
        self.re.is_match(path)
    }
}

/// Whether `text` has any character that makes it a glob rather than a path (as
/// `glob.hasMagic` says).
pub fn has_magic(text: &str) -> bool {
    text.chars().any(|c| matches!(c, '*' | '?' | '[' | '{' | '(' | '!' | '+' | '@'))
}

fn translate(glob: &str) -> Option<String> {
    let chars: Vec<char> = glob.chars().collect();
    let mut out = String::new();
    let end = parse(&chars, 0, &mut out, None)?;
    (end == chars.len()).then_some(out)
}

/// Translates `chars[i..]` into `out` up to the end, or (inside a group) up to the `)` or
/// `}` that closes it or a `|` or `,` between alternatives. Returns where it stopped.
fn parse(chars: &[char], mut i: usize, out: &mut String, group: Option<char>) -> Option<usize> {
    while i < chars.len() {
        let c = chars[i];
        let at_segment_start = i == 0 || chars[i - 1] == '/';
        match c {
            ')' | '|' if group == Some(')') => return Some(i),
            '}' | ',' if group == Some('}') => return Some(i),
            '*' if chars.get(i + 1) == Some(&'*') && at_segment_start => {
                match chars.get(i + 2) {
                    // `**/`: any number of whole directories, none included.
                    Some('/') => {
                        out.push_str("(?:[^/]*/)*");
                        i += 3;
                    }
                    None => {
                        out.push_str(".*");
                        i += 2;
                    }
                    _ => {
                        out.push_str("[^/]*");
                        i += 2;
                    }
                }
            }
            '?' | '+' | '*' | '@' | '!' if chars.get(i + 1) == Some(&'(') => {
                if c == '!' {
                    return None;
                }
                out.push_str("(?:");
                i = alternatives(chars, i + 2, out, ')')?;
                out.push(')');
                match c {
                    '?' => out.push('?'),
                    '+' => out.push('+'),
                    '*' => out.push('*'),
                    _ => {}
                }
            }
            '*' => {
                out.push_str("[^/]*");
                i += 1;
            }
            '?' => {
                out.push_str("[^/]");
                i += 1;
            }
            '{' => {
                let close = matching(chars, i, '{', '}')?;
                let inner: String = chars[i + 1..close].iter().collect();
                if inner.contains("..") {
                    return None;
                }
                out.push_str("(?:");
                i = alternatives(chars, i + 1, out, '}')?;
                out.push(')');
            }
            '[' => {
                let close = chars[i + 1..].iter().position(|&x| x == ']').map(|p| p + i + 1)?;
                let mut class: String = chars[i + 1..close].iter().collect();
                if let Some(rest) = class.strip_prefix('!') {
                    class = format!("^{rest}");
                }
                if class.is_empty() || class.contains('[') {
                    return None;
                }
                out.push('[');
                out.push_str(&class.replace('\\', "\\\\"));
                out.push(']');
                i = close + 1;
            }
            '\\' => {
                let next = chars.get(i + 1)?;
                out.push_str(&regex::escape(&next.to_string()));
                i += 2;
            }
            _ => {
                out.push_str(&regex::escape(&c.to_string()));
                i += 1;
            }
        }
    }
    group.is_none().then_some(i)
}

/// The alternatives of a group from `i` to its closer, each a glob, joined by `|`.
/// Returns the index after the closer.
fn alternatives(chars: &[char], mut i: usize, out: &mut String, close: char) -> Option<usize> {
    loop {
        i = parse(chars, i, out, Some(close))?;
        match chars.get(i) {
            Some(&c) if c == close => return Some(i + 1),
            Some(_) => {
                out.push('|');
                i += 1;
            }
            None => return None,
        }
    }
}

fn matching(chars: &[char], i: usize, open: char, close: char) -> Option<usize> {
    let mut depth = 0;
    for (k, &c) in chars.iter().enumerate().skip(i) {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return Some(k);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(glob: &str, path: &str) -> bool {
        Glob::new(glob).unwrap_or_else(|| panic!("{glob}")).is_match(path)
    }

    #[test]
    fn the_runners_default_globs() {
        let vitest = "**/*.{test,spec}.?(c|m)[jt]s?(x)";
        for yes in ["a.test.ts", "src/a.spec.mjs", "x/y/a.test.cts", "a.test.jsx", "a.spec.tsx"] {
            assert!(m(vitest, yes), "{yes}");
        }
        for no in ["a.test.json", "atest.ts", "a.test.tsxx", "a.tests.ts", "test/a.ts"] {
            assert!(!m(vitest, no), "{no}");
        }
        let jest_dir = "**/__tests__/**/*.[jt]s?(x)";
        assert!(m(jest_dir, "/r/src/__tests__/a.js") && m(jest_dir, "__tests__/x/b.tsx"));
        assert!(!m(jest_dir, "src/__tests__.js") && !m(jest_dir, "src/__tests__/a.json"));
        let jest_name = "**/?(*.)+(spec|test).[jt]s?(x)";
        assert!(m(jest_name, "/r/a.test.js") && m(jest_name, "/r/test.js") && m(jest_name, "/r/a.b.spec.tsx"));
        assert!(!m(jest_name, "/r/atest.js") && !m(jest_name, "/r/a.test.mjs"));
        assert!(m("**/node_modules/**", "a/node_modules/b/c.js") && m("**/node_modules/**", "node_modules/x.js"));
        assert!(m("test/*.js", "test/a.js") && !m("test/*.js", "test/x/a.js"));
        assert!(m("test/**/*.spec.js", "test/a.spec.js") && m("test/**/*.spec.js", "test/x/y/a.spec.js"));
        assert!(m("**/.{idea,git,cache}/**", ".git/x") && m("a+(.js|.cjs)", "a.js"));
    }

    #[test]
    fn globs_it_does_not_know_are_none() {
        for unknown in ["!(a).js", "{1..3}.js", "a{b", "[", "a\\"] {
            assert!(Glob::new(unknown).is_none(), "{unknown}");
        }
        assert!(has_magic("test/**/*.js") && !has_magic("test/unit"));
    }
}
