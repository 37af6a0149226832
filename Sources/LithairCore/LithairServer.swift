import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A running Lithair node: the HTTP API over the model store and its durable log.
///
/// Build one with ``LithairServerBuilder``; ``run()`` serves until SIGINT or SIGTERM, then
/// finishes in-flight requests, flushes the log and returns.
public final class LithairServer: Sendable {
    /// The package version reported by `/info`.
    public static let version = "0.1.0"

    let configuration: ServerConfiguration
    let node: any ServingNode
    /// The server's metrics, also served at `/metrics`.
    public let metrics: ServerMetrics
    private let boundPort = Mutex<Int?>(nil)
    /// Resolved once the HTTP server listens; a Raft node waits for it before it starts.
    private let listening = Promise<Bool>()
    private let startedAt = ContinuousClock.now
    /// HTTPS, when configured: the server's side and the peers' client side.
    let tls: LoadedTLS?

    init(configuration: ServerConfiguration, schemas: [ModelSchema]) throws {
        self.configuration = configuration
        self.metrics = ServerMetrics()
        let tls = try configuration.tls.map { settings throws(ConfigurationError) in try LoadedTLS(settings) }
        self.tls = tls
        if let cluster = configuration.cluster {
            if let secret = cluster.clusterSecret { try Self.checkSecret(secret) }
            if cluster.clusterSecret == nil {
                configuration.logger.warning(
                    """
                    NO CLUSTER SECRET: anyone who can reach this port can append to the log, install a snapshot \
                    or force a resync; set LITHAIR_CLUSTER_SECRET (the same on every node)
                    """)
            }
            let advertise = cluster.advertiseAddress ?? "\(configuration.host):\(configuration.port)"
            self.node = try RaftNode(
                directory: configuration.dataDirectory, schemas: schemas, settings: configuration.commit,
                cluster: cluster,
                membership: ClusterMembership(
                    nodeID: cluster.nodeID, selfAddress: advertise, peers: cluster.peers,
                    isJoining: cluster.isJoining),
                tls: tls, metrics: metrics, logger: configuration.logger)
        } else {
            self.node = try LocalNode(
                directory: configuration.dataDirectory, schemas: schemas, settings: configuration.commit,
                metrics: metrics, logger: configuration.logger)
        }
    }

    /// The secret travels in a header line, which a space, a control character or a non-ASCII
    /// byte would break.
    private static func checkSecret(_ secret: String) throws(ConfigurationError) {
        guard secret.isVisibleASCII else {
            throw ConfigurationError(
                message: "the cluster secret (LITHAIR_CLUSTER_SECRET) must be printable ASCII without spaces")
        }
    }

    /// The port the server listens on, once it does (useful with `.port(0)`).
    public var port: Int? { boundPort.withLock { $0 } }

    /// Whether startup replay has finished and the node takes requests.
    public var isReady: Bool { node.isReady }

    /// Serves until SIGINT or SIGTERM (or until the task is cancelled), then shuts down
    /// gracefully.
    ///
    /// - Throws: a startup error naming the file when the data directory holds a corrupt
    ///   snapshot or log segment.
    public func run() async throws {
        try await makeApplication().runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    func makeApplication() throws -> some ApplicationProtocol {
        let routes = makeEventLoopRoutes()
        let secure = tls != nil
        let http1 = HTTPServerBuilder { responder in
            PlainRequestChannel(
                base: HTTP1Channel(
                    responder: responder,
                    configuration: .init(additionalChannelHandlers: [EventLoopRoutesHandler(routes: routes)])),
                routes: routes, secure: secure)
        }
        return Application(
            router: makeRouter(),
            server: try tls.map { try .tls(http1, tlsConfiguration: $0.server) } ?? http1,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: Self.serverName),
            services: [
                NodeService(node: node, logger: configuration.logger, listening: node is RaftNode ? listening : nil)
            ],
            onServerRunning: { [self] channel in
                boundPort.withLock { $0 = channel.localAddress?.port }
                listening.succeed(true)
                configuration.logger.info(
                    "listening", metadata: ["address": "\(configuration.host):\(channel.localAddress?.port ?? 0)"])
            },
            logger: configuration.logger
        )
    }

