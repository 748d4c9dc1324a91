import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import ChatPanelSystem
import Foundation
import OrdersService
import Testing

/// Printed forms over the real socket: WeasyPrint's PDF read back with pdftotext.
@Suite struct PrintedFormTests {
    /// The text of a PDF, as pdftotext reads it.
    static func text(of pdf: [UInt8], in directory: String) async throws -> String {
        let file = "\(directory)/form-\(UUID().uuidString).pdf"
        try Data(pdf).write(to: URL(fileURLWithPath: file))
        let child = try ChildProcess.spawn("/usr/bin/pdftotext", ["-layout", file, "-"], logPrefix: "\(file).pdftotext")
        defer { child.kill() }
        #expect(try await child.exit() == .exited(0), "pdftotext: \(child.standardError)")
        return child.standardOutput
    }

    static func render(_ service: OrdersHarness, _ order: OrdersV1.Order, _ form: String) async throws -> OrdersV1.PrintedForm {
        var request = OrdersV1.RenderPrintedFormRequest()
        request.orderID = order.orderID
        request.form = form
        // WeasyPrint takes about a second, much longer on a machine busy with a parallel test run.
        let options = RPCCallOptions(timeout: .seconds(120), caller: .manager(1))
        return try #require(try await service.client.unary(OrdersV1.Orders.renderPrintedForm, request, options: options).form)
    }

    @Test func anInvoiceAndADeliveryNoteArePDFsWithCyrillicTextAndTheRubleSign() async throws {
        try await withTemporaryDirectory { directory in
            let shopForm = "<html><body><p>Памятка к заказу {{number}}: {{total}}</p></body></html>"
            let settings = OrdersConfiguration(printForms: PrintFormSettings(templates: ["memo": shopForm]))
            try await withOrdersService(settings: settings) { service in
                try await service.loadCatalog()
                var order = try await OrderContractTests.create(
                    service, client: 81, [OrderContractTests.line(try await service.productID("EL-1"), 2)])
                var fields = OrdersV1.SaveOrderFieldsRequest()
                fields.orderID = order.orderID
                fields.version = order.version
                var contact = OrdersV1.OrderContact()
                contact.firstName = "Ольга"
                contact.lastName = "Ёлкина"
                contact.phone = "+7 900 000-00-00"
                fields.contact = contact
                order = try #require(try await service.call(OrdersV1.Orders.saveOrderFields, fields).order)

                let invoice = try await Self.render(service, order, "invoice")
                #expect(invoice.fileName == "invoice-\(order.number).pdf" && invoice.mediaType == "application/pdf")
                #expect(invoice.content.starts(with: Array("%PDF".utf8)) && invoice.orderVersion == order.version)
                let text = try await Self.text(of: invoice.content, in: directory)
                #expect(text.contains("Счёт на оплату № \(order.number)"), "\(text)")
                #expect(text.contains("Ёлка искусственная 180 см") && text.contains("Ёлкина Ольга"))
                #expect(text.contains("17 980,00 ₽") || text.contains("17\u{00A0}980,00\u{00A0}₽"), "\(text)")

                let note = try await Self.text(of: try await Self.render(service, order, "delivery-note").content, in: directory)
                #expect(note.contains("Товарная накладная") && note.contains("3000"), "\(note)")
                // A shop's own form.
                let memo = try await Self.text(of: try await Self.render(service, order, "memo").content, in: directory)
                #expect(memo.contains("Памятка к заказу \(order.number)"), "\(memo)")
                let forms = try await service.call(OrdersV1.Orders.listPrintedForms, OrdersV1.ListPrintedFormsRequest()).forms
                #expect(forms == ["delivery-note", "invoice", "memo"])

                // The same order version comes from the cache at once.
                let started = ContinuousClock.now
                #expect(try await Self.render(service, order, "invoice").content == invoice.content)
                #expect(ContinuousClock.now - started < .seconds(1))
                await expectError(.notFound) { _ = try await Self.render(service, order, "receipt") }
                var missing = OrdersV1.RenderPrintedFormRequest()
                missing.orderID = 424_242
                missing.form = "invoice"
                await expectError(.notFound) { _ = try await service.call(OrdersV1.Orders.renderPrintedForm, missing) }
            }
        }
    }

    @Test func aRenderingThatRunsOutOfTimeIsKilledAndUnavailable() async throws {
        try await withTemporaryDirectory { directory in
            // A renderer that never finishes, and records its pid.
            let script = "\(directory)/slow-weasyprint"
            try "#!/bin/sh\necho $$ > \(directory)/pid\nexec sleep 60\n".write(toFile: script, atomically: true, encoding: .utf8)
            #expect(chmod(script, 0o755) == 0)
            let settings = OrdersConfiguration(printForms: PrintFormSettings(weasyPrintPath: script, timeoutSeconds: 1))
            try await withOrdersService(settings: settings) { service in
                let order = try await OrderContractTests.create(service, client: 83)
                let started = ContinuousClock.now
                let error = await expectError(.unavailable) { _ = try await Self.render(service, order, "invoice") }
                #expect(error?.message.contains("longer than 1 s") == true, "\(String(describing: error))")
                #expect(ContinuousClock.now - started < .seconds(10))
                // Killed and reaped: no process, not even a zombie, is left with its pid.
                let pid = try #require(Int32(try String(contentsOfFile: "\(directory)/pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
                #expect(kill(pid, 0) == -1 && errno == ESRCH)
            }
        }
    }

    @Test func aRenderingThatCannotRunIsUnavailable() async throws {
        let settings = OrdersConfiguration(printForms: PrintFormSettings(weasyPrintPath: "/nonexistent/weasyprint"))
        try await withOrdersService(settings: settings) { service in
            let order = try await OrderContractTests.create(service, client: 82)
            await expectError(.unavailable) { _ = try await Self.render(service, order, "invoice") }
        }
        #expect(PrintFormSettings(templates: ["broken": "{{#open}} never closed"]).problems.count == 1)
    }
}
