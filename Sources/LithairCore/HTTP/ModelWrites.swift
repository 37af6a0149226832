import HTTPTypes
import Hummingbird

/// What a model's write routes share, whether the router or an event-loop endpoint serves
/// them: the command a request body asks for, and the answer to its commit.
struct ModelWrites: Sendable {
    let schema: ModelSchema
    let node: any ServingNode

    /// The create a body asks for: its `id` (a fresh one when absent or null) and its fields,
    /// validated against the model.
    func createCommand(_ body: [String: JSONValue]) throws(APIError) -> ModelCommand {
        var object = body
        let id: String
        switch object[ServerFields.id] {
        case nil, .null?:
            id = ItemIdentifier.random()
        case .string(let given)? where !given.isEmpty:
            id = given
        default:
            throw APIError.unprocessable("field 'id': expected a non-empty string")
        }
        object[ServerFields.id] = .string(id)
        return .create(collection: schema.collection, id: id, body: .object(try validated(object)))
    }

    func validated(_ object: [String: JSONValue]) throws(APIError) -> [String: JSONValue] {
        do {
            return try schema.validate(object)
        } catch {
            throw APIError.unprocessable(error.message)
        }
    }

    /// The HTTP answer to a committed write: the stored item with `X-Raft-Index`, `ETag`
    /// (and `Location` for a create), `204` for a delete, or the error the outcome means.
    func answer(_ result: CommitResult) throws(APIError) -> HTTPAnswer {
        var headers = HTTPFields()
        headers.reserveCapacity(3)
        headers.append(HTTPField(name: .raftIndex, value: String(result.index)))
        switch result.outcome {
        case .stored(let id, let bytes, let version, let created):
            headers.append(HTTPField(name: .eTag, value: Self.etag(version)))
            if created { headers.append(HTTPField(name: .location, value: schema.basePath + "/" + id)) }
            return HTTPAnswer(status: created ? .created : .ok, headers: headers, body: bytes)
        case .deleted:
            return HTTPAnswer(status: .noContent, headers: headers, body: nil)
        case .notFound(let id):
            throw notFound(id)
        case .alreadyExists(let id):
            throw APIError(.conflict, "\(schema.collection)/\(id) already exists", details: ["id": .string(id)])
        case .versionMismatch(let id, let current):
            throw APIError(
                .preconditionFailed, "\(schema.collection)/\(id) is at version \(current), not the one in If-Match",
                details: ["id": .string(id), "current_version": .int(Int64(current))],
                headers: [.eTag: Self.etag(current)])
        case .invalid(let message):
            throw APIError.unprocessable(message)
        case .accepted:
            return HTTPAnswer(
                status: .accepted, headers: headers,
                body: JSONWriter.bytes(
                    .object([
                        "index": .int(Int64(result.index)), "write_concern": .string("leader"),
                        "message": .string("durable on the leader; read it back for the outcome"),
                    ])))
        case .unknownCollection(let name):
            throw APIError(.internalServerError, "collection '\(name)' is not registered on this node")
        }
    }

    func notFound(_ id: String) -> APIError {
        APIError(.notFound, "\(schema.collection)/\(id) not found", details: ["id": .string(id)])
    }

    static func etag(_ version: UInt64) -> String { "\"\(version)\"" }
}

extension HTTPAnswer {
    /// The answer as the router's response.
    var response: Response {
        guard let body else { return Response(status: status, headers: headers) }
        return JSONResponse.make(status: status, bytes: body, headers: headers)
    }
}
