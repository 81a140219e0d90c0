import Operations
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct HeapTrimmerTests {
    /// Freed small allocations stay in glibc's arenas; a trim hands their pages back. 20 MB in 32 KB
    /// blocks (below the mmap threshold, so they come from the heap), touched, then freed.
    @Test func aTrimAfterFreeingHeapMemoryReleasesIt() {
        let blocks = (0..<640).compactMap { _ -> UnsafeMutableRawPointer? in
            guard let p = malloc(32 * 1024) else { return nil }
            memset(p, 1, 32 * 1024)
            return p
        }
        #expect(blocks.count == 640)
        // Keep the last block so the freed ones are not all at the heap's top (where free() itself trims).
        for p in blocks.dropLast() { free(p) }
        #expect(HeapTrimmer.trimNow())
        free(blocks.last)
    }
}
