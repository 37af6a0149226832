import Foundation
import LithairHistory

/// After the faults are healed: waits until the cluster agrees, then takes the final reads.
struct Convergence: Sendable {
    struct Report: Sendable {
        var converged: Bool
        /// Why not, when it did not converge.
        var problem: String?
        var leader: Int?
        var term: UInt64 = 0
        var appliedIndex: UInt64 = 0
        var seconds: Double = 0
        /// Each key's value as every node holds it locally (equal on all nodes when converged).
        var values: [String: String?] = [:]
    }

    let http: VerifyHTTP
    let probe: ClusterProbe
    let members: [VerifyMember]
    let keys: [String]
    /// Also compare the nodes' full product lists (only when the cluster is this run's own).
    let compareLists: Bool

    /// Polls until one leader is known to all, every node has the same commit and applied
    /// index, and the data is identical everywhere, twice in a row (so a straggling write that
    /// applies in between is caught).
    func wait(timeout: Duration) async -> Report {
        let started = ContinuousClock.now
        var previous: Snapshot?
        var problem = "no answer yet"
        while ContinuousClock.now - started < timeout && !Task.isCancelled {
            switch await snapshot() {
            case .success(let current):
                if current == previous {
                    return Report(
                        converged: true, leader: current.leader, term: current.term, appliedIndex: current.applied,
                        seconds: (ContinuousClock.now - started).seconds, values: current.values)
                }
                previous = current
                problem = "still changing"
            case .failure(let error):
                previous = nil
                problem = error.description
            }
            try? await Task.sleep(for: .milliseconds(300))
        }
        return Report(converged: false, problem: problem, seconds: (ContinuousClock.now - started).seconds)
    }

    /// Reads every key on every node with `consistency=linearizable`, as operations of clients
    /// 1000 + node index, so the checker also decides whether the surviving data agrees with
    /// every acknowledged write.
    func finalReads(clock: VerifyClock) async -> [ClientOperation] {
        var operations: [ClientOperation] = []
        for (index, member) in members.enumerated() {
            let client = RegisterClient(
                id: 1000 + index, http: http, members: [member], keys: keys, clock: clock, timeout: .seconds(5))
            var log = ClientLog()
            for key in keys { _ = await client.read(key, on: member, log: &log) }
            operations += log.operations
        }
        return operations
    }

    private struct Snapshot: Equatable {
        var leader: Int
        var term: UInt64
        var applied: UInt64
        var values: [String: String?]
        var lists: [String]
    }

    private func snapshot() async -> Result<Snapshot, VerifyError> {
        let healths = await probe.healths()
        for (index, health) in healths.enumerated() where health == nil {
            return .failure(VerifyError("node \(index) does not answer /_raft/health"))
        }
        let answers = healths.map { $0! }
        let leaders = answers.indices.filter { answers[$0].state == "Leader" }
        guard leaders.count == 1, let leader = leaders.first else {
            return .failure(VerifyError("\(leaders.count) nodes report themselves leader"))
        }
        guard answers.allSatisfy({ $0.leaderID == members[leader].nodeID && $0.term == answers[leader].term }) else {
            return .failure(
                VerifyError("nodes disagree on the leader: \(answers.map { "\($0.leaderID.map(String.init) ?? "-")" })")
            )
        }
        let applied = Set(answers.map(\.lastApplied))
        let committed = Set(answers.map(\.commitIndex))
        guard applied.count == 1, committed.count == 1 else {
            return .failure(
                VerifyError(
                    "applied indexes \(answers.map(\.lastApplied)), commit indexes \(answers.map(\.commitIndex))"))
        }
        var values: [String: String?] = [:]
        for key in keys {
            var seen: [String?] = []
            for member in members {
                guard
                    let reply = try? await http.send(
                        .GET, member.baseURL + "/api/products/" + key, timeout: .seconds(2))
                else { return .failure(VerifyError("node \(member.nodeID) did not answer GET \(key)")) }
                seen.append(reply.status == 200 ? (reply.object?["name"] as? String) : nil)
            }
            guard Set(seen.map { $0 ?? "<absent>" }).count == 1 else {
                return .failure(VerifyError("nodes hold different values for \(key): \(seen.map { $0 ?? "absent" })"))
            }
            values[key] = seen[0]
        }
        var lists: [String] = []
        if compareLists {
            for member in members {
                guard
                    let reply = try? await http.send(
                        .GET, member.baseURL + "/api/products?take=1000", timeout: .seconds(2)), reply.status == 200
                else { return .failure(VerifyError("node \(member.nodeID) did not answer the product list")) }
                lists.append(reply.text)
            }
            guard Set(lists).count == 1 else { return .failure(VerifyError("the nodes' product lists differ")) }
        }
        return .success(
            Snapshot(
                leader: leader, term: answers[leader].term, applied: answers[leader].lastApplied, values: values,
                lists: lists))
    }
}
