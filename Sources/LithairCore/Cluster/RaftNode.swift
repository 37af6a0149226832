import AsyncHTTPClient
import Foundation
import LithairConsensus
import LithairStorage
import Logging
import NIOPosix
import Synchronization

/// A Lithair node that is a member of a Raft cluster.
///
/// The consensus core, the log and the snapshots are owned by whoever runs the current turn;
/// everything else talks to them through an inbox. Each turn feeds the core every queued
/// input — all proposals of the turn as one batch — then handles the core's `Ready`: persist
/// and fsync once, send, apply, answer. Many client writes therefore share one fsync and one
/// replication round (group commit). Turns run on the loop thread (a thread, not a task,
/// because fsync blocks), or on the thread that delivers a peer's message or the leader's
/// log sync while no turn runs (``enqueue(_:)``); one at a time.
final class RaftNode: @unchecked Sendable {
    enum Input {
        /// A message from a peer; `reply` (when the peer waits on its HTTP reply) receives the
        /// answers to that peer made in the same turn of the loop.
        case message(RaftMessage, reply: Promise<[RaftMessage]>? = nil)
        case propose(ModelEvent, WriteConcern, Promise<CommitResult>)
        case read(Promise<UInt64>)
        case snapshotReceived(LithairConsensus.SnapshotMetadata, from: NodeID, term: UInt64)
        case snapshotSent(peer: NodeID, success: Bool)
        case unreachable(NodeID)
        case freshSnapshot(Promise<Bool>)
        case snapshotSaved(index: UInt64, durable: Bool)
        /// The leader's log sync thread finished a sync.
        case logSynced(LeaderLogSync.Outcome)
        /// Add or remove one voter; the promise gets the configuration entry's index once applied.
        case changeMembership(MembershipChange, Promise<UInt64>)

        var isProposal: Bool { if case .propose = self { true } else { false } }

        /// Inputs whose handling can take long (installing a received snapshot, compacting the
        /// log after one was saved, starting a fresh one): only the loop thread handles them,
        /// never an event loop that also serves requests.
        var needsLoopThread: Bool {
            switch self {
            case .snapshotReceived, .snapshotSaved, .freshSnapshot: true
            default: false
            }
        }

        /// Whether the thread delivering this input runs the turn that handles it when no turn
        /// is running: a peer's message arriving on an event loop, and the leader's log sync
        /// thread (a commit may wait for it).
        var mayRunTurnOnArrival: Bool {
            switch self {
            case .message: MultiThreadedEventLoopGroup.currentEventLoop != nil
            case .logSynced: true
            default: false
            }
        }
    }

    let store: ModelStore
    /// The voters in force (the consensus core's configuration, with this node's own address).
    var membership: ClusterMembership { membershipBox.withLock { $0 } }
    private let membershipBox: Mutex<ClusterMembership>
    let cluster: ClusterConfiguration
    let settings: CommitSettings
    let directory: String
    let metrics: ServerMetrics
    let logger: Logger
    let stats = Mutex(ResyncStats())
    /// HTTPS to peers (and `https://` in the addresses the node hands out), when configured.
    let tls: LoadedTLS?
    var scheme: String { LoadedTLS.scheme(tls) }
    let published: Mutex<PublishedStatus>
    /// Set when the node stopped itself because it cannot go on safely (its log cannot be written).
    let fatalFailure = Mutex<String?>(nil)
    private let lock: DataDirectoryLock
    private let transportBox = Mutex<PeerTransport?>(nil)
    private let snapshotStoreBox = Mutex<SnapshotStore?>(nil)
    private let forwardingClientBox = Mutex<HTTPClient?>(nil)

    // Inbox, guarded by `condition`.
    let condition = NSCondition()
    var inbox: [Input] = []
    var stopping = false
    /// What the log's flushes cost lately (turn owner only): bounds the group-commit linger.
    var flushCost = RecentFlushCost()
    var stopped = false
    /// Proposals in the inbox are held back (``proposalHold``) until a peer's answer frees
    /// its connection: the turn handling that answer takes them, a proposal arriving
    /// meanwhile wakes no one, and a connection freed without such a turn wakes the loop
    /// thread (``peerConnectionFreed()``).
    var holdingForPeers = false
    /// A turn is running (``runLoop()`` or ``runInlineTurn()``): whoever set it owns the core.
    var turnTaken = false
    /// The loop thread waits for a turn running on another thread to end.
    var loopWaitsForTurn = false
    /// When the loop thread, waiting for that turn to end, must run (its tick or the end of a
    /// hold): the turn's owner wakes it as the turn ends if that time has come.
    var loopRunsBy: ContinuousClock.Instant?
    /// The turn runs on the loop thread, which may be lingering for companions of the writes
    /// it is about to propose: every arrival wakes it. A turn on another thread takes what
    /// arrives meanwhile as it ends (``releaseTurn(onLoopThread:)``) instead.
    var loopOwnsTurn = false
    /// Set once the loop has started: event loops may run turns from then on.
    var turnsMayRunInline = false
    /// Turn owner only, like the core.
    var proposalHold: ProposalHold

