import LithairConsensus

/// Per-seed fault intensities, so some seeds are gentle and others brutal.
struct FaultProfile: CustomStringConvertible {
    enum Style: String {
        /// Every kind of fault at random intensities.
        case mixed
        /// Few network faults but leaders die at the worst moments (right after being elected,
        /// right after committing): the schedules of Raft's figure 8.
        case leaderChurn
    }

    var style: Style
    var network: NetworkFaults
    var crashRate: Double
    var crashAfterCommitRate: Double
    var crashAfterElectionRate: Double
    var partitionRate: Double
    var healRate: Double

    init(random: inout SplitMix64) {
        style = random.next() % 4 == 0 ? .leaderChurn : .mixed
        network = NetworkFaults(
            dropRate: [0, 0.02, 0.1, 0.2].randomElement(using: &random)!,
            duplicateRate: [0, 0.02, 0.05].randomElement(using: &random)!,
            maxDelay: [0, 1, 3, 6].randomElement(using: &random)!)
        crashRate = [0.005, 0.01, 0.02].randomElement(using: &random)!
        crashAfterCommitRate = [0, 0.02, 0.1].randomElement(using: &random)!
        crashAfterElectionRate = [0, 0.05, 0.2].randomElement(using: &random)!
        partitionRate = [0.005, 0.01, 0.03].randomElement(using: &random)!
        healRate = [0.02, 0.05, 0.1].randomElement(using: &random)!
        if style == .leaderChurn {
            network = NetworkFaults(maxDelay: network.maxDelay / 3)
            crashAfterCommitRate = 0.5
            crashAfterElectionRate = 0.5
            partitionRate = 0.005
        }
    }

    var description: String {
        "\(style) drop=\(network.dropRate) dup=\(network.duplicateRate) delay≤\(network.maxDelay) crash=\(crashRate) "
            + "crashAfterCommit=\(crashAfterCommitRate) crashAfterElection=\(crashAfterElectionRate) "
            + "partition=\(partitionRate) heal=\(healRate)"
    }
}
