//! Line numbers for CSV error reports.
//!
//! csv 1.4 counts lines one short after a header that ends in CRLF (a header line
//! `a,b\r\n` leaves the reader at line 1, with LF at line 2), and every later
//! position keeps that offset. Files from Windows tools and INSEE's stock files may
//! use CRLF, and a report must name the line an editor shows, so the offset is
//! measured once after the header and added to every position.

/// Corrects record positions of one reader; create it right after reading headers.
#[derive(Debug, Clone, Copy)]
pub struct LineNumbers {
    offset: u64,
}

impl LineNumbers {
    #[must_use]
    pub fn after_headers<R: std::io::Read>(reader: &csv::Reader<R>) -> Self {
        Self {
            offset: 2u64.saturating_sub(reader.position().line()),
        }
    }

    /// The 1-based line where a record starts, as an editor shows it.
    #[must_use]
    pub fn line(&self, position: Option<&csv::Position>) -> u64 {
        position.map_or(0, |p| p.line() + self.offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(data: &str) -> Vec<u64> {
        let mut reader = csv::Reader::from_reader(data.as_bytes());
        reader.headers().unwrap();
        let fix = LineNumbers::after_headers(&reader);
        let mut record = csv::StringRecord::new();
        let mut out = Vec::new();
        while reader.read_record(&mut record).unwrap() {
            out.push(fix.line(record.position()));
        }
        out
    }

    #[test]
    fn lf_and_crlf_files_give_the_same_line_numbers() {
        assert_eq!(lines("a,b\n1,2\n\"x\ny\",3\n4,5\n"), [2, 3, 5]);
        assert_eq!(lines("a,b\r\n1,2\r\n\"x\r\ny\",3\r\n4,5\r\n"), [2, 3, 5]);
    }
}
