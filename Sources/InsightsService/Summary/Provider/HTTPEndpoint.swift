import Foundation

/// Where a chat completions endpoint listens: an `http://host[:port]/path` address (plain
/// HTTP/1.1: a local model server, or a TLS-terminating proxy on the same host).
public struct HTTPEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The host name or address.
    public let host: String
    /// The TCP port (80 when the address names none).
    public let port: Int
    /// The request target, like `/v1/chat/completions`.
    public let path: String

    /// The endpoint of `url`.
    ///
    /// - Throws: ``ProviderError`` when it is not an absolute http address with a host.
    public init(url: String) throws {
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "http",
            let host = components.host, !host.isEmpty
        else { throw ProviderError("\(url) is not an http://host[:port]/path address") }
        self.host = host
        self.port = components.port ?? 80
        var path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }
        self.path = path
    }

    /// `http://host:port/path`.
    public var description: String { "http://\(host):\(port)\(path)" }
}

/// Why the provider could not give a summary; the text goes into the summary's fallback reason.
public struct ProviderError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let description: String

    init(_ description: String) { self.description = description }
}