    /// The `Server` header of every response.
    static let serverName = "lithair"

    /// The routes answered on the event loop, ahead of the router: peers' Raft messages, and
    /// creates on the node that takes writes.
    private func makeEventLoopRoutes() -> EventLoopRoutes {
        var endpoints: [any EventLoopEndpoint] = []
        let takesWrites: @Sendable () -> Bool
        if let raft = node as? RaftNode {
            endpoints.append(RaftMessageEndpoint(intake: RaftMessageIntake(node: raft)))
            takesWrites = { raft.isReady && ClusterStatusView(node: raft).isLeader }
        } else {
            takesWrites = { [node] in node.isReady }
        }
        for schema in node.store.schemas {
            endpoints.append(
                ModelCreateEndpoint(
                    writes: ModelWrites(schema: schema, node: node), maxBodyBytes: configuration.maxBodyBytes,
                    takesWrites: takesWrites))
        }
        return EventLoopRoutes(endpoints: endpoints, metrics: metrics)
    }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(ErrorMiddleware(metrics: metrics, logger: configuration.logger))
        if let raft = node as? RaftNode {
            router.middlewares.add(
                LeaderForwardingMiddleware(
                    node: raft, modelPaths: node.store.schemas.map(\.basePath),
                    maxBodyBytes: configuration.maxBodyBytes))
            RaftRoutes(node: raft, intake: SnapshotIntake(node: raft)).register(on: router)
            MembershipRoutes(node: raft).register(on: router)
        }
        for schema in node.store.schemas {
            ModelRoutes(schema: schema, node: node, maxBodyBytes: configuration.maxBodyBytes).register(on: router)
        }
        OpsRoutes(node: node, info: { [self] in info() }, metrics: metrics).register(on: router)
        return router
    }

    private func info() -> JSONValue {
        let (models, applied) = node.store.read { state in
            (
                node.store.schemas.map { schema -> JSONValue in
                    .object([
                        "name": .string(schema.collection), "path": .string(schema.basePath),
                        "type": .string(schema.typeName),
                        "count": .int(Int64(state.collection(schema.collection)?.count ?? 0)),
                    ])
                }, state.appliedIndex
            )
        }
        let uptime = ContinuousClock.now - startedAt
        return .object([
            "name": .string("lithair"), "version": .string(Self.version),
            "node_id": .int(Int64(configuration.cluster?.nodeID ?? 0)),
            "ready": .bool(node.isReady), "models": .array(models), "log_index": .int(Int64(applied)),
            "applied_index": .int(Int64(applied)), "uptime_seconds": .double(uptime.seconds),
            "data_dir": .string(configuration.dataDirectory),
        ])
    }
}

/// Replays the log when the service group starts and flushes it when the group stops.
///
/// Listed among the application's services, it is shut down after the HTTP server has
/// finished in-flight requests, so every acknowledged write is flushed before exit.
struct NodeService: Service {
    let node: any ServingNode
    let logger: Logger
    /// When set, the node starts only after this resolves: a cluster member that could not bind
    /// its port must not campaign, lead or persist a term it cannot serve.
    let listening: Promise<Bool>?

    func run() async throws {
        if let listening {
            let bound = await withTaskCancellationHandler {
                (try? await listening.value(timeout: .seconds(3600))) == true
            } onCancel: {
                listening.fail(CancellationError())
            }
            guard bound else {
                await node.shutdown()
                return
            }
        }
        do {
            try node.start()
        } catch {
            logger.critical("refusing to start: \(error)")
            throw error
        }
        // Runs until graceful shutdown, or until the node stops itself (its log cannot be
        // written): then the error ends the service group and the process.
        let failure = await withTaskGroup(of: String?.self) { group in
            group.addTask {
                try? await gracefulShutdown()
                return nil
            }
            group.addTask {
                while !Task.isCancelled {
                    if let failure = node.failure { return failure }
                    try? await Task.sleep(for: .milliseconds(200))
                }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        await node.shutdown()
        if let failure { throw RecoveryError(message: failure) }
    }
}
