import Foundation
import LithairConsensus
import LithairStorage

/// The turns of the node: inputs in, `Ready` out, in the order the core's contract requires.
///
/// One turn runs at a time, on the loop thread or, for a message from a peer arriving on a NIO
/// event loop (or a finished log sync) while no turn runs, on the delivering thread itself
/// (``RaftNode/enqueue(_:)``).
extension RaftNode {
    func runLoop() {
        var nextTick = ContinuousClock.now + cluster.tickInterval
        handleReadies()
        published.withLock { $0.ready = true }
        condition.withLock { turnsMayRunInline = true }
        while true {
            let (inputs, stop) = waitForInputs(until: nextTick)
            if stop { break }
            feed(inputs)
            if ContinuousClock.now >= nextTick {
                core.tick()
                nextTick = ContinuousClock.now + cluster.tickInterval
            }
            finishTurn()
            releaseTurn(onLoopThread: true)
        }
        // The turn stays taken: no event loop starts another one.
        let leftovers = condition.withLock { () -> [Input] in
            defer { inbox.removeAll() }
            return inbox
        }
        for input in leftovers { fail(input, with: .shuttingDown) }
        for (_, waiter) in proposals { waiter.promise.fail(NodeError.shuttingDown) }
        for (_, join) in pendingJoins { join.promise.fail(NodeError.shuttingDown) }
        for (_, promise) in reads { promise.fail(NodeError.shuttingDown) }
        logSync.waitUntilIdle()
        logSync.stop()
        storage.log.close()
        condition.withLock { stopped = true }
    }

    /// A turn on the thread that delivered a peer's message (an event loop) or a finished log
    /// sync (the sync thread); ``turnTaken`` is set.
    ///
    /// A follower's append is then made durable and answered on the thread that read it, and
    /// a leader's commit (with its answers to clients and the next append) happens on the
    /// thread that read the follower's reply: each saves the two thread wake-ups of a hop to
    /// the loop thread and back, which on a busy machine cost more than the work itself.
    func runInlineTurn() {
        let inputs = condition.withLock { takeInputs(holdUntil: proposalHoldDeadline(), onLoopThread: false) }
        feed(inputs)
        finishTurn()
        releaseTurn(onLoopThread: false)
    }

    private func feed(_ inputs: [Input]) {
        var batch: [(ModelEvent, WriteConcern, Promise<CommitResult>)] = []
        for input in inputs {
            if case .propose(let event, let concern, let promise) = input {
                batch.append((event, concern, promise))
            } else {
                handle(input)
            }
        }
        if !batch.isEmpty { propose(batch) }
    }

    private func finishTurn() {
        advancePendingJoins()
        handleReadies()
        closeReplies()
    }

    /// Ends the turn, after handling (in up to four more turns) what arrived meanwhile: a
    /// peer's message that found the turn taken, or proposals no longer held back (the loop
    /// thread, waiting out a hold, would not hear of it), would otherwise wait for the loop
    /// thread to wake.
    private func releaseTurn(onLoopThread: Bool) {
        for _ in 0..<4 {
            let more = condition.withLock { () -> [Input] in
                stopping ? [] : takeInputs(holdUntil: proposalHoldDeadline(), onLoopThread: onLoopThread)
            }
            guard !more.isEmpty else { break }
            feed(more)
            finishTurn()
        }
        condition.withLock {
            turnTaken = false
            if onLoopThread {
                loopOwnsTurn = false
            } else if loopNeededAfterInlineTurn() {
                condition.signal()
            }
        }
    }

    /// Whether the loop thread has work once a turn on another thread ends: inputs that turn
    /// left (those only the loop thread handles; proposals held back, unless the loop thread
    /// already waits out their hold), or its tick or hold that came due during the turn.
    /// Every other wake-up of it would find nothing to do. Called with `condition` held.
    private func loopNeededAfterInlineTurn() -> Bool {
        if stopping { return true }
        let leftForLoop = holdingForPeers ? inbox.contains { !$0.isProposal } : !inbox.isEmpty
        let loopDue = loopWaitsForTurn && (loopRunsBy.map { ContinuousClock.now >= $0 } ?? true)
        return leftForLoop || loopDue
    }

