public import GRDB

#if canImport(Glibc)
import Glibc
#endif

extension Database {
    /// The statement of `sql`, prepared once per connection.
    ///
    /// On an event loop's read-only connection (``SQLiteStore/read(_:)`` called from an RPC
    /// handler) it comes from that connection's own cache, found without hashing the whole SQL
    /// text; anywhere else from GRDB's statement cache (`cachedStatement(sql:)`), which hashes
    /// the whole text on every use (about 1 000 instructions for a statement of 400 bytes).
    public func reusableStatement(sql: String) throws -> Statement {
        if let cache = StatementCache.current, cache.owner == ObjectIdentifier(self) {
            return try cache.statement(sql, in: self)
        }
        return try cachedStatement(sql: sql)
    }
}

/// The statements prepared on one connection, found by their SQL text: a look-up hashes the
/// text's length and nine words spread over it, and compares the whole text only with a
/// statement of the same fingerprint (for the same literal, the same string: compared at once).
///
/// Used by one connection's reads only, one at a time: the connection's serialized queue orders
/// them, so it needs no lock of its own.
final class StatementCache: @unchecked Sendable {
    // Touched by one read at a time (see above): no dynamic exclusivity checks.
    @exclusivity(unchecked) private var statements: [Key: Statement] = [:]
    /// The connection the statements belong to, set by its reader before each read.
    @exclusivity(unchecked) var owner: ObjectIdentifier?

    /// The statement of `sql`, prepared on `db` at its first use.
    func statement(_ sql: String, in db: Database) throws -> Statement {
        let key = Key(sql)
        if let statement = statements[key] { return statement }
        let statement = try db.makeStatement(sql: sql)
        statements[key] = statement
        return statement
    }

    /// The cache of the read running on this thread, if any.
    static var current: StatementCache? {
        guard let raw = pthread_getspecific(currentKey) else { return nil }
        return Unmanaged<StatementCache>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Runs `body` (a read on the cache's connection, on this thread) with the cache current.
    static func withCurrent<T>(_ cache: StatementCache, _ body: () throws -> T) rethrows -> T {
        let previous = pthread_getspecific(currentKey)
        pthread_setspecific(currentKey, Unmanaged.passUnretained(cache).toOpaque())
        defer { pthread_setspecific(currentKey, previous) }
        return try body()
    }

    /// A statement's SQL text with its fingerprint, computed once per look-up.
    struct Key: Hashable {
        let sql: String
        let fingerprint: Int

        init(_ sql: String) {
            self.sql = sql
            self.fingerprint = Self.fingerprint(of: sql)
        }

        static func == (lhs: Key, rhs: Key) -> Bool {
            lhs.fingerprint == rhs.fingerprint && lhs.sql == rhs.sql
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(fingerprint)
        }

        /// The text's length, and eight 8-byte words at even steps through it and its last
        /// word (every byte of a text shorter than 8). Texts that differ only elsewhere share a
        /// fingerprint, and are told apart by comparing them whole.
        static func fingerprint(of sql: String) -> Int {
            let prime: UInt64 = 0x100_0000_01B3
            var text = sql
            return text.withUTF8 { bytes in
                let count = bytes.count
                var hash = UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
                if count < 8 {
                    for byte in bytes { hash = (hash ^ UInt64(byte)) &* prime }
                } else {
                    let raw = UnsafeRawPointer(bytes.baseAddress!)
                    let step = (count - 8) / 8 + 1
                    var offset = 0
                    while offset <= count - 8 {
                        hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* prime
                        offset += step
                    }
                    hash = (hash ^ raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)) &* prime
                }
                return Int(truncatingIfNeeded: hash ^ (hash >> 29))
            }
        }
    }
}

/// The thread-specific slot of ``StatementCache/current``: it holds the cache unretained, for
/// the span of a read that keeps the cache alive.
private let currentKey: pthread_key_t = {
    var key = pthread_key_t()
    let created = pthread_key_create(&key, nil)
    precondition(created == 0, "pthread_key_create failed: \(created)")
    return key
}()
