import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Testing

/// A 3-node cluster of real `lithair` processes on loopback, with a cluster secret.
final class ClusterHarness: @unchecked Sendable {
    static let secret = "test-secret"
    let ports: [Int]
    let directories: [String]
    private(set) var nodes: [LithairProcess?]
    let extraArguments: [String]
    /// Arguments for one node only, after `extraArguments` (read at each start).
    var nodeArguments: [Int: [String]] = [:]
    /// Nodes that are not members at first: started only by ``start(_:)``, with `--join`.
    let joining: Set<Int>
    /// `https` for a cluster started with TLS; `client` then trusts its CA.
    let scheme: String
    let client: HTTPClient

    /// - Parameter joining: how many of the `size` nodes (the last ones, on the highest ports, so
    ///   that every node id is the same among the first members and among all) join later.
    init(
        size: Int = 3, joining: Int = 0, extraArguments: [String] = [], scheme: String = "http",
        client: HTTPClient = .shared
    ) throws {
        ports = try (0..<size).map { _ in try FreePort.pick() }.sorted()
        self.joining = Set((size - joining)..<size)
        directories = (0..<size).map { _ in temporaryDirectory() }
        nodes = Array(repeating: nil, count: size)
        self.extraArguments = extraArguments
        self.scheme = scheme
        self.client = client
        // Node ids follow the sorted order of the member addresses, as the seed's table does.
        for index in 0..<size where !self.joining.contains(index) { try start(index) }
    }

    /// Node `index`'s id: its position among the sorted ports.
    func nodeID(_ index: Int) -> Int { ports.sorted().firstIndex(of: ports[index])! }

    func start(_ index: Int) throws {
        // The first members name each other; a joining node names the first members.
        let peers = ports.indices.filter { $0 != index && !joining.contains($0) }.map { String(ports[$0]) }
        nodes[index] = try LithairProcess(
            dataDirectory: directories[index], port: ports[index],
            arguments: [
                "--node-id", String(nodeID(index)), "--peers", peers.joined(separator: ","), "--is-leader",
                nodeID(index) == 0 ? "true" : "false",
                "--cluster-secret", Self.secret, "--tick-ms", "50",
            ] + (joining.contains(index) ? ["--join"] : []) + extraArguments + nodeArguments[index, default: []])
    }

    func url(_ index: Int) -> String { "\(scheme)://127.0.0.1:\(ports[index])" }

    func kill(_ index: Int) async throws {
        guard let node = nodes[index] else { return }
        node.signal(SIGKILL)
        _ = try await node.waitForExit()
        nodes[index] = nil
    }

    func stopAll() async {
        for index in nodes.indices {
            guard let node = nodes[index] else { continue }
            node.signal(SIGTERM)
            _ = try? await node.waitForExit()
            nodes[index] = nil
        }
        for directory in directories { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// The health JSON of node `index`, or nil if it does not answer.
    func health(_ index: Int) async -> [String: Any]? {
        guard
            let reply = try? await HTTP.request(
                .GET, url(index) + "/_raft/health", timeout: .seconds(1), client: client)
        else {
            return nil
        }
        return try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any]
    }

    /// Waits for a node among `candidates` to report itself leader and every running node to
    /// know it; returns its index.
    func waitForLeader(among candidates: [Int]? = nil, timeout: Duration = .seconds(30)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for index in candidates ?? Array(ports.indices) where nodes[index] != nil {
                guard await health(index)?["state"] as? String == "Leader" else { continue }
                var everyoneAgrees = true
                for other in ports.indices where nodes[other] != nil {
                    if await health(other)?["leader_id"] as? Int != nodeID(index) { everyoneAgrees = false }
                }
                if everyoneAgrees { return index }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ProcessFailure(message: "no leader known to every node within \(timeout)")
    }

    /// Waits until the leader reports `follower` with `health` (e.g. "healthy", "desynced").
    func waitForFollowerHealth(
        _ health: String, follower: Int, leader: Int, timeout: Duration = .seconds(10)
    ) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let followers = await self.health(leader)?["followers"] as? [String: String]
            if followers?["127.0.0.1:\(ports[follower])"] == health { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Waits until every running node holds the same items (and, if given, items `isWanted` accepts).
    func waitForConvergence(
        timeout: Duration = .seconds(30), until isWanted: (String) -> Bool = { _ in true }
    ) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var last: [String] = []
        while ContinuousClock.now < deadline {
            last = []
            for index in ports.indices where nodes[index] != nil {
                let reply = try? await HTTP.request(
                    .GET, url(index) + "/api/products?take=1000", timeout: .seconds(2), client: client)
                last.append(reply?.text ?? "unreachable")
            }
            if Set(last).count == 1, last[0] != "unreachable", isWanted(last[0]) { return last[0] }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ProcessFailure(message: "nodes did not converge: \(last.map { String($0.prefix(120)) })")
    }

    @discardableResult
    func create(_ id: String, on index: Int, query: String = "") async throws -> HTTP.Reply {
        try await HTTP.request(
            .POST, url(index) + "/api/products" + query, json: #"{"id":"\#(id)","name":"n-\#(id)","price":1}"#,
            client: client)
    }

    /// Kills and reaps every node and removes the data directories, however the test ended:
    /// a test that throws or fails must not leave servers running.
    deinit {
        for node in nodes.compactMap({ $0 }) where node.process.isRunning {
            node.signal(SIGKILL)
            node.process.waitUntilExit()
        }
        for directory in directories { try? FileManager.default.removeItem(atPath: directory) }
    }
}

extension HTTP.Reply {
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]) ?? [:]
    }
}
