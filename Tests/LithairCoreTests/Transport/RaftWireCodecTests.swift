import LithairConsensus
import Testing

@testable import LithairCore

@Suite struct RaftWireCodecTests {
    @Test(arguments: RaftWireSamples.all) func roundTrip(message: RaftMessage) throws {
        let bytes = RaftWireCodec.encode(message)
        let decoded = try RaftWireCodec.decode(bytes, route: RaftWireCodec.route(for: message))
        #expect(decoded == message)
        // Deterministic: encoding the decoded message gives the same bytes.
        #expect(RaftWireCodec.encode(decoded) == bytes)
        // Any byte collection decodes the same way.
        #expect(try RaftWireCodec.decode(bytes[...], route: RaftWireCodec.route(for: message)) == message)
    }

    @Test func randomMessagesRoundTrip() throws {
        var generator = SplitMix64(seed: 2026)
        var seen: Set<RaftWireType> = []
        for _ in 0..<5_000 {
            let message = RaftWireSamples.random(using: &generator)
            seen.insert(RaftWireType(message.body))
            let bytes = RaftWireCodec.encode(message)
            #expect(try RaftWireCodec.decode(bytes, route: RaftWireCodec.route(for: message)) == message)
        }
        #expect(seen == Set(RaftWireType.allCases))
    }

    @Test func nonContiguousBodies() throws {
        let bytes = RaftWireCodec.encode(RaftWireSamples.append)
        #expect(try RaftWireCodec.decode(AnyCollection(bytes), route: "/_raft/append") == RaftWireSamples.append)
        let metadata = RaftWireCodec.encodeSnapshotMetadata(.init(index: 3, term: 2, voters: [1]))
        #expect(try RaftWireCodec.decodeSnapshotMetadata(AnyCollection(metadata)).voters == [1])
    }

    @Test func samplesCoverEveryBodyCase() {
        let covered = Set(RaftWireSamples.all.map { RaftWireType($0.body) })
        #expect(covered == Set(RaftWireType.allCases))
    }

    @Test func appendUsesTheContractFieldNames() throws {
        let members = RaftWireSamples.members(of: RaftWireSamples.append)
        #expect(
            Set(members.keys) == [
                "type", "from", "to", "term", "leader_id", "prev_log_index", "prev_log_term", "entries",
                "leader_commit",
            ])
        #expect(members["type"] == .string("append"))
        #expect(members["from"] == .int(1))
        #expect(members["to"] == .int(2))
        #expect(members["term"] == .int(5))
        #expect(members["leader_id"] == .int(1))
        #expect(members["prev_log_index"] == .int(7))
        #expect(members["prev_log_term"] == .int(4))
        #expect(members["leader_commit"] == .int(9))
        let entries = try #require(members["entries"]?.arrayValue)
        #expect(entries.count == 4)
        #expect(
            entries[0] == .object(["index": .int(8), "term": .int(4), "kind": .string("noop"), "data": .string("")]))
        #expect(
            entries[2]
                == .object(["index": .int(10), "term": .int(5), "kind": .string("config"), "data": .string("AP8QgA==")])
        )
        #expect(entries[1]["kind"] == .string("normal"))
    }

    @Test func bodiesSpellTheirFields() {
        let samples = RaftWireSamples.all
        let expected: [RaftWireType: Set<String>] = [
            .append: ["leader_id", "prev_log_index", "prev_log_term", "entries", "leader_commit"],
            .appendResponse: ["success", "match_index", "rejected_index", "conflict_index", "conflict_term"],
            .heartbeat: ["leader_id", "leader_commit", "context"],
            .heartbeatResponse: ["context"],
            .vote: ["pre_vote", "last_log_index", "last_log_term", "leadership_transfer"],
            .voteResponse: ["pre_vote", "granted"],
            .installSnapshot: ["leader_id", "snapshot"],
            .timeoutNow: [],
            .readIndex: ["context"],
            .readIndexResponse: ["index", "context"],
        ]
        for message in samples {
            let type = RaftWireType(message.body)
            let keys = Set(RaftWireSamples.members(of: message).keys).subtracting(["type", "from", "to", "term"])
            // Optional fields are left out when nil, so a sample may show a subset.
            #expect(keys.isSubset(of: expected[type]!), "\(type): \(keys)")
        }
        #expect(Set(RaftWireType.allCases) == Set(expected.keys))
    }

    @Test func optionalContextIsOmittedWhenNilAndNullReadsAsNil() throws {
        let heartbeat = RaftMessage(from: 1, to: 2, term: 3, body: .heartbeat(Heartbeat(leaderID: 1, leaderCommit: 0)))
        #expect(RaftWireSamples.members(of: heartbeat)["context"] == nil)
        let withNull = RaftWireSamples.body(heartbeat) { $0["context"] = .null }
        #expect(try RaftWireCodec.decode(withNull, route: "/_raft/append") == heartbeat)
    }

    @Test func snapshotBodyAndMetadataHelper() throws {
        // Voters are a set: encoded in id order.
        let metadata = LithairConsensus.SnapshotMetadata(index: 1200, term: 6, voters: [3, 1, 2])
        let bytes = RaftWireCodec.encodeSnapshotMetadata(metadata)
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"index":1200,"term":6,"voters":[1,2,3]}"#)
        #expect(try RaftWireCodec.decodeSnapshotMetadata(bytes) == metadata)

        let message = RaftMessage(
            from: 1, to: 2, term: 7, body: .installSnapshot(InstallSnapshot(leaderID: 1, snapshot: metadata)))
        let members = RaftWireSamples.members(of: message)
        #expect(members["snapshot"] == (try JSONParser.parse(bytes)))
        #expect(members["type"] == .string("install_snapshot"))
    }

    @Test func encodingIsCompactAndSorted() {
        let message = RaftMessage(
            from: 2, to: 1, term: 6, body: .voteResponse(VoteResponse(preVote: true, granted: false)))
        #expect(
            String(decoding: RaftWireCodec.encode(message), as: UTF8.self)
                == #"{"from":2,"granted":false,"pre_vote":true,"term":6,"to":1,"type":"vote_response"}"#)
    }

    @Test func routes() {
        let expected: [RaftWireType: String] = [
            .append: "/_raft/append", .appendResponse: "/_raft/append", .heartbeat: "/_raft/append",
            .heartbeatResponse: "/_raft/append", .vote: "/_raft/vote", .voteResponse: "/_raft/vote",
            .installSnapshot: "/_raft/snapshot", .timeoutNow: "/_raft/timeout-now", .readIndex: "/_raft/read-index",
            .readIndexResponse: "/_raft/read-index",
        ]
        for message in RaftWireSamples.all {
            #expect(RaftWireCodec.route(for: message) == expected[RaftWireType(message.body)])
        }
        #expect(
            Set(RaftWireCodec.routes) == [
                "/_raft/append", "/_raft/vote", "/_raft/timeout-now", "/_raft/read-index", "/_raft/snapshot",
            ])
    }

    @Test func typeNames() {
        #expect(
            RaftWireType.allCases.map(\.rawValue) == [
                "append", "append_response", "heartbeat", "heartbeat_response", "vote", "vote_response",
                "install_snapshot", "timeout_now", "read_index", "read_index_response",
            ])
    }

    @Test func unknownMembersAreIgnored() throws {
        let body = RaftWireSamples.body(RaftWireSamples.append) { $0["added_in_v2"] = .array([.int(1)]) }
        #expect(try RaftWireCodec.decode(body, route: "/_raft/append") == RaftWireSamples.append)
    }

    @Test func manyEntriesUpToTheLimit() throws {
        let entries = (1...100).map {
            LithairConsensus.LogEntry(index: UInt64($0), term: 2, data: Array(repeating: UInt8($0), count: 300))
        }
        let message = RaftMessage(
            from: 1, to: 2, term: 2,
            body: .append(
                AppendEntries(leaderID: 1, prevLogIndex: 0, prevLogTerm: 0, entries: entries, leaderCommit: 50)))
        let bytes = RaftWireCodec.encode(message)
        #expect(try RaftWireCodec.decode(bytes, route: "/_raft/append", maxEntries: 100) == message)
        #expect(throws: RaftWireError.self) { try RaftWireCodec.decode(bytes, route: "/_raft/append", maxEntries: 99) }
    }
}

