import Foundation
import LithairHistory

/// The end-of-run report and the verdict.
struct VerifySummary {
    let plan: VerifyPlan
    let record: VerifyRecord
    let verdict: CheckResult?
    let historyError: String?

    /// PASS: linearizable, converged, no node died on its own, no anomalous answer, no error.
    var passed: Bool {
        guard let verdict, verdict.isLinearizable, record.convergence?.converged == true else { return false }
        return record.unexpectedExits.isEmpty && record.anomalies.isEmpty && record.errors.isEmpty
            && !record.interrupted
    }

    var text: String {
        var lines: [String] = []
        lines.append("operations: \(record.workOperations) by the clients, \(record.finalReads.count) final reads")
        lines += operationTable()
        if record.notFoundWrites > 0 {
            lines.append("  \(record.notFoundWrites) PUTs answered 404 (recorded as reads of \"absent\")")
        }
        lines.append("faults: " + faultCounts())
        if record.faults.count <= 40 {
            lines += record.faults.map { "  " + $0.timeline }
        }
        lines.append("convergence: " + convergenceText())
        lines.append(
            "nodes: "
                + (record.unexpectedExits.isEmpty
                    ? "no node exited on its own" : "\(record.unexpectedExits.count) exited on their own"))
        for exit in record.unexpectedExits {
            lines.append("  node \(exit.nodeID) exited with status \(exit.status); last lines of its log:")
            lines += exit.logTail.split(separator: "\n", omittingEmptySubsequences: false).map { "    | \($0)" }
        }
        if !record.anomalies.isEmpty {
            lines.append("anomalous answers: \(record.anomalies.count)")
            lines += record.anomalies.prefix(10).map { "  \($0)" }
        }
        lines += record.errors.map { "error: \($0)" }
        lines += checkerText()
        lines.append(
            historyError.map { "history: could not write \(plan.historyFile): \($0)" }
                ?? "history: \(plan.historyFile) (\(record.operations.count) operations)")
        lines.append(
            "result: " + (record.interrupted ? "INTERRUPTED" : passed ? "PASS" : "FAIL") + " (seed \(plan.seed))")
        return lines.joined(separator: "\n") + "\n"
    }

    private func operationTable() -> [String] {
        var counts: [String: [String: Int]] = [:]
        for operation in record.operations {
            let kind: String
            switch operation.kind {
            case .read: kind = "read"
            case .write: kind = "write"
            case .compareAndSet: kind = "cas"
            case .delete: kind = "delete"
            }
            let outcome: String
            switch operation.outcome {
            case .ok(.casFailed, _): outcome = "cas-failed"
            case .ok: outcome = "ok"
            case .failed: outcome = "failed"
            case .unknown: outcome = "unknown"
            }
            counts[kind, default: [:]][outcome, default: 0] += 1
        }
        return ["read", "write", "cas"].compactMap { kind in
            guard let byOutcome = counts[kind] else { return nil }
            let total = byOutcome.values.reduce(0, +)
            let parts = ["ok", "cas-failed", "failed", "unknown"].compactMap { outcome in
                byOutcome[outcome].map { "\(outcome) \($0)" }
            }
            return "  " + kind.padding(toLength: 6, withPad: " ", startingAt: 0)
                + String(total).padding(toLength: 7, withPad: " ", startingAt: 0) + parts.joined(separator: ", ")
        }
    }

    private func faultCounts() -> String {
        guard !record.faults.isEmpty else { return "none injected" }
        let counts = Dictionary(grouping: record.faults, by: \.kind).mapValues(\.count)
        return counts.keys.sorted().map { "\($0.rawValue) \(counts[$0]!)" }.joined(separator: ", ")
    }

    private func convergenceText() -> String {
        guard let report = record.convergence else { return "not reached (the run stopped before)" }
        guard report.converged else {
            return String(format: "FAILED after %.1f s: ", report.seconds) + (report.problem ?? "unknown reason")
        }
        return String(
            format: "leader node %d (term %llu), applied index %llu on all %d nodes, identical data, after %.1f s",
            report.leader ?? -1, report.term, report.appliedIndex, plan.members.count, report.seconds)
    }

    private func checkerText() -> [String] {
        guard let verdict else { return ["checker: not run"] }
        return Self.verdictLines(verdict, seconds: record.checkSeconds)
    }

    /// The checker's verdict as report lines; a violation comes with its explanation and window.
    static func verdictLines(_ verdict: CheckResult, seconds: Double) -> [String] {
        let time = String(format: "%.2f s", seconds)
        switch verdict {
        case .linearizable(let statistics):
            return ["checker: linearizable; \(statistics.describe), \(time)"]
        case .timedOut(let keys, let statistics):
            return ["checker: INCONCLUSIVE, step budget exhausted on \(keys); \(statistics.describe), \(time)"]
        case .invalidHistory(let operation, let reason):
            return ["checker: invalid history (a verify bug): \(reason)", render([operation])]
        case .notLinearizable(let key, let window, let explanation):
            return [
                "checker: NOT LINEARIZABLE on key \(key) (\(time))",
                "  \(explanation)",
                "  minimal window (times in µs since the start of the run):",
            ] + render(window).split(separator: "\n").map { "    \($0)" }
        }
    }
}

extension CheckStatistics {
    fileprivate var describe: String {
        "\(keys) keys, \(operations) operations checked, \(steps) search steps, \(configurations) configurations"
    }
}
