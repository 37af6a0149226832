import LithairConsensus

/// How a node takes part in a Raft cluster: the seed's `withRaftCluster(nodeID:peers:isLeader:)`
/// plus the replication tuning table.
public struct ClusterConfiguration: Sendable, Equatable {
    /// This node's id, as operators name it (`LITHAIR_NODE_ID`, the seed's `node_id`).
    public var nodeID: UInt64
    /// The other members' HTTP addresses, `host:port` (`LITHAIR_RAFT_PEERS`).
    public var peers: [String]
    /// Whether this node leads term 1 on the cluster's very first start (`LITHAIR_IS_LEADER`).
    /// After that, leaders are elected.
    public var isLeader: Bool
    /// The address peers reach this node at; defaults to the bind host and port.
    public var advertiseAddress: String?
    /// Shared secret for `/_raft/*` (`LITHAIR_CLUSTER_SECRET`); `nil` leaves them open (logged loudly).
    public var clusterSecret: String?
    /// Most entries per replication message. Seed default: 100.
    public var batchSize = 100
    /// Entries behind before a follower is considered desynced and sent a snapshot. Seed default: 1000.
    public var resyncThreshold: UInt64 = 1000
    /// Longest a snapshot transfer may take. Seed default: 60 s.
    public var snapshotTimeout: Duration = .seconds(60)
    /// One Raft tick. Elections time out after 10–20 ticks; leaders heartbeat every tick.
    public var tickInterval: Duration = .milliseconds(100)
    /// The seed's documented behaviour: the `isLeader` node leads forever and nobody elects.
    public var staticLeadership = false
    /// This node joins a running cluster whose members are `peers` (`LITHAIR_JOIN`): it starts
    /// as a non-voter and votes once the leader adds it (`POST /_raft/members`). Ignored once
    /// its log or snapshot holds a configuration.
    public var isJoining = false
    /// Answer writes sent to a follower with 307 to the leader instead of forwarding them.
    public var redirectWrites = false
    /// When a write is acknowledged: after a majority has it (default), or after the leader's
    /// own fsync only (the seed's best-effort mode).
    public var writeConcern: WriteConcern = .majority
    /// How long a write or a linearizable read waits for the cluster before answering 503.
    public var requestTimeout: Duration = .seconds(10)

    /// A cluster membership as the seed documents it.
    public init(nodeID: UInt64, peers: [String], isLeader: Bool) {
        self.nodeID = nodeID
        self.peers = peers
        self.isLeader = isLeader
    }
}

/// When the leader acknowledges a write.
public enum WriteConcern: String, Sendable, Equatable, CaseIterable {
    /// Once a majority has the entry durably and the leader applied it: 201/200 with the item.
    /// Survives the loss of any minority of nodes.
    case majority
    /// Once the leader's own fsync is done, before any follower has it: 202 with the log
    /// index. The seed's best-effort mode: a leader crash before replication can lose it,
    /// and the outcome (e.g. an `If-Match` mismatch) is only known by reading back.
    case leader
}

/// The resolved membership: every member's address and Raft id.
///
/// At startup it comes from the configuration (``ClusterConfiguration/peers``); once the log
/// or a snapshot holds a configuration (after a membership change), from there: see
/// ``init(adopting:after:)``.
///
/// Operators number nodes from 0 (the seed's node 0 leads); the consensus core reserves 0,
/// so a member's Raft id is its node id + 1. Peers are given by address only, as in the seed;
/// their node ids are their positions in the sorted list of all member addresses (self
/// included), which is exactly the seed's table (8080 → 0, 8081 → 1, 8082 → 2). A peer may
/// also be written `id@host:port` to number it explicitly.
struct ClusterMembership: Sendable, Equatable {
    struct Member: Sendable, Equatable {
        var nodeID: UInt64
        var address: String
        var raftID: NodeID { nodeID + 1 }
        /// The host of `address` (IPv6 brackets removed), for opening a connection.
        var host: String {
            let host = ClusterMembership.split(address).0
            return String(host.hasPrefix("[") && host.hasSuffix("]") ? host.dropFirst().dropLast() : host)
        }
        var port: Int { ClusterMembership.split(address).1 }
    }

    let selfMember: Member
    /// The other voters.
    let peers: [Member]
    /// False while this node joins (not yet added) and after it was removed.
    let selfIsVoter: Bool
    /// Members of earlier configurations: a removed leader leads until its removal commits,
    /// and writes are forwarded to it meanwhile.
    private(set) var former: [Member] = []

    /// This node and the other voters, by node id.
    var all: [Member] { ([selfMember] + peers).sorted { $0.nodeID < $1.nodeID } }

    /// The voters, by node id: ``all`` without this node while it does not vote.
    var voterMembers: [Member] { selfIsVoter ? all : peers }

