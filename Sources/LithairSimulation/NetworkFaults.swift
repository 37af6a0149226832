/// How unreliable the simulated network is.
public struct NetworkFaults: Sendable, Hashable {
    /// Probability that a message is lost.
    public var dropRate: Double
    /// Probability that a message is delivered twice.
    public var duplicateRate: Double
    /// Maximum extra delay in ticks (uniform in `0...maxDelay`); delays also reorder messages.
    public var maxDelay: UInt64

    /// Creates a fault profile. The default is a perfect network.
    public init(dropRate: Double = 0, duplicateRate: Double = 0, maxDelay: UInt64 = 0) {
        self.dropRate = dropRate
        self.duplicateRate = duplicateRate
        self.maxDelay = maxDelay
    }
}

/// A directed network link.
public struct Link: Sendable, Hashable {
    /// Sender side.
    public var from: UInt64
    /// Receiver side.
    public var to: UInt64

    /// Creates a link.
    public init(from: UInt64, to: UInt64) {
        self.from = from
        self.to = to
    }
}
