//! "Did you mean …?" suggestions for misspelled names.

/// Above this many candidates only those that could be a one-or-two-letter typo
/// of the word (same first letter, length within two) are compared, so a plan
/// with thousands of names and thousands of misspellings stays fast.
const FULL_SCAN: usize = 2_000;

/// The candidate closest to `word`, when it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if word.is_empty() {
        return None;
    }
    let candidates = candidates.into_iter();
    let many = candidates.size_hint().0 > FULL_SCAN;
    let lower = word.to_lowercase();
    let len = word.chars().count();
    let first = lower.chars().next();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        if many
            && (c.len().abs_diff(word.len()) > 2
                || c.chars().next().map(|x| x.to_ascii_lowercase()) != first)
        {
            continue;
        }
        let score = strsim::jaro_winkler(&lower, &c.to_lowercase());
        let ok = score >= 0.85 || strsim::levenshtein(word, c) <= (len / 3).max(1);
        if ok && best.is_none_or(|(s, b)| score > s || (score == s && c < b)) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}
