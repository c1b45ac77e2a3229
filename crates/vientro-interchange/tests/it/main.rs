//! Integration tests of vientro-interchange, one module per format.

mod iati;
mod report_export;
