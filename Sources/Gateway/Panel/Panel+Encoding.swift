import ChatPanelProto

/// The panel's answer written in one pass into one array of its exact size: the widgets carry
/// the services' data as it came, so the panel is mostly bytes to copy once. Through protobuf-c
/// every widget was copied into C structures, measured, packed and copied out again (about
/// 25 000 instructions a panel of ten widgets). The bytes are those protobuf-c packs for the
/// same `Panel` (fields in number order, proto3 defaults left out), which the tests check.
extension GatewayV1.Panel {
    /// Its encoding; a widget's reason or data type holding U+0000 is refused as protobuf-c
    /// encoding refuses it.
    func encoded() throws -> [UInt8] {
        let clientSize = client?.encodedSize ?? 0
        var size =
            ProtoWire.Writer.size(1, lengthDelimited: dialogID.utf8.count) + ProtoWire.Writer.size(2, varint: UInt64(bitPattern: managerID))
            + ProtoWire.Writer.size(3, varint: layoutVersion) + ProtoWire.Writer.size(6, varint: UInt64(elapsedMs))
            + ProtoWire.Writer.size(7, varint: UInt64(bitPattern: loadedAtMs))
        if client != nil { size += ProtoWire.Writer.size(4, present: clientSize) }
        let widgetSizes = widgets.map(\.encodedSize)
        for widgetSize in widgetSizes { size += ProtoWire.Writer.size(5, present: widgetSize) }
        return try ProtoWire.Writer.bytes(size: size) { out in
            try out.put(1, string: dialogID, field: "dialog_id")
            out.put(2, varint: UInt64(bitPattern: managerID))
            out.put(3, varint: layoutVersion)
            if let client {
                out.putHeader(4, length: clientSize)
                try client.write(to: &out, under: "client")
            }
            for (widget, widgetSize) in zip(widgets, widgetSizes) {
                out.putHeader(5, length: widgetSize)
                try widget.write(to: &out, under: "widgets")
            }
            out.put(6, varint: UInt64(elapsedMs))
            out.put(7, varint: UInt64(bitPattern: loadedAtMs))
        }
    }
}

extension GatewayV1.Widget {
    /// The size of its encoding.
    var encodedSize: Int {
        ProtoWire.Writer.size(1, varint: UInt64(bitPattern: Int64(kind.rawValue)))
            + ProtoWire.Writer.size(2, varint: UInt64(bitPattern: Int64(state.rawValue)))
            + ProtoWire.Writer.size(3, lengthDelimited: reason.utf8.count) + (collapsed ? 2 : 0)
            + ProtoWire.Writer.size(5, lengthDelimited: data.count) + ProtoWire.Writer.size(6, lengthDelimited: dataType.utf8.count)
            + ProtoWire.Writer.size(7, varint: UInt64(elapsedMs))
    }

    /// Writes its fields; an error names the field under `parent`, as the encoder names it.
    func write(to out: inout ProtoWire.Writer, under parent: String) throws {
        out.put(1, varint: UInt64(bitPattern: Int64(kind.rawValue)))
        out.put(2, varint: UInt64(bitPattern: Int64(state.rawValue)))
        try out.put(3, string: reason, field: "\(parent).reason")
        out.put(4, varint: collapsed ? 1 : 0)
        data.withUnsafeBytes { out.put(5, $0) }
        try out.put(6, string: dataType, field: "\(parent).data_type")
        out.put(7, varint: UInt64(elapsedMs))
    }
}
