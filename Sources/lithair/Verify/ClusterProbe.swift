import Foundation

/// Reads `/_raft/health` from members: who leads, and how far each node has applied.
struct ClusterProbe: Sendable {
    /// The fields of `/_raft/health` verify uses.
    struct Health: Sendable, Equatable {
        var state: String
        var term: UInt64
        var leaderID: Int?
        var commitIndex: UInt64
        var lastApplied: UInt64
    }

    let http: VerifyHTTP
    let members: [VerifyMember]

    /// Every member's health, concurrently (nil where it did not answer in time).
    func healths(timeout: Duration = .milliseconds(500)) async -> [Health?] {
        await withTaskGroup(of: (Int, Health?).self) { group in
            for (index, member) in members.enumerated() {
                group.addTask { (index, await health(of: member, timeout: timeout)) }
            }
            var result = [Health?](repeating: nil, count: members.count)
            for await (index, health) in group { result[index] = health }
            return result
        }
    }

    /// The index of the member that reports itself leader in the highest term, if any.
    func leaderIndex() async -> Int? {
        let answers = await healths()
        return answers.indices.filter { answers[$0]?.state == "Leader" }.max { answers[$0]!.term < answers[$1]!.term }
    }

    /// Waits until one member leads and every answering member names it; returns its index.
    func waitForLeader(timeout: Duration) async -> Int? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline && !Task.isCancelled {
            let answers = await healths()
            if let leader = answers.indices.first(where: { answers[$0]?.state == "Leader" }),
                answers.allSatisfy({ $0 == nil || $0?.leaderID == members[leader].nodeID })
            {
                return leader
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    private func health(of member: VerifyMember, timeout: Duration) async -> Health? {
        guard let reply = try? await http.send(.GET, member.baseURL + "/_raft/health", timeout: timeout),
            reply.status == 200, let object = reply.object, let state = object["state"] as? String
        else { return nil }
        func number(_ key: String) -> UInt64 { (object[key] as? NSNumber)?.uint64Value ?? 0 }
        return Health(
            state: state, term: number("term"), leaderID: (object["leader_id"] as? NSNumber)?.intValue,
            commitIndex: number("commit_index"), lastApplied: number("last_applied"))
    }
}
