/// Why a node could not take a write or answer a read; the HTTP layer maps each case to a status.
public enum NodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Startup replay has not finished (503).
    case notReady
    /// The node is stopping and takes no new writes (503).
    case shuttingDown
    /// The disk is full; nothing was written (507).
    case storageFull(String)
    /// The log could not be written or synced; nothing was acknowledged (503).
    case storageFailure(String)
    /// The cluster did not answer in time; a write may or may not have been applied (503).
    case timedOut
    /// This node is not the leader; `leaderAddress` is the one it knows of (503 when `nil`).
    case notLeader(leaderAddress: String?)
    /// Leadership changed while the write was in flight and another entry took its place:
    /// the write was not applied (503, safe to retry).
    case proposalDropped

    /// A message fit for the API user.
    public var description: String {
        switch self {
        case .notReady: "the node is still replaying its log"
        case .shuttingDown: "the node is shutting down"
        case .storageFull(let message): "disk full: \(message)"
        case .storageFailure(let message): "storage failure: \(message)"
        case .timedOut: "the cluster did not answer in time; the write may or may not have been applied"
        case .notLeader(let leader?): "this node is not the leader; the leader is \(leader)"
        case .notLeader(nil): "no leader is known right now"
        case .proposalDropped: "leadership changed before the write committed; it was not applied"
        }
    }
}

/// The result of one committed command.
struct CommitResult: Sendable, Equatable {
    /// The log index the command was stored at.
    var index: UInt64
    var outcome: ApplyOutcome
}

/// Where the HTTP layer sends writes: a single local log, or (in a cluster) Raft.
protocol CommandSubmitting: Sendable {
    /// Makes `command` durable, applies it, and reports what applying it did.
    func submit(_ command: ModelCommand) async throws(NodeError) -> CommitResult

    /// The same, reporting to `whenDone` (on whichever thread finishes the write) instead of
    /// resuming a task: for callers on a NIO event loop, which would otherwise hop to a task
    /// and back for every write.
    func submit(_ command: ModelCommand, whenDone: @escaping @Sendable (Result<CommitResult, NodeError>) -> Void)
}

extension CommandSubmitting {
    /// The task-facing form, for every conformer: the callback form resumes the task.
    func submit(_ command: ModelCommand) async throws(NodeError) -> CommitResult {
        let result = await withCheckedContinuation { continuation in
            submit(command) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }
}

extension NodeError {
    /// `error` as a node error; anything else is a storage failure.
    init(anyError error: any Error) {
        self = (error as? NodeError) ?? .storageFailure("\(error)")
    }
}
