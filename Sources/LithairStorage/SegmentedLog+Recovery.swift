extension SegmentedLog {
    /// Opens every segment in ``directory`` and rebuilds the in-memory index, cutting a torn
    /// tail off the last segment. Creates the first segment of a fresh log.
    ///
    /// What counts as a torn tail (repaired, reported): in the last segment only, a record cut
    /// short at the end of the file (header incomplete, or length past the end), or a final
    /// record failing its checksum with no valid record after it (at the end of the file, or
    /// before the zeros of a prepared segment). Zero bytes, and only zero bytes, after the last
    /// record of the last segment are the end of the data: space prepared for appends
    /// (``LogOptions/preallocate``), kept as such. Anything else (a bad checksum with a valid
    /// record after it, zeros followed by other data, an impossible length, an index out of
    /// sequence, zeros at the end of an earlier segment, any damage in an earlier segment) is
    /// corruption: the log refuses to open rather than silently drop acknowledged entries.
    func open() throws {
        let names = try FileSystem.listDirectory(directory)
        let found = names.compactMap { name in Segment.firstIndex(fromFileName: name).map { ($0, name) } }
            .sorted { $0.0 < $1.0 }
        if found.isEmpty {
            segments = [try createSegment(firstIndex: 1)]
            syncedLastIndex = 0
            return
        }
        do {
            for (position, (firstIndex, name)) in found.enumerated() {
                let path = directory + "/" + name
                let file = try RawFile.openFile(path)
                let size: Int
                do { size = try file.size() } catch {
                    file.closeFile()
                    throw error
                }
                let segment = Segment(firstIndex: firstIndex, path: path, file: file, size: size)
                segments.append(segment)
                let isLast = position == found.count - 1
                if let previous = segments.dropLast().last, previous.lastIndex + 1 != firstIndex {
                    if isLast && size == 0 {
                        // reset(after:) creates the empty segment before deleting the older ones.
                        try finishInterruptedReset()
                    } else {
                        throw StorageError.corrupt(
                            file: path, offset: 0,
                            reason: "segment starts at index \(firstIndex) but the previous segment ends at index "
                                + "\(previous.lastIndex)")
                    }
                }
                try scan(segment, isLast: isLast)
                recovery.segmentsScanned += 1
            }
        } catch {
            for segment in segments { segment.file.closeFile() }
            segments = []
            throw error
        }
        // What a crashed process wrote is in the page cache but maybe not on disk; the node is
        // about to treat it as its log (and vouch for it to peers), so make it durable now.
        // Only the last segment can hold unsynced data: rotation syncs a segment before the next.
        try segments.last!.file.dataSync()
        recovery.entriesRecovered = segments.reduce(0) { $0 + $1.count }
        syncedLastIndex = lastIndex
    }

    /// Deletes every segment but the last (an empty one left by an interrupted reset).
    private func finishInterruptedReset() throws {
        let last = segments.removeLast()
        for segment in segments {
            try delete(segment)
        }
        try FileSystem.syncDirectory(directory)
        recovery.warnings.append(
            "finished an interrupted reset: removed \(segments.count) segment(s) before \(last.path)")
        segments = [last]
    }

    /// Reads one segment, indexes its records, and cuts a torn tail if it is the last one.
    private func scan(_ segment: Segment, isLast: Bool) throws {
        let contents = try segment.file.preadExactly(segment.size, at: 0)
        var offset = 0
        var expected = segment.firstIndex
        var tornReason: String?
        var zeroTail = false
        try contents.withUnsafeBytes { buffer in
            scanning: while true {
                switch RecordCodec.scan(buffer, at: offset) {
                case .record(let header):
                    guard header.index == expected else {
                        throw StorageError.corrupt(
                            file: segment.path, offset: offset,
                            reason: "index out of sequence: expected \(expected), found \(header.index)")
                    }
                    segment.offsets.append(offset)
                    segment.terms.append(header.term)
                    offset += header.length
                    expected += 1
                case .end:  // only zeros from here on (zeros and then data: an impossible length)
                    zeroTail = offset < buffer.count
                    break scanning
                case .incomplete(let reason):
                    // A length field damaged in the middle of the log also "runs past the end":
                    // if a whole valid record follows, this was not a torn write.
                    if let next = RecordCodec.findRecord(in: buffer, after: offset, index: expected + 1) {
                        throw StorageError.corrupt(
                            file: segment.path, offset: offset,
                            reason: "\(reason), but a valid record (index \(expected + 1)) follows at offset \(next)")
                    }
                    tornReason = reason
                    break scanning
                case .checksumMismatch(let header)
                where offset + header.length == buffer.count
                    || (isLast && RecordCodec.findRecord(in: buffer, after: offset, index: expected + 1) == nil):
                    // At the end of the file, or of a zero-filled segment's data: a record a
                    // crash cut short. With a whole valid record after it, it is damage instead.
                    tornReason = "last record fails its checksum"
                    break scanning
                case .checksumMismatch:
                    throw StorageError.corrupt(file: segment.path, offset: offset, reason: "checksum mismatch")
                case .impossibleLength(let length):
                    throw StorageError.corrupt(
                        file: segment.path, offset: offset, reason: "impossible record length \(length)")
                }
            }
        }
        if zeroTail {
            guard isLast else {
                throw StorageError.corrupt(
                    file: segment.path, offset: offset, reason: "zero-filled tail in a segment that is not the last")
            }
            segment.preparedBytes = segment.size
            segment.size = offset
            return
        }
        guard let tornReason else { return }
        guard isLast else {
            throw StorageError.corrupt(
                file: segment.path, offset: offset, reason: "\(tornReason) in a segment that is not the last")
        }
        try segment.file.truncate(to: offset)
        try segment.file.fullSync()
        recovery.truncatedBytes = segment.size - offset
        recovery.truncatedFile = segment.path
        recovery.truncatedAtOffset = offset
        recovery.warnings.append("torn tail in \(segment.path) at offset \(offset): \(tornReason)")
        segment.size = offset
    }
}
