/// The stored text of a created item, made from its body's text.
///
/// Apply would parse the body, add the server fields and write the object out again, sorted;
/// for a body in ``CompactJSON``'s form (what the proposer's ``JSONWriter`` wrote into the log
/// entry) the same bytes come from copying the body's members and placing the server fields
/// among them in key order. A body outside that form takes the parsing path.
enum CreatedItemText {
    /// The server fields' keys in the order objects are written.
    private static let fieldKeys: [[UInt8]] = [ServerFields.id, ServerFields.createdAt, ServerFields.updatedAt]
        .sorted(by: JSONWriter.keyPrecedes).map { Array($0.utf8) }
    private static let idKey = Array(ServerFields.id.utf8)

    /// `body`'s members with `id`, `created_at` and `updated_at` (replacing any the body has)
    /// in sorted place, or `nil` if `body` is not a compact object.
    static func bytes(body: [UInt8], id: String, timestamp: String) -> [UInt8]? {
        guard let members = CompactJSON.members(of: body) else { return nil }
        let fieldKeys = Self.fieldKeys
        var text: [UInt8] = []
        text.reserveCapacity(body.count + id.utf8.count + 2 * timestamp.utf8.count + 48)
        text.append(UInt8(ascii: "{"))
        var next = 0
        func writeField(_ index: Int) {
            if text.count > 1 { text.append(UInt8(ascii: ",")) }
            text.append(UInt8(ascii: "\""))
            text.append(contentsOf: fieldKeys[index])
            text.append(contentsOf: #"":"#.utf8)
            JSONWriter.writeString(fieldKeys[index] == Self.idKey ? id : timestamp, into: &text)
        }
        for member in members {
            let key = body[member.key]
            while next < fieldKeys.count, fieldKeys[next].lexicographicallyPrecedes(key) {
                writeField(next)
                next += 1
            }
            // The body's own value for a server field is replaced, as apply does.
            if next < fieldKeys.count, fieldKeys[next].elementsEqual(key) { continue }
            if text.count > 1 { text.append(UInt8(ascii: ",")) }
            text.append(contentsOf: body[member.text])
        }
        while next < fieldKeys.count {
            writeField(next)
            next += 1
        }
        text.append(UInt8(ascii: "}"))
        return text
    }
}
