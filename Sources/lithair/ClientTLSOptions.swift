import ArgumentParser
import Foundation

/// `--tls-ca`, `--tls-cert`, `--tls-key` of the commands that talk to a running node.
struct ClientTLSOptions: ParsableArguments {
    @Option(help: "PEM CA to trust: talk HTTPS to a cluster served with --tls-ca (env LITHAIR_TLS_CA).")
    var tlsCA: String?

    @Option(
        help: """
            PEM certificate and key to present (--tls-cert, --tls-key; env LITHAIR_TLS_CERT, LITHAIR_TLS_KEY), \
            for a cluster with --tls-client-auth.
            """)
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert (env LITHAIR_TLS_KEY).")
    var tlsKey: String?

    /// The client these options (or the `LITHAIR_TLS_*` variables) describe; shut it down after use.
    func makeHTTP() throws -> NodeHTTP {
        let environment = ProcessInfo.processInfo.environment
        return try NodeHTTP(
            caFile: tlsCA ?? environment["LITHAIR_TLS_CA"], certificateFile: tlsCert ?? environment["LITHAIR_TLS_CERT"],
            keyFile: tlsKey ?? environment["LITHAIR_TLS_KEY"])
    }
}
