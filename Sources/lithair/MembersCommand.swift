import ArgumentParser
import Foundation
import NIOHTTP1

struct MembersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members",
        abstract: "List a cluster's voters, or add or remove one.",
        discussion: """
            Without --add or --remove, prints GET /_raft/members of --node. --add ID@HOST:PORT adds a \
            voter: start it first with `lithair serve --join --node-id ID --peers <current members>`; \
            the leader catches it up (entries or a snapshot) before it votes, so the add can take up \
            to the cluster's snapshot timeout. --remove ID removes one (the leader may remove itself: it hands over once the change \
            commits). Changes go to the leader (followed if --node is a follower), need the cluster \
            secret, and return once the new configuration is committed. One change at a time.
            """
    )

    @Option(help: "A member to ask: host:port or a bare port.")
    var node = "127.0.0.1:8080"

    @Option(help: "Add a voter, written ID@HOST:PORT (or ID@PORT for 127.0.0.1).")
    var add: String?

    @Option(help: "Remove the voter with this node id.")
    var remove: UInt64?

    @Option(help: "The cluster secret (env LITHAIR_CLUSTER_SECRET).")
    var clusterSecret: String?

    @OptionGroup var tls: ClientTLSOptions

    func validate() throws {
        if add != nil && remove != nil { throw ValidationError("give --add or --remove, not both") }
    }

    func run() throws {
        let http = try tls.makeHTTP()
        defer { http.shutdown() }
        let secret = clusterSecret ?? ProcessInfo.processInfo.environment["LITHAIR_CLUSTER_SECRET"]
        let address = try normalized(node)
        let answer: [UInt8]
        if let add {
            guard let at = add.firstIndex(of: "@"), let id = UInt64(add[..<at]) else {
                throw ValidationError("--add must be ID@HOST:PORT, got '\(add)'")
            }
            let target = try normalized(String(add[add.index(after: at)...]))
            let body = Array(#"{"node_id":\#(id),"address":"\#(target)"}"#.utf8)
            answer = try sendToLeader(http, .POST, address, "/_raft/members", body: body, secret: secret)
        } else if let remove {
            answer = try sendToLeader(http, .DELETE, address, "/_raft/members/\(remove)", body: nil, secret: secret)
        } else {
            answer = try http.getJSON(address, "/_raft/members")
        }
        print(String(decoding: answer, as: UTF8.self))
    }

    /// Sends a change to `address`, and once more to the leader a follower names.
    private func sendToLeader(
        _ http: NodeHTTP, _ method: HTTPMethod, _ address: String, _ path: String, body: [UInt8]?, secret: String?
    ) throws -> [UInt8] {
        var target = address
        // An add waits for the newcomer's catch-up: up to the default snapshot timeout (60 s).
        let timeout = method == .POST ? 75 : 15
        for _ in 0..<2 {
            let (status, answer) = try http.send(
                method, target, path, body: body, bearer: secret, timeoutSeconds: timeout)
            if status == 200 { return answer }
            let refusal = try? JSONDecoder().decode(Refusal.self, from: Data(answer))
            if status == 400, let leader = refusal?.leader, leader != target {
                target = leader
                continue
            }
            throw NodeHTTP.Failure(
                description:
                    "\(method) \(path) on \(target) answered \(status): \(refusal?.error ?? String(decoding: answer, as: UTF8.self))"
            )
        }
        throw NodeHTTP.Failure(description: "\(method) \(path): the leader moved while it was being looked for; retry")
    }

    private func normalized(_ text: String) throws -> String {
        if let port = Int(text), (1...65535).contains(port) { return "127.0.0.1:\(port)" }
        guard text.contains(":") else { throw ValidationError("expected host:port or a port, got '\(text)'") }
        return text
    }

    private struct Refusal: Decodable {
        var error: String?
        var leader: String?
    }
}
