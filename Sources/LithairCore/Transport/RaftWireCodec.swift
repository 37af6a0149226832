import LithairConsensus

/// Maps every ``RaftMessage`` to and from the JSON body of a node-to-node HTTP request.
///
/// Each message is POSTed on its own to the endpoint ``route(for:)`` names. The receiver's
/// answers (an `append_response` to an `append`, a `vote_response` to a `vote`) ride back in
/// the HTTP reply when they are ready within the same turn of its loop (see
/// ``encodeReply(_:)``); later ones travel as their own POST back to the sender. A body
/// is one JSON object holding `type` (see ``RaftWireType``), `from`, `to` and `term`, plus the
/// fields of its type, named as in the Raft paper:
///
/// | `type` | route | fields |
/// |---|---|---|
/// | `append` | `/_raft/append` | `leader_id`, `prev_log_index`, `prev_log_term`, `entries`, `leader_commit` |
/// | `append_response` | `/_raft/append` | `success`, `match_index`, `rejected_index`, `conflict_index`, `conflict_term` |
/// | `heartbeat` | `/_raft/append` | `leader_id`, `leader_commit`, `context`? |
/// | `heartbeat_response` | `/_raft/append` | `context`? |
/// | `vote` | `/_raft/vote` | `pre_vote`, `last_log_index`, `last_log_term`, `leadership_transfer` |
/// | `vote_response` | `/_raft/vote` | `pre_vote`, `granted` |
/// | `timeout_now` | `/_raft/timeout-now` | — |
/// | `read_index` | `/_raft/read-index` | `context` |
/// | `read_index_response` | `/_raft/read-index` | `index`, `context` |
/// | `install_snapshot` | `/_raft/snapshot` | `leader_id`, `snapshot` (`index`, `term`, `voters`) |
///
/// An entry is `{"index":N,"term":N,"kind":"normal"|"noop"|"config","data":"<base64>"}`;
/// `context` and `data` are standard padded base64. Optional fields (marked `?`) are left out
/// when nil; a null is read as nil too. Unknown members are ignored, so a newer sender can add
/// fields without breaking older receivers. Numbers are JSON integers in `0...Int64.max` (see
/// ``RaftWireValue``). Encoding is deterministic: the writer sorts keys.
enum RaftWireCodec {
    /// Every node-to-node endpoint path, for registering the HTTP handlers.
    static let routes: [String] = RaftWireRoute.allCases.map(\.rawValue)

    /// The endpoint path a message is POSTed to, e.g. `"/_raft/append"`.
    static func route(for message: RaftMessage) -> String {
        RaftWireType(message.body).route.rawValue
    }

    /// The JSON body of `message`.
    ///
    /// Never fails. A number above `Int64.max` (never seen in practice) is written in a form
    /// the receiver rejects with a clear "out of range" error instead of misreading it.
    static func encode(_ message: RaftMessage) -> [UInt8] {
        switch message.body {
        case .append(let request): return encodeAppend(message, request)
        case .appendResponse(let response): return encodeAppendResponse(message, response)
        default: return encodeGeneric(message)
        }
    }

    /// The body of `message` built as a JSONValue tree and written by JSONWriter: the reference
    /// encoding, used for every type but the hot `append` (see ``encodeAppend(_:_:)``).
    static func encodeGeneric(_ message: RaftMessage) -> [UInt8] {
        var members: [String: JSONValue] = [:]
        members.reserveCapacity(10)
        members["type"] = .string(RaftWireType(message.body).rawValue)
        members["from"] = RaftWireValue.number(message.from)
        members["to"] = RaftWireValue.number(message.to)
        members["term"] = RaftWireValue.number(message.term)
        encodeBody(message.body, into: &members)
        return JSONWriter.bytes(.object(members))
    }

    /// Decodes a body received on `route`.
    ///
    /// Besides the shape (every required field present, with the right JSON type), it checks
    /// what a receiver can check on its own, so a buggy or hostile peer cannot reach the
    /// consensus core with a message it would trip over:
    /// - the `type` belongs to `route`;
    /// - numbers are non-negative integer literals; node ids (`from`, `to`, `leader_id`,
    ///   `voters`) are positive; `leader_id` equals `from`;
    /// - base64 is strict (``Base64``);
    /// - `append`: at most `maxEntries` entries, whose indexes follow `prev_log_index` without
    ///   gaps, and whose terms never decrease, start at or above `prev_log_term` and never
    ///   exceed the message `term`;
    /// - `install_snapshot`: the snapshot's voters are distinct and not empty, and its term
    ///   does not exceed the message `term`.
    ///
    /// It does not check `to` against the local node id: the caller knows it, the codec does not.
    ///
    /// - Parameters:
    ///   - body: the request body, UTF-8 JSON.
    ///   - route: the endpoint path the body was POSTed to.
    ///   - maxEntries: the most entries an `append` may carry.
    /// - Throws: ``RaftWireError`` naming the first offending field.
    static func decode(
        _ body: some Collection<UInt8>, route: String, maxEntries: Int = 10_000
    ) throws(RaftWireError) -> RaftMessage {
        guard let expectedRoute = RaftWireRoute(rawValue: route) else {
            throw RaftWireError("unknown Raft route \(RaftWireValue.quote(route))")
        }
        if expectedRoute == .append,
            let message = body.withContiguousStorageIfAvailable({
                decodeWrittenAppend(UnsafeRawBufferPointer($0), maxEntries: maxEntries)
            }) ?? nil
        {
            return message
        }
        return try decode(parseObject(body), expecting: expectedRoute, maxEntries: maxEntries)
    }

    /// Decodes one message already parsed into `object`, with the checks of
    /// ``decode(_:route:maxEntries:)``; `expecting` nil accepts a type on any route.
    static func decode(
        _ object: RaftWireObject, expecting route: RaftWireRoute?, maxEntries: Int
    ) throws(RaftWireError) -> RaftMessage {
        let typeName = try object.string("type")
        guard let type = RaftWireType(rawValue: typeName) else {
            throw RaftWireError(field: object.path(of: "type"), "unknown message type \(RaftWireValue.quote(typeName))")
        }
        if let route, type.route != route {
            throw RaftWireError(
                field: "type",
                "'\(type.rawValue)' is not accepted on \(route.rawValue) (it belongs on \(type.route.rawValue))")
        }
        let header = RaftWireHeader(
            from: try object.nodeID("from"), to: try object.nodeID("to"), term: try object.uint64("term"),
            maxEntries: maxEntries)
        let decoded = try decodeBody(type, from: object, header: header)
        return RaftMessage(from: header.from, to: header.to, term: header.term, body: decoded)
    }

    /// Parses `bytes` as one JSON object.
    ///
    /// The deepest valid request body nests three levels (body, entries, entry) and a reply
    /// two more (reply, replies): the default limit stops hostile nesting early.
    static func parseObject(
        _ bytes: some Collection<UInt8>, maxDepth: Int = 8
    ) throws(RaftWireError) -> RaftWireObject {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes, maxDepth: maxDepth)
        } catch {
            throw RaftWireError("invalid JSON: \(error)")
        }
        guard case .object(let members) = document else {
            throw RaftWireError("expected a JSON object, got \(RaftWireValue.describe(document))")
        }
        return RaftWireObject(members, path: "")
    }
}

/// The common fields of a decoded body, which the body checks refer to.
struct RaftWireHeader {
    var from: NodeID
    var to: NodeID
    var term: UInt64
    var maxEntries: Int
}
