// SPDX-License-Identifier: GPL-2.0

//! The raw debugfs bindings behind `debugfs.rs`: directories, files, and `file_operations`
//! whose `.owner` is the module, so that an open file pins it.
//!
//! Shared by preemptstat and the sample modules (they include it and `compat.rs` with
//! `#[path]`, and link `debugfs_shim.c`, whose wrappers are the same on every kernel series).

use crate::compat;
use core::ffi::{c_int, c_void, CStr};
use kernel::ffi::{c_char, c_ulong};
use kernel::{bindings, error::from_err_ptr, prelude::*};

// debugfs_shim.c. The dentries and file operations are passed as `void *`: bindgen's structs
// are not FFI-safe (they hold zero-sized arch fields), and the shim's prototypes take the real
// types.
extern "C" {
    fn preemptstat_debugfs_create_dir(name: *const c_char, parent: *mut c_void) -> *mut c_void;
    fn preemptstat_debugfs_create_file(
        name: *const c_char,
        mode: bindings::umode_t,
        parent: *mut c_void,
        data: *mut c_void,
        fops: *const c_void,
    ) -> *mut c_void;
    fn preemptstat_debugfs_remove(dentry: *mut c_void);
}

/// `FMODE_READ` from `include/linux/fs.h` (a cast expression bindgen does not emit).
const FMODE_READ: u32 = 1 << 0;

/// A debugfs dentry created by this module.
///
/// # Invariants
///
/// `0` is a pointer returned by `debugfs_create_dir` that is not an error pointer.
pub(crate) struct Dentry(*mut bindings::dentry);

// SAFETY: A dentry pointer may be used and released from any thread; debugfs locks internally.
unsafe impl Send for Dentry {}
// SAFETY: `Dentry` only offers `debugfs_remove` and creating children, both thread-safe in C.
unsafe impl Sync for Dentry {}

/// Creates a debugfs directory at the debugfs root.
pub(crate) fn debugfs_create_dir(name: &CStr) -> Result<Dentry> {
    // SAFETY: `name` is a valid NUL-terminated string; a NULL parent means the debugfs root.
    let d =
        unsafe { preemptstat_debugfs_create_dir(compat::cstr_ptr(name), core::ptr::null_mut()) };
    let d = from_err_ptr(d.cast::<bindings::dentry>())?;
    if d.is_null() {
        return Err(ENODEV);
    }
    // INVARIANT: `d` is a valid, non-error dentry from `debugfs_create_dir`.
    Ok(Dentry(d))
}

/// Creates a debugfs file below `parent`.
///
/// # Safety
///
/// `data` must stay valid for as long as the file exists, and `fops` must stay in place as
/// long; `fops` must be safe to call with `data` as the inode's private data.
pub(crate) unsafe fn debugfs_create_file(
    name: &CStr,
    mode: u16,
    parent: &Dentry,
    data: *mut c_void,
    fops: *const bindings::file_operations,
) -> Result {
    // SAFETY: `name` is NUL-terminated, `parent.0` is a valid dentry by its invariant, and the
    // caller guarantees the rest.
    let d = unsafe {
        preemptstat_debugfs_create_file(
            compat::cstr_ptr(name),
            mode,
            parent.0.cast(),
            data,
            fops.cast(),
        )
    };
    from_err_ptr(d).map(|_| ())
}

/// Removes a debugfs directory and everything in it, waiting for operations in flight.
pub(crate) fn debugfs_remove(dentry: &Dentry) {
    // SAFETY: `dentry.0` is valid by the type invariant; removing twice is not possible since
    // this is only called from the owner's `Drop`.
    unsafe { preemptstat_debugfs_remove(dentry.0.cast()) };
}

/// An open file, as seen by preemptstat's file operations.
///
/// # Invariants
///
/// `file` and `inode` are the valid, open file and its inode that the VFS passed to a file
/// operation, for the duration of that call.
pub(crate) struct OpenFile {
    file: *mut bindings::file,
    inode: *mut bindings::inode,
}

