import Foundation
import NIOHTTP1

/// The `membership` fault: a voter leaves and comes back while the clients run.
extension Nemesis {
    /// Removes `target` from the voters on the leader, waits `hold`, and adds it back. The node
    /// keeps running meanwhile: it stops counting toward majorities and stops getting entries,
    /// and its clients' requests fail or are forwarded.
    func removeAndReadd(_ target: Int, hold delay: Duration) async throws {
        guard let secret = cluster.secret else {
            throw VerifyError("membership changes need the secret of a cluster verify started")
        }
        let member = cluster.members[target]
        try await changeOnLeader(.DELETE, "/_raft/members/\(member.nodeID)", json: nil, secret: secret)
        await hold(delay)
        // Added back even if the run is being cancelled: every fault is healed before the end.
        try await changeOnLeader(
            .POST, "/_raft/members", json: #"{"node_id":\#(member.nodeID),"address":"\#(member.address)"}"#,
            secret: secret)
    }

    /// Sends a membership change to whichever node leads, until it is done (200, or the change
    /// already made by an earlier attempt whose answer was lost) or 20 s have passed.
    private func changeOnLeader(_ method: HTTPMethod, _ path: String, json: String?, secret: String) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        var lastProblem = "no leader"
        while ContinuousClock.now < deadline {
            if let leader = await probe.leaderIndex() {
                do {
                    let reply = try await probe.http.send(
                        method, cluster.members[leader].baseURL + path, json: json,
                        headers: [("authorization", "Bearer \(secret)")], timeout: .seconds(12))
                    let alreadyDone =
                        (method == .DELETE && reply.status == 404)
                        || (reply.status == 409 && reply.text.contains("already"))
                    if reply.status == 200 || alreadyDone { return }
                    lastProblem = "\(reply.status) \(reply.text.prefix(200))"
                } catch {
                    lastProblem = "\(error)"
                }
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        throw VerifyError("\(method) \(path) did not succeed within 20 s: \(lastProblem)")
    }
}
