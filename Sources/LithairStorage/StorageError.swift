#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An error from the storage layer: the log, the snapshot store, the hard-state file or the
/// data-directory lock.
///
/// Every error names the file (and, for corruption, the byte offset) it is about, so that the
/// operator reading a log line knows what to look at. ``kind`` lets callers map it to a status
/// (for example ``Kind/noSpace`` to HTTP 507, ``Kind/io`` to 503).
public struct StorageError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, coarse enough to branch on.
    public enum Kind: Sendable, Equatable {
        /// Stored bytes failed a checksum, a format check or a continuity check.
        case corrupt
        /// The file system is full (`ENOSPC`, `EDQUOT`, `EFBIG`).
        case noSpace
        /// The file system is read-only (`EROFS`).
        case readOnly
        /// Any other failed system call (`EIO`, `EACCES`, …).
        case io
        /// Another process (or another open) holds the data-directory lock.
        case locked
        /// The caller asked for something the store cannot do (out-of-order append, index out of range…).
        case invalidArgument
        /// The object was closed, or put out of service by an earlier failure it could not roll back.
        case unusable
    }

    /// What went wrong.
    public var kind: Kind
    /// The file or directory concerned, if any.
    public var path: String?
    /// The byte offset in ``path`` where corruption was found, if any.
    public var offset: Int?
    /// The `errno` of the failed system call, if any.
    public var errno: Int32?
    /// The full human-readable message (same as ``description``).
    public var message: String

    /// The full human-readable message, naming the file and offset.
    public var description: String { message }

    /// Creates an error from its parts. Prefer the static factories.
    public init(kind: Kind, path: String? = nil, offset: Int? = nil, errno: Int32? = nil, message: String) {
        self.kind = kind
        self.path = path
        self.offset = offset
        self.errno = errno
        self.message = message
    }

    /// A log segment failed validation: `log segment <file> is corrupt at offset <n>: <reason> (refusing to start)`.
    public static func corrupt(file: String, offset: Int, reason: String) -> StorageError {
        StorageError(
            kind: .corrupt, path: file, offset: offset,
            message: "log segment \(file) is corrupt at offset \(offset): \(reason) (refusing to start)")
    }

    /// A stored file other than a log segment (snapshot, hard state) failed validation.
    public static func corruptFile(_ what: String, file: String, offset: Int? = nil, reason: String) -> StorageError {
        let at = offset.map { " at offset \($0)" } ?? ""
        return StorageError(
            kind: .corrupt, path: file, offset: offset, message: "\(what) \(file) is corrupt\(at): \(reason)")
    }

    /// A system call failed. `ENOSPC`/`EDQUOT`/`EFBIG` map to ``Kind/noSpace``, `EROFS` to ``Kind/readOnly``.
    public static func system(_ operation: String, path: String, errno code: Int32) -> StorageError {
        let kind: Kind
        switch code {
        case ENOSPC, EDQUOT, EFBIG: kind = .noSpace
        case EROFS: kind = .readOnly
        default: kind = .io
        }
        let reason = String(cString: strerror(code))
        return StorageError(
            kind: kind, path: path, errno: code, message: "\(operation) failed on \(path): \(reason) (errno \(code))")
    }

    /// The caller broke a precondition of the API; nothing was changed.
    public static func invalidArgument(_ message: String, path: String? = nil) -> StorageError {
        StorageError(kind: .invalidArgument, path: path, message: message)
    }

    /// The object cannot be used any more (closed, or failed and could not roll back).
    public static func unusable(_ message: String, path: String? = nil) -> StorageError {
        StorageError(kind: .unusable, path: path, message: message)
    }
}