impl OpenFile {
    /// The `data` pointer the file was created with.
    pub(crate) fn inode_private(&self) -> *const c_void {
        // SAFETY: `inode` is valid by the type invariant.
        unsafe { (*self.inode).i_private }
    }

    /// Whether the file was opened for reading.
    pub(crate) fn readable(&self) -> bool {
        // SAFETY: `file` is valid by the type invariant.
        unsafe { (*self.file).f_mode & FMODE_READ != 0 }
    }

    /// Stores per-open data; the previous data, if any, is dropped.
    pub(crate) fn set_private<T>(&mut self, data: KBox<T>) {
        drop(self.take_private::<T>());
        // SAFETY: `file` is valid by the type invariant; only this module sets private_data.
        unsafe { (*self.file).private_data = KBox::into_raw(data).cast() };
    }

    /// Borrows the per-open data set by [`OpenFile::set_private`] with the same `T`.
    pub(crate) fn private<T>(&self) -> Option<&T> {
        // SAFETY: `file` is valid; `private_data` is NULL or a `KBox<T>` from `set_private`.
        let p = unsafe { (*self.file).private_data }.cast::<T>();
        // SAFETY: See above; the box lives until `take_private` in `release`.
        unsafe { p.as_ref() }
    }

    /// Takes back the per-open data set by [`OpenFile::set_private`] with the same `T`.
    pub(crate) fn take_private<T>(&mut self) -> Option<KBox<T>> {
        // SAFETY: `file` is valid; `private_data` is NULL or a `KBox<T>` from `set_private`.
        let p = unsafe { (*self.file).private_data }.cast::<T>();
        if p.is_null() {
            return None;
        }
        // SAFETY: `file` is valid by the type invariant.
        unsafe { (*self.file).private_data = core::ptr::null_mut() };
        // SAFETY: `p` came from `KBox::into_raw` in `set_private` and is taken only once.
        Some(unsafe { KBox::from_raw(p) })
    }
}

/// A `read(2)` on a report file.
pub(crate) struct ReadRequest {
    buf: *mut c_void,
    count: usize,
    ppos: *mut bindings::loff_t,
}

impl ReadRequest {
    /// Copies from `data` at the file position to user space and advances the position.
    pub(crate) fn copy_from(&mut self, data: &[u8]) -> Result<usize> {
        // SAFETY: `buf`/`count`/`ppos` are what the VFS passed to `read`; `data` is valid for
        // `data.len()` bytes. `simple_read_from_buffer` checks the user range itself.
        let n = unsafe {
            bindings::simple_read_from_buffer(
                self.buf,
                self.count,
                self.ppos,
                data.as_ptr().cast(),
                data.len(),
            )
        };
        if n < 0 {
            return Err(Error::from_errno(n as c_int));
        }
        Ok(n as usize)
    }
}

/// A `write(2)` on a control file.
pub(crate) struct WriteRequest {
    buf: *const c_char,
    count: usize,
    ppos: *mut bindings::loff_t,
}

impl WriteRequest {
    /// The number of bytes written.
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// The file position the write starts at.
    pub(crate) fn offset(&self) -> i64 {
        // SAFETY: `ppos` is the valid position pointer the VFS passed to `write`.
        unsafe { *self.ppos }
    }

    /// Copies the whole write from user space into `out`, which must be `len()` bytes long.
    pub(crate) fn read_all(&mut self, out: &mut [u8]) -> Result {
        if out.len() != self.count {
            return Err(EINVAL);
        }
        // SAFETY: `out` is valid for `count` bytes; `buf` is the user pointer the VFS passed to
        // `write`, and `copy_from_user` checks the user range itself.
        let left = unsafe {
            bindings::copy_from_user(
                out.as_mut_ptr().cast(),
                self.buf.cast(),
                self.count as c_ulong,
            )
        };
        if left != 0 {
            return Err(EFAULT);
        }
        Ok(())
    }
}

