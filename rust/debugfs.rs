// SPDX-License-Identifier: GPL-2.0

//! The debugfs directory `/sys/kernel/debug/preemptstat/`: report files and control files.
//!
//! Why not `kernel::debugfs`: its file operations have no `.owner`, so `rmmod` succeeds while a
//! file is open and the later `close()` calls into freed module text (verified on 7.3: an oops
//! in `full_proxy_release`). Here every file's `file_operations` has `.owner = THIS_MODULE`, so
//! an open file pins the module and `rmmod` fails with "in use" until it is closed. (6.12's
//! kernel crate has no `kernel::debugfs` at all: this code is the same on both series.)
//!
//! Semantics every file shares:
//! - A report is rendered once, when the file is opened, into a private buffer; reads then copy
//!   from that buffer. A reader that reads in small pieces still sees one consistent snapshot,
//!   and no line is ever torn between two reads.
//! - A write must be one `write(2)` of at most [`WRITE_MAX_BYTES`] at offset 0, holding one
//!   line (an optional trailing newline, no NUL). Anything else fails with `-EINVAL` and
//!   changes nothing: the file's parser runs before any state is touched.

use crate::{debugfs_raw as sys, text::TextBuf};
use core::{ffi::CStr, marker::PhantomData};
use kernel::prelude::*;

/// The longest write a control file accepts, in bytes.
pub(crate) const WRITE_MAX_BYTES: usize = 64;

/// Renders a report file into a buffer.
pub(crate) type ShowFn<T> = fn(&T, &mut TextBuf) -> core::fmt::Result;

/// Applies one value written to a control file. It returns `EINVAL` for input it does not
/// accept, and must not change any state in that case.
pub(crate) type StoreFn<T> = fn(&T, &str) -> Result;

/// One debugfs file: its name, its mode and what reading and writing it do.
pub(crate) struct FileSpec<T: 'static> {
    /// File name inside the preemptstat directory.
    pub(crate) name: &'static CStr,
    /// Renders the file's content; `None` for write-only files.
    pub(crate) show: Option<ShowFn<T>>,
    /// Parses and applies a write; `None` for read-only files.
    pub(crate) store: Option<StoreFn<T>>,
}

impl<T> FileSpec<T> {
    /// The file mode: root-only, readable if it has `show`, writable if it has `store`.
    const fn mode(&self) -> u16 {
        let mut mode = 0;
        if self.show.is_some() {
            mode |= 0o400;
        }
        if self.store.is_some() {
            mode |= 0o200;
        }
        mode
    }
}

/// The preemptstat debugfs directory and its files. Dropping it removes them all, waiting for
/// any read or write in flight.
///
/// # Invariants
///
/// - `dir` is the dentry returned by `debugfs_create_dir` (or an error pointer, which
///   `debugfs_remove` ignores).
/// - Every file below `dir` has `i_private` pointing at its element of `files`, which is not
///   moved or changed while this object exists; the `T` given to [`Debugfs::new`] outlives this
///   object.
pub(crate) struct Debugfs<T: 'static> {
    dir: sys::Dentry,
    files: KVec<FileBinding<T>>,
}

// SAFETY: The bindings only hold a shared pointer to a `T: Sync` and `'static` specs; files
// use them from any thread, and dropping only removes the directory.
unsafe impl<T: Sync + 'static> Send for Debugfs<T> {}
// SAFETY: See above; `Debugfs` offers no operations through a shared reference.
unsafe impl<T: Sync + 'static> Sync for Debugfs<T> {}

/// What a file's `i_private` points at: the state of its directory and its own spec. (Not the
/// debugfs `aux` pointer: 6.12 has none.)
struct FileBinding<T: 'static> {
    state: *const T,
    spec: &'static FileSpec<T>,
}

