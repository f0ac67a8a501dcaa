//! The literal part of a JavaScript or JSON(C) config file: what `module.exports = …`,
//! `export default …` (through `defineConfig(…)`, `satisfies T`, a `const` it names)
//! or a JSON document is, as far as it is made of literals. A value built at run time
//! (a call, a spread, a variable from elsewhere) is `Computed`, with its source text, so
//! that a reader of the config can say which setting it cannot read rather than guess.

use super::clike::{self, Dialect, Lexed, TokKind};

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(String),
    Bool(bool),
    Num(f64),
    Null,
    Array(Vec<Value>),
    /// The keys in order; `open` when a spread or a computed key may add others.
    Object {
        entries: Vec<(String, Value)>,
        open: bool,
    },
    Computed(String),
}

impl Value {
    /// The entry `key` of an object: `None` when it has no such key, `Computed` when a
    /// spread or computed key may set it.
    pub fn get(&self, key: &str) -> Option<Value> {
        match self {
            Value::Object { entries, open } => entries
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .or_else(|| open.then(|| Value::Computed(format!("a spread or computed key that may set `{key}`")))),
            Value::Computed(s) => Some(Value::Computed(s.clone())),
            _ => None,
        }
    }

    /// A list of strings (one string counts as a list of one), or what is not literal.
    pub fn strings(&self) -> Result<Vec<String>, String> {
        match self {
            Value::Str(s) => Ok(vec![s.clone()]),
            Value::Array(items) => items
                .iter()
                .map(|v| match v {
                    Value::Str(s) => Ok(s.clone()),
                    Value::Computed(s) => Err(s.clone()),
                    other => Err(format!("{other:?}")),
                })
                .collect(),
            Value::Computed(s) => Err(s.clone()),
            other => Err(format!("{other:?}")),
        }
    }
}

/// The value a JavaScript (or TypeScript) config module exports, or a JSON(C) document.
pub fn exported(text: &str, typescript: bool) -> Value {
    exported_with(text, typescript, &[])
}

/// `exported`, where the names in `known` (`defaultExclude`, `configDefaults.exclude`:
/// what a runner's own module exports) have the values given, when the file does not
/// bind them itself. `...name` in an array splices a known list.
pub fn exported_with(text: &str, typescript: bool, known: &[(&str, Value)]) -> Value {
    let dialect = if typescript { Dialect::TYPESCRIPT } else { Dialect::JAVASCRIPT };
    let lexed = clike::lex(text, &dialect);
    let toks = &lexed.tokens;
    if toks.first().is_some_and(|t| t.is_punct('{') || t.is_punct('[')) {
        return Reader { lexed: &lexed, depth: 0, known }.value(0, toks.len());
    }
    let r = Reader { lexed: &lexed, depth: 0, known };
    for k in 0..toks.len() {
        let prev_dot = k > 0 && toks[k - 1].is_punct('.');
        let start = if toks[k].is("export") && toks.get(k + 1).is_some_and(|d| d.is("default")) {
            Some(k + 2)
        } else if toks[k].is("module")
            && !prev_dot
            && toks.get(k + 1).is_some_and(|d| d.is_punct('.'))
            && toks.get(k + 2).is_some_and(|e| e.is("exports"))
            && toks.get(k + 3).is_some_and(|e| e.is_punct('='))
            && !toks.get(k + 4).is_some_and(|e| e.is_punct('='))
        {
            Some(k + 4)
        } else {
            None
        };
        if let Some(start) = start {
            let end = super::js_cond::statement_end(&lexed, start);
            let end = if toks.get(end).is_some_and(|t| t.is_punct(';')) { end } else { end + 1 };
            return r.value(start, end);
        }
    }
    Value::Computed("no `export default` or `module.exports =` with a literal value".to_owned())
}

struct Reader<'l, 'a> {
    lexed: &'l Lexed<'a>,
    depth: usize,
    known: &'l [(&'l str, Value)],
}

impl Reader<'_, '_> {
    /// The value of a dotted name (`configDefaults.exclude`) at `from..to`, from the file's
    /// own bindings or the known names.
    fn path_value(&self, from: usize, to: usize) -> Option<Value> {
        let toks = &self.lexed.tokens;
        let mut names = Vec::new();
        for (n, k) in (from..to).enumerate() {
            let t = toks.get(k)?;
            if n % 2 == 0 && t.kind == TokKind::Ident {
                names.push(t.text);
            } else if n % 2 == 1 && t.is_punct('.') {
            } else {
                return None;
            }
        }
        if names.is_empty() || (to - from).is_multiple_of(2) {
            return None;
        }
        if names.len() == 1
            && let Some(v) = self.binding(names[0])
        {
            return Some(v);
        }
        let dotted = names.join(".");
        self.known.iter().find(|(k, _)| *k == dotted).map(|(_, v)| v.clone())
    }

