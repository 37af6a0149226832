import Foundation
import LithairHistory

/// One `lithair verify` run, from starting the nodes to the verdict.
struct VerifyRun: Sendable {
    let plan: VerifyPlan

    /// Runs and reports; returns the exit status (0 PASS, 1 FAIL, 130 interrupted).
    func execute() async -> Int32 {
        let clock = VerifyClock()
        let http = VerifyHTTP()
        let workDirectory =
            NSTemporaryDirectory() + "lithair-verify-" + String(UUID().uuidString.prefix(8)).lowercased()
        let cluster = await makeCluster(workDirectory: workDirectory)
        let filter = plan.packetFilter ? PacketFilter(members: plan.members) : nil
        printHeader(workDirectory: workDirectory)

        var record = VerifyRecord()
        do {
            try await body(cluster: cluster, filter: filter, http: http, clock: clock, record: &record)
        } catch is CancellationError {
            record.interrupted = true
        } catch {
            record.errors.append("\(error)")
        }
        // Clean-up runs in a fresh task: the run's own task may be cancelled (Ctrl-C), and
        // clean-up must still wait for the nodes to exit.
        await Task {
            if let filter { try? await filter.heal() }
            await cluster.shutdown()
            await http.shutdown()
        }.value
        // On Ctrl-C the terminal signals the nodes too, so their exits say nothing then.
        record.unexpectedExits = record.interrupted ? [] : await cluster.unexpectedExits

        let history = History(record.operations)
        var verdict: CheckResult?
        if !record.interrupted && record.errors.isEmpty {
            let started = ContinuousClock.now
            verdict = LinearizabilityChecker().check(history)
            record.checkSeconds = (ContinuousClock.now - started).seconds
        }
        let historyError = VerifyHistoryFile.write(history, to: plan.historyFile)
        let summary = VerifySummary(plan: plan, record: record, verdict: verdict, historyError: historyError)
        verifyPrint(summary.text, terminator: "")
        if summary.passed && !plan.keepData && cluster.ownsProcesses {
            try? FileManager.default.removeItem(atPath: workDirectory)
        } else if cluster.ownsProcesses {
            verifyPrint("nodes' data and logs kept in \(workDirectory)")
        }
        return record.interrupted ? 130 : (summary.passed ? 0 : 1)
    }

    private func makeCluster(workDirectory: String) async -> VerifyCluster {
        if plan.attached {
            var pids: [Int32?] = []
            for member in plan.members {
                let local = member.host.hasPrefix("127.") || member.host == "localhost"
                pids.append(local ? await VerifyPorts.listeningProcess(port: member.port) : nil)
            }
            return VerifyCluster(attachedTo: plan.members, pids: pids)
        }
        return VerifyCluster(
            members: plan.members,
            settings: .init(
                executable: NamespaceLauncher.ownExecutable(), workDirectory: workDirectory,
                secret: UUID().uuidString.lowercased(), tickMs: plan.tickMs, logLevel: plan.logLevel,
                separateGroups: plan.insideNamespace))
    }

    private func body(
        cluster: VerifyCluster, filter: PacketFilter?, http: VerifyHTTP, clock: VerifyClock, record: inout VerifyRecord
    ) async throws {
        let probe = ClusterProbe(http: http, members: plan.members)
        if cluster.ownsProcesses {
            try await cluster.startAll()
        }
        guard await probe.waitForLeader(timeout: .seconds(30)) != nil else {
            try Task.checkCancellation()
            throw VerifyError("the cluster elected no leader within 30 s")
        }
        let monitor = Task {
            while !Task.isCancelled {
                await cluster.pollExits()
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        defer { monitor.cancel() }

        let runID = String(UInt64.random(in: 0..<(1 << 32)), radix: 36)
        let keys = (0..<plan.keys).map { "v\(runID)-k\($0)" }
        record.operations += try await KeySetup(http: http, members: plan.members, clock: clock)
            .createAll(keys, timeout: .seconds(30))

        // The work phase: clients and the nemesis until the deadline.
        let random = VerifyRandom(seed: plan.seed)
        let deadline = clock.now() + UInt64(plan.duration.seconds * 1e6)
        let nemesis = Nemesis(
            cluster: cluster, probe: probe, filter: filter, kinds: plan.faults, interval: plan.faultInterval,
            clock: clock)
        let nemesisTask = Task { await nemesis.run(until: deadline, random: random.derived(0)) }
        let logs = await withTaskGroup(of: ClientLog.self) { group in
            for id in 1...plan.clients {
                let client = RegisterClient(
                    id: id, http: http, members: plan.members, keys: keys, clock: clock, timeout: plan.opTimeout)
                group.addTask { await client.run(until: deadline, random: random.derived(UInt64(id))) }
            }
            var logs: [ClientLog] = []
            for await log in group { logs.append(log) }
            return logs
        }
        nemesisTask.cancel()
        let (faults, nemesisErrors) = await nemesisTask.value
        record.faults = faults
        record.errors += nemesisErrors.map { "nemesis: \($0)" }
        for log in logs {
            record.operations += log.operations
            record.anomalies += log.anomalies
            record.notFoundWrites += log.notFoundWrites
        }
        record.workOperations = logs.reduce(0) { $0 + $1.operations.count }
        try Task.checkCancellation()

        // Heal, converge, read everything back.
        if let filter { try await filter.heal() }
        try await cluster.healAll()
        let convergence = Convergence(
            http: http, probe: probe, members: plan.members, keys: keys, compareLists: cluster.ownsProcesses)
        let report = await convergence.wait(timeout: plan.convergenceTimeout)
        try Task.checkCancellation()
        record.convergence = report
        if report.converged {
            let finalReads = await convergence.finalReads(clock: clock)
            record.finalReads = finalReads
            record.operations += finalReads
        }
        await cluster.pollExits()
    }

    private func printHeader(workDirectory: String) {
        let where_ =
            plan.attached
            ? "attached to \(plan.members.map(\.address).joined(separator: ","))"
            : plan.insideNamespace
                ? "private network namespace, nodes on \(plan.members.map(\.address).joined(separator: ", "))"
                : "loopback, nodes on \(plan.members.map(\.address).joined(separator: ", "))"
        var lines = [
            "lithair verify: \(plan.members.count) nodes (\(where_))",
            "  \(plan.clients) clients, \(plan.keys) keys, \(VerifyDuration(plan.duration)), op timeout "
                + "\(VerifyDuration(plan.opTimeout)), seed \(plan.seed)",
            "  faults: "
                + (plan.faults.isEmpty
                    ? "none"
                    : plan.faults.map(\.rawValue).joined(separator: ",")
                        + " about every \(VerifyDuration(plan.faultInterval))"),
        ]
        lines += plan.notes.map { "  note: \($0)" }
        verifyPrint(lines.joined(separator: "\n"))
    }
}

/// What a run gathered, for the summary.
struct VerifyRecord: Sendable {
    var operations: [ClientOperation] = []
    /// Operations of the clients during the work phase (not setup, not final reads).
    var workOperations = 0
    var finalReads: [ClientOperation] = []
    var faults: [FaultRecord] = []
    var anomalies: [String] = []
    var notFoundWrites = 0
    var convergence: Convergence.Report?
    var unexpectedExits: [VerifyCluster.UnexpectedExit] = []
    var errors: [String] = []
    var interrupted = false
    var checkSeconds: Double = 0
}

/// Writes to stdout unbuffered, so progress shows at once even into a file or a pipe (and
/// nothing is lost if the process is killed).
func verifyPrint(_ text: String, terminator: String = "\n") {
    FileHandle.standardOutput.write(Data((text + terminator).utf8))
}
