import LithairConsensus

// The HTTP reply to a node-to-node POST, which carries the receiver's answers back.

extension RaftWireCodec {
    /// The body of a `200` reply to a node-to-node POST: `{"ok":true,"replies":[…]}`, each
    /// element a message body as ``encode(_:)`` writes it.
    ///
    /// A follower answers an append only once the entries are on its disk; carrying that
    /// answer in the reply to the append itself saves the POST back to the leader, and so
    /// half of the replication round trips.
    static func encodeReply(_ messages: [RaftMessage]) -> [UInt8] {
        var bytes = Array(#"{"ok":true,"replies":["#.utf8)
        for (position, message) in messages.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += encode(message)
        }
        bytes += Array("]}".utf8)
        return bytes
    }

    /// The messages in a reply body; none when `replies` is absent (a plain acknowledgement).
    ///
    /// Each message gets every check of ``decode(_:route:maxEntries:)`` except the route, since
    /// a reply carries answers that belong on other endpoints.
    ///
    /// - Throws: ``RaftWireError`` naming the first offending field, e.g. `replies[1].term`.
    static func decodeReply(
        _ body: some Collection<UInt8>, maxEntries: Int = 10_000
    ) throws(RaftWireError) -> [RaftMessage] {
        let reply = try parseObject(body, maxDepth: 10)
        guard reply.optional("replies") != nil else { return [] }
        var messages: [RaftMessage] = []
        for (position, value) in try reply.array("replies").enumerated() {
            let object = try RaftWireValue.object(value, in: "replies", at: position)
            messages.append(try decode(object, expecting: nil, maxEntries: maxEntries))
        }
        return messages
    }
}
