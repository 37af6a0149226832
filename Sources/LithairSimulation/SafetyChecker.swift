import LithairConsensus

/// Raft's safety properties, checked incrementally as simulated nodes persist, elect and apply.
///
/// Each check runs at the moment the property could first be broken, so the first violation
/// points at the step that caused it.
public struct SafetyChecker: Sendable {
    /// Violations found so far, in order.
    public private(set) var violations: [String] = []

    /// Leader of each term ever seen (Election Safety).
    private var leaderOfTerm: [UInt64: NodeID] = [:]
    /// Every (index, term) ever persisted, with its payload and the preceding entry's term (Log Matching).
    private var entryAt: [LogPosition: (kind: EntryKind, data: [UInt8], previousTerm: UInt64)] = [:]
    /// Every committed entry, by index: committed entries must never change (Leader Completeness).
    public private(set) var committed: [UInt64: LogEntry] = [:]
    /// Highest index any node durably recorded as committed.
    public private(set) var maxCommitted: UInt64 = 0
    /// Entry and state digest after applying each index (State Machine Safety).
    private var applied: [UInt64: (entry: LogEntry?, digest: UInt64)] = [:]

    /// An empty checker.
    public init() {}

    mutating func fail(_ message: String) {
        violations.append(message)
    }

    /// A node persisted `entries`; `storage` is its disk afterwards.
    mutating func persisted(_ entries: [LogEntry], by node: NodeID, storage: SimulatedStorage) {
        for entry in entries {
            guard let previousTerm = storage.term(at: entry.index - 1) else {
                fail("node \(node) stored entry \(entry.index) after a gap in its log")
                continue
            }
            let position = LogPosition(index: entry.index, term: entry.term)
            if let known = entryAt[position] {
                if known.kind != entry.kind || known.data != entry.data {
                    fail("log matching: two different entries at \(entry.index)/\(entry.term) (node \(node))")
                } else if known.previousTerm != previousTerm {
                    fail(
                        "log matching: entry \(entry.index)/\(entry.term) follows term \(previousTerm) on node \(node), "
                            + "\(known.previousTerm) elsewhere")
                }
            } else {
                entryAt[position] = (entry.kind, entry.data, previousTerm)
            }
        }
    }

    /// A node durably recorded commit index `commit`; its log must agree with every committed entry.
    mutating func committed(through commit: UInt64, by node: NodeID, storage: SimulatedStorage, from: UInt64) {
        guard commit > from else { return }
        maxCommitted = max(maxCommitted, commit)
        for index in (from + 1)...commit {
            guard let entry = storage.entry(at: index) else {
                if index > storage.snapshotIndex {
                    fail("node \(node) committed index \(index) that it does not store")
                }
                continue
            }
            if let known = committed[index] {
                if known != entry {
                    fail("committed entry lost: index \(index) was \(known.term), node \(node) committed \(entry.term)")
                }
            } else {
                committed[index] = entry
            }
        }
    }

    /// A node became leader of `term`; `termAt` reads its log.
    mutating func becameLeader(_ node: NodeID, term: UInt64, snapshotIndex: UInt64, termAt: (UInt64) -> UInt64?) {
        if let other = leaderOfTerm[term], other != node {
            fail("election safety: nodes \(other) and \(node) both lead term \(term)")
        }
        leaderOfTerm[term] = node
        for (index, entry) in committed where index > snapshotIndex && termAt(index) != entry.term {
            fail(
                "leader completeness: leader \(node) of term \(term) lacks committed entry \(index)/\(entry.term) "
                    + "(has \(termAt(index).map(String.init) ?? "nothing"))")
            return
        }
    }

    /// A node applied `entry`; `state` is its machine afterwards.
    mutating func applied(_ entry: LogEntry, by node: NodeID, state: MachineState) {
        record(index: entry.index, entry: entry, digest: state.digest, node: node)
    }

    /// A node installed a snapshot: its machine must equal what others had at that index.
    mutating func installedSnapshot(_ state: MachineState, by node: NodeID) {
        record(index: state.appliedIndex, entry: nil, digest: state.digest, node: node)
    }

    private mutating func record(index: UInt64, entry: LogEntry?, digest: UInt64, node: NodeID) {
        guard index > 0 else { return }
        guard let known = applied[index] else {
            applied[index] = (entry, digest)
            return
        }
        if let entry, let knownEntry = known.entry, knownEntry != entry {
            fail(
                "state machine safety: node \(node) applied \(entry.index)/\(entry.term) where another node "
                    + "applied \(knownEntry.index)/\(knownEntry.term)")
        } else if known.digest != digest {
            fail("state machine safety: node \(node) has a different state after index \(index)")
        }
        if known.entry == nil, let entry { applied[index] = (entry, known.digest) }
    }

    /// A ReadIndex answer: it must cover every commit that happened before the request.
    mutating func readAnswered(index: UInt64, requiredIndex: UInt64, by node: NodeID) {
        if index < requiredIndex {
            fail("read index \(index) on node \(node) misses commit \(requiredIndex) acknowledged before the request")
        }
    }

    /// Liveness failure.
    mutating func stalled(_ message: String) {
        fail("liveness: \(message)")
    }
}
