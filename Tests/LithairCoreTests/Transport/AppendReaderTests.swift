import LithairConsensus
import Testing

@testable import LithairCore

/// The one-pass `append` reader must agree with the general decoder: same message when it
/// reads a body, and a body it reads must be one the general decoder accepts.
@Suite("Append bodies read in one pass")
struct AppendReaderTests {
    private func general(_ body: [UInt8], maxEntries: Int = 10_000) -> RaftMessage? {
        try? RaftWireCodec.decode(RaftWireCodec.parseObject(body), expecting: .append, maxEntries: maxEntries)
    }

    private func fast(_ body: [UInt8], maxEntries: Int = 10_000) -> RaftMessage? {
        body.withUnsafeBytes { RaftWireCodec.decodeWrittenAppend($0, maxEntries: maxEntries) }
    }

    private func randomAppends(count: Int, seed: UInt64) -> [RaftMessage] {
        var generator = SplitMix64(seed: seed)
        var appends: [RaftMessage] = []
        while appends.count < count {
            let message = RaftWireSamples.random(using: &generator)
            if case .append = message.body { appends.append(message) }
        }
        return appends
    }

    @Test("the writer's bodies are read back to the same message, by both readers")
    func roundTrip() {
        for message in randomAppends(count: 500, seed: 11) {
            let body = RaftWireCodec.encode(message)
            #expect(fast(body) == message)
            #expect(general(body) == message)
        }
    }

    @Test("damaged bodies: whatever the one-pass reader accepts, the general decoder accepts alike")
    func damagedBodiesAgree() {
        var generator = SplitMix64(seed: 99)
        var declined = 0
        var read = 0
        for message in randomAppends(count: 300, seed: 12) {
            let body = RaftWireCodec.encode(message)
            for _ in 0..<20 {
                var damaged = body
                let position = Int.random(in: 0..<damaged.count, using: &generator)
                switch generator.next() % 3 {
                case 0: damaged[position] = UInt8.random(in: 0...255, using: &generator)
                case 1: damaged.remove(at: position)
                default: damaged.insert(UInt8(ascii: "1"), at: position)
                }
                guard let decoded = fast(damaged) else {
                    declined += 1
                    continue
                }
                read += 1
                #expect(decoded == general(damaged), "\(String(decoding: damaged, as: UTF8.self))")
            }
        }
        #expect(declined > 1_000)
        #expect(read > 0, "some damage (a digit changed inside a number or a payload) still reads")
    }

    @Test("checks the general decoder makes are made: declined, and the general decoder names the field")
    func checksAreMade() throws {
        let message = RaftWireSamples.append
        let cases: [(String, (inout [String: JSONValue]) -> Void)] = [
            ("leader_id", { $0["leader_id"] = .int(9) }),
            ("prev_log_term", { $0["prev_log_term"] = .int(99) }),
            (
                "entries[1].index",
                { object in
                    var entries = object["entries"]!.arrayValue!
                    var second = entries[1].objectValue!
                    second["index"] = .int(42)
                    entries[1] = .object(second)
                    object["entries"] = .array(entries)
                }
            ),
            ("from", { $0["from"] = .int(0) }),
            ("to", { $0["to"] = .int(0) }),
        ]
        for (field, edit) in cases {
            let body = RaftWireSamples.body(message, edit)
            #expect(fast(body) == nil, "\(field)")
            #expect(throws: RaftWireError.self) { try RaftWireCodec.decode(body, route: "/_raft/append") }
        }
        let body = RaftWireCodec.encode(message)
        #expect(fast(body, maxEntries: 3) == nil, "more entries than allowed")
        #expect(fast(body, maxEntries: 4) != nil)
    }
}
