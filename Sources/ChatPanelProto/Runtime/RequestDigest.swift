/// The fingerprint of the request payload being served, for idempotent mutations: the RPC
/// server sets it (FNV-1a, 64 bits, over the payload's bytes) around a handler whose call
/// carries a request id, and the store kit keeps it beside the first answer, so that a retry
/// with the same request id but another payload is refused instead of silently answered with
/// the first answer.
public enum RequestDigest {
    /// The digest of the current call's payload; nil outside a call with a request id.
    @TaskLocal public static var current: UInt64?

    /// FNV-1a (64 bits) of `bytes`.
    public static func of(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
