/// A QR code (ISO/IEC 18004) in byte mode at error-correction level M, versions 1 to 10 (up to 213 bytes): enough
/// for the otpauth URI that enrols a second factor. Drawn as SVG by Regie itself, so that no secret ever reaches
/// another service to be rendered. Follows the standard's construction step by step: data and padding, Reed-Solomon
/// blocks interleaved, function patterns, the zigzag placement, and the mask with the lowest penalty.
public struct QRCode: Sendable {
    /// The version (1 to 10); the code is `17 + 4 × version` modules wide.
    public let version: Int
    /// The mask pattern chosen (0 to 7).
    public let mask: Int
    /// `modules[y][x]`: true is dark.
    public let modules: [[Bool]]

    public var size: Int { modules.count }

    /// Codewords per error-correction block and number of blocks at level M, by version.
    private static let eccPerBlock = [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26]
    private static let blockCount = [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5]
    public static let maxVersion = 10

    /// Encodes `bytes` in the smallest version that holds them.
    /// - Throws: `QRCodeError` when they do not fit in version 10.
    public init(bytes: [UInt8]) throws(QRCodeError) {
        guard
            let version = (1...Self.maxVersion).first(where: {
                4 + ($0 <= 9 ? 8 : 16) + 8 * bytes.count <= Self.dataCodewords($0) * 8
            })
        else { throw QRCodeError(count: bytes.count) }
        self.version = version
        let codewords = Self.withErrorCorrection(Self.dataCodewords(bytes, version: version), version: version)
        var grid = Grid(version: version)
        grid.drawFunctionPatterns()
        grid.place(codewords)
        var best = (penalty: Int.max, mask: 0, modules: grid.modules)
        for mask in 0..<8 {
            var candidate = grid
            candidate.apply(mask: mask)
            candidate.drawFormatBits(mask: mask)
            let penalty = candidate.penalty()
            if penalty < best.penalty { best = (penalty, mask, candidate.modules) }
        }
        self.mask = best.mask
        self.modules = best.modules
    }

    /// Encodes a text as its UTF-8 bytes.
    public init(text: String) throws(QRCodeError) { try self.init(bytes: Array(text.utf8)) }

