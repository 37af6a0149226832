import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Which `malloc` a `lithair serve` process runs on (`--allocator`, `LITHAIR_ALLOCATOR`).
enum AllocatorChoice: String, CaseIterable, Sendable {
    /// tcmalloc if it is installed, glibc's malloc otherwise (the default).
    case auto
    /// glibc's malloc.
    case system
    /// tcmalloc, or a startup error naming the library if it is not installed.
    case tcmalloc
}

/// Runs `lithair serve` on tcmalloc when it is installed.
///
/// A replicated write makes ~45 small allocations on the leader's event loop (request, command,
/// promise, answer), and with glibc's malloc, allocating and freeing took ~11 % of that
/// thread's time: fast bins consolidated, buffers freed by other threads. With tcmalloc
/// (Debian's `libtcmalloc-minimal4`) in `LD_PRELOAD`, `scripts/bench-ab` ran 0.97–1.22× the
/// writes per second of a 3-node cluster (median 1.06×, twelve rounds) at 0.83–1.03× the CPU
/// per write (median 0.95×). An allocator
/// is chosen when the process starts, and linking one in would make building need it too, so
/// `serve` finds the library and executes itself again with it preloaded.
enum AllocatorPreload {
    static let library = "libtcmalloc_minimal.so.4"
    static let directories = [
        "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib",
    ]

    /// The installed library's path, if any.
    static func installedLibrary(fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) })
        -> String?
    {
        directories.map { $0 + "/" + library }.first(where: fileExists)
    }

    /// The environment to execute `serve` again with, or `nil` to go on in this process.
    ///
    /// A process whose `LD_PRELOAD` names the library already asked for it: it runs on it, or
    /// the loader refused it (and said so); either way it must not execute itself again.
    static func relaunchEnvironment(
        for choice: AllocatorChoice, environment: [String: String], installed: String?
    ) throws -> [String: String]? {
        guard choice != .system else { return nil }
        guard let installed else {
            guard choice == .auto else {
                throw ValidationError(
                    "--allocator tcmalloc: \(library) is not in \(directories.joined(separator: ", ")) "
                        + "(Debian package libtcmalloc-minimal4)")
            }
            return nil
        }
        let preload = environment["LD_PRELOAD"] ?? ""
        let preloaded = preload.split(whereSeparator: { $0 == ":" || $0 == " " })
        guard !preloaded.contains(where: { $0.hasSuffix(library) }) else { return nil }
        var relaunched = environment
        relaunched["LD_PRELOAD"] = preload.isEmpty ? installed : installed + ":" + preload
        return relaunched
    }

    /// Whether tcmalloc serves this process's allocations.
    static var isActive: Bool {
        #if os(Linux)
            // RTLD_DEFAULT: the symbol as the program's own lookups find it.
            return dlsym(UnsafeMutableRawPointer(bitPattern: 0), "tc_malloc") != nil
        #else
            return false
        #endif
    }

    /// Replaces this process (same pid, same arguments) with the same binary run with
    /// `environment`. Returns only if that failed, with the reason.
    static func relaunch(environment: [String: String]) -> String {
        #if os(Linux)
            let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
            let variables = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            execve("/proc/self/exe", arguments, variables)
            let reason = String(cString: strerror(errno))
            for pointer in arguments + variables { free(pointer) }
            return reason
        #else
            return "not supported on this platform"
        #endif
    }
}
