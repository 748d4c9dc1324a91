import ChatPanelProto
@testable import Gateway
import Testing

/// The panel's answer, written by the generated encoder: the bytes protobuf-c packs for the same
/// panel, whatever its widgets hold.
@Suite("Gateway: the panel written in one pass")
struct PanelEncodingTests {
    /// Widgets of every kind and state, with and without each field, unknown enum values among them.
    private static var widgets: [GatewayV1.Widget] {
        var all: [GatewayV1.Widget] = [GatewayV1.Widget()]
        let reasons = ["", "the dialog has no client yet: an order is made for a saved client", "нет текущей корзины ✓", "a"]
        let data: [[UInt8]] = [[], [0x0A, 0x03, 0x61, 0x62, 0x63], [UInt8](repeating: 0xC5, count: 300)]
        var index = 0
        for kind in GatewayV1.WidgetKind.allCases + [.init(rawValue: 42), .init(rawValue: -7)] {
            for state in GatewayV1.WidgetState.allCases + [.init(rawValue: 99)] {
                var widget = GatewayV1.Widget()
                widget.kind = kind
                widget.state = state
                widget.reason = reasons[index % reasons.count]
                widget.collapsed = index % 3 == 0
                widget.data = data[index % data.count]
                widget.dataType = index % 2 == 0 ? "chatpanel.orders.v1.Cart" : ""
                widget.elapsedMs = [0, 1, 300, UInt32.max][index % 4]
                all.append(widget)
                index += 1
            }
        }
        return all
    }

    @Test func everyWidgetIsWrittenAsProtobufCPacksIt() throws {
        for widget in Self.widgets {
            var panel = GatewayV1.Panel()
            panel.widgets = [widget]
            #expect(try panel.onePassBytes() == (try panel.serializedBytes()), "\(widget)")
            panel.widgets = []
            panel.client = widget
            #expect(try panel.onePassBytes() == (try panel.serializedBytes()), "\(widget)")
        }
    }

    @Test func wholePanelsAreWrittenAsProtobufCPacksThem() throws {
        let widgets = Self.widgets
        for (index, managerID) in [Int64(0), 1, -3, .max, .min].enumerated() {
            var panel = GatewayV1.Panel()
            panel.dialogID = ["", "dialog-Ж-7", "d"][index % 3]
            panel.managerID = managerID
            panel.layoutVersion = [0, 12, .max][index % 3]
            panel.client = index == 1 ? nil : widgets[index + 3]
            panel.widgets = Array(widgets.dropFirst(index * 7).prefix(9 + index)) + [GatewayV1.Widget()]
            panel.elapsedMs = [0, 17, .max][index % 3]
            panel.loadedAtMs = [0, 1_764_000_000_000, -1][index % 3]
            let bytes = try panel.onePassBytes()
            #expect(bytes == (try panel.serializedBytes()))
            #expect(try GatewayV1.Panel(serializedBytes: bytes) == panel)
        }
    }

    @Test func aNULInTheTextIsRefusedAsProtobufCRefusesIt() {
        var inWidget = GatewayV1.Panel()
        var widget = GatewayV1.Widget()
        widget.reason = "a\u{0}b"
        inWidget.widgets = [GatewayV1.Widget(), widget]
        var inClient = GatewayV1.Panel()
        widget.reason = ""
        widget.dataType = "x\u{0}"
        inClient.client = widget
        var inDialog = GatewayV1.Panel()
        inDialog.dialogID = "\u{0}"
        let cases: [(GatewayV1.Panel, String)] = [(inWidget, "widgets.reason"), (inClient, "client.data_type"), (inDialog, "dialog_id")]
        for (panel, field) in cases {
            #expect(throws: ProtoCodingError.embeddedNUL(field: field)) { try panel.onePassBytes() }
            #expect(throws: ProtoCodingError.embeddedNUL(field: field)) { try panel.serializedBytes() }
        }
    }
}
