// SPDX-License-Identifier: GPL-2.0

//! Stress tools that preemptstat's VM tests run inside the guest (`tools/vmtest/cases`):
//!
//! - `ctlfuzz`: hostile writes to every control file, each checked against the control
//!   grammar ([`oracle`]) with inputs from [`gen`];
//! - `readcheck`: every report file read again and again in random small pieces while the
//!   tracer runs, each copy parsed strictly and checked for [`consistency`].

#![forbid(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

pub mod cli;
pub mod consistency;
pub mod gen;
pub mod oracle;
pub mod rng;
