import Foundation
import NIOSSL

/// HTTPS for everything a node serves and sends: client requests and node-to-node traffic.
///
/// A node serves its certificate; peers verify it against `caFile` (the cluster's own CA,
/// so a node can only be impersonated with a key that CA signed) including the host name or
/// IP address they dial, and present the same certificate if asked. With
/// `requireClientCertificates`, every connection must present a certificate that chains to
/// `caFile` (mutual TLS), clients included. `/_raft/*` still also needs the cluster secret.
public struct TLSSettings: Sendable, Equatable {
    /// PEM: this node's certificate, then any intermediates.
    public var certificateFile: String
    /// PEM: the certificate's private key.
    public var privateKeyFile: String
    /// PEM: the certificates peers' certificates must chain to; `nil` trusts the system's roots.
    public var caFile: String?
    /// Refuse connections that present no certificate signed by `caFile`.
    public var requireClientCertificates = false

    /// HTTPS with `certificateFile` and `privateKeyFile`, peers checked against `caFile`.
    public init(
        certificateFile: String, privateKeyFile: String, caFile: String?, requireClientCertificates: Bool = false
    ) {
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.caFile = caFile
        self.requireClientCertificates = requireClientCertificates
    }
}

/// ``TLSSettings`` with its files loaded: what the server and the peer clients use.
struct LoadedTLS: Sendable {
    let server: TLSConfiguration
    let client: TLSConfiguration
    /// For ``PeerConnection``: one context, built once, for every connection.
    let clientContext: NIOSSLContext

    /// The URL scheme of a node with `tls` (or without).
    static func scheme(_ tls: LoadedTLS?) -> String { tls == nil ? "http" : "https" }

    /// Loads the files.
    ///
    /// - Throws: ``ConfigurationError`` naming the file that is missing or not valid PEM, or a
    ///   key that does not match its certificate.
    init(_ settings: TLSSettings) throws(ConfigurationError) {
        let chain = try Self.load("certificate", settings.certificateFile) {
            try NIOSSLCertificate.fromPEMFile($0)
        }
        guard !chain.isEmpty else {
            throw ConfigurationError(message: "TLS certificate file \(settings.certificateFile) holds no certificate")
        }
        let key = try Self.load("private key", settings.privateKeyFile) {
            try NIOSSLPrivateKey(file: $0, format: .pem)
        }
        var roots: NIOSSLTrustRoots?
        if let file = settings.caFile {
            let certificates = try Self.load("CA", file) { try NIOSSLCertificate.fromPEMFile($0) }
            guard !certificates.isEmpty else {
                throw ConfigurationError(message: "TLS CA file \(file) holds no certificate")
            }
            roots = .certificates(certificates)
        }

        var server = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        server.minimumTLSVersion = .tlsv12
        // How long closing a connection waits for the other side's close_notify. A peer's
        // connection can end with a plain TCP close and no close_notify; the server then sat
        // half-closed for the whole 5 s default, and every node shutdown took 5 s.
        server.shutdownTimeout = .milliseconds(200)
        if let roots { server.trustRoots = roots }
        // Clients have no name a server could check; their certificate must chain to the CA.
        server.certificateVerification = settings.requireClientCertificates ? .noHostnameVerification : .none

        var client = TLSConfiguration.makeClientConfiguration()
        client.minimumTLSVersion = .tlsv12
        if let roots { client.trustRoots = roots }
        client.certificateChain = chain.map { .certificate($0) }
        client.privateKey = .privateKey(key)
        client.certificateVerification = .fullVerification

        self.server = server
        self.client = client
        do {
            // Building a context checks that the key belongs to the certificate.
            _ = try NIOSSLContext(configuration: server)
            clientContext = try NIOSSLContext(configuration: client)
        } catch {
            throw ConfigurationError(
                message:
                    "TLS certificate \(settings.certificateFile) and key \(settings.privateKeyFile) cannot be used: \(error)"
            )
        }
    }

    private static func load<T>(_ what: String, _ file: String, _ read: (String) throws -> T) throws(ConfigurationError)
        -> T
    {
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw ConfigurationError(message: "TLS \(what) file \(file) does not exist or cannot be read")
        }
        do {
            return try read(file)
        } catch {
            throw ConfigurationError(message: "TLS \(what) file \(file) is not valid PEM: \(error)")
        }
    }
}
