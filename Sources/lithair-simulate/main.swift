// lithair-simulate: runs the deterministic Raft simulator over many seeds.
//
//   lithair-simulate --seeds 100000 [--start 0] [--nodes 3|5] [--jobs 2]
//   lithair-simulate --seed 1234            # replay one seed with a full trace
//   add --membership on to every run to add and remove voters during the chaos
//
// Standard library only: arguments are parsed by hand.
import LithairSimulation

struct Arguments {
    var seeds: UInt64 = 1000
    var start: UInt64 = 0
    var replaySeed: UInt64?
    var nodes: Int?
    var jobs = 2
    var membership = false

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else { Arguments.usage("missing value for \(flag)") }
            switch flag {
            case "--seeds": seeds = Arguments.number(value, flag)
            case "--start": start = Arguments.number(value, flag)
            case "--seed": replaySeed = Arguments.number(value, flag)
            case "--jobs": jobs = max(1, Int(Arguments.number(value, flag)))
            case "--membership":
                guard value == "on" || value == "off" else { Arguments.usage("--membership must be on or off") }
                membership = value == "on"
            case "--nodes":
                guard value == "3" || value == "5" else { Arguments.usage("--nodes must be 3 or 5") }
                nodes = Int(value)
            default: Arguments.usage("unknown option \(flag)")
            }
        }
    }

    static func number(_ text: String, _ flag: String) -> UInt64 {
        guard let value = UInt64(text) else { usage("\(flag) needs a non-negative integer, got \(text)") }
        return value
    }

    static func usage(_ problem: String) -> Never {
        print("error: \(problem)")
        print("usage: lithair-simulate [--seeds N] [--start S] [--nodes 3|5] [--jobs J] [--membership on] | --seed S")
        exit(2)
    }
}

@_silgen_name("exit") func exit(_ status: Int32) -> Never

let arguments = Arguments(CommandLine.arguments)

if let seed = arguments.replaySeed {
    let report = Simulation.run(
        SimulationOptions(
            seed: seed, nodeCount: arguments.nodes, tracing: true, membershipChanges: arguments.membership))
    for line in report.trace { print(line) }
    print("seed \(seed): \(report.setup)")
    print("ticks=\(report.ticks) acknowledged=\(report.acknowledgedProposals) committed=\(report.committedIndex)")
    if report.passed {
        print("PASS")
    } else {
        for violation in report.violations { print("VIOLATION: \(violation)") }
        exit(1)
    }
} else {
    let clock = ContinuousClock()
    let started = clock.now
    let end = arguments.start + arguments.seeds
    let jobs = UInt64(arguments.jobs)
    let nodes = arguments.nodes
    let membership = arguments.membership
    let replayFlags = (nodes.map { " --nodes \($0)" } ?? "") + (membership ? " --membership on" : "")
    // Each worker takes every `jobs`-th seed; results are independent, so order does not matter.
    let failures = await withTaskGroup(of: [SimulationReport].self) { group in
        for worker in 0..<jobs {
            group.addTask {
                var failed: [SimulationReport] = []
                var seed = arguments.start + worker
                while seed < end {
                    let report = Simulation.run(
                        SimulationOptions(seed: seed, nodeCount: nodes, membershipChanges: membership))
                    if !report.passed {
                        print("FAIL seed \(seed): \(report.violations[0])")
                        print("  replay: \(report.replayCommand)\(replayFlags)")
                        failed.append(report)
                    }
                    seed += jobs
                }
                return failed
            }
        }
        var all: [SimulationReport] = []
        for await failed in group { all += failed }
        return all
    }
    let elapsed = clock.now - started
    print("seeds run: \(arguments.seeds) (\(arguments.start)..<\(end)), nodes: \(nodes.map(String.init) ?? "3 and 5")")
    print("violations: \(failures.count)")
    print("elapsed: \(elapsed)")
    if !failures.isEmpty {
        print("failing seeds: \(failures.map(\.seed).sorted().map(String.init).joined(separator: " "))")
        exit(1)
    }
}
