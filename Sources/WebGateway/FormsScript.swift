/// `/static/forms.js`: a live character count under each long text field (`textarea[data-limit]`).
///
/// Why: the limit used to be a `maxlength`, and a browser cuts a longer paste at it without a
/// word (issue 20: 20,000 characters pasted, 5,000 kept). Now the field says its limit in its
/// hint, this script counts as the person types and says how much is over, and the server
/// refuses an over-long text with the text kept. Without JavaScript the hint and the server's
/// answer remain. The count is not a live region: a count per keystroke would drown a screen
/// reader; the hint (read with the field) says the limit.
enum FormsScript {
    static let source = """
    (function () {
      "use strict";
      var fields = document.querySelectorAll("textarea[data-limit]");
      Array.prototype.forEach.call(fields, function (field) {
        var out = document.getElementById(field.getAttribute("data-count"));
        var limit = parseInt(field.getAttribute("data-limit"), 10);
        if (!out || !limit) { return; }
        function update() {
          // Code points, as near to the server's count of characters as a script gets cheaply.
          var used = Array.from(field.value.trim()).length;
          var over = used - limit;
          out.textContent = over > 0
            ? over.toLocaleString("en") + " characters too many: please shorten it to " + limit.toLocaleString("en") + "."
            : used.toLocaleString("en") + " of " + limit.toLocaleString("en") + " characters used.";
          out.className = over > 0 ? "hint counter over" : "hint counter";
        }
        field.addEventListener("input", update);
        update();
      });
    })();
    """

    static let asset = StaticAsset(body: Array(source.utf8), contentType: "text/javascript; charset=utf-8")
    static let path: StaticString = "/static/forms.js"
}