    /// Waits for work (or `deadline`) and takes the turn; returns the inputs it handles.
    private func waitForInputs(until deadline: ContinuousClock.Instant) -> ([Input], Bool) {
        condition.lock()
        defer { condition.unlock() }
        var holdUntil: ContinuousClock.Instant?
        var held = false
        var timedOut = false
        while true {
            if turnTaken {
                // Until its own tick or hold comes due; past that, the turn's owner wakes it.
                let runsBy = min(deadline, holdUntil ?? deadline)
                loopRunsBy = runsBy
                loopWaitsForTurn = true
                if ContinuousClock.now < runsBy {
                    _ = condition.wait(until: Date(timeIntervalSinceNow: (runsBy - ContinuousClock.now).seconds))
                } else {
                    condition.wait()
                }
                loopWaitsForTurn = false
                continue
            }
            if stopping || timedOut { break }
            holdUntil = proposalHoldDeadline()
            held = held || holdUntil != nil
            let hasWork = holdUntil == nil ? !inbox.isEmpty : inbox.contains { !$0.isProposal }
            if hasWork { break }
            holdingForPeers = holdUntil != nil
            let wake = min(deadline, holdUntil ?? deadline)
            let wallDeadline = Date(timeIntervalSinceNow: max(0, (wake - ContinuousClock.now).seconds))
            timedOut = !condition.wait(until: wallDeadline) && ContinuousClock.now >= deadline
        }
        turnTaken = true
        loopOwnsTurn = true
        // Held writes have waited for their companions already.
        if holdUntil == nil, !held { lingerForProposals() }
        let inputs = takeInputs(holdUntil: holdUntil, onLoopThread: true)
        return (inputs, stopping && inputs.isEmpty)
    }

    /// The inbox's inputs for this turn: all of them but the proposals held back until
    /// `holdUntil` and, off the loop thread, those that take long (``Input/needsLoopThread``).
    /// Called with `condition` held.
    private func takeInputs(holdUntil: ContinuousClock.Instant?, onLoopThread: Bool) -> [Input] {
        if holdUntil == nil { proposalHold.released() }
        holdingForPeers = holdUntil != nil
        let inputs: [Input]
        (inbox, inputs) = inbox.partitioned { input in
            (holdUntil != nil && input.isProposal) || (!onLoopThread && input.needsLoopThread)
        }
        return inputs
    }

    /// Group commit on the leader: see ``CommitSettings/lingerForCompanions(on:flushCost:queuedWrites:arrivals:)``.
    /// Called with `condition` held.
    private func lingerForProposals() {
        guard !stopping, core.role == .leader else { return }
        settings.lingerForCompanions(
            on: condition, flushCost: flushCost.duration,
            queuedWrites: { proposalCount() },
            arrivals: { inbox.count },
            interrupted: { proposalCount() < inbox.count })
    }

    private func proposalCount() -> Int {
        inbox.reduce(0) { $0 + ($1.isProposal ? 1 : 0) }
    }

    private func propose(_ batch: [(ModelEvent, WriteConcern, Promise<CommitResult>)]) {
        do {
            let positions = try core.propose(batch: batch.map { ModelEventCodec.encode($0.0) })
            for (position, (event, concern, promise)) in zip(positions, batch) {
                proposals[position.index] = (position.term, concern, promise, event)
            }
        } catch {
            let failure: NodeError =
                switch error {
                case .notLeader(let leader):
                    notLeader(leader)
                default: .notLeader(leaderAddress: nil)
                }
            for (_, _, promise) in batch { promise.fail(failure) }
        }
    }

    private func handle(_ input: Input) {
        switch input {
        case .message(let message, let reply):
            if let reply { openReplies[message.from, default: OpenReply()].waiting.append(reply) }
            core.step(message)
        case .read(let promise):
            nextReadID += 1
            var context = withUnsafeBytes(of: membership.selfMember.raftID.littleEndian, Array.init)
            context += withUnsafeBytes(of: nextReadID.littleEndian, Array.init)
            do {
                try core.readIndex(context: context)
                reads[context] = promise
            } catch {
                promise.fail(NodeError.notLeader(leaderAddress: nil))
            }
        case .snapshotReceived(let metadata, let from, let term):
            core.step(
                RaftMessage(
                    from: from, to: core.id, term: term,
                    body: .installSnapshot(InstallSnapshot(leaderID: from, snapshot: metadata))))
        case .snapshotSent(let peer, let success):
            stats.withLock { if success { $0.sendSuccesses += 1 } else { $0.sendFailures += 1 } }
            core.reportSnapshot(to: peer, success: success)
        case .unreachable(let peer):
            core.reportUnreachable(peer)
        case .freshSnapshot(let promise):
            handleReadies()
            freshSnapshotWaiters.append(promise)
            if !takeSnapshot() { freshSnapshotPending = true }
        case .snapshotSaved(let index, let durable):
            snapshotSaved(index: index, durable: durable)
        case .logSynced(let outcome):
            logSynced(outcome)
        case .changeMembership(let change, let promise):
            proposeMembershipChange(change, promise)
        case .propose:
            break
        }
    }

