//! IAM wildcard patterns: `*` matches any run of characters (including none), `?` matches exactly
//! one character, everything else matches itself.
//!
//! IAM's wildcards are not path globs: `*` crosses `/` (and `:` inside an ARN's resource part),
//! `[`, `]`, `{` and `}` are ordinary characters, and action names compare without regard to case.
//! A path-glob library (such as `glob-match`, whose `*` stops at `/` and which treats brackets and
//! braces as syntax) would give wrong answers, so the matcher is written here.
//!
//! Matching is linear in the length of the text for each `*`-free segment of the pattern: the
//! pattern is split at `*` into segments, the first and last are anchored, and each middle segment
//! is found at its leftmost position with a bit-parallel (shift-and) scan that understands `?`.
//! Leftmost placement is always safe between two `*`s, so there is no backtracking, and a pattern
//! like `*a*a*a*a*b` against a long run of `a`s costs one pass, not an exponential search.
//! A naive reference matcher backs the property tests.
//!
//! ```
//! use perimeter::pattern::{Case, Pattern};
//!
//! let p = Pattern::new("s3:Get*", Case::Insensitive);
//! assert!(p.matches("S3:GETOBJECT"));
//! assert!(!p.matches("s3:PutObject"));
//!
//! let r = Pattern::new("arn:aws:s3:::bucket/*", Case::Sensitive);
//! assert!(r.matches("arn:aws:s3:::bucket/a/b/c"));
//! assert!(!r.matches("arn:aws:s3:::Bucket/a"));
//! ```

use std::fmt;

/// Whether letters compare with regard to case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Case {
    /// `a` and `A` differ (resources, ARNs, most condition values).
    Sensitive,
    /// `a` and `A` are the same (action names, `…IgnoreCase` operators).
    Insensitive,
}

/// One element of a pattern: a literal character or a wildcard.
///
/// Patterns built from policy variables use literal `*` and `?` (from `${*}` and `${?}`), which is
/// why a pattern can be assembled from tokens as well as parsed from text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Token {
    /// Matches exactly this character.
    Char(char),
    /// `?`: matches any one character.
    AnyChar,
    /// `*`: matches any run of characters.
    AnyRun,
}

/// Fold a character for case-insensitive comparison. Characters whose lowercase form is more than
/// one character keep their own form; both sides of a comparison fold the same way.
#[inline]
pub(crate) fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

/// Fold a whole string (see [`fold`]).
pub(crate) fn fold_str(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars().map(fold).collect()
}

/// A compiled IAM wildcard pattern.
#[derive(Clone)]
pub struct Pattern {
    text: Box<str>,
    case: Case,
    kind: Kind,
    /// The tokens, kept only when the text cannot tell them apart (a literal `*` or `?` next to
    /// wildcards, from `${*}` / `${?}`).
    ambiguous: Option<Box<[Token]>>,
}

#[derive(Clone)]
enum Kind {
    /// Only `*`s: matches everything.
    Any,
    /// No wildcard at all (stored folded when case-insensitive).
    Exact(Box<str>),
    /// `lit*`
    Prefix(Box<str>),
    /// `*lit`
    Suffix(Box<str>),
    /// Everything else.
    General(Box<Glob>),
}

/// A `?` inside a segment, or a literal character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SegChar {
    Lit(char),
    One,
}

#[derive(Clone)]
struct Segment {
    chars: Box<[SegChar]>,
    /// For each ASCII character, its slot in `masks` (slot 0: characters absent from the segment,
    /// which match only at `?` positions).
    ascii_slot: Box<[u8; 128]>,
    /// Shift-and masks, `words` u64s per slot.
    masks: Box<[u64]>,
    /// Mask of `?` positions (for characters outside ASCII, combined with `others`).
    one: Box<[u64]>,
    /// Masks for non-ASCII literal characters of the segment.
    others: Box<[(char, Box<[u64]>)]>,
    words: usize,
}

#[derive(Clone)]
struct Glob {
    /// Segments between `*`s. The first is anchored at the start unless `lead_star`, the last at
    /// the end unless `trail_star`.
    segments: Box<[Segment]>,
    lead_star: bool,
    trail_star: bool,
    /// Minimum number of characters a match needs.
    min_len: usize,
}

