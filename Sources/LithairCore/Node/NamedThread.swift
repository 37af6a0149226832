import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Starts a dedicated thread named `name` where the OS shows it too (`top -H`, `perf`,
/// `/proc/<pid>/task/*/comm`).
///
/// On Linux, Foundation keeps `Thread.name` to itself, so without this every dedicated
/// thread looks like the thread that started it in per-thread CPU figures.
func startNamedThread(_ name: String, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread {
        nameCurrentThreadForTheOS(name)
        body()
    }
    thread.name = name
    thread.start()
}

/// Linux keeps 15 bytes of a thread's name; `pthread_setname_np` is not visible to Swift, the
/// `comm` file of `/proc/thread-self` is the same setting. Best effort: a failure changes nothing.
private func nameCurrentThreadForTheOS(_ name: String) {
    #if os(Linux)
        let descriptor = open("/proc/thread-self/comm", O_WRONLY)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    #endif
}
