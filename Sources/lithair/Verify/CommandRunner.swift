import Foundation

/// Runs short helper programs (`ip`, `iptables`, `ss`, `unshare`) and collects their output.
enum CommandRunner {
    struct Result: Sendable {
        var status: Int32
        var output: String
        var succeeded: Bool { status == 0 }
    }

    /// Runs `arguments[0]` (looked up in PATH) with the rest as arguments; stdout and stderr are
    /// merged. Waits on a background thread so the cooperative pool is never blocked.
    static func run(_ arguments: [String]) async -> Result {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: runBlocking(arguments))
            }
        }
    }

    /// The blocking form, for start-up checks before any task runs.
    static func runBlocking(_ arguments: [String]) -> Result {
        guard let path = locate(arguments[0]) else {
            return Result(status: 127, output: "\(arguments[0]): not found in PATH")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = Array(arguments.dropFirst())
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return Result(status: 126, output: "\(arguments[0]): \(error)")
        }
        // Read before waiting: a full pipe would otherwise block the child forever.
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// The absolute path of `program` in PATH (plus the sbin directories, which a non-login
    /// root shell may lack), or `nil`.
    static func locate(_ program: String) -> String? {
        if program.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return directories.map { $0 + "/" + program }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
