/// One live item: its JSON object, the bytes served for it, and its version.
struct StoredItem: Sendable {
    /// The item's text and, parsed when first needed, its value.
    let document: JSONDocument
    /// The log index of the event that last changed the item; served as the `ETag`.
    var version: UInt64
    /// The log index of the event that created the item; orders list results.
    var createdIndex: UInt64

    init(document: JSONDocument, version: UInt64, createdIndex: UInt64) {
        self.document = document
        self.version = version
        self.createdIndex = createdIndex
    }

    init(value: JSONValue, version: UInt64, createdIndex: UInt64) {
        self.init(document: JSONDocument(value: value), version: version, createdIndex: createdIndex)
    }

    /// The item as a JSON object, server fields included.
    var value: JSONValue { document.value }
    /// The item's text, written once at apply time, so reads copy bytes instead of encoding.
    var bytes: [UInt8] { document.bytes }
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
    /// The item as it stood after the event (shared with the stored item it was); `nil` for a
    /// delete.
    var document: JSONDocument?

    init(index: UInt64, kind: Kind, timestampMillis: Int64, document: JSONDocument?) {
        self.index = index
        self.kind = kind
        self.timestampMillis = timestampMillis
        self.document = document
    }

    /// An entry for `data` (written out now).
    init(index: UInt64, kind: Kind, timestampMillis: Int64, data: JSONValue?) {
        self.init(index: index, kind: kind, timestampMillis: timestampMillis, document: data.map(JSONDocument.init))
    }

    /// The item as it stood after the event; `nil` for a delete.
    var data: JSONValue? { document?.value }
    /// `data` serialized (empty for a delete), so that snapshots copy bytes instead of
    /// encoding every version of every item again.
    var dataBytes: [UInt8] { document?.bytes ?? [] }

    static func == (lhs: HistoryEntry, rhs: HistoryEntry) -> Bool {
        lhs.index == rhs.index && lhs.kind == rhs.kind && lhs.timestampMillis == rhs.timestampMillis
            && (lhs.document == nil) == (rhs.document == nil) && lhs.dataBytes == rhs.dataBytes
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
