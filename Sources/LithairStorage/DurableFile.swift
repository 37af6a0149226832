#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whole-file atomic replacement: after ``write(_:to:)`` returns, a crash leaves either the old
/// file or the new one, never a mix, and the new one survives power loss.
///
/// The protocol is the classic one: write a temporary file in the same directory, `fsync` it,
/// `rename` it over the target (atomic on POSIX), then `fsync` the directory so that the
/// rename itself is durable.
enum DurableFile {
    /// The suffix of temporary files; stores delete leftovers with it when they open.
    static let temporarySuffix = ".tmp"

    /// The most a large file is written before its data is flushed: see ``write(parts:to:)``.
    static let flushEvery = 1 << 20

    /// Atomically replaces the file at `path` with `bytes`.
    static func write(_ bytes: [UInt8], to path: String) throws {
        try write(parts: [bytes], to: path)
    }

    /// Atomically replaces the file at `path` with the concatenation of `parts`.
    ///
    /// Data is flushed every ``flushEvery`` bytes rather than all at the end: a snapshot of
    /// hundreds of megabytes flushed at once queues ahead of every log `fdatasync` on the same
    /// disk, and each acknowledged write would wait behind it.
    static func write(parts: [[UInt8]], to path: String) throws {
        let temporary = path + temporarySuffix
        try FileSystem.remove(temporary)
        let file = try RawFile.openFile(temporary, create: true, exclusive: true)
        do {
            var offset = 0
            var unflushed = 0
            for part in parts {
                var start = 0
                while start < part.count {
                    let length = min(part.count - start, flushEvery - unflushed)
                    let outcome = part.withUnsafeBytes {
                        file.pwriteAll(UnsafeRawBufferPointer(rebasing: $0[start..<start + length]), at: offset)
                    }
                    if let error = outcome.error { throw error }
                    start += length
                    offset += length
                    unflushed += length
                    if unflushed == flushEvery {
                        try file.dataSync()
                        unflushed = 0
                    }
                }
            }
            try file.fullSync()
        } catch {
            file.closeFile()
            try? FileSystem.remove(temporary)
            throw error
        }
        file.closeFile()
        do {
            try FileSystem.move(temporary, to: path)
        } catch {
            try? FileSystem.remove(temporary)
            throw error
        }
        try FileSystem.syncDirectory(directoryOf(path))
    }

    /// Reads the whole file at `path`, or `nil` if it does not exist.
    static func read(_ path: String) throws -> [UInt8]? {
        let file: RawFile
        do {
            file = try RawFile.openFile(path, readOnly: true)
        } catch {
            if (error as? StorageError)?.errno == ENOENT { return nil }
            throw error
        }
        defer { file.closeFile() }
        return try file.preadExactly(try file.size(), at: 0)
    }

    /// The directory part of `path` ("." if there is none).
    static func directoryOf(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
