import Synchronization

/// One JSON object's text, with its value parsed on first use and kept.
///
/// Every node applies every write, but the value as a tree is rarely wanted: reads serve the
/// text; only filtered or sorted lists, patches, replaces and history pages need the value.
/// A create applied from its log entry's text (``CreatedItemText``) therefore parses nothing,
/// and a replica that is never queried never builds a tree for the item.
final class JSONDocument: Sendable {
    /// The compact JSON text, as served.
    let bytes: [UInt8]
    private let parsed: Mutex<JSONValue?>

    /// A document whose value is parsed from `bytes` when first asked for.
    init(bytes: [UInt8]) {
        self.bytes = bytes
        self.parsed = Mutex(nil)
    }

    /// A document for `value`, written out now.
    convenience init(value: JSONValue) {
        self.init(bytes: JSONWriter.bytes(value), value: value)
    }

    /// A document whose text and value are both known (`bytes` must be `value`'s text).
    init(bytes: [UInt8], value: JSONValue) {
        self.bytes = bytes
        self.parsed = Mutex(value)
    }

    var value: JSONValue {
        parsed.withLock { cached in
            if let cached { return cached }
            // Lazily parsed text always comes from ``CompactJSON``-checked input, which parses;
            // an empty object stands in rather than trapping if that ever broke.
            let value = (try? JSONParser.parse(bytes)) ?? .object([:])
            cached = value
            return value
        }
    }
}
