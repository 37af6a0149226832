/// An append-only sequence kept in fixed-size chunks: after a snapshot shares it, an append
/// copies one chunk instead of every element, and growth never moves more than a chunk.
struct ChunkedArray<Element> {
    private static var chunkSize: Int { 4096 }
    private var chunks: [[Element]] = []

    mutating func append(_ element: Element) {
        if chunks.isEmpty || chunks[chunks.count - 1].count == Self.chunkSize {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
    }

    /// Removes the elements for which `shouldRemove` is true; the others keep their order.
    mutating func removeAll(where shouldRemove: (Element) -> Bool) {
        var kept = ChunkedArray()
        for element in elements where !shouldRemove(element) { kept.append(element) }
        self = kept
    }

    /// Every element, in the order appended.
    var elements: some Sequence<Element> { chunks.lazy.flatMap { $0 } }
}

extension ChunkedArray: Sendable where Element: Sendable {}
