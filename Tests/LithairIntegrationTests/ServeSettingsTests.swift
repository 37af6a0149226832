import ArgumentParser
import NIOCore
import Testing

@testable import lithair

@Suite("lithair serve settings")
struct ServeSettingsTests {
    private func settings(_ arguments: [String], _ environment: [String: String] = [:]) throws -> Settings {
        try Settings(command: ServeCommand.parse(arguments), environment: environment)
    }

    @Test("event loops: the flag wins over LITHAIR_EVENT_LOOPS, half the cores by default, NIO's own variable kept")
    func eventLoops() throws {
        #expect(try settings(["--event-loops", "3"], ["LITHAIR_EVENT_LOOPS": "2"]).eventLoops == 3)
        #expect(try settings([], ["LITHAIR_EVENT_LOOPS": "2"]).eventLoops == 2)
        #expect(try settings([]).eventLoops == max(1, System.coreCount / 2))
        #expect(try settings([], ["NIO_SINGLETON_GROUP_LOOP_COUNT": "4"]).eventLoops == nil)
        #expect(throws: ValidationError.self) { try settings(["--event-loops", "0"]) }
        #expect(throws: ValidationError.self) { try settings([], ["LITHAIR_EVENT_LOOPS": "5000"]) }
    }
}
