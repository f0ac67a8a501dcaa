//! The mutation engine: a deterministic PRNG and the byte-level mutations that turn a
//! corpus entry into the next input. Everything is seeded per target, so a run is
//! reproduced exactly by running it again with the same `FUZZ_ITERS`.

/// xorshift64*: tiny, fast, and good enough to pick mutations.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // A zero state would stay zero; any other seed works.
        Rng(seed.max(1))
    }

    /// Seeded from a name, so each target draws its own sequence.
    pub fn for_target(name: &str, salt: u64) -> Rng {
        Rng::new(fnv1a(name.as_bytes()) ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    /// A length that is usually small and sometimes large.
    pub fn len(&mut self, max: usize) -> usize {
        let cap = match self.below(8) {
            0..=4 => 8,
            5 | 6 => 64,
            _ => max,
        };
        self.below(cap.min(max) + 1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// FNV-1a: names saved inputs and seeds the per-target PRNGs.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Tokens that matter to every parser here: line structure, encodings, nesting.
pub const COMMON_DICT: &[&[u8]] = &[
    b"\n",
    b"\r\n",
    b"\r",
    b"\0",
    b"\t",
    b" ",
    b"\xff",
    b"\xc3",
    b"\xe2\x80",
    b"\xef\xbb\xbf",
    "é".as_bytes(),
    "\u{202e}".as_bytes(),
    "𝔸".as_bytes(),
    b"incident:",
    b"incident: INC-1",
    b"incident: A-1, B-2 bad#1",
    b"INCIDENT:",
    b"incident:,,",
    b"\"",
    b"'",
    b"\\",
    b"{",
    b"}",
    b"(",
    b")",
    b"[",
    b"]",
    b"((((((((((((((((",
    b"[[[[[[[[[[[[[[[[",
    b"{{{{{{{{{{{{{{{{",
    b"))))))))",
];

/// Caps the size of generated inputs: large enough for long lines and deep nesting,
/// small enough that every execution stays fast.
pub const MAX_LEN: usize = 64 * 1024;

/// Mutates `data` in place with one to a few stacked mutations. `corpus` supplies splice
/// partners; `dict` the target's tokens (tried alongside `COMMON_DICT`).
pub fn mutate(rng: &mut Rng, data: &mut Vec<u8>, corpus: &[Vec<u8>], dict: &[&[u8]]) {
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        mutate_once(rng, data, corpus, dict);
    }
    data.truncate(MAX_LEN);
}

fn token<'a>(rng: &mut Rng, dict: &[&'a [u8]]) -> &'a [u8] {
    if !dict.is_empty() && !rng.chance(4) {
        dict[rng.below(dict.len())]
    } else {
        COMMON_DICT[rng.below(COMMON_DICT.len())]
    }
}

/// A position in `data`, preferring line starts half of the time: most syntax here is
/// line-oriented, so inserting at a line start keeps more of the input meaningful.
fn position(rng: &mut Rng, data: &[u8]) -> usize {
    let at = rng.below(data.len() + 1);
    if rng.chance(2) {
        return at;
    }
    data[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)
}

fn mutate_once(rng: &mut Rng, data: &mut Vec<u8>, corpus: &[Vec<u8>], dict: &[&[u8]]) {
    match rng.below(14) {
        // Flip a bit.
        0 if !data.is_empty() => {
            let i = rng.below(data.len());
            data[i] ^= 1 << rng.below(8);
        }
        // Replace a byte with an interesting one.
        1 if !data.is_empty() => {
            let i = rng.below(data.len());
            data[i] =
                *rng.pick(&[0u8, b'\n', b'\r', b' ', b'"', b'\'', b'\\', b'#', b'/', b'*', 0x80, 0xff, b':', b'{']);
        }
        // Delete a range.
        2 if !data.is_empty() => {
            let at = rng.below(data.len());
            let len = rng.len(data.len() - at);
            data.drain(at..at + len);
        }
        // Duplicate a range somewhere.
        3 if !data.is_empty() => {
            let at = rng.below(data.len());
            let len = rng.len(data.len() - at).max(1);
            let chunk = data[at..at + len].to_vec();
            let to = rng.below(data.len() + 1);
            data.splice(to..to, chunk);
        }
        // Insert a dictionary token (the most productive mutation: weighted up).
        4..=6 => {
            let t = token(rng, dict);
            let at = position(rng, data);
            data.splice(at..at, t.iter().copied());
        }
        // Overwrite with a dictionary token.
        7 if !data.is_empty() => {
            let t = token(rng, dict);
            let at = rng.below(data.len());
            let end = (at + t.len()).min(data.len());
            data.splice(at..end, t.iter().copied());
        }
        // Splice: keep a prefix of this input, then a suffix of another.
        8 if !corpus.is_empty() => {
            let other = rng.pick(corpus);
            let cut = rng.below(data.len() + 1);
            let from = rng.below(other.len() + 1);
            data.truncate(cut);
            data.extend_from_slice(&other[from..]);
        }
        // Insert a range of another corpus entry.
        9 if !corpus.is_empty() => {
            let other = rng.pick(corpus);
            let from = rng.below(other.len() + 1);
            let len = rng.len(other.len() - from);
            let at = position(rng, data);
            data.splice(at..at, other[from..from + len].iter().copied());
        }
        // Repeat a token many times: deep nesting, long lines.
        10 => {
            let t = token(rng, dict);
            let times = match rng.below(4) {
                0 => 1000,
                1 => 10_000,
                _ => 2 + rng.below(100),
            };
            let times = times.min(MAX_LEN / t.len().max(1));
            let at = position(rng, data);
            let run: Vec<u8> = t.iter().copied().cycle().take(t.len() * times).collect();
            data.splice(at..at, run);
        }
        // Swap line endings: LF to CRLF or to CR, or the reverse.
        11 => {
            let text = std::mem::take(data);
            *data = match rng.below(3) {
                0 => replace(&text, b"\n", b"\r\n"),
                1 => replace(&text, b"\n", b"\r"),
                _ => replace(&text, b"\r\n", b"\n"),
            };
        }
        // Swap two lines.
        12 => {
            let mut lines: Vec<Vec<u8>> = data.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
            if lines.len() >= 2 {
                let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
                lines.swap(a, b);
                *data = lines.join(&b'\n');
            }
        }
        // Insert random bytes.
        _ => {
            let len = 1 + rng.below(8);
            let at = position(rng, data);
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            data.splice(at..at, bytes);
        }
    }
}

fn replace(text: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    out
}
