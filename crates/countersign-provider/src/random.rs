//! Tokens, secrets and verifiers: alphanumeric strings from the operating system's random source.

const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `len` characters drawn uniformly from `A-Z a-z 0-9` (about 5.95 bits each).
pub(crate) fn alphanumeric(len: usize) -> Result<String, getrandom::Error> {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut buf)?;
        // 248 = 4 * 62: keeping only bytes below it makes `b % 62` uniform.
        for b in buf.iter().copied().filter(|&b| b < 248) {
            if out.len() == len {
                break;
            }
            out.push(char::from(ALPHABET[usize::from(b % 62)]));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn strings_are_alphanumeric_of_the_asked_length_and_differ() {
        let mut seen = HashSet::new();
        for len in [0, 1, 24, 40, 200] {
            let s = alphanumeric(len).unwrap();
            assert_eq!(s.len(), len);
            assert!(s.bytes().all(|b| b.is_ascii_alphanumeric()));
            seen.insert(s);
        }
        assert_eq!(seen.len(), 5);
    }
}
