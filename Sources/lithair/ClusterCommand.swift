import ArgumentParser
import Dispatch
import Foundation
import Synchronization

struct ClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Run a local cluster of `lithair serve` child processes until Ctrl-C.",
        discussion: """
            Node N listens on 127.0.0.1:<base-port + N>, keeps its data in <data-dir>/node-N and logs \
            to <data-dir>/node-N.log; node 0 leads the first term. Once a leader is known it prints \
            the cluster's status and example requests. Ctrl-C (or SIGTERM) stops every node: SIGTERM, \
            then SIGKILL after 10 s. If a node dies on its own, the others are stopped, its last log \
            lines are printed and the command exits with status 1.
            """
    )

    @Option(help: "How many nodes: 3 or 5.")
    var nodes = 3

    @Option(help: "Port of node 0; node N listens on base-port + N.")
    var basePort = 8080

    @Option(help: "Directory for the nodes' data directories (node-N) and logs (node-N.log).")
    var dataDir = "./data"

    @Option(help: "Shared secret for /_raft/* (default: a random one, printed).")
    var clusterSecret: String?

    @Option(help: "Log level of the nodes.")
    var logLevel = "info"

    @Option(help: "Longest wait, in seconds, for the nodes to agree on a leader.")
    var startupTimeout = 60

    func validate() throws {
        guard nodes == 3 || nodes == 5 else { throw ValidationError("--nodes must be 3 or 5, got \(nodes)") }
        guard (1...(65535 - nodes)).contains(basePort) else { throw ValidationError("--base-port out of range") }
        guard startupTimeout > 0 else { throw ValidationError("--startup-timeout must be positive") }
    }

    func run() throws {
        // Installed before any child exists, so a Ctrl-C during startup still stops them all.
        let signals = SignalWatcher([SIGINT, SIGTERM])
        let secret = clusterSecret ?? Self.randomSecret()
        let cluster = LocalCluster(
            executable: Self.ownExecutable(), count: nodes, basePort: basePort, dataDir: dataDir, secret: secret,
            logLevel: logLevel)
        try cluster.start()
        say("started \(nodes) nodes on ports \(basePort)-\(basePort + nodes - 1), data in \(dataDir)/node-N")
        say("cluster secret: \(secret)")
        let outcome = supervise(cluster, signals: signals)
        switch outcome {
        case .interrupted:
            say("\nstopping the cluster...")
        case .nodeDied(let node):
            say("\n" + cluster.describeExit(of: node))
            say("stopping the other nodes...")
        case .noLeader:
            say("\nno leader within \(startupTimeout) s; last log lines:")
            for node in cluster.nodes { say(cluster.logTail(of: node, lines: 10)) }
        }
        cluster.stop(signals: signals)
        if case .interrupted = outcome { return }
        throw ExitCode(1)
    }

    enum Outcome {
        case interrupted
        case nodeDied(LocalCluster.Node)
        case noLeader
    }

    /// Polls (every 100 ms) for a signal, a dead child and, until one is known, a leader.
    ///
    /// Polling keeps this a plain loop on one thread: no shared state but the signal counter.
    private func supervise(_ cluster: LocalCluster, signals: SignalWatcher) -> Outcome {
        let deadline = Date().addingTimeInterval(Double(startupTimeout))
        var announced = false
        var nextProbe = Date()
        while true {
            if signals.count > 0 { return .interrupted }
            if let dead = cluster.nodes.first(where: { !$0.process.isRunning }) {
                // A terminal's Ctrl-C also reaches children in our process group; give our own
                // copy of the signal a moment to arrive before calling the exit unexpected.
                Thread.sleep(forTimeInterval: 0.5)
                return signals.count > 0 ? .interrupted : .nodeDied(dead)
            }
            if !announced && Date() >= nextProbe {
                if let leader = cluster.agreedLeader() {
                    announce(cluster, leader: leader)
                    announced = true
                } else if Date() > deadline {
                    return .noLeader
                }
                nextProbe = Date().addingTimeInterval(0.25)
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    private func announce(_ cluster: LocalCluster, leader: String) {
        let report = (try? ClusterReport.fetch(node: leader))?.table ?? "(status unavailable)\n"
        say("\nleader: \(leader)\n")
        say(report + "\n")
        let followers = cluster.nodes.map(\.address).filter { $0 != leader }
        let follower = followers.first ?? leader
        let other = followers.last ?? leader
        say(
            """
            Try it (any node takes writes; followers forward them to the leader):
              curl -s -X POST http://\(leader)/api/products -H 'content-type: application/json' \\
                   -d '{"name":"lamp","price":12.5,"tags":["home"]}'
              curl -s 'http://\(follower)/api/products?take=10'
              curl -s 'http://\(other)/api/products/<id>?consistency=linearizable'
              curl -s http://\(leader)/_raft/health
              curl -s http://\(leader)/_raft/sync-status
              curl -s -X POST -H 'Authorization: Bearer \(cluster.secret)' \\
                   'http://\(leader)/_raft/force-resync?target=\(other)'
              lithair status --node \(leader)

            Logs: \(cluster.dataDir)/node-N.log. Ctrl-C stops every node.
            """)
    }

    private func say(_ text: String) { LocalCluster.say(text) }

    /// 128 random bits, hex: the system generator is cryptographically secure.
    static func randomSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(UInt8.random(in: 0...255, using: &generator), radix: 16) }
            .map { $0.count == 1 ? "0" + $0 : $0 }.joined()
    }

    /// This very binary, so the children match the parent even under `swift run`.
    static func ownExecutable() -> URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    }
}

