import LithairConsensus
import LithairSimulation

extension RaftMessage {
    /// Election traffic: (pre-)vote requests and responses.
    var isElection: Bool {
        switch body {
        case .voteRequest, .voteResponse: true
        default: false
        }
    }

    /// True for an AppendEntries that carries the entry at `index`.
    func carriesEntry(at index: UInt64) -> Bool {
        if case .append(let request) = body { return request.entries.contains { $0.index == index } }
        return false
    }

    /// True for an InstallSnapshot.
    var isSnapshot: Bool {
        if case .installSnapshot = body { return true }
        return false
    }
}

extension SimulatedCluster {
    /// Makes `id` campaign, delivering only election traffic, until it leads (at most `attempts`
    /// campaigns: a candidate may need a second term if voters already voted in the first).
    @discardableResult
    func elect(_ id: NodeID, attempts: Int = 3) -> Bool {
        for _ in 0..<attempts {
            campaign(id)
            deliverRepeatedly { $0.isElection }
            if core(id).role == .leader { return true }
        }
        return false
    }

    /// Delivers in-flight messages matching `predicate` (and those they trigger) until none is left.
    func deliverRepeatedly(where predicate: (RaftMessage) -> Bool) {
        for _ in 0..<100 where inFlight.contains(where: { predicate($0.message) }) {
            deliver(where: predicate)
        }
    }

    /// Term of the entry at `index` in node `id`'s log (nil if absent).
    func term(of id: NodeID, at index: UInt64) -> UInt64? {
        core(id).term(at: index)
    }
}
