/// The voters of one cluster configuration, and where each can be reached.
///
/// Addresses are opaque to the core: it only counts ids. They travel with the configuration
/// (in `.config` log entries and in snapshot metadata) so that every node learns how to reach a
/// member that joined after it started.
public struct Membership: Sendable, Hashable, Codable {
    /// Voter id → address (empty when the node layer keeps addresses elsewhere).
    public private(set) var addresses: [NodeID: String] {
        didSet { voters = addresses.keys.sorted() }
    }
    /// The voters, in ascending id order (kept: the leader reads it on every acknowledgement).
    public private(set) var voters: [NodeID]

    /// A configuration of these voters and addresses.
    public init(addresses: [NodeID: String]) {
        self.addresses = addresses
        voters = addresses.keys.sorted()
    }

    /// A configuration of these voters, without addresses.
    public init(voters: [NodeID]) {
        self.init(addresses: Dictionary(voters.map { ($0, "") }, uniquingKeysWith: { first, _ in first }))
    }

    /// Whether `id` votes in this configuration.
    public func contains(_ id: NodeID) -> Bool { addresses[id] != nil }

    /// Votes needed for a majority.
    public var quorum: Int { addresses.count / 2 + 1 }

    /// This configuration with `id` added at `address`.
    public func adding(_ id: NodeID, address: String) -> Membership {
        var copy = self
        copy.addresses[id] = address
        return copy
    }

    /// This configuration without `id`.
    public func removing(_ id: NodeID) -> Membership {
        var copy = self
        copy.addresses.removeValue(forKey: id)
        return copy
    }

    // MARK: Encoding

    /// The bytes of a `.config` entry or of a snapshot's configuration: one `id address` line per
    /// voter, in id order, so that equal configurations encode alike and a file stays readable.
    public func encoded() -> [UInt8] {
        var text = ""
        for id in voters { text += "\(id) \(addresses[id]!)\n" }
        return Array(text.utf8)
    }

    /// Decodes ``encoded()``.
    /// - Throws: ``MembershipDecodingError`` if a line is not `id address` with a positive id,
    ///   an id repeats, an address holds anything but visible ASCII, or there is no voter.
    public init(decoding bytes: some BidirectionalCollection<UInt8>) throws(MembershipDecodingError) {
        var addresses: [NodeID: String] = [:]
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast() {
            let parts = line.split(separator: UInt8(ascii: " "), maxSplits: 1, omittingEmptySubsequences: false)
            let address = parts.count == 2 ? Array(parts[1]) : []
            guard parts.count == 2, let id = NodeID(String(decoding: parts[0], as: UTF8.self)), id > 0,
                address.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
            else {
                throw MembershipDecodingError(
                    reason: "line '\(String(decoding: line, as: UTF8.self))' is not 'id address'")
            }
            guard addresses.updateValue(String(decoding: address, as: UTF8.self), forKey: id) == nil else {
                throw MembershipDecodingError(reason: "voter \(id) appears twice")
            }
        }
        guard bytes.last == UInt8(ascii: "\n"), !addresses.isEmpty else {
            throw MembershipDecodingError(reason: "no voter, or the last line is unterminated")
        }
        self.init(addresses: addresses)
    }
}

/// A configuration's bytes could not be read (see ``Membership/init(decoding:)``).
public struct MembershipDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var reason: String
    /// The reason.
    public var description: String { "bad cluster configuration: \(reason)" }
}
