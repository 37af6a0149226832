import ArgumentParser
import Foundation

/// A length of time given on the command line: `500ms`, `30s`, `2m`, `1h`, or bare seconds.
struct VerifyDuration: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let duration: Duration

    init(_ duration: Duration) { self.duration = duration }

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(suffix: String, milliseconds: Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        // "ms" is tried before "s" and "m" so that "500ms" is not read as 500 minutes.
        let unit = units.first { text.hasSuffix($0.suffix) } ?? ("", 1000)
        guard let number = Double(text.dropLast(unit.suffix.count)), number >= 0, number.isFinite else { return nil }
        duration = .milliseconds(Int64((number * unit.milliseconds).rounded()))
    }

    var seconds: Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

    var description: String {
        let milliseconds = Int64(seconds * 1000)
        if milliseconds % 60_000 == 0 && milliseconds > 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }

    static var defaultValueDescription: String { "seconds, or with a unit: 500ms, 30s, 2m, 1h" }
}

/// A fault the nemesis can inject.
enum FaultKind: String, CaseIterable, Sendable, Codable, Comparable {
    /// SIGKILL a node, restart it after a delay.
    case kill
    /// SIGSTOP a node, SIGCONT it after 1-4 s.
    case pause
    /// Cut node-to-node links (isolate the leader, a minority, or around a bridge node).
    case partition
    /// Drop a random share of node-to-node packets.
    case loss
    /// Remove a node from the voters (the leader half the time), add it back after 1-4 s.
    case membership

    /// Faults that need the private network namespace (root, unshare, iptables).
    var needsNetworkNamespace: Bool { self == .partition || self == .loss }
    /// Faults that need the nodes' process ids.
    var needsProcesses: Bool { self == .kill || self == .pause }
    /// Faults that need the cluster secret, which verify knows only for a cluster it started.
    var needsSecret: Bool { self == .membership }

    static func < (lhs: FaultKind, rhs: FaultKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Parses `kill,pause`, `all` or `none`.
    static func parseList(_ text: String) throws -> Set<FaultKind>? {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if names == ["all"] { return nil }
        if names == ["none"] || names.isEmpty { return [] }
        return Set(
            try names.map { name in
                guard let kind = FaultKind(rawValue: name) else {
                    throw ValidationError(
                        "unknown fault '\(name)'; choose from \(allCases.map(\.rawValue).joined(separator: ", ")), all, none"
                    )
                }
                return kind
            })
    }
}