impl Pattern {
    /// Compile `text`, reading `*` and `?` as wildcards.
    pub fn new(text: &str, case: Case) -> Pattern {
        let fold_text = |t: &str| -> Box<str> {
            match case {
                Case::Sensitive => t.into(),
                Case::Insensitive => fold_str(t).into(),
            }
        };
        let stars = text.bytes().filter(|b| *b == b'*').count();
        let ones = text.bytes().filter(|b| *b == b'?').count();
        // The common shapes are built straight from the text.
        let simple = if ones > 0 {
            None
        } else if stars == 0 {
            Some(Kind::Exact(fold_text(text)))
        } else if stars == text.len() {
            Some(Kind::Any)
        } else if stars == 1 && text.ends_with('*') {
            Some(Kind::Prefix(fold_text(
                text.get(..text.len() - 1).unwrap_or(""),
            )))
        } else if stars == 1 && text.starts_with('*') {
            Some(Kind::Suffix(fold_text(text.get(1..).unwrap_or(""))))
        } else {
            None
        };
        if let Some(kind) = simple {
            return Pattern {
                text: text.into(),
                case,
                kind,
                ambiguous: None,
            };
        }
        let tokens: Vec<Token> = text
            .chars()
            .map(|c| match c {
                '*' => Token::AnyRun,
                '?' => Token::AnyChar,
                c => Token::Char(c),
            })
            .collect();
        Pattern::from_tokens_with_text(&tokens, case, text.into())
    }

    /// A pattern that matches exactly `text`, with no wildcards.
    pub fn literal(text: &str, case: Case) -> Pattern {
        let folded: Box<str> = match case {
            Case::Sensitive => text.into(),
            Case::Insensitive => text.chars().map(fold).collect::<String>().into(),
        };
        Pattern {
            text: text.into(),
            case,
            kind: Kind::Exact(folded),
            ambiguous: None,
        }
    }

    /// Compile a pattern from tokens (used for patterns assembled from policy variables).
    pub fn from_tokens(tokens: &[Token], case: Case) -> Pattern {
        let text: String = tokens
            .iter()
            .map(|t| match t {
                Token::Char(c) => *c,
                Token::AnyChar => '?',
                Token::AnyRun => '*',
            })
            .collect();
        Pattern::from_tokens_with_text(tokens, case, text.into())
    }

    fn from_tokens_with_text(tokens: &[Token], case: Case, text: Box<str>) -> Pattern {
        let f = |c: char| match case {
            Case::Sensitive => c,
            Case::Insensitive => fold(c),
        };
        let stars = tokens.iter().filter(|t| **t == Token::AnyRun).count();
        let ones = tokens.iter().filter(|t| **t == Token::AnyChar).count();
        let lit = |ts: &[Token]| -> Box<str> {
            ts.iter()
                .filter_map(|t| match t {
                    Token::Char(c) => Some(f(*c)),
                    _ => None,
                })
                .collect::<String>()
                .into()
        };
        let kind = if stars == tokens.len() && stars > 0 {
            Kind::Any
        } else if ones == 0 && stars == 0 {
            Kind::Exact(lit(tokens))
        } else if ones == 0 && stars == 1 && tokens.last() == Some(&Token::AnyRun) {
            Kind::Prefix(lit(tokens))
        } else if ones == 0 && stars == 1 && tokens.first() == Some(&Token::AnyRun) {
            Kind::Suffix(lit(tokens))
        } else {
            Kind::General(Box::new(Glob::new(tokens, f)))
        };
        let ambiguous = (!matches!(kind, Kind::Exact(_))
            && tokens
                .iter()
                .any(|t| matches!(t, Token::Char('*') | Token::Char('?'))))
        .then(|| tokens.into());
        Pattern {
            text,
            case,
            kind,
            ambiguous,
        }
    }

    /// The pattern as written (wildcards shown as `*` and `?`).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the pattern compares with regard to case.
    pub fn case(&self) -> Case {
        self.case
    }

    /// Whether the pattern has no wildcard and so matches exactly one string (up to case).
    pub fn is_literal(&self) -> bool {
        matches!(self.kind, Kind::Exact(_))
    }

