import LithairConsensus
import Testing

@testable import LithairCore

/// Every bad body is refused with a message that names the problem (and the field, when there
/// is one), ready for a 400 reply.
@Suite struct RaftWireRejectionTests {
    /// The error `body` gets on `route`, or nil if it decodes.
    private func rejection(_ body: [UInt8], route: String = "/_raft/append", maxEntries: Int = 10_000) -> String? {
        do {
            _ = try RaftWireCodec.decode(body, route: route, maxEntries: maxEntries)
            return nil
        } catch {
            return error.message
        }
    }

    private func rejection(_ text: String, route: String = "/_raft/append") -> String? {
        rejection(Array(text.utf8), route: route)
    }

    /// The append sample with its text edited (for spellings a JSONValue cannot produce).
    private func appendText(replacing target: String, with replacement: String) -> String {
        let text = String(decoding: RaftWireCodec.encode(RaftWireSamples.append), as: UTF8.self)
        precondition(text.contains(target), "sample lacks \(target)")
        return text.replacing(target, with: replacement)
    }

    private func edited(_ edit: (inout [String: JSONValue]) -> Void) -> [UInt8] {
        RaftWireSamples.body(RaftWireSamples.append, edit)
    }

    private func editedEntry(_ position: Int, _ edit: (inout [String: JSONValue]) -> Void) -> [UInt8] {
        edited { members in
            var entries = members["entries"]!.arrayValue!
            var entry = entries[position].objectValue!
            edit(&entry)
            entries[position] = .object(entry)
            members["entries"] = .array(entries)
        }
    }

    // MARK: Document and type

    @Test func malformedJSON() throws {
        let message = try #require(rejection(#"{"type":"append","from":1"#))
        #expect(message.hasPrefix("invalid JSON: "))
        #expect(rejection("")?.hasPrefix("invalid JSON: ") == true)
        let deep = String(repeating: "[", count: 9) + String(repeating: "]", count: 9)
        #expect(rejection(deep)?.hasPrefix("invalid JSON: ") == true)
        #expect(rejection(#"[1]"#) == "expected a JSON object, got an array")
    }

