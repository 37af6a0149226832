import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Re-runs `lithair verify` inside a private network and PID namespace.
///
/// `unshare --net --pid --fork --kill-child` gives the copy its own loopback, where it may add
/// addresses and iptables rules freely. PID 1 of the new PID namespace is a few lines of bash
/// (`initScript`): it brings `lo` up, runs the copy as its child, passes SIGINT/SIGTERM on, and
/// exits with the copy's status. When PID 1 exits, however it exits, the kernel kills every
/// node left in the namespace, and the network namespace with its rules disappears;
/// `--kill-child` extends that to `unshare` itself being killed. Nothing of the run can
/// outlive it. (The copy is not PID 1 itself: PID 1 does not get signals it has not asked
/// for, SIGCHLD included, and Foundation's `Process` relies on SIGCHLD.)
enum NamespaceLauncher {
    enum Availability {
        case available
        case unavailable(String)
    }

    static func availability() -> Availability {
        guard geteuid() == 0 else { return .unavailable("not running as root") }
        for tool in ["unshare", "ip", "iptables", "setpriv", "/bin/bash"] where CommandRunner.locate(tool) == nil {
            return .unavailable("`\(tool)` is not installed")
        }
        let probe = CommandRunner.runBlocking(["unshare", "--net", "--pid", "--fork", "--kill-child", "true"])
        guard probe.succeeded else {
            return .unavailable("`unshare --net --pid` failed: \(probe.output.trimmingCharacters(in: .newlines))")
        }
        return .available
    }

    /// Runs this binary's `arguments` inside the namespaces and returns its exit status.
    /// SIGINT and SIGTERM are passed on to the inner run, which then heals, stops the nodes and
    /// reports; a second one kills the namespace outright.
    ///
    /// The signal goes straight to the inner run (unshare's grandchild), not through bash:
    /// `unshare` and bash inherit the signal mask of the thread that spawned them, and a
    /// dispatch worker thread blocks SIGTERM, so bash would never see it.
    static func reexecute(arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.locate("unshare")!)
        process.arguments =
            [
                "--net", "--pid", "--fork", "--kill-child", "--mount-proc", "--", "/bin/bash", "-c", initScript,
                "lithair-verify-init",
            ]
            + [ownExecutable()] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(
            [VerifyCommand.insideNamespaceVariable: "1"]) { _, new in new }
        do {
            try process.run()
        } catch {
            FileHandle.standardError.write(Data("lithair verify: cannot start unshare: \(error)\n".utf8))
            return 1
        }
        let unsharePID = process.processIdentifier
        let signalsSeen = SignalCounter()
        let trap = VerifySignalTrap(signals: [SIGINT, SIGTERM]) {
            if signalsSeen.increment() == 1 {
                for shell in childProcesses(of: unsharePID) {
                    for run in childProcesses(of: shell) { kill(run, SIGTERM) }
                }
            } else {
                kill(unsharePID, SIGKILL)
            }
        }
        process.waitUntilExit()
        trap.cancel()
        if process.terminationReason == .uncaughtSignal { return 128 + process.terminationStatus }
        return process.terminationStatus
    }

    /// PID 1 of the namespace: `lo` up (CoreFoundation needs it), the run as a child, signals
    /// passed on, the run's exit status returned. `wait` returns early when a trapped signal
    /// arrives, hence the loop.
    static let initScript = """
        ip link set lo up || exit 1
        trap 'kill -TERM $child 2>/dev/null' INT TERM
        "$@" &
        child=$!
        while :; do
            wait $child
            status=$?
            kill -0 $child 2>/dev/null || exit $status
        done
        """

    /// This executable's absolute path (the target of /proc/self/exe).
    static func ownExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// The pids whose parent is `pid` (from /proc/*/stat).
    static func childProcesses(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let child = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After "pid (comm)": state, then the parent pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid ? child : nil
        }
    }
}

/// Counts deliveries of a signal across threads.
final class SignalCounter: Sendable {
    private let count = Mutex(0)

    func increment() -> Int {
        count.withLock {
            $0 += 1; return $0
        }
    }
}

/// Runs `handler` on a background queue for each delivery of `signals` (which are otherwise
/// ignored), until cancelled.
final class VerifySignalTrap: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32], handler: @escaping @Sendable () -> Void) {
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