    /// The pattern's tokens (literal text of an exact pattern comes back as characters).
    pub fn tokens(&self) -> Vec<Token> {
        if let Some(t) = &self.ambiguous {
            return t.to_vec();
        }
        if self.is_literal() {
            return self.text.chars().map(Token::Char).collect();
        }
        self.text
            .chars()
            .map(|c| match c {
                '*' => Token::AnyRun,
                '?' => Token::AnyChar,
                c => Token::Char(c),
            })
            .collect()
    }

    /// Whether the pattern matches every string.
    pub fn is_any(&self) -> bool {
        matches!(self.kind, Kind::Any)
    }

    /// Whether `text`, already folded with this module's case folding (as `Request` does for
    /// actions), matches. For case-sensitive patterns this is [`matches`](Self::matches).
    #[inline]
    pub(crate) fn matches_prefolded(&self, folded: &str) -> bool {
        match &self.kind {
            Kind::Any => true,
            Kind::Exact(p) => **p == *folded,
            Kind::Prefix(p) => folded.starts_with(&**p),
            Kind::Suffix(p) => folded.ends_with(&**p),
            Kind::General(g) => g.matches(folded.chars()),
        }
    }

    /// Whether `text` matches the whole pattern.
    pub fn matches(&self, text: &str) -> bool {
        match (&self.kind, self.case) {
            (Kind::Any, _) => true,
            (Kind::Exact(p), Case::Sensitive) => **p == *text,
            (Kind::Prefix(p), Case::Sensitive) => text.starts_with(&**p),
            (Kind::Suffix(p), Case::Sensitive) => text.ends_with(&**p),
            (Kind::Exact(p), Case::Insensitive) => folded_eq(p, text),
            (Kind::Prefix(p), Case::Insensitive) => folded_prefix(p, text),
            (Kind::Suffix(p), Case::Insensitive) => folded_suffix(p, text),
            (Kind::General(g), Case::Sensitive) => g.matches(text.chars()),
            (Kind::General(g), Case::Insensitive) => g.matches(text.chars().map(fold)),
        }
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?}, {:?})", self.text, self.case)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.case == other.case
    }
}
impl Eq for Pattern {}

fn folded_eq(p: &str, text: &str) -> bool {
    if text.is_ascii() && p.is_ascii() {
        return p.len() == text.len() && p.eq_ignore_ascii_case(text);
    }
    p.chars().eq(text.chars().map(fold))
}

fn folded_prefix(p: &str, text: &str) -> bool {
    if text.is_ascii() && p.is_ascii() {
        return text
            .as_bytes()
            .get(..p.len())
            .is_some_and(|t| t.eq_ignore_ascii_case(p.as_bytes()));
    }
    let mut t = text.chars().map(fold);
    p.chars().all(|pc| t.next() == Some(pc))
}

fn folded_suffix(p: &str, text: &str) -> bool {
    if text.is_ascii() && p.is_ascii() {
        return text
            .len()
            .checked_sub(p.len())
            .and_then(|start| text.as_bytes().get(start..))
            .is_some_and(|t| t.eq_ignore_ascii_case(p.as_bytes()));
    }
    let mut t = text.chars().rev().map(fold);
    p.chars().rev().all(|pc| t.next() == Some(pc))
}

