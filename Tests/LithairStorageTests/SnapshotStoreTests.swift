import Testing

@testable import LithairStorage

@Suite struct SnapshotStoreTests {
    private func data(_ size: Int, seed: UInt8 = 1) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }

    private func snapshotFiles(_ dir: TemporaryDirectory) -> [String] {
        dir.names().filter { $0.hasPrefix("snapshot-") }
    }

    @Test func saveAndLatestRoundTrip() throws {
        let dir = TemporaryDirectory()
        let metadata = SnapshotMetadata(index: 42, term: 3, configuration: [1, 2, 3])
        do {
            let store = try SnapshotStore(directory: dir.file("snap"))
            #expect(try store.latest() == nil)
            #expect(store.latestMetadata() == nil)
            try store.save(metadata: metadata, data: data(10_000))
            #expect(store.latestMetadata() == metadata)
            let latest = try #require(try store.latest())
            #expect(latest.metadata == metadata)
            #expect(latest.data == data(10_000))
        }
        let reopened = try SnapshotStore(directory: dir.file("snap"))
        #expect(reopened.latestMetadata() == metadata)
        #expect(try reopened.latest()?.data == data(10_000))
        // An empty snapshot is a snapshot too.
        try reopened.save(metadata: SnapshotMetadata(index: 50, term: 3), data: [])
        #expect(try reopened.latest()?.data == [])
    }

    @Test func aStreamedSnapshotIsTheSameFileAsOneSavedWhole() throws {
        let pieces = [data(7), [], data(DurableFile.flushEvery + 3, seed: 2), data(1, seed: 3), data(40_000, seed: 4)]
        let metadata = SnapshotMetadata(index: 77, term: 4, configuration: [9, 8])
        let streamedDir = TemporaryDirectory()
        let streamed = try SnapshotStore(directory: streamedDir.path)
        let length = try streamed.save(metadata: metadata) { write in
            for piece in pieces { try write(piece) }
        }
        #expect(length == pieces.reduce(0) { $0 + $1.count })
        let wholeDir = TemporaryDirectory()
        try SnapshotStore(directory: wholeDir.path).save(metadata: metadata, data: pieces.flatMap { $0 })
        let name = try #require(snapshotFiles(streamedDir).first)
        #expect(readFile(streamedDir.file(name)) == readFile(wholeDir.file(name)))
        let reopened = try SnapshotStore(directory: streamedDir.path)
        #expect(try reopened.latest()?.data == pieces.flatMap { $0 })
        #expect(try reopened.latestFile()?.checksum == CRC32C.checksum(readFile(streamedDir.file(name)).dropLast(4)))
    }

    @Test func aStreamThatFailsLeavesThePreviousSnapshot() throws {
        struct Interrupted: Error {}
        let dir = TemporaryDirectory()
        let store = try SnapshotStore(directory: dir.path)
        try store.save(metadata: SnapshotMetadata(index: 10, term: 1), data: data(300))
        #expect(throws: Interrupted.self) {
            try store.save(metadata: SnapshotMetadata(index: 20, term: 1)) { write in
                try write(data(DurableFile.flushEvery + 10))
                throw Interrupted()
            }
        }
        #expect(snapshotFiles(dir) == ["snapshot-00000000000000000010-00000000000000000001.snap"])
        #expect(!dir.names().contains { $0.hasSuffix(DurableFile.temporarySuffix) })
        #expect(try store.latest()?.data == data(300))
        #expect(store.latestMetadata()?.index == 10)
    }

    @Test func keepsTheTwoNewest() throws {
        let dir = TemporaryDirectory()
        let store = try SnapshotStore(directory: dir.path)
        for index: UInt64 in [10, 20, 30, 40] {
            try store.save(metadata: SnapshotMetadata(index: index, term: 1), data: data(100, seed: UInt8(index)))
        }
        #expect(
            snapshotFiles(dir) == [
                "snapshot-00000000000000000030-00000000000000000001.snap",
                "snapshot-00000000000000000040-00000000000000000001.snap",
            ])
        #expect(try store.latest()?.metadata.index == 40)
        #expect(try store.latest()?.data == data(100, seed: 40))
    }

    @Test func corruptNewestIsAnErrorNamingTheFile() throws {
        let dir = TemporaryDirectory()
        let store = try SnapshotStore(directory: dir.path)
        try store.save(metadata: SnapshotMetadata(index: 10, term: 1), data: data(500))
        try store.save(metadata: SnapshotMetadata(index: 20, term: 1), data: data(500))
        let newest = dir.file(snapshotFiles(dir).last!)
        flipByte(newest, at: 300)
        let error = expectStorageError { _ = try store.latest() }
        #expect(error?.kind == .corrupt)
        #expect(error?.path == newest)
        #expect(error?.description.contains(newest) == true)
        #expect(error?.description.contains("checksum mismatch") == true)

        truncateFile(newest, to: 10)
        let short = expectStorageError { _ = try SnapshotStore(directory: dir.path).latest() }
        #expect(short?.kind == .corrupt)
        #expect(short?.path == newest)
    }

    @Test func leftoverTemporaryFilesAreCleanedUp() throws {
        let dir = TemporaryDirectory()
        do {
            let store = try SnapshotStore(directory: dir.path)
            try store.save(metadata: SnapshotMetadata(index: 10, term: 1), data: data(100))
        }
        // What a crash in the middle of a save or a transfer leaves behind.
        let partial = dir.file("snapshot-00000000000000000020-00000000000000000001.snap.tmp")
        let receiving = dir.file("snapshot-00000000000000000030-00000000000000000001.snap.recv-1a2b.tmp")
        writeFile(partial, [1, 2, 3])
        writeFile(receiving, [4, 5, 6])
        let store = try SnapshotStore(directory: dir.path)
        #expect(store.latestMetadata()?.index == 10)
        #expect(try store.latest()?.data == data(100))
        #expect(snapshotFiles(dir) == ["snapshot-00000000000000000010-00000000000000000001.snap"])
    }

    /// Sends the sender's newest snapshot to `receiver` in chunks of `chunk` bytes.
    private func transfer(from sender: SnapshotStore, to receiver: SnapshotReceiver, chunk: Int) throws {
        let file = try #require(try sender.latestFile())
        var offset = 0
        while offset < file.totalBytes {
            let bytes = try sender.readChunk(of: file, offset: offset, maxLength: chunk)
            try receiver.write(bytes, at: offset)
            offset += bytes.count
        }
    }

    @Test func chunkedTransferInstallsAnIdenticalSnapshot() throws {
        let a = TemporaryDirectory()
        let b = TemporaryDirectory()
        let sender = try SnapshotStore(directory: a.path)
        let metadata = SnapshotMetadata(index: 77, term: 4, configuration: Array("nodes=1,2,3".utf8))
        try sender.save(metadata: metadata, data: data(100_000))
        let file = try #require(try sender.latestFile())
        #expect(file.metadata == metadata)
        #expect(file.totalBytes == fileSize(file.path))

        let receiverStore = try SnapshotStore(directory: b.path)
        let receiver = try receiverStore.beginReceive(
            metadata: metadata, totalBytes: file.totalBytes, checksum: file.checksum)
        try transfer(from: sender, to: receiver, chunk: 7_000)
        // A retransmitted chunk (same offset again) is harmless.
        try receiver.write(try sender.readChunk(of: file, offset: 0, maxLength: 7_000), at: 0)
        #expect(try receiver.finish() == metadata)
        #expect(receiverStore.latestMetadata() == metadata)
        #expect(try receiverStore.latest()?.data == data(100_000))
        #expect(snapshotFiles(b) == [SnapshotFormat.fileName(metadata)])
        #expect(readFile(b.file(SnapshotFormat.fileName(metadata))) == readFile(file.path))
    }

    @Test func badTransfersAreRejectedAndLeaveNothing() throws {
        let a = TemporaryDirectory()
        let sender = try SnapshotStore(directory: a.path)
        let metadata = SnapshotMetadata(index: 9, term: 2)
        try sender.save(metadata: metadata, data: data(20_000))
        let file = try #require(try sender.latestFile())
        let first = try sender.readChunk(of: file, offset: 0, maxLength: 5_000)
        let third = try sender.readChunk(of: file, offset: 10_000, maxLength: 5_000)

        let b = TemporaryDirectory()
        let store = try SnapshotStore(directory: b.path)

        // Out of order: a gap after the first chunk.
        let gap = try store.beginReceive(metadata: metadata, totalBytes: file.totalBytes, checksum: file.checksum)
        try gap.write(first, at: 0)
        #expect(expectStorageError { try gap.write(third, at: 10_000) }?.kind == .invalidArgument)
        #expect(expectStorageError { try gap.finish() }?.kind == .unusable)
        #expect(b.names().isEmpty)

        // Wrong checksum announced.
        let badSum = try store.beginReceive(
            metadata: metadata, totalBytes: file.totalBytes, checksum: file.checksum ^ 1)
        try transfer(from: sender, to: badSum, chunk: 4_096)
        #expect(expectStorageError { try badSum.finish() }?.kind == .corrupt)
        #expect(b.names().isEmpty)

        // Damaged in flight: the bytes do not match their own checksum.
        let damaged = try store.beginReceive(metadata: metadata, totalBytes: file.totalBytes, checksum: file.checksum)
        try transfer(from: sender, to: damaged, chunk: 4_096)
        try damaged.write([first[100] ^ 0xFF], at: 100)
        #expect(expectStorageError { try damaged.finish() }?.kind == .corrupt)
        #expect(b.names().isEmpty)

        // Announced longer than it is: incomplete at finish.
        let long = try store.beginReceive(metadata: metadata, totalBytes: file.totalBytes + 10, checksum: file.checksum)
        try transfer(from: sender, to: long, chunk: 4_096)
        #expect(expectStorageError { try long.finish() }?.kind == .invalidArgument)
        #expect(b.names().isEmpty)

        // Announced shorter than it is: the last chunk overflows.
        let short = try store.beginReceive(
            metadata: metadata, totalBytes: file.totalBytes - 10, checksum: file.checksum)
        #expect(expectStorageError { try transfer(from: sender, to: short, chunk: 4_096) }?.kind == .invalidArgument)
        #expect(b.names().isEmpty)

        // Announced as a different snapshot than the bytes hold.
        let other = SnapshotMetadata(index: 10, term: 2)
        let wrong = try store.beginReceive(metadata: other, totalBytes: file.totalBytes, checksum: file.checksum)
        try transfer(from: sender, to: wrong, chunk: 4_096)
        #expect(expectStorageError { try wrong.finish() }?.kind == .corrupt)
        #expect(b.names().isEmpty)

        // Dropping an unfinished receiver deletes its temporary file.
        do {
            let abandoned = try store.beginReceive(
                metadata: metadata, totalBytes: file.totalBytes, checksum: file.checksum)
            try abandoned.write(first, at: 0)
            #expect(!b.names().isEmpty)
        }
        #expect(b.names().isEmpty)
        #expect(store.latestMetadata() == nil)
        #expect(try store.latest() == nil)
    }
}
