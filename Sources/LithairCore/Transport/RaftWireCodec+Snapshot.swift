import LithairConsensus

// Snapshot metadata, `{"index":N,"term":N,"voters":[N,…]}`: the `snapshot` member of an
// `install_snapshot` body, and a document of its own wherever the snapshot stream needs one.

extension RaftWireCodec {
    /// The JSON document of `metadata`: `{"index":N,"term":N,"voters":[N,…]}`.
    static func encodeSnapshotMetadata(_ metadata: LithairConsensus.SnapshotMetadata) -> [UInt8] {
        JSONWriter.bytes(encodeSnapshotMetadataValue(metadata))
    }

    /// Decodes a document written by ``encodeSnapshotMetadata(_:)``.
    ///
    /// - Throws: ``RaftWireError`` for malformed JSON, a missing or ill-typed field, or a voter
    ///   list that is empty, repeats an id or contains 0.
    static func decodeSnapshotMetadata(
        _ bytes: some Collection<UInt8>
    ) throws(RaftWireError) -> LithairConsensus.SnapshotMetadata {
        try decodeSnapshotMetadata(parseObject(bytes))
    }

    static func encodeSnapshotMetadataValue(_ metadata: LithairConsensus.SnapshotMetadata) -> JSONValue {
        .object([
            "index": RaftWireValue.number(metadata.index),
            "term": RaftWireValue.number(metadata.term),
            "voters": .array(metadata.voters.map(RaftWireValue.number)),
        ])
    }

    static func decodeSnapshotMetadata(_ object: RaftWireObject) throws(RaftWireError)
        -> LithairConsensus.SnapshotMetadata
    {
        let index = try object.uint64("index")
        let term = try object.uint64("term")
        let values = try object.array("voters")
        // A snapshot always records a configuration; an empty or repetitive one would give the
        // follower a wrong quorum.
        guard !values.isEmpty else {
            throw RaftWireError(field: object.path(of: "voters"), "expected at least one voter")
        }
        var voters: [NodeID] = []
        voters.reserveCapacity(values.count)
        var seen: Set<NodeID> = []
        for (position, value) in values.enumerated() {
            let voter = try RaftWireValue.nodeID(value, at: "\(object.path(of: "voters"))[\(position)]")
            guard seen.insert(voter).inserted else {
                throw RaftWireError(field: "\(object.path(of: "voters"))[\(position)]", "duplicate voter \(voter)")
            }
            voters.append(voter)
        }
        return LithairConsensus.SnapshotMetadata(index: index, term: term, voters: voters)
    }
}
