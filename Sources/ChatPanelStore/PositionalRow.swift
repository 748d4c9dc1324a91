public import GRDB
import Foundation
import GRDBSQLite

/// The values of one result row, read by column position.
///
/// What GRDB's `Row` holds, without what it builds for every statement run: a table of the
/// statement's column names, each lowercased and hashed, for reading columns by name. The
/// stores read every column by position, so a query pays only for its values.
///
/// ```swift
/// for row in try db.positionalRows(db.cachedStatement(sql: "SELECT id, name FROM tag"), []) {
///     let id: Int64 = row[0]
///     let name: String = row[1]
/// }
/// ```
public struct PositionalRow: PositionalValues, Sendable {
    /// The row's values, left to right.
    public let values: ContiguousArray<DatabaseValue>

    /// The number of columns.
    public var count: Int { values.count }

    @inlinable public func databaseValue(at index: Int) -> DatabaseValue { values[index] }
}

/// Values read by column position: a ``PositionalRow``, or a GRDB `Row` (code that reads rows
/// by position takes either).
public protocol PositionalValues {
    /// The database value at `index`.
    func databaseValue(at index: Int) -> DatabaseValue

    /// Calls `body` with the bytes of the text or blob at `index` (no bytes for NULL). A
    /// ``StatementRow`` gives them where SQLite holds them, without a `Data` or a `String` made
    /// of them. Meant for text and blob columns: a number comes as text, which for a real may
    /// be written differently in place (SQLite's text) and copied (Swift's).
    func withBytes<Result>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result
}

extension PositionalValues {
    /// The bytes of the value at `index`, from its `DatabaseValue`.
    public func withBytes<Result>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        switch databaseValue(at: index).storage {
        case .null: return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        case .blob(let data): return try data.withUnsafeBytes(body)
        case .string(var text): return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        case .int64(let value): return try Array(String(value).utf8).withUnsafeBytes(body)
        case .double(let value): return try Array(String(value).utf8).withUnsafeBytes(body)
        }
    }

    /// The value at `index`, converted as GRDB's `Row` converts it: ask for an optional when the
    /// value may be NULL. A NULL read as a non-optional, or a value that does not convert to
    /// `Value`, is a programming error (as with GRDB's `Row`). Inlinable: specialized where it is
    /// read, it costs no run-time look-up of generic metadata per value.
    @inlinable @_disfavoredOverload
    public subscript<Value: DatabaseValueConvertible>(_ index: Int) -> Value {
        let value = databaseValue(at: index)
        guard let converted = Value.fromDatabaseValue(value) else {
            fatalError("column \(index) holds \(value), which is not a \(Value.self)")
        }
        return converted
    }

    /// The value at `index`, or nil for NULL; a value that does not convert to `Value` is a
    /// programming error. (Read through GRDB's `Optional` conformance, a NULL check cost a
    /// run-time look-up of the optional's generic metadata.)
    @inlinable
    public subscript<Value: DatabaseValueConvertible>(_ index: Int) -> Value? {
        let value = databaseValue(at: index)
        if value.isNull { return nil }
        guard let converted = Value.fromDatabaseValue(value) else {
            fatalError("column \(index) holds \(value), which is not a \(Value.self)")
        }
        return converted
    }
}

/// A row's values from `offset` on: a query that reads several records' columns side by side
/// (a join) gives each record's reader its own columns, numbered from 0.
public struct OffsetValues<Base: PositionalValues>: PositionalValues {
    public var base: Base
    public var offset: Int

    @inlinable public init(base: Base, offset: Int) {
        self.base = base
        self.offset = offset
    }

    @inlinable public func databaseValue(at index: Int) -> DatabaseValue { base.databaseValue(at: offset + index) }

    @inlinable
    public func withBytes<Result>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try base.withBytes(at: offset + index, body)
    }
}

/// The row a statement stands on, read in place by position, for a query whose rows are read
/// once, as they come (``Database/forEachPositionalRow(sql:_:_:)``): no row's values are copied
/// out into an array first, and a text or blob can be read where SQLite holds it
/// (``withBytes(at:_:)``). Valid only inside the closure it is given to: the statement's next
/// step replaces its values.
public struct StatementRow: PositionalValues {
    @usableFromInline let statement: SQLiteStatement

