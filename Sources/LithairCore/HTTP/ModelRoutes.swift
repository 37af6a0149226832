import Foundation
import HTTPTypes
import Hummingbird

/// The REST routes of one registered model: list, count, get, history, create, replace,
/// merge-patch and delete.
struct ModelRoutes<Context: RequestContext>: Sendable {
    let schema: ModelSchema
    let node: any ServingNode
    let maxBodyBytes: Int
    var writes: ModelWrites { ModelWrites(schema: schema, node: node) }

    func register(on router: Router<Context>) {
        let base = RouterPath(schema.basePath)
        let item = RouterPath(schema.basePath + "/:id")
        router.get(base) { request, _ in
            try await barrier(request)
            return try list(request)
        }
        router.get(RouterPath(schema.basePath + "/count")) { request, _ in
            try await barrier(request)
            return try count()
        }
        router.get(item) { request, context in
            try await barrier(request)
            return try get(id: try context.parameters.require("id"))
        }
        router.get(RouterPath(schema.basePath + "/:id/history")) { request, context in
            try await barrier(request)
            return try history(id: try context.parameters.require("id"))
        }
        router.post(base) { request, _ in
            var request = request
            return try await create(&request)
        }
        router.put(item) { request, context in
            var request = request
            return try await replace(&request, id: try context.parameters.require("id"))
        }
        router.patch(item) { request, context in
            var request = request
            return try await patch(&request, id: try context.parameters.require("id"))
        }
        router.delete(item) { request, context in
            try await delete(request, id: try context.parameters.require("id"))
        }
    }

    // MARK: Reads

    private func barrier(_ request: Request) async throws {
        guard node.isReady else { throw APIError(NodeError.notReady) }
        try await node.readBarrier(consistency: request.uri.queryParameters["consistency"].map(String.init))
    }

    private func list(_ request: Request) throws -> Response {
        let parameters = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        let query: ListQuery
        do {
            query = try ListQuery(parameters: parameters)
        } catch {
            throw APIError.badRequest(error.message)
        }
        let (page, applied) = try readState { state in
            (state.collection(schema.collection)?.list(query), state.appliedIndex)
        }
        return JSONResponse.make(bytes: page?.jsonBytes ?? [], headers: [.raftAppliedIndex: String(applied)])
    }

    private func count() throws -> Response {
        let (count, applied) = try readState { ($0.collection(schema.collection)?.count ?? 0, $0.appliedIndex) }
        return JSONResponse.make(
            value: .object(["count": .int(Int64(count))]), headers: [.raftAppliedIndex: String(applied)])
    }

    private func get(id: String) throws -> Response {
        let (item, applied) = try readState { ($0.collection(schema.collection)?[id], $0.appliedIndex) }
        guard let item else { throw writes.notFound(id) }
        return JSONResponse.make(
            bytes: item.bytes, headers: [.eTag: ModelWrites.etag(item.version), .raftAppliedIndex: String(applied)])
    }

    private func history(id: String) throws -> Response {
        let (entries, applied) = try readState { ($0.collection(schema.collection)?.history(of: id), $0.appliedIndex) }
        guard let entries, !entries.isEmpty else { throw writes.notFound(id) }
        return JSONResponse.make(
            value: .object(["id": .string(id), "events": .array(entries.map(\.json))]),
            headers: [.raftAppliedIndex: String(applied)])
    }

    private func readState<T>(_ body: (borrowing ModelState) -> T) throws -> T {
        guard node.isReady else { throw APIError(NodeError.notReady) }
        return node.store.read(body)
    }

    // MARK: Writes

    private func create(_ request: inout Request) async throws -> Response {
        let object = try await JSONBodyReader.jsonObject(from: &request, limit: maxBodyBytes)
        return try await commit(try writes.createCommand(object))
    }

    private func replace(_ request: inout Request, id: String) async throws -> Response {
        let expected = try Self.expectedVersion(request)
        var object = try await JSONBodyReader.jsonObject(from: &request, limit: maxBodyBytes)
        try checkIDUnchanged(object, id: id)
        object[ServerFields.id] = .string(id)
        let body = try writes.validated(object)
        return try await commit(
            .replace(collection: schema.collection, id: id, body: .object(body), expectedVersion: expected))
    }

    private func patch(_ request: inout Request, id: String) async throws -> Response {
        let expected = try Self.expectedVersion(request)
        let patch = try await JSONBodyReader.jsonObject(from: &request, limit: maxBodyBytes, allowMergePatch: true)
        try checkIDUnchanged(patch, id: id)
        // Checked here so that a patch that cannot fit the model costs no log entry; the
        // state machine checks again against the item as it stands when the patch applies.
        guard let current = try readState({ $0.collection(schema.collection)?[id] }) else { throw writes.notFound(id) }
        _ = try writes.validated(current.value.mergePatched(with: .object(patch)).objectValue ?? [:])
        return try await commit(
            .patch(collection: schema.collection, id: id, patch: .object(patch), expectedVersion: expected))
    }

    private func delete(_ request: Request, id: String) async throws -> Response {
        let expected = try Self.expectedVersion(request)
        return try await commit(.delete(collection: schema.collection, id: id, expectedVersion: expected))
    }

    private func commit(_ command: ModelCommand) async throws -> Response {
        try writes.answer(try await node.submit(command)).response
    }

    private func checkIDUnchanged(_ object: [String: JSONValue], id: String) throws {
        if let given = object[ServerFields.id], given != .string(id), given != .null {
            throw APIError.unprocessable("field 'id' cannot change: the URL says '\(id)'")
        }
    }

    /// The version named by `If-Match` (`"12"`, `W/"12"` or `12`); `nil` without the header or
    /// for `*`. A value that is no version can match nothing: 412, as HTTP prescribes.
    static func expectedVersion(_ request: Request) throws -> UInt64? {
        guard let raw = request.headers[.ifMatch]?.trimmingCharacters(in: .whitespaces), raw != "*" else { return nil }
        var tag = Substring(raw)
        if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
        if tag.hasPrefix("\"") && tag.hasSuffix("\"") && tag.count >= 2 { tag = tag.dropFirst().dropLast() }
        guard let version = UInt64(tag) else {
            throw APIError(.preconditionFailed, "If-Match '\(raw)' names no version of this item")
        }
        return version
    }
}

/// What the HTTP layer needs from a node, single or clustered.
protocol ServingNode: CommandSubmitting {
    var store: ModelStore { get }
    var isReady: Bool { get }
    /// Replays the log and opens the node for requests.
    func start() throws
    /// Flushes what is queued and closes the log.
    func shutdown() async
    /// Waits until a read at `consistency` may be served from local state.
    func readBarrier(consistency: String?) async throws
    /// Why the node stopped itself, if it did; the process should then exit.
    var failure: String? { get }
}

extension LocalNode: ServingNode {
    func start() throws { try recover() }

    /// A single node answers a failed write with 507/503 and rolls the log back: it never
    /// has to stop itself.
    var failure: String? { nil }

    func readBarrier(consistency: String?) async throws {
        try ReadConsistency.validate(consistency)
    }
}

/// The `?consistency=` levels of a read.
enum ReadConsistency {
    /// `none`/`local`/`stale` (or absent): this node's applied state, which on a follower may
    /// lag. `leader`: served by the leader (followers forward). `linearizable`: ReadIndex.
    static let levels: Set<String> = ["none", "local", "stale", "leader", "linearizable"]

    static func validate(_ level: String?) throws {
        guard let level, !levels.contains(level) else { return }
        throw APIError.badRequest(
            "consistency must be one of \(levels.sorted().joined(separator: ", ")), got '\(level)'")
    }
}
