/// One live item: its JSON object, the bytes served for it, and its version.
struct StoredItem: Sendable {
    /// The item as a JSON object, server fields included.
    var value: JSONValue
    /// `value` serialized once at apply time, so reads copy bytes instead of encoding.
    var bytes: [UInt8]
    /// The log index of the event that last changed the item; served as the `ETag`.
    var version: UInt64
    /// The log index of the event that created the item; orders list results.
    var createdIndex: UInt64

    init(value: JSONValue, version: UInt64, createdIndex: UInt64) {
        self.value = value
        self.bytes = JSONWriter.bytes(value)
        self.version = version
        self.createdIndex = createdIndex
    }
}

/// One event in an item's visible history (`GET {base}/{id}/history`).
struct HistoryEntry: Sendable, Equatable {
    enum Kind: UInt8, Sendable {
        case created = 1, updated = 2, deleted = 3

        var name: String {
            switch self {
            case .created: "created"
            case .updated: "updated"
            case .deleted: "deleted"
            }
        }
    }

    var index: UInt64
    var kind: Kind
    var timestampMillis: Int64
    /// The item as it stood after the event; `nil` for a delete.
    var data: JSONValue?
    /// `data` serialized (empty for a delete), kept so that snapshots copy bytes instead of
    /// encoding every version of every item again.
    var dataBytes: [UInt8]

    /// An entry whose `dataBytes` are `bytes` when given (the stored item's own, shared), or
    /// else `data` serialized.
    init(index: UInt64, kind: Kind, timestampMillis: Int64, data: JSONValue?, bytes: [UInt8]? = nil) {
        self.index = index
        self.kind = kind
        self.timestampMillis = timestampMillis
        self.data = data
        self.dataBytes = bytes ?? data.map(JSONWriter.bytes) ?? []
    }

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "index": .int(Int64(index)),
            "event": .string(kind.name),
            "timestamp": .string(Timestamp.rfc3339(millis: timestampMillis)),
        ]
        if let data { object["data"] = data }
        return .object(object)
    }
}
