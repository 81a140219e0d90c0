/// `/static/dashboard.js`: refreshes the dashboard's panels in place, pausable, announced politely.
///
/// Why a script at all: WCAG 2.2.1 lets a page update itself only if the user can pause it, and
/// a `<meta http-equiv="refresh">` cannot be paused and moves a screen reader back to the top.
/// This script fetches the same dashboard address, swaps in the new panels (parsed with
/// `DOMParser`, which runs no scripts), and writes one sentence to the `role="status"` region.
/// It skips a round while focus is inside the panels, so nobody loses the field they are in.
/// Without JavaScript the page simply does not refresh; the "Refresh now" link does it by hand.
enum DashboardScript {
    static let source = """
    (function () {
      "use strict";
      var panels = document.getElementById("dashboard-panels");
      var toggle = document.getElementById("refresh-toggle");
      var status = document.getElementById("refresh-status");
      if (!panels || !toggle || !status || !window.fetch || !window.DOMParser) { return; }
      var seconds = parseInt(panels.getAttribute("data-refresh-seconds"), 10) || 60;
      var paused = false;
      var timer = null;

      function schedule() {
        window.clearTimeout(timer);
        timer = paused ? null : window.setTimeout(refresh, seconds * 1000);
      }

      function say(text) { status.textContent = text; }

      function refresh() {
        if (panels.contains(document.activeElement)) { schedule(); return; }
        window.fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
          .then(function (response) {
            if (!response.ok) { throw new Error("HTTP " + response.status); }
            return response.text();
          })
          .then(function (html) {
            var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("dashboard-panels");
            if (!fresh || paused || panels.contains(document.activeElement)) { return; }
            var nodes = Array.prototype.map.call(fresh.childNodes, function (node) { return document.importNode(node, true); });
            panels.replaceChildren.apply(panels, nodes);
            var stamp = document.getElementById("dashboard-stamp");
            say("Updated: figures as of " + (stamp ? stamp.textContent : "now") + ".");
          })
          .catch(function () {
            say("The dashboard could not be updated; the figures shown are older. It tries again in " + seconds + " seconds.");
          })
          .then(schedule);
      }

      toggle.addEventListener("click", function () {
        paused = !paused;
        toggle.textContent = paused ? "Resume automatic refresh" : "Pause automatic refresh";
        say(paused ? "Automatic refresh paused." : "Automatic refresh resumed: every " + seconds + " seconds.");
        schedule();
      });
      toggle.hidden = false;
      say("The figures refresh automatically every " + seconds + " seconds.");
      schedule();
    })();

    """

    static let asset = StaticAsset(body: Array(source.utf8), contentType: "text/javascript; charset=utf-8")
}