    @Test func typeMustBelongToTheRoute() {
        let vote = RaftWireCodec.encode(RaftWireSamples.all.first { RaftWireType($0.body) == .vote }!)
        #expect(
            rejection(vote, route: "/_raft/append")
                == "field 'type': 'vote' is not accepted on /_raft/append (it belongs on /_raft/vote)")
        let append = RaftWireCodec.encode(RaftWireSamples.append)
        #expect(
            rejection(append, route: "/_raft/snapshot")
                == "field 'type': 'append' is not accepted on /_raft/snapshot (it belongs on /_raft/append)")
        for message in RaftWireSamples.all {
            for route in RaftWireCodec.routes where route != RaftWireCodec.route(for: message) {
                #expect(rejection(RaftWireCodec.encode(message), route: route)?.hasPrefix("field 'type': ") == true)
            }
        }
    }

    @Test func unknownTypeAndRoute() {
        #expect(rejection(edited { $0["type"] = .string("gossip") }) == "field 'type': unknown message type 'gossip'")
        #expect(
            rejection(edited { $0["type"] = .string(String(repeating: "x", count: 100)) })
                == "field 'type': unknown message type '\(String(repeating: "x", count: 40))…'")
        #expect(rejection(edited { $0["type"] = nil }) == "field 'type': missing")
        #expect(rejection(edited { $0["type"] = .int(1) }) == "field 'type': expected a string, got 1")
        #expect(
            rejection(RaftWireCodec.encode(RaftWireSamples.append), route: "/_raft/nope")
                == "unknown Raft route '/_raft/nope'")
    }

    // MARK: Fields

    @Test(arguments: [
        "type", "from", "to", "term", "leader_id", "prev_log_index", "prev_log_term", "entries", "leader_commit",
    ])
    func missingAppendField(name: String) {
        #expect(rejection(edited { $0[name] = nil }) == "field '\(name)': missing")
    }

    @Test func negativeNumber() {
        #expect(
            rejection(edited { $0["prev_log_index"] = .int(-1) })
                == "field 'prev_log_index': expected a non-negative integer, got -1")
    }

    @Test func stringWhereANumberIsExpected() {
        #expect(
            rejection(edited { $0["term"] = .string("5") })
                == "field 'term': expected a non-negative integer, got a string")
        #expect(
            rejection(edited { $0["leader_commit"] = .bool(true) })
                == "field 'leader_commit': expected a non-negative integer, got true")
        #expect(rejection(edited { $0["to"] = .null }) == "field 'to': expected a non-negative integer, got null")
    }

    @Test func nonIntegerNumbers() {
        for spelling in ["7.5", "7.0", "7e0", "0.7e1"] {
            #expect(
                rejection(appendText(replacing: #""prev_log_index":7"#, with: #""prev_log_index":\#(spelling)"#))
                    == "field 'prev_log_index': expected a non-negative integer, got "
                    + (spelling == "7.5" ? "7.5" : "7 written with a fraction or exponent"))
        }
    }

    @Test func numbersBeyondInt64() {
        #expect(
            rejection(appendText(replacing: #""leader_commit":9"#, with: #""leader_commit":9223372036854775808"#))
                == "field 'leader_commit': integer out of range (maximum 9223372036854775807)")
        // The encoder writes such a value anyway; the receiver refuses it instead of rounding.
        let huge = RaftMessage(from: 1, to: 2, term: .max, body: .timeoutNow)
        #expect(
            rejection(RaftWireCodec.encode(huge), route: "/_raft/timeout-now")
                == "field 'term': integer out of range (maximum 9223372036854775807)")
    }

    @Test func nodeIDs() {
        #expect(
            rejection(edited { $0["from"] = .int(0) }) == "field 'from': expected a node id (a positive integer), got 0"
        )
        #expect(rejection(edited { $0["leader_id"] = .int(4) }) == "field 'leader_id': must equal 'from' (1), got 4")
    }

    @Test func booleans() {
        let vote = RaftWireSamples.all.first { RaftWireType($0.body) == .vote }!
        let body = RaftWireSamples.body(vote) { $0["pre_vote"] = .string("true") }
        #expect(rejection(body, route: "/_raft/vote") == "field 'pre_vote': expected a boolean, got a string")
        let missing = RaftWireSamples.body(vote) { $0["leadership_transfer"] = nil }
        #expect(rejection(missing, route: "/_raft/vote") == "field 'leadership_transfer': missing")
    }

    // MARK: Entries

    @Test func badBase64() {
        #expect(
            rejection(editedEntry(1) { $0["data"] = .string("ab$d") })
                == "field 'entries[1].data': invalid base64: invalid character at offset 2")
        #expect(
            rejection(editedEntry(0) { $0["data"] = .string("Zg=") })
                == "field 'entries[0].data': invalid base64: length 3 is not a multiple of 4 at offset 3")
        #expect(
            rejection(editedEntry(0) { $0["data"] = .array([]) })
                == "field 'entries[0].data': expected a base64 string, got an array")
        let heartbeat = RaftWireSamples.all.first { RaftWireType($0.body) == .heartbeat }!
        #expect(
            rejection(RaftWireSamples.body(heartbeat) { $0["context"] = .string("Zh==") })
                == "field 'context': invalid base64: non-zero bits before padding at offset 1")
    }

    @Test func tooManyEntries() {
        let body = RaftWireCodec.encode(RaftWireSamples.append)
        #expect(rejection(body, maxEntries: 3) == "field 'entries': 4 entries exceed the limit of 3")
        #expect(rejection(body, maxEntries: 4) == nil)
        #expect(rejection(body, maxEntries: -1) == "field 'entries': 4 entries exceed the limit of -1")
    }

    @Test func malformedEntries() {
        #expect(
            rejection(edited { $0["entries"] = .object([:]) }) == "field 'entries': expected an array, got an object")
        #expect(
            rejection(edited { $0["entries"] = .array([.int(5)]) }) == "field 'entries[0]': expected an object, got 5")
        #expect(rejection(editedEntry(2) { $0["term"] = nil }) == "field 'entries[2].term': missing")
        #expect(
            rejection(editedEntry(3) { $0["kind"] = .string("magic") })
                == #"field 'entries[3].kind': expected "normal", "noop" or "config", got 'magic'"#)
        #expect(
            rejection(editedEntry(1) { $0["index"] = .int(-9) })
                == "field 'entries[1].index': expected a non-negative integer, got -9")
    }

    @Test func entriesMustFollowTheLog() {
        #expect(
            rejection(editedEntry(1) { $0["index"] = .int(10) })
                == "field 'entries[1].index': expected 9 (entries follow prev_log_index without gaps), got 10")
        #expect(
            rejection(edited { $0["prev_log_index"] = .int(3) })
                == "field 'entries[0].index': expected 4 (entries follow prev_log_index without gaps), got 8")
        #expect(
            rejection(editedEntry(2) { $0["term"] = .int(4) })
                == "field 'entries[2].term': 4 is below the preceding entry's term 5")
        #expect(
            rejection(editedEntry(0) { $0["term"] = .int(3) })
                == "field 'entries[0].term': 3 is below the preceding entry's term 4")
        #expect(
            rejection(edited { $0["term"] = .int(4) })
                == "field 'entries[1].term': 5 exceeds the message term 4")
        #expect(
            rejection(edited { $0["prev_log_term"] = .int(6) })
                == "field 'prev_log_term': 6 exceeds the message term 5")
    }

    // MARK: Snapshots

    @Test func snapshotMetadata() throws {
        let install = RaftWireSamples.all.first { RaftWireType($0.body) == .installSnapshot }!
        func snapshotRejection(_ edit: @escaping (inout [String: JSONValue]) -> Void) -> String? {
            let body = RaftWireSamples.body(install) { members in
                var snapshot = members["snapshot"]!.objectValue!
                edit(&snapshot)
                members["snapshot"] = .object(snapshot)
            }
            return rejection(body, route: "/_raft/snapshot")
        }
        #expect(
            snapshotRejection { $0["index"] = .int(-1) }
                == "field 'snapshot.index': expected a non-negative integer, got -1")
        #expect(
            snapshotRejection { $0["voters"] = .array([]) } == "field 'snapshot.voters': expected at least one voter")
        #expect(
            snapshotRejection { $0["voters"] = .array([.int(1), .int(2), .int(1)]) }
                == "field 'snapshot.voters[2]': duplicate voter 1")
        #expect(
            snapshotRejection { $0["voters"] = .array([.int(1), .int(0)]) }
                == "field 'snapshot.voters[1]': expected a node id (a positive integer), got 0")
        #expect(snapshotRejection { $0["term"] = .int(8) } == "field 'snapshot.term': 8 exceeds the message term 7")
        #expect(
            rejection(RaftWireSamples.body(install) { $0["snapshot"] = nil }, route: "/_raft/snapshot")
                == "field 'snapshot': missing")

        #expect(throws: RaftWireError("field 'voters': missing")) {
            try RaftWireCodec.decodeSnapshotMetadata(Array(#"{"index":1,"term":1}"#.utf8))
        }
        #expect(throws: RaftWireError("expected a JSON object, got 3")) {
            try RaftWireCodec.decodeSnapshotMetadata(Array("3".utf8))
        }
    }
}
