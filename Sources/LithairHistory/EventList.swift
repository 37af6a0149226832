/// The doubly linked list of call and return events of the *completed* operations, which the
/// Wing & Gong search walks.
///
/// Node 0 is a sentinel head; every operation owns a call node and a return node. Linearizing
/// an operation "lifts" both of its nodes out of the list in O(1); backtracking puts them back
/// (dancing links), so the list always holds exactly the operations not yet linearized.
/// Operations with an unknown outcome are kept apart (see `OptionalOperations`).
struct EventList {
    /// "No node".
    static let none = DancingLinks.none
    /// The list itself; `next` reads through to it.
    private var links: DancingLinks
    /// Successor of each node, or `none`.
    @inline(__always) var next: [Int32] { links.next }
    /// The operation each node belongs to (an index into the arrays given to `init`).
    let operation: [Int32]
    /// For a call node, its return node; for a return node, `none`.
    let returnNode: [Int32]
    /// The time of each event.
    let time: [UInt64]

    /// Builds the list for operations with these intervals.
    ///
    /// Events are ordered by time; at equal times calls come before returns, so intervals that
    /// touch are concurrent.
    init(invokedAt: [UInt64], completedAt: [UInt64]) {
        // (time, return?, operation): a total, deterministic order.
        var events: [(UInt64, UInt8, Int32)] = []
        events.reserveCapacity(invokedAt.count * 2)
        for index in invokedAt.indices {
            events.append((invokedAt[index], 0, Int32(index)))
            events.append((completedAt[index], 1, Int32(index)))
        }
        events.sort { $0 < $1 }

        let nodeCount = events.count + 1
        var operation = Array(repeating: EventList.none, count: nodeCount)
        var returnNode = Array(repeating: EventList.none, count: nodeCount)
        var time = Array(repeating: UInt64(0), count: nodeCount)
        var callNode = Array(repeating: EventList.none, count: invokedAt.count)
        for (position, event) in events.enumerated() {
            let node = Int32(position + 1)
            operation[Int(node)] = event.2
            time[Int(node)] = event.0
            if event.1 == 0 {
                callNode[Int(event.2)] = node
            } else {
                returnNode[Int(callNode[Int(event.2)])] = node
            }
        }
        self.operation = operation
        self.returnNode = returnNode
        self.time = time
        links = DancingLinks(chainOf: nodeCount)
    }

    /// The first event still in the list, or `none` if it is empty.
    @inline(__always)
    var first: Int32 { next[0] }

    /// Whether `node` is a call event.
    @inline(__always)
    func isCall(_ node: Int32) -> Bool { returnNode[Int(node)] != EventList.none }

    /// Removes the call `node` and its return from the list.
    mutating func lift(_ node: Int32) {
        links.unlink(node)
        links.unlink(returnNode[Int(node)])
    }

    /// Reinserts the call `node` and its return, undoing the matching `lift`.
    mutating func unlift(_ node: Int32) {
        links.relink(returnNode[Int(node)])
        links.relink(node)
    }
}
