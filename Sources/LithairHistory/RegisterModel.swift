/// The sequential specification of one register, over interned values.
///
/// Values are interned to small integers per key so that the search compares and hashes
/// integers, never strings. `absent` is the initial state.
enum RegisterModel {
    /// An interned value; `absent` means the key does not exist.
    typealias State = Int32

    /// The interned "key is absent" value, which is also the initial state.
    static let absent: State = 0

    /// One operation compiled for the search.
    enum Step: Sendable, Hashable {
        /// A completed read that observed `observed`.
        case read(observed: State)
        /// A write or delete (acknowledged or unknown: either way it is legal in any state).
        case write(State)
        /// A compare-and-set that reported success.
        case casSucceeded(expected: State, new: State)
        /// A compare-and-set that reported a failed precondition.
        case casFailed(expected: State)
        /// A compare-and-set whose outcome is unknown: if linearized, it applies iff it matches.
        case casUnknown(expected: State, new: State)

        /// The state after applying this step in `state`, or `nil` if the step's recorded
        /// response is impossible in `state`.
        @inline(__always)
        func apply(to state: State) -> State? {
            switch self {
            case .read(let observed): observed == state ? state : nil
            case .write(let value): value
            case .casSucceeded(let expected, let new): expected == state ? new : nil
            case .casFailed(let expected): expected == state ? nil : state
            case .casUnknown(let expected, let new): expected == state ? new : state
            }
        }
    }
}

/// Maps a key's values to dense integers.
///
/// Values that no operation ever requires (no read returned them, no compare-and-set expected
/// them) all map to one shared `unobserved` state: no operation can tell them apart, and merging
/// them lets the memo and the search treat their writers as interchangeable.
struct ValueInterner {
    /// The state of a register holding a value no operation requires.
    static let unobserved: RegisterModel.State = -1

    private var ids: [String: RegisterModel.State] = [:]
    private let required: Set<String>

    /// An interner for a key whose operations are `operations`.
    init(_ operations: [ClientOperation]) {
        var required = Set<String>()
        for operation in operations {
            switch (operation.kind, operation.outcome) {
            case (.read, .ok(.value(let value?, _), _)), (.compareAndSet(let value?, _), _): required.insert(value)
            default: break
            }
        }
        self.required = required
    }

    /// The id of `value`, allocating one on first sight; `nil` maps to `RegisterModel.absent`.
    mutating func id(_ value: String?) -> RegisterModel.State {
        guard let value else { return RegisterModel.absent }
        guard required.contains(value) else { return ValueInterner.unobserved }
        if let id = ids[value] { return id }
        let id = RegisterModel.State(ids.count + 1)
        ids[value] = id
        return id
    }
}

extension ClientOperation {
    /// Whether the operation constrains the search at all. Failed operations had no effect, and
    /// a read with an unknown outcome observed nothing anyone saw.
    var isRelevant: Bool {
        switch (outcome, kind) {
        case (.failed, _): false
        case (.unknown, .read): false
        default: true
        }
    }

    /// The operation compiled to a model step. Only call on well-formed, relevant operations.
    func step(interning interner: inout ValueInterner) -> RegisterModel.Step {
        switch (kind, outcome) {
        case (.read, .ok(.value(let observed, _), _)):
            return .read(observed: interner.id(observed))
        case (.write(let value), _):
            return .write(interner.id(value))
        case (.delete, _):
            return .write(RegisterModel.absent)
        case (.compareAndSet(let expected, let new), .ok(.casSucceeded, _)):
            return .casSucceeded(expected: interner.id(expected), new: interner.id(new))
        case (.compareAndSet(let expected, _), .ok(.casFailed, _)):
            return .casFailed(expected: interner.id(expected))
        case (.compareAndSet(let expected, let new), _):
            return .casUnknown(expected: interner.id(expected), new: interner.id(new))
        default:
            preconditionFailure("step(interning:) called on a malformed or irrelevant operation")
        }
    }
}
