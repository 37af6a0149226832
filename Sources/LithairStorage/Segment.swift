/// One segment file of a ``SegmentedLog`` and the in-memory index of its records.
///
/// A segment is named after the index of its first entry (`log-00000000000000000001.seg`), so
/// an empty segment still records where the log resumes. Its entries are contiguous.
final class Segment {
    /// The file-name prefix and suffix of segments.
    static let prefix = "log-"
    static let suffix = ".seg"

    /// The index the segment's first entry has (or will have).
    let firstIndex: UInt64
    /// The segment file's full path.
    let path: String
    /// The open file.
    let file: RawFile
    /// Bytes of whole records in the file.
    var size: Int
    /// The file's length when it was created zero-filled (or found with a zero tail), 0 for a
    /// file that grows with each append. Appends overwrite those zeros until the segment is full.
    var preparedBytes = 0
    /// Start offset of each record: entry `firstIndex + i` starts at `offsets[i]`.
    var offsets: [Int] = []
    /// Term of each entry: entry `firstIndex + i` has `terms[i]`.
    var terms: [UInt64] = []

    init(firstIndex: UInt64, path: String, file: RawFile, size: Int) {
        self.firstIndex = firstIndex
        self.path = path
        self.file = file
        self.size = size
    }

    /// The file name of the segment starting at `index`.
    static func fileName(firstIndex index: UInt64) -> String {
        let digits = String(index)
        return prefix + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + suffix
    }

    /// The first index encoded in a segment file name, or `nil` if `name` is not a segment.
    static func firstIndex(fromFileName name: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
        guard digits.count == 20, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(digits)
    }

    /// The size past which no record starts here: the prepared length if any, at most `maximum`.
    func sizeLimit(maximum: Int) -> Int { preparedBytes > 0 ? min(preparedBytes, maximum) : maximum }

    /// Number of entries.
    var count: Int { offsets.count }
    /// The index of the last entry, or `firstIndex - 1` when empty.
    var lastIndex: UInt64 { firstIndex + UInt64(offsets.count) - 1 }
    /// Whether `index` is stored here.
    func contains(_ index: UInt64) -> Bool { index >= firstIndex && index <= lastIndex && !offsets.isEmpty }

    /// The byte range of the records for entries `from...through` (both stored here).
    func byteRange(from: UInt64, through: UInt64) -> Range<Int> {
        let start = offsets[Int(from - firstIndex)]
        let endSlot = Int(through - firstIndex) + 1
        let end = endSlot < offsets.count ? offsets[endSlot] : size
        return start..<end
    }

    /// Forgets the entries from `index` on (the file is cut separately).
    func dropEntries(from index: UInt64) {
        let keep = Int(index - firstIndex)
        guard keep < offsets.count else { return }
        size = offsets[keep]
        offsets.removeSubrange(keep...)
        terms.removeSubrange(keep...)
    }
}
