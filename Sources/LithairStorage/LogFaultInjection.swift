/// Test hook for ``SegmentedLog``: make chosen writes and syncs fail as if the disk had.
struct LogFaultInjection {
    /// A failed write: `bytesWritten` bytes reach the file, then the call fails with `errno`.
    struct WriteFault {
        var bytesWritten: Int
        var errno: Int32
    }
    /// Called before each segment write with the file path and byte count; non-nil fails it.
    var write: ((_ path: String, _ length: Int) -> WriteFault?)?
    /// Called before each `fdatasync` with the file path; a non-nil `errno` fails it.
    var sync: ((_ path: String) -> Int32?)?
    /// Called before each `ftruncate` of a segment with the file path; a non-nil `errno` fails it.
    var truncate: ((_ path: String) -> Int32?)?
}

extension RawFile {
    /// `fdatasync`, unless the test hook `fault` fails it with an `errno` for this file.
    func dataSync(failingWith fault: ((_ path: String) -> Int32?)?) throws {
        if let code = fault?(path) { throw StorageError.system("fdatasync", path: path, errno: code) }
        try dataSync()
    }
}