    /// The code as an SVG image with a quiet zone of four modules, scalable, with `label` as its accessible name.
    public func svg(label: String, moduleSize: Int = 4) -> String {
        let quiet = 4
        let width = size + 2 * quiet
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard modules[y][x] else {
                    x += 1
                    continue
                }
                let start = x
                while x < size && modules[y][x] { x += 1 }
                path += "M\(start + quiet) \(y + quiet)h\(x - start)v1h-\(x - start)z"
            }
        }
        let escaped = label.htmlEscaped
        return """
            <svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="\(escaped)" width="\(width * moduleSize)" \
            height="\(width * moduleSize)" viewBox="0 0 \(width) \(width)" shape-rendering="crispEdges">\
            <rect width="\(width)" height="\(width)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
            """
    }

    // MARK: Data

    /// Bits available for data in `version` (all modules but the function patterns), in whole codewords.
    private static func rawCodewords(_ version: Int) -> Int {
        var bits = (16 * version + 128) * version + 64
        if version >= 2 {
            let align = version / 7 + 2
            bits -= (25 * align - 10) * align - 55
            if version >= 7 { bits -= 36 }
        }
        return bits / 8
    }

    private static func dataCodewords(_ version: Int) -> Int {
        rawCodewords(version) - eccPerBlock[version] * blockCount[version]
    }

    /// The mode, count, bytes, terminator and padding, as codewords.
    private static func dataCodewords(_ bytes: [UInt8], version: Int) -> [UInt8] {
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) {
            for i in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) }
        }
        append(0b0100, 4)
        append(bytes.count, version <= 9 ? 8 : 16)
        for b in bytes { append(Int(b), 8) }
        let capacity = dataCodewords(version) * 8
        append(0, min(4, capacity - bits.count))
        append(0, (8 - bits.count % 8) % 8)
        var out: [UInt8] = stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<start + 8].reduce(0) { $0 << 1 | ($1 ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while out.count < capacity / 8 {
            out.append(pad)
            pad ^= 0xEC ^ 0x11
        }
        return out
    }

    /// The data split into blocks, each followed by its Reed-Solomon codewords, interleaved.
    private static func withErrorCorrection(_ data: [UInt8], version: Int) -> [UInt8] {
        let blocks = blockCount[version]
        let ecc = eccPerBlock[version]
        let raw = rawCodewords(version)
        let shortBlocks = blocks - raw % blocks
        let shortLength = raw / blocks
        let divisor = ReedSolomon.divisor(degree: ecc)
        var split: [[UInt8]] = []
        var k = 0
        for i in 0..<blocks {
            let length = shortLength - ecc + (i < shortBlocks ? 0 : 1)
            let chunk = Array(data[k..<k + length])
            k += length
            // A short block gets a placeholder byte so that every block is as long; it is skipped below.
            split.append(chunk + (i < shortBlocks ? [0] : []) + ReedSolomon.remainder(chunk, divisor))
        }
        var out: [UInt8] = []
        for i in 0..<split[0].count {
            for (j, block) in split.enumerated() where i != shortLength - ecc || j >= shortBlocks {
                out.append(block[i])
            }
        }
        return out
    }

    // MARK: The grid

    private struct Grid {
        let version: Int
        let size: Int
        var modules: [[Bool]]
        var isFunction: [[Bool]]

        init(version: Int) {
            self.version = version
            size = 17 + 4 * version
            modules = Array(repeating: Array(repeating: false, count: size), count: size)
            isFunction = modules
        }

        mutating func set(_ x: Int, _ y: Int, _ dark: Bool) {
            modules[y][x] = dark
            isFunction[y][x] = true
        }

        mutating func drawFunctionPatterns() {
            for i in 0..<size {
                set(6, i, i % 2 == 0)
                set(i, 6, i % 2 == 0)
            }
            for (x, y) in [(3, 3), (size - 4, 3), (3, size - 4)] {
                for dy in -4...4 {
                    for dx in -4...4 where (0..<size).contains(x + dx) && (0..<size).contains(y + dy) {
                        let distance = max(abs(dx), abs(dy))
                        set(x + dx, y + dy, distance != 2 && distance != 4)
                    }
                }
            }
            let positions = alignmentPositions()
            for (i, ay) in positions.enumerated() {
                for (j, ax) in positions.enumerated() {
                    let corner =
                        (i == 0 && j == 0) || (i == 0 && j == positions.count - 1)
                        || (i == positions.count - 1 && j == 0)
                    if corner { continue }
                    for dy in -2...2 {
                        for dx in -2...2 { set(ax + dx, ay + dy, max(abs(dx), abs(dy)) != 1) }
                    }
                }
            }
            drawFormatBits(mask: 0)  // reserves the format areas; drawn again with the chosen mask
            if version >= 7 {
                var remainder = version
                for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
                let bits = version << 12 | remainder
                for i in 0..<18 {
                    let dark = (bits >> i) & 1 == 1
                    let a = size - 11 + i % 3
                    let b = i / 3
                    set(a, b, dark)
                    set(b, a, dark)
                }
            }
        }

        func alignmentPositions() -> [Int] {
            guard version > 1 else { return [] }
            let count = version / 7 + 2
            let step = (version * 8 + count * 3 + 5) / (count * 4 - 4) * 2
            var out = [6]
            var position = size - 7
            var tail: [Int] = []
            for _ in 1..<count {
                tail.insert(position, at: 0)
                position -= step
            }
            out += tail
            return out
        }

        /// The format information (level M, the mask) in both copies, and the dark module.
        mutating func drawFormatBits(mask: Int) {
            let data = 0b00 << 3 | mask  // level M is 00
            var remainder = data
            for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
            let bits = (data << 10 | remainder) ^ 0x5412
            func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
            for i in 0...5 { set(8, i, bit(i)) }
            set(8, 7, bit(6))
            set(8, 8, bit(7))
            set(7, 8, bit(8))
            for i in 9..<15 { set(14 - i, 8, bit(i)) }
            for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
            for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
            set(8, size - 8, true)
        }

        /// Places the codewords' bits in the two-column zigzag from the bottom right, around the function patterns.
        mutating func place(_ codewords: [UInt8]) {
            var i = 0
            var right = size - 1
            while right >= 1 {
                if right == 6 { right = 5 }
                for vertical in 0..<size {
                    for j in 0..<2 {
                        let x = right - j
                        let upward = (right + 1) & 2 == 0
                        let y = upward ? size - 1 - vertical : vertical
                        if !isFunction[y][x] && i < codewords.count * 8 {
                            modules[y][x] = (codewords[i >> 3] >> (7 - (i & 7))) & 1 == 1
                            i += 1
                        }
                    }
                }
                right -= 2
            }
        }

        mutating func apply(mask: Int) {
            for y in 0..<size {
                for x in 0..<size where !isFunction[y][x] {
                    let invert: Bool
                    switch mask {
                    case 0: invert = (x + y) % 2 == 0
                    case 1: invert = y % 2 == 0
                    case 2: invert = x % 3 == 0
                    case 3: invert = (x + y) % 3 == 0
                    case 4: invert = (x / 3 + y / 2) % 2 == 0
                    case 5: invert = x * y % 2 + x * y % 3 == 0
                    case 6: invert = (x * y % 2 + x * y % 3) % 2 == 0
                    default: invert = ((x + y) % 2 + x * y % 3) % 2 == 0
                    }
                    if invert { modules[y][x].toggle() }
                }
            }
        }

        /// The standard's penalty: runs of five or more, 2×2 blocks, finder-like patterns, and imbalance.
        func penalty() -> Int {
            var total = 0
            let lines = modules + (0..<size).map { x in (0..<size).map { modules[$0][x] } }
            let finder: [Bool] = [true, false, true, true, true, false, true]
            let light = [Bool](repeating: false, count: 4)
            for line in lines {
                var run = 1
                for i in 1..<size {
                    if line[i] == line[i - 1] {
                        run += 1
                    } else {
                        if run >= 5 { total += 3 + run - 5 }
                        run = 1
                    }
                }
                if run >= 5 { total += 3 + run - 5 }
                for start in 0...(size - 11) {
                    let window = Array(line[start..<start + 11])
                    if window == finder + light || window == light + finder { total += 40 }
                }
            }
            for y in 0..<size - 1 {
                for x in 0..<size - 1 {
                    let c = modules[y][x]
                    if c == modules[y][x + 1] && c == modules[y + 1][x] && c == modules[y + 1][x + 1] { total += 3 }
                }
            }
            let dark = modules.reduce(0) { $0 + $1.filter { $0 }.count }
            let cells = size * size
            let k = (abs(dark * 20 - cells * 10) + cells - 1) / cells - 1
            total += max(0, k) * 10
            return total
        }
    }
}

/// Text too long for the largest QR code Regie draws.
public struct QRCodeError: Error, Sendable, CustomStringConvertible {
    public let count: Int
    public var description: String {
        "\(count) bytes do not fit in a QR code of version \(QRCode.maxVersion) at level M (at most 213)"
    }
}

/// Reed-Solomon error correction over GF(256) with the QR code's polynomial (x⁸ + x⁴ + x³ + x² + 1).
enum ReedSolomon {
    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z = 0
        for i in stride(from: 7, through: 0, by: -1) {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= Int((y >> i) & 1) * Int(x)
        }
        return UInt8(z)
    }

    /// The generator polynomial of `degree`, without its leading term, highest power first.
    static func divisor(degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                result[j] = multiply(result[j], root)
                if j + 1 < degree { result[j] ^= result[j + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    /// The remainder of `data` divided by the generator: its error-correction codewords.
    static func remainder(_ data: [UInt8], _ divisor: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for b in data {
            let factor = b ^ result.removeFirst()
            result.append(0)
            for i in result.indices { result[i] ^= multiply(divisor[i], factor) }
        }
        return result
    }
}