impl Segment {
    fn new(chars: Vec<SegChar>) -> Segment {
        let words = chars.len().div_ceil(64).max(1);
        let mut one = vec![0u64; words];
        for (j, sc) in chars.iter().enumerate() {
            if *sc == SegChar::One {
                if let Some(m) = one.get_mut(j / 64) {
                    *m |= 1u64 << (j % 64);
                }
            }
        }
        // Slot 0 holds the `?` mask; each distinct ASCII literal gets a slot starting from it.
        let mut ascii_slot = Box::new([0u8; 128]);
        let mut masks = one.clone();
        let mut others: Vec<(char, Box<[u64]>)> = Vec::new();
        for (j, sc) in chars.iter().enumerate() {
            let (w, bit) = (j / 64, 1u64 << (j % 64));
            let SegChar::Lit(c) = sc else { continue };
            if c.is_ascii() {
                let idx = *c as usize;
                let mut slot = ascii_slot.get(idx).copied().unwrap_or(0) as usize;
                if slot == 0 {
                    slot = masks.len() / words;
                    masks.extend_from_slice(&one);
                    if let Some(s) = ascii_slot.get_mut(idx) {
                        *s = u8::try_from(slot).unwrap_or(0);
                    }
                }
                if let Some(m) = masks.get_mut(slot * words + w) {
                    *m |= bit;
                }
            } else {
                if !others.iter().any(|(o, _)| o == c) {
                    others.push((*c, one.clone().into()));
                }
                if let Some((_, m)) = others.iter_mut().find(|(o, _)| o == c) {
                    if let Some(m) = m.get_mut(w) {
                        *m |= bit;
                    }
                }
            }
        }
        Segment {
            chars: chars.into(),
            ascii_slot,
            masks: masks.into(),
            one: one.into(),
            others: others.into(),
            words,
        }
    }

    fn len(&self) -> usize {
        self.chars.len()
    }

    #[inline]
    fn char_matches(&self, j: usize, c: char) -> bool {
        match self.chars.get(j) {
            Some(SegChar::One) => true,
            Some(SegChar::Lit(p)) => *p == c,
            None => false,
        }
    }

    /// Mask word `w` for character `c`.
    #[inline]
    fn mask(&self, c: char, w: usize) -> u64 {
        if c.is_ascii() {
            let slot = self.ascii_slot.get(c as usize).copied().unwrap_or(0) as usize;
            return self.masks.get(slot * self.words + w).copied().unwrap_or(0);
        }
        match self.others.iter().find(|(o, _)| *o == c) {
            Some((_, m)) => m.get(w).copied().unwrap_or(0),
            None => self.one.get(w).copied().unwrap_or(0),
        }
    }

    /// Leftmost occurrence of the segment in `text`, returning the index just past its end.
    fn find_end(&self, text: &[char]) -> Option<usize> {
        let k = self.len();
        if k == 0 {
            return Some(0);
        }
        let last_word = (k - 1) / 64;
        let last_bit = 1u64 << ((k - 1) % 64);
        if self.words == 1 {
            let mut d: u64 = 0;
            for (i, &c) in text.iter().enumerate() {
                d = ((d << 1) | 1) & self.mask(c, 0);
                if d & last_bit != 0 {
                    return Some(i + 1);
                }
            }
            return None;
        }
        let mut d = vec![0u64; self.words];
        for (i, &c) in text.iter().enumerate() {
            let mut carry = 1u64;
            for (w, dw) in d.iter_mut().enumerate() {
                let next_carry = *dw >> 63;
                *dw = ((*dw << 1) | carry) & self.mask(c, w);
                carry = next_carry;
            }
            if d.get(last_word).is_some_and(|x| x & last_bit != 0) {
                return Some(i + 1);
            }
        }
        None
    }
}

impl Glob {
    fn new(tokens: &[Token], f: impl Fn(char) -> char) -> Glob {
        let mut segments = Vec::new();
        let mut current = Vec::new();
        for t in tokens {
            match t {
                Token::AnyRun => {
                    segments.push(std::mem::take(&mut current));
                }
                Token::AnyChar => current.push(SegChar::One),
                Token::Char(c) => current.push(SegChar::Lit(f(*c))),
            }
        }
        segments.push(current);
        let lead_star = tokens.first() == Some(&Token::AnyRun);
        let trail_star = tokens.last() == Some(&Token::AnyRun);
        // Empty middle segments (from `**`) carry no constraint; keep first and last in place.
        let n = segments.len();
        let segments: Vec<Segment> = segments
            .into_iter()
            .enumerate()
            .filter(|(i, s)| !s.is_empty() || *i == 0 || *i + 1 == n)
            .map(|(_, s)| Segment::new(s))
            .collect();
        let min_len = segments.iter().map(Segment::len).sum();
        Glob {
            segments: segments.into(),
            lead_star,
            trail_star,
            min_len,
        }
    }