    fn text(&self, from: usize, to: usize) -> String {
        let toks = &self.lexed.tokens;
        if from >= to || to > toks.len() {
            return String::new();
        }
        let end = toks[to - 1].start + toks[to - 1].text.len();
        self.lexed.src.get(toks[from].start..end).unwrap_or("").to_owned()
    }

    fn computed(&self, from: usize, to: usize) -> Value {
        let mut text = self.text(from, to);
        if text.chars().count() > 80 {
            text = text.chars().take(77).collect::<String>() + "...";
        }
        Value::Computed(format!("`{text}`"))
    }

    /// The value of the expression `from..to`.
    fn value(&self, from: usize, to: usize) -> Value {
        let toks = &self.lexed.tokens;
        let to = to.min(toks.len());
        if from >= to || self.depth > 32 {
            return self.computed(from, to);
        }
        // `x satisfies T`, `x as T`: the type says nothing of the value.
        let cut = (from..to)
            .find(|&k| (toks[k].is("satisfies") || toks[k].is("as")) && k > from && self.lexed.close_of(k) == k);
        if let Some(cut) = cut.filter(|&c| self.top_level(from, c)) {
            return self.inner().value(from, cut);
        }
        let first = &toks[from];
        let close = self.lexed.close_of(from);
        if first.is_punct('(') && close + 1 == to {
            return self.inner().value(from + 1, close);
        }
        if first.is_punct('{') && close + 1 == to {
            return self.object(from + 1, close);
        }
        if first.is_punct('[') && close + 1 == to {
            return self.array(from + 1, close);
        }
        // `defineConfig({…})` and the like: the helpers return their argument.
        if first.kind == TokKind::Ident
            && matches!(first.text, "defineConfig" | "defineProject" | "defineWorkspace")
            && toks.get(from + 1).is_some_and(|p| p.is_punct('('))
            && self.lexed.close_of(from + 1) + 1 == to
        {
            return self.inner().value(from + 2, self.lexed.close_of(from + 1));
        }
        if to - from == 1 {
            return match first.kind {
                TokKind::Lit => self.lexed.string_value(from).map_or_else(|| self.computed(from, to), Value::Str),
                TokKind::Num => first.text.parse().map_or_else(|_| self.computed(from, to), Value::Num),
                TokKind::Ident => match first.text {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "null" => Value::Null,
                    _ => self.path_value(from, to).unwrap_or_else(|| self.computed(from, to)),
                },
                TokKind::Punct => self.computed(from, to),
            };
        }
        self.path_value(from, to).unwrap_or_else(|| self.computed(from, to))
    }

    fn top_level(&self, from: usize, at: usize) -> bool {
        let mut k = from;
        while k < at {
            let t = &self.lexed.tokens[k];
            if t.kind == TokKind::Punct && matches!(t.text, "(" | "[" | "{") {
                k = self.lexed.close_of(k).max(k) + 1;
                if k > at {
                    return false;
                }
                continue;
            }
            k += 1;
        }
        true
    }

    /// The value of a top-level `const name = …` in the file.
    fn binding(&self, name: &str) -> Option<Value> {
        let toks = &self.lexed.tokens;
        let k = (0..toks.len().saturating_sub(3)).find(|&k| {
            (toks[k].is("const") || toks[k].is("let") || toks[k].is("var"))
                && toks[k + 1].is(name)
                && (toks[k + 2].is_punct('=') || toks[k + 2].is_punct(':'))
        })?;
        let mut start = k + 3;
        if toks[k + 2].is_punct(':') {
            // `const config: Config = …`
            start = (k + 3..toks.len()).find(|&m| toks[m].is_punct('=') && self.top_level(k + 3, m))? + 1;
        }
        let end = super::js_cond::statement_end(self.lexed, start);
        let end = if toks.get(end).is_some_and(|t| t.is_punct(';')) { end } else { end + 1 };
        Some(Reader { lexed: self.lexed, depth: self.depth + 1, known: self.known }.value(start, end))
    }

    /// The comma-separated parts of `from..to`, at the top level.
    fn parts(&self, from: usize, to: usize) -> Vec<(usize, usize)> {
        let toks = &self.lexed.tokens;
        let mut out = Vec::new();
        let mut start = from;
        let mut k = from;
        while k < to {
            let t = &toks[k];
            if t.kind == TokKind::Punct && matches!(t.text, "(" | "[" | "{") {
                k = self.lexed.close_of(k).max(k) + 1;
                continue;
            }
            if t.is_punct(',') {
                out.push((start, k));
                start = k + 1;
            }
            k += 1;
        }
        if start < to {
            out.push((start, to));
        }
        out
    }

    fn inner(&self) -> Reader<'_, '_> {
        Reader { lexed: self.lexed, depth: self.depth + 1, known: self.known }
    }

