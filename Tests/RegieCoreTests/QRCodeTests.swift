import Foundation
import Testing

@testable import RegieCore

@Suite struct QRCodeTests {
    /// The Reed-Solomon codewords of the standard's worked example (ISO/IEC 18004 annex I: "01234567" at version
    /// 1-M): 16 data codewords give these 10.
    @Test func reedSolomonMatchesTheStandardsExample() {
        let data: [UInt8] = [
            0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11,
        ]
        let ecc = ReedSolomon.remainder(data, ReedSolomon.divisor(degree: 10))
        #expect(ecc == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
    }

    @Test func picksTheSmallestVersionAndRefusesWhatDoesNotFit() throws {
        #expect(try QRCode(text: "Regie").version == 1)
        #expect(try QRCode(bytes: [UInt8](repeating: 65, count: 14)).version == 1)
        #expect(try QRCode(bytes: [UInt8](repeating: 65, count: 15)).version == 2)
        #expect(try QRCode(bytes: [UInt8](repeating: 65, count: 213)).version == 10)
        #expect(throws: QRCodeError.self) { try QRCode(bytes: [UInt8](repeating: 65, count: 214)) }
        let code = try QRCode(text: "x")
        #expect(code.size == 21)
        // The three finder patterns: dark corners, a light ring, a dark core.
        for (x, y) in [(0, 0), (20, 0), (0, 20), (3, 3), (17, 3), (3, 17)] { #expect(code.modules[y][x]) }
        for (x, y) in [(1, 1), (19, 1), (1, 19)] { #expect(!code.modules[y][x]) }
    }

    @Test func svgIsOneAccessibleImage() throws {
        let svg = try QRCode(text: "otpauth://totp/x").svg(label: "QR-code <voor> \"Regie\"")
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""))
        #expect(svg.contains("aria-label=\"QR-code &lt;voor&gt; &quot;Regie&quot;\""))
        #expect(!svg.contains("<script"))
    }

    /// zxing-cpp, a decoder written by others, reads back what Regie drew, across every version and so across
    /// short and long blocks, alignment patterns and version information.
    @Test func zxingReadsEveryVersion() throws {
        var texts: [String] = []
        for count in [1, 20, 40, 60, 80, 100, 120, 150, 180, 213] {
            texts.append(String((0..<count).map { i in Character(Unicode.Scalar(UInt8(33 + (i * 7 + count) % 90))) }))
        }
        texts.append(
            "otpauth://totp/Regie%20Zuid-Kennemerland:j.devries?secret=A4DQOBYHA4DQOBYHA4DQOBYHA4DQOBYH&issuer=Regie%20Zuid-Kennemerland&algorithm=SHA1&digits=6&period=30"
        )
        var lines: [String] = []
        for text in texts {
            let code = try QRCode(text: text)
            lines.append(code.modules.map { row in String(row.map { $0 ? "1" : "0" }) }.joined(separator: ","))
        }
        let script = """
            import sys, numpy as np, zxingcpp
            for line in sys.stdin.read().split():
                rows = [[0 if c == "1" else 255 for c in r] for r in line.split(",")]
                img = np.pad(np.array(rows, dtype=np.uint8), 4, constant_values=255)
                img = np.kron(img, np.ones((4, 4), dtype=np.uint8))
                found = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
                print(found[0].text if found else "<none>")
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(lines.joined(separator: "\n").utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text.split(separator: "\n").map(String.init) == texts)
    }
}