@Suite struct RaftWireAppendWriterTests {
    /// The hand-written append encoder must match the reference JSONWriter output exactly.
    @Test func matchesTheGenericEncoding() {
        var generator = SplitMix64(seed: 99)
        var messages = RaftWireSamples.all.filter { RaftWireType($0.body) == .append }
        for _ in 0..<200 {
            let prev = UInt64.random(in: 0...1_000_000, using: &generator)
            let entries = (0..<Int.random(in: 0...20, using: &generator)).map { offset in
                LithairConsensus.LogEntry(
                    index: prev + 1 + UInt64(offset), term: 3,
                    kind: [.normal, .noop, .config].randomElement(using: &generator)!,
                    data: (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                        UInt8.random(in: 0...255, using: &generator)
                    })
            }
            messages.append(
                RaftMessage(
                    from: .random(in: 1...UInt64.max, using: &generator), to: 2,
                    term: .random(in: 3...10, using: &generator),
                    body: .append(
                        AppendEntries(
                            leaderID: 1, prevLogIndex: prev, prevLogTerm: 3, entries: entries,
                            leaderCommit: .random(in: 0...UInt64.max, using: &generator)))))
        }
        for message in messages {
            #expect(RaftWireCodec.encode(message) == RaftWireCodec.encodeGeneric(message))
        }
    }

    @Test("the append_response writer produces exactly the generic encoding")
    func appendResponseWriterMatchesGeneric() {
        var generator = SplitMix64(seed: 7)
        var messages = RaftWireSamples.all.filter { RaftWireType($0.body) == .appendResponse }
        for _ in 0..<200 {
            let number = {
                UInt64.random(in: 0...UInt64.max, using: &generator) >> UInt64.random(in: 0...63, using: &generator)
            }
            messages.append(
                RaftMessage(
                    from: number() | 1, to: number() | 1, term: number(),
                    body: .appendResponse(
                        AppendResponse(
                            success: Bool.random(using: &generator), matchIndex: number(), rejectedIndex: number(),
                            conflictIndex: number(), conflictTerm: number()))))
        }
        #expect(messages.count > 200)
        for message in messages {
            #expect(RaftWireCodec.encode(message) == RaftWireCodec.encodeGeneric(message))
        }
    }
}
