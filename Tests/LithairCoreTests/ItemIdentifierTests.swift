import Foundation
import Testing

@testable import LithairCore

@Suite struct ItemIdentifierTests {
    @Test func identifiersAreLowercaseVersion4UUIDs() throws {
        for _ in 0..<1_000 {
            let id = ItemIdentifier.random()
            let uuid = try #require(UUID(uuidString: id), "\(id)")
            #expect(uuid.uuidString.lowercased() == id)
            let characters = Array(id)
            #expect(characters[14] == "4")
            #expect("89ab".contains(characters[19]))
        }
    }

    @Test func identifiersDoNotRepeatAcrossRefills() {
        // 5,000 identifiers span about twenty refills of the pool.
        let ids = (0..<5_000).map { _ in ItemIdentifier.random() }
        #expect(Set(ids).count == ids.count)
    }

    @Test func formatSpellsTheBytesInOrder() {
        let bytes: [UInt8] = Array(0..<16).map { UInt8($0 * 17) }
        #expect(ItemIdentifier.format(bytes) == "00112233-4455-6677-8899-aabbccddeeff")
    }
}
