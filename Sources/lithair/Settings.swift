import ArgumentParser
import LithairCore
import Logging
import NIOCore

/// `serve`'s options after merging flags over `LITHAIR_*` environment variables.
struct Settings {
    var host: String
    var port: Int
    var dataDir: String
    var batchSize: Int?
    var flushIntervalMs: Int?
    var snapshotEvery: Int?
    var maxBodyBytes: Int?
    /// NIO's event loops for this process; `nil` leaves NIO its own count (its environment
    /// variable is set).
    var eventLoops: Int?
    /// Which malloc the process runs on (``AllocatorPreload``).
    var allocator: AllocatorChoice
    var logLevel: Logger.Level
    /// Set when peers are configured: the node then runs Raft.
    var cluster: ClusterConfiguration?
    /// Set with a certificate and key: HTTPS for clients and peers.
    var tls: TLSSettings?

    init(command: ServeCommand, environment: [String: String]) throws {
        let env = EnvironmentReader(environment: environment)
        host = command.host ?? env.string("LITHAIR_HOST") ?? "127.0.0.1"
        port = try command.port ?? env.int("LITHAIR_PORT") ?? 8080
        dataDir = command.dataDir ?? env.string("LITHAIR_DATA_DIR") ?? "./data"
        batchSize = try command.batchSize ?? env.int("LITHAIR_BATCH_SIZE")
        flushIntervalMs = try command.flushIntervalMs ?? env.int("LITHAIR_FLUSH_INTERVAL_MS")
        snapshotEvery = try command.snapshotEvery ?? env.int("LITHAIR_SNAPSHOT_EVERY")
        maxBodyBytes = try command.maxBodyBytes ?? env.int("LITHAIR_MAX_BODY_BYTES")
        eventLoops = try Self.eventLoops(command: command, env: env)
        let allocator = command.allocator ?? env.string("LITHAIR_ALLOCATOR") ?? "auto"
        guard let choice = AllocatorChoice(rawValue: allocator) else {
            throw ValidationError("allocator must be auto, system or tcmalloc, got '\(allocator)'")
        }
        self.allocator = choice
        let level = command.logLevel ?? env.string("LITHAIR_LOG_LEVEL") ?? "info"
        guard let parsed = Logger.Level(rawValue: level) else {
            throw ValidationError("log level must be one of trace, debug, info, notice, warning, error, critical")
        }
        logLevel = parsed
        guard (0...65535).contains(port) else { throw ValidationError("port must be 0...65535, got \(port)") }
        tls = try Self.tls(command: command, env: env)
        let peers = (command.peers ?? env.string("LITHAIR_RAFT_PEERS") ?? "")
            .split(separator: ",").map { String($0) }.filter { !$0.isEmpty }
        guard !peers.isEmpty else { return }
        var cluster = ClusterConfiguration(
            nodeID: try command.nodeID ?? env.uint("LITHAIR_NODE_ID") ?? 0, peers: peers,
            isLeader: try command.isLeader ?? env.bool("LITHAIR_IS_LEADER") ?? false)
        cluster.clusterSecret = command.clusterSecret ?? env.string("LITHAIR_CLUSTER_SECRET")
        cluster.advertiseAddress = command.advertise ?? env.string("LITHAIR_ADVERTISE")
        if let batch = batchSize { cluster.batchSize = max(1, batch) }
        if let threshold = try command.resyncThreshold ?? env.uint("LITHAIR_RESYNC_THRESHOLD") {
            cluster.resyncThreshold = threshold
        }
        if let seconds = try command.snapshotTimeout ?? env.int("LITHAIR_SNAPSHOT_TIMEOUT") {
            cluster.snapshotTimeout = .seconds(max(1, seconds))
        }
        if let tick = try command.tickMs ?? env.int("LITHAIR_TICK_MS") {
            cluster.tickInterval = .milliseconds(max(5, tick))
        }
        cluster.staticLeadership = try command.staticLeadership || env.bool("LITHAIR_STATIC_LEADERSHIP") ?? false
        cluster.redirectWrites = try command.redirectWrites || env.bool("LITHAIR_REDIRECT_WRITES") ?? false
        cluster.isJoining = try command.join || env.bool("LITHAIR_JOIN") ?? false
        if cluster.isJoining && cluster.isLeader {
            throw ValidationError("a node that joins a running cluster cannot be its bootstrap leader (--is-leader)")
        }
        let concern = command.writeConcern ?? env.string("LITHAIR_WRITE_CONCERN") ?? "majority"
        guard let writeConcern = WriteConcern(rawValue: concern) else {
            throw ValidationError("write concern must be majority or leader, got '\(concern)'")
        }
        cluster.writeConcern = writeConcern
        self.cluster = cluster
    }

    /// How many event loops serve connections. Half the cores by default: a node's Raft loop,
    /// log sync and snapshot threads need the rest, and on 2 cores shared by a local 3-node
    /// cluster and its clients, one loop per node took 4-10 % less CPU per write than two (a
    /// turn answers every client on the thread it runs on, without a hop to the other loop).
    private static func eventLoops(command: ServeCommand, env: EnvironmentReader) throws -> Int? {
        if let count = try command.eventLoops ?? env.int("LITHAIR_EVENT_LOOPS") {
            guard (1...1024).contains(count) else {
                throw ValidationError("event loops must be 1...1024, got \(count)")
            }
            return count
        }
        guard env.string("NIO_SINGLETON_GROUP_LOOP_COUNT") == nil else { return nil }
        return max(1, System.coreCount / 2)
    }

    /// HTTPS settings: a certificate needs its key and the other way round.
    private static func tls(command: ServeCommand, env: EnvironmentReader) throws -> TLSSettings? {
        let certificate = command.tlsCert ?? env.string("LITHAIR_TLS_CERT")
        let key = command.tlsKey ?? env.string("LITHAIR_TLS_KEY")
        let ca = command.tlsCA ?? env.string("LITHAIR_TLS_CA")
        let clientAuth = try command.tlsClientAuth ?? env.bool("LITHAIR_TLS_CLIENT_AUTH") ?? false
        guard let certificate, let key else {
            guard certificate == nil, key == nil, ca == nil, !clientAuth else {
                throw ValidationError("TLS needs both --tls-cert and --tls-key (LITHAIR_TLS_CERT, LITHAIR_TLS_KEY)")
            }
            return nil
        }
        if clientAuth && ca == nil {
            throw ValidationError("--tls-client-auth needs --tls-ca: the CA client certificates must chain to")
        }
        return TLSSettings(
            certificateFile: certificate, privateKeyFile: key, caFile: ca, requireClientCertificates: clientAuth)
    }
}

/// Reads `LITHAIR_*` variables, rejecting values that do not parse instead of ignoring them.
struct EnvironmentReader {
    let environment: [String: String]

    func string(_ name: String) -> String? {
        environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    func uint(_ name: String) throws -> UInt64? {
        guard let raw = string(name) else { return nil }
        guard let value = UInt64(raw) else {
            throw ValidationError("\(name) must be a non-negative integer, got '\(raw)'")
        }
        return value
    }

    func bool(_ name: String) throws -> Bool? {
        guard let raw = string(name)?.lowercased() else { return nil }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ValidationError("\(name) must be true or false, got '\(raw)'")
        }
    }

    func int(_ name: String) throws -> Int? {
        guard let raw = string(name) else { return nil }
        guard let value = Int(raw) else { throw ValidationError("\(name) must be an integer, got '\(raw)'") }
        return value
    }
}