    // Owned by whoever runs the turn (``turnTaken``) once recovery has run.
    var core: RaftCore!
    var storage: RaftStorage!
    /// Writes proposed here, by log index, until applied. The event is kept so that applying
    /// the entry does not decode what this node encoded.
    var proposals: [UInt64: (term: UInt64, concern: WriteConcern, promise: Promise<CommitResult>, event: ModelEvent)] =
        [:]
    var reads: [[UInt8]: Promise<UInt64>] = [:]
    var readsAwaitingApply: [(index: UInt64, promise: Promise<UInt64>)] = []
    /// Peers waiting on the HTTP reply to a message handled this turn, and what goes back in it.
    var openReplies: [NodeID: OpenReply] = [:]
    var snapshotSchedule: SnapshotSchedule
    var nextReadID: UInt64 = 0
    var snapshotWriter: SnapshotWriter!
    var logSync: LeaderLogSync!
    /// Force-resync callers waiting for a snapshot started after they asked.
    var freshSnapshotWaiters: [Promise<Bool>] = []
    var freshSnapshotPending = false
    /// Force-resync callers answered when the snapshot being written now is durable.
    var waitersForThisSnapshot: [Promise<Bool>] = []
    /// Member adds whose newcomer is being caught up, by raft id.
    var pendingJoins: [NodeID: PendingJoin] = [:]
    /// The learners the transport has links to.
    var linkedLearners: [NodeID: String] = [:]
    /// Membership changes proposed here, by log index, until applied.
    var membershipChanges: [UInt64: (term: UInt64, promise: Promise<UInt64>)] = [:]
    /// The core's ``RaftCore/membershipVersion`` that ``membership`` reflects.
    var adoptedMembershipVersion: UInt64 = 0

    init(
        directory: String, schemas: [ModelSchema], settings: CommitSettings, cluster: ClusterConfiguration,
        membership: ClusterMembership, tls: LoadedTLS? = nil, metrics: ServerMetrics, logger: Logger
    ) throws {
        self.tls = tls
        self.directory = directory
        self.store = ModelStore(schemas: schemas)
        self.settings = settings
        self.proposalHold = ProposalHold(limit: settings.flushInterval)
        self.snapshotSchedule = SnapshotSchedule(every: settings.snapshotEvery)
        self.cluster = cluster
        self.membershipBox = Mutex(membership)
        self.metrics = metrics
        self.logger = logger
        self.lock = try DataDirectoryLock(directory: directory)
        self.published = Mutex(PublishedStatus(nodeID: membership.selfMember.nodeID))
    }

    var transport: PeerTransport? { transportBox.withLock { $0 } }

    /// Puts the core's configuration in force for everything outside the loop.
    @discardableResult
    func adoptCoreMembership(_ voters: Membership) -> ClusterMembership {
        membershipBox.withLock { current in
            current = ClusterMembership(adopting: voters, after: current)
            return current
        }
    }

    /// Carries writes a follower forwards to the leader; exists while the node runs.
    var forwardingClient: HTTPClient? { forwardingClientBox.withLock { $0 } }

    /// The snapshot store, once the node has started (the snapshot intake writes into it).
    var snapshotStore: SnapshotStore? { snapshotStoreBox.withLock { $0 } }

    var latestSnapshotMetadata: LithairConsensus.SnapshotMetadata? {
        snapshotStore?.latestMetadata().map { consensusMetadata($0) }
    }

    /// Snapshot metadata as the core knows it: the configuration stored with the snapshot,
    /// or (a snapshot written before configurations were stored) the voters in force.
    func consensusMetadata(_ stored: LithairStorage.SnapshotMetadata) -> LithairConsensus.SnapshotMetadata {
        LithairConsensus.SnapshotMetadata(
            index: stored.index, term: stored.term,
            membership: (try? Membership(decoding: stored.configuration)) ?? membership.voters)
    }

