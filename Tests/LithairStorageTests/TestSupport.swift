import Foundation
import Testing

@testable import LithairStorage

/// A fresh directory under the system temporary directory, deleted when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("lithair-storage-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// `path/name`.
    func file(_ name: String) -> String { path + "/" + name }

    /// File names in the directory, sorted.
    func names() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}

/// Entries `range` with recognizable payloads of varying size (index-dependent).
func makeEntries(_ range: ClosedRange<UInt64>, term: UInt64 = 1, tag: String = "e") -> [LogEntry] {
    range.map { index in
        LogEntry(
            index: index, term: term,
            payload: Array("\(tag)-\(index)-".utf8)
                + [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: Int(index % 7)))
    }
}

/// The segment files of a log directory, oldest first.
func segmentFiles(_ dir: TemporaryDirectory) -> [String] {
    dir.names().filter { $0.hasPrefix("log-") && $0.hasSuffix(".seg") }.map(dir.file)
}

func readFile(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path)!) }

func writeFile(_ path: String, _ bytes: [UInt8]) { try! Data(bytes).write(to: URL(fileURLWithPath: path)) }

func fileSize(_ path: String) -> Int { readFile(path).count }

/// Cuts the file at `path` to `length` bytes.
func truncateFile(_ path: String, to length: Int) {
    let handle = FileHandle(forWritingAtPath: path)!
    try! handle.truncate(atOffset: UInt64(length))
    try! handle.close()
}

/// Flips every bit of the byte at `offset` of the file at `path`.
func flipByte(_ path: String, at offset: Int) {
    var bytes = readFile(path)
    bytes[offset] ^= 0xFF
    writeFile(path, bytes)
}

/// Runs `body`, expecting a ``StorageError``, and returns it.
func expectStorageError(
    _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> StorageError? {
    do {
        try body()
        Issue.record(
            "expected a StorageError, nothing was thrown \(comment.map { "(\($0))" } ?? "")",
            sourceLocation: sourceLocation)
        return nil
    } catch let error as StorageError {
        return error
    } catch {
        Issue.record("expected a StorageError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