    @usableFromInline init(_ statement: SQLiteStatement) { self.statement = statement }

    /// The number of columns.
    public var count: Int { Int(sqlite3_column_count(statement)) }

    @inlinable public func databaseValue(at index: Int) -> DatabaseValue {
        DatabaseValue(sqliteStatement: statement, index: CInt(index))
    }

    public func withBytes<Result>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        // The pointer first, then the count: asking for the count first may convert the value
        // to text in the wrong encoding (sqlite3_column_blob's documentation).
        let start = sqlite3_column_blob(statement, CInt(index))
        let count = Int(sqlite3_column_bytes(statement, CInt(index)))
        return try body(UnsafeRawBufferPointer(start: start, count: count))
    }

    /// The row's values copied out, to keep.
    func copied() -> PositionalRow {
        let width = count
        var values = ContiguousArray<DatabaseValue>()
        values.reserveCapacity(width)
        for index in 0..<width { values.append(databaseValue(at: index)) }
        return PositionalRow(values: values)
    }
}

extension Row: PositionalValues {
    @inlinable public func databaseValue(at index: Int) -> DatabaseValue { self[index] }
}

extension Database {
    /// Every row of the statement of `sql` (prepared once per connection:
    /// ``reusableStatement(sql:)``), read by position.
    public func positionalRows(sql: String, _ arguments: PositionalArguments = []) throws -> [PositionalRow] {
        try positionalRows(reusableStatement(sql: sql), arguments)
    }

    /// The first row of the statement of `sql` (prepared once per connection), read by position.
    public func positionalRow(sql: String, _ arguments: PositionalArguments = []) throws -> PositionalRow? {
        try positionalRow(reusableStatement(sql: sql), arguments)
    }

    /// Every row of `statement` run with `arguments`, read by position (see ``PositionalRow``).
    public func positionalRows(_ statement: Statement, _ arguments: PositionalArguments) throws -> [PositionalRow] {
        // Appended here, where the element type is known: GRDB's `Array(cursor)` appends
        // through the collection protocol's witness, and each time the array grows the
        // standard library looks up its storage type at run time (about 900 instructions).
        var rows: [PositionalRow] = []
        try StatementRowCursor(statement: statement, arguments: arguments).forEach { rows.append($0.copied()) }
        return rows
    }

    /// The first row of `statement` run with `arguments`, read by position; the statement is
    /// reset without stepping through the rest.
    public func positionalRow(_ statement: Statement, _ arguments: PositionalArguments) throws -> PositionalRow? {
        let cursor = try StatementRowCursor(statement: statement, arguments: arguments)
        // Copied while the cursor (which resets the statement when it goes) is still there.
        return try withExtendedLifetime(cursor) { try cursor.next()?.copied() }
    }

    /// Every row of the statement of `sql` (prepared once per connection), each made into a
    /// `Value` by `transform` while the statement stands on it (``StatementRow``): no row's
    /// values are copied out first.
    ///
    /// ```swift
    /// let tasks = try db.positionalRows(sql: TaskRecord.pageSQL, arguments) { TaskRecord(row: $0) }
    /// ```
    @inlinable
    public func positionalRows<Value>(
        sql: String, _ arguments: PositionalArguments = [], _ transform: (StatementRow) throws -> Value
    ) throws -> [Value] {
        var values: [Value] = []
        try forEachPositionalRow(sql: sql, arguments) { values.append(try transform($0)) }
        return values
    }

    /// Runs the statement of `sql` (prepared once per connection) with `arguments` and calls
    /// `body` with each row in turn, read in place (``StatementRow``): for rows read once, as
    /// they come, such as rows encoded into an answer.
    ///
    /// ```swift
    /// try db.forEachPositionalRow(sql: "SELECT id, input FROM product WHERE category_id = ?", [category]) { row in
    ///     let id: Int64 = row[0]
    ///     try row.withBytes(at: 1) { input in try encode(id, input) }
    /// }
    /// ```
    public func forEachPositionalRow(sql: String, _ arguments: PositionalArguments = [], _ body: (StatementRow) throws -> Void)
        throws
    {
        try StatementRowCursor(statement: reusableStatement(sql: sql), arguments: arguments).forEach(body)
    }