impl<T: Sync + 'static> Debugfs<T> {
    /// Creates `/sys/kernel/debug/NAME/` with the given files.
    ///
    /// # Safety
    ///
    /// `state` must stay valid until the returned object has been dropped, and `fops` must have
    /// been made by [`file_operations`] for the same `T` and stay in place as long.
    pub(crate) unsafe fn new(
        name: &'static CStr,
        state: *const T,
        fops: &sys::FileOperations,
        files: &'static [FileSpec<T>],
    ) -> Result<Self> {
        // Every binding is in place before the first file points at it.
        let mut bindings = KVec::with_capacity(files.len(), GFP_KERNEL)?;
        for spec in files {
            bindings.push(FileBinding { state, spec }, GFP_KERNEL)?;
        }
        let dir = sys::debugfs_create_dir(name)?;
        // INVARIANT: `dir` comes from `debugfs_create_dir`; `files` is never changed again, so
        // its elements stay where the files point.
        let this = Self {
            dir,
            files: bindings,
        };
        for b in this.files.iter() {
            // SAFETY: `b` stays in place until `this` is dropped, which removes the files
            // first; the caller guarantees `state` and `fops` outlive `this`.
            unsafe {
                sys::debugfs_create_file(
                    b.spec.name,
                    b.spec.mode(),
                    &this.dir,
                    core::ptr::from_ref(b).cast_mut().cast(),
                    fops.as_ptr(),
                )?
            };
        }
        Ok(this)
    }
}

impl<T: 'static> Drop for Debugfs<T> {
    fn drop(&mut self) {
        sys::debugfs_remove(&self.dir);
    }
}

/// Builds the `file_operations` every preemptstat file uses, owned by `module`.
pub(crate) fn file_operations<T: Sync + 'static>(
    module: &'static ThisModule,
) -> sys::FileOperations {
    sys::file_operations::<Files<T>>(module)
}

/// The file operations of a directory whose files share the state `T`.
struct Files<T>(PhantomData<T>);

impl<T: Sync + 'static> Files<T> {
    /// Finds the state and the spec of an open file.
    ///
    /// # Safety
    ///
    /// `file` must be a file created by [`Debugfs::new`] for this `T`, open and not released.
    unsafe fn parts(file: &sys::OpenFile) -> (&T, &FileSpec<T>) {
        // SAFETY: By the invariants of `Debugfs`, `i_private` points at the file's
        // `FileBinding<T>`, whose state outlives the files, which outlive this open file.
        unsafe {
            let b = &*file.inode_private().cast::<FileBinding<T>>();
            (&*b.state, b.spec)
        }
    }
}

impl<T: Sync + 'static> sys::FileOps for Files<T> {
    fn open(file: &mut sys::OpenFile) -> Result {
        // SAFETY: These operations are only installed by `file_operations::<T>`.
        let (state, spec) = unsafe { Self::parts(file) };
        let Some(show) = spec.show else {
            return Ok(());
        };
        if !file.readable() {
            return Ok(());
        }
        let mut text = TextBuf::new();
        show(state, &mut text).map_err(|_| ENOMEM)?;
        file.set_private(KBox::new(text, GFP_KERNEL)?);
        Ok(())
    }

    fn read(file: &sys::OpenFile, out: &mut sys::ReadRequest) -> Result<usize> {
        match file.private::<TextBuf>() {
            Some(text) => out.copy_from(text.as_bytes()),
            None => Err(EINVAL),
        }
    }

    fn write(file: &sys::OpenFile, input: &mut sys::WriteRequest) -> Result<usize> {
        // SAFETY: These operations are only installed by `file_operations::<T>`.
        let (state, spec) = unsafe { Self::parts(file) };
        let store = spec.store.ok_or(EINVAL)?;
        let len = input.len();
        if len == 0 || len > WRITE_MAX_BYTES || input.offset() != 0 {
            return Err(EINVAL);
        }
        let mut buf = [0u8; WRITE_MAX_BYTES];
        let bytes = buf.get_mut(..len).ok_or(EINVAL)?;
        input.read_all(bytes)?;
        let text = core::str::from_utf8(bytes).map_err(|_| EINVAL)?;
        // The value, without the one trailing newline `echo` writes; the file's own parser
        // decides what else it accepts.
        let value = text.strip_suffix('\n').unwrap_or(text);
        if value.is_empty() || value.bytes().any(|b| b == 0 || b == b'\n') {
            return Err(EINVAL);
        }
        store(state, value)?;
        Ok(len)
    }

    fn release(file: &mut sys::OpenFile) {
        drop(file.take_private::<TextBuf>());
    }
}
