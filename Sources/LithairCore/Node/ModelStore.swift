import Synchronization

/// The live model state, shared between the request handlers that read it and the
/// committer that applies to it.
///
/// A `Mutex`, not an actor: reads are a dictionary lookup and a byte copy, and the
/// committer applies a whole batch under one acquisition. The lock is never held across
/// an `await`.
final class ModelStore: Sendable {
    private let state: Mutex<ModelState>
    let schemas: [ModelSchema]

    init(schemas: [ModelSchema]) {
        self.schemas = schemas
        self.state = Mutex(ModelState(schemas: schemas))
    }

    func read<Result>(_ body: (borrowing ModelState) throws -> Result) rethrows -> Result {
        try state.withLock { try body($0) }
    }

    func mutate<Result>(_ body: (inout ModelState) throws -> Result) rethrows -> Result {
        try state.withLock { try body(&$0) }
    }

    func replace(with newState: consuming ModelState) {
        state.withLock { $0 = newState }
    }

    var appliedIndex: UInt64 { read { $0.appliedIndex } }
}