    var isReady: Bool { published.withLock { $0.ready } }

    /// Loads the newest snapshot, restores the core from the log, and starts the transport and
    /// the loop thread.
    func start() throws {
        let storage = try RaftStorage(directory: directory)
        snapshotStoreBox.withLock { $0 = storage.snapshots }
        var forwarding = HTTPClient.Configuration()
        forwarding.tracing.tracer = nil
        forwarding.tlsConfiguration = tls?.client
        forwardingClientBox.withLock { $0 = HTTPClient(eventLoopGroupProvider: .singleton, configuration: forwarding) }
        for warning in storage.log.recovery.warnings { logger.warning("\(warning)") }
        if let (metadata, data) = try storage.snapshots.latest() {
            do {
                store.replace(with: try ModelSnapshotCodec.decode(data, schemas: store.schemas))
            } catch {
                throw RecoveryError(message: "snapshot at index \(metadata.index) in \(directory)/snapshots: \(error)")
            }
            snapshotSchedule = SnapshotSchedule(
                every: settings.snapshotEvery, lastIndex: metadata.index, lastBytes: data.count)
        }
        let initial = membership.voters
        let persistent = try storage.persistentState(initial: initial)
        self.storage = storage
        snapshotWriter = SnapshotWriter(snapshots: storage.snapshots, metrics: metrics, logger: logger)
        // Syncs wait at most as long as a write waits for companions (`--flush-interval-ms`).
        logSync = LeaderLogSync(delay: settings.flushInterval) { [weak self] outcome in
            self?.enqueue(.logSynced(outcome))
        }
        core = RaftCore(
            config: RaftConfig(
                id: membership.selfMember.raftID, voters: initial.voters, maxEntriesPerMessage: cluster.batchSize,
                resyncThreshold: cluster.resyncThreshold, staticLeadership: cluster.staticLeadership,
                isInitialLeader: cluster.isLeader, randomSeed: UInt64.random(in: 1...UInt64.max),
                addresses: initial.addresses, isJoining: cluster.isJoining),
            restoring: persistent)
        // The log or a snapshot may hold a configuration newer than the command line's.
        adoptCoreMembership(core.membership)
        adoptedMembershipVersion = core.membershipVersion
        let transport = PeerTransport(
            membership: membership, secret: cluster.clusterSecret, tls: tls, snapshotTimeout: cluster.snapshotTimeout,
            snapshots: storage.snapshots, logger: logger, onEvent: { [weak self] input in self?.enqueue(input) },
            onPeerFree: { [weak self] in self?.peerConnectionFreed() })
        transportBox.withLock { $0 = transport }
        logger.info(
            "raft node restored",
            metadata: [
                "node_id": "\(membership.selfMember.nodeID)", "term": "\(persistent.hardState.term)",
                "log_last_index": "\(storage.log.lastIndex)", "snapshot_index": "\(snapshotSchedule.lastIndex)",
                "voters": "\(membership.voters.voters.map { $0 - 1 })",
            ])
        startNamedThread("lithair-raft") { [self] in runLoop() }
    }

    /// Hands `input` to the node. A peer's message arriving on an event loop, or a finished
    /// log sync, while no turn runs is handled at once, in a turn on the delivering thread
    /// (``runInlineTurn()``).
    func enqueue(_ input: Input) {
        let runsTurn = condition.withLock { () -> Bool in
            if stopping {
                fail(input, with: NodeError.shuttingDown)
                return false
            }
            inbox.append(input)
            if turnsMayRunInline, !turnTaken, input.mayRunTurnOnArrival {
                turnTaken = true
                return true
            }
            if turnTaken && !loopOwnsTurn { return false }
            if input.isProposal, !turnTaken, proposalHoldDeadline() != nil {
                // Held until a peer's answer frees its connection: the turn handling that
                // answer, on the thread that reads it, proposes it. Waking the loop thread
                // only to hold it cost a wake-up of that thread per replication round.
                holdingForPeers = true
                return false
            }
            condition.signal()
            return false
        }
        if runsTurn { runInlineTurn() }
    }

