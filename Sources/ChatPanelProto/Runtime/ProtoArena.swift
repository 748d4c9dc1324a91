import CChatPanelProto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A bump allocator for the C structures of one message being encoded; everything is freed
/// at once when the arena goes away.
final class ProtoArena {
    private static let chunkSize = 4096
    @exclusivity(unchecked) private var chunks: [UnsafeMutableRawPointer] = []
    @exclusivity(unchecked) private var cursor: UnsafeMutableRawPointer? = nil
    @exclusivity(unchecked) private var remaining = 0

    init() {}

    deinit {
        for chunk in chunks { free(chunk) }
    }

    /// Zeroed memory of `size` bytes aligned to 16.
    func allocate(_ size: Int) -> UnsafeMutableRawPointer {
        let rounded = max(16, (size + 15) & ~15)
        if rounded > remaining {
            let chunk = max(Self.chunkSize, rounded)
            guard let memory = calloc(1, chunk) else { fatalError("out of memory") }
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
