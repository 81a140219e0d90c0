#if canImport(Glibc)
import Glibc
#endif

/// glibc's `malloc_trim(0)`: gives the free pages of every malloc arena back to the kernel.
///
/// Why `import` calls it after each window: each window's commands, envelopes and replies are
/// allocated and freed on several threads (the bulk sender, the reply listener), so in glibc's
/// per-thread arenas; the arenas keep freed pages, and a 10,000,000-row import crept from 51 MB to
/// 61 MB resident (RssAnon 29 → 37 MB) over its first 600,000 rows. One `malloc_trim(0)` on that
/// process (from gdb) took RssAnon from 37.3 MB to 22.1 MB: free memory held, not a leak.
/// Looked up at run time because the Glibc module does not import `<malloc.h>`; nothing elsewhere.
enum MallocTrim {
    static func releaseFreeMemory() {
        #if canImport(Glibc)
        guard let symbol = dlsym(nil, "malloc_trim") else { return }
        typealias Trim = @convention(c) (Int) -> Int32
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
        #endif
    }

    /// glibc's `mallopt(M_MMAP_THRESHOLD, 128 KiB)`: every block of 128 KiB or more is its own
    /// mapping, unmapped when freed, for the rest of the process.
    ///
    /// Why: glibc raises that threshold each time a mapped block is freed (up to 32 MiB), so after
    /// the first windows a window's big arrays and batch buffers were carved from the arenas of
    /// the threads that made them and left holes there. With two windows in flight on two sender
    /// threads, a 10,000,000-row import crept from 57 to 63 MB peak over its second million rows,
    /// its arenas holding 59 MB for 23 MB in use (`malloc_stats` from gdb). A fixed threshold
    /// also turns the dynamic one off.
    static func fixMapThreshold() {
        #if canImport(Glibc)
        guard let symbol = dlsym(nil, "mallopt") else { return }
        typealias Option = @convention(c) (Int32, Int32) -> Int32
        let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD in <malloc.h>
        _ = unsafeBitCast(symbol, to: Option.self)(mmapThreshold, 128 * 1024)
        #endif
    }
}
