//! Provenance (in progress).
