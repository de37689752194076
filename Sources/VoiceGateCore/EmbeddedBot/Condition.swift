/// A test on variables: comparisons, combined with and / or / not. Written in JSON as
/// `{"variable": "x", "op": "equals", "value": "y"}`, `{"variable": "x", "op": "in", "value": ["a", "b"]}`,
/// `{"and": [...]}`, `{"or": [...]}`, `{"not": {...}}`: decoded in bot definitions, read with
/// located problems by `ConfigurationReader.condition` in configuration files.
public indirect enum Condition: Sendable, Equatable, Decodable {
    public enum Operator: String, Sendable, Equatable, Decodable, CaseIterable {
        case equals, notEquals, contains, isEmpty, isNotEmpty, greaterThan, lessThan, greaterOrEqual, lessOrEqual
        /// The value is a list of strings: decoded as `oneOf`. On `compare` (a single value) it
        /// is `equals`.
        case `in`
    }

    case compare(variable: String, op: Operator, value: String?)
    /// `in`: the variable's text is one of `values` (ignoring case and surrounding spaces).
    case oneOf(variable: String, values: [String])
    case all([Condition])
    case any([Condition])
    case not(Condition)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let list = try c.decodeIfPresent([Condition].self, forKey: .and) { self = .all(list); return }
        if let list = try c.decodeIfPresent([Condition].self, forKey: .or) { self = .any(list); return }
        if let inner = try c.decodeIfPresent(Condition.self, forKey: .not) { self = .not(inner); return }
        let op = try c.decode(Operator.self, forKey: .op)
        if op == .in {
            guard let values = try? c.decode([String].self, forKey: .value) else {
                throw DecodingError.typeMismatch([String].self, .init(codingPath: decoder.codingPath + [CodingKeys.value],
                                                                      debugDescription: "in needs a list of strings as its value"))
            }
            self = .oneOf(variable: try c.decode(String.self, forKey: .variable), values: values)
            return
        }
        var value: String?
        if let s = try? c.decode(String.self, forKey: .value) { value = s }
        else if let n = try? c.decode(Double.self, forKey: .value) { value = VariableText.text(.number(n)) }
        else if let b = try? c.decode(Bool.self, forKey: .value) { value = b ? "true" : "false" }
        if value == nil && ![.isEmpty, .isNotEmpty].contains(op) {
            throw DecodingError.keyNotFound(CodingKeys.value, .init(codingPath: decoder.codingPath, debugDescription: "\(op) needs a value"))
        }
        self = .compare(variable: try c.decode(String.self, forKey: .variable), op: op, value: value)
    }
    enum CodingKeys: String, CodingKey { case variable, op, value, and, or, not }

    /// Text comparisons ignore case and surrounding spaces; numeric ones need both sides numbers
    /// (otherwise false: "abc" is neither above nor below 3).
    public func evaluate(_ variables: [String: JSONValue]) -> Bool {
        switch self {
        case .all(let list): return list.allSatisfy { $0.evaluate(variables) }
        case .any(let list): return list.contains { $0.evaluate(variables) }
        case .not(let inner): return !inner.evaluate(variables)
        case .oneOf(let name, let values):
            let left = VariableText.text(variables[name]).trimmingCharacters(in: .whitespaces)
            return values.contains { $0.trimmingCharacters(in: .whitespaces).caseInsensitiveCompare(left) == .orderedSame }
        case .compare(let name, let op, let value):
            let left = VariableText.text(variables[name]).trimmingCharacters(in: .whitespaces)
            let right = (value ?? "").trimmingCharacters(in: .whitespaces)
            switch op {
            case .isEmpty: return left.isEmpty
            case .isNotEmpty: return !left.isEmpty
            case .equals, .in: return left.caseInsensitiveCompare(right) == .orderedSame
            case .notEquals: return left.caseInsensitiveCompare(right) != .orderedSame
            case .contains: return left.lowercased().contains(right.lowercased())
            case .greaterThan, .lessThan, .greaterOrEqual, .lessOrEqual:
                guard let l = Double(left), let r = Double(right) else { return false }
                switch op {
                case .greaterThan: return l > r
                case .lessThan: return l < r
                case .greaterOrEqual: return l >= r
                default: return l <= r
                }
            }
        }
    }
}

import Foundation

/// Variables as text: for conditions, and `{name}` in messages.
public enum VariableText {
    public static func text(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: return ""
        case .string(let s)?: return s
        case .bool(let b)?: return b ? "true" : "false"
        case .number(let n)?:
            if n.rounded() == n, abs(n) < 1e15 { return String(Int64(n)) }
            return String(n)
        case .array(let a)?: return a.map { text($0) }.joined(separator: ", ")
        case .object?: return ""
        }
    }

    /// `{name}` replaced by the variable's text ("" when unset); `{{` and `}}` are literal braces.
    public static func interpolate(_ template: String, _ variables: [String: JSONValue]) -> String {
        var out = ""
        var i = template.startIndex
        while i < template.endIndex {
            let c = template[i]
            let next = template.index(after: i)
            if (c == "{" || c == "}"), next < template.endIndex, template[next] == c {
                out.append(c)
                i = template.index(after: next)
                continue
            }
            if c == "{", let close = template[next...].firstIndex(of: "}") {
                let name = template[next..<close].trimmingCharacters(in: .whitespaces)
                if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) {
                    out += text(variables[name])
                    i = template.index(after: close)
                    continue
                }
            }
            out.append(c)
            i = next
        }
        return out
    }
}
