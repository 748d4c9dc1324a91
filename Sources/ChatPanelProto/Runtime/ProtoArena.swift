import CChatPanelProto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A bump allocator for the C structures of one message being encoded; everything is freed
/// at once when the arena goes away, or handed out again zeroed after ``reset()``.
///
/// Each thread keeps one arena for its encodes (``withThreadArena(_:)``), so encoding a message
/// costs no `calloc` once the thread has encoded one of that size.
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
        let arena = ThreadArena.current
        guard !arena.inUse else { return try body(ProtoArena()) }
        arena.inUse = true
        defer {
            arena.reset()
            arena.inUse = false
        }
        return try body(arena)
    }

    /// Zeroes what was handed out and keeps the first chunk (unless it is large) for the next
    /// encode; later chunks are freed.
    func reset() {
        guard let first = chunks.first else { return }
        if chunks.count == 1, firstChunkSize <= Self.keptChunkSize {
            memset(first, 0, firstChunkSize - remaining)
        } else if firstChunkSize <= Self.keptChunkSize {
            for chunk in chunks.dropFirst() { free(chunk) }
            chunks.removeSubrange(1...)
            memset(first, 0, firstChunkSize)
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

    /// Zeroed memory of `size` bytes aligned to 16.
    func allocate(_ size: Int) -> UnsafeMutableRawPointer {
        let rounded = max(16, (size + 15) & ~15)
        if rounded > remaining {
            let chunk = max(Self.chunkSize, rounded)
            guard let memory = calloc(1, chunk) else { fatalError("out of memory") }
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
            if utf8.contains(0) { return nil }
            let memory = allocateArray(of: CChar.self, count: utf8.count + 1)
            if let base = utf8.baseAddress {
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

/// The arena of each thread, made on its first encode and freed when the thread ends.
private enum ThreadArena {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<ProtoArena>.fromOpaque(pointer).release() }
        }
        precondition(status == 0, "pthread_key_create failed")
        return key
    }()

    static var current: ProtoArena {
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<ProtoArena>.fromOpaque(pointer).takeUnretainedValue()
        }
        let arena = ProtoArena()
        pthread_setspecific(key, Unmanaged.passRetained(arena).toOpaque())
        return arena
    }
}
