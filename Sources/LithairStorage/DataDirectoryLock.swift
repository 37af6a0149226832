import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive `flock` on `<directory>/LOCK`, so that two processes can never open the same
/// data directory (two nodes writing one log would corrupt it silently).
///
/// The lock is held until ``release()`` or until the last copy of the value is gone; the kernel
/// also drops it when the process dies, so a crash never leaves a stale lock behind.
public struct DataDirectoryLock: Sendable {
    /// The locked directory.
    public let directory: String
    private let holder: Holder

    /// Creates `directory` if missing and locks it.
    /// - Throws: ``StorageError/Kind/locked`` naming the directory if another holder has it.
    public init(directory: String) throws {
        try FileSystem.createDirectory(directory)
        let path = directory + "/LOCK"
        let file = try RawFile.openFile(path, create: true)
        while flock(file.fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            defer { file.closeFile() }
            if code == EWOULDBLOCK {
                // The holder wrote its pid into the file: name it, so the operator knows what to stop.
                let owner =
                    (try? file.preadExactly(min(try file.size(), 32), at: 0))
                    .map { String(decoding: $0, as: UTF8.self).trimmingSuffix(while: { $0 == "\n" }) } ?? ""
                throw StorageError(
                    kind: .locked, path: directory, errno: code,
                    message: "data directory \(directory) is locked by another process (or another open in this one): "
                        + "\(path) is held\(owner.isEmpty ? "" : " by pid \(owner)")")
            }
            throw StorageError.system("flock", path: path, errno: code)
        }
        // Best effort: the pid is only for the error message above.
        _ = try? file.truncate(to: 0)
        _ = Array("\(getpid())\n".utf8).withUnsafeBytes { file.pwriteAll($0, at: 0) }
        self.directory = directory
        self.holder = Holder(fd: file.fd)
    }

    /// Releases the lock now (idempotent).
    public func release() { holder.release() }

    /// Owns the descriptor; closing it releases the lock.
    private final class Holder: Sendable {
        private let fd: Int32
        private let released = Atomic<Bool>(false)
        init(fd: Int32) { self.fd = fd }
        func release() {
            if !released.exchange(true, ordering: .acquiringAndReleasing) { _ = close(fd) }
        }
        deinit { release() }
    }
}

extension String {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> String {
        var result = self
        while let last = result.last, predicate(last) { result.removeLast() }
        return result
    }
}
