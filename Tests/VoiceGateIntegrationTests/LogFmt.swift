/// Parses one logfmt line (`key=value key="quoted \"value\""`) as the gateway writes them.
enum LogFmt {
    static func parse(_ line: String) -> [String: String] {
        var fields: [String: String] = [:]
        var chars = Substring(line)
        while !chars.isEmpty {
            chars = chars.drop { $0 == " " }
            guard let eq = chars.firstIndex(of: "=") else { break }
            let key = String(chars[..<eq])
            chars = chars[chars.index(after: eq)...]
            var value = ""
            if chars.first == "\"" {
                chars = chars.dropFirst()
                var escaped = false
                while let c = chars.first {
                    chars = chars.dropFirst()
                    if escaped {
                        switch c {
                        case "n": value.append("\n")
                        case "r": value.append("\r")
                        case "t": value.append("\t")
                        default: value.append(c)
                        }
                        escaped = false
                    } else if c == "\\" {
                        escaped = true
                    } else if c == "\"" {
                        break
                    } else {
                        value.append(c)
                    }
                }
            } else {
                let end = chars.firstIndex(of: " ") ?? chars.endIndex
                value = String(chars[..<end])
                chars = chars[end...]
            }
            fields[key] = value
        }
        return fields
    }
}
