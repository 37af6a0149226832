extension ClientOperation {
    /// Why this operation cannot be checked, or `nil` if it is well formed.
    ///
    /// A malformed record is a bug in the runner, not in the server: reporting it separately
    /// keeps it from masquerading as a linearizability violation.
    var malformation: String? {
        if let completedAt, completedAt < invokedAt {
            return "completes at \(completedAt), before its invocation at \(invokedAt)"
        }
        guard case .ok(let response, _) = outcome else { return nil }
        switch (kind, response) {
        case (.read, .value), (.write, .acknowledged), (.delete, .acknowledged),
            (.compareAndSet, .casSucceeded), (.compareAndSet, .casFailed):
            return nil
        default:
            return "response \(response) does not answer a \(kind) request"
        }
    }
}
