/// The operations with an unknown outcome, grouped into classes of interchangeable operations,
/// with which members are still pending (not linearized).
///
/// Their return is at +infinity, so they never stop another operation from going next and
/// never have to be linearized; an operation is a candidate once it was invoked no later than
/// the earliest pending return. Two operations with the same model step (for example two
/// timed-out writes of values nobody observed) are interchangeable, and the earlier-invoked one
/// is a candidate whenever the later one is; so only the earliest pending member of a class is
/// ever linearized. Members are therefore linearized in order, and a class is just a cursor.
///
/// Classes are kept in a dancing-links list of those with pending members, ordered by their
/// first member's invocation, so candidate enumeration can stop at the first class invoked
/// after the frontier.
struct OptionalOperations {
    /// Each class's members (indices into the unknown-outcome operations), in invocation order.
    let members: [[Int]]
    /// Each class's first member's invocation time, ascending across classes.
    let firstInvokedAt: [UInt64]
    /// Each class's number of members linearized so far: the next candidate is
    /// `members[c][linearizedCount[c]]`.
    private(set) var linearizedCount: [Int]
    /// The list of classes with pending members; node 0 is a sentinel, node `c + 1` is class `c`.
    private var links: DancingLinks
    /// Successor of each node in that list, or `EventList.none`.
    @inline(__always) var next: [Int32] { links.next }

    /// Groups `steps` (of operations sorted by invocation time `invokedAt`) into classes.
    init(steps: [RegisterModel.Step], invokedAt: [UInt64]) {
        var classOf: [RegisterModel.Step: Int] = [:]
        var members: [[Int]] = []
        for (index, step) in steps.enumerated() {
            if let existing = classOf[step] {
                members[existing].append(index)
            } else {
                classOf[step] = members.count
                members.append([index])
            }
        }
        self.members = members
        firstInvokedAt = members.map { invokedAt[$0[0]] }
        linearizedCount = Array(repeating: 0, count: members.count)
        let count = members.count
        links = DancingLinks(chainOf: count + 1)
    }

    /// The first class node with pending members, or `EventList.none`.
    @inline(__always)
    var first: Int32 { next[0] }

    /// The next pending member of the class at `node`.
    @inline(__always)
    func candidate(_ node: Int32) -> Int {
        let group = Int(node) - 1
        return members[group][linearizedCount[group]]
    }

    /// Marks the class's candidate linearized.
    mutating func take(_ node: Int32) {
        let group = Int(node) - 1
        linearizedCount[group] += 1
        if linearizedCount[group] == members[group].count { links.unlink(node) }
    }

    /// Undoes the matching `take`.
    mutating func untake(_ node: Int32) {
        let group = Int(node) - 1
        if linearizedCount[group] == members[group].count { links.relink(node) }
        linearizedCount[group] -= 1
    }
}
