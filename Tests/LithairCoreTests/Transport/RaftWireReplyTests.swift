import LithairConsensus
import Testing

@testable import LithairCore

/// The HTTP reply to a node-to-node POST, which carries the receiver's answers back.
@Suite struct RaftWireReplyTests {
    @Test func everyMessageTypeRoundTripsInOneReply() throws {
        let bytes = RaftWireCodec.encodeReply(RaftWireSamples.all)
        #expect(try RaftWireCodec.decodeReply(bytes) == RaftWireSamples.all)
    }

    @Test func anEmptyReplyAndAPlainAcknowledgementCarryNothing() throws {
        #expect(RaftWireCodec.encodeReply([]) == Array(#"{"ok":true,"replies":[]}"#.utf8))
        #expect(try RaftWireCodec.decodeReply(RaftWireCodec.encodeReply([])).isEmpty)
        #expect(try RaftWireCodec.decodeReply(Array(#"{"ok":true}"#.utf8)).isEmpty)
        #expect(try RaftWireCodec.decodeReply(Array(#"{"ok":true,"replies":null}"#.utf8)).isEmpty)
    }

    @Test func aBadAnswerIsRejectedNamingItsPosition() throws {
        let good = RaftWireCodec.encode(RaftWireSamples.probe)
        let bad = RaftWireSamples.body(RaftWireSamples.append) { $0["term"] = .string("7") }
        let body = Array(#"{"ok":true,"replies":["#.utf8) + good + [UInt8(ascii: ",")] + bad + Array("]}".utf8)
        let error = #expect(throws: RaftWireError.self) { try RaftWireCodec.decodeReply(body) }
        #expect(error?.message.contains("replies[1].term") == true)
    }

    @Test(arguments: [
        #"[]"#, #"{"ok":true,"replies":{}}"#, #"{"ok":true,"replies":[1]}"#, #"{"ok":true,"replies":[{}]}"#,
        #"{"ok":true,"replies":[{"type":"gossip","from":1,"to":2,"term":1}]}"#, "not json",
    ])
    func malformedRepliesAreRejected(body: String) {
        #expect(throws: RaftWireError.self) { try RaftWireCodec.decodeReply(Array(body.utf8)) }
    }

    @Test func answersKeepTheChecksOfTheirType() {
        // An append whose entries skip an index is as unacceptable in a reply as in a request.
        let gap = RaftWireSamples.body(RaftWireSamples.append) { members in
            guard case .array(var entries) = members["entries"], case .object(var first) = entries[0] else { return }
            first["index"] = .int(999)
            entries[0] = .object(first)
            members["entries"] = .array(entries)
        }
        let body = Array(#"{"ok":true,"replies":["#.utf8) + gap + Array("]}".utf8)
        #expect(throws: RaftWireError.self) { try RaftWireCodec.decodeReply(body) }
    }
}
