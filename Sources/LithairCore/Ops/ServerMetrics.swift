import CoreMetrics
import Prometheus
import Synchronization

/// The server's metrics, recorded through swift-metrics into a Prometheus registry of its own.
///
/// Each server owns its registry instead of bootstrapping the process-wide `MetricsSystem`,
/// so several servers can live in one process (tests do) and `/metrics` shows only its own.
public final class ServerMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let eventsAppended: CoreMetrics.Counter
    private let fsyncDuration: CoreMetrics.Timer
    private let batchSize: CoreMetrics.Recorder
    private let snapshots: CoreMetrics.Counter
    private let snapshotDuration: CoreMetrics.Timer
    private let raftTerm: CoreMetrics.Gauge
    private let raftIsLeader: CoreMetrics.Gauge
    private let raftCommitIndex: CoreMetrics.Gauge
    private let raftAppliedIndex: CoreMetrics.Gauge
    private let followerLag = Mutex<[String: CoreMetrics.Gauge]>([:])
    private let requestMetrics = Mutex<[RequestKey: (count: CoreMetrics.Counter, duration: CoreMetrics.Timer)]>([:])

    private struct RequestKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    /// Creates a fresh registry with every metric at zero.
    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        let latencyBuckets: [Duration] = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
        factory.defaultDurationHistogramBuckets = latencyBuckets
        factory.valueHistogramBuckets["lithair_wal_batch_size"] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
        self.factory = factory
        eventsAppended = CoreMetrics.Counter(label: "lithair_events_appended_total", factory: factory)
        fsyncDuration = CoreMetrics.Timer(label: "lithair_wal_fsync_duration_seconds", factory: factory)
        batchSize = CoreMetrics.Recorder(label: "lithair_wal_batch_size", factory: factory)
        snapshots = CoreMetrics.Counter(label: "lithair_snapshots_total", factory: factory)
        snapshotDuration = CoreMetrics.Timer(label: "lithair_snapshot_duration_seconds", factory: factory)
        raftTerm = CoreMetrics.Gauge(label: "lithair_raft_term", factory: factory)
        raftIsLeader = CoreMetrics.Gauge(label: "lithair_raft_is_leader", factory: factory)
        raftCommitIndex = CoreMetrics.Gauge(label: "lithair_raft_commit_index", factory: factory)
        raftAppliedIndex = CoreMetrics.Gauge(label: "lithair_raft_applied_index", factory: factory)
    }

    /// The consensus state after a turn of the Raft loop; `lags` is per follower address (leader only).
    func recordRaft(term: UInt64, isLeader: Bool, commit: UInt64, applied: UInt64, lags: [String: UInt64]) {
        raftTerm.record(Double(term))
        raftIsLeader.record(isLeader ? 1 : 0)
        raftCommitIndex.record(Double(commit))
        raftAppliedIndex.record(Double(applied))
        let gauges = followerLag.withLock { cache in
            lags.map { address, lag in
                let gauge =
                    cache[address]
                    ?? CoreMetrics.Gauge(
                        label: "lithair_raft_follower_lag", dimensions: [("follower", address)], factory: factory)
                cache[address] = gauge
                return (gauge, lag)
            }
        }
        for (gauge, lag) in gauges { gauge.record(Double(lag)) }
    }

    /// One log append of `batchSize` events made durable by one fsync that took `duration`.
    func recordFsync(_ duration: Duration, batchSize size: Int) {
        eventsAppended.increment(by: size)
        fsyncDuration.recordNanoseconds(duration.nanoseconds)
        batchSize.record(size)
    }

    func recordSnapshot(_ duration: Duration) {
        snapshots.increment()
        snapshotDuration.recordNanoseconds(duration.nanoseconds)
    }

    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        let key = RequestKey(route: route, method: method, status: status)
        let metrics = requestMetrics.withLock { cache in
            if let metrics = cache[key] { return metrics }
            let dimensions = [("route", route), ("method", method), ("status", String(status))]
            let metrics = (
                CoreMetrics.Counter(label: "lithair_http_requests_total", dimensions: dimensions, factory: factory),
                CoreMetrics.Timer(
                    label: "lithair_http_request_duration_seconds", dimensions: Array(dimensions.prefix(2)),
                    factory: factory)
            )
            cache[key] = metrics
            return metrics
        }
        metrics.count.increment()
        metrics.duration.recordNanoseconds(duration.nanoseconds)
    }

    /// The Prometheus text exposition of every metric.
    public func render() -> [UInt8] { registry.emitToBuffer() }
}

extension Duration {
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
