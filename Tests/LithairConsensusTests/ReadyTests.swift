import Testing

@testable import LithairConsensus

@Suite("Ready")
struct ReadyTests {
    private func entries(_ indexes: ClosedRange<UInt64>, term: UInt64 = 1) -> [LogEntry] {
        indexes.map { LogEntry(index: $0, term: term, data: [UInt8($0)]) }
    }

    @Test("committed entries already stored may be applied before the Ready is persisted")
    func storedCommittedEntries() {
        var ready = Ready()
        ready.committedEntries = entries(4...7)
        #expect(ready.committedEntriesStored(throughStoredIndex: 7) == 4, "a leader: all acknowledged, all on disk")
        #expect(ready.committedEntriesStored(throughStoredIndex: 5) == 2, "entries 6 and 7 are not on disk yet")
        #expect(ready.committedEntriesStored(throughStoredIndex: 3) == 0)

        // A follower told to replace its tail from 6 on: its stored 6 and 7 are not the committed ones.
        ready.entries = entries(6...9, term: 2)
        ready.committedEntries = entries(4...5) + entries(6...7, term: 2)
        #expect(ready.committedEntriesStored(throughStoredIndex: 7) == 2)

        ready.entries = []
        ready.snapshot = SnapshotMetadata(index: 10, term: 2, voters: [1, 2, 3])
        #expect(ready.committedEntriesStored(throughStoredIndex: 7) == 0, "a snapshot to install comes first")
    }
}
