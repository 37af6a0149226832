/// Why a node-to-node Raft request body was rejected.
///
/// The message is written for the sender's operator and fits a 400 JSON body as is, e.g.
/// `field 'prev_log_index': expected a non-negative integer, got -1`. Errors about one field
/// always start with `field '<path>':`, where the path names nested members the way a script
/// would reach them (`entries[3].data`, `snapshot.voters[0]`).
struct RaftWireError: Error, CustomStringConvertible, Equatable {
    /// What was wrong.
    let message: String

    /// Creates an error with a complete message.
    init(_ message: String) {
        self.message = message
    }

    /// An error about the field at `path`.
    init(field path: String, _ problem: String) {
        self.message = "field '\(path)': \(problem)"
    }

    var description: String { message }
}
