/// A doubly linked list over the nodes `0..<count`, kept in two index arrays so that a node can
/// be unlinked and later relinked in O(1) (Knuth's "dancing links"): how the search removes an
/// operation it linearizes and puts it back when it backtracks.
struct DancingLinks {
    /// "No node".
    static let none: Int32 = -1

    /// Successor of each node, or `none`.
    private(set) var next: [Int32]
    /// Predecessor of each node (the head's is `none`).
    private var previous: [Int32]

    /// The chain 0 → 1 → … → count - 1.
    init(chainOf count: Int) {
        next = (0..<count).map { $0 + 1 < count ? Int32($0 + 1) : Self.none }
        previous = (0..<count).map { Int32($0) - 1 }
    }

    /// Takes `node` out of the list; its own links are kept for `relink`.
    mutating func unlink(_ node: Int32) {
        let before = previous[Int(node)]
        let after = next[Int(node)]
        next[Int(before)] = after
        if after != Self.none { previous[Int(after)] = before }
    }

    /// Puts back `node`, undoing the matching `unlink` (unlinks are undone in reverse order).
    mutating func relink(_ node: Int32) {
        let before = previous[Int(node)]
        let after = next[Int(node)]
        next[Int(before)] = node
        if after != Self.none { previous[Int(after)] = node }
    }
}
