//! Synthetic data for demonstrations and benchmarks: clearly fictional, deterministic.

pub mod generate;