    fn array(&self, from: usize, to: usize) -> Value {
        let toks = &self.lexed.tokens;
        let mut items = Vec::new();
        for (a, b) in self.parts(from, to) {
            if toks[a].is_punct('.') {
                // `...list`: a list this reader knows, spliced in.
                let spread = (b > a + 3 && toks[a + 1].is_punct('.') && toks[a + 2].is_punct('.'))
                    .then(|| self.inner().path_value(a + 3, b))
                    .flatten();
                match spread {
                    Some(Value::Array(more)) => items.extend(more),
                    _ => return self.computed(from, to),
                }
                continue;
            }
            items.push(self.inner().value(a, b));
        }
        Value::Array(items)
    }

    fn object(&self, from: usize, to: usize) -> Value {
        let toks = &self.lexed.tokens;
        let mut entries = Vec::new();
        let mut open = false;
        for (a, b) in self.parts(from, to) {
            let key = &toks[a];
            if key.is_punct('.') || key.is_punct('[') {
                open = true;
                continue;
            }
            let name = match key.kind {
                TokKind::Ident | TokKind::Num => key.text.to_owned(),
                TokKind::Lit => match self.lexed.string_value(a) {
                    Some(s) => s,
                    None => {
                        open = true;
                        continue;
                    }
                },
                TokKind::Punct => {
                    open = true;
                    continue;
                }
            };
            let value = if toks.get(a + 1).is_some_and(|c| c.is_punct(':')) {
                self.inner().value(a + 2, b)
            } else if b == a + 1 {
                // `{ include }`: the binding of that name.
                self.binding(&name).unwrap_or_else(|| self.computed(a, b))
            } else {
                // A method, `get x()`, …
                self.computed(a, b)
            };
            entries.push((name, value));
        }
        Value::Object { entries, open }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &[&str]) -> Value {
        Value::Array(v.iter().map(|s| Value::Str((*s).to_owned())).collect())
    }

    #[test]
    fn exported_literals_through_define_config_and_bindings() {
        let src = "import { defineConfig } from 'vitest/config';\nconst include = ['src/**/*.test.ts'];\nexport default defineConfig({\n  plugins: [react()],\n  test: {\n    include,\n    exclude: [\"e2e/**\", `x`],\n    // comment\n    globals: true,\n  },\n});\n";
        let v = exported(src, true);
        let test = v.get("test").unwrap();
        assert_eq!(test.get("include"), Some(strs(&["src/**/*.test.ts"])));
        assert_eq!(test.get("exclude"), Some(strs(&["e2e/**", "x"])));
        assert_eq!(test.get("globals"), Some(Value::Bool(true)));
        assert!(matches!(v.get("plugins"), Some(Value::Array(ref a)) if matches!(a[0], Value::Computed(_))));
        assert_eq!(test.get("root"), None);
    }

    #[test]
    fn module_exports_json_and_what_is_computed() {
        let v = exported(
            "/** @type {import('jest').Config} */\nconst config = {\n  testMatch: ['**/*.spec.js'],\n  ...base,\n};\nmodule.exports = config;\n",
            false,
        );
        assert_eq!(v.get("testMatch"), Some(strs(&["**/*.spec.js"])));
        assert!(matches!(v.get("roots"), Some(Value::Computed(_))), "a spread may set it");
        let v = exported("{ // c\n \"spec\": \"test/**/*.spec.js\", \"recursive\": true }", false);
        assert_eq!(v.get("spec").unwrap().strings(), Ok(vec!["test/**/*.spec.js".to_owned()]));
        let v = exported("export default defineConfig(({ mode }) => ({ test: {} }));", true);
        assert!(matches!(v.get("test"), Some(Value::Computed(_))));
        let v = exported("module.exports = { testMatch: [dir + '/*.js'] };", false);
        assert!(v.get("testMatch").unwrap().strings().is_err());
        let v = exported("const c: UserConfig = { test: { include: ['a'] } } satisfies X;\nexport default c;", true);
        assert_eq!(v.get("test").unwrap().get("include"), Some(strs(&["a"])));
        assert!(matches!(exported("", false), Value::Computed(_)));
        let deep = format!("module.exports = {}{{}}{};", "(".repeat(100_000), ")".repeat(100_000));
        assert!(matches!(exported(&deep, false), Value::Computed(_)));
        let deep = format!("module.exports = {}1{};", "[".repeat(100_000), "]".repeat(100_000));
        let _ = exported(&deep, false);
        let known = [("configDefaults.exclude", strs(&["**/node_modules/**"]))];
        let v =
            exported_with("export default { test: { exclude: [...configDefaults.exclude, 'e2e/**'] } }", true, &known);
        assert_eq!(v.get("test").unwrap().get("exclude"), Some(strs(&["**/node_modules/**", "e2e/**"])));
        let v = exported_with("export default { test: { exclude: [...other, 'e2e/**'] } }", true, &known);
        assert!(v.get("test").unwrap().get("exclude").unwrap().strings().is_err());
    }
}
