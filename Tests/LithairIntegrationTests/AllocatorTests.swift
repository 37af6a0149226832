import ArgumentParser
import Foundation
import Testing

@testable import lithair

@Suite("lithair serve's memory allocator")
struct AllocatorTests {
    private let installed = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"

    @Test("--allocator wins over LITHAIR_ALLOCATOR; auto by default; anything else is an error")
    func choice() throws {
        func choice(_ arguments: [String], _ environment: [String: String] = [:]) throws -> AllocatorChoice {
            try Settings(command: ServeCommand.parse(arguments), environment: environment).allocator
        }
        #expect(try choice([]) == .auto)
        #expect(try choice([], ["LITHAIR_ALLOCATOR": "system"]) == .system)
        #expect(try choice(["--allocator", "tcmalloc"], ["LITHAIR_ALLOCATOR": "system"]) == .tcmalloc)
        #expect(throws: ValidationError.self) { try choice(["--allocator", "jemalloc"]) }
    }

    @Test("relaunch with tcmalloc preloaded, ahead of what LD_PRELOAD held, unless asked for already or not wanted")
    func relaunchEnvironment() throws {
        let auto = try AllocatorPreload.relaunchEnvironment(
            for: .auto, environment: ["LITHAIR_PORT": "9000"], installed: installed)
        #expect(auto == ["LITHAIR_PORT": "9000", "LD_PRELOAD": installed])
        let kept = try AllocatorPreload.relaunchEnvironment(
            for: .tcmalloc, environment: ["LD_PRELOAD": "/opt/other.so"], installed: installed)
        #expect(kept?["LD_PRELOAD"] == installed + ":/opt/other.so")
        // Preloaded already (or refused by the loader): executing again would loop.
        #expect(
            try AllocatorPreload.relaunchEnvironment(
                for: .auto, environment: ["LD_PRELOAD": "/opt/other.so " + installed], installed: installed) == nil)
        #expect(try AllocatorPreload.relaunchEnvironment(for: .system, environment: [:], installed: installed) == nil)
        #expect(try AllocatorPreload.relaunchEnvironment(for: .auto, environment: [:], installed: nil) == nil)
        #expect(throws: ValidationError.self) {
            try AllocatorPreload.relaunchEnvironment(for: .tcmalloc, environment: [:], installed: nil)
        }
    }

    @Test("the library is looked for in the system's library directories")
    func search() {
        #expect(AllocatorPreload.installedLibrary { $0 == installed } == installed)
        #expect(AllocatorPreload.installedLibrary { _ in false } == nil)
    }

    @Test("a serve process runs on tcmalloc exactly when it is installed and not turned off, and serves writes")
    func processRunsOnTcmalloc() async throws {
        let expected = AllocatorPreload.installedLibrary() != nil
        for (environment, tcmalloc) in [([:], expected), (["LITHAIR_ALLOCATOR": "system"], false)] {
            let directory = temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let server = try LithairProcess(dataDirectory: directory, environment: environment)
            try await server.waitUntilReady()
            // /proc files have no size: read to the end (a one-shot read stops at the first page).
            let maps = FileHandle(forReadingAtPath: "/proc/\(server.process.processIdentifier)/maps")?
                .readDataToEndOfFile()
            let libraries = String(decoding: maps ?? Data(), as: UTF8.self)
            #expect(libraries.contains("/libtcmalloc_minimal.so") == tcmalloc, "environment \(environment)")
            let created = try await HTTP.request(
                .POST, server.baseURL + "/api/products", json: #"{"name":"lamp","price":12.5}"#)
            #expect(created.status == .created)
            server.signal(SIGTERM)
            #expect(try await server.waitForExit() == 0)
        }
    }

    @Test("--allocator tcmalloc refuses to start without the library, or when the loader refuses it")
    func requiredButMissing() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Named in LD_PRELOAD already (so no relaunch), but not a library the loader can load.
        let bogus = directory + "/" + AllocatorPreload.library
        let server = try LithairProcess(
            dataDirectory: directory, arguments: ["--allocator", "tcmalloc"], environment: ["LD_PRELOAD": bogus])
        #expect(try await server.waitForExit() != 0)
        let reason = AllocatorPreload.installedLibrary() == nil ? "is not in" : "could not be preloaded"
        #expect(server.standardError().contains(reason))
    }
}
