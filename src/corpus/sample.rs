//! The sample corpus from sample-data/, embedded at build time.

include!(concat!(env!("OUT_DIR"), "/sample_files.rs"));
