/// Why a byte string is not acceptable JSON, and where.
public struct JSONParseError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Zero-based byte offset of the offending input (the end of input when it ran out).
    public var offset: Int
    /// What was wrong, without the position, e.g. `unexpected character '}'`.
    public var message: String

    /// Creates an error at `offset`.
    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    /// The message with its position, e.g. `unexpected character '}' at byte 17`.
    public var description: String { "\(message) at byte \(offset)" }
}
