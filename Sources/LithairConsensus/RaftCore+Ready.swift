extension RaftCore {
    /// True if ``ready()`` has something for the node.
    public var hasReady: Bool {
        softState != reportedSoftState || hardState != reportedHardState || snapshotToInstall != nil
            || log.hasUnstable || !outbox.isEmpty || log.hasCommittedToApply || !readStates.isEmpty
    }

    /// Collects everything the node must do since the previous call. Each item is handed out
    /// once; the node handles Readies one at a time, in order (see ``Ready``), then calls
    /// ``advance(_:)``.
    public mutating func ready() -> Ready {
        var ready = Ready()
        if softState != reportedSoftState {
            ready.softState = softState
            reportedSoftState = softState
        }
        if hardState != reportedHardState {
            ready.hardState = hardState
            reportedHardState = hardState
        }
        ready.snapshot = snapshotToInstall
        snapshotToInstall = nil
        ready.entries = log.takeUnstable()
        ready.committedEntries = log.takeCommitted()
        ready.messages = outbox
        outbox = []
        ready.readStates = readStates
        readStates = []
        return ready
    }
}
