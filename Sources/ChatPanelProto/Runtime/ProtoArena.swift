import CChatPanelProto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A bump allocator for the C structures of one message being encoded or decoded; everything
/// is freed at once when the arena goes away, or handed out again after ``reset()``.
///
/// Each thread keeps one arena for its encodes (``withThreadArena(_:)``), whose memory is handed
/// out zeroed, and one for its decodes (``withThreadDecodeArena(_:)``), which protobuf-c unpacks
/// into (it initialises what it allocates): a message costs no `malloc` or `free` once the
/// thread has handled one of that size.
final class ProtoArena {
    private static let chunkSize = 4096
    /// A first chunk larger than this is not kept for the next encode.
    private static let keptChunkSize = 64 * 1024
    @exclusivity(unchecked) private var chunks: [UnsafeMutableRawPointer] = []
    /// The size of `chunks[0]`.
    @exclusivity(unchecked) private var firstChunkSize = 0
    @exclusivity(unchecked) private var cursor: UnsafeMutableRawPointer? = nil
    @exclusivity(unchecked) private var remaining = 0
    /// Whether an encode on this thread holds the arena.
    @exclusivity(unchecked) private var inUse = false

    /// Whether reset zeroes what was handed out (encoding needs zeroed structures).
    private let zeroes: Bool

    init(zeroes: Bool = true) {
        self.zeroes = zeroes
    }

    deinit {
        for chunk in chunks { free(chunk) }
    }

    /// Runs `body` with this thread's arena, reset afterwards for the next encode (a fresh arena
    /// when the thread's is in use).
    static func withThreadArena<R>(_ body: (ProtoArena) throws -> R) rethrows -> R {
        try ThreadArena.encoding.lend(fresh: { ProtoArena() }, body)
    }

    /// Runs `body` with this thread's decoding arena (memory handed out as is), reset afterwards.
    static func withThreadDecodeArena<R>(_ body: (ProtoArena) throws -> R) rethrows -> R {
        try ThreadArena.decoding.lend(fresh: { ProtoArena(zeroes: false) }, body)
    }

    /// Runs `body` with this arena, reset afterwards; with a fresh one when this one is in use.
    private func lend<R>(fresh: () -> ProtoArena, _ body: (ProtoArena) throws -> R) rethrows -> R {
        guard !inUse else { return try body(fresh()) }
        inUse = true
        defer {
            reset()
            inUse = false
        }
        return try body(self)
    }

    /// A protobuf-c allocator that takes its memory from this arena; its `free` does nothing
    /// (everything goes at the next ``reset()``). Valid while the arena lives.
    var allocator: ProtobufCAllocator {
        ProtobufCAllocator(
            alloc: { data, size in
                // The arena outlives every allocation it serves: borrowed without a retain and a
                // release around each one (protobuf-c allocates once per sub-message and string).
                Unmanaged<ProtoArena>.fromOpaque(data!)._withUnsafeGuaranteedRef { $0.allocateUninitialized(size) }
            },
            free: { _, _ in },
            allocator_data: Unmanaged.passUnretained(self).toOpaque())
    }

    /// Zeroes what was handed out and keeps the first chunk (unless it is large) for the next
    /// encode; later chunks are freed.
    func reset() {
        guard let first = chunks.first else { return }
        if chunks.count == 1, firstChunkSize <= Self.keptChunkSize {
            if zeroes { memset(first, 0, firstChunkSize - remaining) }
        } else if firstChunkSize <= Self.keptChunkSize {
            for chunk in chunks.dropFirst() { free(chunk) }
            chunks.removeSubrange(1...)
            if zeroes { memset(first, 0, firstChunkSize) }
        } else {
            for chunk in chunks { free(chunk) }
            chunks.removeAll(keepingCapacity: true)
            cursor = nil
            remaining = 0
            firstChunkSize = 0
            return
        }
        cursor = first
        remaining = firstChunkSize
    }

    /// Zeroed memory of `size` bytes aligned to 16 (from an arena that zeroes).
    func allocate(_ size: Int) -> UnsafeMutableRawPointer {
        precondition(zeroes, "a decoding arena hands out memory as is")
        return allocateUninitialized(size)
    }

    /// Memory of `size` bytes aligned to 16: zeroed in an arena that zeroes, else as it was left.
    func allocateUninitialized(_ size: Int) -> UnsafeMutableRawPointer {
        let rounded = max(16, (size + 15) & ~15)
        if rounded > remaining {
            let chunk = max(Self.chunkSize, rounded)
            guard let memory = zeroes ? calloc(1, chunk) : malloc(chunk) else { fatalError("out of memory") }
            if chunks.isEmpty { firstChunkSize = chunk }
            chunks.append(memory)
            cursor = memory
            remaining = chunk
        }
        let result = cursor!
        cursor = result + rounded
        remaining -= rounded
        return result
    }

    /// A zeroed array of `count` values of `T`.
    func allocateArray<T>(of type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        allocate(MemoryLayout<T>.stride * max(count, 1)).bindMemory(to: T.self, capacity: max(count, 1))
    }

    /// A protobuf-c message of the given descriptor, initialised to its defaults.
    func makeMessage(_ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) -> UnsafeMutableRawPointer {
        let memory = allocate(descriptor.pointee.sizeof_message)
        let message = memory.bindMemory(to: ProtobufCMessage.self, capacity: 1)
        if let initialise = descriptor.pointee.message_init {
            initialise(message)
        } else {
            protobuf_c_message_init(descriptor, memory)
        }
        return memory
    }

    /// A NUL-terminated copy of the string; nil when the string holds a NUL itself.
    func cString(_ string: String) -> UnsafeMutablePointer<CChar>? {
        var copy = string
        return copy.withUTF8 { utf8 -> UnsafeMutablePointer<CChar>? in
            let memory = allocateArray(of: CChar.self, count: utf8.count + 1)
            if let base = utf8.baseAddress {
                // memchr looks for the NUL a word at a time, where a loop over the bytes takes
                // three instructions a byte.
                if memchr(base, 0, utf8.count) != nil { return nil }
                UnsafeMutableRawPointer(memory).copyMemory(from: base, byteCount: utf8.count)
            }
            memory[utf8.count] = 0
            return memory
        }
    }

    /// A copy of the bytes as protobuf-c binary data.
    func binary(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        guard !bytes.isEmpty else { return ProtobufCBinaryData(len: 0, data: nil) }
        let memory = allocateArray(of: UInt8.self, count: bytes.count)
        bytes.withUnsafeBufferPointer { source in
            memory.update(from: source.baseAddress!, count: source.count)
        }
        return ProtobufCBinaryData(len: bytes.count, data: memory)
    }
}

/// The arenas of each thread, made on its first encode or decode and freed when the thread ends.
private enum ThreadArena {
    private static func makeKey() -> pthread_key_t {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<ProtoArena>.fromOpaque(pointer).release() }
        }
        precondition(status == 0, "pthread_key_create failed")
        return key
    }

    private static let encodingKey = makeKey()
    private static let decodingKey = makeKey()

    private static func arena(_ key: pthread_key_t, zeroes: Bool) -> ProtoArena {
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<ProtoArena>.fromOpaque(pointer).takeUnretainedValue()
        }
        let arena = ProtoArena(zeroes: zeroes)
        pthread_setspecific(key, Unmanaged.passRetained(arena).toOpaque())
        return arena
    }

    static var encoding: ProtoArena { arena(encodingKey, zeroes: true) }
    static var decoding: ProtoArena { arena(decodingKey, zeroes: false) }
}
