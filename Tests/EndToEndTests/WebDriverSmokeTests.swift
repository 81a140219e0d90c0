import Foundation
import Testing

@Suite struct WebDriverSmokeTests {
    @Test(.enabled(if: WebDriver.isAvailable, "chromedriver is not installed"))
    func loadsAPageInHeadlessChromium() throws {
        let d = try WebDriver()
        try d.navigate("data:text/html,<title>hi</title><p id=x>hello</p>")
        #expect(try d.title == "hi")
        #expect(try d.text("#x") == "hello")
    }
}
