import ChatPanelProto
import Foundation

/// A shop's catalog as CSV, for `chatpanelctl catalog import`.
///
/// The first row names the columns; `article` and `name` are required, the others optional:
/// `kind` (product or service), `category` (names from the root joined with " / "),
/// `manufacturer`, `stock`, `active` (1/0, yes/no, true/false; default 1), `weight_grams`,
/// `image_url`, `url`, one `price:<type>:<ISO 4217>` column per price type (amounts in major
/// units, "4990.00"; the first price column is the base price type) and one
/// `property:<name>` column per property (empty cells are skipped). Fields may be quoted
/// ("a, b"; "" for a quote), as RFC 4180 has it.
struct CatalogCSV {
    /// Price types, in column order (the first is the base).
    var priceTypes: [OrdersV1.PriceType] = []
    /// Categories, parents before children.
    var categories: [OrdersV1.Category] = []
    /// Products, in row order.
    var products: [OrdersV1.ProductInput] = []

    /// A problem with the file: the line and what is wrong.
    struct Problem: Error, CustomStringConvertible {
        let line: Int
        let message: String
        var description: String { "line \(line): \(message)" }
    }

    /// Reads `text`.
    init(text: String) throws {
        let rows = Self.rows(text)
        guard let header = rows.first?.fields else { throw Problem(line: 1, message: "the file is empty") }
        let columns = header.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let articleColumn = columns.firstIndex(of: "article"), let nameColumn = columns.firstIndex(of: "name") else {
            throw Problem(line: 1, message: "the header needs the columns article and name")
        }
        var priceColumns: [(index: Int, code: String, currency: String)] = []
        var propertyColumns: [(index: Int, name: String)] = []
        for (index, column) in columns.enumerated() {
            if column.hasPrefix("price:") {
                let parts = column.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 3 else { throw Problem(line: 1, message: "\(column): write price:<type>:<ISO 4217 code>") }
                priceColumns.append((index, parts[1], parts[2].uppercased()))
                var type = OrdersV1.PriceType()
                type.code = parts[1]
                type.name = parts[1]
                type.currency = parts[2].uppercased()
                type.isBase = priceColumns.count == 1
                priceTypes.append(type)
            } else if column.hasPrefix("property:") {
                propertyColumns.append((index, String(column.dropFirst("property:".count))))
            }
        }
        func cell(_ fields: [String], _ name: String) -> String {
            guard let index = columns.firstIndex(of: name), index < fields.count else { return "" }
            return fields[index].trimmingCharacters(in: .whitespaces)
        }
        var categoryCodes: [String: String] = [:]
        for row in rows.dropFirst() where !row.fields.allSatisfy({ $0.isEmpty }) {
            let fields = row.fields
            var product = OrdersV1.ProductInput()
            product.article = articleColumn < fields.count ? fields[articleColumn].trimmingCharacters(in: .whitespaces) : ""
            product.name = nameColumn < fields.count ? fields[nameColumn].trimmingCharacters(in: .whitespaces) : ""
            switch cell(fields, "kind").lowercased() {
            case "", "product", "товар": product.kind = .product
            case "service", "услуга": product.kind = .service
            case let other: throw Problem(line: row.line, message: "kind '\(other)' is neither product nor service")
            }
            let path = cell(fields, "category").split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            var parent = ""
            for depth in path.indices {
                let key = path[...depth].joined(separator: " / ")
                let code = categoryCodes[key] ?? Self.categoryCode(key)
                if categoryCodes[key] == nil {
                    categoryCodes[key] = code
                    var category = OrdersV1.Category()
                    category.code = code
                    category.name = path[depth]
                    category.parentCode = parent
                    categories.append(category)
                }
                parent = code
            }
            product.categoryCode = parent
            product.manufacturer = cell(fields, "manufacturer")
            product.stock = try Self.integer(cell(fields, "stock"), "stock", row.line)
            product.weightGrams = try Self.integer(cell(fields, "weight_grams"), "weight_grams", row.line)
            switch cell(fields, "active").lowercased() {
            case "", "1", "yes", "true", "да": product.active = true
            case "0", "no", "false", "нет": product.active = false
            case let other: throw Problem(line: row.line, message: "active '\(other)' is not 1 or 0")
            }
            product.imageURL = cell(fields, "image_url")
            product.url = cell(fields, "url")
            for column in priceColumns where column.index < fields.count {
                let text = fields[column.index].trimmingCharacters(in: .whitespaces)
                guard !text.isEmpty else { continue }
                guard let amount = Self.minorUnits(text, currency: column.currency) else {
                    throw Problem(line: row.line, message: "price '\(text)' is not an amount like 4990.00")
                }
                var price = OrdersV1.Price()
                price.priceType = column.code
                price.amountMinor = amount
                product.prices.append(price)
            }
            for column in propertyColumns where column.index < fields.count {
                let value = fields[column.index].trimmingCharacters(in: .whitespaces)
                guard !value.isEmpty else { continue }
                var property = OrdersV1.Property()
                property.name = column.name
                property.value = value
                product.properties.append(property)
            }
            products.append(product)
        }
    }

    /// A stable category code for a path of names: "cat-" and 16 hex digits of its FNV-1a hash.
    static func categoryCode(_ path: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return "cat-" + String(hash, radix: 16)
    }

    /// An amount in major units ("4990.00", "4 990,5") in minor units of `currency`.
    static func minorUnits(_ text: String, currency: String) -> Int64? {
        let digits = minorUnitDigits(currency)
        let cleaned = text.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\u{A0}", with: "").replacingOccurrences(
            of: ",", with: ".")
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0]), whole >= 0 else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= digits, fraction.allSatisfy(\.isASCII), fraction.allSatisfy(\.isNumber) else { return nil }
        fraction += String(repeating: "0", count: digits - fraction.count)
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        return whole * scale + (Int64(fraction) ?? 0)
    }

    /// ISO 4217 minor-unit digits (the orders service keeps the full table).
    static func minorUnitDigits(_ currency: String) -> Int {
        ["JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "KWD": 3, "BHD": 3, "OMR": 3, "JOD": 3, "TND": 3, "LYD": 3, "IQD": 3][currency]
            ?? 2
    }

    private static func integer(_ text: String, _ column: String, _ line: Int) throws -> Int64 {
        guard !text.isEmpty else { return 0 }
        guard let value = Int64(text) else { throw Problem(line: line, message: "\(column) '\(text)' is not a whole number") }
        return value
    }

    /// The rows of a CSV text with the line each starts on.
    static func rows(_ text: String) -> [(line: Int, fields: [String])] {
        var rows: [(Int, [String])] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var rowLine = 1
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let scalar = pending {
                pending = nil
                return scalar
            }
            return iterator.next()
        }
        while let scalar = next() {
            if quoted {
                if scalar == "\"" {
                    if let following = next() {
                        if following == "\"" {
                            field.unicodeScalars.append("\"")
                        } else {
                            quoted = false
                            pending = following
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty: quoted = true
            case ",":
                fields.append(field)
                field = ""
            case "\r": break
            case "\n":
                fields.append(field)
                rows.append((rowLine, fields))
                fields = []
                field = ""
                line += 1
                rowLine = line
            default: field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            rows.append((rowLine, fields))
        }
        return rows
    }
}