    /// Handles every pending `Ready` (handling one can produce another, e.g. a lone voter's commit).
    func handleReadies() {
        var rounds = 0
        while core.hasReady && rounds < 16 {
            rounds += 1
            handleReady(core.ready())
        }
        logSync.needed(core.leaderSyncNeed)
        publishStatus()
    }

    private func handleReady(_ ready: Ready) {
        // A leader's appends and heartbeats justify nothing about its own disk (the core counts
        // the leader toward a commit only once `advance` reports its entries persisted), so they
        // leave before its fsync and the followers' fsyncs overlap the leader's. Votes and
        // acknowledgements wait until what they promise is durable, as the contract requires.
        let (early, late) = ready.messages.partitioned(by: Self.mayLeaveBeforePersist)
        send(early)
        // A leader's new entries are synced by `logSync` while the turn goes on. Anything else
        // this Ready persists or promises (an acknowledgement, a vote) needs every entry
        // written so far durable, those of an earlier leadership included.
        let deferSync =
            core.role == .leader && cluster.writeConcern == .majority && ready.snapshot == nil && !ready.entries.isEmpty
        if !deferSync && (core.role != .leader || !ready.entries.isEmpty) { logSync.waitUntilIdle() }
        // A leader that syncs its log in this turn applies (and answers) the committed entries
        // already on its disk first. Anywhere else applying waits: a deferred sync should start
        // at once, and a follower's acknowledgement should not wait for its state machine.
        let stored =
            core.role == .leader && !deferSync
            ? ready.committedEntriesStored(throughStoredIndex: storage.log.lastIndex) : 0
        apply(ready.committedEntries[..<stored])
        do {
            if let snapshot = ready.snapshot { try installReceivedSnapshot(snapshot) }
            let started = ContinuousClock.now
            let deferred = try storage.persist(entries: ready.entries, hardState: ready.hardState, deferSync: deferSync)
            if let deferred, let last = ready.entries.last {
                logSync.submit(
                    deferred, through: LogPosition(index: last.index, term: last.term), entries: ready.entries.count)
            } else if !ready.entries.isEmpty {
                recordFlush(ContinuousClock.now - started, entries: ready.entries.count)
            }
        } catch {
            stopAfterStorageFailure(error)
            return
        }
        acknowledgeLeaderConcernWrites(ready.entries)
        if let soft = ready.softState {
            logger.info(
                "role changed",
                metadata: [
                    "role": "\(soft.role)", "term": "\(core.term)",
                    "leader":
                        "\(soft.leaderID.flatMap { membership.member(raftID: $0)?.nodeID }.map(String.init) ?? "none")",
                ])
            failPendingReads()
        }
        send(late)
        // A follower's acknowledgement leaves before it applies: the leader's commit (and its
        // clients) should not wait on this node's state machine.
        closeReplies()
        apply(ready.committedEntries[stored...])
        for state in ready.readStates {
            guard let promise = reads.removeValue(forKey: state.context) else { continue }
            readsAwaitingApply.append((state.index, promise))
        }
        core.advance(ready, entriesDurable: !deferSync)
        answerReads()
        if snapshotSchedule.isDue(at: store.appliedIndex) { _ = takeSnapshot() }
    }

    /// `logSync` made the leader's log durable through `outcome.through`.
    private func logSynced(_ outcome: LeaderLogSync.Outcome) {
        if let error = outcome.error { return stopAfterStorageFailure(error) }
        storage.log.deferredSyncSucceeded(outcome.sync)
        recordFlush(outcome.duration, entries: outcome.entries)
        core.persisted(through: outcome.through)
    }

    private func recordFlush(_ took: Duration, entries: Int) {
        flushCost.record(took)
        metrics.recordFsync(took, batchSize: entries)
    }

