/// How the leader currently replicates to one follower (etcd's progress states).
public enum ReplicationState: String, Sendable, Hashable, Codable {
    /// The leader does not know where the follower's log matches: it sends one AppendEntries
    /// per heartbeat interval and backtracks on rejections.
    case probe
    /// The follower's log matches: entries stream optimistically, up to the in-flight window.
    case replicate
    /// The entries the follower needs were compacted: a snapshot is on its way.
    case snapshot
}

/// The leader's view of one follower's replication.
struct Progress: Sendable {
    /// Highest index known to match the leader's log.
    var match: UInt64 = 0
    /// Next index to send.
    var next: UInt64
    var state: ReplicationState = .probe
    /// Index of the snapshot being sent while in `.snapshot`.
    var pendingSnapshot: UInt64 = 0
    /// In `.probe`: one message was sent this heartbeat interval; wait for an answer.
    var probeSent = false
    /// Last indexes of the AppendEntries in flight while in `.replicate`.
    var inflights: Inflights
    /// Heard from the follower since the last check-quorum round.
    var recentActive = false
    /// Core tick at which the follower last answered, if it ever did.
    var lastContactTick: UInt64?
    /// The highest commit index sent to the follower in an AppendEntries.
    var sentCommit: UInt64 = 0

    /// Appends are in flight: the follower answers, and can be told more then.
    var isAwaitingAnswers: Bool { state == .replicate && inflights.count > 0 }

    init(next: UInt64, maxInflight: Int) {
        self.next = next
        self.inflights = Inflights(capacity: maxInflight)
    }

    /// Whether the leader must hold back new AppendEntries for now.
    var isPaused: Bool {
        switch state {
        case .probe: probeSent
        case .replicate: inflights.isFull
        case .snapshot: true
        }
    }

    mutating func becomeProbe() {
        // After a snapshot, resume right after it: the follower has it (or will tell us).
        next = state == .snapshot ? max(match + 1, pendingSnapshot + 1) : match + 1
        state = .probe
        pendingSnapshot = 0
        probeSent = false
        inflights.removeAll()
    }

    mutating func becomeReplicate() {
        state = .replicate
        next = match + 1
        pendingSnapshot = 0
        probeSent = false
        inflights.removeAll()
    }

    mutating func becomeSnapshot(index: UInt64) {
        state = .snapshot
        pendingSnapshot = index
        probeSent = false
        inflights.removeAll()
    }

    /// A successful AppendResponse for `index`. Returns false if it told us nothing new.
    mutating func acknowledge(_ index: UInt64) -> Bool {
        let updated = index > match
        if updated {
            match = index
            probeSent = false
        }
        next = max(next, index + 1)
        return updated
    }

    /// A rejected AppendEntries at `rejected`; `hint` is where the follower's log may match.
    /// Returns false if the rejection is stale (answers an older message).
    mutating func backtrack(rejected: UInt64, hint: UInt64) -> Bool {
        if state == .replicate {
            // Anything at or below `match` was already acknowledged: a reordered old reply.
            guard rejected > match else { return false }
            next = match + 1
            return true
        }
        // In probe only the latest probe (next - 1) is meaningful.
        guard next >= 1, rejected == next - 1 else { return false }
        next = max(min(rejected, hint + 1), match + 1)
        probeSent = false
        return true
    }

    /// Records an AppendEntries just sent whose last entry is `lastIndex` (nil: no entries).
    mutating func sent(lastIndex: UInt64?) {
        switch state {
        case .replicate:
            if let lastIndex {
                next = lastIndex + 1
                inflights.add(lastIndex)
            }
        case .probe:
            probeSent = true
        case .snapshot:
            break
        }
    }
}

/// A bounded window of in-flight AppendEntries, identified by their last index.
struct Inflights: Sendable {
    let capacity: Int
    private(set) var lastIndexes: [UInt64] = []

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var isFull: Bool { lastIndexes.count >= capacity }
    var count: Int { lastIndexes.count }

    mutating func add(_ lastIndex: UInt64) {
        lastIndexes.append(lastIndex)
    }

    /// Frees every message whose entries are all acknowledged by `index`.
    mutating func free(through index: UInt64) {
        let acknowledged = lastIndexes.prefix { $0 <= index }.count
        lastIndexes.removeFirst(acknowledged)
    }

    mutating func freeFirst() {
        if !lastIndexes.isEmpty { lastIndexes.removeFirst() }
    }

    mutating func removeAll() {
        lastIndexes.removeAll()
    }
}

/// How much a leader's pending log sync is needed for the next commit (``RaftCore/leaderSyncNeed``).
public enum LeaderSyncNeed: Sendable, Equatable {
    /// The followers' answers on their way can commit it without the leader.
    case none
    /// The leader's copy would commit it now; another follower's answer may do so first.
    case soon
    /// Too few followers hold it or have it on the way: only the leader's copy commits it.
    case now
}
