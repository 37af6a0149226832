/// Raft consensus as a pure, deterministic state machine.
///
/// The core does no I/O, reads no clock and uses no randomness except the seeded generator of
/// its configuration. The node drives it with four kinds of input — ``step(_:)`` for messages,
/// ``tick()`` for time, ``propose(_:)`` / ``readIndex(context:)`` / ``transferLeadership(to:)``
/// for client requests, and ``advance(_:)`` / ``compact(through:)`` / ``reportSnapshot(to:success:)``
/// / ``reportUnreachable(_:)`` for I/O results — and after each input collects a ``Ready``
/// describing what to persist, send and apply (see ``Ready`` for the persist-before-send contract).
///
/// Restarting: read the hard state, the latest snapshot metadata and the entries after it from
/// storage, and pass them as ``PersistentState`` to ``init(config:restoring:)``. Committed entries
/// after the snapshot are handed out again for applying, since the state machine is rebuilt
/// from the snapshot.
public struct RaftCore: Sendable {
    /// The configuration the core was created with.
    public let config: RaftConfig

    /// Current term.
    public internal(set) var term: UInt64
    /// Vote cast in the current term.
    public internal(set) var vote: NodeID?
    /// Current role.
    public internal(set) var role: RaftRole = .follower
    /// Leader of the current term, if known.
    public internal(set) var leaderID: NodeID?

    var log: RaftLog
    /// The configuration in force: the latest in the log, committed or not (thesis §4.1).
    public internal(set) var membership: Membership
    /// Index of the `.config` entry (or the snapshot) that set ``membership``.
    public internal(set) var membershipIndex: UInt64
    /// Bumped whenever ``membership`` changes, so the node can notice without comparing.
    public internal(set) var membershipVersion: UInt64 = 0
    /// The voters other than this node, in id order.
    var peers: [NodeID]
    /// Non-voters this leader is catching up before they are added, with their addresses
    /// (see ``addVoterAfterCatchUp(_:address:)``). Empty unless leader.
    public internal(set) var learners: [NodeID: String] = [:]
    /// Per-peer replication state; only meaningful while leader.
    var progress: [NodeID: Progress] = [:]
    /// Votes received in the current (pre-)election.
    var votes: [NodeID: Bool] = [:]
    var readOnly = ReadOnlyQueue()
    /// ReadIndex requests that arrived before this leader committed an entry of its term.
    var readsAwaitingTermCommit: [(context: [UInt8], requester: NodeID)] = []
    var leadTransferee: NodeID?

    var electionElapsed = 0
    var heartbeatElapsed = 0
    var randomizedElectionTimeout = 0
    /// Ticks since the core started; only used for "last contact" statistics.
    var tickCount: UInt64 = 0
    var random: SplitMix64

    // Output not yet collected by `ready()`.
    var outbox: [RaftMessage] = []
    var readStates: [ReadState] = []
    var snapshotToInstall: SnapshotMetadata?
    var reportedHardState: HardState
    var reportedSoftState = SoftState(role: .follower, leaderID: nil)

    /// Creates a core, restoring what storage holds (nothing, for a brand-new node).
    ///
    /// A node with ``RaftConfig/isInitialLeader`` becomes leader of term 1 at once if this is
    /// its very first start; under ``RaftConfig/staticLeadership`` it is leader after every start.
    public init(config: RaftConfig, restoring persistent: PersistentState = PersistentState()) {
        precondition(config.id != 0, "node id 0 is reserved")
        precondition(
            config.heartbeatTick > 0 && config.heartbeatTick < config.electionTick, "need heartbeatTick < electionTick")
        self.config = config
        let snapshot =
            persistent.snapshot ?? SnapshotMetadata(index: 0, term: 0, membership: config.initialMembership)
        log = RaftLog(
            snapshot: snapshot, entries: Self.entriesAfter(snapshot, persistent.entries),
            committed: persistent.hardState.commit)
        (membership, membershipIndex) = log.membership(through: log.lastIndex)
        peers = membership.voters.filter { $0 != config.id }
        term = persistent.hardState.term
        vote = persistent.hardState.vote
        reportedHardState = persistent.hardState
        random = SplitMix64(seed: config.randomSeed)
        resetElectionTimer()

        if config.isInitialLeader && membership.contains(config.id) {
            let isFirstStart = persistent.hardState.term == 0 && log.lastIndex == 0
            if isFirstStart {
                // Term 1 is reserved for this bootstrap leader: elections start at term 2.
                term = 1
                vote = config.id
                becomeLeader()
            } else if config.staticLeadership {
                becomeLeader()
            }
        }
    }