/// Counts SIGINT/SIGTERM deliveries through Dispatch instead of the default handlers (which
/// would end the parent at once and orphan the children).
final class SignalWatcher {
    private final class Counter: Sendable {
        let value = Mutex(0)
    }

    private let counter = Counter()
    private var sources: [any DispatchSourceSignal] = []

    init(_ signals: [Int32]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let counter = self.counter
            source.setEventHandler { counter.value.withLock { $0 += 1 } }
            source.resume()
            sources.append(source)
        }
    }

    var count: Int { counter.value.withLock { $0 } }
}

/// The child `lithair serve` processes of `lithair cluster`, used from one thread only.
final class LocalCluster {
    struct Node {
        var index: Int
        var address: String
        var logPath: String
        var process: Process
    }

    let executable: URL
    let count: Int
    let basePort: Int
    let dataDir: String
    let secret: String
    let logLevel: String
    private(set) var nodes: [Node] = []

    /// Writes a line to standard output at once: `print` is block-buffered when piped.
    static func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    init(executable: URL, count: Int, basePort: Int, dataDir: String, secret: String, logLevel: String) {
        self.executable = executable
        self.count = count
        self.basePort = basePort
        self.dataDir = dataDir
        self.secret = secret
        self.logLevel = logLevel
    }

    /// Starts every node; if one cannot be started, stops those that were and rethrows.
    func start() throws {
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let addresses = (0..<count).map { "127.0.0.1:\(basePort + $0)" }
        do {
            for index in 0..<count {
                nodes.append(try launch(index, addresses: addresses))
            }
        } catch {
            stop(signals: nil)
            throw error
        }
    }

    private func launch(_ index: Int, addresses: [String]) throws -> Node {
        let logPath = "\(dataDir)/node-\(index).log"
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
            throw NodeHTTP.Failure(description: "cannot create \(logPath)")
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? log.close() }  // the child holds its own descriptor
        let process = Process()
        process.executableURL = executable
        // Node ids are the positions of the sorted member addresses: ascending ports, so node N
        // is base-port + N, as `serve` checks.
        process.arguments = [
            "serve", "--port", "\(basePort + index)", "--data-dir", "\(dataDir)/node-\(index)",
            "--node-id", "\(index)", "--peers", addresses.filter { $0 != addresses[index] }.joined(separator: ","),
            "--is-leader", index == 0 ? "true" : "false", "--log-level", logLevel,
        ]
        // The secret goes through the environment, not argv, which every user can read in ps.
        var environment = ProcessInfo.processInfo.environment
        environment["LITHAIR_CLUSTER_SECRET"] = secret
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return Node(index: index, address: addresses[index], logPath: logPath, process: process)
    }

    /// The leader's address once every node answers and names the same leader, which says it leads.
    func agreedLeader() -> String? {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        var states: [RaftHealth] = []
        for node in nodes {
            guard let body = try? NodeHTTP.plain.getJSON(node.address, "/_raft/health", timeoutSeconds: 1),
                let health = try? decoder.decode(RaftHealth.self, from: Data(body))
            else { return nil }
            states.append(health)
        }
        guard let leaderID = states.first?.leaderId, states.allSatisfy({ $0.leaderId == leaderID }),
            let leader = states.first(where: { $0.nodeId == leaderID }), leader.state == "Leader"
        else { return nil }
        return leader.address
    }

    /// SIGTERM to every running node; SIGKILL to those still running after 10 s or after
    /// one more signal to the parent (an impatient second Ctrl-C).
    func stop(signals: SignalWatcher?) {
        let began = Date()
        let running = Set(nodes.filter { $0.process.isRunning }.map(\.index))
        for node in nodes where running.contains(node.index) { node.process.terminate() }
        let patience = signals?.count ?? 0
        // How long each node took to exit: a slow graceful shutdown is worth seeing.
        var exitedAfter: [Int: TimeInterval] = [:]
        while exitedAfter.count < running.count && Date().timeIntervalSince(began) < 10
            && (signals?.count ?? 0) == patience
        {
            for node in nodes
            where running.contains(node.index) && exitedAfter[node.index] == nil && !node.process.isRunning {
                exitedAfter[node.index] = Date().timeIntervalSince(began)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        for node in nodes where node.process.isRunning {
            Self.say("node \(node.index) (pid \(node.process.processIdentifier)) still running: SIGKILL")
            kill(node.process.processIdentifier, SIGKILL)
        }
        for node in nodes {
            node.process.waitUntilExit()
            let after = exitedAfter[node.index].map { String(format: " (%.1f s after SIGTERM)", $0) } ?? ""
            Self.say(describeExit(of: node, withLog: false) + after)
        }
    }

    func describeExit(of node: Node, withLog: Bool = true) -> String {
        let process = node.process
        let how =
            process.terminationReason == .uncaughtSignal
            ? "was killed by signal \(process.terminationStatus)" : "exited with status \(process.terminationStatus)"
        let line = "node \(node.index) (\(node.address), pid \(process.processIdentifier)) \(how)"
        return withLog ? line + "; last lines of \(node.logPath):\n" + logTail(of: node, lines: 20) : line
    }

    func logTail(of node: Node, lines: Int) -> String {
        guard let data = FileManager.default.contents(atPath: node.logPath) else { return "  (no log)" }
        let all = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        return all.suffix(lines + 1).map { "  " + $0 }.joined(separator: "\n")
    }
}
