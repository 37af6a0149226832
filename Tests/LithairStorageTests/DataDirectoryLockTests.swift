import Testing

@testable import LithairStorage

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct DataDirectoryLockTests {
    @Test func secondLockFailsNamingTheDirectory() throws {
        let dir = TemporaryDirectory()
        let first = try DataDirectoryLock(directory: dir.path)
        let error = expectStorageError { _ = try DataDirectoryLock(directory: dir.path) }
        #expect(error?.kind == .locked)
        #expect(error?.path == dir.path)
        #expect(error?.description.contains("data directory \(dir.path) is locked") == true)
        #expect(error?.description.contains("by pid \(getpid())") == true)
        first.release()
        let again = try DataDirectoryLock(directory: dir.path)
        again.release()
        again.release()  // idempotent
    }

    @Test func lockIsReleasedWhenTheValueGoesAway() throws {
        let dir = TemporaryDirectory()
        do {
            let lock = try DataDirectoryLock(directory: dir.path)
            #expect(lock.directory == dir.path)
            #expect(throws: StorageError.self) { try DataDirectoryLock(directory: dir.path) }
        }
        let lock = try DataDirectoryLock(directory: dir.path)
        lock.release()
    }
}
