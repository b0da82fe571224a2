//! Synthetic demonstration data in the real SIRENE stock format (work in progress).
