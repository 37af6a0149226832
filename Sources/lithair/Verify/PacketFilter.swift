import Foundation

/// Network faults inside verify's private network namespace, made with iptables.
///
/// Every node listens on its own loopback address (127.0.0.11, .12, …) and runs under its own
/// group id. A rule "packets sent by group A to B's address: DROP" stops every connection A
/// opens to B, established ones included (A's segments never arrive); with the reverse rule
/// too, A and B cannot talk at all, while verify's clients (group 0) still reach both. All
/// rules live in one chain of the private namespace, which vanishes with the process, so
/// nothing can leak into the machine's own firewall.
struct PacketFilter: Sendable {
    static let chain = "LITHAIR_VERIFY"
    let members: [VerifyMember]

    /// Brings `lo` up, creates the chain, and checks that owner matching works. Returns why
    /// network faults are unavailable, or nil when they work.
    static func prepare() async -> String? {
        for command in [
            ["ip", "link", "set", "lo", "up"],
            ["iptables", "-w", "-N", chain],
            ["iptables", "-w", "-A", "OUTPUT", "-j", chain],
            // A probe rule that matches nothing real, to check the owner match exists.
            ["iptables", "-w", "-A", chain, "-m", "owner", "--gid-owner", "46999", "-d", "127.0.0.250", "-j", "DROP"],
            ["iptables", "-w", "-F", chain],
        ] {
            let result = await CommandRunner.run(command)
            if !result.succeeded {
                return "`\(command.joined(separator: " "))` failed: "
                    + result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        return nil
    }

    /// Cuts both directions of every link in `pairs` (member indexes).
    func cut(_ pairs: [(Int, Int)]) async throws {
        for (a, b) in pairs {
            try await drop(from: a, to: b)
            try await drop(from: b, to: a)
        }
    }

    /// Drops `probability` of the packets on every node-to-node link.
    func lose(probability: Double) async throws {
        for a in members.indices {
            for b in members.indices where a != b {
                try await drop(
                    from: a, to: b,
                    extra: [
                        "-m", "statistic", "--mode", "random", "--probability", String(format: "%.2f", probability),
                    ])
            }
        }
    }

    /// Removes every rule.
    func heal() async throws {
        try await iptables(["-F", Self.chain])
    }

    private func drop(from a: Int, to b: Int, extra: [String] = []) async throws {
        try await iptables(
            ["-A", Self.chain, "-m", "owner", "--gid-owner", String(members[a].groupID), "-d", members[b].host] + extra
                + ["-j", "DROP"])
    }

    private func iptables(_ arguments: [String]) async throws {
        let result = await CommandRunner.run(["iptables", "-w"] + arguments)
        guard result.succeeded else {
            throw VerifyError("iptables \(arguments.joined(separator: " ")) failed: \(result.output)")
        }
    }
}

/// A failure of verify itself (not of the system under test).
struct VerifyError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
