import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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

    func run() throws {
        let report = try ClusterReport.fetch(node: node)
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

    static func fetch(node: String) throws -> ClusterReport {
        let address = Int(node).map { "127.0.0.1:\($0)" } ?? node
        let queried = ask(address, sync: true)
        if let error = queried.error {
            throw PlainHTTP.Failure(description: "cannot read the status of \(address): \(error)")
        }
        var leader: NodeAnswer?
        if queried.health?.state == "Leader" {
            leader = queried
        } else if let leaderAddress = queried.health?.leaderAddress {
            leader = ask(leaderAddress, sync: true)
        }
        var members = [queried]
        if let leader, leader.address != queried.address { members.append(leader) }
        // The leader's follower list is the membership; ask the members not asked yet.
        for follower in leader?.syncStatus?.followers ?? []
        where !members.contains(where: { $0.address == follower.address }) {
            members.append(ask(follower.address, sync: false))
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

    private static func ask(_ address: String, sync: Bool) -> NodeAnswer {
        var answer = NodeAnswer(address: address)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            let health = try PlainHTTP.getJSON(address, "/_raft/health")
            answer.rawHealth = String(decoding: health, as: UTF8.self)
            answer.health = try decoder.decode(RaftHealth.self, from: Data(health))
            if sync {
                let status = try PlainHTTP.getJSON(address, "/_raft/sync-status")
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

/// A blocking HTTP/1.1 GET over a fresh TCP connection.
///
/// Enough for the monitoring endpoints of a node, and it keeps the executable free of
/// FoundationNetworking (libcurl) and of any new package dependency.
enum PlainHTTP {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The body of a 200 answer to `GET path` on `address` (`host:port`).
    static func getJSON(_ address: String, _ path: String, timeoutSeconds: Int = 3) throws -> [UInt8] {
        let (status, body) = try get(address, path, timeoutSeconds: timeoutSeconds)
        guard status == 200 else {
            throw Failure(
                description: "GET \(path) answered \(status): \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        return body
    }

    static func get(_ address: String, _ path: String, timeoutSeconds: Int) throws -> (Int, [UInt8]) {
        guard let colon = address.lastIndex(of: ":"), colon != address.startIndex else {
            throw Failure(description: "address '\(address)' must be host:port")
        }
        let host = String(address[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let port = String(address[address.index(after: colon)...])
        let fd = try openConnection(host: host, port: port, timeoutSeconds: timeoutSeconds)
        defer { close(fd) }
        let request =
            "GET \(path) HTTP/1.1\r\nHost: \(address)\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
        var bytes = Array(request.utf8)
        while !bytes.isEmpty {
            let sent = send(fd, bytes, bytes.count, 0)
            guard sent > 0 else {
                throw Failure(description: "send to \(address): \(String(cString: strerror(errno)))")
            }
            bytes.removeFirst(sent)
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { break }
            guard count > 0 else {
                throw Failure(description: "read from \(address): \(String(cString: strerror(errno)))")
            }
            response += buffer[0..<count]
        }
        return try parse(response, from: address)
    }

    private static func openConnection(host: String, port: String, timeoutSeconds: Int) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, port, &hints, &list)
        guard resolved == 0, let first = list else {
            throw Failure(description: "cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(first) }
        var lastError = ECONNREFUSED
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let info = next {
            next = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            // On Linux the send timeout also bounds connect(), so a dead host cannot hang us.
            var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
            lastError = errno
            close(fd)
        }
        throw Failure(description: "connect to \(host):\(port): \(String(cString: strerror(lastError)))")
    }

    private static func parse(_ response: [UInt8], from address: String) throws -> (Int, [UInt8]) {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = response.firstRange(of: separator) else {
            throw Failure(description: "\(address) sent an incomplete HTTP answer (\(response.count) bytes)")
        }
        let head = String(decoding: response[..<end.lowerBound], as: UTF8.self).lowercased()
        let statusLine = head.split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw Failure(description: "\(address) sent a bad status line '\(statusLine)'")
        }
        let body = Array(response[end.upperBound...])
        return (status, head.contains("transfer-encoding: chunked") ? dechunk(body) : body)
    }

    /// Joins the chunks of a chunked body (a server may answer that way even with Connection: close).
    private static func dechunk(_ body: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var position = body.startIndex
        let crlf: [UInt8] = [13, 10]
        while let lineEnd = body[position...].firstRange(of: crlf) {
            let sizeText = String(decoding: body[position..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            guard start + size <= body.endIndex else { break }
            result += body[start..<start + size]
            position = min(body.endIndex, start + size + 2)
        }
        return result
    }
}
