import Foundation

/// One cluster member as verify addresses it.
struct VerifyMember: Sendable, Hashable {
    /// The member's Raft node id: its position among the members sorted by (host, port).
    var nodeID: Int
    var host: String
    var port: Int
    /// The group id the node process runs with in namespace mode. Loopback connections all
    /// leave from 127.0.0.1 whatever address a node listens on, so packet filters cannot tell
    /// nodes apart by source address; they match the sending process's group instead
    /// (`iptables -m owner --gid-owner`).
    var groupID: Int

    var address: String { "\(host):\(port)" }
    var baseURL: String { "http://\(address)" }

    /// Members on the given addresses, numbered as the server numbers them.
    static func numbered(_ addresses: [(host: String, port: Int)], groupBase: Int = 47_000) -> [VerifyMember] {
        addresses.sorted { ($0.host, $0.port) < ($1.host, $1.port) }.enumerated().map { index, address in
            VerifyMember(nodeID: index, host: address.host, port: address.port, groupID: groupBase + index)
        }
    }

    /// Parses `host:port` or a bare port (on 127.0.0.1).
    static func parseAddress(_ text: String) -> (host: String, port: Int)? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let port = Int(trimmed) { return ("127.0.0.1", port) }
        guard let colon = trimmed.lastIndex(of: ":"), let port = Int(trimmed[trimmed.index(after: colon)...]) else {
            return nil
        }
        return (String(trimmed[..<colon]), port)
    }
}
