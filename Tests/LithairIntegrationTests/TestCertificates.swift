import AsyncHTTPClient
import Foundation
import NIOSSL

/// Certificate authorities and node certificates for one test, made with the `openssl`
/// command (Debian package `openssl`) in a temporary directory that removes itself.
final class TestCertificates: @unchecked Sendable {
    struct Issued {
        var certificate: String
        var key: String
    }

    let directory = temporaryDirectory()

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// A self-signed CA: its certificate and key files.
    func authority(_ name: String) throws -> Issued {
        let issued = Issued(certificate: "\(directory)/\(name).pem", key: "\(directory)/\(name)-key.pem")
        try openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", issued.key,
            "-out", issued.certificate, "-days", "2", "-subj", "/CN=\(name)",
        ])
        return issued
    }

    /// A certificate for 127.0.0.1 and localhost, for serving and for presenting as a client.
    func node(_ name: String, signedBy authority: Issued) throws -> Issued {
        let issued = Issued(certificate: "\(directory)/\(name).pem", key: "\(directory)/\(name)-key.pem")
        let request = "\(directory)/\(name).csr"
        let extensions = "\(directory)/\(name).ext"
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n"
            .write(toFile: extensions, atomically: true, encoding: .utf8)
        try openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", issued.key, "-out",
            request, "-subj", "/CN=\(name)",
        ])
        try openssl([
            "x509", "-req", "-in", request, "-CA", authority.certificate, "-CAkey", authority.key, "-CAcreateserial",
            "-out", issued.certificate, "-days", "2", "-extfile", extensions,
        ])
        return issued
    }

    /// The `lithair serve` arguments for serving with `node`, trusting `authority`.
    static func serveArguments(_ node: Issued, trusting authority: Issued) -> [String] {
        ["--tls-cert", node.certificate, "--tls-key", node.key, "--tls-ca", authority.certificate]
    }

    /// An HTTP client that trusts `authority` and, if given, presents `identity`.
    static func client(trusting authority: Issued, presenting identity: Issued? = nil) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(authority.certificate))
        if let identity {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(identity.certificate).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: identity.key, format: .pem))
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(2), read: .seconds(10))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw ProcessFailure(message: "openssl could not run (apt-get install -y openssl): \(error)")
        }
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ProcessFailure(
                message: "openssl \(arguments.prefix(2).joined(separator: " ")) failed: "
                    + String(decoding: output, as: UTF8.self))
        }
    }
}