    /// The core now holds entries that storage rolled back (or may have lost), and no later
    /// Ready could be persisted on top of them. As etcd does, stop: nothing more is
    /// acknowledged, and a restart rebuilds the core from what is really on disk.
    private func stopAfterStorageFailure(_ error: any Error) {
        logger.critical("persisting the raft log failed; stopping the node", metadata: ["error": "\(error)"])
        fatalFailure.withLock { $0 = "the raft log could not be persisted: \(error)" }
        condition.withLock { stopping = true }
        let failure = NodeError(storageError: error)
        for (_, waiter) in proposals { waiter.promise.fail(failure) }
        proposals.removeAll()
    }

    static func mayLeaveBeforePersist(_ message: RaftMessage) -> Bool {
        switch message.body {
        case .append, .heartbeat, .installSnapshot, .timeoutNow: true
        case .appendResponse, .heartbeatResponse, .voteRequest, .voteResponse, .readIndex, .readIndexResponse: false
        }
    }

    /// Sends `messages` in order. Those for one peer are handed over together: its connection
    /// merges them into one request (a commit notice and the entries proposed in the same turn
    /// must not leave as two round trips).
    private func send(_ messages: [RaftMessage]) {
        guard !messages.isEmpty, let transport else { return }
        var outgoing: [RaftMessage] = []
        for message in messages {
            // Only messages sent after this turn's fsync may ride a reply: the reply leaves as
            // soon as the turn ends, and what it promises must be durable by then.
            if !Self.mayLeaveBeforePersist(message), openReplies[message.to] != nil {
                openReplies[message.to]?.answers.append(message)
            } else if case .installSnapshot(let install) = message.body {
                stats.withLock { $0.sendAttempts += 1 }
                transport.sendSnapshot(install.snapshot, term: message.term, to: message.to, from: core.id)
            } else {
                outgoing.append(message)
            }
        }
        transport.send(outgoing)
    }

    /// Sends the HTTP replies peers are waiting on, with the answers this turn made.
    private func closeReplies() {
        guard !openReplies.isEmpty else { return }
        for (_, reply) in openReplies { reply.resolve() }
        openReplies.removeAll(keepingCapacity: true)
    }

    private func apply(_ entries: ArraySlice<LithairConsensus.LogEntry>) {
        guard !entries.isEmpty else { return }
        snapshotSchedule.logged(entries.reduce(0) { $0 + $1.data.count })
        let outcomes: [(UInt64, UInt64, ApplyOutcome?)] = store.mutate { state in
            entries.map { entry in
                guard entry.kind == .normal else {
                    state.skip(to: entry.index)
                    return (entry.index, entry.term, nil)
                }
                do {
                    // Same index and term as proposed here: the same entry (log matching).
                    let proposed = proposals[entry.index].flatMap { $0.term == entry.term ? $0.event : nil }
                    return (
                        entry.index, entry.term,
                        try state.apply(encoded: entry.data, at: entry.index, decoded: proposed)
                    )
                } catch {
                    // A committed entry this node cannot decode would fork the replicas if skipped silently.
                    logger.critical("committed entry \(entry.index) is undecodable: \(error)")
                    state.skip(to: entry.index)
                    return (entry.index, entry.term, nil)
                }
            }
        }
        for (index, term, outcome) in outcomes {
            guard let waiter = proposals.removeValue(forKey: index) else { continue }
            if waiter.term == term, let outcome {
                waiter.promise.succeed(CommitResult(index: index, outcome: outcome))
            } else {
                waiter.promise.fail(NodeError.proposalDropped)
            }
        }
        if !membershipChanges.isEmpty { membershipChangesApplied(entries) }
    }

    /// Writes with ``WriteConcern/leader`` are answered once the leader's own fsync is done.
    private func acknowledgeLeaderConcernWrites(_ entries: [LithairConsensus.LogEntry]) {
        for entry in entries {
            guard let waiter = proposals[entry.index], waiter.concern == .leader, waiter.term == entry.term else {
                continue
            }
            proposals.removeValue(forKey: entry.index)
            waiter.promise.succeed(CommitResult(index: entry.index, outcome: .accepted))
        }
    }

    private func answerReads() {
        let applied = store.appliedIndex
        readsAwaitingApply.removeAll { index, promise in
            guard index <= applied else { return false }
            promise.succeed(index)
            return true
        }
    }

    /// Proposals made as leader are not failed on a leadership change: they may still commit
    /// under the next leader, and resolve when their index is applied (with their term or
    /// another). ReadIndex requests are dropped by the core whenever leadership changes, so
    /// they fail now (503, retry) rather than wait for their timeout.
    private func failPendingReads() {
        for (_, promise) in reads { promise.fail(NodeError.notLeader(leaderAddress: nil)) }
        reads.removeAll()
    }

