// SPDX-License-Identifier: GPL-2.0

//! What differs between the kernel series preemptstat builds against, and only that.
//!
//! Kbuild picks the series from the kernel's own `VERSION` and `PATCHLEVEL` and passes rustc
//! `--cfg preemptstat_linux_7_3` or `--cfg preemptstat_linux_6_12` (see `Kbuild` at the top
//! of the tree, which refuses any other series). Each file below gives the same items with the
//! same signatures; nothing outside this module tests the series. Whatever both series have in
//! the same form (most raw bindings, and the C shims, which are the same C on both) is used
//! directly, not through here.
//!
//! - `compat/linux_7_3.rs`: Linux 7.3.y.
//! - `compat/linux_6_12.rs`: Linux 6.12.y (the LTS series).

#[cfg_attr(preemptstat_linux_6_12, path = "compat/linux_6_12.rs")]
#[cfg_attr(not(preemptstat_linux_6_12), path = "compat/linux_7_3.rs")]
mod series;

pub(crate) use series::*;
