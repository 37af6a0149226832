import LithairConsensus

// How a simulated node handles a Ready, as a Lithair node does: apply the committed entries
// already on its disk, persist, send, apply the rest, then advance.
extension SimulatedCluster {
    /// Handles every pending Ready of `id` following the persist-before-send contract.
    func drain(_ id: NodeID) {
        guard var node = nodes[id], var core = node.core else { return }
        while core.hasReady {
            let ready = core.ready()
            let commitBefore = node.storage.hardState.commit
            let stored = ready.committedEntriesStored(throughStoredIndex: node.storage.lastIndex)
            apply(ready.committedEntries[..<stored], node: &node)
            let deferred = deferLeaderSyncs && core.role == .leader && !ready.entries.isEmpty
            // As a Lithair node does: what it persists as anything but leader waits for the sync.
            if core.role != .leader { finishSync(&node, core: &core) }
            persist(ready, node: &node, core: core)
            if deferred, let last = ready.entries.last {
                node.unsynced = (
                    node.unsynced?.from ?? ready.entries[0].index, LogPosition(index: last.index, term: last.term)
                )
            }
            let crashPoint: String?
            if ready.softState?.role == .leader, chance(crashAfterElectionRate) {
                crashPoint = "after persisting its election"
            } else if node.storage.hardState.commit > commitBefore, core.role == .leader, chance(crashAfterCommitRate) {
                crashPoint = "after persisting commit \(node.storage.hardState.commit)"
            } else {
                crashPoint = nil
            }
            if let crashPoint {
                note("n\(id) CRASHES \(crashPoint), before sending")
                loseUnsynced(&node)
                node.crash()
                nodes[id] = node
                return
            }
            for message in ready.messages {
                var snapshotState: MachineState?
                if case .installSnapshot(let request) = message.body {
                    if node.storage.snapshot == request.snapshot {
                        snapshotState = node.storage.snapshotState
                    } else {
                        checker.fail("node \(id) sends snapshot \(request.snapshot.index) it has not stored")
                    }
                }
                enqueue(message, snapshotState: snapshotState)
            }
            apply(ready.committedEntries[stored...], node: &node)
            answerReads(ready, node: node)
            core.advance(ready, entriesDurable: !deferred)
        }
        node.core = core
        nodes[id] = node
    }

    /// Completes, with probability `chance` per node, the syncs leaders deferred.
    public func completeSyncs(chance probability: Double) {
        for id in ids {
            guard var node = nodes[id], var core = node.core, node.unsynced != nil, chance(probability) else {
                continue
            }
            finishSync(&node, core: &core)
            node.core = core
            nodes[id] = node
            drain(id)
        }
    }

    /// The deferred sync of `node`'s entries completes; the core learns they are durable.
    private func finishSync(_ node: inout SimulatedNode, core: inout RaftCore) {
        guard let unsynced = node.unsynced else { return }
        node.unsynced = nil
        note("n\(node.id) synced through \(unsynced.through.index)")
        core.persisted(through: unsynced.through)
    }

    /// A crash before a deferred sync completed: a random prefix of those entries reached the disk.
    func loseUnsynced(_ node: inout SimulatedNode) {
        guard let unsynced = node.unsynced else { return }
        node.unsynced = nil
        let kept = UInt64.random(in: 0...(unsynced.through.index - unsynced.from + 1), using: &random)
        node.storage.truncateSuffix(from: unsynced.from + kept)
        note("n\(node.id) loses unsynced entries from \(unsynced.from + kept)")
    }

    func persist(_ ready: Ready, node: inout SimulatedNode, core: RaftCore) {
        let id = node.id
        if let snapshot = ready.snapshot {
            guard let state = node.receivedSnapshots.removeValue(forKey: snapshot) else {
                checker.fail("node \(id) must install snapshot \(snapshot.index) it never received")
                return
            }
            node.storage.snapshot = snapshot
            node.storage.snapshotState = state
            node.storage.entries = []
            node.machine = state
            node.appliedCommands = []
            checker.installedSnapshot(state, by: id)
            note("n\(id) installs snapshot \(snapshot.index)/\(snapshot.term)")
        }
        if let first = ready.entries.first {
            if first.index > node.storage.lastIndex + 1 {
                checker.fail("node \(id) told to store entry \(first.index) after last index \(node.storage.lastIndex)")
            }
            node.storage.truncateSuffix(from: first.index)
            node.storage.entries.append(contentsOf: ready.entries)
            checker.persisted(ready.entries, by: id, storage: node.storage)
        }
        if let hardState = ready.hardState {
            node.storage.hardState = hardState
            checker.committed(through: hardState.commit, by: id, storage: node.storage, from: node.checkedCommit)
            node.checkedCommit = max(node.checkedCommit, hardState.commit)
        }
        if let soft = ready.softState {
            note("n\(id) is \(soft.role) of term \(core.term) (leader \(soft.leaderID.map(String.init) ?? "-"))")
            if soft.role == .leader {
                checker.becameLeader(
                    id, term: core.term, snapshotIndex: core.snapshotMetadata.index, termAt: { core.term(at: $0) })
            }
        }
    }

    func apply(_ entries: ArraySlice<LogEntry>, node: inout SimulatedNode) {
        for entry in entries {
            guard entry.index == node.machine.appliedIndex + 1 else {
                checker.fail("node \(node.id) applies \(entry.index) after \(node.machine.appliedIndex)")
                return
            }
            node.machine.apply(entry)
            if entry.kind == .normal { node.appliedCommands.append(entry.data) }
            checker.applied(entry, by: node.id, state: node.machine)
            let position = LogPosition(index: entry.index, term: entry.term)
            if let data = proposals[position], data == entry.data {
                proposals[position] = nil
                acknowledged.append(position)
            }
        }
    }

    private func answerReads(_ ready: Ready, node: SimulatedNode) {
        for read in ready.readStates {
            checker.readAnswered(index: read.index, requiredIndex: readRequirements[read.context] ?? 0, by: node.id)
            readResults.append((node.id, read))
            note("n\(node.id) read state index \(read.index) ctx \(read.context)")
        }
    }
}
