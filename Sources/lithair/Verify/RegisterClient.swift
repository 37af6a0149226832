import Foundation
import LithairHistory
import NIOHTTP1

/// One verify client: issues one request at a time, each against a random node, and records
/// every request as a `ClientOperation`.
///
/// The register value of a key is the product's `name`; every value a client writes is unique
/// (`c3-w17`), which the checker relies on to compare values instead of versions.
struct RegisterClient: Sendable {
    let id: Int
    let http: VerifyHTTP
    let members: [VerifyMember]
    let keys: [String]
    let clock: VerifyClock
    let timeout: Duration

    /// Works until `deadline` (run-clock microseconds) or cancellation.
    func run(until deadline: UInt64, random seed: VerifyRandom) async -> ClientLog {
        var random = seed
        var log = ClientLog()
        var written = 0
        while clock.now() < deadline && !Task.isCancelled {
            let key = keys.randomElement(using: &random)!
            let node = members.randomElement(using: &random)!
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4:
                _ = await read(key, on: node, log: &log)
            case 4..<7:
                written += 1
                await write(key, value: "c\(id)-w\(written)", on: node, log: &log)
            default:
                written += 1
                await compareAndSet(key, value: "c\(id)-w\(written)", on: node, log: &log)
            }
        }
        return log
    }

    /// A linearizable read; returns the value and version when it completed with a value.
    func read(_ key: String, on node: VerifyMember, log: inout ClientLog) async -> (String?, UInt64?)? {
        let invokedAt = clock.now()
        let result = await request(.GET, node, key, query: "?consistency=linearizable")
        let completedAt = clock.now()
        let outcome: ClientOperation.Outcome
        var observed: (String?, UInt64?)?
        switch result {
        case .reply(let reply) where reply.status == 200:
            let name = reply.object?["name"] as? String
            observed = (name, reply.version)
            outcome = .ok(.value(name, version: reply.version), completedAt: completedAt)
        case .reply(let reply) where reply.status == 404:
            observed = (nil, nil)
            outcome = .ok(.value(nil), completedAt: completedAt)
        default:
            outcome = classify(result, completedAt: completedAt, request: "GET \(key)", log: &log)
        }
        log.append(ClientOperation(clientID: id, key: key, kind: .read, invokedAt: invokedAt, outcome: outcome))
        return observed
    }

    /// An unconditional replace of the key's value.
    func write(_ key: String, value: String, on node: VerifyMember, log: inout ClientLog) async {
        let invokedAt = clock.now()
        let result = await request(.PUT, node, key, body: Self.body(value))
        let completedAt = clock.now()
        record(.write(value), key: key, invokedAt: invokedAt, completedAt: completedAt, result: result, log: &log)
    }

    /// Reads the value and its version, then replaces it only if the version is unchanged
    /// (`If-Match`). The read is recorded as a read of its own.
    func compareAndSet(_ key: String, value: String, on node: VerifyMember, log: inout ClientLog) async {
        guard let (current, version) = await read(key, on: node, log: &log), let current, let version else { return }
        let invokedAt = clock.now()
        let result = await request(.PUT, node, key, body: Self.body(value), headers: [("If-Match", "\"\(version)\"")])
        let completedAt = clock.now()
        record(
            .compareAndSet(expected: current, new: value), key: key, invokedAt: invokedAt, completedAt: completedAt,
            result: result, log: &log)
    }

    private func record(
        _ kind: ClientOperation.Kind, key: String, invokedAt: UInt64, completedAt: UInt64, result: RequestResult,
        log: inout ClientLog
    ) {
        var kind = kind
        let outcome: ClientOperation.Outcome
        switch result {
        case .reply(let reply) where reply.status == 200:
            if case .compareAndSet = kind {
                outcome = .ok(.casSucceeded, completedAt: completedAt)
            } else {
                outcome = .ok(.acknowledged, completedAt: completedAt)
            }
        case .reply(let reply) where reply.status == 412:
            if case .compareAndSet = kind {
                outcome = .ok(.casFailed, completedAt: completedAt)
            } else {
                log.anomalies.append("PUT \(key) without If-Match answered 412: \(reply.text)")
                outcome = .unknown
            }
        case .reply(let reply) where reply.status == 404:
            // PUT replaces an existing item only: a 404 says the server found the key absent,
            // which is exactly a read of "absent" (keys are created before the clients start
            // and never deleted, so the checker will flag it).
            log.notFoundWrites += 1
            kind = .read
            outcome = .ok(.value(nil), completedAt: completedAt)
        default:
            outcome = classify(result, completedAt: completedAt, request: "PUT \(key)", log: &log)
        }
        log.append(ClientOperation(clientID: id, key: key, kind: kind, invokedAt: invokedAt, outcome: outcome))
    }

    /// The outcome of a request that did not get one of the answers its operation expects.
    private func classify(
        _ result: RequestResult, completedAt: UInt64, request: String, log: inout ClientLog
    ) -> ClientOperation.Outcome {
        switch result {
        case .refused:
            return .failed(completedAt: completedAt)
        case .indeterminate:
            return .unknown
        case .reply(let reply):
            switch reply.status {
            case 503 where Self.isDefiniteFailure(reply.text), 507:
                return .failed(completedAt: completedAt)
            case 503:
                return .unknown
            default:
                log.anomalies.append("\(request) answered \(reply.status): \(reply.text.prefix(300))")
                return .unknown
            }
        }
    }

    /// Whether a 503 body says the write certainly did not happen. Anything else (a timeout,
    /// "could not reach the leader", a storage failure) may have been applied.
    static func isDefiniteFailure(_ body: String) -> Bool {
        [
            "no leader is known", "it was not applied", "still replaying", "is shutting down",
            "not the leader either",
        ].contains { body.contains($0) }
    }

    private enum RequestResult {
        case reply(VerifyHTTP.Reply)
        case refused
        case indeterminate(String)
    }

    private func request(
        _ method: HTTPMethod, _ node: VerifyMember, _ key: String, query: String = "", body: String? = nil,
        headers: [(String, String)] = []
    ) async -> RequestResult {
        do {
            let reply = try await http.send(
                method, node.baseURL + "/api/products/" + key + query, json: body, headers: headers,
                timeout: timeout)
            return .reply(reply)
        } catch {
            switch error {
            case .refused: return .refused
            case .indeterminate(let reason): return .indeterminate(reason)
            }
        }
    }

    static func body(_ value: String) -> String { #"{"name":"\#(value)","price":1}"# }
}

/// What one client recorded.
struct ClientLog: Sendable {
    var operations: [ClientOperation] = []
    /// Answers that no correct server gives to this workload (5xx other than 503/507, 4xx).
    var anomalies: [String] = []
    /// PUTs answered 404 (recorded as reads of "absent").
    var notFoundWrites = 0

    mutating func append(_ operation: ClientOperation) { operations.append(operation) }
}
