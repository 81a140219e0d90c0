import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Hands freed heap memory back to the kernel at a fixed interval (`malloc_trim`).
///
/// Why: glibc keeps freed memory in its arenas for reuse and returns it only from the top of the
/// main heap. After a burst of 64 concurrent writers the gateway kept about 5 MB of freed heap
/// resident for the rest of its life; a trim every few seconds gives it back once the burst is over.
/// The cost is one walk over the arenas per interval (microseconds on an idle heap).
public enum HeapTrimmer {
    /// glibc's `malloc_trim`, looked up at run time: it is declared in <malloc.h>, which Glibc's
    /// Swift module does not include. Nil on a C library without it (then nothing is trimmed).
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    }()

    /// Trims once; true when memory went back to the kernel (false too when there is no `malloc_trim`).
    @discardableResult
    public static func trimNow() -> Bool { (mallocTrim?(0) ?? 0) == 1 }

    /// Starts trimming every `seconds` on a background queue; cancel the timer to stop.
    public static func start(every seconds: Double = 10) -> any DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        timer.schedule(deadline: .now() + seconds, repeating: seconds, leeway: .seconds(1))
        timer.setEventHandler { _ = trimNow() }
        timer.resume()
        return timer
    }
}