    fn matches(&self, text: impl Iterator<Item = char>) -> bool {
        let text: smallvec::SmallVec<[char; 128]> = text.collect();
        let text = &text[..];
        if text.len() < self.min_len {
            return false;
        }
        let segs = &self.segments[..];
        let (first, rest) = match segs.split_first() {
            Some(x) => x,
            None => return text.is_empty(),
        };
        if rest.is_empty() {
            // No `*` at all: one anchored segment of `?`s and literals.
            return text.len() == first.len()
                && text
                    .iter()
                    .enumerate()
                    .all(|(j, &c)| first.char_matches(j, c));
        }
        let (last, middle) = match rest.split_last() {
            Some(x) => x,
            None => return false,
        };
        // Anchored prefix.
        let start = if self.lead_star { 0 } else { first.len() };
        if !self.lead_star
            && !text
                .iter()
                .take(first.len())
                .enumerate()
                .all(|(j, &c)| first.char_matches(j, c))
        {
            return false;
        }
        // Anchored suffix.
        let end = if self.trail_star {
            text.len()
        } else {
            let Some(end) = text.len().checked_sub(last.len()) else {
                return false;
            };
            if end < start {
                return false;
            }
            let tail = text.get(end..).unwrap_or(&[]);
            if !tail
                .iter()
                .enumerate()
                .all(|(j, &c)| last.char_matches(j, c))
            {
                return false;
            }
            end
        };
        let mut pos = start;
        if self.lead_star {
            // The first segment is floating too (it is empty when the pattern starts with `*`).
            match text.get(pos..end).and_then(|t| first.find_end(t)) {
                Some(e) => pos += e,
                None => return false,
            }
        }
        for seg in middle {
            match text.get(pos..end).and_then(|t| seg.find_end(t)) {
                Some(e) => pos += e,
                None => return false,
            }
        }
        if self.trail_star {
            text.get(pos..end).and_then(|t| last.find_end(t)).is_some()
        } else {
            pos <= end
        }
    }
}

