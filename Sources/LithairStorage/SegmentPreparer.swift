import Dispatch
import Synchronization

/// Zero-fills the log's next segment file in the background, so that appends overwrite blocks
/// that are already allocated and on disk instead of growing the file.
///
/// Why it pays: on ext4 an `fdatasync` after an append that grows the file must also allocate
/// blocks and write the inode (the new size); into zero-filled, synced space it flushes the
/// data alone. Measured on these machines (8 KB write + `fdatasync`): 36 µs of CPU and
/// 93–101 µs wall instead of 65–71 µs and 162–188 µs. `fallocate` does not help: its unwritten
/// extents are converted, a metadata change, by the first write into them.
///
/// One spare at a time, in a file whose name is not a segment's, so an unfinished one is never
/// mistaken for log data; ``SegmentedLog`` renames a finished spare into place when it rotates.
final class SegmentPreparer: Sendable {
    /// Where the spare is written, in the log's `directory`.
    let path: String
    private let directory: String
    private let state = Mutex(State.idle)
    private let queue = DispatchQueue(label: "lithair.segment-preparer")
    private let running = DispatchGroup()

    private enum State {
        case idle
        case preparing
        /// A spare of this many zero bytes is on disk, synced.
        case ready(bytes: Int)
        case closed
    }

    /// The spare file's name in the log directory (never a segment name).
    static let fileName = "next-segment.tmp"

    init(directory: String) {
        self.directory = directory
        path = directory + "/" + Self.fileName
    }

    /// Whether the file system holding `directory` can give `bytes` to a prepared segment:
    /// it keeps at least as much free again, so that zeros never take the space a write needs
    /// (on a nearly full disk, segments grow with their records as without preparation).
    static func hasRoom(for bytes: Int, in directory: String) -> Bool {
        guard let available = FileSystem.availableBytes(directory) else { return false }
        return available / 2 >= bytes
    }

    /// Starts preparing a spare of `bytes` unless one is ready or being prepared. A failure,
    /// or too little free space, leaves no spare: the log then prepares its segment itself.
    func prepare(bytes: Int) {
        let start = state.withLock { state -> Bool in
            guard case .idle = state else { return false }
            state = .preparing
            return true
        }
        guard start else { return }
        queue.async(group: running) { [self] in
            let done =
                Self.hasRoom(for: bytes, in: directory)
                && (try? RawFile.createZeroFilled(path, bytes: bytes) { isClosed }) ?? false
            state.withLock { state in
                guard case .preparing = state else { return }
                state = done ? .ready(bytes: bytes) : .idle
            }
            if !done { try? FileSystem.remove(path) }
        }
    }

    /// The size of a finished spare, which the caller now owns (and renames), or `nil`.
    func takeSpare() -> Int? {
        state.withLock { state in
            guard case .ready(let bytes) = state else { return nil }
            state = .idle
            return bytes
        }
    }

    /// Whether a finished spare is waiting (for tests).
    var hasSpare: Bool {
        state.withLock { state in
            if case .ready = state { return true }
            return false
        }
    }

    /// Stops any preparation in progress, waits for it, and removes the spare.
    func close() {
        state.withLock { $0 = .closed }
        running.wait()
        try? FileSystem.remove(path)
    }

    private var isClosed: Bool {
        state.withLock { state in
            if case .closed = state { return true }
            return false
        }
    }
}

extension RawFile {
    /// Creates (or replaces) `path` holding `bytes` zero bytes, synced; returns `false` if
    /// `cancelled` said so between chunks (the file is then incomplete).
    static func createZeroFilled(_ path: String, bytes: Int, cancelled: () -> Bool = { false }) throws -> Bool {
        let file = try openFile(path, create: true)
        defer { file.closeFile() }
        try file.truncate(to: 0)
        return try file.writeZeros(bytes: bytes, cancelled: cancelled)
    }

    /// Writes `bytes` zero bytes from offset 0 and syncs them, 128 KiB per write and per
    /// `fdatasync`: the log's own syncs on the same disk then never wait behind a long flush
    /// (with 1 MiB chunks, and more so with one sync at the end, p99 latency at 64 clients rose
    /// from 9–11 ms to 17–40 ms). Returns `false` if `cancelled` said so between chunks.
    func writeZeros(bytes: Int, cancelled: () -> Bool = { false }) throws -> Bool {
        let chunk = [UInt8](repeating: 0, count: min(bytes, DurableFile.flushEvery))
        var offset = 0
        while offset < bytes {
            if cancelled() { return false }
            let count = min(chunk.count, bytes - offset)
            let outcome = chunk.withUnsafeBytes {
                pwriteAll(UnsafeRawBufferPointer(rebasing: $0[0..<count]), at: offset)
            }
            if let error = outcome.error { throw error }
            try dataSync()
            offset += count
        }
        return true
    }
}
