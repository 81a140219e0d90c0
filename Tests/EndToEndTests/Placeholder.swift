import Testing
import Foundation

@Suite struct WebDriverSmoke {
    @Test func loadsAPage() throws {
        let d = try WebDriver()
        try d.navigate("data:text/html,<title>hi</title><p id=x>hello</p>")
        #expect(try d.title == "hi")
        #expect(try d.text("#x") == "hello")
        let png = try d.screenshot()
        #expect(png.count > 100)
    }
}
