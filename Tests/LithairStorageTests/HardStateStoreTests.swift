import Testing

@testable import LithairStorage

@Suite struct HardStateStoreTests {
    @Test func roundTripAcrossRestarts() throws {
        let dir = TemporaryDirectory()
        do {
            let store = try HardStateStore(directory: dir.path)
            #expect(try store.load() == nil)
            try store.save(HardState(term: 5, votedFor: 2, commit: 17))
            #expect(try store.load() == HardState(term: 5, votedFor: 2, commit: 17))
            try store.save(HardState(term: 6, votedFor: nil, commit: 18))
        }
        let store = try HardStateStore(directory: dir.path)
        #expect(try store.load() == HardState(term: 6, votedFor: nil, commit: 18))
        // A vote for node 0 is a vote, not "no vote".
        try store.save(HardState(term: 7, votedFor: 0, commit: 18))
        #expect(try store.load()?.votedFor == 0)
        #expect(dir.names() == ["hardstate"])
    }

    @Test func everyDamagedByteIsDetected() throws {
        let dir = TemporaryDirectory()
        let store = try HardStateStore(directory: dir.path)
        try store.save(HardState(term: 5, votedFor: 2, commit: 17))
        for offset in 0..<fileSize(store.path) {
            flipByte(store.path, at: offset)
            let error = expectStorageError("byte \(offset)") { _ = try store.load() }
            #expect(error?.kind == .corrupt)
            #expect(error?.description.contains(store.path) == true)
            flipByte(store.path, at: offset)
        }
        truncateFile(store.path, to: 20)
        #expect(expectStorageError { _ = try store.load() }?.path == store.path)
    }

    @Test func leftoverTemporaryFileIsIgnored() throws {
        let dir = TemporaryDirectory()
        try HardStateStore(directory: dir.path).save(HardState(term: 1, votedFor: 1, commit: 0))
        writeFile(dir.file("hardstate.tmp"), [1, 2, 3])
        let store = try HardStateStore(directory: dir.path)
        #expect(try store.load() == HardState(term: 1, votedFor: 1, commit: 0))
        #expect(dir.names() == ["hardstate"])
    }
}