    /// Step 1 of the contract: a snapshot from the leader, already stored by the transport.
    private func installReceivedSnapshot(_ snapshot: LithairConsensus.SnapshotMetadata) throws {
        guard let (metadata, data) = try storage.snapshots.latest(), metadata.index == snapshot.index else {
            throw RecoveryError(message: "received snapshot \(snapshot.index) is not in \(directory)/snapshots")
        }
        let state = try ModelSnapshotCodec.decode(data, schemas: store.schemas)
        store.replace(with: state)
        try storage.log.reset(after: snapshot.index)
        snapshotSchedule.snapshotStarted(at: snapshot.index)
        snapshotSchedule.snapshotStored(bytes: data.count)
        stats.withLock { $0.snapshotsInstalled += 1 }
        logger.info("installed snapshot from the leader", metadata: ["index": "\(snapshot.index)"])
    }

    /// Starts a background snapshot of the applied state; the log is compacted when it is
    /// durable (``snapshotSaved(index:durable:)``).
    ///
    /// - Returns: `false` if a snapshot is already being written.
    @discardableResult
    func takeSnapshot() -> Bool {
        let state = store.read { copy $0 }
        let index = state.appliedIndex
        guard index > 0,
            let term = core.term(at: index) ?? (index == core.snapshotMetadata.index ? core.snapshotMetadata.term : nil)
        else { return false }
        let configuration = core.membership(at: index).encoded()
        let started = snapshotWriter.write(state, index: index, term: term, configuration: configuration) {
            [weak self] durable in
            self?.enqueue(.snapshotSaved(index: index, durable: durable))
        }
        if started {
            snapshotSchedule.snapshotStarted(at: index)
            waitersForThisSnapshot = freshSnapshotWaiters
            freshSnapshotWaiters = []
        }
        return started
    }

    private func snapshotSaved(index: UInt64, durable: Bool) {
        let waiters = waitersForThisSnapshot
        waitersForThisSnapshot = []
        if durable {
            snapshotSchedule.snapshotStored(bytes: snapshotWriter.lastStoredBytes ?? 0)
            do {
                if index > core.snapshotMetadata.index {
                    let dropped = try core.compactReturningDroppedEntries(through: index)
                    // Freeing 100,000 entries held the loop (and every write) for 5–15 ms.
                    Task.detached(priority: .background) { withExtendedLifetime(dropped) {} }
                }
                logSync.waitUntilIdle()  // it may be syncing a segment the compaction deletes
                try storage.log.compact(through: index)
            } catch {
                logger.error("log compaction failed; the log is kept", metadata: ["error": "\(error)"])
            }
            stats.withLock { $0.snapshotsCreated += 1 }
        }
        for waiter in waiters {
            if durable { waiter.succeed(true) } else { waiter.fail(NodeError.storageFailure("snapshot failed")) }
        }
        if freshSnapshotPending {
            freshSnapshotPending = false
            if !takeSnapshot() { freshSnapshotPending = true }
        }
    }

    private func publishStatus() {
        if core.membershipVersion != adoptedMembershipVersion { adoptMembership() }
        syncLearnerLinks()
        let status = core.status()
        let applied = store.appliedIndex
        let membershipIndex = core.membershipIndex
        let learners = core.learners.sorted { $0.key < $1.key }.compactMap { raftID, address in
            core.learnerProgress(raftID).map {
                LearnerStatus(nodeID: raftID - 1, address: address, matchIndex: $0.match, answered: $0.answered)
            }
        }
        published.withLock {
            $0.status = status
            $0.appliedIndex = applied
            $0.membershipIndex = membershipIndex
            $0.learners = learners
        }
        metrics.recordRaft(
            term: status.term, isLeader: status.role == .leader, commit: status.commitIndex, applied: applied,
            lags: Dictionary(
                uniqueKeysWithValues: status.followers.compactMap { follower in
                    membership.member(raftID: follower.id).map { ($0.address, follower.lag) }
                }))
    }
}

extension Array {
    /// The elements that satisfy `belongsInFirst`, then the others, each in their original order.
    func partitioned(by belongsInFirst: (Element) -> Bool) -> ([Element], [Element]) {
        var first: [Element] = []
        var second: [Element] = []
        for element in self {
            if belongsInFirst(element) { first.append(element) } else { second.append(element) }
        }
        return (first, second)
    }
}
