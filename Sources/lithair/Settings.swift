import ArgumentParser
import Logging

/// `serve`'s options after merging flags over `LITHAIR_*` environment variables.
struct Settings {
    var host: String
    var port: Int
    var dataDir: String
    var batchSize: Int?
    var flushIntervalMs: Int?
    var snapshotEvery: Int?
    var maxBodyBytes: Int?
    var logLevel: Logger.Level

    init(command: ServeCommand, environment: [String: String]) throws {
        let env = EnvironmentReader(environment: environment)
        host = command.host ?? env.string("LITHAIR_HOST") ?? "127.0.0.1"
        port = try command.port ?? env.int("LITHAIR_PORT") ?? 8080
        dataDir = command.dataDir ?? env.string("LITHAIR_DATA_DIR") ?? "./data"
        batchSize = try command.batchSize ?? env.int("LITHAIR_BATCH_SIZE")
        flushIntervalMs = try command.flushIntervalMs ?? env.int("LITHAIR_FLUSH_INTERVAL_MS")
        snapshotEvery = try command.snapshotEvery ?? env.int("LITHAIR_SNAPSHOT_EVERY")
        maxBodyBytes = try command.maxBodyBytes ?? env.int("LITHAIR_MAX_BODY_BYTES")
        let level = command.logLevel ?? env.string("LITHAIR_LOG_LEVEL") ?? "info"
        guard let parsed = Logger.Level(rawValue: level) else {
            throw ValidationError("log level must be one of trace, debug, info, notice, warning, error, critical")
        }
        logLevel = parsed
        guard (0...65535).contains(port) else { throw ValidationError("port must be 0...65535, got \(port)") }
    }
}

/// Reads `LITHAIR_*` variables, rejecting values that do not parse instead of ignoring them.
struct EnvironmentReader {
    let environment: [String: String]

    func string(_ name: String) -> String? {
        environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    func int(_ name: String) throws -> Int? {
        guard let raw = string(name) else { return nil }
        guard let value = Int(raw) else { throw ValidationError("\(name) must be an integer, got '\(raw)'") }
        return value
    }
}
