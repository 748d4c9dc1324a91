import CChatPanelProto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A bump allocator for the C structures of one message being encoded or decoded; everything
/// is freed at once when the arena goes away, or handed out again after ``reset()``.
///
/// Each thread keeps one arena for its encodes (``withThreadArena(_:)``) and one for its decodes
/// (``withThreadDecodeArena(_:)``), which protobuf-c unpacks into: a message costs no `malloc` or
/// `free` once the thread has handled one of that size.
///
/// Memory is handed out as it was left, never zeroed: everything written into an arena is
/// written whole before it is read. A message is set to its defaults by its descriptor's
/// `message_init` (a copy of the whole structure), a repeated field's array is filled element
/// by element, and a string or bytes field is copied in whole; protobuf-c initialises what it
/// unpacks. (Zeroing what an encode had used, at each reset, cost a write of every byte of
/// every string and payload encoded: 3 000 instructions for a 3 KiB call on each side.)
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

    init() {}

    deinit {
        for chunk in chunks { free(chunk) }
    }

    /// Runs `body` with this thread's arena, reset afterwards for the next encode (a fresh arena
    /// when the thread's is in use).
    static func withThreadArena<R>(_ body: (ProtoArena) throws -> R) rethrows -> R {
        try ThreadArena.encoding.lend(body)
    }

    /// Runs `body` with this thread's decoding arena, reset afterwards (a fresh arena when the
    /// thread's is in use).
    static func withThreadDecodeArena<R>(_ body: (ProtoArena) throws -> R) rethrows -> R {
        try ThreadArena.decoding.lend(body)
    }

    /// Runs `body` with this arena, reset afterwards; with a fresh one when this one is in use.
    private func lend<R>(_ body: (ProtoArena) throws -> R) rethrows -> R {
        guard !inUse else { return try body(ProtoArena()) }
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
                Unmanaged<ProtoArena>.fromOpaque(data!)._withUnsafeGuaranteedRef { $0.allocate(size) }
            },
            free: { _, _ in },
            allocator_data: Unmanaged.passUnretained(self).toOpaque())
    }

    /// Keeps the first chunk (unless it is large) for the next use; later chunks are freed.
    func reset() {
        guard let first = chunks.first else { return }
        if firstChunkSize > Self.keptChunkSize {
            for chunk in chunks { free(chunk) }
            chunks.removeAll(keepingCapacity: true)
            cursor = nil
            remaining = 0
            firstChunkSize = 0
            return
        }
        if chunks.count > 1 {
            for chunk in chunks.dropFirst() { free(chunk) }
            chunks.removeSubrange(1...)
        }
        cursor = first
        remaining = firstChunkSize
    }

    /// Memory of `size` bytes aligned to 16, as it was left (see the type's comment).
    func allocate(_ size: Int) -> UnsafeMutableRawPointer {
        let rounded = max(16, (size + 15) & ~15)
        if rounded > remaining {
            let chunk = max(Self.chunkSize, rounded)
            guard let memory = malloc(chunk) else { fatalError("out of memory") }
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

    /// An array of `count` values of `T`, for the caller to fill.
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

    private static func arena(_ key: pthread_key_t) -> ProtoArena {
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<ProtoArena>.fromOpaque(pointer).takeUnretainedValue()
        }
        let arena = ProtoArena()
        pthread_setspecific(key, Unmanaged.passRetained(arena).toOpaque())
        return arena
    }

    static var encoding: ProtoArena { arena(encodingKey) }
    static var decoding: ProtoArena { arena(decodingKey) }
}
