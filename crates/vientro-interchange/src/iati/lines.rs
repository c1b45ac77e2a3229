//! A `BufRead` wrapper that counts the newlines the XML reader has consumed, so problems carry line numbers
//! without keeping the file in memory.

use std::io::{self, BufRead, Read};

pub(super) struct LineCounter<R> {
    inner: R,
    newlines: usize,
}

impl<R> LineCounter<R> {
    pub(super) fn new(inner: R) -> Self {
        Self { inner, newlines: 0 }
    }

    /// The 1-based line of the next byte the XML reader will consume.
    pub(super) fn line(&self) -> usize {
        self.newlines + 1
    }
}

pub(super) fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

impl<R: BufRead> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.newlines += count_newlines(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if amt > 0 {
            // The bytes being consumed are still in the inner buffer: fill_buf returns them without reading.
            if let Ok(buf) = self.inner.fill_buf() {
                self.newlines += count_newlines(buf.get(..amt).unwrap_or(buf));
            }
        }
        self.inner.consume(amt);
    }
}