/// The obviously correct matcher used as the reference in property tests: dynamic programming over
/// (pattern position, text position), quadratic time.
#[doc(hidden)]
pub fn naive_matches(pattern: &[Token], text: &str, case: Case) -> bool {
    let f = |c: char| match case {
        Case::Sensitive => c,
        Case::Insensitive => fold(c),
    };
    let t: Vec<char> = text.chars().map(f).collect();
    // reach[j] = pattern prefix of current length matches text prefix of length j
    let mut reach = vec![false; t.len() + 1];
    if let Some(r) = reach.get_mut(0) {
        *r = true;
    }
    for tok in pattern {
        let mut next = vec![false; t.len() + 1];
        match tok {
            Token::AnyRun => {
                let mut any = false;
                for (j, n) in next.iter_mut().enumerate() {
                    any |= reach.get(j).copied().unwrap_or(false);
                    *n = any;
                }
            }
            Token::AnyChar => {
                for j in 1..=t.len() {
                    if let (Some(n), Some(r)) = (next.get_mut(j), reach.get(j - 1)) {
                        *n = *r;
                    }
                }
            }
            Token::Char(c) => {
                let c = f(*c);
                for j in 1..=t.len() {
                    let ok = reach.get(j - 1).copied().unwrap_or(false)
                        && t.get(j - 1).copied() == Some(c);
                    if let Some(n) = next.get_mut(j) {
                        *n = ok;
                    }
                }
            }
        }
        reach = next;
    }
    reach.last().copied().unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tokens(p: &str) -> Vec<Token> {
        p.chars()
            .map(|c| match c {
                '*' => Token::AnyRun,
                '?' => Token::AnyChar,
                c => Token::Char(c),
            })
            .collect()
    }

    #[test]
    fn basics() {
        let cases: &[(&str, &str, bool)] = &[
            ("*", "", true),
            ("*", "anything/at:all", true),
            ("", "", true),
            ("", "a", false),
            ("abc", "abc", true),
            ("abc", "abd", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("a*c", "ac", true),
            ("a*c", "abbbc", true),
            ("a*c", "abbbd", false),
            ("*bc", "abc", true),
            ("*bc", "bc", true),
            ("ab*", "ab", true),
            ("*a*", "xyz", false),
            ("*a*", "xaz", true),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXcYb", false),
            ("a*a", "a", false),
            ("a*a", "aa", true),
            ("?", "é", true),
            ("[ab]", "[ab]", true),
            ("[ab]", "a", false),
            ("{a,b}", "{a,b}", true),
            ("arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y/z", true),
            ("*/*", "a/b", true),
            ("**", "x", true),
            ("a**b", "ab", true),
            ("a*?", "a", false),
            ("a*?", "ab", true),
            ("?*?", "ab", true),
            ("?*?", "a", false),
        ];
        for (p, t, want) in cases {
            let pat = Pattern::new(p, Case::Sensitive);
            assert_eq!(pat.matches(t), *want, "pattern {p:?} text {t:?}");
            assert_eq!(
                naive_matches(&tokens(p), t, Case::Sensitive),
                *want,
                "naive {p:?} {t:?}"
            );
        }
    }

    #[test]
    fn case_insensitive_actions() {
        let p = Pattern::new("iam:ListAccessKeys", Case::Insensitive);
        assert!(p.matches("IAM:listaccesskeys"));
        let p = Pattern::new("S3:*Object", Case::Insensitive);
        assert!(p.matches("s3:getobject"));
        assert!(!Pattern::new("abc", Case::Sensitive).matches("ABC"));
    }

    #[test]
    fn literal_star_from_tokens() {
        // `${*}` produces a literal star, which must not act as a wildcard.
        let p = Pattern::from_tokens(&[Token::Char('a'), Token::Char('*')], Case::Sensitive);
        assert!(p.matches("a*"));
        assert!(!p.matches("ab"));
        let p = Pattern::literal("a?", Case::Sensitive);
        assert!(p.matches("a?"));
        assert!(!p.matches("ab"));
    }

    #[test]
    fn tokens_round_trip_even_with_literal_stars() {
        let toks = vec![Token::Char('*'), Token::AnyRun, Token::Char('a')];
        assert_eq!(Pattern::from_tokens(&toks, Case::Sensitive).tokens(), toks);
        assert_eq!(
            Pattern::new("a*b?", Case::Sensitive).tokens(),
            tokens("a*b?")
        );
        assert_eq!(
            Pattern::literal("a*", Case::Sensitive).tokens(),
            vec![Token::Char('a'), Token::Char('*')]
        );
    }

    #[test]
    fn long_segments_use_multiword_masks() {
        let seg = "x?".repeat(50); // 100 chars
        let p = Pattern::new(&format!("*{seg}*"), Case::Sensitive);
        let text = format!("yy{}yy", "xz".repeat(50));
        assert!(p.matches(&text));
        let bad = format!("yy{}yy", "xz".repeat(49));
        assert!(!p.matches(&bad));
    }

    #[test]
    fn pathological_pattern_is_fast() {
        // `*a*a*…*b` against a long run of `a`s: a backtracking matcher takes exponential time.
        let pattern = format!("{}b", "*a".repeat(40));
        let text = "a".repeat(100_000);
        let p = Pattern::new(&pattern, Case::Sensitive);
        assert!(!p.matches(&text));
        assert!(p.matches(&format!("{text}b")));
    }

    fn arb_pattern() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                4 => Just('a'), 2 => Just('b'), 1 => Just('A'), 1 => Just('/'), 1 => Just('é'),
                3 => Just('*'), 2 => Just('?'),
            ],
            0..12,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    fn arb_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![4 => Just('a'), 2 => Just('b'), 1 => Just('A'), 1 => Just('/'), 1 => Just('é'), 1 => Just('É')],
            0..20,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn agrees_with_naive(p in arb_pattern(), t in arb_text(), ci in any::<bool>()) {
            let case = if ci { Case::Insensitive } else { Case::Sensitive };
            let fast = Pattern::new(&p, case).matches(&t);
            let slow = naive_matches(&tokens(&p), &t, case);
            prop_assert_eq!(fast, slow, "pattern {:?} text {:?} case {:?}", p, t, case);
        }

        #[test]
        fn text_matches_itself_as_literal(t in arb_text()) {
            prop_assert!(Pattern::literal(&t, Case::Sensitive).matches(&t));
        }
    }
}
