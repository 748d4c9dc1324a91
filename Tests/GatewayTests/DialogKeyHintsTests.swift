import ChatPanelProto
@testable import Gateway
import Testing

/// The remembered card keys of dialogs: bounded, the dialogs asked for again kept.
@Suite("Gateway: remembered card keys")
struct DialogKeyHintsTests {
    private func keys(_ dialogID: String, client: Int64?) -> ClientsV1.ClientCardKeys {
        var keys = ClientsV1.ClientCardKeys()
        var dialog = ClientsV1.DialogKeys()
        dialog.dialogID = dialogID
        keys.dialog = dialog
        if let client {
            var clientKeys = ClientsV1.ClientKeys()
            clientKeys.clientID = client
            keys.client = clientKeys
        }
        return keys
    }

    @Test func remembersTheLatestKeysOfEachDialog() {
        let hints = DialogKeyHints(capacity: 10)
        #expect(hints.keys(of: "d-1") == nil)
        hints.remember(keys("d-1", client: nil), for: "d-1")
        #expect(hints.keys(of: "d-1") == keys("d-1", client: nil))
        hints.remember(keys("d-1", client: 7), for: "d-1")
        #expect(hints.keys(of: "d-1") == keys("d-1", client: 7))
        #expect(hints.count == 1)
        hints.forget("d-1")
        #expect(hints.keys(of: "d-1") == nil)
        #expect(hints.count == 0)
    }

    @Test func holdsAtMostItsCapacityAndKeepsTheDialogsAskedForAgain() {
        let hints = DialogKeyHints(capacity: 4)
        for index in 0..<2 { hints.remember(keys("d-\(index)", client: Int64(index)), for: "d-\(index)") }
        // d-0 and d-1 fill the newer generation; d-2 moves them to the older one.
        hints.remember(keys("d-2", client: 2), for: "d-2")
        // Looked up again: d-0 comes back to the newer generation.
        #expect(hints.keys(of: "d-0") == keys("d-0", client: 0))
        // The newer generation is full again (d-2, d-0): d-3 drops d-1, the one not asked for.
        hints.remember(keys("d-3", client: 3), for: "d-3")
        #expect(hints.keys(of: "d-1") == nil)
        #expect(hints.keys(of: "d-0") == keys("d-0", client: 0))
        #expect(hints.keys(of: "d-2") == keys("d-2", client: 2))
        #expect(hints.keys(of: "d-3") == keys("d-3", client: 3))
        for index in 4..<100 { hints.remember(keys("d-\(index)", client: Int64(index)), for: "d-\(index)") }
        #expect(hints.count <= 4)
        #expect(hints.keys(of: "d-99") == keys("d-99", client: 99))
    }
}
