import LithairConsensus

// The simulated network: partitions, loss, duplication, delay, delivery.
extension SimulatedCluster {
    /// Cuts every link between the groups (links inside a group stay up).
    public func partition(_ groups: [[NodeID]]) {
        blockedLinks = []
        for (a, groupA) in groups.enumerated() {
            for (b, groupB) in groups.enumerated() where a != b {
                for from in groupA { for to in groupB { blockedLinks.insert(Link(from: from, to: to)) } }
            }
        }
        note("partition \(groups)")
    }

    /// Cuts `id` off from everyone, both ways.
    public func isolate(_ id: NodeID) {
        partition([[id], ids.filter { $0 != id }])
    }

    /// Cuts one direction of one link.
    public func block(_ link: Link) {
        blockedLinks.insert(link)
        note("block \(link.from)→\(link.to)")
    }

    /// Restores every link.
    public func heal() {
        blockedLinks = []
        note("heal")
    }

    /// Removes in-flight messages matching `predicate` (lost on the wire).
    public func dropMessages(where predicate: (RaftMessage) -> Bool) {
        inFlight.removeAll { predicate($0.message) }
    }

    /// Delivers every message due by now, in random order.
    public func deliverDue() {
        var due: [Envelope] = []
        inFlight.removeAll { envelope in
            guard envelope.deliverAt <= now else { return false }
            due.append(envelope)
            return true
        }
        due.shuffle(using: &random)
        for envelope in due { deliver(envelope) }
    }

    /// Delivers messages in FIFO order until the network is quiet (scenario tests).
    public func deliverAll(rounds: Int = 100) {
        for _ in 0..<rounds where !inFlight.isEmpty {
            let batch = inFlight
            inFlight = []
            for envelope in batch { deliver(envelope) }
        }
    }

    /// Delivers only the in-flight messages matching `predicate`, once, in FIFO order.
    public func deliver(where predicate: (RaftMessage) -> Bool) {
        var chosen: [Envelope] = []
        inFlight.removeAll { envelope in
            guard predicate(envelope.message) else { return false }
            chosen.append(envelope)
            return true
        }
        for envelope in chosen { deliver(envelope) }
    }

    func chance(_ probability: Double) -> Bool {
        probability > 0 && Double.random(in: 0..<1, using: &random) < probability
    }

    func enqueue(_ message: RaftMessage, snapshotState: MachineState?) {
        let copies = faults.duplicateRate > 0 && Double.random(in: 0..<1, using: &random) < faults.duplicateRate ? 2 : 1
        for copy in 0..<copies {
            let delay = faults.maxDelay > 0 ? UInt64.random(in: 0...faults.maxDelay, using: &random) : 0
            inFlight.append(
                Envelope(message: message, snapshotState: snapshotState, deliverAt: now + delay, isDuplicate: copy > 0))
        }
    }

    func deliver(_ envelope: Envelope) {
        let message = envelope.message
        let link = Link(from: message.from, to: message.to)
        let lost =
            blockedLinks.contains(link) || nodes[message.to]?.isUp != true
            || (faults.dropRate > 0 && Double.random(in: 0..<1, using: &random) < faults.dropRate)
        let isSnapshot: Bool
        if case .installSnapshot = message.body { isSnapshot = true } else { isSnapshot = false }
        if lost {
            note("drop \(message)")
            if isSnapshot && !envelope.isDuplicate {
                reportSnapshot(from: message.from, to: message.to, success: false)
            }
            if blockedLinks.contains(link), nodes[message.from]?.isUp == true {
                nodes[message.from]!.core!.reportUnreachable(message.to)
            }
            return
        }
        note("deliver \(message)")
        if case .installSnapshot(let request) = message.body, let state = envelope.snapshotState {
            nodes[message.to]!.receivedSnapshots[request.snapshot] = state
        }
        nodes[message.to]!.core!.step(message)
        drain(message.to)
        if isSnapshot && !envelope.isDuplicate { reportSnapshot(from: message.from, to: message.to, success: true) }
    }

    func reportSnapshot(from sender: NodeID, to peer: NodeID, success: Bool) {
        guard nodes[sender]?.isUp == true else { return }
        nodes[sender]!.core!.reportSnapshot(to: peer, success: success)
        drain(sender)
    }
}
