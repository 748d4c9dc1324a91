import Glibc

/// An IPv4 or IPv6 address, parsed with `inet_pton`.
struct IPAddress: Sendable, Hashable {
    /// The two families.
    enum Value: Sendable, Hashable {
        /// An IPv4 address as a number (network order read as big-endian).
        case v4(UInt32)
        /// An IPv6 address as a number.
        case v6(UInt128)
    }

    /// The address.
    let value: Value

    /// The address written in `text` ("77.88.8.8", "2a02:6b8::feed:0ff"); nil when it is none.
    init?(_ text: String) {
        if text.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
            var number: UInt128 = 0
            withUnsafeBytes(of: &address) { bytes in
                for byte in bytes { number = number << 8 | UInt128(byte) }
            }
            value = .v6(number)
        } else {
            var address = in_addr()
            guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
            value = .v4(UInt32(bigEndian: address.s_addr))
        }
    }

    /// The IPv4 address an IPv4-mapped IPv6 address (`::ffff:8.8.8.8`, ::ffff:0:0/96) carries,
    /// as a dual-stack socket reports an IPv4 client; nil for any other address.
    var mappedIPv4: IPAddress? {
        guard case .v6(let number) = value, number >> 32 == 0xFFFF else { return nil }
        return IPAddress(value: .v4(UInt32(truncatingIfNeeded: number)))
    }

    private init(value: Value) {
        self.value = value
    }

    /// An IPv4 address written out ("8.8.8.8"); nil for an IPv6 one.
    var ipv4Text: String? {
        guard case .v4(let number) = value else { return nil }
        return [24, 16, 8, 0].map { String(number >> $0 & 0xFF) }.joined(separator: ".")
    }
}
