import ChatPanelSystem
import ChatPanelTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `<state>/<name>.lock`: one holder at a time (another open of the file, in this process or
/// any other, is refused with the holder's pid), the holder's pid in the file, and the lock
/// free again once its holder is gone. Each process name has its own lock, so processes that
/// share a state folder (the local run) do not exclude each other.
@Suite
struct StateDirectoryLockTests {
    @Test func aHeldLockIsRefusedWithItsHoldersPidAndFreeOnceReleased() async throws {
        try await withTemporaryDirectory { dir in
            var first: StateDirectoryLock? = try StateDirectoryLock(stateDirectory: dir, process: "tasks")
            #expect(first?.path == "\(dir)/tasks.lock")
            #expect(try String(contentsOfFile: "\(dir)/tasks.lock", encoding: .utf8) == "\(getpid())\n")

            let refusal = #expect(throws: StateDirectoryLockError.self) {
                _ = try StateDirectoryLock(stateDirectory: dir, process: "tasks")
            }
            #expect(refusal?.reason == .held(holderPID: getpid()))
            #expect(refusal?.description.contains("\(dir)/tasks.lock is held by pid \(getpid())") == true, "\(refusal.map { "\($0)" } ?? "")")

            // Another process's lock in the same folder is its own.
            let orders = try StateDirectoryLock(stateDirectory: dir, process: "orders")
            #expect(orders.path == "\(dir)/orders.lock")

            withExtendedLifetime(first) {}
            first = nil
            let again = try StateDirectoryLock(stateDirectory: dir, process: "tasks")
            #expect(again.path == "\(dir)/tasks.lock")
        }
    }
}