    /// Runs the statement of `sql` (prepared once per connection) with `arguments` to its end:
    /// a write on a hot path, without GRDB's checking of its arguments (``PositionalArguments``).
    public func positionalExecute(sql: String, _ arguments: PositionalArguments) throws {
        _ = try positionalRows(reusableStatement(sql: sql), arguments)
    }

    /// The first column of every row of the statement of `sql` (prepared once per connection).
    @inlinable
    public func positionalValues<Value: DatabaseValueConvertible>(
        _ type: Value.Type, sql: String, _ arguments: PositionalArguments = []
    ) throws -> [Value] {
        try positionalRows(sql: sql, arguments) { $0[0] }
    }
}

/// The arguments of a statement, bound by position: one for each of its parameters (`?`, or
/// `?NNN` numbered from 1 up to their count).
///
/// What GRDB's `StatementArguments` binds, without its validation pass, its table of named
/// values, and a `DatabaseValue` made for each argument: about 4 000 instructions a statement
/// run, where binding costs a tenth of that. A count that does not match the statement's
/// parameters is still an error, thrown before anything runs.
///
/// ```swift
/// let rows = try db.positionalRows(sql: "SELECT id FROM task WHERE client_id = ? AND status = ?", [clientID, 1])
/// ```
///
/// NULL is an optional holding nil (`Int64?.none`) or `DatabaseValue.null`.
public struct PositionalArguments: ExpressibleByArrayLiteral {
    /// The values, for parameters 1, 2, … in order.
    public var values: [any DatabaseValueConvertible]

    public init(_ values: [any DatabaseValueConvertible]) {
        self.values = values
    }

    public init(arrayLiteral elements: any DatabaseValueConvertible...) {
        self.values = elements
    }

    /// Resets `statement` and binds the values to its parameters.
    ///
    /// What `sqlite3_reset` returns is the outcome of the statement's previous run, which that
    /// run's caller was given already: a run that failed does not fail the next one.
    ///
    /// - Throws: `SQLITE_MISUSE` when the count differs from the statement's parameters.
    func bind(to statement: Statement) throws {
        let sqliteStatement = statement.sqliteStatement
        sqlite3_reset(sqliteStatement)
        sqlite3_clear_bindings(sqliteStatement)
        let expected = Int(sqlite3_bind_parameter_count(sqliteStatement))
        guard values.count == expected else {
            throw DatabaseError(
                resultCode: .SQLITE_MISUSE, message: "wrong number of statement arguments: \(values.count) for \(expected) parameters",
                sql: statement.sql)
        }
        // Each value is bound where it lies, opened in place: taken out of the array (and out
        // of an optional, as the values were held before), every existential was copied and
        // destroyed through its value witnesses (about 350 instructions a value).
        let failed: CInt? = values.withUnsafeBufferPointer { buffer in
            for offset in buffer.indices {
                let code = buffer[offset].bind(to: sqliteStatement, at: CInt(offset + 1))
                if code != SQLITE_OK { return code }
            }
            return nil
        }
        if let failed { throw DatabaseError.failed(failed, on: sqlite3_db_handle(sqliteStatement), sql: statement.sql) }
    }
}

extension DatabaseError {
    /// What SQLite said of `code`, returned by a call of the store kit's own on `connection`
    /// (GRDB's calls make their errors themselves).
    static func failed(_ code: CInt, on connection: OpaquePointer?, sql: String) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
    }
}

/// Steps a statement; each element is the row it stands on (valid until the next step).
final class StatementRowCursor: DatabaseCursor {
    typealias Element = StatementRow
    let _statement: Statement
    var _isDone = false

    init(statement: Statement, arguments: PositionalArguments) throws {
        self._statement = statement
        // Resets the statement, checks the arguments against its parameters and binds them.
        try arguments.bind(to: statement)
    }

    deinit {
        // A cursor left before the last row must not leave its statement running (as GRDB's
        // own cursors, which reset theirs). The statement's next run reports any error.
        sqlite3_reset(_statement.sqliteStatement)
    }

    func _element(sqliteStatement: SQLiteStatement) throws -> StatementRow { StatementRow(sqliteStatement) }
}
