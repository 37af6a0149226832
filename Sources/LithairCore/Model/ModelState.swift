/// What applying one command did, reported back to the client that proposed it.
enum ApplyOutcome: Sendable, Equatable {
    case stored(id: String, bytes: [UInt8], version: UInt64, created: Bool)
    case deleted(id: String)
    case notFound(id: String)
    case alreadyExists(id: String)
    case versionMismatch(id: String, current: UInt64)
    case invalid(String)
    case unknownCollection(String)
    /// Durable on the leader, not yet committed or applied (``WriteConcern/leader``).
    case accepted
}

/// The state machine: every registered collection, rebuilt by applying commands in log order.
///
/// Deterministic by construction: the outcome depends only on the current state, the command
/// and its log index, so every replica that applies the same log holds the same state.
struct ModelState: Sendable {
    private(set) var collections: [String: ModelCollection]
    let schemas: [String: ModelSchema]
    /// The log index of the last applied command.
    private(set) var appliedIndex: UInt64 = 0

    init(schemas: [ModelSchema]) {
        self.schemas = Dictionary(schemas.map { ($0.collection, $0) }, uniquingKeysWith: { first, _ in first })
        self.collections = self.schemas.mapValues { _ in ModelCollection() }
    }

    /// Restores a state read from a snapshot; collections it lacks start empty.
    init(schemas: [ModelSchema], restoring collections: [String: ModelCollection], appliedIndex: UInt64) {
        self.init(schemas: schemas)
        for (name, collection) in collections where self.collections[name] != nil {
            self.collections[name] = collection
        }
        self.appliedIndex = appliedIndex
    }

    func collection(_ name: String) -> ModelCollection? { collections[name] }

    mutating func apply(_ event: ModelEvent, at index: UInt64) -> ApplyOutcome {
        appliedIndex = max(appliedIndex, index)
        let name = event.command.collection
        guard collections[name] != nil, let schema = schemas[name] else {
            return .unknownCollection(name)
        }
        // Mutated in place: copying the collection out and back would make copy-on-write
        // duplicate every item on every write.
        return Self.apply(event, at: index, to: &collections[name]!, schema: schema)
    }

    /// Applies the event encoded in `data` (a log entry's payload) exactly as ``apply(_:at:)``
    /// applies it decoded. A create whose body is in ``CompactJSON``'s form, as proposers write
    /// it, is applied from the text (``CreatedItemText``) without parsing the body; anything
    /// else is decoded, or taken from `decoded` when the caller already holds the event.
    ///
    /// - Throws: when `data` is not an encoded event (``ModelCodecError`` or a binary decoding error).
    mutating func apply(encoded data: [UInt8], at index: UInt64, decoded: ModelEvent? = nil) throws -> ApplyOutcome {
        let frame = try ModelEventCodec.frame(of: data)
        if frame.kind == .create, let outcome = applyCreateText(frame, at: index) { return outcome }
        return apply(try decoded ?? ModelEventCodec.event(from: frame), at: index)
    }

    /// The create in `frame` applied from its body's text, or `nil` (nothing changed) when the
    /// body or the collection needs the general path.
    private mutating func applyCreateText(_ frame: ModelEventCodec.Frame, at index: UInt64) -> ApplyOutcome? {
        // The text first: a body it declines goes the decoding way, duplicate or not.
        guard collections[frame.collection] != nil,
            let text = CreatedItemText.bytes(
                body: frame.body, id: frame.id, timestamp: Timestamp.rfc3339(millis: frame.timestampMillis))
        else { return nil }
        appliedIndex = max(appliedIndex, index)
        let document = JSONDocument(bytes: text)
        let stored = collections[frame.collection]!.storeNew(
            StoredItem(document: document, version: index, createdIndex: index), id: frame.id,
            recording: HistoryEntry(
                index: index, kind: .created, timestampMillis: frame.timestampMillis, document: document))
        return stored ? .stored(id: frame.id, bytes: text, version: index, created: true) : .alreadyExists(id: frame.id)
    }

    /// Marks `index` applied for an entry that carries no model command (a Raft no-op).
    mutating func skip(to index: UInt64) {
        appliedIndex = max(appliedIndex, index)
    }

    private static func apply(
        _ event: ModelEvent, at index: UInt64, to collection: inout ModelCollection, schema: ModelSchema
    ) -> ApplyOutcome {
        let now = JSONValue.string(Timestamp.rfc3339(millis: event.timestampMillis))
        let id = event.command.id
        let existing = collection[id]
        if let expected = event.command.expectedVersion {
            guard let existing else { return .notFound(id: id) }
            guard existing.version == expected else { return .versionMismatch(id: id, current: existing.version) }
        }
        switch event.command {
        case .create(_, _, let body):
            guard existing == nil else { return .alreadyExists(id: id) }
            var object = body.objectValue ?? [:]
            // One copy of the shared body, already large enough for the three server fields.
            object.reserveCapacity(object.count + 3)
            object[ServerFields.id] = .string(id)
            object[ServerFields.createdAt] = now
            object[ServerFields.updatedAt] = now
            return store(object, id: id, index: index, createdIndex: index, kind: .created, event, in: &collection)

        case .replace(_, _, let body, _), .patch(_, _, let body, _):
            guard let existing else { return .notFound(id: id) }
            var object: [String: JSONValue]
            if case .patch = event.command {
                let merged = existing.value.mergePatched(with: body).objectValue ?? [:]
                do {
                    object = try schema.validate(merged)
                } catch {
                    return .invalid(error.message)
                }
            } else {
                object = body.objectValue ?? [:]
            }
            object[ServerFields.id] = .string(id)
            object[ServerFields.createdAt] = existing.value[ServerFields.createdAt] ?? now
            object[ServerFields.updatedAt] = now
            return store(
                object, id: id, index: index, createdIndex: existing.createdIndex, kind: .updated, event,
                in: &collection)

        case .delete:
            guard existing != nil else { return .notFound(id: id) }
            collection.remove(
                id: id,
                recording: HistoryEntry(index: index, kind: .deleted, timestampMillis: event.timestampMillis, data: nil)
            )
            return .deleted(id: id)
        }
    }

    // swift-format-ignore: FunctionParameterCount
    private static func store(
        _ object: [String: JSONValue], id: String, index: UInt64, createdIndex: UInt64, kind: HistoryEntry.Kind,
        _ event: ModelEvent, in collection: inout ModelCollection
    ) -> ApplyOutcome {
        let item = StoredItem(value: .object(object), version: index, createdIndex: createdIndex)
        collection.store(
            item, id: id,
            recording: HistoryEntry(
                index: index, kind: kind, timestampMillis: event.timestampMillis, document: item.document))
        return .stored(id: id, bytes: item.bytes, version: index, created: kind == .created)
    }
}

extension ModelCommand {
    var expectedVersion: UInt64? {
        switch self {
        case .create: nil
        case .replace(_, _, _, let expected), .patch(_, _, _, let expected), .delete(_, _, let expected): expected
        }
    }
}
