/// One client request against a single key, as recorded by the fault-injection runner.
///
/// Times are readings of one monotonic clock shared by every client (for example
/// `CLOCK_MONOTONIC` nanoseconds, or simulator ticks). Intervals that touch (`invokedAt` of one
/// equal to `completedAt` of another) count as concurrent.
public struct ClientOperation: Sendable, Hashable, Codable {
    /// The client that issued the request. A client is expected to issue one request at a time,
    /// but the checker does not rely on it.
    public var clientID: Int
    /// The register the request addressed. Keys are checked independently of each other.
    public var key: String
    /// What the client asked for.
    public var kind: Kind
    /// When the client sent the request.
    public var invokedAt: UInt64
    /// What the client learned about the request, and when.
    public var outcome: Outcome

    /// Creates a recorded operation.
    public init(clientID: Int, key: String, kind: Kind, invokedAt: UInt64, outcome: Outcome) {
        self.clientID = clientID
        self.key = key
        self.kind = kind
        self.invokedAt = invokedAt
        self.outcome = outcome
    }

    /// When the client received the answer, or `nil` if the outcome is unknown (the checker then
    /// treats the completion time as +infinity).
    public var completedAt: UInt64? {
        switch outcome {
        case .ok(_, let at), .failed(let at): at
        case .unknown: nil
        }
    }
}

extension ClientOperation {
    /// The request a client made on a key-value register.
    public enum Kind: Sendable, Hashable, Codable {
        /// Read the current value.
        case read
        /// Unconditionally replace the value.
        case write(String)
        /// Replace the value with `new` iff it currently equals `expected` (`nil`: the key is
        /// absent). This is the HTTP API's `If-Match` conditional write; because the runner writes
        /// each value at most once, comparing values is equivalent to comparing versions.
        case compareAndSet(expected: String?, new: String)
        /// Remove the key; later reads observe "absent".
        case delete
    }

    /// What the client learned about its request.
    public enum Outcome: Sendable, Hashable, Codable {
        /// The request completed at `completedAt` with `response`. A conditional write whose
        /// precondition did not hold is a completed operation too (`.casFailed`): the model must
        /// explain it.
        case ok(Response, completedAt: UInt64)
        /// The request definitely had no effect (for example a 4xx rejected before proposing).
        /// The checker ignores it.
        case failed(completedAt: UInt64)
        /// Timed out or lost the connection: the request may have taken effect at any moment
        /// after its invocation, or never.
        case unknown
    }

    /// The answer of a completed request.
    public enum Response: Sendable, Hashable, Codable {
        /// A read's result: the value (`nil`: the key was absent) and, if the API reported one,
        /// the version it carried. The register model ignores versions; they are only rendered.
        case value(String?, version: UInt64? = nil)
        /// A write or delete was acknowledged.
        case acknowledged
        /// A compare-and-set found the expected value and replaced it.
        case casSucceeded
        /// A compare-and-set found a different value and changed nothing.
        case casFailed
    }
}
