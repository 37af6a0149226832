#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A thin wrapper over a POSIX file descriptor: positional reads and writes that retry on
/// `EINTR` and short transfers, and turn failures into ``StorageError`` naming the file.
///
/// Foundation's `FileHandle` cannot `fdatasync`, `ftruncate` or report `errno`, and costs more
/// per call; the log's whole point is one syscall per group commit.
struct RawFile {
    let fd: Int32
    let path: String

    /// Opens `path` read-write (`O_CLOEXEC`), creating it (mode 0644) if `create`; with
    /// `exclusive`, fails if it already exists.
    static func openFile(_ path: String, create: Bool = false, exclusive: Bool = false, readOnly: Bool = false)
        throws -> RawFile
    {
        var flags = (readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC
        if create { flags |= O_CREAT }
        if exclusive { flags |= O_EXCL }
        while true {
            let fd = open(path, flags, 0o644)
            if fd >= 0 { return RawFile(fd: fd, path: path) }
            if errno == EINTR { continue }
            throw StorageError.system("open", path: path, errno: errno)
        }
    }

    /// The current size in bytes.
    func size() throws -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StorageError.system("fstat", path: path, errno: errno) }
        return Int(st.st_size)
    }

    /// Writes all of `buffer` at `offset`, looping over short writes and `EINTR`. Never throws:
    /// the outcome says how many bytes reached the file and with how many `pwrite` calls, so the
    /// caller can cut a partial write off again.
    func pwriteAll(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> WriteOutcome {
        var outcome = WriteOutcome()
        while outcome.written < buffer.count {
            outcome.calls += 1
            let done = outcome.written
            let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n > 0 {
                outcome.written += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                // n == 0 should not happen for a regular file; treat it as "no space" rather than spin.
                outcome.error = .system("write", path: path, errno: n == 0 ? ENOSPC : errno)
                return outcome
            }
        }
        return outcome
    }

    /// Reads exactly `count` bytes at `offset`; fewer available bytes is an error.
    func preadExactly(_ count: Int, at offset: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        var failure: StorageError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if n > 0 {
                    done += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else if n == 0 {
                    failure = StorageError(
                        kind: .io, path: path, offset: offset + done,
                        message:
                            "read of \(path) ended early at offset \(offset + done) (wanted \(count) bytes at \(offset))"
                    )
                    break
                } else {
                    failure = .system("read", path: path, errno: errno)
                    break
                }
            }
            initialized = done
        }
        if let failure { throw failure }
        return bytes
    }

    /// `fdatasync`: flushes the data and the metadata needed to read it (the size), not timestamps.
    func dataSync() throws {
        #if os(Linux)
            let sync = fdatasync
        #else
            let sync = fsync
        #endif
        while sync(fd) != 0 {
            if errno == EINTR { continue }
            throw StorageError.system("fdatasync", path: path, errno: errno)
        }
    }

    /// Writes the bytes in `range` to the device and waits until they are there, without the
    /// metadata `fdatasync` would also commit (a growing file's size: a journal commit each
    /// time on ext4) and without flushing the device's cache; durability still takes a sync.
    /// Where `sync_file_range` is missing, this is ``dataSync()``.
    func writeBack(_ range: Range<Int>) throws {
        guard let syncFileRange = Self.syncFileRange else { return try dataSync() }
        // SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER
        while syncFileRange(fd, Int64(range.lowerBound), Int64(range.count), 1 | 2 | 4) != 0 {
            if errno == EINTR { continue }
            throw StorageError.system("sync_file_range", path: path, errno: errno)
        }
    }

    /// Linux's `sync_file_range`, which Swift's Glibc module does not declare.
    private static let syncFileRange: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = {
        #if os(Linux)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range") else { return nil }
            return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
        #else
            return nil
        #endif
    }()

    /// `fsync`: flushes data and all metadata.
    func fullSync() throws {
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            throw StorageError.system("fsync", path: path, errno: errno)
        }
    }

    /// Cuts (or extends with zeros) the file to `length` bytes.
    func truncate(to length: Int) throws {
        while ftruncate(fd, off_t(length)) != 0 {
            if errno == EINTR { continue }
            throw StorageError.system("ftruncate", path: path, errno: errno)
        }
    }

    /// Closes the descriptor; errors are ignored (the data was synced or is being abandoned).
    func closeFile() { _ = close(fd) }
}

/// What ``RawFile/pwriteAll(_:at:)`` did.
struct WriteOutcome {
    /// Bytes that reached the file.
    var written = 0
    /// `pwrite` system calls made.
    var calls = 0
    /// Why it stopped short, if it did.
    var error: StorageError?
}

/// Directory and path operations that the durable-write protocol needs.
enum FileSystem {
    /// Makes the directory's entries (creations, renames, deletions) durable.
    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageError.system("open directory", path: path, errno: errno) }
        defer { _ = close(fd) }
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            // Some file systems cannot fsync a directory; nothing more can be done there.
            if errno == EINVAL { return }
            throw StorageError.system("fsync directory", path: path, errno: errno)
        }
    }

    /// Creates `path` and its missing parents (mode 0755); an existing directory is fine.
    static func createDirectory(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw StorageError.system("mkdir", path: prefix, errno: errno)
            }
            prefix += "/"
        }
        var st = stat()
        guard stat(path, &st) == 0 else { throw StorageError.system("stat", path: path, errno: errno) }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            throw StorageError(kind: .io, path: path, message: "\(path) exists and is not a directory")
        }
    }

    /// Names of the entries in `path` (without "." and "..").
    static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw StorageError.system("opendir", path: path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Deletes a file; a missing file is fine.
    static func remove(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT { throw StorageError.system("unlink", path: path, errno: errno) }
    }

    /// Atomically replaces `to` with `from` (same directory).
    static func move(_ from: String, to: String) throws {
        if rename(from, to) != 0 { throw StorageError.system("rename to \(to)", path: from, errno: errno) }
    }

    /// Whether `path` exists.
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Bytes an unprivileged writer can still use on the file system holding `path`, or `nil`
    /// if `statvfs` fails.
    static func availableBytes(_ path: String) -> Int? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let (bytes, overflow) = Int(info.f_bavail).multipliedReportingOverflow(by: Int(info.f_frsize))
        return overflow ? Int.max : bytes
    }
}
