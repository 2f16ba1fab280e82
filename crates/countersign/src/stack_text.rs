//! Text written on the stack and cleared when dropped: where the HMAC key (both secrets, encoded)
//! is assembled without an allocation.

use core::fmt;

use zeroize::Zeroize;

/// Up to `N` bytes of text on the stack. Writing past the end fails (and writes nothing of that
/// piece); the bytes written are cleared on drop.
pub(crate) struct StackText<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> StackText<N> {
    pub(crate) const fn new() -> Self {
        Self {
            buf: [0; N],
            len: 0,
        }
    }

    /// The bytes written so far.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

impl<const N: usize> fmt::Write for StackText<N> {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let room = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        room.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl<const N: usize> Drop for StackText<N> {
    fn drop(&mut self) {
        if let Some(written) = self.buf.get_mut(..self.len) {
            written.zeroize();
        }
    }
}

#[cfg(test)]
mod tests {
    use core::fmt::Write as _;

    use super::*;

    #[test]
    fn a_piece_that_does_not_fit_fails_and_leaves_what_was_written() {
        let mut text = StackText::<8>::new();
        text.write_str("abcde").unwrap();
        assert!(text.write_str("fghi").is_err());
        assert_eq!(text.as_bytes(), b"abcde");
        text.write_str("fgh").unwrap();
        assert_eq!(text.as_bytes(), b"abcdefgh");
        assert!(text.write_str("i").is_err());
    }
}
