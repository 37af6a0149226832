import Foundation
import LithairHistory

/// Writes a history as JSON lines: one `ClientOperation` (its Codable form) per line, in
/// invocation order.
enum VerifyHistoryFile {
    /// Returns why the file could not be written, or nil.
    static func write(_ history: History, to path: String) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        do {
            for operation in history.operations.sorted(by: { ($0.invokedAt, $0.clientID) < ($1.invokedAt, $1.clientID) }
            ) {
                data += try encoder.encode(operation)
                data.append(0x0A)
            }
            try data.write(to: URL(fileURLWithPath: path))
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Reads a file written by `write`.
    static func read(from path: String) throws -> History {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let decoder = JSONDecoder()
        return History(
            try text.split(separator: "\n").map { try decoder.decode(ClientOperation.self, from: Data($0.utf8)) })
    }
}