/// The operations of a preemptstat debugfs file, in safe Rust.
pub(crate) trait FileOps {
    /// Called on `open(2)`.
    fn open(file: &mut OpenFile) -> Result;
    /// Called on `read(2)`; returns the number of bytes copied.
    fn read(file: &OpenFile, req: &mut ReadRequest) -> Result<usize>;
    /// Called on `write(2)`; returns the number of bytes consumed.
    fn write(file: &OpenFile, req: &mut WriteRequest) -> Result<usize>;
    /// Called on the last `close(2)`.
    fn release(file: &mut OpenFile);
}

fn errno_isize(r: Result<usize>) -> isize {
    match r {
        Ok(n) => n as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// `file_operations.open`.
///
/// # Safety
///
/// Called by the VFS with a valid inode and file.
unsafe extern "C" fn open_tramp<F: FileOps>(
    inode: *mut bindings::inode,
    file: *mut bindings::file,
) -> c_int {
    // INVARIANT: The VFS passes a valid inode and file being opened.
    let mut f = OpenFile { file, inode };
    match F::open(&mut f) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// `file_operations.read`.
///
/// # Safety
///
/// Called by the VFS with a valid open file, user buffer and position.
unsafe extern "C" fn read_tramp<F: FileOps>(
    file: *mut bindings::file,
    buf: *mut c_char,
    count: usize,
    ppos: *mut bindings::loff_t,
) -> isize {
    // SAFETY: The VFS passes a valid open file, whose inode is valid while it is open.
    let inode = unsafe { (*file).f_inode };
    // INVARIANT: See above.
    let f = OpenFile { file, inode };
    let mut req = ReadRequest {
        buf: buf.cast(),
        count,
        ppos,
    };
    errno_isize(F::read(&f, &mut req))
}

/// `file_operations.write`.
///
/// # Safety
///
/// Called by the VFS with a valid open file, user buffer and position.
unsafe extern "C" fn write_tramp<F: FileOps>(
    file: *mut bindings::file,
    buf: *const c_char,
    count: usize,
    ppos: *mut bindings::loff_t,
) -> isize {
    // SAFETY: The VFS passes a valid open file, whose inode is valid while it is open.
    let inode = unsafe { (*file).f_inode };
    // INVARIANT: See above.
    let f = OpenFile { file, inode };
    let mut req = WriteRequest { buf, count, ppos };
    errno_isize(F::write(&f, &mut req))
}

/// `file_operations.release`.
///
/// # Safety
///
/// Called by the VFS with a valid inode and file, once, on the last close.
unsafe extern "C" fn release_tramp<F: FileOps>(
    inode: *mut bindings::inode,
    file: *mut bindings::file,
) -> c_int {
    // INVARIANT: The VFS passes the valid inode and file being released.
    let mut f = OpenFile { file, inode };
    F::release(&mut f);
    0
}

/// A `struct file_operations` built by [`file_operations`].
pub(crate) struct FileOperations(bindings::file_operations);

// SAFETY: Only read after construction (by the VFS); the owner pointer is `THIS_MODULE`.
unsafe impl Send for FileOperations {}
// SAFETY: See above.
unsafe impl Sync for FileOperations {}

impl FileOperations {
    /// The C struct, for `debugfs_create_file`.
    pub(crate) fn as_ptr(&self) -> *const bindings::file_operations {
        &self.0
    }
}

/// Builds `file_operations` calling `F`, owned by `module` so that an open file pins it.
pub(crate) fn file_operations<F: FileOps>(module: &'static ThisModule) -> FileOperations {
    // SAFETY: `file_operations` is a C struct of pointers and integers; all-zero is valid and
    // means "no operation" for every field left unset.
    let mut fops: bindings::file_operations = unsafe { core::mem::zeroed() };
    fops.owner = module.as_ptr();
    fops.open = Some(open_tramp::<F>);
    fops.read = Some(read_tramp::<F>);
    fops.write = Some(write_tramp::<F>);
    fops.release = Some(release_tramp::<F>);
    fops.llseek = Some(bindings::default_llseek);
    FileOperations(fops)
}