    /// The voters as the consensus core counts them (Raft id → address).
    var voters: Membership {
        Membership(addresses: Dictionary(uniqueKeysWithValues: voterMembers.map { ($0.raftID, $0.address) }))
    }

    /// The configuration the consensus core has in force, after `previous`; this node keeps its own address.
    init(adopting voters: Membership, after previous: ClusterMembership) {
        selfMember = previous.selfMember
        selfIsVoter = voters.contains(selfMember.raftID)
        peers = voters.voters.filter { $0 != previous.selfMember.raftID }.map { raftID in
            Member(nodeID: raftID - 1, address: voters.addresses[raftID] ?? "")
        }
        var seen = Set(peers.map(\.raftID)).union([selfMember.raftID])
        former = (previous.peers + previous.former).filter { seen.insert($0.raftID).inserted }
    }

    init(nodeID: UInt64, selfAddress: String, peers: [String], isJoining: Bool = false) throws(ConfigurationError) {
        selfIsVoter = !isJoining
        var explicit: [String: UInt64] = [:]
        var addresses: [String] = []
        for raw in peers {
            let peer = raw.trimmingWhitespace()
            guard !peer.isEmpty else { continue }
            let (id, address) = try Self.parsePeer(peer)
            if let id { explicit[address] = id }
            addresses.append(address)
        }
        let selfAddress = try Self.normalize(selfAddress)
        guard !addresses.contains(selfAddress) else {
            throw ConfigurationError(message: "peer list names this node's own address \(selfAddress)")
        }
        guard Set(addresses).count == addresses.count else {
            throw ConfigurationError(message: "peer list names an address twice: \(addresses)")
        }
        let sorted = (addresses + [selfAddress]).sorted(by: Self.addressOrder)
        let members = sorted.enumerated().map { position, address in
            Member(nodeID: address == selfAddress ? nodeID : explicit[address] ?? UInt64(position), address: address)
        }
        if explicit.isEmpty, let position = sorted.firstIndex(of: selfAddress), UInt64(position) != nodeID {
            throw ConfigurationError(
                message:
                    "node id \(nodeID) does not match this node's position \(position) among the sorted member "
                    + "addresses \(sorted); use the matching id or name peers explicitly as id@host:port")
        }
        guard Set(members.map(\.nodeID)).count == members.count else {
            throw ConfigurationError(
                message: "two members share a node id: \(members.map { "\($0.nodeID)@\($0.address)" })")
        }
        selfMember = members.first { $0.address == selfAddress }!
        self.peers = members.filter { $0.address != selfAddress }
    }

    func member(raftID: NodeID) -> Member? {
        all.first { $0.raftID == raftID } ?? former.first { $0.raftID == raftID }
    }
    func member(address: String) -> Member? { all.first { $0.address == address } }

    /// `8081` → `127.0.0.1:8081`; `host:port` kept; `id@host:port` split.
    static func parsePeer(_ text: Substring) throws(ConfigurationError) -> (UInt64?, String) {
        if let at = text.firstIndex(of: "@") {
            guard let id = UInt64(text[..<at]) else {
                throw ConfigurationError(message: "peer '\(text)': the part before @ must be a node id")
            }
            return (id, try normalize(String(text[text.index(after: at)...])))
        }
        return (nil, try normalize(String(text)))
    }

    static func normalize(_ address: String) throws(ConfigurationError) -> String {
        if let port = Int(address) {
            guard (1...65535).contains(port) else { throw ConfigurationError(message: "bad port in peer '\(address)'") }
            return "127.0.0.1:\(port)"
        }
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (1...65535).contains(port), colon != address.startIndex
        else {
            throw ConfigurationError(message: "peer '\(address)' must be host:port or a bare port")
        }
        return address
    }

    /// Orders by host, then numerically by port, so `127.0.0.1:9000` sorts before `127.0.0.1:10000`.
    static func addressOrder(_ lhs: String, _ rhs: String) -> Bool {
        let (lhsHost, lhsPort) = split(lhs)
        let (rhsHost, rhsPort) = split(rhs)
        return lhsHost == rhsHost ? lhsPort < rhsPort : lhsHost < rhsHost
    }

    fileprivate static func split(_ address: String) -> (Substring, Int) {
        let colon = address.lastIndex(of: ":")!
        return (address[..<colon], Int(address[address.index(after: colon)...]) ?? 0)
    }
}

extension String {
    func trimmingWhitespace() -> Substring { Substring(self).trimmingWhitespace() }

    /// Non-empty and only visible ASCII (no space, no control character): safe in a header
    /// line or a configuration entry's `id address` line.
    var isVisibleASCII: Bool { !isEmpty && utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F } }
}