    /// Stops the loop after it has handled what is queued, then closes the log.
    func shutdown() async {
        condition.withLock {
            stopping = true
            condition.broadcast()
        }
        if let transport {
            while !condition.withLock({ stopped }) { try? await Task.sleep(for: .milliseconds(2)) }
            await transport.shutdown()
        }
        try? await forwardingClient?.shutdown()
        lock.release()
    }

    /// "Not the leader", with the address of the leader the core names, if it knows one.
    func notLeader(_ leader: NodeID?) -> NodeError {
        .notLeader(leaderAddress: leader.flatMap { membership.member(raftID: $0)?.address })
    }

    func fail(_ input: Input, with error: NodeError) {
        switch input {
        case .propose(_, _, let promise): promise.fail(error)
        case .read(let promise): promise.fail(error)
        case .freshSnapshot(let promise): promise.fail(error)
        case .changeMembership(_, let promise): promise.fail(error)
        case .message(_, let reply): reply?.fail(error)
        case .snapshotReceived, .snapshotSent, .unreachable, .snapshotSaved, .logSynced: break
        }
    }
}

/// The HTTP replies a peer waits on during one turn of the loop. The first carries every
/// answer to that peer the turn produced; the others (more than one message from the same
/// peer in a turn) carry none.
struct OpenReply {
    var waiting: [Promise<[RaftMessage]>] = []
    var answers: [RaftMessage] = []

    func resolve() {
        guard let first = waiting.first else { return }
        first.succeed(answers)
        for other in waiting.dropFirst() { other.succeed([]) }
    }
}

// MARK: - Client-facing API

extension RaftNode: ServingNode {
    func submit(_ command: ModelCommand, whenDone: @escaping @Sendable (Result<CommitResult, NodeError>) -> Void) {
        guard isReady else { return whenDone(.failure(.notReady)) }
        let promise = Promise<CommitResult>()
        promise.whenResolved(timeout: cluster.requestTimeout) {
            whenDone($0.mapError { NodeError(anyError: $0) })
        }
        enqueue(
            .propose(
                ModelEvent(command: command, timestampMillis: GroupCommitter.nowMillis()), cluster.writeConcern, promise
            ))
    }

    /// Waits until this node's state reflects every write acknowledged before the call
    /// (ReadIndex; on a follower the leader is asked for the index), and returns that index.
    func linearizableRead() async throws(NodeError) -> UInt64 {
        guard isReady else { throw .notReady }
        let promise = Promise<UInt64>()
        enqueue(.read(promise))
        return try await Self.nodeErrors { try await promise.value(timeout: self.cluster.requestTimeout) }
    }

    var failure: String? { fatalFailure.withLock { $0 } }

    func readBarrier(consistency: String?) async throws {
        try ReadConsistency.validate(consistency)
        if consistency == "linearizable" { _ = try await linearizableRead() }
    }

    /// Takes a snapshot of the current state now (force-resync sends a fresh one).
    func takeFreshSnapshot() async throws(NodeError) {
        let promise = Promise<Bool>()
        enqueue(.freshSnapshot(promise))
        _ = try await Self.nodeErrors { try await promise.value(timeout: self.cluster.snapshotTimeout) }
    }

    private static func nodeErrors<T>(_ body: () async throws -> T) async throws(NodeError) -> T {
        do {
            return try await body()
        } catch {
            throw NodeError(anyError: error)
        }
    }
}

/// What `/_raft/*` monitoring shows, refreshed by the loop after every turn.
struct PublishedStatus: Sendable {
    var nodeID: UInt64
    var ready = false
    var status: RaftStatus?
    var appliedIndex: UInt64 = 0
    /// Index of the entry (or snapshot) that set the configuration in force.
    var membershipIndex: UInt64 = 0
    /// Newcomers the leader is catching up before they vote.
    var learners: [LearnerStatus] = []
}

/// A newcomer being caught up, as `GET /_raft/members` shows it.
struct LearnerStatus: Sendable, Equatable {
    var nodeID: UInt64
    var address: String
    /// The last log index it is known to hold.
    var matchIndex: UInt64
    /// Whether it has answered the leader at all.
    var answered: Bool
}

/// The seed's `resync_stats`, plus what a follower received and installed.
struct ResyncStats: Sendable, Equatable {
    var snapshotsCreated = 0
    var sendAttempts = 0
    var sendSuccesses = 0
    var sendFailures = 0
    var snapshotsReceived = 0
    var snapshotsInstalled = 0
}
