import Testing

@testable import LithairStorage

@Suite struct DataDirectoryLockTests {
    @Test func secondLockFailsNamingTheDirectory() throws {
        let dir = TemporaryDirectory()
        let first = try DataDirectoryLock(directory: dir.path)
        let error = expectStorageError { _ = try DataDirectoryLock(directory: dir.path) }
        #expect(error?.kind == .locked)
        #expect(error?.path == dir.path)
        #expect(error?.description.contains("data directory \(dir.path) is locked") == true)
        first.release()
        let again = try DataDirectoryLock(directory: dir.path)
        again.release()
        again.release()  // idempotent
    }

    @Test func lockIsReleasedWhenTheValueGoesAway() throws {
        let dir = TemporaryDirectory()
        do { _ = try DataDirectoryLock(directory: dir.path) }
        _ = try DataDirectoryLock(directory: dir.path)
    }
}
