import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Loopback ports and the processes behind them.
enum VerifyPorts {
    /// A port the kernel says is free on 127.0.0.1.
    static func free() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw VerifyError("socket() failed") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(socket, pointer, length) == 0 && getsockname(socket, pointer, &length) == 0
            }
        }
        guard bound else { throw VerifyError("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The pid of the local process listening on `port`, found with `ss` (nil when the
    /// member runs elsewhere or `ss` cannot tell).
    static func listeningProcess(port: Int) async -> Int32? {
        let result = await CommandRunner.run(["ss", "-Hltnp", "sport = :\(port)"])
        guard result.succeeded, let range = result.output.range(of: "pid=") else { return nil }
        return Int32(result.output[range.upperBound...].prefix { $0.isNumber })
    }
}
