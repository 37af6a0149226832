import Foundation

/// One fault the nemesis injected and healed.
struct FaultRecord: Sendable {
    var kind: FaultKind
    /// What exactly, e.g. "kill node 2 (leader), restart after 1.4 s".
    var detail: String
    /// Run-clock microseconds.
    var startedAt: UInt64
    var healedAt: UInt64
}

extension FaultRecord {
    /// `   4.66-   6.11 s  kill -9 node 1 (random), restarted after 1.4 s`
    var timeline: String {
        String(format: "%7.2f-%7.2f s  ", Double(startedAt) / 1e6, Double(healedAt) / 1e6) + detail
    }
}

/// Injects faults on a schedule: wait about `interval`, inject one fault, hold it, heal it.
///
/// One fault at a time, so every window of trouble in the history maps to one line of the
/// fault log. Kills and pauses aim at the leader half of the time (the interesting case), at a
/// random node otherwise.
struct Nemesis: Sendable {
    let cluster: VerifyCluster
    let probe: ClusterProbe
    let filter: PacketFilter?
    let kinds: [FaultKind]
    let interval: Duration
    let clock: VerifyClock

    /// Runs until `deadline` (run-clock microseconds) or cancellation; every fault it injected
    /// is healed before it returns.
    func run(until deadline: UInt64, random seed: VerifyRandom) async -> (faults: [FaultRecord], errors: [String]) {
        var random = seed
        var faults: [FaultRecord] = []
        var errors: [String] = []
        guard !kinds.isEmpty else { return ([], []) }
        while !Task.isCancelled {
            let wait = random.seconds(interval.seconds * 0.5, interval.seconds * 1.5)
            // Start only faults that can last a second before the clients stop.
            guard clock.now() + UInt64(wait.seconds * 1e6) + 1_000_000 < deadline else { break }
            do { try await Task.sleep(for: wait) } catch { break }
            let kind = kinds.randomElement(using: &random)!
            let startedAt = clock.now()
            do {
                let detail = try await inject(kind, random: &random, deadline: deadline)
                let fault = FaultRecord(kind: kind, detail: detail, startedAt: startedAt, healedAt: clock.now())
                faults.append(fault)
                // Live progress: long runs would otherwise be silent until the summary.
                verifyPrint("  " + fault.timeline)
            } catch {
                errors.append("\(kind.rawValue): \(error)")
            }
        }
        return (faults, errors)
    }

    private func inject(_ kind: FaultKind, random: inout VerifyRandom, deadline: UInt64) async throws -> String {
        // Every hold ends by the deadline, so the clients see the healed cluster at the end.
        let now = clock.now()
        let remaining = Double(deadline > now ? deadline - now : 0) / 1e6
        func holdTime(_ low: Double, _ high: Double) -> Duration {
            min(random.seconds(low, high), .milliseconds(Int64(max(0.2, remaining) * 1000)))
        }
        switch kind {
        case .kill:
            let (target, role) = await pickTarget(random: &random)
            guard await cluster.kill(target) else { return "kill skipped: node \(target) not running" }
            let delay = holdTime(0.5, 3)
            await hold(delay)
            try await cluster.restart(target)
            return "kill -9 node \(target) (\(role)), restarted after \(format(delay))"
        case .pause:
            let (target, role) = await pickTarget(random: &random)
            guard await cluster.pause(target) else { return "pause skipped: node \(target) cannot be paused" }
            let delay = holdTime(1, 4)
            await hold(delay)
            await cluster.resume(target)
            return "SIGSTOP node \(target) (\(role)) for \(format(delay))"
        case .partition:
            guard let filter else { throw VerifyError("no packet filter") }
            let (pairs, shape) = await partition(random: &random)
            let delay = holdTime(2, 6)
            try await filter.cut(pairs)
            await hold(delay)
            try await filter.heal()
            return "partition \(shape) for \(format(delay))"
        case .membership:
            let (target, role) = await pickTarget(random: &random)
            let delay = holdTime(1, 4)
            try await removeAndReadd(target, hold: delay)
            return "remove node \(target) (\(role)) from the voters, added back after \(format(delay))"
        case .loss:
            guard let filter else { throw VerifyError("no packet filter") }
            let probability = Double.random(in: 0.1...0.35, using: &random)
            let delay = holdTime(2, 6)
            try await filter.lose(probability: probability)
            await hold(delay)
            try await filter.heal()
            return "drop \(Int(probability * 100))% of node-to-node packets for \(format(delay))"
        }
    }

    /// Sleeps for a fault's hold time; cancellation cuts it short (the caller heals at once).
    func hold(_ delay: Duration) async {
        try? await Task.sleep(for: delay)
    }

    /// The leader half of the time (when one is known), a random live node otherwise.
    func pickTarget(random: inout VerifyRandom) async -> (Int, String) {
        let live = await cluster.liveIndexes()
        if Bool.random(using: &random), let leader = await probe.leaderIndex(), live.contains(leader) {
            return (leader, "leader")
        }
        let target = (live.isEmpty ? Array(cluster.members.indices) : live).randomElement(using: &random)!
        return (target, "random")
    }

    /// A partition shape: the leader alone, a random minority, or two halves joined only by a
    /// bridge node. Returns the links to cut and a description.
    private func partition(random: inout VerifyRandom) async -> ([(Int, Int)], String) {
        let count = cluster.members.count
        var order = Array(0..<count).shuffled(using: &random)
        switch Int.random(in: 0..<3, using: &random) {
        case 0:
            let leader = await probe.leaderIndex() ?? order[0]
            order.removeAll { $0 == leader }
            return (order.map { (leader, $0) }, "isolating the leader (node \(leader)) from \(order)")
        case 1:
            let minority = Array(order.prefix(Int.random(in: 1...max(1, (count - 1) / 2), using: &random)))
            let majority = order.filter { !minority.contains($0) }
            return (minority.flatMap { a in majority.map { (a, $0) } }, "minority \(minority) | majority \(majority)")
        default:
            // Bridge: halves that each hold a minority, linked only through one node.
            let bridge = order.removeFirst()
            let left = Array(order.prefix(order.count / 2))
            let right = Array(order.suffix(order.count - order.count / 2))
            return (left.flatMap { a in right.map { (a, $0) } }, "\(left) | \(right) with bridge node \(bridge)")
        }
    }

    func format(_ duration: Duration) -> String { String(format: "%.1f s", duration.seconds) }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
