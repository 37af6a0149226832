import ArgumentParser
import Foundation
import LithairCore
import Logging
import NIOCore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the example Product model at /api/products.",
        discussion: """
            Every option can also come from the environment variable named in its help; a flag \
            wins over the variable.

            Routes: GET/POST /api/products, GET /api/products/count, GET/PUT/PATCH/DELETE \
            /api/products/{id}, GET /api/products/{id}/history, GET /health, /ready, /info, /metrics.
            """
    )

    @Option(help: "TCP port to listen on (env LITHAIR_PORT, default 8080).")
    var port: Int?

    @Option(help: "Address to bind (env LITHAIR_HOST, default 127.0.0.1).")
    var host: String?

    @Option(help: "Directory for the event log and snapshots (env LITHAIR_DATA_DIR, default ./data).")
    var dataDir: String?

    @Option(help: "Most writes per log append and fsync (env LITHAIR_BATCH_SIZE, default 100).")
    var batchSize: Int?

    @Option(help: "Longest a write waits to share an fsync, in ms (env LITHAIR_FLUSH_INTERVAL_MS, default 5).")
    var flushIntervalMs: Int?

    @Option(help: "Snapshot every N events and drop the log before it (env LITHAIR_SNAPSHOT_EVERY, default 100000).")
    var snapshotEvery: Int?

    @Option(help: "Largest request body in bytes; larger gets 413 (env LITHAIR_MAX_BODY_BYTES, default 10485760).")
    var maxBodyBytes: Int?

    @Option(
        help: """
            Threads serving connections (env LITHAIR_EVENT_LOOPS, default half the cores, at least 1; \
            NIO_SINGLETON_GROUP_LOOP_COUNT, if set, wins over the default).
            """)
    var eventLoops: Int?

    @Option(
        help: """
            malloc to run on: auto (tcmalloc if libtcmalloc-minimal4 is installed), system, or tcmalloc \
            (env LITHAIR_ALLOCATOR, default auto).
            """)
    var allocator: String?

    @Option(help: "This node's id in the cluster (env LITHAIR_NODE_ID, default 0).")
    var nodeID: UInt64?

    @Option(
        help: """
            Other members' addresses, comma-separated: host:port, a bare port (127.0.0.1), or id@host:port \
            (env LITHAIR_RAFT_PEERS). Without peers the node runs alone.
            """)
    var peers: String?

    @Option(
        help: "Lead term 1 on the cluster's first start, without an election (env LITHAIR_IS_LEADER, default false).")
    var isLeader: Bool?

    @Option(help: "Shared secret required on /_raft/* (env LITHAIR_CLUSTER_SECRET); same value on every node.")
    var clusterSecret: String?

    @Option(help: "Address peers reach this node at (env LITHAIR_ADVERTISE, default host:port).")
    var advertise: String?

    @Option(help: "Entries behind before a follower gets a snapshot (env LITHAIR_RESYNC_THRESHOLD, default 1000).")
    var resyncThreshold: UInt64?

    @Option(help: "Longest a snapshot transfer may take, in seconds (env LITHAIR_SNAPSHOT_TIMEOUT, default 60).")
    var snapshotTimeout: Int?

    @Option(help: "Raft tick in ms; elections time out after 10-20 ticks (env LITHAIR_TICK_MS, default 100).")
    var tickMs: Int?

    @Option(
        help: """
            When writes are acknowledged: majority (after a majority has them durably, default) or leader \
            (after the leader's fsync only: 202, the seed's best-effort mode) (env LITHAIR_WRITE_CONCERN).
            """)
    var writeConcern: String?

    @Flag(
        help: "Never elect: the --is-leader node leads forever, as the seed documents (env LITHAIR_STATIC_LEADERSHIP).")
    var staticLeadership = false

    @Flag(
        help:
            "Answer writes sent to a follower with 307 to the leader instead of forwarding (env LITHAIR_REDIRECT_WRITES)."
    )
    var redirectWrites = false

    @Flag(
        help: """
            Join a running cluster: --peers names its members, this node starts as a non-voter and             votes once a member add (POST /_raft/members on the leader, or `lithair members add`)             includes it (env LITHAIR_JOIN).
            """)
    var join = false

    @Option(
        help: """
            PEM certificate (then intermediates) to serve HTTPS with, and to present to peers             (env LITHAIR_TLS_CERT); needs --tls-key.
            """)
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert (env LITHAIR_TLS_KEY).")
    var tlsKey: String?

    @Option(
        help: """
            PEM CA certificates that peers' (and, with --tls-client-auth, clients') certificates must             chain to (env LITHAIR_TLS_CA; default: the system's roots).
            """)
    var tlsCA: String?

    @Option(
        help: """
            Require every connection to present a certificate signed by --tls-ca: mutual TLS for clients             and peers alike (env LITHAIR_TLS_CLIENT_AUTH, default false).
            """)
    var tlsClientAuth: Bool?

    @Option(
        help: "Log level: trace, debug, info, notice, warning, error, critical (env LITHAIR_LOG_LEVEL, default info).")
    var logLevel: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let settings = try Settings(command: self, environment: environment)
        // First of all: a relaunch replaces the process, and with it any thread started so far.
        let relaunchFailure = try AllocatorPreload.relaunchEnvironment(
            for: settings.allocator, environment: environment, installed: AllocatorPreload.installedLibrary()
        ).map(AllocatorPreload.relaunch(environment:))
        // Before anything uses NIO's shared event loops: it can be set once, and only then.
        if let eventLoops = settings.eventLoops { NIOSingletons.groupLoopCountSuggestion = eventLoops }
        var logger = Logger(label: "lithair", factory: StandardErrorLogHandler.init)
        logger.logLevel = settings.logLevel
        if settings.allocator == .tcmalloc, !AllocatorPreload.isActive {
            // The library was found, but executing again failed or the loader refused it.
            throw ValidationError(
                "--allocator tcmalloc: \(AllocatorPreload.library) could not be preloaded"
                    + (relaunchFailure.map { " (\($0))" } ?? " (see the loader's message above)"))
        }
        if let relaunchFailure {
            logger.warning("could not run on tcmalloc", metadata: ["reason": "\(relaunchFailure)"])
        }
        if settings.allocator != .system {
            logger.info("memory allocator", metadata: ["malloc": "\(AllocatorPreload.isActive ? "tcmalloc" : "glibc")"])
        }
        var builder = LithairServerBuilder()
            .host(settings.host)
            .port(settings.port)
            .dataDirectory(settings.dataDir)
            .withModel(Product.self, at: "/api/products")
            .logger(logger)
        if let batchSize = settings.batchSize { builder = builder.batchSize(batchSize) }
        if let interval = settings.flushIntervalMs { builder = builder.flushInterval(.milliseconds(interval)) }
        if let every = settings.snapshotEvery { builder = builder.snapshotEvery(every) }
        if let bytes = settings.maxBodyBytes { builder = builder.maxBodyBytes(bytes) }
        if let tls = settings.tls { builder = builder.tls(tls) }
        if let cluster = settings.cluster {
            builder = builder.withRaftCluster(nodeID: cluster.nodeID, peers: cluster.peers, isLeader: cluster.isLeader)
                .cluster { $0 = cluster }
        }
        let server = try await builder.build()
        try await server.run()
    }
}
