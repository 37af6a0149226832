import Foundation
import Testing

/// `lithair verify` end to end: the real binary starts its own clusters, injects faults and must
/// report PASS. Two bounded schedules (about 35 s each): kills and pauses on loopback; and,
/// when root, partitions and packet loss in a private network namespace.
@Suite("lithair verify", .serialized)
struct VerifyTests {
    @Test("kills, pauses and membership changes on loopback: the history is linearizable and the nodes agree")
    func killsPausesAndMembershipChanges() async throws {
        let run = try await VerifyInvocation.run([
            "--network", "loopback", "--faults", "kill,pause,membership", "--duration", "20s", "--fault-interval", "2s",
        ])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("result: PASS"), "\(run.output)")
        #expect(run.output.contains("faults: kill") || run.output.contains("faults: pause"), "\(run.output)")
        #expect(run.historyLines > 0)
    }

    @Test(
        "partitions and packet loss in a private namespace: the history is linearizable and the nodes agree",
        .enabled(
            if: geteuid() == 0
                && ["/usr/sbin/iptables", "/sbin/iptables"].contains(where: FileManager.default.fileExists),
            "needs root and iptables (apt-get install -y iptables) for a network namespace"))
    func partitionsAndLoss() async throws {
        let run = try await VerifyInvocation.run([
            "--network", "namespace", "--faults", "partition,loss,pause", "--duration", "20s", "--fault-interval", "3s",
        ])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("private network namespace"), "\(run.output)")
        #expect(run.output.contains("result: PASS"), "\(run.output)")
    }

    @Test("rejects a cluster size other than 3 or 5")
    func rejectsBadSize() async throws {
        let run = try await VerifyInvocation.run(["--nodes", "4"], limit: .seconds(20))
        #expect(run.status != 0)
        #expect(run.output.contains("--nodes must be 3 or 5"), "\(run.output)")
    }
}

/// One `lithair verify` process, its output and its history file.
struct VerifyInvocation {
    var status: Int32
    var output: String
    var historyLines: Int

    /// Runs `lithair verify arguments`, killing it after `limit`.
    static func run(_ arguments: [String], limit: Duration = .seconds(100)) async throws -> VerifyInvocation {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let historyFile = directory + "/history.jsonl"
        let run = try await LithairRun.run(["verify", "--history-file", historyFile] + arguments, limit: limit)
        let history = (try? String(contentsOfFile: historyFile, encoding: .utf8)) ?? ""
        return VerifyInvocation(
            status: run.status, output: run.output, historyLines: history.split(separator: "\n").count)
    }
}

/// One run of the `lithair` binary to its end: exit status and output (stdout and stderr).
struct LithairRun {
    var status: Int32
    var output: String

    /// Runs `lithair arguments`: SIGTERM after `limit` (verify then heals, stops its nodes and
    /// reports), SIGKILL 15 s later.
    ///
    /// The run blocks (reading the output to its end, waiting for the exit) for as long as the
    /// command runs, so it gets a thread of its own: blocking one of Swift's cooperative
    /// threads (one per core) for 20 s stalls every other test in the process.
    static func run(_ arguments: [String], limit: Duration = .seconds(100)) async throws -> LithairRun {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try runBlocking(arguments, limit: limit) }) }.start()
        }
    }

    private static func runBlocking(_ arguments: [String], limit: Duration) throws -> LithairRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LithairProcess.binaryPath)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem {
            kill(pid, SIGTERM)
            DispatchQueue.global().asyncAfter(deadline: .now() + 15) { kill(pid, SIGKILL) }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + Double(limit.components.seconds), execute: watchdog)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        watchdog.cancel()
        return LithairRun(status: process.terminationStatus, output: output)
    }
}
