import LithairStorage

/// A change to one item, as proposed by the node that received the request.
///
/// Commands are what the log stores. Everything a replica needs to apply one the same way
/// is inside it: the id and the timestamp are chosen once, by the proposer, so that every
/// node that replays the log reaches the same state.
enum ModelCommand: Sendable, Equatable {
    case create(collection: String, id: String, body: JSONValue)
    case replace(collection: String, id: String, body: JSONValue, expectedVersion: UInt64?)
    case patch(collection: String, id: String, patch: JSONValue, expectedVersion: UInt64?)
    case delete(collection: String, id: String, expectedVersion: UInt64?)

    var collection: String {
        switch self {
        case .create(let collection, _, _), .replace(let collection, _, _, _), .patch(let collection, _, _, _),
            .delete(let collection, _, _):
            collection
        }
    }

    var id: String {
        switch self {
        case .create(_, let id, _), .replace(_, let id, _, _), .patch(_, let id, _, _), .delete(_, let id, _):
            id
        }
    }
}

/// A command stamped with the time the proposer accepted it: one log entry's payload.
struct ModelEvent: Sendable, Equatable {
    var command: ModelCommand
    /// Milliseconds since 1970, chosen by the proposer.
    var timestampMillis: Int64
}

/// The binary form of ``ModelEvent`` stored in the log and shipped to followers.
///
/// Layout: format version, kind, timestamp, collection, id, optional expected version,
/// optional JSON body. JSON is kept for the body because it is the model's own shape; the
/// frame around it is binary so that replay does not parse more JSON than it must.
enum ModelEventCodec {
    private static let formatVersion: UInt8 = 1

    enum Kind: UInt8 {
        case create = 1, replace = 2, patch = 3, delete = 4
    }

    static func encode(_ event: ModelEvent) -> [UInt8] {
        var writer = BinaryWriter()
        writer.writeUInt8(formatVersion)
        let (kind, body, expected): (Kind, JSONValue?, UInt64?) =
            switch event.command {
            case .create(_, _, let body): (.create, body, nil)
            case .replace(_, _, let body, let expected): (.replace, body, expected)
            case .patch(_, _, let patch, let expected): (.patch, patch, expected)
            case .delete(_, _, let expected): (.delete, nil, expected)
            }
        writer.writeUInt8(kind.rawValue)
        writer.writeInt64(event.timestampMillis)
        writer.writeString(event.command.collection)
        writer.writeString(event.command.id)
        writer.writeBool(expected != nil)
        writer.writeUInt64(expected ?? 0)
        writer.writeBytes(body.map(JSONWriter.bytes) ?? [])
        return writer.bytes
    }

    /// An encoded event's fields, its body still text.
    struct Frame {
        let kind: Kind
        let timestampMillis: Int64
        let collection: String
        let id: String
        let expectedVersion: UInt64?
        let body: [UInt8]
    }

    static func decode(_ bytes: [UInt8]) throws -> ModelEvent {
        try event(from: frame(of: bytes))
    }

    /// Reads the frame of an encoded event without parsing its body.
    static func frame(of bytes: [UInt8]) throws -> Frame {
        var reader = BinaryReader(bytes)
        let version = try reader.readUInt8()
        guard version == formatVersion else {
            throw ModelCodecError(message: "unknown event format version \(version)")
        }
        guard let kind = Kind(rawValue: try reader.readUInt8()) else {
            throw ModelCodecError(message: "unknown event kind")
        }
        let timestamp = try reader.readInt64()
        let collection = try reader.readString()
        let id = try reader.readString()
        let hasExpected = try reader.readBool()
        let expectedRaw = try reader.readUInt64()
        return Frame(
            kind: kind, timestampMillis: timestamp, collection: collection, id: id,
            expectedVersion: hasExpected ? expectedRaw : nil, body: try reader.readBytes())
    }

    /// The event `frame` holds, its body parsed.
    static func event(from frame: Frame) throws -> ModelEvent {
        func body() throws -> JSONValue {
            do {
                return try JSONParser.parse(frame.body)
            } catch {
                throw ModelCodecError(message: "event body is not valid JSON: \(error)")
            }
        }
        let (collection, id, expected) = (frame.collection, frame.id, frame.expectedVersion)
        let command: ModelCommand =
            switch frame.kind {
            case .create: .create(collection: collection, id: id, body: try body())
            case .replace: .replace(collection: collection, id: id, body: try body(), expectedVersion: expected)
            case .patch: .patch(collection: collection, id: id, patch: try body(), expectedVersion: expected)
            case .delete: .delete(collection: collection, id: id, expectedVersion: expected)
            }
        return ModelEvent(command: command, timestampMillis: frame.timestampMillis)
    }
}

/// A log payload or snapshot that cannot be decoded.
struct ModelCodecError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
