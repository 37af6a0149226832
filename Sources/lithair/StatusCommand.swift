import ArgumentParser
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a cluster's members: role, term, commit and applied index, follower health and lag.",
        discussion: """
            Asks the node for /_raft/health and /_raft/sync-status, then the leader it names (the \
            leader knows every follower's lag), then every other member for its own indexes.
            """
    )

    @Option(help: "A member to ask: host:port or a bare port.")
    var node = "127.0.0.1:8080"

    @Flag(help: "Print the JSON the nodes answered instead of the table.")
    var json = false

    @OptionGroup var tls: ClientTLSOptions

    func run() throws {
        let http = try tls.makeHTTP()
        defer { http.shutdown() }
        let report = try ClusterReport.fetch(node: node, http: http)
        print(json ? report.json : report.table, terminator: "")
    }
}

/// What `/_raft/health` answers (the fields the table shows).
struct RaftHealth: Decodable {
    var nodeId: UInt64
    var state: String
    var term: UInt64
    var commitIndex: UInt64
    var lastApplied: UInt64
    var leaderId: UInt64?
    var leaderAddress: String?
    var address: String
}

/// What `/_raft/sync-status` answers; only a leader lists followers.
struct RaftSyncStatus: Decodable {
    struct Follower: Decodable {
        var address: String
        var nodeId: UInt64
        var health: String
        var lag: UInt64
        var lastLatencyMs: Int?
        var consecutiveFailures: Int
    }
    var isLeader: Bool
    var followers: [Follower]
}

/// One member's answers, kept raw as well so `--json` prints exactly what the node said.
struct NodeAnswer {
    var address: String
    /// From the node itself or, when it did not answer, from what the others say about it.
    var nodeID: UInt64?
    var health: RaftHealth?
    var rawHealth: String?
    var syncStatus: RaftSyncStatus?
    var rawSyncStatus: String?
    var error: String?
}

/// The cluster as seen from one node and its leader.
struct ClusterReport {
    var queried: NodeAnswer
    var leader: NodeAnswer?
    /// Every member, including the queried node and the leader, ordered by node id.
    var members: [NodeAnswer]

    /// The leader's address, when the cluster has one that answered.
    var leaderAddress: String? { leader?.health?.state == "Leader" ? leader?.address : nil }

    static func fetch(node: String, http: NodeHTTP = .plain) throws -> ClusterReport {
        let address = Int(node).map { "127.0.0.1:\($0)" } ?? node
        let queried = ask(address, sync: true, http: http)
        if let error = queried.error {
            throw NodeHTTP.Failure(description: "cannot read the status of \(address): \(error)")
        }
        var leader: NodeAnswer?
        if queried.health?.state == "Leader" {
            leader = queried
        } else if let leaderAddress = queried.health?.leaderAddress {
            leader = ask(leaderAddress, sync: true, http: http)
        }
        var members = [queried]
        if let leader, leader.address != queried.address { members.append(leader) }
        // The leader's follower list is the membership; ask the members not asked yet.
        for follower in leader?.syncStatus?.followers ?? []
        where !members.contains(where: { $0.address == follower.address }) {
            members.append(ask(follower.address, sync: false, http: http))
        }
        var knownIDs = Dictionary(
            (leader?.syncStatus?.followers ?? []).map { ($0.address, $0.nodeId) }, uniquingKeysWith: { a, _ in a })
        if let health = queried.health, let id = health.leaderId, let address = health.leaderAddress {
            knownIDs[address] = id
        }
        for index in members.indices {
            members[index].nodeID = members[index].health?.nodeId ?? knownIDs[members[index].address]
        }
        members.sort { ($0.nodeID ?? .max) < ($1.nodeID ?? .max) }
        return ClusterReport(queried: queried, leader: leader, members: members)
    }

    private static func ask(_ address: String, sync: Bool, http: NodeHTTP) -> NodeAnswer {
        var answer = NodeAnswer(address: address)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            let health = try http.getJSON(address, "/_raft/health")
            answer.rawHealth = String(decoding: health, as: UTF8.self)
            answer.health = try decoder.decode(RaftHealth.self, from: Data(health))
            if sync {
                let status = try http.getJSON(address, "/_raft/sync-status")
                answer.rawSyncStatus = String(decoding: status, as: UTF8.self)
                answer.syncStatus = try decoder.decode(RaftSyncStatus.self, from: Data(status))
            }
        } catch {
            answer.error = "\(error)"
        }
        return answer
    }

    /// The nodes' own JSON, grouped: the queried node, the leader and every member's health.
    var json: String {
        func pair(_ answer: NodeAnswer) -> String {
            let fields = [
                "\"address\":\"\(answer.address)\"",
                answer.rawHealth.map { "\"health\":\($0)" },
                answer.rawSyncStatus.map { "\"sync_status\":\($0)" },
                answer.error.map { "\"error\":\(Self.quoted($0))" },
            ]
            return "{" + fields.compactMap { $0 }.joined(separator: ",") + "}"
        }
        let members = self.members.map(pair).joined(separator: ",")
        return "{\"node\":\(pair(queried)),\"leader\":\(leader.map(pair) ?? "null"),\"members\":[\(members)]}\n"
    }

    var table: String {
        let followerRows = Dictionary(
            (leader?.syncStatus?.followers ?? []).map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        var rows = [["NODE", "ADDRESS", "ROLE", "TERM", "COMMIT", "APPLIED", "HEALTH", "LAG", "LATENCY", "FAILURES"]]
        for member in members {
            let health = member.health
            let follower = followerRows[member.address]
            rows.append([
                member.nodeID.map { "\($0)" } ?? "?",
                member.address,
                health?.state ?? "unreachable",
                health.map { "\($0.term)" } ?? "-",
                health.map { "\($0.commitIndex)" } ?? "-",
                health.map { "\($0.lastApplied)" } ?? "-",
                follower?.health ?? "-",
                follower.map { "\($0.lag)" } ?? "-",
                follower?.lastLatencyMs.map { "\($0) ms" } ?? "-",
                follower.map { "\($0.consecutiveFailures)" } ?? "-",
            ])
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = ""
        for row in rows {
            let cells = zip(row, widths).map { cell, width in cell.padding(toLength: width, withPad: " ", startingAt: 0)
            }
            text += cells.joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }
        if leaderAddress == nil { text += "no leader known yet (an election may be under way)\n" }
        for member in members where member.error != nil { text += "\(member.address): \(member.error!)\n" }
        return text
    }

    private static func quoted(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
