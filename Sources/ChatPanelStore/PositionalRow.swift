public import GRDB
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
}

extension PositionalValues {
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
        try PositionalRowCursor(statement: statement, arguments: arguments).forEach { rows.append($0) }
        return rows
    }

    /// The first row of `statement` run with `arguments`, read by position; the statement is
    /// reset without stepping through the rest.
    public func positionalRow(_ statement: Statement, _ arguments: PositionalArguments) throws -> PositionalRow? {
        try PositionalRowCursor(statement: statement, arguments: arguments).next()
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
        try positionalRows(sql: sql, arguments).map { $0[0] }
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

/// Steps a statement and copies each row's values out by position.
final class PositionalRowCursor: DatabaseCursor {
    typealias Element = PositionalRow
    let _statement: Statement
    var _isDone = false
    private let width: CInt

    init(statement: Statement, arguments: PositionalArguments) throws {
        self._statement = statement
        self.width = CInt(statement.columnCount)
        // Resets the statement, checks the arguments against its parameters and binds them.
        try arguments.bind(to: statement)
    }

    deinit {
        // A cursor left before the last row must not leave its statement running (as GRDB's
        // own cursors, which reset theirs). The statement's next run reports any error.
        sqlite3_reset(_statement.sqliteStatement)
    }

    func _element(sqliteStatement: SQLiteStatement) throws -> PositionalRow {
        var values = ContiguousArray<DatabaseValue>()
        values.reserveCapacity(Int(width))
        for index in 0..<width {
            values.append(DatabaseValue(sqliteStatement: sqliteStatement, index: index))
        }
        return PositionalRow(values: values)
    }
}
