/// Why a message could not be decoded or encoded.
///
/// Decoding errors name the offending field where the bytes allow it, so that an RPC server can
/// answer INVALID_ARGUMENT with a field violation.
public struct ProtoCodingError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: Hashable, Sendable {
        case malformed
        case invalidUTF8
        case embeddedNUL
        case tooDeep(limit: Int)
    }

    private let kind: Kind
    /// The dotted path of the field at fault (`inner.label`), or empty when unknown.
    public let field: String

    private init(_ kind: Kind, field: String) {
        self.kind = kind
        self.field = field
    }

    /// The bytes are not a valid encoding of the message.
    public static func malformed(field: String = "") -> Self { Self(.malformed, field: field) }
    /// A string field holds bytes that are not UTF-8.
    public static func invalidUTF8(field: String) -> Self { Self(.invalidUTF8, field: field) }
    /// A string field holds U+0000, which protobuf-c would silently cut short.
    public static func embeddedNUL(field: String) -> Self { Self(.embeddedNUL, field: field) }
    /// Messages are nested deeper than the decoder allows.
    public static func tooDeep(field: String, limit: Int) -> Self { Self(.tooDeep(limit: limit), field: field) }

    /// The same error with its field path prefixed by `parent`, the field holding the message.
    @usableFromInline func nested(under parent: String) -> Self {
        Self(kind, field: field.isEmpty ? parent : "\(parent).\(field)")
    }

    /// What is wrong, without the field name.
    public var reason: String {
        switch kind {
        case .malformed: "is not a valid protobuf encoding"
        case .invalidUTF8: "is not valid UTF-8"
        case .embeddedNUL: "contains a NUL character"
        case .tooDeep(let limit): "nests messages deeper than \(limit) levels"
        }
    }

    public var description: String {
        field.isEmpty ? "message \(reason)" : "\(field) \(reason)"
    }
}

/// Bounds applied while decoding untrusted bytes.
public struct ProtoDecodingLimits: Sendable, Hashable {
    /// How deep messages may nest inside the top-level one.
    public var maxDepth: Int

    /// Limits with a nesting depth bound.
    public init(maxDepth: Int = 32) {
        self.maxDepth = maxDepth
    }

    /// 32 levels: far more than any ChatPanel message needs, far less than a stack overflow.
    public static let `default` = ProtoDecodingLimits()
}
