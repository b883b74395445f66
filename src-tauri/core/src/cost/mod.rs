//! What workspaces cost: the user's rate table for vendors that report no price, and the
//! figures each workspace carries (`model::Cost`).

pub mod label;
mod pricing;
mod rates;
mod totals;

pub use pricing::price;
pub use rates::RateTable;
pub use totals::{Spend, Totals};
