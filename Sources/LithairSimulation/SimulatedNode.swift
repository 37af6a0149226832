import LithairConsensus

/// One simulated server: a consensus core (nil while crashed), its disk and its state machine.
public struct SimulatedNode: Sendable {
    /// The node's id.
    public let id: NodeID
    /// Configuration used at every (re)start.
    public var config: RaftConfig
    /// What survives a crash.
    public var storage = SimulatedStorage()
    /// The running core; nil while the node is down.
    public var core: RaftCore?
    /// The state machine (volatile: rebuilt from the snapshot and the log after a restart).
    public var machine = MachineState()
    /// Commands applied since the last (re)start, in order, for scenario tests to read.
    public var appliedCommands: [[UInt8]] = []
    /// Snapshot bytes received with InstallSnapshot, waiting for the Ready that installs them.
    var receivedSnapshots: [SnapshotMetadata: MachineState] = [:]
    /// Highest commit index already reported to the safety checker.
    var checkedCommit: UInt64 = 0
    /// How many times the node was restarted (varies its election timeouts).
    var restarts: UInt64 = 0
    /// Entries a leader wrote without syncing them yet (``SimulatedCluster/deferLeaderSyncs``):
    /// the first one's index and the last one's position. A crash keeps only a prefix of them.
    var unsynced: (from: UInt64, through: LogPosition)?

    /// Whether the node is running.
    public var isUp: Bool { core != nil }

    init(config: RaftConfig) {
        self.id = config.id
        self.config = config
        self.core = RaftCore(config: config)
    }

    /// Loses everything that is not on disk.
    mutating func crash() {
        core = nil
        machine = MachineState()
        appliedCommands = []
        receivedSnapshots = [:]
    }

    /// Starts again from disk, as a real node would.
    mutating func restart() {
        restarts += 1
        var restartConfig = config
        restartConfig.randomSeed = config.randomSeed &+ restarts &* 0x9E37_79B9_7F4A_7C15
        core = RaftCore(config: restartConfig, restoring: storage.persistentState)
        machine = storage.snapshotState
    }
}
