import Logging

/// Configures and builds a ``LithairServer``.
///
/// ```swift
/// let server = try await LithairServerBuilder()
///     .port(8080)
///     .dataDirectory("./data")
///     .withModel(Product.self, at: "/api/products")
///     .build()
/// try await server.run()
/// ```
public struct LithairServerBuilder: Sendable {
    var configuration = ServerConfiguration()
    var schemas: [ModelSchema] = []

    /// A builder with every default: port 8080, data in `./data`.
    public init() {}

    /// The TCP port to listen on; `0` picks a free one (see ``LithairServer/port``).
    public func port(_ port: Int) -> Self { with { $0.configuration.port = port } }

    /// The address to bind; default `127.0.0.1`. Use `0.0.0.0` to listen on every interface.
    public func host(_ host: String) -> Self { with { $0.configuration.host = host } }

    /// Where the event log and snapshots live; created if missing.
    public func dataDirectory(_ path: String) -> Self { with { $0.configuration.dataDirectory = path } }

    /// Serves `model` under `path` (e.g. `/api/products`) with list, count, get, history,
    /// create, replace, merge-patch and delete routes.
    public func withModel<Model: LithairModel>(_ model: Model.Type, at path: String) -> Self {
        with { $0.schemas.append(ModelSchema(model, basePath: path)) }
    }

    /// The largest request body accepted; larger ones get 413. Default 10 MiB.
    public func maxBodyBytes(_ bytes: Int) -> Self { with { $0.configuration.maxBodyBytes = bytes } }

    /// The most writes one log append and fsync carries. Default 100.
    public func batchSize(_ entries: Int) -> Self {
        with {
            $0.configuration.commit.maxBatch = max(1, entries)
            $0.configuration.cluster?.batchSize = max(1, entries)
        }
    }

    /// The longest a write waits for companions before its batch is flushed. Default 5 ms.
    public func flushInterval(_ interval: Duration) -> Self {
        with { $0.configuration.commit.flushInterval = interval }
    }

    /// Take a snapshot after this many events (default 100,000), and drop the log before it.
    ///
    /// A snapshot also waits until the log written since the last one is as large as that
    /// snapshot (at most ten times `events`), so a large state is not rewritten every
    /// `events` writes.
    public func snapshotEvery(_ events: Int) -> Self {
        with { $0.configuration.commit.snapshotEvery = max(1, events) }
    }

    /// Makes this node a member of a Raft cluster, as the seed documents it:
    /// `withRaftCluster(nodeID: 0, peers: ["127.0.0.1:8081", "127.0.0.1:8082"], isLeader: true)`.
    ///
    /// `peers` are the other members' HTTP addresses (`host:port`, a bare port meaning
    /// 127.0.0.1). `isLeader` makes this node leader of term 1 on the cluster's first start,
    /// without an election; after that leaders are elected (unless ``staticLeadership(_:)``).
    public func withRaftCluster(nodeID: UInt64, peers: [String], isLeader: Bool) -> Self {
        with { $0.configuration.cluster = ClusterConfiguration(nodeID: nodeID, peers: peers, isLeader: isLeader) }
    }

    /// Adjusts the cluster settings (secret, tuning, redirects); needs ``withRaftCluster(nodeID:peers:isLeader:)``.
    public func cluster(_ change: @Sendable (inout ClusterConfiguration) -> Void) -> Self {
        with { builder in
            guard var cluster = builder.configuration.cluster else { return }
            change(&cluster)
            builder.configuration.cluster = cluster
        }
    }

    /// Serves HTTPS, and speaks it to peers: see ``TLSSettings``.
    public func tls(_ settings: TLSSettings) -> Self { with { $0.configuration.tls = settings } }

    /// The logger the server and its node use.
    public func logger(_ logger: Logger) -> Self { with { $0.configuration.logger = logger } }

    /// Opens the data directory and builds the server. The log replays when the server runs.
    ///
    /// - Throws: when the data directory cannot be created or is locked by another process,
    ///   or when two models share a path.
    public func build() async throws -> LithairServer {
        var seen: Set<String> = []
        for schema in schemas where !seen.insert(schema.basePath).inserted {
            throw ConfigurationError(message: "two models are registered at \(schema.basePath)")
        }
        return try LithairServer(configuration: configuration, schemas: schemas)
    }

    private func with(_ change: (inout Self) -> Void) -> Self {
        var copy = self
        change(&copy)
        return copy
    }
}

/// Settings a ``LithairServer`` runs with.
struct ServerConfiguration: Sendable {
    var host = "127.0.0.1"
    var port = 8080
    var dataDirectory = "./data"
    var maxBodyBytes = 10 << 20
    var commit = CommitSettings()
    var cluster: ClusterConfiguration?
    var tls: TLSSettings?
    var logger = Logger(label: "lithair", factory: StandardErrorLogHandler.init)
}

/// A configuration the server cannot run with.
public struct ConfigurationError: Error, CustomStringConvertible {
    /// What is wrong with the configuration, naming the setting.
    public let message: String
    /// The message.
    public var description: String { message }
}
