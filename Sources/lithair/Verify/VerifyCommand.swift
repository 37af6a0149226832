import ArgumentParser
import Foundation
import LithairHistory

#if canImport(Glibc)
    import Glibc
#endif

/// `lithair verify`: runs clients against a cluster while injecting faults, then checks that
/// what the clients saw is linearizable and that the nodes agree.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract:
            "Check a cluster under faults: kills, pauses, partitions, packet loss, membership changes; then linearizability.",
        discussion: """
            Starts --nodes child `lithair serve` processes in a temporary directory (or uses the \
            members given with --attach), creates --keys products, and runs --clients clients \
            for --duration: linearizable reads, unconditional PUTs of unique values, and \
            compare-and-sets (GET, then PUT with If-Match). Meanwhile a nemesis injects one \
            fault about every --fault-interval. At the end every fault is healed, the cluster \
            must converge (one leader, equal applied index, identical data on every node), every \
            node is read, and the history is checked for linearizability. PASS exits 0, FAIL 1.

            Partitions and packet loss need root: the run then re-executes itself in a private \
            network namespace (unshare --net --pid), where each node listens on its own address \
            (127.0.0.11, .12, ...) and iptables rules cut links; everything vanishes with the \
            run. Without root only kills, pauses and membership changes (a node removed from the \
            voters, then added back) are available. --attach allows pauses only, and only for \
            members whose process runs on this machine.
            """
    )

    @Option(help: "Cluster size: 3 or 5.")
    var nodes = 3

    @Option(help: "Use a running cluster instead: its members as host:port,host:port,...")
    var attach: String?

    @Option(help: "Concurrent clients.")
    var clients = 5

    @Option(help: "How long the clients run (30s, 2m, 30m).")
    var duration = VerifyDuration(.seconds(30))

    @Option(help: "Number of keys (products) the clients share.")
    var keys = 5

    @Option(
        help: "Faults to inject: a comma-separated subset of kill, pause, partition, loss, membership; or all, none.")
    var faults = "all"

    @Option(help: "Mean time between faults.")
    var faultInterval = VerifyDuration(.seconds(4))

    @Option(help: "Per-request timeout; a request that times out has an unknown outcome.")
    var opTimeout = VerifyDuration(.seconds(2))

    @Option(help: "Where to write the history, one JSON operation per line.")
    var historyFile = "lithair-verify-history.jsonl"

    @Option(help: "Seed for the clients' and the nemesis's random choices (default: random).")
    var seed: UInt64?

    @Option(help: "Nodes' Raft tick in ms (elections after 10-20 ticks).")
    var tickMs = 50

    @Option(help: "Nodes' log level.")
    var logLevel = "info"

    @Option(help: "How long the healed cluster may take to converge.")
    var convergenceTimeout = VerifyDuration(.seconds(60))

    @Option(help: "Network isolation: auto (a private namespace when root), namespace, or loopback.")
    var network = "auto"

    @Option(help: "Start nothing: only check a history file an earlier run wrote, and exit 0 if linearizable.")
    var check: String?

    @Flag(help: "Keep the nodes' data and logs even when the run passes.")
    var keepData = false

    /// Set in the environment of the copy of verify that runs inside the private namespace.
    static let insideNamespaceVariable = "LITHAIR_VERIFY_IN_NAMESPACE"

    func validate() throws {
        if attach == nil && ![3, 5].contains(nodes) { throw ValidationError("--nodes must be 3 or 5") }
        guard clients >= 1, keys >= 1 else { throw ValidationError("--clients and --keys must be at least 1") }
        guard duration.seconds > 0, opTimeout.seconds > 0 else {
            throw ValidationError("--duration and --op-timeout must be positive")
        }
        guard ["auto", "namespace", "loopback"].contains(network) else {
            throw ValidationError("--network must be auto, namespace or loopback")
        }
        _ = try FaultKind.parseList(faults)
        if let attach, attachedMembers(attach) == nil {
            throw ValidationError("--attach wants host:port,host:port,... (got '\(attach)')")
        }
    }

    func run() async throws {
        if let check { throw ExitCode(try Self.checkOnly(check)) }
        let requested = try FaultKind.parseList(faults)
        let wantsNetworkFaults = requested.map { $0.contains { $0.needsNetworkNamespace } } ?? true
        let inside = ProcessInfo.processInfo.environment[Self.insideNamespaceVariable] == "1"

        var notes: [String] = []
        if !inside && attach == nil && network != "loopback" && wantsNetworkFaults {
            switch NamespaceLauncher.availability() {
            case .available:
                let status = NamespaceLauncher.reexecute(arguments: Array(CommandLine.arguments.dropFirst()))
                throw ExitCode(status)
            case .unavailable(let reason):
                if network == "namespace" { throw ValidationError("cannot use a network namespace: \(reason)") }
                notes.append("no partitions or packet loss: \(reason); running on loopback with kills and pauses only")
            }
        }
        let plan = try await makePlan(requested: requested, inside: inside, notes: notes)
        let run = VerifyRun(plan: plan)
        let task = Task { await run.execute() }
        let trap = VerifySignalTrap(signals: [SIGINT, SIGTERM]) {
            FileHandle.standardError.write(Data("lithair verify: interrupted; healing and stopping the nodes\n".utf8))
            task.cancel()
        }
        let status = await task.value
        trap.cancel()
        if status != 0 { throw ExitCode(status) }
    }

    private func makePlan(requested: Set<FaultKind>?, inside: Bool, notes: [String]) async throws -> VerifyPlan {
        var notes = notes
        var available = Set(FaultKind.allCases)
        let members: [VerifyMember]
        var filterReady = false
        if let attach {
            members = attachedMembers(attach)!
            available = [.pause]
            notes.append("attached: no kills, partitions or packet loss on a cluster verify did not start")
        } else if inside {
            members = VerifyMember.numbered((0..<nodes).map { ("127.0.0.\(11 + $0)", 7000) })
            if let problem = await PacketFilter.prepare() {
                notes.append("no partitions or packet loss: \(problem)")
                available.subtract([.partition, .loss])
            } else {
                filterReady = true
            }
        } else {
            members = VerifyMember.numbered(try (0..<nodes).map { _ in ("127.0.0.1", try VerifyPorts.free()) })
            available.subtract([.partition, .loss])
        }
        var kinds = requested ?? available
        for kind in kinds.subtracting(available).sorted() {
            if requested != nil { notes.append("fault '\(kind.rawValue)' is unavailable here; skipped") }
            kinds.remove(kind)
        }
        return VerifyPlan(
            members: members, attached: attach != nil, insideNamespace: inside, packetFilter: filterReady,
            faults: kinds.sorted(), faultInterval: faultInterval.duration, clients: clients, keys: keys,
            duration: duration.duration, opTimeout: opTimeout.duration, historyFile: historyFile,
            seed: seed ?? UInt64.random(in: 1...UInt64(Int64.max)), tickMs: tickMs, logLevel: logLevel,
            convergenceTimeout: convergenceTimeout.duration, keepData: keepData, notes: notes)
    }

    /// `--check FILE`: re-checks a recorded history (for example after editing it by hand).
    private static func checkOnly(_ path: String) throws -> Int32 {
        let history = try VerifyHistoryFile.read(from: path)
        let started = ContinuousClock.now
        let verdict = LinearizabilityChecker().check(history)
        let lines = VerifySummary.verdictLines(verdict, seconds: (ContinuousClock.now - started).seconds)
        verifyPrint(lines.joined(separator: "\n"))
        return verdict.isLinearizable ? 0 : 1
    }

    private func attachedMembers(_ text: String) -> [VerifyMember]? {
        let addresses = text.split(separator: ",").map { VerifyMember.parseAddress(String($0)) }
        guard !addresses.isEmpty, addresses.allSatisfy({ $0 != nil }) else { return nil }
        return VerifyMember.numbered(addresses.map { $0! })
    }
}

/// Everything a run needs, decided before it starts.
struct VerifyPlan: Sendable {
    var members: [VerifyMember]
    var attached: Bool
    var insideNamespace: Bool
    var packetFilter: Bool
    var faults: [FaultKind]
    var faultInterval: Duration
    var clients: Int
    var keys: Int
    var duration: Duration
    var opTimeout: Duration
    var historyFile: String
    var seed: UInt64
    var tickMs: Int
    var logLevel: String
    var convergenceTimeout: Duration
    var keepData: Bool
    /// Lines printed before the run: what is unavailable and why.
    var notes: [String]
}
