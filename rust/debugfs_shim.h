/* SPDX-License-Identifier: GPL-2.0 */
/*
 * debugfs_shim.h - the debugfs calls of rust/debugfs_raw.rs, as plain functions.
 *
 * 6.12's Rust bindings do not include <linux/debugfs.h>, and on 7.3 debugfs_create_file() is
 * a _Generic macro: these wrappers are one call on both series. Shared by preemptstat and the
 * sample modules (samples/inject_shim.c and bench_shim.c include debugfs_shim.c); rust/debugfs_raw.rs declares the
 * same functions.
 */
#ifndef PREEMPTSTAT_DEBUGFS_SHIM_H
#define PREEMPTSTAT_DEBUGFS_SHIM_H

#include <linux/types.h>

struct dentry;
struct file_operations;

struct dentry *preemptstat_debugfs_create_dir(const char *name, struct dentry *parent);
struct dentry *preemptstat_debugfs_create_file(const char *name, umode_t mode,
					       struct dentry *parent, void *data,
					       const struct file_operations *fops);
void preemptstat_debugfs_remove(struct dentry *dentry);

#endif /* PREEMPTSTAT_DEBUGFS_SHIM_H */
