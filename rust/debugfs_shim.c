// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs_shim.c - debugfs_create_dir(), debugfs_create_file() and debugfs_remove() for
 * rust/debugfs_raw.rs, on every kernel series (see debugfs_shim.h).
 */
#include <linux/debugfs.h>

#include "debugfs_shim.h"

struct dentry *preemptstat_debugfs_create_dir(const char *name, struct dentry *parent)
{
	return debugfs_create_dir(name, parent);
}

/* The file's inode gets @data as i_private; @fops must stay valid while the file exists. */
struct dentry *preemptstat_debugfs_create_file(const char *name, umode_t mode,
					       struct dentry *parent, void *data,
					       const struct file_operations *fops)
{
	return debugfs_create_file(name, mode, parent, data, fops);
}

/* Removes @dentry and everything below it, waiting for file operations in flight. */
void preemptstat_debugfs_remove(struct dentry *dentry)
{
	debugfs_remove(dentry);
}