    /// The stored entries that follow `snapshot`. Storage may still hold entries the snapshot
    /// covers (it crashed between writing the snapshot and truncating its log): they are skipped.
    /// If the entry at the snapshot index belongs to another history, nothing after it is kept.
    private static func entriesAfter(_ snapshot: SnapshotMetadata, _ entries: [LogEntry]) -> [LogEntry] {
        if let atSnapshot = entries.first(where: { $0.index == snapshot.index }), atSnapshot.term != snapshot.term {
            return []
        }
        return entries.filter { $0.index > snapshot.index }
    }

    // MARK: Read-only accessors

    /// This node's id.
    public var id: NodeID { config.id }
    /// Highest committed index.
    public var committedIndex: UInt64 { log.committed }
    /// Highest index reported applied through ``advance(_:)``.
    public var appliedIndex: UInt64 { log.applied }
    /// Last index of the log.
    public var lastIndex: UInt64 { log.lastIndex }
    /// Metadata of the latest snapshot (index 0 if the log was never compacted).
    public var snapshotMetadata: SnapshotMetadata { log.snapshot }
    /// Term of the entry at `index`, or nil if it is compacted or beyond the log.
    public func term(at index: UInt64) -> UInt64? { log.term(at: index) }
    /// The current hard state (what the next Ready would ask to persist).
    public var hardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }
    /// The current soft state.
    public var softState: SoftState { SoftState(role: role, leaderID: leaderID) }

    // MARK: Client requests

    /// Appends a command to the log. Leader only.
    ///
    /// - Returns: the entry's position. The command is committed when the node applies an entry
    ///   at that index *with that term*; another term there means the proposal was lost.
    /// - Throws: ``RaftError/notLeader(leaderID:)`` or ``RaftError/transferInProgress``.
    @discardableResult
    public mutating func propose(_ data: [UInt8]) throws(RaftError) -> LogPosition {
        try propose(batch: [data])[0]
    }

    /// Appends several commands at once (group commit): one replication round for all of them.
    @discardableResult
    public mutating func propose(batch: [[UInt8]]) throws(RaftError) -> [LogPosition] {
        guard role == .leader else { throw .notLeader(leaderID: leaderID) }
        guard leadTransferee == nil else { throw .transferInProgress }
        let first = log.lastIndex + 1
        let entries = batch.enumerated().map { offset, data in
            LogEntry(index: first + UInt64(offset), term: term, kind: .normal, data: data)
        }
        appendAndReplicate(entries)
        return entries.map { LogPosition(index: $0.index, term: $0.term) }
    }

    /// Asks for a linearizable read point. The answer arrives as a ``ReadState`` with the same
    /// context in a later ``Ready``: once applied reaches its index, reading local state is safe.
    /// On a follower the request is forwarded to the leader. Requests are dropped (never answered)
    /// if leadership changes meanwhile: the node should time them out and retry.
    ///
    /// - Throws: ``RaftError/noLeader`` if no leader is known.
    public mutating func readIndex(context: [UInt8]) throws(RaftError) {
        if role == .leader {
            handleReadIndex(context: context, requester: config.id)
            return
        }
        guard let leaderID else { throw .noLeader }
        send(to: leaderID, .readIndex(ReadIndexRequest(context: context)))
    }

    /// Hands leadership to `target`: the leader stops accepting proposals, brings the target up
    /// to date, then tells it to campaign at once (TimeoutNow). Gives up after an election timeout.
    ///
    /// - Throws: ``RaftError/notLeader(leaderID:)`` or ``RaftError/unknownNode(_:)``.
    public mutating func transferLeadership(to target: NodeID) throws(RaftError) {
        guard role == .leader else { throw .notLeader(leaderID: leaderID) }
        guard membership.contains(target) else { throw .unknownNode(target) }
        guard target != config.id, leadTransferee != target else { return }
        leadTransferee = target
        // The transfer must finish within one election timeout (checked in `tick`).
        electionElapsed = 0
        if progress[target]?.match == log.lastIndex {
            send(to: target, .timeoutNow)
        } else {
            sendAppend(to: target)
        }
    }

    /// Starts an election now, as if the election timeout had elapsed (honours pre-vote).
    public mutating func campaign() {
        guard role != .leader, !config.staticLeadership, isVoter else { return }
        startCampaign(config.preVote ? .preElection : .election)
    }

    // MARK: Time

    /// Advances logical time by one tick.
    public mutating func tick() {
        tickCount += 1
        if role == .leader {
            tickLeader()
        } else {
            tickFollower()
        }
    }

    private mutating func tickFollower() {
        electionElapsed += 1
        guard !config.staticLeadership, isVoter, electionElapsed >= randomizedElectionTimeout else { return }
        electionElapsed = 0
        startCampaign(config.preVote ? .preElection : .election)
    }

    private mutating func tickLeader() {
        heartbeatElapsed += 1
        electionElapsed += 1
        if electionElapsed >= config.electionTick {
            electionElapsed = 0
            if config.checkQuorum && !config.staticLeadership && !isQuorumRecentlyActive() {
                becomeFollower(term: term, leader: nil)
                return
            }
            leadTransferee = nil
        }
        if heartbeatElapsed >= config.heartbeatTick {
            heartbeatElapsed = 0
            broadcastHeartbeat(context: readOnly.lastContext)
        }
        promoteCaughtUpLearner()
    }

    /// Check quorum: did a majority (counting the leader) answer since the previous round?
    private mutating func isQuorumRecentlyActive() -> Bool {
        var active = isVoter ? 1 : 0
        for peer in peers where progress[peer]?.recentActive == true {
            active += 1
            progress[peer]?.recentActive = false
        }
        return active >= membership.quorum
    }

    // MARK: I/O results

    /// The node finished handling `ready` (see the contract on ``Ready``): its entries, hard
    /// state and snapshot are durable, its messages sent and its committed entries applied.
    ///
    /// A leader may make its new entries durable after the turn instead (etcd's leader writes
    /// its log in parallel with replicating it): with `entriesDurable: false` they are stored
    /// but not yet synced, and count toward a commit only once ``persisted(through:)`` reports
    /// them. Anything else the Ready promised (hard state, snapshot) is durable either way.
    public mutating func advance(_ ready: Ready, entriesDurable: Bool = true) {
        if let snapshot = ready.snapshot {
            log.snapshotInstalled(snapshot)
        }
        if entriesDurable || config.mutations.contains(.leaderCountsUnsyncedEntries), let last = ready.entries.last {
            log.persisted(through: LogPosition(index: last.index, term: last.term))
        }
        if let last = ready.committedEntries.last {
            log.applied = max(log.applied, last.index)
        }
        // The leader counts itself only for entries on its own disk; a lone voter commits here.
        if role == .leader, maybeCommit() {
            broadcastCommit()
        }
    }

    /// The node's log is durable through `position`: entries of earlier Readies advanced with
    /// `entriesDurable: false`. Ignored if that entry was replaced meanwhile.
    public mutating func persisted(through position: LogPosition) {
        log.persisted(through: position)
        if role == .leader, maybeCommit() {
            broadcastCommit()
        }
    }

    /// The node stored a snapshot of its state machine at `index` (at most the applied index):
    /// drop the log up to it. Storage must hold the snapshot durably before it drops its own
    /// entries. Followers whose next entry is gone will be sent this snapshot.
    ///
    /// - Returns: the metadata to store beside the snapshot bytes.
    @discardableResult
    public mutating func compact(through index: UInt64) throws(RaftError) -> SnapshotMetadata {
        _ = try compactReturningDroppedEntries(through: index)
        return log.snapshot
    }

    /// ``compact(through:)`` that hands the dropped entries back instead of releasing them.
    ///
    /// Freeing a snapshot interval's worth of entries (100,000 by default) takes 5–15 ms on a
    /// small machine; a node's loop thread passes them to another thread to release.
    public mutating func compactReturningDroppedEntries(through index: UInt64) throws(RaftError) -> [LogEntry] {
        guard index <= log.applied, index <= log.persisted else {
            throw .compactionBeyondApplied(requested: index, applied: log.applied)
        }
        return log.compact(through: index, membership: membership(at: index))
    }

    /// The transport finished (or failed) streaming a snapshot to `peer`.
    public mutating func reportSnapshot(to peer: NodeID, success: Bool) {
        guard role == .leader, var pr = progress[peer], pr.state == .snapshot else { return }
        if !success { pr.pendingSnapshot = 0 }
        pr.becomeProbe()
        // Wait for the next heartbeat answer before probing again.
        pr.probeSent = true
        progress[peer] = pr
    }

    /// The transport could not reach `peer`: stop streaming optimistically and probe instead.
    public mutating func reportUnreachable(_ peer: NodeID) {
        guard role == .leader, var pr = progress[peer], pr.state == .replicate else { return }
        pr.becomeProbe()
        progress[peer] = pr
    }

    // MARK: Helpers shared by the extensions

    mutating func send(to peer: NodeID, term messageTerm: UInt64? = nil, _ body: RaftMessage.Body) {
        outbox.append(RaftMessage(from: config.id, to: peer, term: messageTerm ?? term, body: body))
    }

    mutating func resetElectionTimer() {
        electionElapsed = 0
        randomizedElectionTimeout = config.electionTick + Int.random(in: 0..<config.electionTick, using: &random)
    }
}
