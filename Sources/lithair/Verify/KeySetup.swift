import LithairHistory

/// Creates the run's keys before the clients start (a PUT to an absent key is a 404).
///
/// Each creation is recorded as one write of `init-<key>`, spanning from the first attempt to
/// the answer that settled it: 201, or 409 after an earlier attempt with an unknown outcome
/// (which therefore did apply). So the checker sees where every key's first value came from.
struct KeySetup: Sendable {
    let http: VerifyHTTP
    let members: [VerifyMember]
    let clock: VerifyClock

    func createAll(_ keys: [String], timeout: Duration) async throws -> [ClientOperation] {
        var operations: [ClientOperation] = []
        for key in keys {
            operations.append(try await create(key, timeout: timeout))
        }
        return operations
    }

    private func create(_ key: String, timeout: Duration) async throws -> ClientOperation {
        let value = "init-\(key)"
        let body = #"{"id":"\#(key)","name":"\#(value)","price":1}"#
        let invokedAt = clock.now()
        let deadline = ContinuousClock.now + timeout
        var attempt = 0
        var lastAnswer = ""
        while ContinuousClock.now < deadline {
            try Task.checkCancellation()
            let node = members[attempt % members.count]
            attempt += 1
            do {
                let reply = try await http.send(
                    .POST, node.baseURL + "/api/products", json: body, timeout: .seconds(3))
                if reply.status == 201 || (reply.status == 409 && attempt > 1) {
                    return ClientOperation(
                        clientID: 0, key: key, kind: .write(value), invokedAt: invokedAt,
                        outcome: .ok(.acknowledged, completedAt: clock.now()))
                }
                lastAnswer = "\(reply.status) \(reply.text.prefix(200))"
            } catch {
                lastAnswer = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw VerifyError("could not create key \(key) within \(timeout): last answer \(lastAnswer)")
    }
}
