import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The nodes under test: child `lithair serve` processes this run started (or, when attached,
/// the process ids it found), with the fault operations the nemesis needs.
///
/// The actor knows which exits it caused, so any other exit is reported as a node dying on its
/// own, with the tail of that node's log.
actor VerifyCluster {
    struct LaunchSettings: Sendable {
        var executable: String
        var workDirectory: String
        var secret: String
        var tickMs: Int
        var logLevel: String
        /// Run each node under its own group id (namespace mode), for the packet filter.
        var separateGroups: Bool
    }

    struct UnexpectedExit: Sendable {
        var nodeID: Int
        var status: Int32
        var logTail: String
    }

    private enum State {
        case running
        case paused
        case killed
        case died
    }

    private struct Node {
        var member: VerifyMember
        var process: Process?
        /// In attach mode: the pid found listening on the member's port, if any.
        var attachedPID: Int32?
        var state: State = .running
        var starts = 0
    }

    let members: [VerifyMember]
    /// Whether this run started the nodes (and may kill and restart them).
    nonisolated let ownsProcesses: Bool
    private let settings: LaunchSettings?
    /// The cluster secret, for a cluster this run started.
    nonisolated var secret: String? { settings?.secret }
    private var nodes: [Node]
    private(set) var unexpectedExits: [UnexpectedExit] = []
    /// Set once shutdown begins: exits after that are expected.
    private var stopping = false

    /// A cluster this run starts and owns.
    init(members: [VerifyMember], settings: LaunchSettings) {
        self.members = members
        self.settings = settings
        ownsProcesses = true
        nodes = members.map { Node(member: $0) }
    }

    /// A cluster someone else runs; `pids` are the processes found for each member, if any.
    init(attachedTo members: [VerifyMember], pids: [Int32?]) {
        self.members = members
        settings = nil
        ownsProcesses = false
        nodes = zip(members, pids).map { Node(member: $0, attachedPID: $1) }
    }

    /// Whether node `index` can be paused (its process id is known).
    func canSignal(_ index: Int) -> Bool { pid(index) != nil }

    func dataDirectory(_ index: Int) -> String? {
        settings.map { "\($0.workDirectory)/node-\(members[index].nodeID)" }
    }

    func logPath(_ index: Int) -> String? {
        settings.map { "\($0.workDirectory)/node-\(members[index].nodeID).log" }
    }

    // MARK: Starting

    func startAll() throws {
        for index in nodes.indices { try start(index) }
    }

    private func start(_ index: Int) throws {
        guard let settings else { return }
        let member = members[index]
        let dataDirectory = dataDirectory(index)!
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let logPath = logPath(index)!
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        log.write(Data("---- start \(nodes[index].starts + 1) of node \(member.nodeID) ----\n".utf8))

        let peers = members.filter { $0 != member }.map(\.address).joined(separator: ",")
        var arguments = [
            settings.executable, "serve", "--host", member.host, "--port", String(member.port),
            "--data-dir", dataDirectory, "--node-id", String(member.nodeID), "--peers", peers,
            "--is-leader", member.nodeID == 0 ? "true" : "false", "--tick-ms", String(settings.tickMs),
            "--log-level", settings.logLevel,
        ]
        if settings.separateGroups {
            // setpriv execs the server, so the pid stays the server's own (for kill/stop).
            arguments = ["setpriv", "--regid", String(member.groupID), "--clear-groups", "--"] + arguments
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.locate(arguments[0]) ?? arguments[0])
        process.arguments = Array(arguments.dropFirst())
        // The secret travels in the environment, not argv, as `lithair cluster` does.
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["LITHAIR_CLUSTER_SECRET": settings.secret]) { _, new in new }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? log.close()
        nodes[index].process = process
        nodes[index].state = .running
        nodes[index].starts += 1
    }

    // MARK: Faults

    /// SIGKILLs node `index` and waits until it is gone. Returns false if it was not running.
    func kill(_ index: Int) async -> Bool {
        guard settings != nil, let process = nodes[index].process,
            nodes[index].state == .running || nodes[index].state == .paused
        else { return false }
        nodes[index].state = .killed
        Glibc.kill(process.processIdentifier, SIGKILL)
        await Self.waitForExit(process, timeout: .seconds(10))
        return true
    }

    /// Starts again a node this run killed.
    func restart(_ index: Int) throws {
        guard nodes[index].state == .killed else { return }
        try start(index)
    }

    /// SIGSTOPs node `index`. Returns false if it cannot be paused.
    func pause(_ index: Int) -> Bool {
        guard nodes[index].state == .running, let pid = pid(index) else { return false }
        Glibc.kill(pid, SIGSTOP)
        nodes[index].state = .paused
        return true
    }

    func resume(_ index: Int) {
        guard nodes[index].state == .paused, let pid = pid(index) else { return }
        Glibc.kill(pid, SIGCONT)
        nodes[index].state = .running
    }

    /// Undoes every process fault: resumes paused nodes, restarts killed ones.
    func healAll() throws {
        for index in nodes.indices {
            switch nodes[index].state {
            case .paused: resume(index)
            case .killed: try restart(index)
            case .running, .died: break
            }
        }
    }

    /// Indexes of nodes that are up (not killed, not died); paused nodes count as up.
    func liveIndexes() -> [Int] {
        nodes.indices.filter { nodes[$0].state == .running || nodes[$0].state == .paused }
    }

    /// Records nodes that exited without being killed by this run.
    func pollExits() {
        guard !stopping else { return }
        for index in nodes.indices {
            guard let process = nodes[index].process, nodes[index].state == .running || nodes[index].state == .paused,
                !process.isRunning
            else { continue }
            nodes[index].state = .died
            unexpectedExits.append(
                UnexpectedExit(
                    nodeID: members[index].nodeID, status: process.terminationStatus,
                    logTail: logTail(index, lines: 25)))
        }
    }

    /// Stops every node this run started: SIGCONT, SIGTERM, then SIGKILL after `grace`.
    func shutdown(grace: Duration = .seconds(10)) async {
        pollExits()
        stopping = true
        for index in nodes.indices {
            guard let process = nodes[index].process, process.isRunning else { continue }
            Glibc.kill(process.processIdentifier, SIGCONT)
            Glibc.kill(process.processIdentifier, SIGTERM)
        }
        for index in nodes.indices {
            guard let process = nodes[index].process else { continue }
            await Self.waitForExit(process, timeout: grace)
        }
        // Attached nodes are not ours to stop, but never leave one paused.
        for index in nodes.indices where nodes[index].state == .paused { resume(index) }
    }

    /// The last `lines` lines of node `index`'s log.
    func logTail(_ index: Int, lines: Int) -> String {
        guard let path = logPath(index), let data = FileManager.default.contents(atPath: path) else { return "" }
        let text = String(decoding: data.suffix(64 << 10), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    private func pid(_ index: Int) -> Int32? {
        if let process = nodes[index].process { return process.isRunning ? process.processIdentifier : nil }
        return nodes[index].attachedPID
    }

    /// Waits for `process` to exit, SIGKILLing it when `timeout` passes. Sleeps with
    /// `usleep` on a detached thread so that it also works in a cancelled task (clean-up).
    private static func waitForExit(_ process: Process, timeout: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let box = UncheckedProcess(process: process)
            Thread.detachNewThread {
                let deadline = Date().addingTimeInterval(Double(timeout.components.seconds))
                while box.process.isRunning && Date() < deadline { usleep(20_000) }
                if box.process.isRunning {
                    Glibc.kill(box.process.processIdentifier, SIGKILL)
                    box.process.waitUntilExit()
                }
                continuation.resume()
            }
        }
    }
}

/// Hands a `Process` to the waiting thread; only `isRunning`, its pid and `waitUntilExit` are
/// used there, which Foundation allows from any thread.
private struct UncheckedProcess: @unchecked Sendable {
    let process: Process
}
